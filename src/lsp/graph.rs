//! Links as a workspace graph: references to a server, a conference ID or
//! a user; rename of a server or a conference ID; the outline of a
//! document; workspace symbols.
//!
//! The workspace is every open document (its text as the editor has it)
//! and every other file of the workspace folders, walked as workspace
//! diagnostics walk them (same walker, excludes and configuration files).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;

use super::convert::Lines;
use super::document::{Linted, Snapshot};
use super::text::Flat;
use crate::describe::{SHOWN_CHARS, clip, describe};
use crate::project::config::Resolver;
use crate::project::read::KeepText;
use crate::project::walk::{WalkOptions, Walked, walk};
use crate::scan::{RawLink, scan};
use crate::symbols::{self, Symbol, SymbolKind, valid_conference, valid_server};
use crate::text::{Encoding, LineIndex};
use crate::uri::Link;

/// The most symbols `workspace/symbol` returns.
const MAX_WORKSPACE_SYMBOLS: usize = 1000;

/// One document of the workspace, with its links' symbols.
pub struct Doc {
    pub uri: lsp::Uri,
    /// The version of an open document; `None` for a file on disk.
    pub version: Option<i32>,
    pub text: Arc<Flat>,
    pub links: Vec<RawLink>,
    pub symbols: Vec<Symbol>,
    index: LineIndex,
}

impl Doc {
    fn new(uri: lsp::Uri, version: Option<i32>, text: Arc<Flat>, links: Vec<RawLink>) -> Doc {
        let symbols = symbols::symbols(&text, &links);
        let index = LineIndex::new(&text);
        Doc {
            uri,
            version,
            text,
            links,
            symbols,
            index,
        }
    }

    fn lines(&self, encoding: Encoding) -> Lines<'_> {
        Lines::new(&self.text, &self.index, encoding)
    }
}

/// The documents of the workspace: `open` as they are in the editor (those
/// over the size cap left out), then every file of `roots` that is not
/// open and holds a link (files over `max_bytes`, or their own
/// `max-document-bytes`, are not read).
pub fn workspace(
    open: &[Snapshot],
    roots: &[PathBuf],
    resolver: &Resolver,
    max_bytes: u64,
) -> Vec<Doc> {
    let mut docs = Vec::new();
    let mut open_paths: Vec<PathBuf> = Vec::new();
    for snap in open {
        if let Some(p) = snap.uri.to_file_path() {
            open_paths.push(p.into_owned());
        }
        if snap.text.len() > snap.limits.0 {
            continue;
        }
        let text = snap.text.flat().clone();
        let links = scan(&text, snap.kind);
        if links.is_empty() {
            continue;
        }
        docs.push(Doc::new(snap.uri.clone(), Some(snap.version), text, links));
    }
    if roots.is_empty() {
        return docs;
    }
    let opts = WalkOptions {
        no_ignore: false,
        hidden: false,
        threads: 1,
        fix: None,
        keep_text: KeepText::WithLinks,
        force_exclude: false,
        max_bytes: Some(max_bytes),
        report: None,
        columns: crate::text::Encoding::Utf32,
    };
    let Walked { checked, .. } = walk(roots, false, &opts, resolver);
    for file in checked {
        if file.analysis.links.is_empty() {
            continue;
        }
        let path = Path::new(&file.path);
        if open_paths.iter().any(|p| p == path) {
            continue;
        }
        let Some(uri) = lsp::Uri::from_file_path(path) else {
            continue;
        };
        docs.push(Doc::new(
            uri,
            None,
            Arc::new(Flat::from(file.text)),
            file.analysis.links,
        ));
    }
    docs
}

/// The symbol under `offset` in a linted document.
pub fn symbol_at(linted: &Linted, offset: usize) -> Option<Symbol> {
    if linted.too_large {
        return None;
    }
    let links: Vec<RawLink> = linted
        .analysis
        .links
        .iter()
        .filter(|l| l.span.start <= offset && offset <= l.span.end)
        .copied()
        .collect();
    let syms = symbols::symbols(&linted.text, &links);
    symbols::at(&syms, offset).cloned()
}

