//! `json-lines`: each diagnostic as `json` has it, one per line, with no
//! summary.

use std::io::{self, Write};

use super::common::{Emit, Located, Report, write_in_parallel};
use super::json::json_diagnostic;

pub struct JsonLines;

impl Emit for JsonLines {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        write_in_parallel(out, report.found, b"", render)?;
        Ok(())
    }
}

/// The lines of `found`, in order.
pub fn render(found: &[Located]) -> Vec<u8> {
    let mut buf = Vec::with_capacity(found.len() * 512);
    for l in found {
        // Writing to memory cannot fail.
        let _ = super::safe_json::to_writer(&mut buf, &json_diagnostic(l));
        buf.push(b'\n');
    }
    buf
}
