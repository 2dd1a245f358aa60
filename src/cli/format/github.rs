//! `github`: GitHub Actions workflow commands, one annotation per finding.

use std::io::{self, Write};

use super::common::{Emit, Located, Report, ci_path, write_in_parallel};
use crate::rules::Severity;

pub struct Github;

impl Emit for Github {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        write_in_parallel(out, report.found, b"", render)?;
        Ok(())
    }
}

/// The workflow commands of `found`, in order.
pub fn render(found: &[Located]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(found.len() * 256);
    for l in found {
        let d = l.diagnostic;
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        // Writing to memory cannot fail.
        let _ = writeln!(
            buf,
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            gh_property(ci_path(l.path)),
            l.at.start.line,
            l.at.start.column,
            l.at.end.line,
            l.at.end.column,
            gh_property(&format!("{} {}", d.rule.code(), d.rule.name())),
            gh_data(&d.message)
        );
    }
    buf
}

/// Escapes the message of a workflow command: control characters and
/// bidirectional overrides as `\u{…}`, then GitHub's `%` escapes (`%0D`
/// and `%0A` are then never needed, but kept for safety).
fn gh_data(s: &str) -> String {
    crate::text::escape_for_terminal(s)
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        // Control characters are written visibly first (no raw line break
        // can reach the log), then `%`, `:` and `,` as GitHub reads them.
        assert_eq!(gh_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d\\u{a}e");
        assert_eq!(gh_data("50% a:b,c\r\n"), "50%25 a:b,c\\u{d}\\u{a}");
        assert_eq!(gh_data("\u{1b}[2J::error x"), "\\u{1b}[2J::error x");
    }
}
