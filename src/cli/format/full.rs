//! `full`: each finding's concise line, then its source line with carets
//! under the finding ([`excerpt`](super::excerpt)) and its fix.

use std::io::{self, Write};

use super::color::Palette;
use super::common::{Emit, Located, Report, write_in_parallel};
use super::concise::concise_line_styled;
use super::excerpt::{disjoint_in_order, excerpt_with};
use crate::text::Span;

pub struct Full;

impl Emit for Full {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        emit_styled(out, report, Palette::PLAIN)
    }
}

/// `full` in `palette`'s styles: the concise line's, the gutter, carets in
/// the severity's color and the fix line's `fix` highlighted.
pub fn emit_styled(out: &mut dyn Write, report: &Report, palette: Palette) -> io::Result<()> {
    write_in_parallel(out, report.found, b"", |slice| render(slice, palette))?;
    Ok(())
}

/// The entries of `found`, in order.
pub fn render(found: &[Located], palette: Palette) -> Vec<u8> {
    let mut buf = Vec::with_capacity(found.len() * 512);
    // Writing to memory cannot fail.
    let _ = emit_slice(&mut buf, found, palette);
    buf
}

/// The entries of `found`, in order.
pub(super) fn emit_slice(out: &mut Vec<u8>, found: &[Located], palette: Palette) -> io::Result<()> {
    let mut checked: Option<((*const Span, usize), bool)> = None;
    for l in found {
        let d = l.diagnostic;
        writeln!(out, "{}", concise_line_styled(l, palette))?;
        let line = l.at.line;
        let end = d.span.end.min(line.end).max(d.span.start);
        // Whether a file's secrets are in order is checked once per file.
        let key = (l.secrets.as_ptr(), l.secrets.len());
        if checked.is_none_or(|(k, _)| k != key) {
            checked = Some((key, disjoint_in_order(l.secrets)));
        }
        let disjoint = checked.is_some_and(|(_, d)| d);
        let (shown, caret_at, caret_len) = match l.text_start {
            None => excerpt_with(
                l.text,
                line,
                l.secrets,
                disjoint,
                Span::new(d.span.start, end),
            ),
            // `text` is the line alone: the same excerpt, its offsets
            // counted from the line's start and the secrets cut to it.
            Some(base) => {
                let secrets: Vec<Span> = l
                    .secrets
                    .iter()
                    .filter(|s| s.end > line.start && s.start < line.end)
                    .map(|s| Span::new(s.start.max(line.start) - base, s.end.min(line.end) - base))
                    .collect();
                excerpt_with(
                    l.text,
                    Span::new(line.start - base, line.end - base),
                    &secrets,
                    disjoint,
                    Span::new(d.span.start - base, end - base),
                )
            }
        };
        let gutter = l.at.start.line.to_string().len();
        let bar = palette.gutter("|");
        writeln!(out, "{:gutter$} {bar}", "")?;
        writeln!(out, "{} {bar} {}", palette.gutter(l.at.start.line), shown)?;
        writeln!(
            out,
            "{:gutter$} {bar} {}{}",
            "",
            " ".repeat(caret_at),
            palette.severity(d.severity, "^".repeat(caret_len.max(1)))
        )?;
        if let Some(fix) = &d.fix {
            writeln!(
                out,
                "{:gutter$} {} {} ({}): {}",
                "",
                palette.gutter("="),
                palette.help("fix"),
                fix.applicability.as_str(),
                fix.title
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}
