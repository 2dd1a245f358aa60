//! The open documents: notifications applied in wire order (by
//! [`super::service::Ordered`]), snapshots, and one lint task per document.
//!
//! Lints run on a snapshot (an O(1) rope clone) in `spawn_blocking`, and
//! each result is handed to the publisher only if the document is still
//! open at the version and configuration that was linted.

use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;
use tracing::{debug, error, warn};

use super::document::{BaseSlot, Document, Snapshot};
use super::state::{Publish, Shared, lock};
use super::text::{self, Change, Text};
use crate::project::config::Effective;
use crate::scan::DocKind;
use crate::text::{Encoding, LineCol};

impl Shared {
    fn snapshot_of(&self, key: &str, doc: &Document, encoding: Encoding) -> Snapshot {
        Snapshot {
            key: key.to_string(),
            uri: doc.uri.clone(),
            version: doc.version,
            kind: doc.kind,
            encoding,
            text: doc.text.clone(),
            cell: doc.cell.clone(),
            base: doc.base.clone(),
            limits: (
                doc.cell
                    .config
                    .max_document_bytes
                    .unwrap_or(self.options.max_document_bytes),
                self.options.max_diagnostics,
            ),
            #[cfg(feature = "testing")]
            hooks: self.options.test_hooks,
        }
    }

    /// The current state of an open document.
    pub fn snapshot(&self, key: &str) -> Option<Snapshot> {
        let encoding = self.session().client.encoding;
        let docs = lock(&self.docs);
        docs.get(key).map(|d| self.snapshot_of(key, d, encoding))
    }

    /// Is the document still at the snapshot's version and configuration?
    pub fn is_current(&self, snap: &Snapshot) -> bool {
        lock(&self.docs)
            .get(&snap.key)
            .is_some_and(|d| Arc::ptr_eq(&d.cell, &snap.cell))
    }

    /// The current state of every open document.
    pub fn snapshots(&self) -> Vec<Snapshot> {
        let encoding = self.session().client.encoding;
        let docs = lock(&self.docs);
        docs.iter()
            .map(|(k, d)| self.snapshot_of(k, d, encoding))
            .collect()
    }

    /// URIs of every open document.
    pub fn open_uris(&self) -> Vec<lsp::Uri> {
        lock(&self.docs).values().map(|d| d.uri.clone()).collect()
    }

    // --- Document notifications, applied in wire order. ---

    pub fn did_open(self: &Arc<Self>, p: lsp::DidOpenTextDocumentParams) {
        let key = p.text_document.uri.as_str().to_string();
        let kind = DocKind::from_language_id(&p.text_document.language_id);
        let config = self.effective_for(&p.text_document.uri);
        let doc = Document {
            uri: p.text_document.uri,
            text: Text::from_string(p.text_document.text),
            version: p.text_document.version,
            kind,
            epoch: self.next_id(),
            cell: self.new_cell(p.text_document.version, config),
            lint_running: false,
            base: BaseSlot::default(),
            queued: p.text_document.version.saturating_sub(1),
        };
        debug!(
            uri = %key,
            version = doc.version,
            bytes = doc.text.len(),
            "didOpen"
        );
        let mut docs = lock(&self.docs);
        if let Some(old) = docs.insert(key.clone(), doc) {
            old.cell.supersede();
        }
        if let Some(doc) = docs.get_mut(&key) {
            self.schedule(&key, doc);
        }
    }

    /// Applies `didChange` notifications in order, under one lock of the
    /// documents: a run that came together (see
    /// [`super::frames::DocumentNote::Changes`]) is linted once, at its
    /// last version, however the threads are scheduled.
    pub fn did_change(self: &Arc<Self>, notes: Vec<lsp::DidChangeTextDocumentParams>) {
        let encoding = self.session().client.encoding;
        // One lock for the whole run: a lint scheduled by its first edit
        // waits for it, so it reads the document after the last.
        let mut docs = lock(&self.docs);
        for p in notes {
            let key = p.text_document.uri.as_str();
            let version = p.text_document.version;
            let changes: Vec<Change> = p
                .content_changes
                .into_iter()
                .map(|c| Change {
                    range: c.range.map(|r| {
                        (
                            LineCol {
                                line: r.start.line,
                                col: r.start.character,
                            },
                            LineCol {
                                line: r.end.line,
                                col: r.end.character,
                            },
                        )
                    }),
                    text: c.text,
                })
                .collect();
            let Some(doc) = docs.get_mut(key) else {
                warn!(uri = %key, "didChange for a document that is not open; ignored");
                continue;
            };
            if version <= doc.version {
                warn!(
                    uri = %key,
                    version,
                    current = doc.version,
                    "didChange with a stale version; ignored"
                );
                continue;
            }
            if let Err(e) = text::validate(&changes) {
                warn!(uri = %key, version, "didChange rejected, document kept as it was: {e}");
                continue;
            }
            doc.version = version;
            doc.cell.supersede();
            // The new cell first: the old one's lint result, if nothing else
            // holds it, goes with its share of the text, which the edit then
            // changes in place instead of copying.
            doc.cell = self.new_cell(version, doc.cell.config.clone());
            if let Err(e) = doc.text.apply(&changes, encoding) {
                // Not reached: apply fails only as validate does.
                error!(uri = %key, version, "didChange failed after validation: {e}");
            }
            self.schedule(key, doc);
        }
    }

