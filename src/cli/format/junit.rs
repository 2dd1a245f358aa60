//! `junit`: JUnit XML, one test suite, one test case per checked file.

use std::collections::HashMap;
use std::io::{self, Write};

use super::common::{Emit, Located, Report, ci_path};
use super::concise::concise_line;
use crate::project::checked::Checked;

/// A file fails when it has a finding at or above its `fail-on` level; all
/// of its failing findings are listed in the one `<failure>`, the others in
/// `<system-out>`.
pub struct Junit;

impl Emit for Junit {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        let (files, found) = (report.files, report.found);
        let mut by_path: HashMap<&str, Vec<&Located>> = HashMap::new();
        for l in found {
            by_path.entry(l.path).or_default().push(l);
        }
        let failing = |f: &Checked| {
            f.analysis
                .diagnostics
                .iter()
                .any(|d| d.severity >= f.settings.fail_on)
        };
        let failures = files.iter().filter(|f| failing(f)).count();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="trueconf-lsp" tests="{}" failures="{failures}" errors="0">"#,
            files.len()
        )?;
        writeln!(
            out,
            r#"  <testsuite name="trueconf-lsp" tests="{}" failures="{failures}" errors="0" skipped="0">"#,
            files.len()
        )?;
        for f in files {
            let path = xml(&crate::text::escape_for_terminal(ci_path(&f.path)));
            let list = by_path
                .get(f.path.as_str())
                .map_or(&[][..], |v| v.as_slice());
            if list.is_empty() {
                writeln!(
                    out,
                    r#"    <testcase name="{path}" classname="trueconf-lsp" file="{path}"/>"#
                )?;
                continue;
            }
            writeln!(
                out,
                r#"    <testcase name="{path}" classname="trueconf-lsp" file="{path}">"#
            )?;
            let (fail, other): (Vec<&Located>, Vec<&Located>) = list
                .iter()
                .partition(|l| l.diagnostic.severity >= f.settings.fail_on);
            if let Some(first) = fail.first() {
                let message = if fail.len() == 1 {
                    concise_line(first)
                } else {
                    format!("{} problems; first: {}", fail.len(), concise_line(first))
                };
                let body: Vec<String> = fail.iter().map(|l| concise_line(l)).collect();
                writeln!(
                    out,
                    r#"      <failure type="{}" message="{}">{}</failure>"#,
                    first.diagnostic.rule.code(),
                    xml(&message),
                    xml(&body.join("\n"))
                )?;
            }
            if !other.is_empty() {
                let body: Vec<String> = other.iter().map(|l| concise_line(l)).collect();
                writeln!(
                    out,
                    "      <system-out>{}</system-out>",
                    xml(&body.join("\n"))
                )?;
            }
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")?;
        writeln!(out, "</testsuites>")
    }
}

/// Escapes text for XML 1.0 content and attribute values; characters XML
/// cannot hold become U+FFFD.
fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            xml("a<&>\"'\u{1}\r"),
            "a&lt;&amp;&gt;&quot;&apos;\u{fffd}&#13;"
        );
    }
}