/// Every place in `docs` that names `kind` `name`.
pub fn references(
    docs: &[Doc],
    kind: SymbolKind,
    name: &str,
    encoding: Encoding,
) -> Vec<lsp::Location> {
    let mut out = Vec::new();
    for doc in docs {
        let lines = doc.lines(encoding);
        for s in doc.symbols.iter().filter(|s| s.same_as(kind, name)) {
            out.push(lsp::Location::new(doc.uri.clone(), lines.range(s.span)));
        }
    }
    out
}

/// The symbol a rename at this place renames, or why there is none.
pub fn renamable(found: Option<Symbol>) -> Result<Symbol, String> {
    let Some(s) = found else {
        return Err(
            "Rename works on the server or the conference ID of a trueconf: link; \
             there is none here"
                .into(),
        );
    };
    if !s.kind.renamable() {
        return Err(format!(
            "A {} cannot be renamed from links; rename works on servers and conference IDs",
            s.kind.as_str()
        ));
    }
    Ok(s)
}

/// The range and text a rename at this place starts from, or why it is
/// refused.
pub fn prepare_rename(
    linted: &Linted,
    offset: usize,
) -> Result<lsp::PrepareRenameResponse, String> {
    let s = renamable(symbol_at(linted, offset))?;
    Ok(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: linted.lines().range(s.span),
        placeholder: linted.text[s.span.range()].to_string(),
    })
}

/// Checks a new name for a symbol of `kind`.
pub fn check_new_name(kind: SymbolKind, new: &str) -> Result<(), String> {
    let ok = match kind {
        SymbolKind::Server => valid_server(new),
        SymbolKind::Conference => valid_conference(new),
        SymbolKind::User => false,
    };
    if ok {
        Ok(())
    } else {
        Err(match kind {
            SymbolKind::Server => format!(
                "{:?} is not a host name or address (letters, digits, '-' and '.', \
                 or an IPv6 address in brackets, with an optional :port)",
                new
            ),
            _ => format!(
                "{:?} is not a conference ID (letters, digits, '.', '_' and '-')",
                new
            ),
        })
    }
}

/// The workspace edit that renames `kind` `old` to `new` in every document.
pub fn rename(
    docs: &[Doc],
    kind: SymbolKind,
    old: &str,
    new: &str,
    encoding: Encoding,
    document_changes: bool,
) -> lsp::WorkspaceEdit {
    let mut per_doc: Vec<(&Doc, Vec<lsp::TextEdit>)> = Vec::new();
    for doc in docs {
        let edits = symbols::rename_edits(&doc.symbols, kind, old, new);
        if edits.is_empty() {
            continue;
        }
        let lines = doc.lines(encoding);
        let edits = edits
            .into_iter()
            .map(|(span, text)| lsp::TextEdit::new(lines.range(span), text))
            .collect();
        per_doc.push((doc, edits));
    }
    if document_changes {
        let changes = per_doc
            .into_iter()
            .map(|(doc, edits)| lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: doc.uri.clone(),
                    version: doc.version,
                },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            })
            .collect();
        lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(changes)),
            ..lsp::WorkspaceEdit::default()
        }
    } else {
        let changes: HashMap<lsp::Uri, Vec<lsp::TextEdit>> = per_doc
            .into_iter()
            .map(|(doc, edits)| (doc.uri.clone(), edits))
            .collect();
        lsp::WorkspaceEdit {
            changes: Some(changes),
            ..lsp::WorkspaceEdit::default()
        }
    }
}

/// What a symbol of `kind` is shown as in outlines.
fn lsp_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Server => lsp::SymbolKind::NAMESPACE,
        SymbolKind::Conference => lsp::SymbolKind::NUMBER,
        SymbolKind::User => lsp::SymbolKind::OBJECT,
    }
}

