//! The rules: stable codes, names, default severities and documentation, and
//! the check that runs every enabled rule on every link of a document.

mod authority_slashes;
mod deprecated_scheme;
mod duplicate_parameter;
mod empty_segment;
mod escaped_backslash;
mod invalid_parameter_value;
mod invalid_percent_escape;
mod missing_encrypt;
mod nonstandard_conference_prefix;
mod plaintext_password;
mod query_separator;
mod raw_ampersand_in_html;
mod raw_fragment;
mod server_not_allowed;
mod unescaped_rtsp_slash;
mod unknown_parameter;

use std::borrow::Cow;

use crate::config::Config;
use crate::fix::{Edit, Fix};
use crate::scan::{Context, Decode, Decoded, DocKind, RawLink, encode};
use crate::text::Span;
use crate::uri::{Link, Param};

/// How much a finding matters. Ordered `Hint < Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

macro_rules! rules {
    ($($variant:ident => $code:literal, $name:literal, $sev:ident, $module:ident;)*) => {
        /// Every rule. Codes are stable and never reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule { $($variant,)* UnusedSuppression }

        impl Rule {
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)* Rule::UnusedSuppression];

            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* Rule::UnusedSuppression => "TC100" }
            }

            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* Rule::UnusedSuppression => "unused-suppression" }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$sev,)* Rule::UnusedSuppression => Severity::Info }
            }

            /// The rule's documentation: What it does, Why, Example, Fix safety.
            pub fn explain(self) -> &'static str {
                match self {
                    $(Rule::$variant => $module::EXPLANATION,)*
                    Rule::UnusedSuppression => UNUSED_SUPPRESSION,
                }
            }

            fn check(self, ctx: &LinkCtx, out: &mut Vec<Diagnostic>) {
                match self {
                    $(Rule::$variant => $module::check(ctx, out),)*
                    Rule::UnusedSuppression => {}
                }
            }
        }
    };
}

rules! {
    DeprecatedScheme => "TC001", "deprecated-scheme", Warning, deprecated_scheme;
    MissingEncrypt => "TC002", "missing-encrypt", Error, missing_encrypt;
    UnescapedRtspSlash => "TC003", "unescaped-rtsp-slash", Error, unescaped_rtsp_slash;
    PlaintextPassword => "TC004", "plaintext-password", Warning, plaintext_password;
    InvalidPercentEscape => "TC005", "invalid-percent-escape", Warning, invalid_percent_escape;
    UnknownParameter => "TC006", "unknown-parameter", Warning, unknown_parameter;
    InvalidParameterValue => "TC007", "invalid-parameter-value", Error, invalid_parameter_value;
    DuplicateParameter => "TC008", "duplicate-parameter", Warning, duplicate_parameter;
    RawFragment => "TC009", "raw-fragment", Warning, raw_fragment;
    NonstandardConferencePrefix => "TC010", "nonstandard-conference-prefix", Warning, nonstandard_conference_prefix;
    AuthoritySlashes => "TC011", "authority-slashes", Warning, authority_slashes;
    EmptySegment => "TC012", "empty-segment", Warning, empty_segment;
    QuerySeparator => "TC013", "query-separator", Warning, query_separator;
    EscapedBackslash => "TC014", "escaped-backslash", Error, escaped_backslash;
    RawAmpersandInHtml => "TC015", "raw-ampersand-in-html", Info, raw_ampersand_in_html;
    ServerNotAllowed => "TC016", "server-not-allowed", Error, server_not_allowed;
}

/// Documentation of TC100, which the suppression machinery reports.
const UNUSED_SUPPRESSION: &str = "\
# TC100 unused-suppression

## What it does
Reports a `trueconf-lsp-disable…` comment that silences nothing.

## Why is this bad?
A stale suppression hides the next real problem on that line, and tells
readers about a problem that is no longer there.

## Example
```markdown
<!-- trueconf-lsp-disable-next-line TC002 -->
[call](trueconf:bob)
```

## Fix safety
No automatic fix: remove the comment.
";

impl Rule {
    /// The rule with this code (`TC002`) or name (`missing-encrypt`).
    pub fn from_code(code: &str) -> Option<Rule> {
        let code = code.trim();
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(code) || r.name() == code)
    }
}

/// A problem found in a document, with its span in the source bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    pub span: Span,
    /// Never contains a password.
    pub message: String,
    pub fix: Option<Fix>,
}

