//! Re-linting an edited text by re-reading only the lines the edit touched.
//!
//! A lint of a whole text ([`analyze_full`]) keeps, besides its
//! [`Analysis`], what a later lint of an edited version needs to prove
//! that the rest of the text reads as it did ([`State`]): the candidate
//! links (where a scheme is written), and in Markdown the lines that may
//! open or close a fence and the blocks they make. [`reanalyze`] then reads
//! only a *region* and splices what it finds into the previous findings:
//!
//! - the whole lines (ending with `\n`) the edit touched, and in Markdown
//!   the line before or after them that a backslash ending a line ties to
//!   them (it is a hard line break or a link's last character depending
//!   on the line after it), and the lines after those while each ends with
//!   a backslash too;
//! - in Markdown, widened to the fenced code block they lie in (a block is
//!   read from its opening line on);
//! - in Markdown, when a line that may open or close a fence was edited
//!   (in the old text or the new): the blocks are worked out again from
//!   the fence lines (only the edited ones are read). If they are the same
//!   as before (an info string edited, a fence that still closes), the
//!   region is the edited lines and the blocks they touch; else all the
//!   rest of the text from there (or from the start of the block the edit
//!   lies in): every block after it may have changed. That part is read at
//!   its known candidates only, with the fences known (the reader jumps
//!   from one candidate's block to the next), without searching the text
//!   again.
//!
//! Whatever it cannot prove unaffected makes it lint the whole text, so
//! its result is always exactly [`crate::analyze_until`]'s (the property
//! tests in `tests/incremental.rs` check it on every kind):
//!
//! - only plain text and Markdown are read this way; every other kind is
//!   linted whole, as before (its classifier is not line by line);
//! - a link never holds a line break outside fenced blocks, and there its
//!   classification depends on its own line only (and, for a backslash
//!   at its end, on the next line: see above);
//! - every rule judges one link from the link and its own line: a finding,
//!   fix or secret of a link outside the link's line, or a link whose
//!   string the code joins to one on the next line (`"…" +⏎ "…"`), makes
//!   the text be linted whole (now and after every edit, until a lint
//!   shows none);
//! - suppression markers act at a distance, and so do the caps on
//!   findings: a text with a marker, or near the cap, is linted whole.

use std::sync::Arc;

use crate::rules::{self, Config, Diagnostic};
use crate::scan::{self, DocKind, FenceMap, RawLink};
use crate::text::Span;
use crate::{Analysis, analyze_until};

/// What an edited text shares with the text a [`State`] describes: the
/// lengths of an unchanged prefix and an unchanged suffix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unchanged {
    pub prefix: usize,
    pub suffix: usize,
}

impl Unchanged {
    /// Nothing changed in a text of `len` bytes.
    pub fn all(len: usize) -> Unchanged {
        Unchanged {
            prefix: len,
            suffix: len,
        }
    }

    /// What is still unchanged after `start..end` of the current text
    /// (`len` bytes long before this edit) is replaced.
    pub fn edit(self, start: usize, end: usize, len: usize) -> Unchanged {
        Unchanged {
            prefix: self.prefix.min(start),
            suffix: self.suffix.min(len.saturating_sub(end)),
        }
    }
}

/// What a lint of one text keeps for the lint of its next version.
#[derive(Clone, Debug)]
pub struct State {
    kind: DocKind,
    len: usize,
    /// Shared with the lint's result: an edit copies none of it.
    analysis: Arc<Analysis>,
    /// Every candidate link (see [`scan::candidate_spans`]).
    candidates: Vec<(usize, usize)>,
    /// Markdown's fenced code blocks.
    fences: Option<Arc<FenceMap>>,
}

impl State {
    /// The length of the text this state describes.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The lint of the text this state describes.
    pub fn analysis(&self) -> &Analysis {
        &self.analysis
    }

    /// The fenced code blocks kept (Markdown), for tests to compare with
    /// a fresh [`FenceMap::new`].
    pub fn fences(&self) -> Option<&FenceMap> {
        self.fences.as_deref()
    }

