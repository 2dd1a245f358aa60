//! Edits, fixes and how sure we are that a fix is right (ruff's vocabulary).

use std::sync::Arc;

use crate::text::Span;

/// One replacement of a source byte range.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Edit {
    pub span: Span,
    /// Shared: a clone of a finding copies no text.
    pub content: Arc<str>,
}

impl Edit {
    pub fn replacement(span: Span, content: impl Into<String>) -> Self {
        let content: String = content.into();
        debug_assert!(!content.is_empty() || !span.is_empty(), "empty edit");
        Edit {
            span,
            content: if content.is_empty() {
                empty()
            } else {
                Arc::from(content)
            },
        }
    }

    pub fn insertion(at: usize, content: impl Into<String>) -> Self {
        Edit::replacement(Span::empty(at), content)
    }

    pub fn deletion(span: Span) -> Self {
        Edit::replacement(span, String::new())
    }
}

/// The empty text, shared (an `Arc<str>` of its own would be an
/// allocation per deletion, and per compact finding).
pub fn empty() -> Arc<str> {
    static EMPTY: std::sync::LazyLock<Arc<str>> = std::sync::LazyLock::new(|| Arc::from(""));
    EMPTY.clone()
}

/// How safe a fix is to apply without a person looking at it. The derived
/// order is `DisplayOnly < Unsafe < Safe`, so `fix.applicability >= min`
/// selects the fixes a run may apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Applicability {
    /// Shown to the user as a suggestion, never applied automatically.
    DisplayOnly,
    /// Likely right, but it may change what the link does: applied only on
    /// request (`--unsafe-fixes`, or a quick-fix a person picks).
    Unsafe,
    /// Keeps the link's meaning and makes it what the author meant: applied by
    /// `--fix` and by "fix all".
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// A titled set of non-overlapping edits that repair one diagnostic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    pub title: Arc<str>,
    /// Sorted by span, non-overlapping.
    pub edits: Vec<Edit>,
    pub applicability: Applicability,
}

impl Fix {
    pub fn new(
        title: impl Into<String>,
        mut edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Self {
        edits.sort();
        Fix {
            title: Arc::from(title.into()),
            edits,
            applicability,
        }
    }

    pub fn safe(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(title, edits, Applicability::Safe)
    }

    pub fn unsafe_(title: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(title, edits, Applicability::Unsafe)
    }

    pub fn applies(&self, min: Applicability) -> bool {
        self.applicability >= min
    }

    /// The smallest span covering every edit.
    pub fn span(&self) -> Span {
        let start = self.edits.iter().map(|e| e.span.start).min().unwrap_or(0);
        let end = self.edits.iter().map(|e| e.span.end).max().unwrap_or(0);
        Span::new(start, end)
    }
}

/// Applies as many of `fixes` as do not overlap one another, in source order,
/// and returns the new text with the number of fixes applied. A fix whose
/// edits overlap a region already edited, or touch it where either side is
/// an insertion (whose order would then be a guess), is skipped whole (it
/// will be recomputed on the next pass of [`crate::fix_all`]). Touching
/// deletions and replacements commute, so they apply in one pass: a run of
/// a thousand `&&…` goes in one pass, not in ten halvings.
pub fn apply<'a>(text: &str, fixes: impl IntoIterator<Item = &'a Fix>) -> (String, usize) {
    let (out, count, _) = apply_tracked(text, fixes);
    (out, count)
}

