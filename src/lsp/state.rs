//! The server's shared state: open documents, the configuration in force,
//! what the client supports, and the lint pipeline (one lint task per
//! document, one publisher for all).
//!
//! Document notifications are applied here synchronously, in wire order,
//! by [`super::service::Ordered`]. Lints run on a snapshot (an O(1) rope
//! clone) in `spawn_blocking`, and each result is published only if the
//! document is still open at the version and configuration that was linted.

use std::collections::HashMap;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, Weak};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types as lsp;
use tracing::{debug, error, warn};

use super::convert::{self, Index, Lines};
use super::document::{self, Change, Text};
use super::settings;
use crate::project::config::{Effective, Resolver};
use crate::project::settings::Settings;
use crate::scan::DocKind;
use crate::text::{Encoding, LineCol};
use crate::{Analysis, analyze};

/// With the test hooks on, linting a text that holds this panics.
pub const PANIC_MARKER: &str = "trueconf-lsp-test-hook:panic-in-lint";

/// Knobs of a server instance.
#[derive(Clone, Debug)]
pub struct Options {
    /// Documents longer than this many bytes are not linted; they get one
    /// "document too large" diagnostic. The `max-document-bytes` setting,
    /// when given, overrides it.
    pub max_document_bytes: usize,
    /// At most this many diagnostics per document, plus one summary.
    pub max_diagnostics: usize,
    /// How long to wait for the client to answer a server-to-client request.
    pub client_request_timeout: Duration,
    /// Test hooks: `trueconf-lsp/debugText`, `trueconf-lsp/debugPanic…`,
    /// and a lint that panics on [`PANIC_MARKER`].
    pub test_hooks: bool,
    /// Test hook: request handlers, lint tasks and the publisher pause at
    /// their await points (a yield, a few yields or a sleep of up to 2 ms,
    /// chosen by a counter), to shake out any dependence on timing.
    pub test_delays: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            max_document_bytes: 16 * 1024 * 1024,
            max_diagnostics: 1000,
            client_request_timeout: Duration::from_secs(5),
            test_hooks: false,
            test_delays: false,
        }
    }
}

/// What `initialize` learned about the client.
#[derive(Clone, Debug)]
pub struct Session {
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
    pub diagnostic_refresh: bool,
    pub inlay_hint_refresh: bool,
    pub watch_registration: bool,
    pub configuration_registration: bool,
    pub roots: Vec<PathBuf>,
}

impl Default for Session {
    fn default() -> Self {
        Session {
            encoding: Encoding::Utf16,
            pull: false,
            document_changes: false,
            code_action_resolve: false,
            configuration: false,
            diagnostic_refresh: false,
            inlay_hint_refresh: false,
            watch_registration: false,
            configuration_registration: false,
            roots: Vec::new(),
        }
    }
}

/// A lint result: the text it was computed on, what the core found, and
/// the LSP diagnostics ready to send.
#[derive(Debug)]
pub struct Linted {
    pub kind: DocKind,
    pub encoding: Encoding,
    /// Empty when the document is too large. Shared with the document
    /// until it is edited.
    pub text: Arc<String>,
    pub analysis: Analysis,
    pub diagnostics: Vec<lsp::Diagnostic>,
    /// How many of `analysis.diagnostics` are in `diagnostics` (the rest
    /// are over the cap): editor features offer actions for these only.
    pub shown: usize,
    pub too_large: bool,
    /// The rope `text` was made from, for line lookups.
    rope: Text,
    /// The fix-all edits, computed on the first request that wants them:
    /// fix-all re-lints the text to a fixpoint, too slow to redo for every
    /// code action request on a big document.
    pub fix_all: OnceLock<Vec<lsp::TextEdit>>,
}

impl Linted {
    pub fn lines(&self) -> Lines<'_> {
        Lines::new(&self.text, Index::Rope(&self.rope), self.encoding)
    }
}