    /// The fenced code blocks kept (Markdown), shared.
    pub fn shared_fences(&self) -> Option<Arc<FenceMap>> {
        self.fences.clone()
    }
}

/// How a re-lint's diagnostics are made of the previous ones: the first
/// `before` are the previous ones, then `inserted` new ones stand for
/// `removed` previous ones, then the rest of the previous ones follow,
/// moved by `shift` bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Splice {
    pub before: usize,
    pub removed: usize,
    pub inserted: usize,
    pub shift: isize,
    /// The region re-read, in the new text.
    pub region: Span,
    /// Where the new text shows what the old one did at the same place:
    /// before `same_until` (the unchanged prefix), and from `same_from`
    /// of the old text on (the start of the first line after the edit),
    /// moved by `shift` (see [`Splice::same_place`]).
    pub same_until: usize,
    pub same_from: usize,
    /// How many of the region's links the rules ran on: the others, on
    /// lines that read as they did, kept their previous findings.
    pub checked: usize,
}

impl Splice {
    /// Where `old`, a span of the previous text off the edited lines, is in
    /// the new one, and whether it moved (lies after the edit); `None` on
    /// the edited lines. Such a span lies on the same line and columns
    /// there (the lines after the edit moved as a whole).
    pub fn same_place(&self, old: Span) -> Option<(Span, bool)> {
        if old.end < self.same_until {
            Some((old, false))
        } else if old.start >= self.same_from {
            let moved = |x: usize| x.wrapping_add_signed(self.shift);
            Some((Span::new(moved(old.start), moved(old.end)), true))
        } else {
            None
        }
    }
}

/// The kinds whose lint can be redone in part.
pub fn is_incremental(kind: DocKind) -> bool {
    matches!(kind, DocKind::Plain | DocKind::Markdown)
}

/// The lint of a whole text, as [`analyze_until`] gives it, and the state
/// a later [`reanalyze`] starts from (`None` where a later lint must read
/// the whole text again).
pub fn analyze_full(
    text: &str,
    kind: DocKind,
    config: &Config,
    stop: &dyn Fn() -> bool,
) -> Option<(Arc<Analysis>, Option<State>)> {
    let whole = || analyze_until(text, kind, config, stop).map(|a| (Arc::new(a), None));
    if !is_incremental(kind) {
        return whole();
    }
    let (candidates, has_markers) = scan::candidate_spans(text, kind);
    if has_markers {
        return whole();
    }
    let fences = (kind == DocKind::Markdown).then(|| FenceMap::new(text));
    let links = scan::scan_known_until(text, kind, &candidates, fences.as_ref(), stop)?;
    let Some((diagnostics, secrets)) = check_links(text, kind, &links, config, stop, 0)? else {
        return whole();
    };
    let analysis = Arc::new(Analysis {
        links,
        diagnostics,
        secrets,
        capped: false,
    });
    let state = State {
        kind,
        len: text.len(),
        analysis: analysis.clone(),
        candidates,
        fences: fences.map(Arc::new),
    };
    Some((analysis, Some(state)))
}

/// Runs the rules on `links` one by one: their findings (sorted, with the
/// configured severities) and secrets, exactly as
/// [`rules::check_until`] and [`crate::analyze_until`] give them for a
/// text without suppression markers, or `Some(None)` when that cannot be
/// proven here: some finding of a link lies outside the link's line, or the
/// findings come near the cap (`outside` findings are kept elsewhere).
fn check_links(
    text: &str,
    kind: DocKind,
    links: &[RawLink],
    config: &Config,
    stop: &dyn Fn() -> bool,
    outside: usize,
) -> Option<Option<(Vec<Diagnostic>, Vec<Span>)>> {
    let checked = check_lines(text, kind, links, None, config, stop, outside)?;
    Some(checked.map(|c| (c.diagnostics, c.secrets)))
}