/// [`apply`], also returning the edits applied, in source order, to carry
/// spans of `text` (its passwords) into the new text with [`map_spans`].
pub fn apply_tracked<'a>(
    text: &str,
    fixes: impl IntoIterator<Item = &'a Fix>,
) -> (String, usize, Vec<Edit>) {
    let mut applied: Vec<Edit> = Vec::new();
    let mut fixes: Vec<&Fix> = fixes.into_iter().filter(|f| !f.edits.is_empty()).collect();
    fixes.sort_by_key(|f| (f.span().start, f.span().end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut last = 0usize;
    // The last applied edit; an insertion touching it (or it being an
    // insertion that is touched) would make the result depend on order.
    let mut applied_last: Option<Span> = None;
    let mut count = 0;
    for fix in fixes {
        let first = fix.edits[0].span;
        if let Some(last) = applied_last
            && (first.start < last.end
                || first.start == last.end && (first.is_empty() || last.is_empty()))
        {
            continue;
        }
        if fix.edits.iter().any(|e| {
            e.span.end > text.len()
                || !text.is_char_boundary(e.span.start)
                || !text.is_char_boundary(e.span.end)
        }) {
            continue;
        }
        for edit in &fix.edits {
            out.push_str(&text[last..edit.span.start]);
            out.push_str(&edit.content);
            last = edit.span.end;
            applied.push(edit.clone());
        }
        applied_last = fix.edits.last().map(|e| e.span);
        count += 1;
    }
    out.push_str(&text[last..]);
    (out, count, applied)
}

/// `spans` of a text, carried through `edits` (sorted, non-overlapping, as
/// [`apply_tracked`] returns them) into the edited text. A span an edit
/// cuts into grows to cover the edit's new content: a password a fix
/// rewrites stays hidden whole. Edits touching a span from outside (an
/// insertion at its start or end) stay outside it.
pub fn map_spans(spans: &[Span], edits: &[Edit]) -> Vec<Span> {
    // shift[k]: how far the edits before the k-th moved the text.
    let mut shift = Vec::with_capacity(edits.len() + 1);
    shift.push(0isize);
    for e in edits {
        let last = shift[shift.len() - 1];
        shift.push(last + e.content.len() as isize - e.span.len() as isize);
    }
    let moved = |o: usize, d: isize| (o as isize + d).max(0) as usize;
    let mut out: Vec<Span> = spans
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| {
            // Edits ending at or before the start are before it.
            let i = edits.partition_point(|e| e.span.end <= s.start);
            let start = match edits.get(i) {
                Some(e) if e.span.start < s.start => moved(e.span.start, shift[i]),
                _ => moved(s.start, shift[i]),
            };
            // Edits starting before the end; the last may reach past it.
            let j = edits.partition_point(|e| e.span.start < s.end);
            let end = match j.checked_sub(1).map(|k| &edits[k]) {
                Some(e) if e.span.end > s.end => {
                    moved(e.span.start, shift[j - 1]) + e.content.len()
                }
                _ => moved(s.end, shift[j]),
            };
            Span::new(start, end.max(start))
        })
        .collect();
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applicability_orders_display_unsafe_safe() {
        assert!(Applicability::Safe > Applicability::Unsafe);
        assert!(Applicability::Unsafe > Applicability::DisplayOnly);
        let fix = Fix::unsafe_("x", vec![Edit::insertion(0, "a")]);
        assert!(fix.applies(Applicability::Unsafe));
        assert!(!fix.applies(Applicability::Safe));
    }

    #[test]
    fn applies_in_order_and_skips_overlaps() {
        let text = "0123456789";
        let a = Fix::safe("a", vec![Edit::replacement(Span::new(1, 3), "AB")]);
        let b = Fix::safe("b", vec![Edit::replacement(Span::new(2, 4), "XX")]);
        let c = Fix::safe(
            "c",
            vec![Edit::insertion(10, "!"), Edit::deletion(Span::new(5, 6))],
        );
        let (out, n) = apply(text, [&b, &c, &a]);
        assert_eq!(n, 2);
        assert_eq!(out, "0AB346789!");
    }

    #[test]
    fn touching_deletions_apply_together() {
        let text = "a&&&&b";
        let fixes: Vec<Fix> = (2..5)
            .map(|i| Fix::safe("d", vec![Edit::deletion(Span::new(i, i + 1))]))
            .collect();
        let (out, n) = apply(text, &fixes);
        assert_eq!((out.as_str(), n), ("a&b", 3));
    }

    #[test]
    fn spans_are_carried_through_edits() {
        let text = "a:PW@h b";
        // A replacement before, one cutting into the span, an insertion at its end.
        let edits = vec![
            Edit::replacement(Span::new(0, 1), "xyz"),
            Edit::insertion(4, "!"),
        ];
        let fix = Fix::safe("t", edits.clone());
        let (out, n, applied) = apply_tracked(text, [&fix]);
        assert_eq!((out.as_str(), n), ("xyz:PW!@h b", 1));
        let mapped = map_spans(&[Span::new(2, 4)], &applied);
        assert_eq!(&out[mapped[0].range()], "PW");
        let cut = [Edit::replacement(Span::new(3, 6), "QQQQ")];
        let mapped = map_spans(&[Span::new(2, 4), Span::new(7, 8)], &cut);
        assert_eq!(mapped, [Span::new(2, 7), Span::new(8, 9)]);
        let into = [Edit::replacement(Span::new(0, 3), "")];
        assert_eq!(map_spans(&[Span::new(2, 4)], &into), [Span::new(0, 1)]);
    }

    #[test]
    fn touching_edits_are_deferred() {
        let text = "abc";
        let a = Fix::safe("a", vec![Edit::replacement(Span::new(0, 1), "A")]);
        let b = Fix::safe("b", vec![Edit::insertion(1, "-")]);
        let (out, n) = apply(text, [&a, &b]);
        assert_eq!((out.as_str(), n), ("Abc", 1));
    }
}
