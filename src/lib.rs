//! trueconf-lsp finds, parses and judges `trueconf:` (and `visicall:`)
//! links in documents, and serves the results to editors and CI.
//!
//! # Architecture
//!
//! A pure core and two thin shells:
//!
//! - [`text`]: byte spans and the only offset ↔ line/column conversion;
//! - [`scan`]: finds links with exact byte spans and their context;
//! - [`uri`]: parses a link into parts, never failing;
//! - [`fix`]: edits, fixes and their applicability;
//! - [`describe`]: what a link does, in words;
//! - [`symbols`]: the parts of links that name servers, conference IDs
//!   and users, for references, rename and the outline;
//! - [`rules`]: the rule registry, the rule selection resolved once into a
//!   [`rules::RuleSet`] and the [`rules::Config`] that holds it, and one
//!   file per rule;
//! - [`suppress`]: suppression comments and TC100;
//! - this file: [`analyze`] and [`fix_all`], which put the core together;
//! - [`project`]: settings, configuration files, the walk, reading files
//!   and probing servers (`--online`, TC020): the I/O both shells share,
//!   without tokio, tower, ropey or clap;
//! - `cli` and `lsp`: the shells, on top of `project`; neither imports the
//!   other.
//!
//! Dependencies point down, lowest first: `text` ← {`scan`, `uri`, `fix`}
//! ← `rules` ← `suppress` ← this file ← `project` ← {`cli`, `lsp`}; no module
//! imports one above it, and `tests/layering.rs` checks it.
//!
//! Invariants: the core imports no tokio, tower, ropey, clap, `std::fs` or
//! `std::net` (it never touches the network: TC020 is merged in above it);
//! spans index the source bytes, and decoded views are for judging only; no
//! password from a link reaches any output.

pub mod cli;
pub mod describe;
pub mod fix;
pub mod incremental;
pub mod lsp;
pub mod project;
pub mod rules;
pub mod scan;
pub mod suppress;
pub mod symbols;
pub mod text;
pub mod uri;

#[cfg(test)]
mod test_rng;

use fix::Applicability;
use rules::{Config, Diagnostic};
use scan::{DocKind, RawLink};
use text::Span;

/// Everything the core finds in one document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    pub links: Vec<RawLink>,
    /// Diagnostics in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// Source spans of password values, to be redacted wherever source text
    /// is shown.
    pub secrets: Vec<Span>,
    /// More than [`rules::MAX_FINDINGS`] findings: only the first that many
    /// (in source order of the links) are in `diagnostics`.
    pub capped: bool,
}

/// Finds and judges every link of `text`.
pub fn analyze(text: &str, kind: DocKind, config: &Config) -> Analysis {
    match analyze_until(text, kind, config, &|| false) {
        Some(analysis) => analysis,
        None => unreachable!("an analysis that is never stopped finishes"),
    }
}

/// [`analyze`], asking `stop` now and then (every few hundred links)
/// whether the result is still wanted: `None` when it said no. The
/// language server stops the lint of a version an edit has overtaken.
pub fn analyze_until(
    text: &str,
    kind: DocKind,
    config: &Config,
    stop: &dyn Fn() -> bool,
) -> Option<Analysis> {
    analyze_capped(text, kind, config, stop, rules::MAX_FINDINGS, false)
}

/// Fixing keeps up to this many findings per pass: memory stays within
/// 20 times the input + 64 MiB (a 10 MiB file of 3.5 million fixable
/// findings: 233 MB peak, release), and such a file is fixed in 70 passes.
pub const MAX_FIX_FINDINGS: usize = 50_000;

/// [`analyze_until`] keeping at most `cap` findings; `compact` ones (for
/// fixing) without messages or fix titles.
fn analyze_capped(
    text: &str,
    kind: DocKind,
    config: &Config,
    stop: &dyn Fn() -> bool,
    cap: usize,
    compact: bool,
) -> Option<Analysis> {
    let (links, has_markers) = scan::scan_with_markers_until(text, kind, stop)?;
    if links.is_empty() && !has_markers {
        return Some(Analysis::default());
    }
    let (mut diagnostics, secrets) =
        rules::check_until(text, kind, &links, config, stop, cap, compact)?;
    let capped = diagnostics.len() > cap;
    diagnostics.truncate(cap);
    if has_markers {
        diagnostics = suppress::apply(text, kind, diagnostics, config);
    }
    // Unused-suppression findings count too.
    let capped = capped || diagnostics.len() > cap;
    diagnostics.truncate(cap);
    config.apply_severities(&mut diagnostics);
    Some(Analysis {
        links,
        diagnostics,
        secrets,
        capped,
    })
}

