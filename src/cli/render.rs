//! Reports: `full` (with the source line and carets), `concise` and `json`.
//! Source text shown in a report has every password replaced by `***`.

use std::io::{self, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use crate::project::checked::{Checked, Placed, Pos};
use crate::rules::{Diagnostic, Severity};
use crate::text::{Span, floor_char_boundary};

/// A diagnostic with its file and 1-based, character-counted positions.
pub struct Located<'a> {
    pub path: &'a str,
    /// The file's text: empty unless the walk kept it.
    pub text: &'a str,
    pub secrets: &'a [Span],
    pub diagnostic: &'a Diagnostic,
    /// Its positions.
    pub at: &'a Placed,
}

/// Every diagnostic of `files`, located, in path then position order.
pub fn locate(files: &[Checked]) -> Vec<Located<'_>> {
    let mut out = Vec::new();
    for f in files {
        for (d, at) in f.analysis.diagnostics.iter().zip(&f.places) {
            out.push(Located {
                path: &f.path,
                text: &f.text,
                secrets: &f.analysis.secrets,
                at,
                diagnostic: d,
            });
        }
    }
    out
}

/// Counts for the summary line and the JSON summary.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub diagnostics: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
}

impl Summary {
    pub fn new(files: usize, found: &[Located]) -> Summary {
        let mut s = Summary {
            files,
            diagnostics: found.len(),
            ..Summary::default()
        };
        for l in found {
            match l.diagnostic.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info | Severity::Hint => s.infos += 1,
            }
            if l.diagnostic.fix.is_some() {
                s.fixable += 1;
            }
        }
        s
    }
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing line of the human formats.
pub fn summary_line(s: &Summary) -> String {
    if s.diagnostics == 0 {
        return format!(
            "All checks passed ({} checked).",
            plural(s.files, "file", "files")
        );
    }
    let mut kinds = Vec::new();
    if s.errors > 0 {
        kinds.push(plural(s.errors, "error", "errors"));
    }
    if s.warnings > 0 {
        kinds.push(plural(s.warnings, "warning", "warnings"));
    }
    if s.infos > 0 {
        kinds.push(plural(s.infos, "info", "infos"));
    }
    format!(
        "Found {} ({}) in {} checked.",
        plural(s.diagnostics, "problem", "problems"),
        kinds.join(", "),
        plural(s.files, "file", "files")
    )
}

/// `Fixed N problems in M files.`
pub fn fixed_line(fixes: usize, files: usize) -> String {
    format!(
        "Fixed {} in {}.",
        plural(fixes, "problem", "problems"),
        plural(files, "file", "files")
    )
}

