//! An open document, the lint of one of its versions, and the snapshot a
//! lint or a request works on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use tower_lsp_server::ls_types as lsp;

use super::convert::{self, Lines, Shown};
use super::text::{Flat, Text};
use crate::Analysis;
use crate::incremental::{self, Splice, State};
use crate::project::config::Effective;
use crate::rules::Diagnostic;
use crate::scan::DocKind;
use crate::text::{Encoding, LineStarts, Span};

/// The newest lint of a document that a lint of a later version can start
/// from (see [`crate::incremental`]): what the core kept, and the LSP
/// diagnostics, whose positions are converted again only where the text
/// changed. It holds no text.
#[derive(Debug)]
pub struct LintBase {
    /// The [`Text::revision`] linted.
    revision: u64,
    kind: DocKind,
    encoding: Encoding,
    config: Arc<Effective>,
    max_diagnostics: usize,
    /// The text's line count.
    lines: usize,
    state: State,
    /// The LSP diagnostics sent for this lint, shared with its
    /// [`Linted`]: the first `shown` are those of the first findings, a
    /// note on those left out may follow.
    diagnostics: Arc<Vec<Arc<Shown>>>,
    shown: usize,
}

impl LintBase {
    /// The LSP diagnostics of the first findings (without the note on
    /// those left out).
    fn shown(&self) -> &[Arc<Shown>] {
        &self.diagnostics[..self.shown]
    }
}

/// Where a document keeps its [`LintBase`], shared with its snapshots.
pub type BaseSlot = Arc<Mutex<Option<Arc<LintBase>>>>;

/// The slot's content, even if a panic poisoned its lock (it is replaced
/// whole, so it is never half written).
fn lock(slot: &BaseSlot) -> std::sync::MutexGuard<'_, Option<Arc<LintBase>>> {
    slot.lock().unwrap_or_else(|e| e.into_inner())
}

/// A lint result: the text it was computed on, what the core found, and
/// the LSP diagnostics ready to send.
#[derive(Debug)]
pub struct Linted {
    pub kind: DocKind,
    pub encoding: Encoding,
    /// Empty when the document is too large. Shared with the document
    /// until it is edited.
    pub text: Arc<Flat>,
    /// Shared with the next lint's base, as `diagnostics` are.
    pub analysis: Arc<Analysis>,
    /// Shared with the next lint's base (see [`LintBase`]), so that an
    /// edit copies none of them (and one by one with the lints after it,
    /// where they are the same).
    pub diagnostics: Arc<Vec<Arc<Shown>>>,
    /// How many of `analysis.diagnostics` are in `diagnostics` (the rest
    /// are over the cap): editor features offer actions for these only.
    pub shown: usize,
    pub too_large: bool,
    /// The lint stopped because an edit overtook its version: nothing in
    /// here describes the text.
    pub cancelled: bool,
    /// The rope `text` was made from, for line lookups.
    rope: Text,
    /// The region of the text that was read when the lint was made from
    /// the previous one's (see [`crate::incremental`]); `None` when the
    /// whole text was.
    pub reread: Option<crate::text::Span>,
    /// The fix-all edits, computed on the first request that wants them:
    /// fix-all re-lints the text to a fixpoint, too slow to redo for every
    /// code action request on a big document.
    pub fix_all: OnceLock<Vec<lsp::TextEdit>>,
    /// A Markdown text's fenced blocks (where a comment may be written):
    /// the incremental lint's, shared, or found on the first request that
    /// asks.
    pub fences: OnceLock<Arc<crate::scan::FenceMap>>,
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
    pub base: BaseSlot,
    /// The version last handed to the publisher.
    pub queued: i32,
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
    pub(super) base: BaseSlot,
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
                analysis: Arc::default(),
                diagnostics: Arc::new(vec![Shown::new(convert::too_large(len, max_bytes))]),
                shown: 0,
                too_large: true,
                cancelled: false,
                rope: Text::default(),
                reread: None,
                fix_all: OnceLock::new(),
                fences: OnceLock::new(),
            };
        }
        let text = self.text.flat().clone();
        #[cfg(feature = "testing")]
        if self.hooks && text.contains(super::testing::PANIC_MARKER) {
            // As a rule's slicing bug would: with the text in the message.
            panic!("lint panic requested: {}", text.as_str());
        }
        let config = &self.cell.config;
        let base = lock(&self.base).clone().filter(|b| {
            b.kind == self.kind
                && b.encoding == self.encoding
                && b.max_diagnostics == max_diagnostics
                && Arc::ptr_eq(&b.config, config)
        });
        let since = base.as_ref().and_then(|b| {
            let unchanged = self.text.unchanged_since(b.revision, b.state.len())?;
            Some((b, unchanged))
        });
        let result = match since {
            Some((b, unchanged)) => {
                incremental::reanalyze(&b.state, &text, unchanged, &config.config, stop)
            }
            None => incremental::analyze_full(&text, self.kind, &config.config, stop)
                .map(|(a, s)| (a, s, None)),
        };
        let cancelled = result.is_none();
        let (analysis, state, splice) = result.unwrap_or_default();
        let mut linted = Linted {
            kind: self.kind,
            encoding: self.encoding,
            text,
            analysis,
            diagnostics: Arc::default(),
            shown: 0,
            too_large: false,
            cancelled,
            rope: self.text.clone(),
            reread: splice.map(|s| s.region),
            fix_all: OnceLock::new(),
            fences: OnceLock::new(),
        };
        if let Some(fences) = state.as_ref().and_then(State::shared_fences) {
            let _ = linted.fences.set(fences);
        }
        linted.shown = linted.analysis.diagnostics.len().min(max_diagnostics);
        let docs = config.docs_url.as_deref();
        let lines = linted.lines();
        linted.diagnostics = Arc::new(match (&base, splice) {
            (Some(b), Some(splice)) => spliced(
                b,
                splice,
                &linted.analysis,
                &lines,
                self.text.line_count(),
                max_diagnostics,
                docs,
            ),
            _ if linted.analysis.diagnostics.is_empty() => Vec::new(),
            _ => convert::diagnostics(&linted.analysis.diagnostics, &lines, max_diagnostics, docs)
                .into_iter()
                .map(Shown::new)
                .collect(),
        });
        if let Some(state) = state {
            let next = Arc::new(LintBase {
                revision: self.text.revision(),
                kind: self.kind,
                encoding: self.encoding,
                config: config.clone(),
                max_diagnostics,
                lines: self.text.line_count(),
                state,
                diagnostics: linted.diagnostics.clone(),
                shown: linted.shown,
            });
            let mut slot = lock(&self.base);
            if slot.as_ref().is_none_or(|b| b.revision <= next.revision) {
                *slot = Some(next);
            }
        }
        linted
    }
}