/// A link's one-line summary (passwords as `***`), and its parts.
fn summary(text: &str, raw: &RawLink) -> String {
    let decoded = raw.decoded(text);
    let link = Link::parse(&decoded.text);
    let summary = describe(&link).summary;
    clip(&summary, SHOWN_CHARS)
        .chars()
        .map(|c| {
            if crate::text::is_unsafe_to_print(c) {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn part_name(s: &Symbol) -> String {
    match &s.port_number {
        Some(p) => format!("{} {}:{p}", s.kind.as_str(), s.name),
        None => format!("{} {}", s.kind.as_str(), s.name),
    }
}

/// The outline: each link named by what it does, with its server,
/// conference and user as children (hierarchical), or the links alone
/// (flat, for clients without hierarchical support).
pub fn document_symbols(
    uri: &lsp::Uri,
    linted: &Linted,
    hierarchical: bool,
) -> lsp::DocumentSymbolResponse {
    let lines = linted.lines();
    let text = &linted.text;
    let links = &linted.analysis.links;
    if !hierarchical {
        #[allow(deprecated)]
        let flat = links
            .iter()
            .map(|raw| lsp::SymbolInformation {
                name: summary(text, raw),
                kind: lsp::SymbolKind::EVENT,
                tags: None,
                deprecated: None,
                location: lsp::Location::new(uri.clone(), lines.range(raw.span)),
                container_name: None,
            })
            .collect();
        return lsp::DocumentSymbolResponse::Flat(flat);
    }
    let syms = symbols::symbols(text, links);
    let mut by_link: Vec<Vec<&Symbol>> = vec![Vec::new(); links.len()];
    for s in &syms {
        by_link[s.link].push(s);
    }
    #[allow(deprecated)]
    let nested = links
        .iter()
        .zip(by_link)
        .map(|(raw, parts)| {
            let range = lines.range(raw.span);
            let children: Vec<lsp::DocumentSymbol> = parts
                .into_iter()
                .map(|s| {
                    let r = lines.range(s.span_with_port());
                    lsp::DocumentSymbol {
                        name: part_name(s),
                        detail: None,
                        kind: lsp_kind(s.kind),
                        tags: None,
                        deprecated: None,
                        range: r,
                        selection_range: r,
                        children: None,
                    }
                })
                .collect();
            lsp::DocumentSymbol {
                name: summary(text, raw),
                detail: Some("trueconf: link".into()),
                kind: lsp::SymbolKind::EVENT,
                tags: None,
                deprecated: None,
                range,
                selection_range: range,
                children: (!children.is_empty()).then_some(children),
            }
        })
        .collect();
    lsp::DocumentSymbolResponse::Nested(nested)
}

/// Links of the workspace whose server, conference ID or user contains
/// `query` (without regard to case; every link for an empty query), named
/// by what they do.
pub fn workspace_symbols(
    docs: &[Doc],
    query: &str,
    encoding: Encoding,
) -> Vec<lsp::SymbolInformation> {
    let query = query.to_lowercase();
    let mut out = Vec::new();
    'docs: for doc in docs {
        let lines = doc.lines(encoding);
        let mut last_link = None;
        for s in &doc.symbols {
            if last_link == Some(s.link) || !s.name.to_lowercase().contains(&query) {
                continue;
            }
            last_link = Some(s.link);
            let raw = &doc.links[s.link];
            #[allow(deprecated)]
            out.push(lsp::SymbolInformation {
                name: summary(&doc.text, raw),
                kind: lsp::SymbolKind::EVENT,
                tags: None,
                deprecated: None,
                location: lsp::Location::new(doc.uri.clone(), lines.range(raw.span)),
                container_name: Some(part_name(s)),
            });
            if out.len() >= MAX_WORKSPACE_SYMBOLS {
                break 'docs;
            }
        }
    }
    out
}
