//! Workspace diagnostics: the files of the workspace folders that are not
//! open, linted with the same walker and configuration files as `--check`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use tower_lsp_server::ls_types as lsp;

use super::convert;
use crate::project::checked::{Placed, Pos};
use crate::project::config::Resolver;
use crate::project::read::KeepText;
use crate::project::walk::{WalkOptions, Walked, walk};
use crate::text::Encoding;

/// One report per file with findings, and an empty one for each file of
/// `previously` that has none now. Returns the reports and the URIs that
/// have findings.
pub fn report(
    roots: &[PathBuf],
    open: &[PathBuf],
    resolver: &Resolver,
    encoding: Encoding,
    cap: usize,
    max_bytes: usize,
    previously: &[lsp::Uri],
) -> (Vec<lsp::WorkspaceDocumentDiagnosticReport>, Vec<lsp::Uri>) {
    let mut items = Vec::new();
    let mut reported = Vec::new();
    if roots.is_empty() {
        return (items, reported);
    }
    let opts = WalkOptions {
        no_ignore: false,
        hidden: false,
        // As `--check`: one worker a core (the request runs on a blocking
        // thread; the editor's own requests are answered meanwhile).
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        fix: None,
        // Positions are found on the walk's workers in the client's
        // encoding: no text is kept and no line index built.
        keep_text: KeepText::No,
        columns: encoding,
        force_exclude: false,
        max_bytes: Some(max_bytes as u64),
        report: None,
    };
    let Walked {
        checked,
        errors,
        too_large,
        ..
    } = walk(roots, false, &opts, resolver);
    for e in &errors {
        tracing::debug!("workspace diagnostics: {} {}", e.path, e.message);
    }
    super::settings::log_notes(resolver);
    for file in checked {
        if file.analysis.diagnostics.is_empty() {
            continue;
        }
        let path = Path::new(&file.path);
        if open.iter().any(|p| p == path) {
            continue;
        }
        let Some(uri) = lsp::Uri::from_file_path(path) else {
            continue;
        };
        let diagnostics = convert::diagnostics_ranged(
            &file.analysis.diagnostics,
            |i| range(&file.places[i]),
            cap,
            file.settings.docs_url.as_deref(),
        );
        reported.push(uri.clone());
        items.push(full(uri, diagnostics));
    }
    // The same cap as open documents, and the same one diagnostic.
    for (path, len, max) in too_large {
        let path = Path::new(&path);
        if open.iter().any(|p| p == path) {
            continue;
        }
        let Some(uri) = lsp::Uri::from_file_path(path) else {
            continue;
        };
        let size = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        reported.push(uri.clone());
        items.push(full(uri, vec![convert::too_large(size(len), size(max))]));
    }
    // A set: with thousands of files reported, a search of the list for
    // each was quadratic.
    let now: HashSet<&lsp::Uri> = reported.iter().collect();
    for uri in previously {
        let is_open = uri
            .to_file_path()
            .is_some_and(|p| open.iter().any(|o| o.as_path() == p.as_ref()));
        if !now.contains(uri) && !is_open {
            items.push(full(uri.clone(), Vec::new()));
        }
    }
    (items, reported)
}

/// The LSP range of a diagnostic placed by the walk (1-based positions,
/// columns in the client's encoding).
fn range(placed: &Placed) -> lsp::Range {
    let position = |p: Pos| lsp::Position::new(p.line - 1, p.column - 1);
    lsp::Range::new(position(placed.start), position(placed.end))
}

fn full(uri: lsp::Uri, items: Vec<lsp::Diagnostic>) -> lsp::WorkspaceDocumentDiagnosticReport {
    lsp::WorkspaceDocumentDiagnosticReport::Full(lsp::WorkspaceFullDocumentDiagnosticReport {
        uri,
        version: None,
        full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
            result_id: None,
            items,
        },
    })
}
