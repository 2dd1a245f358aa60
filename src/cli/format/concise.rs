//! `concise`: one line per finding.

use std::io::{self, Write};

use super::color::Palette;
use super::common::{Emit, Located, Report, write_in_parallel};

pub struct Concise;

impl Emit for Concise {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        emit_styled(out, report, Palette::PLAIN)
    }
}

/// `concise` in `palette`'s styles.
pub fn emit_styled(out: &mut dyn Write, report: &Report, palette: Palette) -> io::Result<()> {
    write_in_parallel(out, report.found, b"", |slice| render(slice, palette))?;
    Ok(())
}

/// The lines of `found`, in order.
pub fn render(found: &[Located], palette: Palette) -> Vec<u8> {
    let mut buf = Vec::with_capacity(found.len() * 128);
    for l in found {
        // Writing to memory cannot fail.
        let _ = writeln!(buf, "{}", concise_line_styled(l, palette));
    }
    buf
}

/// `path:line:col: CODE [severity] message`: a line of `concise`, the
/// first line of each `full` entry, and JUnit's failure text.
pub fn concise_line(l: &Located) -> String {
    concise_line_styled(l, Palette::PLAIN)
}

/// [`concise_line`] in `palette`'s styles: the path bold, the position
/// dimmed, the code and severity in the severity's color.
pub fn concise_line_styled(l: &Located, palette: Palette) -> String {
    let d = l.diagnostic;
    format!(
        "{}{} {} {} {}",
        palette.path(crate::text::path_for_terminal(l.path)),
        palette.position(format_args!(":{}:{}:", l.at.start.line, l.at.start.column)),
        palette.severity(d.severity, d.rule.code()),
        palette.severity(d.severity, format_args!("[{}]", d.severity.as_str())),
        crate::text::escape_for_terminal(&d.message)
    )
}
