//! The `LanguageServer` implementation: lifecycle, configuration and the
//! request handlers. Document notifications never reach it: the ordered
//! service applies them (see [`super::service`]). Handlers take the
//! snapshot their request was sent against and do their work in
//! `spawn_blocking`.

use std::future::Future;
use std::path::PathBuf;
use std::sync::Arc;

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};
use tracing::{info, warn};

use super::actions::{self, FIX_ALL, Pending, Target};
use super::convert;
use super::document::{Linted, Snapshot};
use super::service::CALL_SNAPSHOT;
use super::session::Session;
use super::settings::{self, SECTION};
use super::state::{Shared, lock};
use super::{completion, graph, hover, links, output, publish, templates, workspace};
use crate::project::config::NAMES as FILE_NAMES;
use crate::text::Encoding;

pub struct Backend {
    client: Client,
    shared: Arc<Shared>,
}

impl Backend {
    pub fn new(client: Client, shared: Arc<Shared>) -> Self {
        Backend { client, shared }
    }

    /// The snapshot taken when the current request arrived, or the current
    /// state of the document.
    fn snapshot(&self, uri: &lsp::Uri) -> Option<Snapshot> {
        let key = uri.as_str();
        let from_call = CALL_SNAPSHOT
            .try_with(|s| s.clone())
            .ok()
            .flatten()
            .filter(|s| s.key == key);
        from_call.or_else(|| self.shared.snapshot(key))
    }

    /// Runs `f` on the lint of the document's snapshot, off the transport.
    async fn on_lint<T, F>(&self, uri: &lsp::Uri, f: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot, &Linted) -> Option<T> + Send + 'static,
    {
        self.lint_then(uri, false, f).await
    }

    /// Like [`Self::on_lint`] for editor features (hover, actions, links,
    /// hints, completion): if the document changed since the request was
    /// sent and its version was never linted, answers `ContentModified`
    /// instead of linting a text nobody looks at any more.
    async fn on_current_lint<T, F>(&self, uri: &lsp::Uri, f: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot, &Linted) -> Option<T> + Send + 'static,
    {
        self.lint_then(uri, true, f).await
    }

