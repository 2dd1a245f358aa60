//! `json-lines`: each diagnostic as `json` has it, one per line, with no
//! summary.

use std::io::{self, Write};

use super::common::{Emit, Report};
use super::json::json_diagnostic;

pub struct JsonLines;

impl Emit for JsonLines {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        for l in report.found {
            super::safe_json::to_writer(&mut *out, &json_diagnostic(l))?;
            writeln!(out)?;
        }
        Ok(())
    }
}
