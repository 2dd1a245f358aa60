//! The server's shared state: the options, the session, the open
//! documents (see [`super::documents`]), the queue to the publisher (see
//! [`super::publish`]) and the settings in force, layered from their
//! sources.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

use std::path::PathBuf;

use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::ls_types as lsp;

use super::document::{Document, LintCell};
use super::online::Online;
use super::options::Options;
use super::session::{Lifecycle, Session};
use super::settings;
#[cfg(feature = "testing")]
use super::testing::Delays;
use crate::project::config::{Effective, Resolver};
use crate::project::settings::Settings;

/// What the publisher (see [`super::publish`]) is asked to send.
#[derive(Debug)]
pub enum Publish {
    /// The lint of a cell, if the document still is at that cell. Weak, so
    /// a queue behind a slow client holds no outdated texts.
    Lint { key: String, cell: Weak<LintCell> },
    /// An empty list for a closed document.
    Clear { uri: lsp::Uri },
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
    pub(super) docs: Mutex<HashMap<String, Document>>,
    session: RwLock<Session>,
    config: Mutex<ConfigState>,
    ids: AtomicU64,
    /// The ticket of the editor settings in force.
    editor_ticket: Mutex<u64>,
    pub(super) publish: mpsc::UnboundedSender<Publish>,
    /// Document notifications read by `frames`, not yet applied.
    pub(super) parked: super::frames::Parked,
    /// Messages to show once the client may receive them.
    pub pending_messages: Mutex<Vec<String>>,
    /// URIs the last workspace diagnostic report had findings for.
    pub workspace_reported: Mutex<Vec<lsp::Uri>>,
    /// The `online` setting's probes (TC020).
    pub(super) online: Online,
    /// Counts [`Shared::test_delay`] calls, to vary the pauses.
    #[cfg(feature = "testing")]
    delays: Delays,
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
            parked: Default::default(),
            pending_messages: Mutex::new(Vec::new()),
            workspace_reported: Mutex::new(Vec::new()),
            online: Online::default(),
            #[cfg(feature = "testing")]
            delays: Delays::default(),
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

    /// Test hook: with [`Options::test_delays`] on, pauses a little (see
    /// [`Delays::pause`]). Otherwise, and always without the `testing`
    /// feature, returns at once.
    #[cfg(feature = "testing")]
    pub async fn test_delay(&self) {
        self.delays.pause(self.options.test_delays).await;
    }

    /// Without the `testing` feature: a future that is ready at once.
    #[cfg(not(feature = "testing"))]
    #[inline(always)]
    pub fn test_delay(&self) -> std::future::Ready<()> {
        std::future::ready(())
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
        settings::log_notes(&resolver);
        effective
    }

    pub(super) fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn new_cell(&self, version: i32, config: Arc<Effective>) -> Arc<LintCell> {
        Arc::new(LintCell::new(self.next_id(), version, config))
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
        // The files are read without the lock held (documents being opened
        // resolve their settings meanwhile); the new resolver goes in only
        // if the editor's settings did not change while they were read.
        let (resolver, mut state) = loop {
            let editor = {
                let state = lock(&self.config);
                state.init.over(&state.editor)
            };
            let resolver =
                Resolver::editor(self.root(), editor.clone()).map_err(settings::invalid)?;
            for root in &roots {
                let _ = resolver.for_folder(root);
            }
            let state = lock(&self.config);
            if state.init.over(&state.editor) == editor {
                break (resolver, state);
            }
        };
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

    /// Parses a URI string, for the test hooks' requests.
    #[cfg(feature = "testing")]
    pub fn parse_uri(s: &str) -> Option<lsp::Uri> {
        s.parse().ok()
    }
}
