//! The server's shared state: the options, the session, the open
//! documents (see [`super::documents`]), the queue to the publisher (see
//! [`super::publish`]) and the settings in force, layered from their
//! sources.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock, Weak};

use serde_json::{Map, Value};
use tokio::sync::mpsc;
use tower_lsp_server::ls_types as lsp;

use super::document::{Document, LintCell};
use super::options::Options;
use super::session::{Lifecycle, Session};
use super::settings::{self, Effective};
#[cfg(feature = "testing")]
use super::testing::Delays;

/// What the publisher (see [`super::publish`]) is asked to send.
#[derive(Debug)]
pub enum Publish {
    /// The lint of a cell, if the document still is at that cell. Weak, so
    /// a queue behind a slow client holds no outdated texts.
    Lint { key: String, cell: Weak<LintCell> },
    /// An empty list for a closed document.
    Clear { uri: lsp::Uri },
}

/// Settings from each source and the result in force.
#[derive(Debug, Default)]
struct ConfigState {
    file: Map<String, Value>,
    /// From `initializationOptions.settings`.
    init: Map<String, Value>,
    /// From `workspace/configuration` or `didChangeConfiguration`.
    editor: Map<String, Value>,
    effective: Arc<Effective>,
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
    /// Messages to show once the client may receive them.
    pub pending_messages: Mutex<Vec<String>>,
    /// URIs the last workspace diagnostic report had findings for.
    pub workspace_reported: Mutex<Vec<lsp::Uri>>,
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
                effective: Arc::new(Effective::defaults()),
                ..ConfigState::default()
            }),
            ids: AtomicU64::new(1),
            editor_ticket: Mutex::new(0),
            publish: tx,
            pending_messages: Mutex::new(Vec::new()),
            workspace_reported: Mutex::new(Vec::new()),
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

    pub fn effective(&self) -> Arc<Effective> {
        lock(&self.config).effective.clone()
    }

    pub(super) fn next_id(&self) -> u64 {
        self.ids.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn new_cell(&self, version: i32, config: Arc<Effective>) -> Arc<LintCell> {
        Arc::new(LintCell {
            id: self.next_id(),
            version,
            config,
            once: OnceLock::new(),
        })
    }

    // --- Settings. ---

    /// Puts new settings of one source in force; the layers are, from the
    /// bottom: the config file, `initializationOptions.settings`, the
    /// editor's configuration. On error the previous configuration stays.
    fn set_layer(
        &self,
        layer: fn(&mut ConfigState) -> &mut Map<String, Value>,
        map: Map<String, Value>,
    ) -> Result<bool, String> {
        let mut state = lock(&self.config);
        let merged =
            |s: &ConfigState| settings::merge(&settings::merge(&s.file, &s.init), &s.editor);
        let before = merged(&state);
        let old = std::mem::replace(layer(&mut state), map);
        let after = merged(&state);
        if after == before {
            return Ok(false);
        }
        match settings::effective(&after) {
            Ok(effective) => {
                state.effective = Arc::new(effective);
                Ok(true)
            }
            Err(e) => {
                *layer(&mut state) = old;
                Err(e)
            }
        }
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
        let (map, warnings) = settings::known_keys(value);
        let changed = self.set_layer(|s| &mut s.editor, map)?;
        Ok((changed, warnings))
    }

    /// Replaces the settings of `initializationOptions.settings`.
    pub fn set_init_settings(&self, value: &Value) -> Result<Vec<String>, String> {
        let (map, warnings) = settings::known_keys(value);
        self.set_layer(|s| &mut s.init, map)?;
        Ok(warnings)
    }

    /// Replaces the config file's settings (an empty map when there is
    /// none); returns whether the configuration changed.
    pub fn set_file_settings(&self, file: Map<String, Value>) -> Result<bool, String> {
        self.set_layer(|s| &mut s.file, file)
    }

    /// Reads the config file of the first workspace root into the settings.
    /// Returns whether the configuration changed, and warnings.
    pub fn reload_file_settings(&self) -> Result<(bool, Vec<String>), String> {
        let roots = self.session().roots;
        let found = roots.first().and_then(|r| settings::find_file(r));
        let (map, warnings) = match found {
            Some(path) => settings::read_file(&path)?,
            None => (Map::new(), Vec::new()),
        };
        let changed = self.set_file_settings(map)?;
        Ok((changed, warnings))
    }

    /// Parses a URI string, for the test hooks' requests.
    #[cfg(feature = "testing")]
    pub fn parse_uri(s: &str) -> Option<lsp::Uri> {
        s.parse().ok()
    }
}