/// The LSP diagnostics of `analysis`, made of `base`'s where `splice` says
/// they are the previous ones: those before the region as they were, those
/// after it moved by the lines the edit added or removed (their columns
/// are the same: the region ends with a line). Of the region's own, those
/// the previous lint found at the same place, off the edited lines, are
/// taken as they were too (when a fence line was edited, the region is the
/// rest of the text, and most of its findings are the same); only the
/// others are converted. The same as [`convert::diagnostics`] gives.
fn spliced(
    base: &LintBase,
    splice: Splice,
    analysis: &Analysis,
    lines: &Lines<'_>,
    line_count: usize,
    cap: usize,
    docs: Option<&str>,
) -> Vec<Arc<Shown>> {
    let all = &analysis.diagnostics;
    if all.is_empty() {
        return Vec::new();
    }
    let shown = all.len().min(cap);
    let moved_lines = line_count as i64 - base.lines as i64;
    let relined = |o: &Arc<Shown>| {
        if moved_lines == 0 {
            return o.clone();
        }
        let mut o = o.diagnostic.clone();
        for p in [&mut o.range.start, &mut o.range.end] {
            p.line = (i64::from(p.line) + moved_lines) as u32;
        }
        Shown::new(o)
    };
    // Where a previous finding is in the new text, when off the edited
    // lines, and whether it moved.
    let at_new = |o: &Diagnostic| splice.same_place(o.span);
    let old_all = &base.state.analysis().diagnostics;
    let removed_end = (splice.before + splice.removed).min(base.shown);
    let mut j = splice.before;
    let mut out = Vec::with_capacity(shown + 1);
    for (i, d) in all.iter().enumerate().take(shown) {
        let old = if i < splice.before {
            base.shown().get(i).cloned()
        } else if i < splice.before + splice.inserted {
            // The previous findings of the region are in the same order:
            // the first at or after this one's place may be this one.
            let key = |s: Span, o: &Diagnostic| (s.start, s.end, o.rule);
            while j < removed_end
                && at_new(&old_all[j]).is_none_or(|(s, _)| key(s, &old_all[j]) < key(d.span, d))
            {
                j += 1;
            }
            match old_all
                .get(j)
                .filter(|_| j < removed_end)
                .map(|o| (o, at_new(o)))
            {
                Some((o, Some((span, moved))))
                    if span == d.span
                        && o.rule == d.rule
                        && o.severity == d.severity
                        && o.message == d.message =>
                {
                    let o = &base.shown()[j];
                    j += 1;
                    Some(if moved { relined(o) } else { o.clone() })
                }
                _ => None,
            }
        } else {
            let j = i - splice.inserted + splice.removed;
            base.shown().get(j).map(relined)
        };
        out.push(old.unwrap_or_else(|| Shown::new(convert::diagnostic(d, lines, docs))));
    }
    out.extend(convert::left_out(all, lines, cap).map(Shown::new));
    out
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;
    use crate::lsp::text::Change;
    use crate::project::config::Resolver;
    use crate::project::settings::Settings;
    use crate::test_rng::Rng;
    use crate::text::{LineCol, LineIndex};

    fn snapshot(
        text: &Text,
        kind: DocKind,
        enc: Encoding,
        cell: &Arc<LintCell>,
        base: &BaseSlot,
        cap: usize,
    ) -> Snapshot {
        Snapshot {
            key: "k".into(),
            uri: lsp::Uri::from_str("file:///doc.md").unwrap(),
            version: cell.version,
            kind,
            encoding: enc,
            text: text.clone(),
            cell: cell.clone(),
            base: base.clone(),
            limits: (usize::MAX, cap),
            #[cfg(feature = "testing")]
            hooks: false,
        }
    }

    const PIECES: &[&str] = &[
        "trueconf:bob",
        "trueconf:login=a&password=p1",
        "visicall:a@b",
        "trueconf:\\c\\12@srv%vcs",
        "[x](trueconf:x&y=1)",
        "```js\nlet s = \"trueconf:a&b=1\";\n```\n",
        "```\n",
        "`",
        "\n",
        "\r\n",
        "\r",
        "😀",
        "会",
        " words ",
        "&",
        "<!-- trueconf-lsp-disable-next-line -->\n",
    ];

    /// An edit of a fence line that leaves the blocks as they were reads
    /// the edited block only; when the blocks change, the rest of the text
    /// is read again, and the diagnostics found again at the same place are the ones
    /// sent before (shared, not converted and serialized again), moved by
    /// the lines the edit added; the others are converted. Either way they
    /// are what a fresh lint gives.
    #[test]
    fn a_fence_edit_keeps_the_diagnostics_found_again() {
        let config = Resolver::editor("/".into(), Settings::default())
            .unwrap()
            .fallback();
        let mut doc = String::from("# t\n```\ncode\n```\n");
        for i in 0..40 {
            // In prose `&amp;` is read as `&`; in code, as it is.
            doc.push_str(&format!("see visicall:u{i}@host, trueconf:c&amp;d{i}=1\n"));
        }
        let enc = Encoding::Utf16;
        let mut text = Text::new(&doc);
        let base = BaseSlot::default();
        let lint = |text: &Text, version: u64| {
            let cell = Arc::new(LintCell::new(version, version as i32, config.clone()));
            snapshot(text, DocKind::Markdown, enc, &cell, &base, 1000).linted()
        };
        let mut before = lint(&text, 1);
        let all = before.diagnostics.len();
        assert_eq!(all, 80);
        // The closing fence line gets a space (it still closes), then a
        // line break before it (the rest moves a line down), then a
        // letter (it closes no more: the rest is code now).
        let edits = [(3, 3, " "), (3, 0, "\n"), (4, 2, "x")];
        for (version, (line, col, insert)) in (2..).zip(edits) {
            let at = LineCol { line, col };
            let change = Change {
                range: Some((at, at)),
                text: insert.into(),
            };
            text.apply(&[change], enc).unwrap();
            let after = lint(&text, version);
            let region = after.reread.unwrap();
            if insert == "x" {
                // The blocks after the edit changed: the rest is read.
                assert_eq!(region.end, text.len());
            } else {
                // The same blocks: only the edited one is read.
                let block_end = text.flat().find("\nsee").unwrap() + 1;
                assert_eq!(region, Span::new(4, block_end), "{insert:?}");
            }
            let flat = text.flat();
            let fresh = crate::analyze(flat, DocKind::Markdown, &config.config);
            assert_eq!(*after.analysis, fresh);
            let index = LineIndex::new(flat);
            let lines = Lines::new(flat, &index, enc);
            let want = convert::diagnostics(&fresh.diagnostics, &lines, 1000, None);
            let got: Vec<_> = after.diagnostics.iter().map(|d| &d.diagnostic).collect();
            assert_eq!(got, want.iter().collect::<Vec<_>>());
            let kept = after
                .diagnostics
                .iter()
                .filter(|d| before.diagnostics.iter().any(|o| Arc::ptr_eq(o, d)))
                .count();
            match insert {
                // Nothing changed but the fence line: all are kept.
                " " => assert_eq!(kept, all),
                // All moved a line down: none is the same value.
                "\n" => assert_eq!(kept, 0),
                // Code now: the deprecated schemes are the same, the
                // unknown parameters are others (`amp;d0`, not `d0`).
                _ => assert_eq!((kept, after.diagnostics.len()), (all / 2, all)),
            }
            before = after;
        }
    }

    /// What the server publishes after edits (several per lint, in every
    /// encoding, with a small diagnostics cap too) is what converting a
    /// fresh full lint of the text gives, and most lints re-read a region
    /// only.
    #[test]
    fn lints_after_edits_equal_full_lints() {
        let config = Resolver::editor("/".into(), Settings::default())
            .unwrap()
            .fallback();
        let mut rng = Rng::new(0x51ed_2701_9c3b_a6d1);
        let mut regions = 0;
        let mut eligible = 0;
        for round in 0..24 {
            let kind = [DocKind::Markdown, DocKind::Plain, DocKind::Html][round % 3];
            let enc = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][round / 3 % 3];
            let cap = if round % 4 == 0 { 7 } else { 1000 };
            let mut initial = String::new();
            for _ in 0..300 {
                initial.push_str(PIECES[rng.below(PIECES.len() - 1)]);
            }
            let mut text = Text::new(&initial);
            let base = BaseSlot::default();
            for version in 0..120 {
                for _ in 0..1 + rng.below(2) * rng.below(3) {
                    let index = LineIndex::new(text.flat());
                    let line = rng.below(index.line_count()) as u32;
                    let col = rng.below(40) as u32;
                    let a = LineCol { line, col };
                    let b = LineCol {
                        line,
                        col: col + [0, 0, 1, 3][rng.below(4)],
                    };
                    let insert = match rng.below(6) {
                        0 => String::new(),
                        1 => PIECES[rng.below(PIECES.len())].to_string(),
                        _ => ["a", " ", "&", "=", "%", ":", "\\"][rng.below(7)].to_string(),
                    };
                    text.apply(
                        &[Change {
                            range: Some((a, b)),
                            text: insert,
                        }],
                        enc,
                    )
                    .unwrap();
                }
                let cell = Arc::new(LintCell::new(version, version as i32, config.clone()));
                let linted = snapshot(&text, kind, enc, &cell, &base, cap).linted();
                eligible += usize::from(kind != DocKind::Html);
                let flat = text.flat();
                let fresh = crate::analyze(flat, kind, &config.config);
                assert_eq!(*linted.analysis, fresh);
                let index = LineIndex::new(flat);
                let lines = Lines::new(flat, &index, enc);
                let want = if fresh.diagnostics.is_empty() {
                    Vec::new()
                } else {
                    convert::diagnostics(
                        &fresh.diagnostics,
                        &lines,
                        cap,
                        config.docs_url.as_deref(),
                    )
                };
                let got: Vec<_> = linted.diagnostics.iter().map(|d| &d.diagnostic).collect();
                assert_eq!(
                    got,
                    want.iter().collect::<Vec<_>>(),
                    "{kind:?} {enc:?} version {version}"
                );
                // What is published: the JSON kept with each is its own.
                assert_eq!(
                    serde_json::to_string(&convert::AsArray(&linted.diagnostics)).unwrap(),
                    serde_json::to_string(&want).unwrap()
                );
                assert_eq!(linted.shown, fresh.diagnostics.len().min(cap));
                assert_eq!(lock(&base).is_some(), kind != DocKind::Html);
                regions += usize::from(linted.reread.is_some());
            }
        }
        // Many edits of Markdown and plain text are re-read by a region
        // (not those of a text with a suppression marker, or of a fence
        // line).
        assert!(regions > eligible / 4, "{regions} of {eligible}");
    }
}