/// The previous lint's links, findings and secrets in a region re-read,
/// and which of the region's lines read as they did: a line is unchanged
/// when it ends before `edit_start` (same offsets) or starts at or after
/// `edit_end` (offsets moved by `shift`), in the new text.
struct Previous<'a> {
    links: &'a [RawLink],
    diagnostics: &'a [Diagnostic],
    secrets: &'a [Span],
    edit_start: usize,
    edit_end: usize,
    shift: isize,
}

/// What [`check_lines`] found.
struct Checked {
    diagnostics: Vec<Diagnostic>,
    secrets: Vec<Span>,
    /// The links the rules ran on (the others' findings were the previous
    /// lint's).
    ran: usize,
}

/// [`check_links`], taking the previous lint's findings for each unchanged
/// line whose links were found again as they were (the same context and
/// decoding, at the same place in the same line): a rule judges a link
/// from the link and its own line only (each finding, fix and secret lies
/// on that line, which [`check_links`] checks), so it would find the same
/// again. A line's findings are then taken whole, in their previous order,
/// which is the order the rules give them (ties keep link order).
fn check_lines(
    text: &str,
    kind: DocKind,
    links: &[RawLink],
    previous: Option<Previous<'_>>,
    config: &Config,
    stop: &dyn Fn() -> bool,
    outside: usize,
) -> Option<Option<Checked>> {
    let mut diagnostics = Vec::new();
    let mut secrets = Vec::new();
    let mut longest = 0;
    let mut ran = 0;
    // Cursors into the previous lint's links, findings and secrets.
    let (mut old_link, mut old_diag, mut old_secret) = (0, 0, 0);
    let mut rest = links;
    while let Some(first) = rest.first() {
        // The links on `first`'s line.
        let line = line_of(text, first.span);
        let on_line = rest.partition_point(|l| l.span.start <= line.end);
        let (group, after) = rest.split_at(on_line.max(1));
        rest = after;
        longest = group.iter().fold(longest, |m, l| m.max(l.span.len()));
        let reused = previous.as_ref().and_then(|p| {
            let shift = if line.end < p.edit_start {
                0
            } else if line.start >= p.edit_end {
                p.shift
            } else {
                return None;
            };
            let back = |x: usize| x.wrapping_add_signed(shift.wrapping_neg());
            let old_line = Span::new(back(line.start), back(line.end));
            old_link += p.links[old_link..].partition_point(|l| l.span.start < old_line.start);
            // A link of the previous text that began on an earlier line
            // and went on into this one (a line break in an HTML
            // attribute): some of this line's findings were its.
            if old_link > 0 && p.links[old_link - 1].span.end > old_line.start {
                return None;
            }
            let n = p.links[old_link..].partition_point(|l| l.span.start <= old_line.end);
            let old = &p.links[old_link..old_link + n];
            let same = old.len() == group.len()
                && old.iter().zip(group).all(|(o, l)| {
                    RawLink {
                        span: Span::new(back(l.span.start), back(l.span.end)),
                        ..*l
                    } == *o
                });
            old_link += n;
            if !same {
                return None;
            }
            old_diag +=
                p.diagnostics[old_diag..].partition_point(|d| d.span.start < old_line.start);
            let nd = p.diagnostics[old_diag..].partition_point(|d| d.span.start <= old_line.end);
            old_secret += p.secrets[old_secret..].partition_point(|s| s.start < old_line.start);
            let ns = p.secrets[old_secret..].partition_point(|s| s.start <= old_line.end);
            let found = (
                &p.diagnostics[old_diag..old_diag + nd],
                &p.secrets[old_secret..old_secret + ns],
                shift,
            );
            old_diag += nd;
            old_secret += ns;
            Some(found)
        });
        match reused {
            Some((found, hidden, shift)) => {
                let moved = |s: Span| {
                    Span::new(
                        s.start.wrapping_add_signed(shift),
                        s.end.wrapping_add_signed(shift),
                    )
                };
                diagnostics.extend(found.iter().map(|d| {
                    let mut d = d.clone();
                    if shift != 0 {
                        d.span = moved(d.span);
                        if let Some(fix) = &mut d.fix {
                            for e in &mut fix.edits {
                                e.span = moved(e.span);
                            }
                        }
                    }
                    d
                }));
                secrets.extend(hidden.iter().map(|&s| moved(s)));
            }
            None => {
                for link in group {
                    if ran % scan::STOP_EVERY == scan::STOP_EVERY - 1 && stop() {
                        return None;
                    }
                    ran += 1;
                    let (found, hidden) =
                        rules::check(text, kind, std::slice::from_ref(link), config);
                    let inside = |s: Span| line.start <= s.start && s.end <= line.end;
                    let fixes = found
                        .iter()
                        .filter_map(|d| d.fix.as_ref())
                        .flat_map(|f| f.edits.iter().map(|e| e.span));
                    if !found.iter().map(|d| d.span).chain(fixes).all(inside)
                        || !hidden.iter().all(|&s| inside(s))
                        || rules::context::joins_next_line(text, link)
                    {
                        return Some(None);
                    }
                    diagnostics.extend(found);
                    secrets.extend(hidden);
                }
            }
        }
        if outside + diagnostics.len() + longest + 1 > rules::MAX_FINDINGS {
            // Near the cap: the whole-text lint decides (stopping here
            // keeps the work before it bounded).
            return Some(None);
        }
    }
    // Stable: findings of equal keys stay in link order, as one check of
    // all the links leaves them. (Equal keys lie on one line, whose
    // findings come in link order whether found now or taken whole.)
    diagnostics.sort_by_key(|a| (a.span.start, a.span.end, a.rule));
    config.apply_severities(&mut diagnostics);
    Some(Some(Checked {
        diagnostics,
        secrets,
        ran,
    }))
}

