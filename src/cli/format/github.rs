//! `github`: GitHub Actions workflow commands, one annotation per finding.

use std::io::{self, Write};

use super::common::{Emit, Report, ci_path};
use crate::rules::Severity;

pub struct Github;

impl Emit for Github {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        for l in report.found {
            let d = l.diagnostic;
            let command = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info | Severity::Hint => "notice",
            };
            writeln!(
                out,
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                gh_property(ci_path(l.path)),
                l.at.start.line,
                l.at.start.column,
                l.at.end.line,
                l.at.end.column,
                gh_property(&format!("{} {}", d.rule.code(), d.rule.name())),
                gh_data(&d.message)
            )?;
        }
        Ok(())
    }
}

/// Escapes the message of a workflow command.
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
        assert_eq!(gh_property("a:b,c%d\ne"), "a%3Ab%2Cc%25d%0Ae");
        assert_eq!(
            gh_data("50% a:b,c\r\n"),
            "50% a:b,c%0D%0A".replace("50%", "50%25")
        );
    }
}