/// The lint of one document version under one configuration, computed at
/// most once and shared by the push task and every request on that version.
#[derive(Debug)]
pub struct LintCell {
    /// Unique per cell; the `resultId` of pull diagnostics.
    pub id: u64,
    pub version: i32,
    pub config: Arc<Effective>,
    once: OnceLock<Arc<Linted>>,
}

/// An open document.
#[derive(Debug)]
pub struct Document {
    pub uri: lsp::Uri,
    pub text: Text,
    pub version: i32,
    pub kind: DocKind,
    /// Unique per `didOpen`.
    pub epoch: u64,
    pub cell: Arc<LintCell>,
    pub lint_running: bool,
}

/// A document as it was at one moment: cheap to take, safe to send.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub key: String,
    pub uri: lsp::Uri,
    pub version: i32,
    pub kind: DocKind,
    pub encoding: Encoding,
    pub text: Text,
    pub cell: Arc<LintCell>,
    limits: (usize, usize),
    /// [`Options::test_hooks`]: a text holding [`PANIC_MARKER`] makes the
    /// lint panic.
    hooks: bool,
}

impl Snapshot {
    /// Has this snapshot's lint been computed already?
    pub fn is_linted(&self) -> bool {
        self.cell.once.get().is_some()
    }

    /// The lint of this snapshot, computing it if nobody has. Blocking:
    /// call it from `spawn_blocking`.
    pub fn linted(&self) -> Arc<Linted> {
        self.cell
            .once
            .get_or_init(|| Arc::new(self.compute()))
            .clone()
    }

    fn compute(&self) -> Linted {
        let (max_bytes, max_diagnostics) = self.limits;
        let len = self.text.len();
        if len > max_bytes {
            return Linted {
                kind: self.kind,
                encoding: self.encoding,
                text: Arc::default(),
                analysis: Analysis::default(),
                diagnostics: vec![convert::too_large(len, max_bytes)],
                shown: 0,
                too_large: true,
                rope: Text::default(),
                fix_all: OnceLock::new(),
            };
        }
        let text = self.text.flat().clone();
        if self.hooks && text.contains(PANIC_MARKER) {
            // As a rule's slicing bug would: with the text in the message.
            panic!("lint panic requested: {text}");
        }
        let analysis = analyze(&text, self.kind, &self.cell.config.config);
        let mut linted = Linted {
            kind: self.kind,
            encoding: self.encoding,
            text,
            analysis,
            diagnostics: Vec::new(),
            shown: 0,
            too_large: false,
            rope: self.text.clone(),
            fix_all: OnceLock::new(),
        };
        linted.shown = linted.analysis.diagnostics.len().min(max_diagnostics);
        if !linted.analysis.diagnostics.is_empty() {
            linted.diagnostics = convert::diagnostics(
                &linted.analysis.diagnostics,
                &linted.lines(),
                max_diagnostics,
            );
        }
        linted
    }
}

/// What the publisher is asked to send.
#[derive(Debug)]
pub enum Publish {
    /// The lint of a cell, if the document still is at that cell. Weak, so
    /// a queue behind a slow client holds no outdated texts.
    Lint { key: String, cell: Weak<LintCell> },
    /// An empty list for a closed document.
    Clear { uri: lsp::Uri },
}

/// Protocol lifecycle, as the ordered service sees it on the wire.
#[derive(Debug, Default)]
pub struct Lifecycle {
    pub initialized: AtomicBool,
    pub shutdown: AtomicBool,
    pub exited: AtomicBool,
}

impl Lifecycle {
    /// The process exit code: 0 after `shutdown`, 1 without.
    pub fn exit_code(&self) -> i32 {
        if self.shutdown.load(Ordering::SeqCst) {
            0
        } else {
            1
        }
    }
}

/// The editor's settings from each source, and the resolver in force: the
/// configuration files with the editor's settings laid over them.
struct ConfigState {
    /// From `initializationOptions.settings`.
    init: Settings,
    /// From `workspace/configuration` or `didChangeConfiguration`.
    editor: Settings,
    resolver: Arc<Resolver>,
}

