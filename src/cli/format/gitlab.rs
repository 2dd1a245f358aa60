//! `gitlab`: GitLab Code Quality, a JSON array of issues.

use std::collections::HashMap;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::common::{Emit, Report, ci_path};
use crate::cli::diff::redact;
use crate::rules::{Rule, Severity};

/// The fingerprint hashes the path, the rule and the finding's line with
/// passwords redacted (not the line number, so it survives edits
/// elsewhere), plus a counter that tells equal lines apart.
pub struct Gitlab;

impl Emit for Gitlab {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()> {
        let mut seen: HashMap<u128, usize> = HashMap::new();
        // The hash of path, rule and redacted line, once per (file, line,
        // rule): redacting and hashing a long line for each of its findings
        // made the report quadratic (20,000 findings on a line: 27 s).
        let mut bases: HashMap<(&str, usize, &str), u128> = HashMap::new();
        let issues: Vec<Value> = report
            .found
            .iter()
            .map(|l| {
                let d = l.diagnostic;
                let line = l.at.line;
                let base = *bases
                    .entry((l.path, line.start, d.rule.code()))
                    .or_insert_with(|| {
                        let base = l.text_start.unwrap_or(0);
                        let source = &l.text[line.start - base..line.end - base];
                        let content = redact(source, line.start, l.secrets);
                        let key =
                            format!("{}\0{}\0{}", ci_path(l.path), d.rule.code(), content.trim());
                        fnv1a128(key.as_bytes())
                    });
                let n = seen.entry(base).or_default();
                *n += 1;
                // FNV-1a is a stream: hashing `{key}\0{n}` goes on from the
                // key's hash.
                let fingerprint = if *n == 1 {
                    format!("{base:032x}")
                } else {
                    format!("{:032x}", fnv1a128_from(base, format!("\0{n}").as_bytes()))
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
        super::safe_json::to_writer_pretty(&mut *out, &issues)?;
        writeln!(out)
    }
}

/// FNV-1a, 128 bits: a stable, dependency-free fingerprint (not a security
/// hash; its input holds no password).
pub fn fnv1a128(data: &[u8]) -> u128 {
    fnv1a128_from(0x6c62272e07bb014262b821756295c58d, data)
}

/// FNV-1a 128 of `prefix` followed by `data`, given `h`, the hash of
/// `prefix`.
pub fn fnv1a128_from(mut h: u128, data: &[u8]) -> u128 {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_reference_values() {
        // FNV-1a 128 of "" and "a", from the reference description.
        assert_eq!(fnv1a128(b""), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv1a128(b"a"), 0xd228cb696f1a8caf78912b704e4a8964);
        assert_eq!(fnv1a128_from(fnv1a128(b"ab"), b"c\0d"), fnv1a128(b"abc\0d"));
    }
}