    async fn lint_then<T, F>(&self, uri: &lsp::Uri, skip_stale: bool, f: F) -> Result<Option<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Snapshot, &Linted) -> Option<T> + Send + 'static,
    {
        self.shared.test_delay().await;
        let Some(snap) = self.snapshot(uri) else {
            return Ok(None);
        };
        self.shared.test_delay().await;
        if skip_stale && !snap.is_linted() && !self.shared.is_current(&snap) {
            return Err(Error::new(ErrorCode::ContentModified));
        }
        let answer = blocking(move || {
            let linted = if skip_stale {
                snap.linted()
            } else {
                snap.linted_whole()
            };
            if linted.cancelled {
                // An edit overtook this version while it was linted.
                return Err(Error::new(ErrorCode::ContentModified));
            }
            Ok(f(&snap, &linted))
        })
        .await;
        self.shared.test_delay().await;
        answer?
    }

    /// Waits for a client reply at most the configured time.
    async fn with_timeout<T>(&self, what: &str, fut: impl Future<Output = Result<T>>) -> Option<T> {
        match tokio::time::timeout(self.shared.options.client_request_timeout, fut).await {
            Ok(Ok(v)) => Some(v),
            Ok(Err(e)) => {
                warn!("{what}: the client answered with an error: {}", e.message);
                None
            }
            Err(_) => {
                warn!("{what}: no answer from the client in time");
                None
            }
        }
    }

    async fn show_warning(&self, message: String) {
        // It may quote a setting's value.
        let message = crate::text::escape_for_terminal(&message);
        warn!("{message}");
        self.client
            .show_message(
                lsp::MessageType::WARNING,
                format!("trueconf-lsp: {message}"),
            )
            .await;
    }

    /// Asks the client for the `trueconf-lsp` section (with a timeout).
    async fn pull_configuration(&self) -> Option<Value> {
        let session = self.shared.session();
        if !session.client.configuration {
            return None;
        }
        let scope_uri = session.roots.first().and_then(lsp::Uri::from_file_path);
        let items = vec![lsp::ConfigurationItem {
            scope_uri,
            section: Some(SECTION.to_string()),
        }];
        let values = self
            .with_timeout("workspace/configuration", self.client.configuration(items))
            .await?;
        values.into_iter().next()
    }

    /// Puts new editor settings in force; on success re-lints. `ticket`
    /// orders concurrent updates: an answer older than one already applied
    /// is dropped.
    async fn apply_editor_settings(&self, ticket: u64, value: &Value) {
        let result = self.shared.set_editor_settings(ticket, value);
        self.settings_updated(result).await;
    }

    /// After new settings were read: warnings are logged and a change
    /// re-lints; settings that could not be used are shown to the user and
    /// the previous ones stay.
    async fn settings_updated(&self, result: std::result::Result<(bool, Vec<String>), String>) {
        match result {
            Ok((changed, warnings)) => {
                settings::log_warnings(warnings);
                if changed {
                    self.settings_changed().await;
                }
            }
            Err(e) => {
                self.show_warning(format!("{e}; keeping the previous settings"))
                    .await
            }
        }
    }

    /// Re-lints open documents and asks pull clients to refresh.
    async fn settings_changed(&self) {
        self.shared.relint_all();
        let session = self.shared.session();
        if session.client.pull && session.client.diagnostic_refresh {
            let _ = self
                .with_timeout(
                    "workspace/diagnostic/refresh",
                    self.client.workspace_diagnostic_refresh(),
                )
                .await;
        }
        if session.client.inlay_hint_refresh {
            let _ = self
                .with_timeout(
                    "workspace/inlayHint/refresh",
                    self.client.inlay_hint_refresh(),
                )
                .await;
        }
    }

    async fn register_capabilities(&self) {
        let session = self.shared.session();
        let mut registrations = Vec::new();
        if session.client.watch_registration {
            let watchers = FILE_NAMES
                .iter()
                .map(|name| lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String(format!("**/{name}")),
                    kind: None,
                })
                .collect();
            registrations.push(lsp::Registration {
                id: "trueconf-lsp-config-files".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(
                    lsp::DidChangeWatchedFilesRegistrationOptions { watchers },
                )
                .ok(),
            });
        }
        if session.client.configuration_registration {
            registrations.push(lsp::Registration {
                id: "trueconf-lsp-configuration".to_string(),
                method: "workspace/didChangeConfiguration".to_string(),
                register_options: Some(json!({ "section": SECTION })),
            });
        }
        if !registrations.is_empty() {
            let _ = self
                .with_timeout(
                    "client/registerCapability",
                    self.client.register_capability(registrations),
                )
                .await;
        }
    }

    // --- Test hooks (the `testing` feature). ---

    /// Test hook: the server's text and version of a document.
    #[cfg(feature = "testing")]
    pub async fn debug_text(&self, params: Value) -> Result<Value> {
        let uri = params
            .get("uri")
            .and_then(Value::as_str)
            .and_then(Shared::parse_uri)
            .ok_or_else(|| Error::invalid_params("expected {\"uri\": …}"))?;
        Ok(match self.snapshot(&uri) {
            Some(s) => json!({ "version": s.version, "text": s.text.contents() }),
            None => Value::Null,
        })
    }

    /// Test hook: a request handler that panics.
    #[cfg(feature = "testing")]
    pub async fn debug_panic(&self, _params: Value) -> Result<Value> {
        panic!("debugPanic requested");
    }

    /// Test hook: a computation that panics with a document's text in its
    /// message, as a slicing bug would; the panic hook must not print it.
    #[cfg(feature = "testing")]
    pub async fn debug_panic_text(&self, params: Value) -> Result<Value> {
        let text = params
            .get("uri")
            .and_then(Value::as_str)
            .and_then(Shared::parse_uri)
            .and_then(|uri| self.snapshot(&uri))
            .map(|s| s.text.contents())
            .unwrap_or_default();
        blocking(move || -> Value { panic!("debugPanicText: {text}") }).await
    }

    /// Test hook: a notification handler that panics.
    #[cfg(feature = "testing")]
    pub async fn debug_panic_notification(&self, _params: Value) {
        panic!("debugPanic notification requested");
    }
}

