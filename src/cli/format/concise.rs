//! `concise`: one line per finding.

use std::io::{self, Write};

use super::common::{Emit, Located, Report};

pub struct Concise;

impl Emit for Concise {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        for l in report.found {
            writeln!(out, "{}", concise_line(l))?;
        }
        Ok(())
    }
}

/// `path:line:col: CODE [severity] message`: a line of `concise`, the
/// first line of each `full` entry, and JUnit's failure text.
pub fn concise_line(l: &Located) -> String {
    let d = l.diagnostic;
    format!(
        "{}:{}:{}: {} [{}] {}",
        crate::text::path_for_terminal(l.path),
        l.at.start.line,
        l.at.start.column,
        d.rule.code(),
        d.severity.as_str(),
        crate::text::escape_for_terminal(&d.message)
    )
}
