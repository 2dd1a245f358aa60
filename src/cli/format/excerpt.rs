//! The source line shown under a finding in `full`: passwords redacted as
//! `***`, tabs as spaces, control characters and bidi overrides as U+FFFD, and long lines cut
//! to a window around the finding, with the caret's display column and
//! width.

use unicode_width::UnicodeWidthChar;

use crate::text::{Span, floor_char_boundary};

/// Most display columns of source shown for one line.
const MAX_EXCERPT: usize = 120;

/// The line `line` of `text` as shown: secrets redacted, tabs as spaces,
/// long lines cut to a window around `span`. Returns the text, the caret's
/// display column and the caret's display width.
pub fn excerpt(text: &str, line: Span, secrets: &[Span], span: Span) -> (String, usize, usize) {
    excerpt_with(text, line, secrets, disjoint_in_order(secrets), span)
}

/// Are `secrets` in order and apart? (Those of an analysis are.) Then the
/// ones near an offset are found by binary search.
pub fn disjoint_in_order(secrets: &[Span]) -> bool {
    secrets.windows(2).all(|w| w[0].end <= w[1].start)
}

/// [`excerpt`], given whether `secrets` are [`disjoint_in_order`]. Only a
/// window of the line around `span` is read, widened until it holds all
/// that is shown: on a long line, every finding used to read (and redact)
/// the whole line, which made a report quadratic in the line's length.
pub fn excerpt_with(
    text: &str,
    line: Span,
    secrets: &[Span],
    disjoint: bool,
    span: Span,
) -> (String, usize, usize) {
    let (mut before, mut after) = (128usize, 512usize);
    loop {
        let p = floor_char_boundary(text, span.start.saturating_sub(before).max(line.start));
        let q = floor_char_boundary(text, span.start.saturating_add(after).min(line.end));
        let near: Vec<Span> = if disjoint {
            let lo = secrets.partition_point(|s| s.end <= p);
            let hi = secrets.partition_point(|s| s.start < q);
            secrets[lo..hi.max(lo)].to_vec()
        } else {
            secrets
                .iter()
                .filter(|s| s.end > p && s.start < q)
                .copied()
                .collect()
        };
        // Window ends inside a secret move to its ends: cells start at
        // char boundaries outside secrets, as when reading the whole line.
        let p = near
            .iter()
            .filter(|s| s.start < p && p < s.end)
            .map(|s| s.start.max(line.start))
            .min()
            .unwrap_or(p);
        let q = near
            .iter()
            .filter(|s| s.start < q && q < s.end)
            .map(|s| s.end)
            .max()
            .unwrap_or(q);
        if let Some(shown) = excerpt_in(text, line, Span::new(p, q), &near, span) {
            return shown;
        }
        before = before.saturating_mul(4);
        after = after.saturating_mul(4);
    }
}