/// The result of fixing a document until nothing more applies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FixAll {
    pub text: String,
    /// Fixes applied, over all passes.
    pub applied: usize,
    /// Passes that applied something.
    pub passes: usize,
    /// False when fixes were still applying after [`MAX_FIX_PASSES`].
    pub converged: bool,
    /// The password spans of the original text (and of every pass),
    /// carried through the fixes into `text`: a fix may turn a link into
    /// text the scanner no longer reads as one, and its password must stay
    /// hidden there too. Sorted; redact by these and by `text`'s own.
    pub secrets: Vec<Span>,
}

/// The most passes [`fix_all`] makes before giving up.
pub const MAX_FIX_PASSES: usize = 10;

/// The most passes [`fix_all`] makes over an analysis with more than
/// [`rules::MAX_FINDINGS`] findings, on top of [`MAX_FIX_PASSES`].
pub const MAX_CAPPED_FIX_PASSES: usize = 100;

/// Applies every fix at or above `min`, re-linting between passes, until a
/// pass applies nothing.
pub fn fix_all(text: &str, kind: DocKind, config: &Config, min: Applicability) -> FixAll {
    fix_all_within(text, kind, config, min, MAX_FIX_PASSES)
}

/// [`fix_all`] with at most `max_passes` passes.
pub fn fix_all_within(
    text: &str,
    kind: DocKind,
    config: &Config,
    min: Applicability,
    max_passes: usize,
) -> FixAll {
    fix_all_until(text, kind, config, min, max_passes, &|| false)
}

/// [`fix_all_within`], which also stops after the first pass that ends
/// with `stop()` true: the text then holds the fixes of the passes made,
/// and `converged` is false unless a pass found nothing to fix. (The
/// language server so bounds the time a fix-all takes; what it applies is
/// a safe part of the whole, and the action can be run again.)
pub fn fix_all_until(
    text: &str,
    kind: DocKind,
    config: &Config,
    min: Applicability,
    max_passes: usize,
    stop: &dyn Fn() -> bool,
) -> FixAll {
    let mut current = text.to_string();
    let mut applied = 0;
    let mut carried: Vec<Span> = Vec::new();
    // A pass over a capped analysis fixes only the first
    // [`MAX_FIX_FINDINGS`] findings: it does not count as a pass, up to
    // this many such passes.
    let mut capped_passes = 0;
    let mut pass = 0;
    while pass < max_passes {
        let analysis = analyze_capped(&current, kind, config, &|| false, MAX_FIX_FINDINGS, true)
            .expect("an analysis that is never stopped finishes");
        carried = merge_spans(carried, &analysis.secrets);
        if analysis.capped && capped_passes < MAX_CAPPED_FIX_PASSES {
            capped_passes += 1;
        } else {
            pass += 1;
        }
        let fixes = analysis
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applies(min));
        let (next, n, edits) = fix::apply_tracked(&current, fixes);
        if n == 0 {
            return FixAll {
                text: current,
                applied,
                // This pass applied nothing.
                passes: pass + capped_passes - 1,
                converged: true,
                secrets: carried,
            };
        }
        carried = fix::map_spans(&carried, &edits);
        applied += n;
        current = next;
        if stop() {
            break;
        }
    }
    FixAll {
        text: current,
        applied,
        passes: pass + capped_passes,
        converged: false,
        secrets: carried,
    }
}

/// `a` and `b`, sorted, overlapping spans joined: in order
/// and apart, as reports want secrets.
pub fn merge_spans(mut a: Vec<Span>, b: &[Span]) -> Vec<Span> {
    a.extend(b.iter().copied().filter(|s| !s.is_empty()));
    a.sort();
    let mut out: Vec<Span> = Vec::with_capacity(a.len());
    for s in a {
        match out.last_mut() {
            Some(last) if s.start < last.end => last.end = last.end.max(s.end),
            _ => out.push(s),
        }
    }
    out
}