impl Diagnostic {
    pub fn new(rule: Rule, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity(),
            span,
            message: message.into(),
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

/// What a rule sees of one link.
pub struct LinkCtx<'a> {
    pub source: &'a str,
    pub kind: DocKind,
    pub raw: &'a RawLink,
    pub decoded: &'a Decoded<'a>,
    pub link: &'a Link<'a>,
    pub config: &'a Config,
}

impl LinkCtx<'_> {
    /// The source span of a span of the decoded link.
    pub fn span(&self, s: Span) -> Span {
        let base = self.raw.span.start;
        Span::new(
            base + self.decoded.to_source(s.start),
            base + self.decoded.to_source(s.end),
        )
    }

    /// The whole link in the source.
    pub fn link_span(&self) -> Span {
        self.raw.span
    }

    /// `s` as it must be written into this link's source.
    pub fn encode<'s>(&self, s: &'s str) -> Cow<'s, str> {
        if self.raw.context.is_html() {
            encode(s, Decode::Entities)
        } else if self.raw.decode == Decode::Backslash {
            encode(s, Decode::Backslash)
        } else {
            Cow::Borrowed(s)
        }
    }

    /// A replacement of a decoded span with text encoded for the context.
    pub fn replace(&self, s: Span, content: &str) -> Edit {
        Edit::replacement(self.span(s), self.encode(content))
    }

    /// Deletes a parameter with its separator, or, for the first segment,
    /// with the separator after it.
    pub fn delete_param(&self, p: &Param) -> Edit {
        let text = self.link.text;
        let span = match p.separator {
            Some(sep) => Span::new(sep.start, p.span.end),
            None if p.span.end < text.len() => Span::new(p.span.start, p.span.end + 1),
            None => p.span,
        };
        Edit::deletion(self.span(span))
    }

    pub fn in_html_attribute(&self) -> bool {
        matches!(self.raw.context, Context::HtmlAttribute { .. })
    }
}

/// Runs every enabled rule on `links` of `source`, and returns the findings
/// in source order with the configured severities, and the source spans of
/// the links' secrets (password values).
pub fn check(
    source: &str,
    kind: DocKind,
    links: &[RawLink],
    config: &Config,
) -> (Vec<Diagnostic>, Vec<Span>) {
    let mut out = Vec::new();
    let mut secrets = Vec::new();
    let enabled: Vec<Rule> = Rule::ALL
        .iter()
        .copied()
        .filter(|r| config.is_enabled(*r))
        .collect();
    for raw in links {
        let decoded = raw.decoded(source);
        let link = Link::parse(&decoded.text);
        let base = raw.span.start;
        for s in link.secrets() {
            secrets.push(Span::new(
                base + decoded.to_source(s.start),
                base + decoded.to_source(s.end),
            ));
        }
        let ctx = LinkCtx {
            source,
            kind,
            raw,
            decoded: &decoded,
            link: &link,
            config,
        };
        let from = out.len();
        for rule in &enabled {
            rule.check(&ctx, &mut out);
        }
        for d in &mut out[from..] {
            if let Some(sev) = config.severity_override(d.rule) {
                d.severity = sev;
            }
        }
    }
    out.sort_by_key(|a| (a.span.start, a.span.end, a.rule));
    (out, secrets)
}

pub(crate) use crate::uri::edit_distance;

#[cfg(test)]
pub(crate) mod test_support {
    use crate::config::Config;
    use crate::fix::Applicability;
    use crate::scan::DocKind;

    /// Diagnostics of one rule on `src`, as `code@start..end message`.
    pub fn diags(src: &str, kind: DocKind, code: &str) -> Vec<String> {
        let config = Config::default();
        crate::analyze(src, kind, &config)
            .diagnostics
            .into_iter()
            .filter(|d| d.rule.code() == code)
            .map(|d| format!("{}..{} {}", d.span.start, d.span.end, d.message))
            .collect()
    }

    /// `src` with every fix of rule `code` applied (unsafe ones too), once.
    pub fn fixed(src: &str, kind: DocKind, code: &str) -> String {
        let config = Config::default();
        let analysis = crate::analyze(src, kind, &config);
        let fixes: Vec<_> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.rule.code() == code)
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applies(Applicability::Unsafe))
            .collect();
        crate::fix::apply(src, fixes).0
    }
}
