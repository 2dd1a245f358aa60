//! `json`: one pretty-printed document, every diagnostic with its range and
//! fix, and the summary. The diagnostics are serialized in parallel and
//! written as they are ready.

use std::io::{self, Write};

use serde::Serialize;

use super::common::{Emit, Located, Report, Summary, write_in_parallel};
use super::safe_json::Safe;
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
            return write_empty(out, summary);
        }
        // The same bytes as `to_vec_pretty` of the whole report, the
        // diagnostics serialized in parallel slices written in order.
        out.write_all(HEAD)?;
        if !write_in_parallel(out, found, BETWEEN, json_elements)? {
            return Ok(());
        }
        write_tail(out, summary)
    }
}

/// What comes before the first diagnostic of a report that has one.
pub const HEAD: &[u8] = b"{\n  \"version\": 1,\n  \"diagnostics\": [\n";

/// What comes between the [`json_elements`] of two parts of the report.
pub const BETWEEN: &[u8] = b",\n";

/// The report without diagnostics: all of it.
pub fn write_empty(out: &mut dyn Write, summary: Summary) -> io::Result<()> {
    let report = JsonReport {
        version: 1,
        diagnostics: Vec::new(),
        summary,
    };
    let mut buf = super::safe_json::to_vec_pretty(&report)?;
    buf.push(b'\n');
    out.write_all(&buf)
}

/// What comes after the last diagnostic: the summary, and the end.
pub fn write_tail(out: &mut dyn Write, summary: Summary) -> io::Result<()> {
    out.write_all(b"\n  ],\n  \"summary\": ")?;
    let mut buf = Vec::new();
    summary.serialize(&mut serde_json::Serializer::with_formatter(
        &mut buf,
        Safe(Nested::at(1)),
    ))?;
    out.write_all(&buf)?;
    out.write_all(b"\n}\n")
}

/// The diagnostics as elements of the report's array: pretty-printed,
/// indented two levels, separated by `,\n`. Written field by field, the
/// bytes `to_vec_pretty` gives for [`json_diagnostic`] there (the test
/// below compares the two), in a third of serde's time: a report of tens of
/// thousands of findings spent a tenth of the run serializing them.
pub fn json_elements(found: &[Located]) -> Vec<u8> {
    let mut out = Vec::with_capacity(found.len() * 1024);
    for (i, l) in found.iter().enumerate() {
        out.extend_from_slice(if i > 0 { b",\n    " } else { b"    " });
        write_diagnostic(&mut out, l);
    }
    out
}

/// One diagnostic, pretty-printed as the second level of the report.
fn write_diagnostic(out: &mut Vec<u8>, l: &Located) {
    let d = l.diagnostic;
    out.extend_from_slice(b"{\n      \"path\": ");
    string(out, l.path);
    out.extend_from_slice(b",\n      \"code\": ");
    string(out, d.rule.code());
    out.extend_from_slice(b",\n      \"name\": ");
    string(out, d.rule.name());
    out.extend_from_slice(b",\n      \"severity\": ");
    string(out, d.severity.as_str());
    out.extend_from_slice(b",\n      \"message\": ");
    string(out, &d.message);
    out.extend_from_slice(b",\n      \"range\": ");
    range(out, l.at.start, l.at.end, 3);
    out.extend_from_slice(b",\n      \"fix\": ");
    match &d.fix {
        None => out.extend_from_slice(b"null"),
        Some(f) => {
            out.extend_from_slice(b"{\n        \"title\": ");
            string(out, &f.title);
            out.extend_from_slice(b",\n        \"applicability\": ");
            string(out, f.applicability.as_str());
            out.extend_from_slice(b",\n        \"edits\": ");
            // The edits as `json_diagnostic` pairs them with their places.
            let mut edits = f.edits.iter().zip(&l.at.edits).peekable();
            if edits.peek().is_none() {
                out.extend_from_slice(b"[]");
            } else {
                out.push(b'[');
                for (i, (e, &(start, end))) in edits.enumerate() {
                    out.extend_from_slice(if i > 0 {
                        b",\n          "
                    } else {
                        b"\n          "
                    });
                    out.extend_from_slice(b"{\n            \"range\": ");
                    range(out, start, end, 6);
                    out.extend_from_slice(b",\n            \"content\": ");
                    string(out, &e.content);
                    out.extend_from_slice(b"\n          }");
                }
                out.extend_from_slice(b"\n        ]");
            }
            out.extend_from_slice(b"\n      }");
        }
    }
    out.extend_from_slice(b"\n    }");
}

