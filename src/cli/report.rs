//! Reports for machines: `json-lines`, `sarif` (2.1.0), `github` (workflow
//! commands), `junit` (XML) and `gitlab` (Code Quality). None of them holds
//! a password: messages never contain one, fixes never insert one, and
//! fingerprints hash the line with its passwords replaced by `***`.

use std::collections::HashMap;
use std::io::{self, Write};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Value, json};

use super::render::{Located, concise_line, json_diagnostic};
use crate::project::checked::{Checked, Pos};
use crate::rules::{Rule, Severity};

pub fn json_lines(out: &mut dyn Write, found: &[Located]) -> io::Result<()> {
    for l in found {
        serde_json::to_writer(&mut *out, &json_diagnostic(l))?;
        writeln!(out)?;
    }
    Ok(())
}

/// The first paragraph of a section of a rule's documentation.
fn section<'a>(doc: &'a str, heading: &str) -> Option<&'a str> {
    let start = doc.find(&format!("## {heading}\n"))? + heading.len() + 4;
    let body = &doc[start..];
    let end = body.find("\n\n").unwrap_or(body.len());
    Some(body[..end].trim())
}

/// One line of a rule's description, as tools show it next to the code.
pub fn short_description(rule: Rule) -> String {
    section(rule.explain(), "What it does")
        .unwrap_or(rule.name())
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A path as CI platforms match it against the repository: `./docs/a.md`
/// is `docs/a.md`.
pub fn ci_path(path: &str) -> &str {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/');
    }
    p
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

/// SARIF 2.1.0: every rule in `tool.driver.rules`, one result per finding
/// with its region (columns in Unicode code points) and its fix.
pub fn sarif(out: &mut dyn Write, found: &[Located]) -> io::Result<()> {
    let rules: Vec<Value> = Rule::ALL
        .iter()
        .map(|r| {
            let doc = r.explain();
            let full = [
                section(doc, "What it does"),
                section(doc, "Why is this bad?"),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("\n\n");
            json!({
                "id": r.code(),
                "name": r.name(),
                "shortDescription": {"text": short_description(*r)},
                "fullDescription": {"text": full},
                "help": {"text": doc, "markdown": doc},
                "defaultConfiguration": {"level": sarif_level(r.default_severity())},
            })
        })
        .collect();
    let results: Vec<Value> = found
        .iter()
        .map(|l| {
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
        })
        .collect();
    let mut driver = json!({
        "name": "trueconf-lsp",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "rules": rules,
    });
    if let Some(uri) = information_uri() {
        driver["informationUri"] = json!(uri);
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": driver},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// The project's page, from Cargo.toml's `homepage` or `repository`.
pub fn information_uri() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|s| !s.is_empty())
}

/// Escapes the message of a workflow command.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a property value of a workflow command.
fn gh_property(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// GitHub Actions workflow commands: one annotation per finding.
pub fn github(out: &mut dyn Write, found: &[Located]) -> io::Result<()> {
    for l in found {
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

/// JUnit XML: one test suite, one test case per checked file. A file fails
/// when it has a finding at or above its `fail-on` level; all of its failing
/// findings are listed in the one `<failure>`, the others in `<system-out>`.
pub fn junit(out: &mut dyn Write, files: &[Checked], found: &[Located]) -> io::Result<()> {
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
        let path = xml(ci_path(&f.path));
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

/// FNV-1a, 128 bits: a stable, dependency-free fingerprint (not a security
/// hash; its input holds no password).
pub fn fnv1a128(data: &[u8]) -> u128 {
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in data {
        h ^= u128::from(*b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    h
}

fn gitlab_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "minor",
        Severity::Hint => "info",
    }
}

/// GitLab Code Quality: a JSON array of issues. The fingerprint hashes the
/// path, the rule and the finding's line with passwords redacted (not the
/// line number, so it survives edits elsewhere), plus a counter that tells
/// equal lines apart.
pub fn gitlab(out: &mut dyn Write, found: &[Located]) -> io::Result<()> {
    let mut seen: HashMap<u128, usize> = HashMap::new();
    let issues: Vec<Value> = found
        .iter()
        .map(|l| {
            let d = l.diagnostic;
            let line = l.at.line;
            let content = super::diff::redact(&l.text[line.range()], line.start, l.secrets);
            let key = format!("{}\0{}\0{}", ci_path(l.path), d.rule.code(), content.trim());
            let base = fnv1a128(key.as_bytes());
            let n = seen.entry(base).or_default();
            *n += 1;
            let fingerprint = if *n == 1 {
                format!("{base:032x}")
            } else {
                format!("{:032x}", fnv1a128(format!("{key}\0{n}").as_bytes()))
            };
            json!({
                "type": "issue",
                "description": format!("{} {}: {}", d.rule.code(), d.rule.name(), d.message),
                "check_name": d.rule.code(),
                "fingerprint": fingerprint,
                "severity": gitlab_severity(d.severity),
                "categories": [if matches!(d.rule, Rule::MissingEncrypt | Rule::PlaintextPassword | Rule::ServerNotAllowed) { "Security" } else { "Bug Risk" }],
                "location": {
                    "path": ci_path(l.path),
                    "lines": {"begin": l.at.start.line, "end": l.at.end.line},
                },
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
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
        assert_eq!(
            xml("a<&>\"'\u{1}\r"),
            "a&lt;&amp;&gt;&quot;&apos;\u{fffd}&#13;"
        );
        assert_eq!(artifact_uri("docs/my guide.md"), "docs/my%20guide.md");
        assert_eq!(artifact_uri("./docs/a.md"), "docs/a.md");
        assert_eq!(ci_path("././/a.md"), "a.md");
        assert_eq!(ci_path("../a.md"), "../a.md");
        assert_eq!(artifact_uri("/tmp/x#y.md"), "file:///tmp/x%23y.md");
        assert_eq!(artifact_uri("C:\\a\\b.md"), "file:///C%3A/a/b.md");
    }

    #[test]
    fn fnv_reference_values() {
        // FNV-1a 128 of "" and "a", from the reference description.
        assert_eq!(fnv1a128(b""), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv1a128(b"a"), 0xd228cb696f1a8caf78912b704e4a8964);
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
