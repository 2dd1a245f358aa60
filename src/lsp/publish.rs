//! The publisher: one task that sends pushed diagnostics in the order they
//! were queued, dropping any that are no longer current when their turn
//! comes.

use std::sync::{Arc, Weak};

use tokio::sync::mpsc;
use tower_lsp_server::Client;

use super::online::Online;
use super::state::{Publish, Shared, lock};

/// Sends diagnostics in the order they were queued, dropping any that are
/// no longer current when their turn comes.
pub async fn publisher(
    shared: Weak<Shared>,
    client: Client,
    mut rx: mpsc::UnboundedReceiver<Publish>,
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
                    Online::probe_later(&shared, client.clone(), missing);
                }
                client
                    .publish_diagnostics(uri, diagnostics, Some(cell.version))
                    .await;
            }
            Publish::Clear { uri } => {
                client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }
}