pub struct Shared {
    pub options: Options,
    pub lifecycle: Lifecycle,
    docs: Mutex<HashMap<String, Document>>,
    session: RwLock<Session>,
    config: Mutex<ConfigState>,
    ids: AtomicU64,
    /// The ticket of the editor settings in force.
    editor_ticket: Mutex<u64>,
    publish: mpsc::UnboundedSender<Publish>,
    /// Messages to show once the client may receive them.
    pub pending_messages: Mutex<Vec<String>>,
    /// URIs the last workspace diagnostic report had findings for.
    pub workspace_reported: Mutex<Vec<lsp::Uri>>,
    /// Counts [`Shared::test_delay`] calls, to vary the pauses.
    delays: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").finish_non_exhaustive()
    }
}

/// Locks a mutex even if a panic poisoned it: the data is still consistent
/// because every critical section leaves it so before anything can panic.
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Shared {
    pub fn new(options: Options) -> (Arc<Shared>, mpsc::UnboundedReceiver<Publish>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let shared = Shared {
            options,
            lifecycle: Lifecycle::default(),
            docs: Mutex::new(HashMap::new()),
            session: RwLock::new(Session::default()),
            config: Mutex::new(ConfigState {
                init: Settings::default(),
                editor: Settings::default(),
                resolver: Arc::new(
                    Resolver::editor(PathBuf::from("/"), Settings::default())
                        .expect("the defaults are valid"),
                ),
            }),
            ids: AtomicU64::new(1),
            editor_ticket: Mutex::new(0),
            publish: tx,
            pending_messages: Mutex::new(Vec::new()),
            workspace_reported: Mutex::new(Vec::new()),
            delays: AtomicU64::new(0),
        };
        (Arc::new(shared), rx)
    }

    pub fn session(&self) -> Session {
        self.session
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn set_session(&self, s: Session) {
        *self.session.write().unwrap_or_else(|e| e.into_inner()) = s;
    }

    pub fn update_session(&self, f: impl FnOnce(&mut Session)) {
        f(&mut self.session.write().unwrap_or_else(|e| e.into_inner()));
    }

    /// With [`Options::test_delays`] on, pauses a little: nothing, one
    /// yield, several yields, or a sleep of 1 or 2 ms, in turn by a hashed
    /// counter. Otherwise returns at once.
    pub async fn test_delay(&self) {
        if !self.options.test_delays {
            return;
        }
        let n = self
            .delays
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            >> 58;
        match n % 5 {
            0 => {}
            1 => tokio::task::yield_now().await,
            2 => {
                for _ in 0..4 {
                    tokio::task::yield_now().await;
                }
            }
            k => tokio::time::sleep(Duration::from_millis(k - 2)).await,
        }
    }

    /// The configuration files and the editor's settings in force.
    pub fn resolver(&self) -> Arc<Resolver> {
        lock(&self.config).resolver.clone()
    }

    /// The settings in force for a document: those of the nearest
    /// configuration file above it, as `--check` finds it, with the
    /// editor's laid over them.
    pub fn effective_for(&self, uri: &lsp::Uri) -> Arc<Effective> {
        let resolver = self.resolver();
        let effective = match uri.to_file_path() {
            Some(path) => resolver
                .for_file(&path)
                .unwrap_or_else(|_| resolver.fallback()),
            None => resolver.fallback(),
        };
        let (warnings, errors) = resolver.take_notes();
        for w in warnings {
            warn!("{w}");
        }
        for e in errors {
            warn!("{e}; the config file is ignored");
        }
        effective
    }

    fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    fn new_cell(&self, version: i32, config: Arc<Effective>) -> Arc<LintCell> {
        Arc::new(LintCell {
            id: self.next_id(),
            version,
            config,
            once: OnceLock::new(),
        })
    }

    fn snapshot_of(&self, key: &str, doc: &Document, encoding: Encoding) -> Snapshot {
        Snapshot {
            key: key.to_string(),
            uri: doc.uri.clone(),
            version: doc.version,
            kind: doc.kind,
            encoding,
            text: doc.text.clone(),
            cell: doc.cell.clone(),
            limits: (
                doc.cell
                    .config
                    .max_document_bytes
                    .unwrap_or(self.options.max_document_bytes),
                self.options.max_diagnostics,
            ),
            hooks: self.options.test_hooks,
        }
    }

    /// The current state of an open document.
    pub fn snapshot(&self, key: &str) -> Option<Snapshot> {
        let encoding = self.session().encoding;
        let docs = lock(&self.docs);
        docs.get(key).map(|d| self.snapshot_of(key, d, encoding))
    }

    /// Is the document still at the snapshot's version and configuration?
    pub fn is_current(&self, snap: &Snapshot) -> bool {
        lock(&self.docs)
            .get(&snap.key)
            .is_some_and(|d| Arc::ptr_eq(&d.cell, &snap.cell))
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
        };
        debug!(
            uri = %key,
            version = doc.version,
            bytes = doc.text.len(),
            "didOpen"
        );
        let mut docs = lock(&self.docs);
        docs.insert(key.clone(), doc);
        if let Some(doc) = docs.get_mut(&key) {
            self.schedule(&key, doc);
        }
    }

    pub fn did_change(self: &Arc<Self>, p: lsp::DidChangeTextDocumentParams) {
        let key = p.text_document.uri.as_str();
        let version = p.text_document.version;
        let encoding = self.session().encoding;
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
        let mut docs = lock(&self.docs);
        let Some(doc) = docs.get_mut(key) else {
            warn!(uri = %key, "didChange for a document that is not open; ignored");
            return;
        };
        if version <= doc.version {
            warn!(
                uri = %key,
                version,
                current = doc.version,
                "didChange with a stale version; ignored"
            );
            return;
        }
        if let Err(e) = document::validate(&changes) {
            warn!(uri = %key, version, "didChange rejected, document kept as it was: {e}");
            return;
        }
        doc.version = version;
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

    pub fn did_close(self: &Arc<Self>, p: lsp::DidCloseTextDocumentParams) {
        let key = p.text_document.uri.as_str();
        let mut docs = lock(&self.docs);
        if docs.remove(key).is_none() {
            warn!(uri = %key, "didClose for a document that is not open");
        }
        if !self.session().pull {
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
                doc.cell = self.new_cell(doc.version, config);
                self.schedule(&key, doc);
            }
        }
    }

    /// Starts the lint task of a document unless one is running (it will
    /// pick up the newest version when it finishes). Pull mode lints on
    /// request only.
    fn schedule(self: &Arc<Self>, key: &str, doc: &mut Document) {
        if doc.lint_running || self.session().pull {
            return;
        }
        let Ok(rt) = tokio::runtime::Handle::try_current() else {
            return;
        };
        doc.lint_running = true;
        rt.spawn(lint_loop(self.clone(), key.to_string(), doc.epoch));
    }

    // --- Settings. ---

    /// Puts new editor settings of one source in force; the layers are,
    /// from the bottom: each document's configuration file,
    /// `initializationOptions.settings`, the editor's configuration. On
    /// error the previous configuration stays.
    fn set_layer(
        &self,
        layer: fn(&mut ConfigState) -> &mut Settings,
        new: Settings,
    ) -> Result<bool, String> {
        let mut state = lock(&self.config);
        if *layer(&mut state) == new {
            return Ok(false);
        }
        let merged = |s: &ConfigState| s.init.over(&s.editor);
        let before = merged(&state);
        let old = std::mem::replace(layer(&mut state), new);
        let after = merged(&state);
        if after == before {
            return Ok(false);
        }
        match Resolver::editor(self.root(), after) {
            Ok(resolver) => {
                state.resolver = Arc::new(resolver);
                Ok(true)
            }
            Err(e) => {
                *layer(&mut state) = old;
                Err(settings::invalid(e))
            }
        }
    }

    /// The folder the editor's `exclude` globs are relative to: the first
    /// workspace root.
    fn root(&self) -> PathBuf {
        self.session()
            .roots
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("/"))
    }

    /// A ticket for a settings update, taken when the update is asked for.
    pub fn config_ticket(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::SeqCst)
    }

    /// Replaces the editor's settings, unless settings asked for later
    /// (a newer `ticket`) are already in force. Returns whether the
    /// configuration changed and the warnings about ignored keys, or an
    /// error message (the previous configuration stays).
    pub fn set_editor_settings(
        &self,
        ticket: u64,
        value: &Value,
    ) -> Result<(bool, Vec<String>), String> {
        // Held while the settings are replaced, so tickets apply in order.
        let mut applied = lock(&self.editor_ticket);
        if ticket < *applied {
            return Ok((false, Vec::new()));
        }
        *applied = ticket;
        let (new, warnings) = settings::from_editor(value)?;
        let changed = self.set_layer(|s| &mut s.editor, new)?;
        Ok((changed, warnings))
    }

    /// Replaces the settings of `initializationOptions.settings`.
    pub fn set_init_settings(&self, value: &Value) -> Result<Vec<String>, String> {
        let (new, warnings) = settings::from_editor(value)?;
        self.set_layer(|s| &mut s.init, new)?;
        Ok(warnings)
    }

    /// Forgets the configuration files read so far: they are found and read
    /// again, first those of the workspace roots. When one of those cannot
    /// be used, the error is returned and the previous configuration stays
    /// if `keep_on_error` (else the file is skipped as if absent). Returns
    /// whether the configuration changed, and warnings.
    pub fn reload_file_settings(&self, keep_on_error: bool) -> Result<(bool, Vec<String>), String> {
        let roots = self.session().roots;
        let mut state = lock(&self.config);
        let resolver = Resolver::editor(self.root(), state.init.over(&state.editor))
            .map_err(settings::invalid)?;
        for root in &roots {
            let _ = resolver.for_folder(root);
        }
        let (warnings, errors) = resolver.take_notes();
        let error = (!errors.is_empty()).then(|| {
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        });
        if let Some(e) = &error
            && keep_on_error
        {
            return Err(e.clone());
        }
        state.resolver = Arc::new(resolver);
        match error {
            Some(e) => Err(e),
            None => Ok((true, warnings)),
        }
    }

    /// Parses a URI string, for tests and custom requests.
    pub fn parse_uri(s: &str) -> Option<lsp::Uri> {
        lsp::Uri::from_str(s).ok()
    }
}

