//! `sarif`: SARIF 2.1.0, for code scanning.

use std::io::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use super::common::{Emit, Located, Report, ci_path};
use crate::project::checked::Pos;
use crate::rules::{Rule, Severity};

/// Every rule in `tool.driver.rules`, one result per finding with its
/// region (columns in Unicode code points) and its fix.
pub struct Sarif;

impl Emit for Sarif {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        let docs = docs_url(report);
        let rules: Vec<Value> = Rule::ALL
            .iter()
            .map(|r| {
                let full = [
                    r.doc_section("What it does"),
                    r.doc_section("Why is this bad?"),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n\n");
                let mut rule = json!({
                    "id": r.code(),
                    "name": r.name(),
                    "shortDescription": {"text": short_description(*r)},
                    "fullDescription": {"text": full},
                    "help": {"text": r.explain(), "markdown": r.explain()},
                    "defaultConfiguration": {"level": sarif_level(r.default_severity())},
                });
                if let Some(base) = docs {
                    rule["helpUri"] = json!(crate::project::rule_docs(base, *r));
                }
                rule
            })
            .collect();
        let mut driver = json!({
            "name": "trueconf-lsp",
            "version": env!("CARGO_PKG_VERSION"),
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        });
        if let Some(uri) = docs {
            driver["informationUri"] = json!(uri);
        }
        // Written as `serde_json::to_writer_pretty` would write the whole log
        // as one value (keys in order, two-space indents), but each result
        // is built only when its turn comes and dropped once written: a
        // value tree of every result costs kilobytes per finding.
        let log = Log { driver, report };
        let mut ser =
            serde_json::Serializer::with_formatter(&mut *out, super::safe_json::Safe::pretty());
        log.serialize(&mut ser)?;
        writeln!(out)
    }
}

/// The SARIF log: its keys in the order a `serde_json::Map` keeps them
/// (sorted), so that the bytes are those of the whole log as one value.
struct Log<'a> {
    driver: Value,
    report: &'a Report<'a>,
}

impl Serialize for Log<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("$schema", "https://json.schemastore.org/sarif-2.1.0.json")?;
        map.serialize_entry("runs", &[Run(self)])?;
        map.serialize_entry("version", "2.1.0")?;
        map.end()
    }
}

struct Run<'a, 'b>(&'b Log<'a>);

impl Serialize for Run<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("columnKind", "unicodeCodePoints")?;
        map.serialize_entry("results", &Results(self.0.report))?;
        map.serialize_entry("tool", &json!({"driver": &self.0.driver}))?;
        map.end()
    }
}

/// The results, each built as it is written.
struct Results<'a, 'b>(&'b Report<'a>);

impl Serialize for Results<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.found.iter().map(result))
    }
}

/// One finding as a SARIF result.
fn result(l: &Located) -> Value {
    let d = l.diagnostic;
    let uri = artifact_uri(l.path);
    let mut result = json!({
        "ruleId": d.rule.code(),
        "ruleIndex": Rule::ALL.iter().position(|r| *r == d.rule).unwrap_or(0),
        "level": sarif_level(d.severity),
        "message": {"text": d.message},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri},
                "region": region(l.at.start, l.at.end),
            }
        }],
    });
    if let Some(fix) = &d.fix {
        let replacements: Vec<Value> = fix
            .edits
            .iter()
            .zip(&l.at.edits)
            .map(|(e, &(start, end))| {
                json!({
                    "deletedRegion": region(start, end),
                    "insertedContent": {"text": e.content},
                })
            })
            .collect();
        result["fixes"] = json!([{
            "description": {"text": fix.title},
            "artifactChanges": [{
                "artifactLocation": {"uri": uri},
                "replacements": replacements,
            }],
            "properties": {"applicability": fix.applicability.as_str()},
        }]);
    }
    result
}

/// The run's documentation address: the `docs-url` of the checked files'
/// configuration when they all have the same, else the package's
/// [`homepage`](crate::project::homepage) (`None` when it has none).
fn docs_url<'a>(report: &'a Report) -> Option<&'a str> {
    let mut urls = report.files.iter().map(|f| f.settings.docs_url.as_deref());
    match urls.next() {
        Some(first) if urls.all(|u| u == first) => first,
        _ => crate::project::homepage(),
    }
}

/// One line of a rule's description, as tools show it next to the code.
pub fn short_description(rule: Rule) -> String {
    rule.doc_section("What it does")
        .unwrap_or(rule.name())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Characters kept as they are in a relative path used as a URI.
const PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A path as a SARIF artifact URI: relative paths stay relative, absolute
/// ones become `file:` URIs.
pub fn artifact_uri(path: &str) -> String {
    let slashed = ci_path(path).replace('\\', "/");
    let encoded = utf8_percent_encode(&slashed, PATH).to_string();
    if slashed.starts_with('/') {
        format!("file://{encoded}")
    } else if slashed.as_bytes().get(1) == Some(&b':') {
        format!("file:///{encoded}")
    } else {
        encoded
    }
}

fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn region(start: Pos, end: Pos) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.column,
        "endLine": end.line,
        "endColumn": end.column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uris() {
        assert_eq!(artifact_uri("docs/my guide.md"), "docs/my%20guide.md");
        assert_eq!(artifact_uri("./docs/a.md"), "docs/a.md");
        assert_eq!(artifact_uri("/tmp/x#y.md"), "file:///tmp/x%23y.md");
        assert_eq!(artifact_uri("C:\\a\\b.md"), "file:///C%3A/a/b.md");
    }

    #[test]
    fn short_descriptions_come_from_explain() {
        for r in Rule::ALL {
            let s = short_description(*r);
            assert!(!s.is_empty() && !s.contains('\n'), "{r:?}");
        }
        assert!(short_description(Rule::UnusedSuppression).starts_with("Reports a"));
    }
}