    pub fn did_close(self: &Arc<Self>, p: lsp::DidCloseTextDocumentParams) {
        let key = p.text_document.uri.as_str();
        let mut docs = lock(&self.docs);
        match docs.remove(key) {
            Some(doc) => doc.cell.supersede(),
            None => warn!(uri = %key, "didClose for a document that is not open"),
        }
        if !self.session().client.pull {
            // Sent under the lock, so it is queued after any lint result
            // of this document and before any of a reopened one.
            let _ = self.publish.send(Publish::Clear {
                uri: p.text_document.uri,
            });
        }
    }

    /// Re-lints every open document under the configuration now in force.
    pub fn relint_all(self: &Arc<Self>) {
        // Resolved before the documents are locked: it may read files.
        let open: Vec<(String, lsp::Uri)> = lock(&self.docs)
            .iter()
            .map(|(k, d)| (k.clone(), d.uri.clone()))
            .collect();
        let configs: Vec<(String, Arc<Effective>)> = open
            .into_iter()
            .map(|(key, uri)| (key, self.effective_for(&uri)))
            .collect();
        let mut docs = lock(&self.docs);
        for (key, config) in configs {
            if let Some(doc) = docs.get_mut(&key) {
                doc.cell.supersede();
                doc.cell = self.new_cell(doc.version, config);
                self.schedule(&key, doc);
            }
        }
    }

    /// Starts the lint task of a document unless one is running (it will
    /// pick up the newest version when it finishes). Pull mode lints on
    /// request only.
    fn schedule(self: &Arc<Self>, key: &str, doc: &mut Document) {
        if doc.lint_running || self.session().client.pull {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        doc.lint_running = true;
        rt.spawn(lint_loop(self.clone(), key.to_string(), doc.epoch));
    }
}

/// Texts up to this size are linted on the task's own thread: a whole lint
/// of 64 KiB of HTML (a kind linted whole at every edit, and the slowest
/// to scan) took 0.025-0.039 ms (p50) and 0.06 ms (p99) in the server's
/// debug log, against 0.05 ms or more for the handoff to the blocking pool
/// and back.
const INLINE_LINT_BYTES: usize = 64 * 1024;

/// How long a lint's publish waits, in a burst of edits, for the next edit.
const BURST_WAIT: std::time::Duration = std::time::Duration::from_millis(10);

/// Lints a document until its newest version has been linted, handing each
/// result that is still current to the publisher.
async fn lint_loop(shared: Arc<Shared>, key: String, epoch: u64) {
    // The lint (by its cell's id) whose publish waited for a burst of edits
    // to go on.
    let mut waited = None;
    loop {
        shared.test_delay().await;
        let snap = {
            let encoding = shared.session().client.encoding;
            let docs = lock(&shared.docs);
            match docs.get(&key) {
                Some(doc) if doc.epoch == epoch => shared.snapshot_of(&key, doc, encoding),
                _ => return,
            }
        };
        let cell = snap.cell.clone();
        let started = std::time::Instant::now();
        // A small text is linted where the task runs: the lint takes less
        // than handing it to a thread of the blocking pool and back.
        let result = if snap.text.len() <= INLINE_LINT_BYTES {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| snap.linted())).map_err(drop)
        } else {
            tokio::task::spawn_blocking(move || snap.linted())
                .await
                .map_err(drop)
        };
        shared.test_delay().await;
        debug!(
            uri = %key,
            version = cell.version,
            ms = started.elapsed().as_secs_f64() * 1000.0,
            region = ?result.as_ref().ok().and_then(|l| l.reread),
            "linted"
        );
        // Dropped before the lock is: the lint shares the document's text,
        // which an edit waiting for the lock would otherwise have to copy.
        let result = result.map(drop);
        let wait = {
            let mut docs = lock(&shared.docs);
            let Some(doc) = docs.get_mut(&key) else {
                return;
            };
            if doc.epoch != epoch {
                return;
            }
            if !Arc::ptr_eq(&doc.cell, &cell) {
                // A newer version or configuration arrived meanwhile:
                // lint that.
                false
            } else if result.is_ok()
                && cell.version > doc.queued.saturating_add(1)
                && waited != Some(cell.id)
            {
                // Edits came in faster than their lints were published (a
                // burst: versions were skipped since the last publish). A
                // lint of a few lines is quick enough to be done before the
                // next edit of the burst arrives: wait a little for it
                // before publishing, so that a burst still gives one
                // publish or two.
                waited = Some(cell.id);
                true
            } else {
                doc.lint_running = false;
                match result {
                    Ok(()) => {
                        doc.queued = cell.version;
                        let cell = Arc::downgrade(&cell);
                        let _ = shared.publish.send(Publish::Lint { key, cell });
                    }
                    Err(_) => {
                        error!(uri = %key, version = cell.version, "lint failed (panic); nothing published")
                    }
                }
                return;
            }
        };
        if wait {
            drop(cell);
            tokio::time::sleep(BURST_WAIT).await;
        }
    }
}
