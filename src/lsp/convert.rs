//! Core values to LSP values and back: spans to ranges through
//! [`crate::text`]'s one conversion in the negotiated encoding,
//! diagnostics, edits.

use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use serde_json::value::RawValue;
use tower_lsp_server::ls_types as lsp;

use crate::fix::Edit;
use crate::rules::{Diagnostic, Rule, Severity};
use crate::text::{Encoding, LineCol, LineStarts, Positions, Span};

/// The `source` of every diagnostic.
pub const SOURCE: &str = "trueconf-lsp";

/// [`Positions`] of a text with LSP types: positions, ranges, edits.
pub struct Lines<'a> {
    pub text: &'a str,
    positions: Positions<'a>,
}

impl<'a> Lines<'a> {
    /// `starts`: a [`LineIndex`], or the rope of an open document (the
    /// same answers, without an O(n) index per version).
    pub fn new(text: &'a str, starts: &'a dyn LineStarts, enc: Encoding) -> Self {
        Lines {
            text,
            positions: Positions::new(text, starts, enc),
        }
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let lc = self.positions.line_col(offset);
        lsp::Position::new(lc.line, lc.col)
    }

    /// The zero-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.positions.line_of(offset)
    }

    /// The byte range of `line`'s content, without its line break.
    pub fn line_span(&self, line: usize) -> Span {
        self.positions.line_span(line)
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range::new(self.position(span.start), self.position(span.end))
    }

    /// The byte offset of a client position (clamped).
    pub fn offset(&self, pos: lsp::Position) -> usize {
        self.positions.offset(LineCol {
            line: pos.line,
            col: pos.character,
        })
    }

    /// The byte span of a client range (clamped; a reversed range is made
    /// empty at its start).
    pub fn span(&self, range: lsp::Range) -> Span {
        let a = self.offset(range.start);
        let b = self.offset(range.end).max(a);
        Span::new(a, b)
    }

    pub fn text_edit(&self, edit: &Edit) -> lsp::TextEdit {
        lsp::TextEdit::new(self.range(edit.span), edit.content.to_string())
    }
}

pub fn encoding_kind(enc: Encoding) -> lsp::PositionEncodingKind {
    match enc {
        Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

/// The encoding to use given the client's preferences: UTF-8 if offered,
/// then UTF-32, else UTF-16 (which every client supports).
pub fn negotiate(offered: Option<&[lsp::PositionEncodingKind]>) -> Encoding {
    let offered = offered.unwrap_or_default();
    let has = |k: &lsp::PositionEncodingKind| offered.iter().any(|o| o == k);
    if has(&lsp::PositionEncodingKind::UTF8) {
        Encoding::Utf8
    } else if has(&lsp::PositionEncodingKind::UTF32) {
        Encoding::Utf32
    } else {
        Encoding::Utf16
    }
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// The documentation of a rule: its README anchor (`#tc002-missing-encrypt`)
/// under `docs` (the `docs-url` setting or the package's address:
/// [`Effective::docs_url`](crate::project::config::Effective::docs_url)),
/// or `None` when no real address is known: no link is better than an
/// invented one.
pub fn rule_href(docs: Option<&str>, rule: Rule) -> Option<String> {
    docs.map(|base| crate::project::rule_docs(base, rule))
}

/// An LSP diagnostic as sent, with its JSON, serialized once. A document's
/// diagnostics are published after every edit, most of them as they were;
/// they are shared by the lints of its versions and written as they were
/// serialized (`perf` of `lsp-latency.py` on 10 MiB: serializing all of them
/// again took 12% of an edit, copying them another 10%).
#[derive(Debug)]
pub struct Shown {
    pub diagnostic: lsp::Diagnostic,
    json: Box<RawValue>,
}

impl Shown {
    pub fn new(diagnostic: lsp::Diagnostic) -> Arc<Shown> {
        let json = serde_json::value::to_raw_value(&diagnostic).expect("LSP values serialize");
        Arc::new(Shown { diagnostic, json })
    }
}

/// Its JSON is made of the diagnostic: equal diagnostics, equal JSON.
impl PartialEq for Shown {
    fn eq(&self, other: &Shown) -> bool {
        self.diagnostic == other.diagnostic
    }
}

/// The JSON the diagnostic serializes to, the same bytes.
impl Serialize for Shown {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(serializer)
    }
}

/// Diagnostics as sent, serialized as a JSON array of them.
pub struct AsArray<'a>(pub &'a [Arc<Shown>]);

impl Serialize for AsArray<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.iter().map(|d| &**d))
    }
}

/// `d` for the client; `docs` is where the rules' documentation is.
pub fn diagnostic(d: &Diagnostic, lines: &Lines<'_>, docs: Option<&str>) -> lsp::Diagnostic {
    diagnostic_at(d, lines.range(d.span), docs)
}