/// Lints a document until its newest version has been linted, handing each
/// result that is still current to the publisher.
async fn lint_loop(shared: Arc<Shared>, key: String, epoch: u64) {
    loop {
        shared.test_delay().await;
        let snap = {
            let encoding = shared.session().encoding;
            let docs = lock(&shared.docs);
            match docs.get(&key) {
                Some(doc) if doc.epoch == epoch => shared.snapshot_of(&key, doc, encoding),
                _ => return,
            }
        };
        let cell = snap.cell.clone();
        let started = std::time::Instant::now();
        let result = tokio::task::spawn_blocking(move || snap.linted()).await;
        shared.test_delay().await;
        debug!(
            uri = %key,
            version = cell.version,
            ms = started.elapsed().as_secs_f64() * 1000.0,
            "linted"
        );
        let mut docs = lock(&shared.docs);
        let Some(doc) = docs.get_mut(&key) else {
            return;
        };
        if doc.epoch != epoch {
            return;
        }
        if Arc::ptr_eq(&doc.cell, &cell) {
            doc.lint_running = false;
            match result {
                Ok(_) => {
                    let cell = Arc::downgrade(&cell);
                    let _ = shared.publish.send(Publish::Lint { key, cell });
                }
                Err(_) => {
                    error!(uri = %key, version = cell.version, "lint failed (panic); nothing published")
                }
            }
            return;
        }
        // A newer version or configuration arrived meanwhile: lint that.
    }
}

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