/// Runs blocking work off the transport task; a panic becomes an
/// `InternalError`.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f).await.map_err(|_| {
        tracing::error!("a request's computation panicked");
        Error::internal_error()
    })
}

/// LSP's `RequestFailed`: the request was well formed, and its message
/// says why it cannot be done (the client shows it).
fn request_failed(message: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

/// What this server offers, in the negotiated encoding; diagnostics are
/// pulled when the client pulls them, else pushed.
fn server_capabilities(encoding: Encoding, pull: bool) -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(convert::encoding_kind(encoding)),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                ..lsp::TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["&".into(), "=".into(), ";".into(), ":".into()]),
            resolve_provider: Some(false),
            ..lsp::CompletionOptions::default()
        }),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
            lsp::CodeActionOptions {
                code_action_kinds: Some(vec![
                    lsp::CodeActionKind::QUICKFIX,
                    lsp::CodeActionKind::new(FIX_ALL),
                ]),
                resolve_provider: Some(true),
                ..lsp::CodeActionOptions::default()
            },
        )),
        document_link_provider: Some(lsp::DocumentLinkOptions {
            resolve_provider: Some(false),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        }),
        inlay_hint_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        rename_provider: Some(lsp::OneOf::Right(lsp::RenameOptions {
            prepare_provider: Some(true),
            work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
        })),
        document_symbol_provider: Some(lsp::OneOf::Left(true)),
        workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
        diagnostic_provider: pull.then(|| {
            lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                identifier: Some("trueconf-lsp".to_string()),
                inter_file_dependencies: false,
                workspace_diagnostics: true,
                work_done_progress_options: lsp::WorkDoneProgressOptions::default(),
            })
        }),
        workspace: Some(lsp::WorkspaceServerCapabilities {
            workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                supported: Some(true),
                change_notifications: Some(lsp::OneOf::Left(true)),
            }),
            file_operations: None,
        }),
        ..lsp::ServerCapabilities::default()
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let session = Session::new(&params);
        let (encoding, pull) = (session.client.encoding, session.client.pull);
        info!(
            encoding = ?encoding,
            pull,
            roots = session.roots.len(),
            "initialize"
        );
        self.shared.set_session(session);

        let mut messages = Vec::new();
        match self.shared.reload_file_settings(false) {
            Ok((_, warnings)) => settings::log_warnings(warnings),
            Err(e) => messages.push(format!("{e}; the config file is ignored")),
        }
        if let Some(settings) = params
            .initialization_options
            .as_ref()
            .and_then(|o| o.get("settings"))
        {
            match self.shared.set_init_settings(settings) {
                Ok(warnings) => settings::log_warnings(warnings),
                Err(e) => messages.push(format!("{e}; using the defaults")),
            }
        }
        lock(&self.shared.pending_messages).extend(messages);

        let capabilities = server_capabilities(encoding, pull);
        Ok(lsp::InitializeResult {
            capabilities,
            server_info: Some(lsp::ServerInfo {
                name: "trueconf-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let messages: Vec<String> = std::mem::take(&mut *lock(&self.shared.pending_messages));
        for m in messages {
            self.show_warning(m).await;
        }
        // Client round-trips run in their own task, with timeouts, so no
        // handler ever waits on the client.
        let this = self.handle();
        let ticket = self.shared.config_ticket();
        tokio::spawn(async move {
            this.register_capabilities().await;
            if let Some(value) = this.pull_configuration().await {
                this.apply_editor_settings(ticket, &value).await;
            }
        });
    }

    async fn shutdown(&self) -> Result<()> {
        info!("shutdown");
        Ok(())
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let this = self.handle();
        let ticket = self.shared.config_ticket();
        tokio::spawn(async move {
            let pushed = params.settings.get(SECTION).cloned();
            let value = match this.pull_configuration().await {
                Some(v) => Some(v),
                None => pushed,
            };
            match value {
                Some(v) => this.apply_editor_settings(ticket, &v).await,
                // The client only said "something changed": re-read the file.
                None => this.reload_file().await,
            }
        });
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        let ours = params.changes.iter().any(|c| {
            let path = c.uri.path().as_str();
            FILE_NAMES.iter().any(|n| path.ends_with(&format!("/{n}")))
        });
        if ours {
            let this = self.handle();
            tokio::spawn(async move { this.reload_file().await });
        }
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        self.shared.update_session(|s| {
            for removed in &params.event.removed {
                if let Some(p) = removed.uri.to_file_path() {
                    s.roots.retain(|r| r.as_path() != p.as_ref());
                }
            }
            for added in &params.event.added {
                if let Some(p) = added.uri.to_file_path() {
                    s.roots.push(p.into_owned());
                }
            }
        });
        let this = self.handle();
        tokio::spawn(async move { this.reload_file().await });
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let p = params.text_document_position_params;
        let pos = p.position;
        self.on_current_lint(&p.text_document.uri, move |_, linted| {
            if linted.too_large {
                return None;
            }
            hover::hover(linted, linted.lines().offset(pos))
        })
        .await
    }

    async fn completion(
        &self,
        params: lsp::CompletionParams,
    ) -> Result<Option<lsp::CompletionResponse>> {
        let p = params.text_document_position;
        let pos = p.position;
        let snippets = self.shared.session().client.snippets;
        self.on_current_lint(&p.text_document.uri, move |_, linted| {
            if linted.too_large {
                return None;
            }
            let offset = linted.lines().offset(pos);
            templates::complete(linted, offset, snippets)
                .or_else(|| completion::complete(linted, offset))
                .map(lsp::CompletionResponse::Array)
        })
        .await
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let session = self.shared.session();
        let (document_changes, resolve) = (
            session.client.document_changes,
            session.client.code_action_resolve,
        );
        let range = params.range;
        let only = params.context.only;
        let automatic = params.context.trigger_kind == Some(lsp::CodeActionTriggerKind::AUTOMATIC);
        self.on_current_lint(&params.text_document.uri, move |snap, linted| {
            let target = Target {
                uri: &snap.uri,
                version: snap.version,
                document_changes,
                resolve,
            };
            let config = &snap.cell.config.config;
            Some(actions::actions(
                linted,
                config,
                &target,
                range,
                only.as_deref(),
                automatic,
            ))
        })
        .await
    }

    /// Computes the edit of a fix-all action sent without one, on the
    /// document as it was when this request arrived (see
    /// [`super::service`]): if that is still the version the action was
    /// offered for, the action comes back with the edit, stamped with that
    /// version; if the document changed or closed meanwhile, without an
    /// edit (nothing to apply). Any other action comes back as it was.
    async fn code_action_resolve(&self, action: lsp::CodeAction) -> Result<lsp::CodeAction> {
        let Some(pending) = Pending::of(&action) else {
            return Ok(action);
        };
        let document_changes = self.shared.session().client.document_changes;
        let uri = pending.uri.clone();
        let edit = self
            .on_lint(&uri, move |snap, linted| {
                if snap.version != pending.version {
                    tracing::debug!(
                        uri = %snap.key,
                        offered = pending.version,
                        now = snap.version,
                        "codeAction/resolve for an outdated version; no edit"
                    );
                    return None;
                }
                let target = Target {
                    uri: &snap.uri,
                    version: snap.version,
                    document_changes,
                    resolve: true,
                };
                actions::fix_all_edit(linted, &snap.cell.config.config, &target)
            })
            .await?;
        Ok(lsp::CodeAction { edit, ..action })
    }

    async fn document_link(
        &self,
        params: lsp::DocumentLinkParams,
    ) -> Result<Option<Vec<lsp::DocumentLink>>> {
        self.on_current_lint(&params.text_document.uri, |_, linted| {
            Some(links::document_links(linted))
        })
        .await
    }

    /// Not advertised: every target is in the `documentLink` answer, and
    /// a link with a password has none. A client that asks anyway gets its
    /// link back as it sent it.
    async fn document_link_resolve(&self, link: lsp::DocumentLink) -> Result<lsp::DocumentLink> {
        Ok(link)
    }

    async fn inlay_hint(
        &self,
        params: lsp::InlayHintParams,
    ) -> Result<Option<Vec<lsp::InlayHint>>> {
        let range = params.range;
        self.on_current_lint(&params.text_document.uri, move |snap, linted| {
            if !snap.cell.config.inlay_hints {
                return Some(Vec::new());
            }
            Some(links::inlay_hints(linted, range))
        })
        .await
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let p = params.text_document_position;
        let pos = p.position;
        let Some(target) = self
            .on_current_lint(&p.text_document.uri, move |_, linted| {
                graph::symbol_at(linted, linted.lines().offset(pos))
            })
            .await?
        else {
            return Ok(None);
        };
        let docs = self.workspace_docs().await?;
        let encoding = self.shared.session().client.encoding;
        Ok(Some(graph::references(
            &docs,
            target.kind,
            &target.name,
            encoding,
        )))
    }

    async fn prepare_rename(
        &self,
        params: lsp::TextDocumentPositionParams,
    ) -> Result<Option<lsp::PrepareRenameResponse>> {
        let pos = params.position;
        let answer = self
            .on_current_lint(&params.text_document.uri, move |_, linted| {
                Some(graph::prepare_rename(linted, linted.lines().offset(pos)))
            })
            .await?;
        match answer {
            None => Ok(None),
            Some(Ok(r)) => Ok(Some(r)),
            Some(Err(message)) => Err(request_failed(message)),
        }
    }

    async fn rename(&self, params: lsp::RenameParams) -> Result<Option<lsp::WorkspaceEdit>> {
        let p = params.text_document_position;
        let pos = p.position;
        let new_name = params.new_name;
        let found = self
            .on_current_lint(&p.text_document.uri, move |_, linted| {
                graph::symbol_at(linted, linted.lines().offset(pos))
            })
            .await?;
        let target = graph::renamable(found).map_err(request_failed)?;
        graph::check_new_name(target.kind, &new_name).map_err(request_failed)?;
        let docs = self.workspace_docs().await?;
        let session = self.shared.session();
        Ok(Some(graph::rename(
            &docs,
            target.kind,
            &target.name,
            &new_name,
            session.client.encoding,
            session.client.document_changes,
        )))
    }

    async fn document_symbol(
        &self,
        params: lsp::DocumentSymbolParams,
    ) -> Result<Option<lsp::DocumentSymbolResponse>> {
        let hierarchical = self.shared.session().client.hierarchical_symbols;
        self.on_current_lint(&params.text_document.uri, move |snap, linted| {
            if linted.too_large {
                return None;
            }
            Some(graph::document_symbols(&snap.uri, linted, hierarchical))
        })
        .await
    }

    async fn symbol(
        &self,
        params: lsp::WorkspaceSymbolParams,
    ) -> Result<Option<lsp::WorkspaceSymbolResponse>> {
        let docs = self.workspace_docs().await?;
        let encoding = self.shared.session().client.encoding;
        Ok(Some(lsp::WorkspaceSymbolResponse::Flat(
            graph::workspace_symbols(&docs, &params.query, encoding),
        )))
    }

    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        let previous = params.previous_result_id;
        let shared = self.shared.clone();
        let report = self
            .on_lint(&params.text_document.uri, move |snap, linted| {
                let result_id = shared.online.result_id(&snap.cell);
                if previous.as_deref() == Some(result_id.as_str()) {
                    return Some((Pulled::Unchanged(result_id), None));
                }
                // With `online`: TC020 for the answers known; the others
                // are probed, and the client asked to pull again.
                let (items, missing) = shared.online.diagnostics(linted, &snap.cell.config);
                let later = (!missing.is_empty()).then_some(missing);
                Some((Pulled::Full(result_id, items), later))
            })
            .await?;
        let report = report.map(|(report, later)| {
            if let Some(missing) = later {
                publish::probe_later(&self.shared, self.client.clone(), missing);
            }
            report
        });
        let full = |result_id, items| {
            lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id,
                    items,
                },
            })
        };
        let report = match report {
            None => full(None, Vec::new()),
            Some(Pulled::Unchanged(result_id)) => lsp::DocumentDiagnosticReport::Unchanged(
                lsp::RelatedUnchangedDocumentDiagnosticReport {
                    related_documents: None,
                    unchanged_document_diagnostic_report: lsp::UnchangedDocumentDiagnosticReport {
                        result_id,
                    },
                },
            ),
            Some(Pulled::Full(result_id, items)) => {
                if output::answer_directly(&output::FullReport {
                    kind: "full",
                    result_id: &result_id,
                    items: convert::AsArray(&items),
                }) {
                    // The service sends these bytes as the response; what
                    // the framework is given here is dropped (see
                    // `output::DIRECT`).
                    return Ok(lsp::DocumentDiagnosticReportResult::Report(full(
                        None,
                        Vec::new(),
                    )));
                }
                let items = items.iter().map(|d| d.diagnostic.clone()).collect();
                full(Some(result_id), items)
            }
        };
        Ok(lsp::DocumentDiagnosticReportResult::Report(report))
    }

    async fn workspace_diagnostic(
        &self,
        _params: lsp::WorkspaceDiagnosticParams,
    ) -> Result<lsp::WorkspaceDiagnosticReportResult> {
        let session = self.shared.session();
        let resolver = self.shared.resolver();
        let open: Vec<PathBuf> = self
            .shared
            .open_uris()
            .iter()
            .filter_map(|u| u.to_file_path().map(|p| p.into_owned()))
            .collect();
        let previously = lock(&self.shared.workspace_reported).clone();
        let cap = self.shared.options.max_diagnostics;
        let max_bytes = self.shared.options.max_document_bytes;
        let (items, reported) = blocking(move || {
            workspace::report(
                &session.roots,
                &open,
                &resolver,
                session.client.encoding,
                cap,
                max_bytes,
                &previously,
            )
        })
        .await?;
        *lock(&self.shared.workspace_reported) = reported;
        let result =
            lsp::WorkspaceDiagnosticReportResult::Report(lsp::WorkspaceDiagnosticReport { items });
        if output::answer_directly(&result) {
            // Sent by the service as these bytes (see `output::DIRECT`).
            return Ok(lsp::WorkspaceDiagnosticReportResult::Report(
                lsp::WorkspaceDiagnosticReport { items: Vec::new() },
            ));
        }
        Ok(result)
    }
}

impl Backend {
    /// The open documents and the workspace's files with links, for
    /// references, rename and workspace symbols.
    async fn workspace_docs(&self) -> Result<Vec<graph::Doc>> {
        let open = self.shared.snapshots();
        let roots = self.shared.session().roots;
        let resolver = self.shared.resolver();
        let max_bytes = self.shared.options.max_document_bytes as u64;
        blocking(move || graph::workspace(&open, &roots, &resolver, max_bytes)).await
    }

    /// Another handle on the same server, for spawned tasks.
    fn handle(&self) -> Backend {
        Backend::new(self.client.clone(), self.shared.clone())
    }

    async fn reload_file(&self) {
        let result = self.shared.reload_file_settings(true);
        self.settings_updated(result).await;
    }
}

/// A pull's answer, before it is serialized.
enum Pulled {
    Unchanged(String),
    /// The `resultId`, and the diagnostics (shared with the lint).
    Full(String, Arc<Vec<Arc<convert::Shown>>>),
}