/// [`diagnostic`] with its range already found.
pub fn diagnostic_at(d: &Diagnostic, range: lsp::Range, docs: Option<&str>) -> lsp::Diagnostic {
    let tags = match d.rule {
        Rule::DeprecatedScheme => Some(vec![lsp::DiagnosticTag::DEPRECATED]),
        Rule::UnusedSuppression => Some(vec![lsp::DiagnosticTag::UNNECESSARY]),
        _ => None,
    };
    lsp::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.rule.code().to_string())),
        code_description: rule_href(docs, d.rule)
            .and_then(|href| lsp::Uri::from_str(&href).ok())
            .map(|href| lsp::CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: crate::text::escape_for_terminal(&d.message).into_owned(),
        related_information: None,
        tags,
        data: None,
    }
}

/// Converts `diagnostics`, keeping at most `cap` and adding one note that
/// says how many were left out.
pub fn diagnostics(
    diagnostics: &[Diagnostic],
    lines: &Lines<'_>,
    cap: usize,
    docs: Option<&str>,
) -> Vec<lsp::Diagnostic> {
    diagnostics_ranged(diagnostics, |i| lines.range(diagnostics[i].span), cap, docs)
}

/// [`diagnostics`], the range of the `i`th diagnostic given by `range(i)`
/// (asked in increasing order, for at most `cap` + 1 of them).
pub fn diagnostics_ranged(
    diagnostics: &[Diagnostic],
    range: impl Fn(usize) -> lsp::Range,
    cap: usize,
    docs: Option<&str>,
) -> Vec<lsp::Diagnostic> {
    let mut out: Vec<lsp::Diagnostic> = diagnostics
        .iter()
        .take(cap)
        .enumerate()
        .map(|(i, d)| diagnostic_at(d, range(i), docs))
        .collect();
    if diagnostics.len() > cap {
        out.push(left_out_note(diagnostics.len(), cap, range(cap).start));
    }
    out
}

/// The note that says how many of `diagnostics` are over `cap` and not
/// shown, if any are.
pub fn left_out(
    diagnostics: &[Diagnostic],
    lines: &Lines<'_>,
    cap: usize,
) -> Option<lsp::Diagnostic> {
    let first_left_out = diagnostics.get(cap)?.span;
    let at = lines.range(Span::empty(first_left_out.start)).start;
    Some(left_out_note(diagnostics.len(), cap, at))
}

/// The note for `total` diagnostics over `cap`, at the first one left out.
fn left_out_note(total: usize, cap: usize, at: lsp::Position) -> lsp::Diagnostic {
    // The core keeps at most `MAX_FINDINGS` per document: at that
    // count, there may be more.
    let at_least = if total >= crate::rules::MAX_FINDINGS {
        "at least "
    } else {
        ""
    };
    lsp::Diagnostic {
        range: lsp::Range::new(at, at),
        severity: Some(lsp::DiagnosticSeverity::INFORMATION),
        source: Some(SOURCE.to_string()),
        message: format!(
            "{at_least}{} more trueconf: problems in this document are not shown (limit {cap}); run `trueconf-lsp --check` for all of them",
            total - cap
        ),
        ..lsp::Diagnostic::default()
    }
}

/// The one diagnostic of a document too large to lint.
pub fn too_large(len: usize, max: usize) -> lsp::Diagnostic {
    let mib = |n: usize| n as f64 / (1024.0 * 1024.0);
    lsp::Diagnostic {
        range: lsp::Range::default(),
        severity: Some(lsp::DiagnosticSeverity::INFORMATION),
        source: Some(SOURCE.to_string()),
        message: format!(
            "document too large: trueconf: links are not checked in documents over {:.1} MiB (this one has {:.1} MiB)",
            mib(max),
            mib(len)
        ),
        ..lsp::Diagnostic::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_prefers_utf8_then_utf32() {
        use lsp::PositionEncodingKind as K;
        assert_eq!(negotiate(None), Encoding::Utf16);
        assert_eq!(negotiate(Some(&[K::UTF16])), Encoding::Utf16);
        assert_eq!(negotiate(Some(&[K::UTF16, K::UTF8])), Encoding::Utf8);
        assert_eq!(negotiate(Some(&[K::UTF32, K::UTF16])), Encoding::Utf32);
        assert_eq!(negotiate(Some(&[K::new("utf-7")])), Encoding::Utf16);
    }

    #[test]
    fn hrefs_are_readme_anchors_under_the_given_address_only() {
        let base = "https://docs.example.com/trueconf-lsp/";
        assert_eq!(
            rule_href(Some(base), Rule::MissingEncrypt).unwrap(),
            format!("{base}#tc002-missing-encrypt")
        );
        for rule in Rule::ALL {
            assert!(lsp::Uri::from_str(&rule_href(Some(base), *rule).unwrap()).is_ok());
        }
        assert!(Rule::ALL.iter().all(|r| rule_href(None, *r).is_none()));
    }
}