/// [`excerpt`] of the cells of `window` (a part of `line`), or `None` if
/// what is shown may reach past the window.
fn excerpt_in(
    text: &str,
    line: Span,
    window: Span,
    secrets: &[Span],
    span: Span,
) -> Option<(String, usize, usize)> {
    // Pieces of the window: (source offset, displayed text).
    let mut cells: Vec<(usize, &str)> = Vec::new();
    let mut i = window.start;
    while i < line.end && i < window.end {
        if let Some(s) = secrets
            .iter()
            .find(|s| s.start <= i && i < s.end && s.end <= line.end.max(s.end))
        {
            cells.push((i, "***"));
            i = s.end.max(i + 1);
            while i < text.len() && !text.is_char_boundary(i) {
                i += 1;
            }
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        let shown = match c {
            '\t' => "    ",
            c if crate::text::is_unsafe_to_print(c) => "\u{fffd}",
            c => &text[i..i + c.len_utf8()],
        };
        cells.push((i, shown));
        i += c.len_utf8();
    }
    let width = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
    let first = cells
        .iter()
        .position(|(o, _)| *o >= span.start)
        .unwrap_or(cells.len());
    let mut start_cell = cells
        .iter()
        .rposition(|(o, _)| *o <= span.start)
        .unwrap_or(first);
    if start_cell > first {
        start_cell = first;
    }
    let end_cell = cells
        .iter()
        .position(|(o, _)| *o >= span.end)
        .unwrap_or(cells.len());
    // Window: up to 40 columns of context before the span.
    let mut from = start_cell;
    let mut before = 0;
    while from > 0 && before + width(cells[from - 1].1) <= 40 {
        from -= 1;
        before += width(cells[from].1);
    }
    if from == 0 && window.start > line.start {
        // The context before the span may reach further back.
        return None;
    }
    let mut shown = String::new();
    if from > 0 {
        shown.push('…');
    }
    let mut col = width(&shown);
    let mut caret_at = col;
    let mut caret_len = 0;
    let mut to = from;
    while to < cells.len() && (col < MAX_EXCERPT || to < end_cell.min(start_cell + 60)) {
        if to == start_cell {
            caret_at = col;
        }
        let w = width(cells[to].1);
        if to >= start_cell && to < end_cell {
            caret_len += w;
        }
        shown.push_str(cells[to].1);
        col += w;
        to += 1;
    }
    if to == cells.len() && window.end < line.end {
        // What is shown may go on past the window.
        return None;
    }
    if to == start_cell {
        caret_at = col;
    }
    if to < cells.len() {
        shown.push('…');
    }
    Some((shown, caret_at, caret_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpt_redacts_and_places_carets() {
        let text = "x 😀 trueconf:login=a&password=hunter2&force=1 y";
        let link = text.find("trueconf").unwrap();
        let pw = text.find("hunter2").unwrap();
        let secrets = [Span::new(pw, pw + 7)];
        let line = Span::new(0, text.len());
        let (shown, at, len) = excerpt(text, line, &secrets, Span::new(link, text.len() - 2));
        assert_eq!(shown, "x 😀 trueconf:login=a&password=***&force=1 y");
        assert_eq!(at, 5);
        assert_eq!(len, "trueconf:login=a&password=***&force=1".len());
    }

    #[test]
    fn long_lines_are_windowed() {
        let text = format!("{}trueconf:bob{}", "a ".repeat(500), " b".repeat(500));
        let start = text.find("trueconf").unwrap();
        let (shown, at, len) = excerpt(
            &text,
            Span::new(0, text.len()),
            &[],
            Span::new(start, start + 12),
        );
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert!(shown.chars().count() < 170);
        assert_eq!(
            &shown.chars().skip(at).take(len).collect::<String>(),
            "trueconf:bob"
        );
    }

    /// [`excerpt`] as it first was: the whole line read for every finding.
    fn excerpt_whole_line(
        text: &str,
        line: Span,
        secrets: &[Span],
        span: Span,
    ) -> (String, usize, usize) {
        // Pieces of the line: (source offset, displayed text).
        let mut cells: Vec<(usize, String)> = Vec::new();
        let mut i = line.start;
        while i < line.end {
            if let Some(s) = secrets
                .iter()
                .find(|s| s.start <= i && i < s.end && s.end <= line.end.max(s.end))
            {
                cells.push((i, "***".into()));
                i = s.end.max(i + 1);
                while !text.is_char_boundary(i) {
                    i += 1;
                }
                continue;
            }
            let c = text[i..].chars().next().unwrap_or(' ');
            let shown = match c {
                '\t' => "    ".to_string(),
                c if crate::text::is_unsafe_to_print(c) => "\u{fffd}".to_string(),
                c => c.to_string(),
            };
            cells.push((i, shown));
            i += c.len_utf8();
        }
        let width = |s: &str| s.chars().map(|c| c.width().unwrap_or(0)).sum::<usize>();
        let first = cells
            .iter()
            .position(|(o, _)| *o >= span.start)
            .unwrap_or(cells.len());
        let mut start_cell = cells
            .iter()
            .rposition(|(o, _)| *o <= span.start)
            .unwrap_or(first);
        if start_cell > first {
            start_cell = first;
        }
        let end_cell = cells
            .iter()
            .position(|(o, _)| *o >= span.end)
            .unwrap_or(cells.len());
        // Window: up to 40 columns of context before the span.
        let mut from = start_cell;
        let mut before = 0;
        while from > 0 && before + width(&cells[from - 1].1) <= 40 {
            from -= 1;
            before += width(&cells[from].1);
        }
        let mut shown = String::new();
        if from > 0 {
            shown.push('…');
        }
        let mut col = width(&shown);
        let mut caret_at = col;
        let mut caret_len = 0;
        let mut to = from;
        while to < cells.len() && (col < MAX_EXCERPT || to < end_cell.min(start_cell + 60)) {
            if to == start_cell {
                caret_at = col;
            }
            let w = width(&cells[to].1);
            if to >= start_cell && to < end_cell {
                caret_len += w;
            }
            shown.push_str(&cells[to].1);
            col += w;
            to += 1;
        }
        if to == start_cell {
            caret_at = col;
        }
        if to < cells.len() {
            shown.push('…');
        }
        (shown, caret_at, caret_len)
    }

    /// The windowed excerpt is the whole-line one, on lines short and long,
    /// with secrets, tabs, controls, wide and zero-width characters.
    #[test]
    fn windowed_excerpts_match_whole_line_ones() {
        let pieces = [
            "a",
            "trueconf:",
            "pw",
            "\t",
            "\u{7}",
            "中",
            "😀",
            "e\u{301}",
            "\u{301}\u{301}\u{301}",
            " ",
        ];
        let mut rng = crate::test_rng::Rng::new(0x1357_9bdf_2468_ace0u64);
        let mut next = |n: usize| rng.below(n);
        for round in 0..160 {
            let mut text = String::new();
            let mut secrets = Vec::new();
            let len = [50, 400, 3000, 12_000][round % 4];
            while text.len() < len {
                if next(12) == 0 {
                    let start = text.len();
                    text.push_str(&"s".repeat(1 + next(40)));
                    secrets.push(Span::new(start, text.len()));
                } else if next(40) == 0 {
                    // A run of zero-width marks longer than any window.
                    text.push_str(&"\u{301}".repeat(next(3000)));
                } else {
                    text.push_str(pieces[next(pieces.len())]);
                }
            }
            if round % 3 == 0 {
                // Out of order: found without binary search.
                secrets.reverse();
            }
            let line = Span::new(0, text.len());
            let bounds: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
            for _ in 0..12 {
                let a = bounds[next(bounds.len())];
                let b = bounds[next(bounds.len())].max(a);
                let b = if next(2) == 0 { a + (b - a).min(30) } else { b };
                let b = floor_char_boundary(&text, b);
                let span = Span::new(a, b);
                assert_eq!(
                    excerpt(&text, line, &secrets, span),
                    excerpt_whole_line(&text, line, &secrets, span),
                    "{span:?} of {} bytes",
                    text.len()
                );
            }
        }
    }
}
