//! An open document, the lint of one of its versions, and the snapshot a
//! lint or a request works on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use tower_lsp_server::ls_types as lsp;

use super::convert::{self, Lines};
use super::text::Text;
use crate::project::config::Effective;
use crate::scan::DocKind;
use crate::text::Encoding;
use crate::{Analysis, analyze_until};

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
    /// The lint stopped because an edit overtook its version: nothing in
    /// here describes the text.
    pub cancelled: bool,
    /// The rope `text` was made from, for line lookups.
    rope: Text,
    /// The fix-all edits, computed on the first request that wants them:
    /// fix-all re-lints the text to a fixpoint, too slow to redo for every
    /// code action request on a big document.
    pub fix_all: OnceLock<Vec<lsp::TextEdit>>,
}

impl Linted {
    pub fn lines(&self) -> Lines<'_> {
        Lines::new(&self.text, &self.rope, self.encoding)
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
    pub(super) once: OnceLock<Arc<Linted>>,
    /// Set when the document moves on to another cell (an edit, a new
    /// configuration, a close): a lint of this one still running stops.
    pub(super) superseded: AtomicBool,
}

impl LintCell {
    pub fn new(id: u64, version: i32, config: Arc<Effective>) -> Self {
        LintCell {
            id,
            version,
            config,
            once: OnceLock::new(),
            superseded: AtomicBool::new(false),
        }
    }

    /// The document has moved on: a lint of this cell that is running
    /// stops, one that starts gives up at once.
    pub fn supersede(&self) {
        self.superseded.store(true, Ordering::Relaxed);
    }
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
    pub(super) limits: (usize, usize),
    /// [`super::options::Options::test_hooks`]: a text holding
    /// [`super::testing::PANIC_MARKER`] makes the lint panic.
    #[cfg(feature = "testing")]
    pub(super) hooks: bool,
}

impl Snapshot {
    /// Has this snapshot's lint been computed already?
    pub fn is_linted(&self) -> bool {
        self.cell.once.get().is_some()
    }

    /// The lint of this snapshot, computing it if nobody has. Blocking:
    /// call it from `spawn_blocking`. Once the document has moved on to a
    /// newer version, the result may be one that says
    /// [`Linted::cancelled`].
    pub fn linted(&self) -> Arc<Linted> {
        let superseded = &self.cell.superseded;
        let stop = || superseded.load(Ordering::Relaxed);
        self.cell
            .once
            .get_or_init(|| Arc::new(self.compute(&stop)))
            .clone()
    }

    /// The lint of this snapshot even when the document has moved on (a
    /// pull of diagnostics or a fix-all resolve on the version the request
    /// was sent for): a cancelled lint is redone, without stopping.
    pub fn linted_whole(&self) -> Arc<Linted> {
        let linted = self.linted();
        if linted.cancelled {
            Arc::new(self.compute(&|| false))
        } else {
            linted
        }
    }

    fn compute(&self, stop: &dyn Fn() -> bool) -> Linted {
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
                cancelled: false,
                rope: Text::default(),
                fix_all: OnceLock::new(),
            };
        }
        let text = self.text.flat().clone();
        #[cfg(feature = "testing")]
        if self.hooks && text.contains(super::testing::PANIC_MARKER) {
            // As a rule's slicing bug would: with the text in the message.
            panic!("lint panic requested: {text}");
        }
        let analysis = analyze_until(&text, self.kind, &self.cell.config.config, stop);
        let cancelled = analysis.is_none();
        let mut linted = Linted {
            kind: self.kind,
            encoding: self.encoding,
            text,
            analysis: analysis.unwrap_or_default(),
            diagnostics: Vec::new(),
            shown: 0,
            too_large: false,
            cancelled,
            rope: self.text.clone(),
            fix_all: OnceLock::new(),
        };
        linted.shown = linted.analysis.diagnostics.len().min(max_diagnostics);
        if !linted.analysis.diagnostics.is_empty() {
            linted.diagnostics = convert::diagnostics(
                &linted.analysis.diagnostics,
                &linted.lines(),
                max_diagnostics,
                self.cell.config.docs_url.as_deref(),
            );
        }
        linted
    }
}