/// The hint after the summary of the human formats: how many findings
/// `--fix` (or `--fix --unsafe-fixes`) would repair.
pub fn fixable_note(found: &[Located], fixing: bool, unsafe_fixes: bool) -> Option<String> {
    use crate::fix::Applicability;
    let count = |min: Applicability| {
        found
            .iter()
            .filter(|l| l.diagnostic.fix.as_ref().is_some_and(|f| f.applies(min)))
            .count()
    };
    let safe = count(Applicability::Safe);
    let unsafe_only = count(Applicability::Unsafe) - safe;
    let mut parts = Vec::new();
    if safe > 0 && !fixing {
        parts.push(format!("{safe} fixable with `--fix`."));
    }
    if unsafe_only > 0 && !(fixing && unsafe_fixes) {
        let more = if parts.is_empty() { "" } else { " more" };
        parts.push(format!(
            "{unsafe_only}{more} fixable with `--fix --unsafe-fixes`."
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// `path:line:col: CODE [severity] message`: a line of `concise`, the
/// first line of each `full` entry, and JUnit's failure text.
pub fn concise_line(l: &Located) -> String {
    let d = l.diagnostic;
    format!(
        "{}:{}:{}: {} [{}] {}",
        l.path,
        l.at.start.line,
        l.at.start.column,
        d.rule.code(),
        d.severity.as_str(),
        d.message
    )
}

pub fn concise(out: &mut dyn Write, found: &[Located]) -> io::Result<()> {
    for l in found {
        writeln!(out, "{}", concise_line(l))?;
    }
    Ok(())
}

/// Most display columns of source shown for one line.
const MAX_EXCERPT: usize = 120;

pub fn full(out: &mut dyn Write, found: &[Located]) -> io::Result<()> {
    let mut checked: Option<((*const Span, usize), bool)> = None;
    for l in found {
        let d = l.diagnostic;
        writeln!(out, "{}", concise_line(l))?;
        let line = l.at.line;
        let end = d.span.end.min(line.end).max(d.span.start);
        // Whether a file's secrets are in order is checked once per file.
        let key = (l.secrets.as_ptr(), l.secrets.len());
        if checked.is_none_or(|(k, _)| k != key) {
            checked = Some((key, disjoint_in_order(l.secrets)));
        }
        let disjoint = checked.is_some_and(|(_, d)| d);
        let (shown, caret_at, caret_len) = excerpt_with(
            l.text,
            line,
            l.secrets,
            disjoint,
            Span::new(d.span.start, end),
        );
        let gutter = l.at.start.line.to_string().len();
        writeln!(out, "{:gutter$} |", "")?;
        writeln!(out, "{} | {}", l.at.start.line, shown)?;
        writeln!(
            out,
            "{:gutter$} | {}{}",
            "",
            " ".repeat(caret_at),
            "^".repeat(caret_len.max(1))
        )?;
        if let Some(fix) = &d.fix {
            writeln!(
                out,
                "{:gutter$} = fix ({}): {}",
                "",
                fix.applicability.as_str(),
                fix.title
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

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
    let mut cells: Vec<(usize, String)> = Vec::new();
    let mut i = window.start;
    while i < line.end && i < window.end {
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
            c if c.is_control() => "\u{fffd}".to_string(),
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
        let w = width(&cells[to].1);
        if to >= start_cell && to < end_cell {
            caret_len += w;
        }
        shown.push_str(&cells[to].1);
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

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
pub struct JsonDiagnostic<'a> {
    path: &'a str,
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    range: JsonRange,
    fix: Option<JsonFix<'a>>,
}

#[derive(Serialize)]
struct JsonRange {
    start: Pos,
    end: Pos,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: JsonRange,
    content: &'a str,
}

pub fn json_diagnostic<'a>(l: &'a Located) -> JsonDiagnostic<'a> {
    let d = l.diagnostic;
    JsonDiagnostic {
        path: l.path,
        code: d.rule.code(),
        name: d.rule.name(),
        severity: d.severity.as_str(),
        message: &d.message,
        range: JsonRange {
            start: l.at.start,
            end: l.at.end,
        },
        fix: d.fix.as_ref().map(|f| JsonFix {
            title: &f.title,
            applicability: f.applicability.as_str(),
            edits: f
                .edits
                .iter()
                .zip(&l.at.edits)
                .map(|(e, &(start, end))| JsonEdit {
                    range: JsonRange { start, end },
                    content: &e.content,
                })
                .collect(),
        }),
    }
}

pub fn json(out: &mut dyn Write, found: &[Located], summary: Summary) -> io::Result<()> {
    if found.is_empty() {
        let report = JsonReport {
            version: 1,
            diagnostics: Vec::new(),
            summary,
        };
        let mut buf = serde_json::to_vec_pretty(&report)?;
        buf.push(b'\n');
        return out.write_all(&buf);
    }
    // The same bytes as `to_vec_pretty` of the whole report, but the
    // diagnostics are serialized in parallel, in contiguous slices whose
    // outputs are then written in order.
    const SLICE: usize = 512;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per_thread = found.len().div_ceil(threads).max(SLICE);
    let parts = std::thread::scope(|scope| {
        let running: Vec<_> = found
            .chunks(per_thread)
            .map(|slice| scope.spawn(|| json_elements(slice)))
            .collect();
        running
            .into_iter()
            .map(|t| t.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect::<serde_json::Result<Vec<Vec<u8>>>>()
    })?;
    out.write_all(b"{\n  \"version\": 1,\n  \"diagnostics\": [\n")?;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        out.write_all(part)?;
    }
    out.write_all(b"\n  ],\n  \"summary\": ")?;
    out.write_all(&indented(&serde_json::to_vec_pretty(&summary)?, 2))?;
    out.write_all(b"\n}\n")
}

/// The diagnostics as elements of the report's array: pretty-printed,
/// indented two levels, separated by `,\n`.
fn json_elements(found: &[Located]) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(found.len() * 1024);
    let mut one = Vec::with_capacity(2048);
    for (i, l) in found.iter().enumerate() {
        if i > 0 {
            out.extend_from_slice(b",\n");
        }
        one.clear();
        serde_json::to_writer_pretty(&mut one, &json_diagnostic(l))?;
        out.extend_from_slice(b"    ");
        out.extend_from_slice(&indented(&one, 4));
    }
    Ok(out)
}

/// `json` with `n` spaces after every line break (JSON strings hold no raw
/// line breaks, so only the layout's are touched).
fn indented(json: &[u8], n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(json.len() + json.len() / 8);
    let mut from = 0;
    for at in memchr::memchr_iter(b'\n', json) {
        out.extend_from_slice(&json[from..=at]);
        out.extend(std::iter::repeat_n(b' ', n));
        from = at + 1;
    }
    out.extend_from_slice(&json[from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_report_equals_serde_pretty_of_the_whole() {
        let text = "a trueconf:login=u&password=x&force=1 é visicall:bob@h\n".repeat(700);
        let analysis = crate::analyze(&text, crate::scan::DocKind::Plain, &Default::default());
        let places = crate::project::checked::place(&text, &analysis);
        // Enough for several slices wherever there is more than one core.
        assert!(
            analysis.diagnostics.len() > 2 * 512 * 2,
            "{}",
            analysis.diagnostics.len()
        );
        for n in [0, 1, 3, analysis.diagnostics.len()] {
            let found: Vec<Located> = analysis.diagnostics[..n]
                .iter()
                .zip(&places)
                .map(|(d, at)| Located {
                    path: "dir/\"q\".md",
                    text: "",
                    secrets: &[],
                    diagnostic: d,
                    at,
                })
                .collect();
            let summary = Summary::new(1, &found);
            let mut ours = Vec::new();
            json(&mut ours, &found, summary).unwrap();
            let whole = JsonReport {
                version: 1,
                diagnostics: found.iter().map(json_diagnostic).collect(),
                summary,
            };
            let mut reference = serde_json::to_vec_pretty(&whole).unwrap();
            reference.push(b'\n');
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(reference).unwrap(),
                "{n}"
            );
        }
    }

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
                c if c.is_control() => "\u{fffd}".to_string(),
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