/// The line holding `span`, without its line break: from after the last
/// `\n` before it to the first `\n` at or after its end.
fn line_of(text: &str, span: Span) -> Span {
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', &bytes[..span.start]).map_or(0, |i| i + 1);
    let end = memchr::memchr(b'\n', &bytes[span.end..]).map_or(text.len(), |i| span.end + i);
    Span::new(start, end)
}

/// The lint of `text`, an edited version of the text `prev` describes that
/// shares `unchanged` with it: [`analyze_full`]'s result, computed by
/// re-reading only the region of the edit when that is proven to give the
/// same, with how the diagnostics were spliced (`None`: the whole text was
/// read).
pub fn reanalyze(
    prev: &State,
    text: &str,
    unchanged: Unchanged,
    config: &Config,
    stop: &dyn Fn() -> bool,
) -> Option<(Arc<Analysis>, Option<State>, Option<Splice>)> {
    match splice(prev, text, unchanged, config, stop)? {
        Some((analysis, state, splice)) => Some((analysis, Some(state), Some(splice))),
        None => analyze_full(text, prev.kind, config, stop).map(|(a, s)| (a, s, None)),
    }
}

/// [`reanalyze`] by a region, or `Some(None)` when it must read the whole
/// text.
fn splice(
    prev: &State,
    text: &str,
    unchanged: Unchanged,
    config: &Config,
    stop: &dyn Fn() -> bool,
) -> Option<Option<(Arc<Analysis>, State, Splice)>> {
    let (old_len, new_len) = (prev.len, text.len());
    let bytes = text.as_bytes();
    let prefix = unchanged.prefix.min(old_len).min(new_len);
    let suffix = unchanged.suffix.min(old_len - prefix).min(new_len - prefix);
    let shift = new_len as isize - old_len as isize;
    let moved = |x: usize| x.wrapping_add_signed(shift);
    // The lines edited: from after the last `\n` before the edit to after
    // the first `\n` of the unchanged suffix, the same bytes in both texts.
    let mut edit_start = memchr::memrchr(b'\n', &bytes[..prefix]).map_or(0, |i| i + 1);
    let changed_end = new_len - suffix;
    let mut edit_end =
        memchr::memchr(b'\n', &bytes[changed_end..]).map_or(new_len, |i| changed_end + i + 1);
    // In Markdown, whether a backslash that ends a line is a hard line
    // break or a link's last character depends on the line after it: the
    // line before the edit is read again when it ends with one, and the
    // line after it when the last edited line does.
    let ends_with_backslash = |line_end: usize| {
        let line = bytes[..line_end]
            .strip_suffix(b"\n")
            .unwrap_or(&bytes[..line_end]);
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        line.ends_with(b"\\")
    };
    if prev.kind == DocKind::Markdown {
        if edit_start > 0 && ends_with_backslash(edit_start) {
            edit_start = memchr::memrchr(b'\n', &bytes[..edit_start - 1]).map_or(0, |i| i + 1);
        }
        // The line after, and the next while the last one read ends with
        // a backslash too: a region's last line is read as if no line
        // followed it.
        while edit_end < new_len && ends_with_backslash(edit_end) {
            edit_end =
                memchr::memchr(b'\n', &bytes[edit_end..]).map_or(new_len, |i| edit_end + i + 1);
        }
    }
    let edit_old_end = edit_end + old_len - new_len;
    let edited = &text[edit_start..edit_end];
    // The candidates: those of the edited lines found again.
    let (found, has_markers) = scan::candidate_spans(edited, prev.kind);
    if has_markers {
        return Some(None);
    }
    let old_candidates = &prev.candidates;
    let before = old_candidates.partition_point(|&(s, _)| s < edit_start);
    let after = old_candidates.partition_point(|&(s, _)| s < edit_old_end);
    let mut candidates = Vec::with_capacity(old_candidates.len() + found.len());
    candidates.extend_from_slice(&old_candidates[..before]);
    candidates.extend(found.iter().map(|&(s, e)| (s + edit_start, e + edit_start)));
    candidates.extend(
        old_candidates[after..]
            .iter()
            .map(|&(s, e)| (moved(s), moved(e))),
    );
    // The region to read again, in the new text, and where it ended in the
    // old one: the edited lines; in Markdown, the whole block they lie in,
    // or, when a line that may open or close a fence was edited, all the
    // rest of the text (whose blocks may all have changed).
    let (mut start, mut new_end, mut old_end) = (edit_start, edit_end, edit_old_end);
    let mut fences = None;
    if let Some(map) = &prev.fences {
        let found = FenceMap::lines_in(edited);
        let block = map.block_at(edit_start);
        if let Some((block_start, _)) = block {
            start = block_start;
        }
        if found.is_empty() && !map.has_line_in(edit_start, edit_old_end) {
            let mut map = FenceMap::clone(map);
            // From the end of what changed: a block read whole holds fence
            // lines after it.
            map.shift(old_len - suffix, shift);
            match block {
                Some((_, usize::MAX)) => (old_end, new_end) = (old_len, new_len),
                Some((_, block_end)) => (old_end, new_end) = (block_end, moved(block_end)),
                None => {}
            }
            fences = Some(Arc::new(map));
        } else {
            let found: Vec<usize> = found.iter().map(|&l| l + edit_start).collect();
            let now = map.edited(text, edit_start, edit_old_end, &found, shift);
            // Where a block boundary of the old text is in the new one
            // (`None` inside the edited lines, which have no old place).
            let to_new = |x: usize| match x {
                usize::MAX => Some(x),
                x if x <= edit_start => Some(x),
                x if x >= edit_old_end => Some(moved(x)),
                _ => None,
            };
            let same_blocks = now.blocks.len() == map.blocks.len()
                && map
                    .blocks
                    .iter()
                    .zip(&now.blocks)
                    .all(|(&(s, e), &(ns, ne))| to_new(s) == Some(ns) && to_new(e) == Some(ne));
            if same_blocks {
                // The edited lines still open and close the same blocks
                // (a fence's info string or its indent edited, a fence
                // line that opens nothing where it stands): the blocks
                // after them read as they did. The region is the edited
                // lines and the blocks they touch.
                let first = now.blocks.partition_point(|&(_, e)| e <= edit_start);
                let mut end = edit_end;
                for &(s, e) in now.blocks[first..].iter().take_while(|b| b.0 < edit_end) {
                    start = start.min(s);
                    end = end.max(e);
                }
                (old_end, new_end) = match end {
                    usize::MAX => (old_len, new_len),
                    e if e == edit_end => (edit_old_end, edit_end),
                    e => (e.wrapping_add_signed(-shift), e),
                };
            } else {
                old_end = old_len;
                new_end = new_len;
            }
            fences = Some(Arc::new(now));
        }
    }
    let region = &text[start..new_end];
    let a = candidates.partition_point(|&(s, _)| s < start);
    let b = candidates.partition_point(|&(s, _)| s < new_end);
    let local: Vec<(usize, usize)> = candidates[a..b]
        .iter()
        .map(|&(s, e)| (s - start, e - start))
        .collect();
    let part = fences.as_ref().map(|map| map.part(start, new_end));
    let mut found = scan::scan_known_until(region, prev.kind, &local, part.as_ref(), stop)?;
    for link in &mut found {
        link.span = Span::new(link.span.start + start, link.span.end + start);
    }
    let old = &prev.analysis;
    // The previous findings before, in and after the region (each lies on
    // its link's line, so the region's bounds part them).
    let to_end = old_end >= old_len;
    fn cut<T>(
        v: &[T],
        span: impl Fn(&T) -> Span,
        start: usize,
        end: Option<usize>,
    ) -> (usize, usize) {
        let after = end.map_or(v.len(), |end| v.partition_point(|x| span(x).start < end));
        (v.partition_point(|x| span(x).start < start), after)
    }
    let end = (!to_end).then_some(old_end);
    let (diag_before, diag_after) = cut(&old.diagnostics, |d| d.span, start, end);
    let kept = old.diagnostics.len() - (diag_after - diag_before);
    let (link_before, link_after) = cut(&old.links, |l| l.span, start, end);
    let (secret_before, secret_after) = cut(&old.secrets, |&s| s, start, end);
    let previous = Previous {
        links: &old.links[link_before..link_after],
        diagnostics: &old.diagnostics[diag_before..diag_after],
        secrets: &old.secrets[secret_before..secret_after],
        edit_start,
        edit_end,
        shift,
    };
    let Some(Checked {
        diagnostics,
        secrets,
        ran,
    }) = check_lines(text, prev.kind, &found, Some(previous), config, stop, kept)?
    else {
        return Some(None);
    };
    let moved = |s: Span| Span::new(moved(s.start), moved(s.end));
    let mut links = Vec::with_capacity(old.links.len() - (link_after - link_before) + found.len());
    links.extend_from_slice(&old.links[..link_before]);
    let inserted = diagnostics.len();
    links.extend(found);
    links.extend(old.links[link_after..].iter().map(|l| RawLink {
        span: moved(l.span),
        ..*l
    }));
    let mut all = Vec::with_capacity(kept + inserted);
    all.extend_from_slice(&old.diagnostics[..diag_before]);
    all.extend(diagnostics);
    all.extend(old.diagnostics[diag_after..].iter().map(|d| {
        let mut d = d.clone();
        d.span = moved(d.span);
        if let Some(fix) = &mut d.fix {
            for e in &mut fix.edits {
                e.span = moved(e.span);
            }
        }
        d
    }));
    let mut hidden = Vec::with_capacity(old.secrets.len());
    hidden.extend_from_slice(&old.secrets[..secret_before]);
    hidden.extend(secrets);
    hidden.extend(old.secrets[secret_after..].iter().map(|&s| moved(s)));
    let analysis = Arc::new(Analysis {
        links,
        diagnostics: all,
        secrets: hidden,
        capped: false,
    });
    let state = State {
        kind: prev.kind,
        len: new_len,
        analysis: analysis.clone(),
        candidates,
        fences,
    };
    let splice = Splice {
        before: diag_before,
        removed: diag_after - diag_before,
        inserted,
        shift,
        region: Span::new(start, new_end),
        same_until: prefix,
        same_from: edit_old_end,
        checked: ran,
    };
    Some(Some((analysis, state, splice)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lints `old`, edits it into `new` (replacing `start..end` by
    /// `insert`), re-lints by [`reanalyze`] and compares with a full lint.
    fn check(old: &str, start: usize, end: usize, insert: &str, kind: DocKind) -> Option<Splice> {
        let config = Config::default();
        let (_, state) = analyze_full(old, kind, &config, &|| false).unwrap();
        let mut new = old.to_string();
        new.replace_range(start..end, insert);
        let unchanged = Unchanged::all(old.len()).edit(start, end, old.len());
        let (got, _, splice) =
            reanalyze(&state.unwrap(), &new, unchanged, &config, &|| false).unwrap();
        assert_eq!(*got, crate::analyze(&new, kind, &config), "{new:?}");
        splice
    }

    /// An edited fence line may change every block after it: the rest of
    /// the text is read again, from the block the edit lies in.
    #[test]
    fn a_fence_line_edited_reads_the_rest_of_the_text() {
        let old = "a\n```js\nlet a\n```@\n```\ntrueconf:x\n```\nb\n";
        let at = old.find("```\ntrue").unwrap();
        let splice = check(old, at, at + 1, "", DocKind::Markdown).unwrap();
        assert_eq!(splice.region, Span::new(2, old.len() - 1));
    }

    /// The rules run again only on the links of the lines edited, and on
    /// links whose reading changed: the others in the region read again
    /// keep their findings (moved with the text after the edit).
    #[test]
    fn unchanged_lines_keep_their_findings() {
        // An edit inside a block reads the block: its other lines' links
        // are found again as they were.
        let old = "```\ntrueconf:a&password=p\nline\ntrueconf:b@s:1:2\n```\n";
        let at = old.find("line").unwrap();
        let splice = check(old, at, at, "xyz", DocKind::Markdown).unwrap();
        assert_eq!((splice.region.start, splice.checked), (0, 0));
        // The closing fence broken: the block runs on to the end, and the
        // link after it now lies in code (checked again) while the one in
        // the block reads as before.
        let old = "```\ntrueconf:a&password=p\n```\nsee trueconf:b@s:1:2 and [x](trueconf:c)\n";
        let at = old.find("```\nsee").unwrap();
        let splice = check(old, at, at + 1, "", DocKind::Markdown).unwrap();
        assert_eq!((splice.region.start, splice.checked), (0, 2));
        // A link on the edited line is checked again.
        let at = old.find("=p\n").unwrap() + 2;
        let splice = check(old, at, at, "x", DocKind::Markdown).unwrap();
        assert_eq!(splice.checked, 1);
    }

    /// An edit inside a block reads the block; one outside, its line.
    #[test]
    fn regions_are_the_line_or_the_block() {
        let old = "a trueconf:x\n```js\nlet a = \"trueconf:y\";\n```\nb\n";
        let at = old.find("let a").unwrap();
        let splice = check(old, at, at, "z", DocKind::Markdown).unwrap();
        assert_eq!(splice.region, Span::new(13, old.len() - 1));
        let splice = check(old, 1, 1, "z", DocKind::Markdown).unwrap();
        assert_eq!(splice.region, Span::new(0, 14));
        let splice = check(old, 1, 1, "\n", DocKind::Plain).unwrap();
        assert_eq!(splice.region, Span::new(0, 14));
        // Other kinds keep no state: each lint reads the whole text.
        let config = Config::default();
        assert!(
            analyze_full(old, DocKind::Html, &config, &|| false)
                .unwrap()
                .1
                .is_none()
        );
    }
}