/// A JSON string, escaped as serde_json and [`Safe`] escape it. Most
/// strings need no escape at all: those are copied as they are.
fn string(out: &mut Vec<u8>, s: &str) {
    // Neither JSON's escapes (`"`, `\`, C0 controls) nor [`Safe`]'s. Every
    // byte is looked at, without a branch: the compiler vectorizes it.
    let needs_escape = s.bytes().fold(false, |any, b| {
        any | (b == b'"') | (b == b'\\') | crate::text::may_start_unsafe_to_print(b)
    });
    if !needs_escape {
        out.reserve(s.len() + 2);
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    s.serialize(&mut serde_json::Serializer::with_formatter(
        out,
        Safe(serde_json::ser::CompactFormatter),
    ))
    .expect("writing a string to memory");
}

/// A range object opened at nesting `level` (its members one level deeper).
fn range(out: &mut Vec<u8>, start: Pos, end: Pos, level: usize) {
    let indent = |out: &mut Vec<u8>, n: usize| {
        out.push(b'\n');
        out.resize(out.len() + 2 * n, b' ');
    };
    out.push(b'{');
    for (i, (key, at)) in [(&b"\"start\": {"[..], start), (b"\"end\": {", end)]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            out.push(b',');
        }
        indent(out, level + 1);
        out.extend_from_slice(key);
        indent(out, level + 2);
        out.extend_from_slice(b"\"line\": ");
        out.extend_from_slice(itoa::Buffer::new().format(at.line).as_bytes());
        out.push(b',');
        indent(out, level + 2);
        out.extend_from_slice(b"\"column\": ");
        out.extend_from_slice(itoa::Buffer::new().format(at.column).as_bytes());
        indent(out, level + 1);
        out.push(b'}');
    }
    indent(out, level);
    out.push(b'}');
}

/// serde_json's `PrettyFormatter` (two spaces a level; [`Safe`] adds the
/// escapes) for a value written
/// `level` levels deep in a pretty-printed document: the same bytes as
/// that value's part of the whole document's `to_vec_pretty`.
struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    fn at(level: usize) -> Nested {
        Nested {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + Write>(&self, w: &mut W) -> io::Result<()> {
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(bracket)
    }

    fn close<W: ?Sized + Write>(&mut self, w: &mut W, bracket: &[u8]) -> io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(bracket)
    }

    fn item<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + Write>(&mut self, _w: &mut W) -> io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every shape a diagnostic can take (no fix, a fix with no edit, with
    /// several, strings that need escaping, unsafe characters, large
    /// numbers) written by hand equals serde's pretty printing of it.
    #[test]
    fn hand_written_elements_equal_serde_for_every_shape() {
        use crate::fix::{Applicability, Edit, Fix};
        use crate::rules::{Diagnostic, Rule};
        use crate::text::Span;
        let at = |line, column| Pos { line, column };
        let mut plain = Diagnostic::new(Rule::DeprecatedScheme, Span::new(0, 1), "plain");
        plain.fix = None;
        let mut empty = Diagnostic::new(
            Rule::UnknownParameter,
            Span::new(0, 1),
            "quote \" backslash \\ tab \t nul \u{0} esc \u{1b} del \u{7f} c1 \u{9b} bidi \u{202e} ls \u{2028} é 中",
        );
        empty.fix = Some(Fix::new("no edits", Vec::new(), Applicability::DisplayOnly));
        let mut two = Diagnostic::new(Rule::MissingEncrypt, Span::new(0, 1), "two");
        two.fix = Some(Fix::new(
            "two \u{85}edits",
            vec![
                Edit::insertion(0, "&a=\"1\""),
                Edit::deletion(Span::new(1, 3)),
                Edit::insertion(4, "\\\u{2066}"),
            ],
            Applicability::Unsafe,
        ));
        let placed = |edits: usize| crate::project::checked::Placed {
            start: at(1, 1),
            end: at(u32::MAX, 4_294_967),
            line: Span::new(0, 0),
            edits: (0..edits as u32)
                .map(|i| (at(i, 10), at(i + 1, 0)))
                .collect(),
        };
        let places = [placed(0), placed(0), placed(3)];
        let diagnostics = [plain, empty, two];
        let found: Vec<Located> = diagnostics
            .iter()
            .zip(&places)
            .enumerate()
            .map(|(i, (d, at))| {
                let path = ["a.md", "dir/\"q\\\u{1b}\u{9b}\u{202e}.md", "é/中.md"][i];
                Located::bare(path, d, at)
            })
            .collect();
        let mut reference = Vec::new();
        for (i, l) in found.iter().enumerate() {
            reference.extend_from_slice(if i > 0 { b",\n    " } else { b"    " });
            let mut ser =
                serde_json::Serializer::with_formatter(&mut reference, Safe(Nested::at(2)));
            json_diagnostic(l).serialize(&mut ser).unwrap();
        }
        assert_eq!(
            String::from_utf8(json_elements(&found)).unwrap(),
            String::from_utf8(reference).unwrap()
        );
    }

    #[test]
    fn json_report_equals_serde_pretty_of_the_whole() {
        let text = "a trueconf:login=u&password=x&force=1 é visicall:bob@h\n".repeat(700);
        let analysis = crate::analyze(&text, crate::scan::DocKind::Plain, &Default::default());
        let places = crate::project::checked::place(&text, &analysis);
        // Many slices, more than there are cores.
        assert!(
            analysis.diagnostics.len() > 4 * crate::cli::format::common::SLICE,
            "{}",
            analysis.diagnostics.len()
        );
        for n in [
            0,
            1,
            3,
            crate::cli::format::common::SLICE,
            crate::cli::format::common::SLICE + 1,
            analysis.diagnostics.len(),
        ] {
            let found: Vec<Located> = analysis.diagnostics[..n]
                .iter()
                .zip(&places)
                .map(|(d, at)| Located::bare("dir/\"q\".md", d, at))
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
