//! The publisher: one task that sends pushed diagnostics in the order they
//! were queued, dropping any that are no longer current when their turn
//! comes.

use std::sync::{Arc, Weak};

use tokio::sync::mpsc;
use tower_lsp_server::Client;

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
                client
                    .publish_diagnostics(uri, linted.diagnostics.clone(), Some(cell.version))
                    .await;
            }
            Publish::Clear { uri } => {
                client.publish_diagnostics(uri, Vec::new(), None).await;
            }
        }
    }
}
