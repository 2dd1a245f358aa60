//! `json`: one pretty-printed document, every diagnostic with its range and
//! fix, and the summary. The diagnostics are serialized in parallel.

use std::io::{self, Write};

use serde::Serialize;

use super::common::{Emit, Located, Report, Summary};
use crate::project::checked::Pos;

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

pub struct Json;

impl Emit for Json {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        let (found, summary) = (report.found, report.summary);
        if found.is_empty() {
            let report = JsonReport {
                version: 1,
                diagnostics: Vec::new(),
                summary,
            };
            let mut buf = super::safe_json::to_vec_pretty(&report)?;
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
        out.write_all(&indented(&super::safe_json::to_vec_pretty(&summary)?, 2))?;
        out.write_all(b"\n}\n")
    }
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
        super::safe_json::to_writer_pretty(&mut one, &json_diagnostic(l))?;
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
            let report = Report {
                files: &[],
                found: &found,
                summary,
            };
            Json.emit(&mut ours, &report).unwrap();
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
}
