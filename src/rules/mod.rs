//! The rules: a registry of stable codes, names and default severities
//! ([`Rule`]), the rule selection resolved once ([`RuleSet`], [`Config`]),
//! one file per rule, and the check that runs every enabled rule on every
//! link of a document.
//!
//! Inside this folder, lowest first: `registry` ← `rule_set`, `diagnostic`
//! ← `config` ← `context` ← the rule files and `code_regions` (which keeps
//! findings and fixes out of code inside a link) ← this file, which
//! dispatches to them. A rule file imports the files it builds on, never
//! this one.

mod code_regions;
mod config;
pub(crate) mod context;
mod diagnostic;
mod registry;
mod rule_set;
#[cfg(test)]
pub(crate) mod test_support;

mod authority_slashes;
mod batch_percent;
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
mod server_unreachable;
mod shell_call;
mod start_title;
mod unescaped_rtsp_slash;
mod unknown_parameter;
mod unquoted_shell_metachar;

pub use config::{AllowedServers, Config, MAX_ALLOWED_SERVERS, MAX_WILDCARDS};
pub use context::LinkCtx;
pub use diagnostic::{Diagnostic, Findings};
pub use registry::{Rule, Severity};
pub use rule_set::{RuleSet, is_valid_selector, matches_selector};
pub use server_unreachable::unreachable;

use crate::scan::{Context, DocKind, RawLink};
use crate::text::Span;
use crate::uri::{Link, Templating};

/// The dispatch from a rule to the file that implements it, generated from
/// the registry's rows.
macro_rules! define_dispatch {
    ($($variant:ident => $code:literal, $name:literal, $sev:ident, $module:ident;)*) => {
        impl Rule {
            /// The rule's documentation: What it does, Why, Example, Fix safety.
            pub fn explain(self) -> &'static str {
                match self {
                    $(Rule::$variant => $module::EXPLANATION,)*
                    Rule::ServerUnreachable => server_unreachable::EXPLANATION,
                    Rule::UnusedSuppression => UNUSED_SUPPRESSION,
                }
            }

            #[inline]
            fn check(self, ctx: &LinkCtx, out: &mut Findings) {
                match self {
                    $(Rule::$variant => $module::check(ctx, out),)*
                    Rule::ServerUnreachable | Rule::UnusedSuppression => {}
                }
            }
        }
    };
}

registry::for_each_rule!(define_dispatch);

impl Rule {
    /// The first paragraph of a section of [`Rule::explain`] (`"What it
    /// does"`, `"Fix safety"` …), trimmed; `None` when there is no such
    /// section.
    pub fn doc_section(self, heading: &str) -> Option<&'static str> {
        let doc = self.explain();
        let start = doc.find(&format!("## {heading}\n"))? + heading.len() + 4;
        let body = &doc[start..];
        let end = body.find("\n\n").unwrap_or(body.len());
        Some(body[..end].trim())
    }
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

/// The most findings kept for one document. Past it, rules stop (secrets
/// are still collected from every link), so a hostile file costs bounded
/// memory: [`check_until`] returns one finding more than this to say that
/// the rest were dropped, and [`crate::analyze`] keeps this many and sets
/// [`crate::Analysis::capped`].
pub const MAX_FINDINGS: usize = 10_000;

/// How placeholders are written where `raw` stands (trueconf-uri.md §7):
/// in a code string (a string literal of any language, JavaScript in HTML,
/// a word of a command line) the code forms count too; in other text of a
/// code file, `$NAME` too; in prose (a document's own text), not `$NAME`.
pub fn templating(raw: &RawLink) -> Templating {
    let code = matches!(
        raw.context,
        Context::StringLiteral { .. } | Context::ScriptString { .. } | Context::ShellWord { .. }
    );
    if code {
        Templating::Code
    } else if raw.host.is_some() {
        Templating::CodeText
    } else {
        Templating::Prose
    }
}

/// Runs every enabled rule on `links` of `source`, and returns the findings
/// in source order with their rules' default severities (the configured ones
/// are applied by [`Config::apply_severities`]), and the source spans of the
/// links' secrets (password values).
pub fn check(
    source: &str,
    kind: DocKind,
    links: &[RawLink],
    config: &Config,
) -> (Vec<Diagnostic>, Vec<Span>) {
    match check_until(source, kind, links, config, &|| false, MAX_FINDINGS, false) {
        Some(found) => found,
        None => unreachable!("a check that is never stopped finishes"),
    }
}

/// [`check`], asking `stop` now and then whether the result is still
/// wanted: `None` when it said no. At most `cap` findings (and one to say
/// there were more); `compact` ones have no message and no fix title
/// ([`Findings`]).
pub fn check_until(
    source: &str,
    kind: DocKind,
    links: &[RawLink],
    config: &Config,
    stop: &dyn Fn() -> bool,
    cap: usize,
    compact: bool,
) -> Option<(Vec<Diagnostic>, Vec<Span>)> {
    let mut out = Findings::new(compact);
    let mut secrets = Vec::new();
    let enabled = config.rules;
    for (n, raw) in links.iter().enumerate() {
        if n % crate::scan::STOP_EVERY == crate::scan::STOP_EVERY - 1 && stop() {
            return None;
        }
        let decoded = raw.decoded(source);
        let mut link = Link::parse_in(&decoded.text, templating(raw));
        let base = raw.span.start;
        for &s in link.secrets() {
            secrets.push(decoded.source_span(source, base, raw.decode, s));
        }
        if link.templating == Templating::Code {
            secrets.extend(context::appended_secrets(source, raw, &link));
        }
        if out.len() > cap {
            // Over the cap: only the secrets of the remaining links.
            continue;
        }
        // A rule reports at most one finding per item of these lists, so
        // none of them needs more items than the room left.
        let room = cap + 1 - out.len();
        link.bad_percents.truncate(room);
        link.raw_hashes.truncate(room);
        link.empty_separators.truncate(room);
        let ctx = LinkCtx {
            source,
            // A link in a code block is judged as in a file of its
            // language.
            kind: raw.host.unwrap_or(kind),
            raw,
            decoded: &decoded,
            link: &link,
            config,
        };
        let mark = out.len();
        for rule in enabled {
            // However the other findings of this link fall, those of one
            // rule after its first `room` in span order are never kept:
            // the findings of the links before come first.
            out.begin_rule(room);
            rule.check(&ctx, &mut out);
        }
        if link.templating == Templating::Code {
            code_regions::guard(&ctx, mark, &mut out);
        }
    }
    let mut out = out.into_vec();
    out.sort_by_key(|a| (a.span.start, a.span.end, a.rule));
    out.truncate(cap + 1);
    Some((out, secrets))
}
