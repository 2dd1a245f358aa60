//! What a rule reports.

use std::sync::Arc;

use super::registry::{Rule, Severity};
use crate::fix::Fix;
use crate::text::Span;

/// A problem found in a document, with its span in the source bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    pub span: Span,
    /// Never contains a password. Shared: a re-lint moves findings, and a
    /// clone copies no text.
    pub message: Arc<str>,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: Rule, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity(),
            span,
            message: Arc::from(message.into()),
            fix: None,
        }
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }
}

/// Where rules put their findings. Fixing passes ask for compact ones:
/// only what applying fixes needs (rule, severity, span, edits and their
/// applicability) is kept, the message and the fix's title are dropped as
/// each finding comes, so a pass that keeps 100,000 findings holds no
/// text for them (hardening, class 4).
#[derive(Debug)]
pub struct Findings {
    items: Vec<Diagnostic>,
    compact: bool,
    /// How many findings there are when the rule now running has made as
    /// many as can be kept ([`Findings::begin_rule`]).
    stop_at: usize,
}

impl Findings {
    pub fn new(compact: bool) -> Self {
        Findings {
            items: Vec::new(),
            compact,
            stop_at: usize::MAX,
        }
    }

    /// A rule starts; at most `limit` of its findings can be kept.
    pub fn begin_rule(&mut self, limit: usize) {
        self.stop_at = self.items.len().saturating_add(limit);
    }

    /// Whether the rule now running has made as many findings as can be
    /// kept. A rule whose findings come in the order of their spans stops
    /// there: its later findings would be cut (a link of half a million
    /// unknown parameters took a second, most of it spent on findings
    /// that were then dropped).
    pub fn full(&self) -> bool {
        self.items.len() >= self.stop_at
    }

    pub fn push(&mut self, mut d: Diagnostic) {
        if self.compact {
            d.message = crate::fix::empty();
            if let Some(f) = &mut d.fix {
                f.title = crate::fix::empty();
            }
        }
        self.items.push(d);
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Amends the findings made since there were `mark`, dropping those
    /// for which `keep` says no.
    pub fn retain_since(&mut self, mark: usize, keep: impl FnMut(&mut Diagnostic) -> bool) {
        let mut recent = self.items.split_off(mark.min(self.items.len()));
        recent.retain_mut(keep);
        self.items.append(&mut recent);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}
