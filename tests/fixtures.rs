//! Fixture-driven snapshot tests: one fixture per rule (positive and negative
//! cases) and one per scanner context.

use std::path::Path;

use trueconf_lsp::fix::Applicability;
use trueconf_lsp::rules::{AllowedServers, Config, RuleSet};
use trueconf_lsp::scan::{DocKind, scan};
use trueconf_lsp::text::Span;
use trueconf_lsp::text::{Encoding, LineIndex};
use trueconf_lsp::uri::{Link, redact};
use trueconf_lsp::{analyze, fix_all};

fn pos(index: &LineIndex, text: &str, offset: usize) -> String {
    let lc = index.line_col(text, offset, Encoding::Utf32);
    format!("{}:{}", lc.line + 1, lc.col + 1)
}

/// The fixture's rule code: the file stem up to the first `-` or `.`.
fn code_of(path: &Path) -> String {
    let stem = path.file_stem().unwrap().to_string_lossy();
    stem.split(['-', '.']).next().unwrap().to_string()
}

fn rule_config(code: &str) -> Config {
    Config {
        rules: RuleSet::from_selectors(&[code], &[]),
        allowed_servers: Some(
            AllowedServers::new(&["video.example.com".into(), "*.corp.example.com".into()])
                .unwrap(),
        ),
        ..Config::default()
    }
}

/// The source text of `span` with passwords shown as `***`.
fn shown(text: &str, span: Span, secrets: &[Span]) -> String {
    let rel: Vec<Span> = secrets
        .iter()
        .filter(|s| span.start <= s.start && s.end <= span.end)
        .map(|s| Span::new(s.start - span.start, s.end - span.start))
        .collect();
    let mut out = redact(&text[span.range()], &rel);
    if secrets
        .iter()
        .any(|s| s.overlaps(span) && !(span.start <= s.start && s.end <= span.end))
    {
        out = "***".into();
    }
    out
}

/// Renders a rule fixture: every finding with its exact source text, the
/// fix's edits, then the file after all fixes (unsafe included).
fn render_rule_fixture(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let kind = DocKind::from_path(&path.to_string_lossy());
    let code = code_of(path);
    let config = rule_config(&code);
    let analysis = analyze(&text, kind, &config);
    let index = LineIndex::new(&text);
    let mut out = String::new();
    for d in &analysis.diagnostics {
        assert_eq!(
            d.rule.code(),
            code,
            "fixture {path:?} only runs its own rule"
        );
        out.push_str(&format!(
            "{}-{} {} [{}] {}\n    source: {:?}\n",
            pos(&index, &text, d.span.start),
            pos(&index, &text, d.span.end),
            d.rule.code(),
            d.severity.as_str(),
            d.message,
            shown(&text, d.span, &analysis.secrets),
        ));
        if let Some(fix) = &d.fix {
            out.push_str(&format!(
                "    fix ({}): {}\n",
                fix.applicability.as_str(),
                fix.title
            ));
            for e in &fix.edits {
                out.push_str(&format!(
                    "      {:?} -> {:?}\n",
                    shown(&text, e.span, &analysis.secrets),
                    e.content
                ));
            }
        }
    }
    let fixed = fix_all(&text, kind, &config, Applicability::Unsafe);
    assert!(fixed.converged, "{path:?}: fixes did not converge");
    let again = fix_all(&fixed.text, kind, &config, Applicability::Unsafe);
    assert_eq!(again.applied, 0, "{path:?}: fixing twice changed something");
    out.push_str("---- after all fixes ----\n");
    out.push_str(&fixed.text);
    out
}

#[test]
fn rule_fixtures() {
    insta::glob!("fixtures/rules/*", |path| {
        let rendered = render_rule_fixture(path);
        let code = code_of(path);
        assert!(
            rendered.contains(&format!(" {code} [")),
            "{path:?} has no positive case"
        );
        insta::assert_snapshot!(rendered);
    });
}

#[test]
fn every_rule_has_a_fixture() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let codes: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| code_of(&e.unwrap().path()))
        .collect();
    // TC100 and TC020 (network probes, tests/online.rs) are not link rules.
    for rule in trueconf_lsp::rules::Rule::LINK_RULES {
        assert!(
            codes.iter().any(|c| c == rule.code()),
            "no fixture for {}",
            rule.code()
        );
    }
}

/// Renders a scanner fixture: each link's position, context and text (with
/// passwords redacted), and what it reads as once decoded.
fn render_scan_fixture(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.to_string_lossy();
    let kind = DocKind::from_path(&name).sniffed(&name, &text);
    let index = LineIndex::new(&text);
    let mut out = format!("kind: {kind:?}\n");
    for link in scan(&text, kind) {
        let decoded = link.decoded(&text);
        let parsed = Link::parse(&decoded.text);
        let source = &text[link.span.range()];
        assert!(text.is_char_boundary(link.span.start) && text.is_char_boundary(link.span.end));
        out.push_str(&format!(
            "{}-{} {:?} {:?}\n",
            pos(&index, &text, link.span.start),
            pos(&index, &text, link.span.end),
            link.context,
            source,
        ));
        if !decoded.is_identity() {
            out.push_str(&format!("    reads as {:?}\n", parsed.redacted()));
        }
    }
    out
}

#[test]
fn scan_fixtures() {
    insta::glob!("fixtures/scan/*", |path| {
        insta::assert_snapshot!(render_scan_fixture(path));
    });
}
