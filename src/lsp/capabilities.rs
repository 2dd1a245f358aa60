//! What the client said it supports, resolved once in `initialize` into
//! plain booleans (and the position encoding) that the handlers read.

use tower_lsp_server::ls_types as lsp;

use super::convert;
use crate::text::Encoding;

/// The client's capabilities this server acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// The negotiated position encoding (see [`convert::negotiate`]).
    pub encoding: Encoding,
    /// The client pulls diagnostics (`textDocument/diagnostic`); the server
    /// then never pushes.
    pub pull: bool,
    pub document_changes: bool,
    /// The client resolves code actions' edits (`codeAction/resolve` with
    /// `edit` among the resolvable properties, and `data` kept): fix-all is
    /// then sent without its edit, computed only when it is resolved.
    pub code_action_resolve: bool,
    pub configuration: bool,
    /// `textDocument/documentSymbol` answers with nested symbols.
    pub hierarchical_symbols: bool,
    /// Completion items may be snippets with tab stops.
    pub snippets: bool,
    pub diagnostic_refresh: bool,
    pub inlay_hint_refresh: bool,
    pub watch_registration: bool,
    pub configuration_registration: bool,
}

impl Default for ClientCapabilities {
    /// A client that supports nothing optional, in UTF-16.
    fn default() -> Self {
        ClientCapabilities::new(&lsp::ClientCapabilities::default())
    }
}

impl ClientCapabilities {
    pub fn new(caps: &lsp::ClientCapabilities) -> Self {
        let encoding = convert::negotiate(
            caps.general
                .as_ref()
                .and_then(|g| g.position_encodings.as_deref()),
        );
        let text_document = caps.text_document.as_ref();
        let ws = caps.workspace.as_ref();
        ClientCapabilities {
            encoding,
            pull: text_document.and_then(|t| t.diagnostic.as_ref()).is_some(),
            document_changes: ws
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
            code_action_resolve: text_document
                .and_then(|t| t.code_action.as_ref())
                .is_some_and(|a| {
                    a.code_action_literal_support.is_some()
                        && a.data_support == Some(true)
                        && a.resolve_support
                            .as_ref()
                            .is_some_and(|r| r.properties.iter().any(|p| p == "edit"))
                }),
            configuration: ws.and_then(|w| w.configuration).unwrap_or(false),
            hierarchical_symbols: text_document
                .and_then(|t| t.document_symbol.as_ref())
                .and_then(|d| d.hierarchical_document_symbol_support)
                .unwrap_or(false),
            snippets: text_document
                .and_then(|t| t.completion.as_ref())
                .and_then(|c| c.completion_item.as_ref())
                .and_then(|i| i.snippet_support)
                .unwrap_or(false),
            diagnostic_refresh: ws
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            inlay_hint_refresh: ws
                .and_then(|w| w.inlay_hint.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            watch_registration: ws
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration_registration: ws
                .and_then(|w| w.did_change_configuration.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
        }
    }
}
