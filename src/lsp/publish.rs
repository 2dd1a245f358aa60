//! The publisher: one task that sends pushed diagnostics in the order they
//! were queued, dropping any that are no longer current when their turn
//! comes.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types as lsp;

use super::convert::{AsArray, Shown};
use super::state::{Publish, Shared, lock};
use crate::project::online::Target;

/// Sends diagnostics in the order they were queued, dropping any that are
/// no longer current when their turn comes. They are written to bytes here
/// and sent as `frames` (see [`super::output`]), not through the
/// framework's client.
pub async fn publisher(
    shared: Weak<Shared>,
    client: Client,
    mut rx: mpsc::UnboundedReceiver<Publish>,
    frames: mpsc::Sender<Vec<u8>>,
) {
    while let Some(msg) = rx.recv().await {
        let Some(shared) = shared.upgrade() else {
            return;
        };
        shared.test_delay().await;
        match msg {
            Publish::Lint { key, cell } => {
                let Some(cell) = cell.upgrade() else {
                    continue;
                };
                let uri = {
                    let docs = lock(&shared.docs);
                    match docs.get(&key) {
                        Some(doc) if Arc::ptr_eq(&doc.cell, &cell) => doc.uri.clone(),
                        _ => continue,
                    }
                };
                let Some(linted) = cell.once.get().cloned() else {
                    continue;
                };
                // With `online`: TC020 for the answers known, probes for
                // the others, published again when they are done.
                let (diagnostics, missing) = shared.online.diagnostics(&linted, &cell.config);
                if !missing.is_empty() {
                    probe_later(&shared, client.clone(), missing);
                }
                let version = cell.version;
                // Not held while the message is sent: the lint shares the
                // document's text, which the next edit then would have to
                // copy instead of changing it in place.
                drop((linted, cell));
                send(&shared, &frames, uri, diagnostics, Some(version)).await;
            }
            Publish::Clear { uri } => send(&shared, &frames, uri, Arc::default(), None).await,
        }
    }
}

/// Sends one `textDocument/publishDiagnostics`, when the client may
/// receive it: as the framework's client would, after `initialize` was
/// answered and before `exit`.
async fn send(
    shared: &Shared,
    frames: &mpsc::Sender<Vec<u8>>,
    uri: lsp::Uri,
    diagnostics: Arc<Vec<Arc<Shown>>>,
    version: Option<i32>,
) {
    let lifecycle = &shared.lifecycle;
    if !lifecycle.initialized.load(Ordering::SeqCst) || lifecycle.exited.load(Ordering::SeqCst) {
        return;
    }
    let params = PublishParams {
        uri: &uri,
        diagnostics: AsArray(&diagnostics),
        version,
    };
    let frame = super::output::notification("textDocument/publishDiagnostics", &params);
    let _ = frames.send(frame).await;
}

/// Probes `missing` (but those already being probed) in the background;
/// then publishes again every open document with `online` (push), or asks
/// the client to pull again.
pub fn probe_later(shared: &Arc<Shared>, client: Client, missing: Vec<Target>) {
    let missing = shared.online.claim(missing);
    if missing.is_empty() {
        return;
    }
    let prober = shared.online.prober();
    let weak = Arc::downgrade(shared);
    tokio::spawn(async move {
        let done = missing.clone();
        let _ = tokio::task::spawn_blocking(move || prober.probe_all(&missing, &|_, _| {})).await;
        let Some(shared) = weak.upgrade() else {
            return;
        };
        shared.online.release(&done);
        let session = shared.session();
        if session.client.pull {
            if session.client.diagnostic_refresh {
                let _ = client.workspace_diagnostic_refresh().await;
            }
            return;
        }
        let docs = lock(&shared.docs);
        for (key, doc) in docs.iter() {
            if doc.cell.config.online && doc.cell.once.get().is_some() {
                let _ = shared.publish.send(Publish::Lint {
                    key: key.clone(),
                    cell: Arc::downgrade(&doc.cell),
                });
            }
        }
    });
}

/// `lsp::PublishDiagnosticsParams` on borrowed diagnostics: the same JSON.
#[derive(serde::Serialize)]
struct PublishParams<'a> {
    uri: &'a lsp::Uri,
    diagnostics: AsArray<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The borrowed parameters serialize to the bytes of the typed ones.
    #[test]
    fn publish_params_are_the_typed_ones() {
        let uri: lsp::Uri = "file:///a%20b/doc.md".parse().unwrap();
        let mut d = lsp::Diagnostic::new_simple(
            lsp::Range::new(lsp::Position::new(1, 2), lsp::Position::new(1, 30)),
            "deprecated scheme \"visicall:\"".into(),
        );
        d.code = Some(lsp::NumberOrString::String("TC001".into()));
        d.data = Some(serde_json::json!({"fix": "trueconf:"}));
        let diagnostics = vec![d.clone(), d];
        let shown: Vec<_> = diagnostics.iter().cloned().map(Shown::new).collect();
        for version in [Some(7), None] {
            let ours = serde_json::to_vec(&PublishParams {
                uri: &uri,
                diagnostics: AsArray(&shown),
                version,
            })
            .unwrap();
            let typed =
                lsp::PublishDiagnosticsParams::new(uri.clone(), diagnostics.clone(), version);
            assert_eq!(ours, serde_json::to_vec(&typed).unwrap());
        }
    }
}
