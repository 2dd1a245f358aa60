//! Helpers for the rule files' unit tests. They run the scanner and
//! [`super::check`] only, without the layers above the rules.

use super::{Config, Diagnostic, check};
use crate::fix::Applicability;
use crate::scan::DocKind;

/// The diagnostics of every enabled rule on `src`, with their configured
/// severities.
pub fn analyze(src: &str, kind: DocKind, config: &Config) -> Vec<Diagnostic> {
    let links = crate::scan::scan(src, kind);
    let mut diagnostics = check(src, kind, &links, config).0;
    config.apply_severities(&mut diagnostics);
    diagnostics
}

/// Diagnostics of one rule on `src`, as `code@start..end message`.
pub fn diags(src: &str, kind: DocKind, code: &str) -> Vec<String> {
    analyze(src, kind, &Config::default())
        .into_iter()
        .filter(|d| d.rule.code() == code)
        .map(|d| format!("{}..{} {}", d.span.start, d.span.end, d.message))
        .collect()
}

/// `src` with every fix of rule `code` applied (unsafe ones too), once.
pub fn fixed(src: &str, kind: DocKind, code: &str) -> String {
    let diagnostics = analyze(src, kind, &Config::default());
    let fixes: Vec<_> = diagnostics
        .iter()
        .filter(|d| d.rule.code() == code)
        .filter_map(|d| d.fix.as_ref())
        .filter(|f| f.applies(Applicability::Unsafe))
        .collect();
    crate::fix::apply(src, fixes).0
}
