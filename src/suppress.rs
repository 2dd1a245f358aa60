//! Suppression comments (README, "Suppressions"): which diagnostics a document's
//! `trueconf-lsp-disable…` comments silence, and `TC100 unused-suppression`
//! for the ones that silence nothing.
//!
//! A marker counts only inside a comment of the document's own syntax
//! (`<!-- … -->` in Markdown and HTML, the language's comments in source
//! code; in plain text, which has no comments, anywhere). Codes follow the
//! directive, separated by spaces or commas; `--` starts a free-text reason.
//! No codes means every rule.
//!
//! | directive | silences |
//! |---|---|
//! | `trueconf-lsp-disable-line` | the line it is on |
//! | `trueconf-lsp-disable-next-line` | the line after the comment |
//! | `trueconf-lsp-disable` … `trueconf-lsp-enable` | from the first to the second |
//! | `trueconf-lsp-disable-file` | the whole document |
//!
//! TC100 findings can be silenced like any other, except that a marker never
//! silences its own report.

use std::collections::HashMap;

use memchr::memmem;

use crate::rules::{Config, Diagnostic, Rule, RuleSet};
use crate::scan::{Comments, DocKind, MARKER_PREFIX};
use crate::text::{LineIndex, Span};

/// What a marker does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Directive {
    DisableLine,
    DisableNextLine,
    Disable,
    Enable,
    DisableFile,
}

impl Directive {
    /// The marker as written, e.g. `trueconf-lsp-disable-line`.
    pub fn marker(self) -> &'static str {
        match self {
            Directive::DisableLine => "trueconf-lsp-disable-line",
            Directive::DisableNextLine => "trueconf-lsp-disable-next-line",
            Directive::Disable => "trueconf-lsp-disable",
            Directive::Enable => "trueconf-lsp-enable",
            Directive::DisableFile => "trueconf-lsp-disable-file",
        }
    }

    fn parse(word: &str) -> Option<Directive> {
        Some(match word {
            "disable-line" => Directive::DisableLine,
            "disable-next-line" => Directive::DisableNextLine,
            "disable" => Directive::Disable,
            "enable" => Directive::Enable,
            "disable-file" => Directive::DisableFile,
            _ => return None,
        })
    }
}

/// A code written after a directive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeToken {
    pub text: String,
    pub span: Span,
    /// The rules it names (a code, a prefix such as `TC0`, or a rule name);
    /// empty for an unknown code.
    rules: RuleSet,
}

/// A suppression comment found in a document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub directive: Directive,
    /// From the directive's first byte to the end of its last code.
    pub span: Span,
    /// The codes; empty means every rule.
    pub codes: Vec<CodeToken>,
    /// Where the comment holding the marker ends (its `-->`), or the end of
    /// the marker's line for line comments.
    comment_end: usize,
}

/// The comment that holds `directive` with `codes`, in the syntax of `kind`,
/// without a line break: `<!-- trueconf-lsp-disable-line TC002 -->`,
/// `// trueconf-lsp-disable-line TC002`, or the bare marker in plain text.
/// `None` where no comment can be written (JSON).
pub fn comment(kind: DocKind, directive: Directive, codes: &[&str]) -> Option<String> {
    let mut body = directive.marker().to_string();
    if !codes.is_empty() {
        body.push(' ');
        body.push_str(&codes.join(","));
    }
    match (kind, kind.comment_syntax()) {
        (_, Some((open, ""))) => Some(format!("{open} {body}")),
        (_, Some((open, close))) => Some(format!("{open} {body} {close}")),
        (DocKind::Plain, None) => Some(body),
        (_, None) => None,
    }
}

/// Every rule but TC100: what a marker without codes silences, besides
/// TC100 itself.
const ALL_BUT_TC100: RuleSet = RuleSet::from_rules(Rule::LINK_RULES);

/// TC100 alone.
const TC100: RuleSet = RuleSet::from_rule(Rule::UnusedSuppression);

/// The longest stretch after a marker searched for its comment's end.
const MAX_COMMENT_LOOKAHEAD: usize = 4096;

/// Every marker of `text` that stands in a comment, in source order.
pub fn markers(text: &str, kind: DocKind) -> Vec<Marker> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut comments: Option<Comments> = None;
    let close = kind.comment_syntax().map(|(_, c)| c).unwrap_or("");
    // The end of the line holding offset `.0` is `.1`: markers on one long
    // line share one search for it.
    let mut eol = (usize::MAX, 0);
    for at in memmem::find_iter(bytes, MARKER_PREFIX.as_bytes()) {
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let word_start = at + MARKER_PREFIX.len();
        let mut word_end = word_start;
        while word_end < bytes.len()
            && (bytes[word_end].is_ascii_lowercase()
                || bytes[word_end] == b'-'
                    && bytes
                        .get(word_end + 1)
                        .is_some_and(|b| b.is_ascii_lowercase()))
        {
            word_end += 1;
        }
        if bytes
            .get(word_end)
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            continue;
        }
        let Some(directive) = Directive::parse(&text[word_start..word_end]) else {
            continue;
        };
        if !comments
            .get_or_insert_with(|| Comments::new(text, kind))
            .contains(at)
        {
            continue;
        }
        if !(eol.0 <= word_end && word_end <= eol.1) {
            let end = memchr::memchr2(b'\n', b'\r', &bytes[word_end..])
                .map_or(bytes.len(), |i| word_end + i);
            eol = (word_end, end);
        }
        let line_end = eol.1;
        let window_end = (word_end + MAX_COMMENT_LOOKAHEAD).min(bytes.len());
        let close_at = (!close.is_empty())
            .then(|| memmem::find(&bytes[word_end..window_end], close.as_bytes()))
            .flatten()
            .map(|i| word_end + i);
        let codes_end = close_at.map_or(line_end, |c| c.min(line_end));
        let codes = parse_codes(text, word_end, codes_end);
        let span_end = codes.last().map_or(word_end, |c| c.span.end);
        out.push(Marker {
            directive,
            span: Span::new(at, span_end),
            codes,
            comment_end: close_at.unwrap_or(line_end),
        });
    }
    out
}

/// Reads codes from `text[from..to]` up to a `--` reason or a word that is
/// no code.
fn parse_codes(text: &str, from: usize, to: usize) -> Vec<CodeToken> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = from;
    loop {
        while i < to && (bytes[i] == b',' || bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        let start = i;
        while i < to && !(bytes[i] == b',' || bytes[i].is_ascii_whitespace()) {
            i += 1;
        }
        if start == i {
            break;
        }
        let word = &text[start..i];
        let code_shaped = {
            let letters = word.bytes().take_while(u8::is_ascii_alphabetic).count();
            letters >= 2
                && word.len() > letters
                && word[letters..].bytes().all(|b| b.is_ascii_digit())
        };
        let rules = RuleSet::matching(word);
        if !code_shaped && rules.is_empty() {
            // A reason (`-- why`), the end of a block comment, prose.
            break;
        }
        out.push(CodeToken {
            text: word.to_string(),
            span: Span::new(start, i),
            rules,
        });
    }
    out
}

/// Where a suppression applies.
#[derive(Clone, Copy, Debug)]
enum Scope {
    /// Zero-based line.
    Line(usize),
    /// Byte offsets, end exclusive.
    Range(usize, usize),
    File,
}

/// One (marker, code) pair and where it silences which rules.
#[derive(Clone, Copy, Debug)]
struct Suppression {
    marker: usize,
    /// Index into the marker's codes; `None` for a marker without codes.
    token: Option<usize>,
    rules: RuleSet,
    scope: Scope,
}

/// Markers of the suppressions in one group: enough to tell whether the
/// group holds any, and any of a marker other than a given one.
#[derive(Clone, Copy, Debug, Default)]
struct Markers {
    first: Option<usize>,
    mixed: bool,
}

impl Markers {
    fn add(&mut self, marker: usize) {
        match self.first {
            None => self.first = Some(marker),
            Some(f) if f != marker => self.mixed = true,
            Some(_) => {}
        }
    }

    /// Does the group hold a suppression of a marker other than `except`
    /// (of any marker when `None`)?
    fn any_but(&self, except: Option<usize>) -> bool {
        match (self.first, except) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(f), Some(m)) => self.mixed || f != m,
        }
    }
}

/// Byte ranges `[start, end)`, for counting those that hold an offset.
#[derive(Clone, Debug, Default)]
struct Ranges {
    starts: Vec<usize>,
    ends: Vec<usize>,
}

impl Ranges {
    fn push(&mut self, start: usize, end: usize) {
        self.starts.push(start);
        self.ends.push(end.max(start));
    }

    fn sort(&mut self) {
        self.starts.sort_unstable();
        self.ends.sort_unstable();
    }

    /// How many of the ranges hold `at` (after [`Ranges::sort`]).
    fn holding(&self, at: usize) -> usize {
        // Every range that ended at or before `at` also started before it.
        self.starts.partition_point(|&s| s <= at) - self.ends.partition_point(|&e| e <= at)
    }
}

/// Suppressions indexed by rule, so that a lookup costs O(log n) however
/// many markers there are: a scan of every marker per diagnostic would make
/// a document with many markers quadratic.
struct Table {
    all: Vec<Suppression>,
    /// Line scopes, by (line, rule index).
    lines: HashMap<(usize, usize), Markers>,
    /// File scopes, by rule index.
    files: Vec<Markers>,
    /// Range scopes, by rule index.
    ranges: Vec<Ranges>,
    /// Range scopes, by (marker, rule index).
    own_ranges: HashMap<(usize, usize), Ranges>,
}

impl Table {
    fn new(all: Vec<Suppression>) -> Table {
        let n = Rule::ALL.len();
        let mut table = Table {
            all: Vec::new(),
            lines: HashMap::new(),
            files: vec![Markers::default(); n],
            ranges: vec![Ranges::default(); n],
            own_ranges: HashMap::new(),
        };
        for s in &all {
            for r in s.rules.iter().map(Rule::index) {
                match s.scope {
                    Scope::Line(l) => table.lines.entry((l, r)).or_default().add(s.marker),
                    Scope::File => table.files[r].add(s.marker),
                    Scope::Range(a, b) => {
                        table.ranges[r].push(a, b);
                        table
                            .own_ranges
                            .entry((s.marker, r))
                            .or_default()
                            .push(a, b);
                    }
                }
            }
        }
        table.ranges.iter_mut().for_each(Ranges::sort);
        table.own_ranges.values_mut().for_each(Ranges::sort);
        table.all = all;
        table
    }

    /// Does a suppression of a marker other than `except` (of any marker
    /// when `None`) silence `d`, which is on `line`?
    fn silences(&self, d: &Diagnostic, line: usize, except: Option<usize>) -> bool {
        let r = d.rule.index();
        let at = d.span.start;
        if self
            .lines
            .get(&(line, r))
            .is_some_and(|g| g.any_but(except))
            || self.files[r].any_but(except)
        {
            return true;
        }
        let holding = self.ranges[r].holding(at);
        let own = except
            .and_then(|m| self.own_ranges.get(&(m, r)))
            .map_or(0, |o| o.holding(at));
        holding > own
    }

    /// Which suppressions silence at least one of `found`: (offset, line,
    /// rule) of each diagnostic.
    fn used(&self, found: &[(usize, usize, Rule)]) -> Vec<bool> {
        let n = Rule::ALL.len();
        let mut offsets: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut lines: Vec<std::collections::HashSet<usize>> = vec![Default::default(); n];
        for &(at, line, rule) in found {
            let r = rule.index();
            offsets[r].push(at);
            lines[r].insert(line);
        }
        offsets.iter_mut().for_each(|o| o.sort_unstable());
        self.all
            .iter()
            .map(|s| {
                s.rules.iter().map(Rule::index).any(|r| match s.scope {
                    Scope::Line(l) => lines[r].contains(&l),
                    Scope::File => !offsets[r].is_empty(),
                    Scope::Range(a, b) => {
                        let i = offsets[r].partition_point(|&o| o < a);
                        offsets[r].get(i).is_some_and(|&o| o < b)
                    }
                })
            })
            .collect()
    }
}

/// Drops the diagnostics that `text`'s markers silence, and adds `TC100` for
/// markers (or codes of markers) that silence nothing, when TC100 is enabled.
/// Returns the diagnostics in source order.
pub fn apply(
    text: &str,
    kind: DocKind,
    diagnostics: Vec<Diagnostic>,
    config: &Config,
) -> Vec<Diagnostic> {
    let markers = markers(text, kind);
    if markers.is_empty() {
        return diagnostics;
    }
    let index = LineIndex::new(text);
    let (suppressions, unmatched_enables) = scopes(&markers, &index, text.len());
    let table = Table::new(suppressions);
    let mut found = Vec::with_capacity(diagnostics.len());
    let mut kept = Vec::with_capacity(diagnostics.len());
    for d in diagnostics {
        let line = index.line_of(d.span.start);
        found.push((d.span.start, line, d.rule));
        if !table.silences(&d, line, None) {
            kept.push(d);
        }
    }
    let used = table.used(&found);
    if !config.is_enabled(Rule::UnusedSuppression) {
        return kept;
    }
    let enabled = config.rules;
    // Which (marker, token) pairs silenced something.
    let mut pair_used: HashMap<(usize, Option<usize>), bool> = HashMap::new();
    for (s, u) in table.all.iter().zip(&used) {
        *pair_used.entry((s.marker, s.token)).or_default() |= *u;
    }
    let mut reports: Vec<(usize, Diagnostic)> = Vec::new();
    for (m, marker) in markers.iter().enumerate() {
        if marker.directive == Directive::Enable {
            continue;
        }
        if marker.codes.is_empty() {
            if !pair_used.get(&(m, None)).copied().unwrap_or(false)
                && !enabled.intersection(ALL_BUT_TC100).is_empty()
            {
                reports.push((
                    m,
                    Diagnostic::new(
                        Rule::UnusedSuppression,
                        marker.span,
                        format!("`{}` silences nothing", marker.directive.marker()),
                    ),
                ));
            }
            continue;
        }
        for (t, code) in marker.codes.iter().enumerate() {
            if code.rules.is_empty() {
                reports.push((
                    m,
                    Diagnostic::new(
                        Rule::UnusedSuppression,
                        code.span,
                        format!(
                            "`{}` in `{}` is no rule code",
                            shown(&code.text),
                            marker.directive.marker()
                        ),
                    ),
                ));
                continue;
            }
            // Codes of rules that are off, or that name only TC100, are
            // not judged.
            let judged = code.rules.intersection(enabled).subtract(TC100);
            if judged.is_empty() || pair_used.get(&(m, Some(t))).copied().unwrap_or(false) {
                continue;
            }
            reports.push((
                m,
                Diagnostic::new(
                    Rule::UnusedSuppression,
                    code.span,
                    format!(
                        "`{}` in `{}` silences nothing",
                        code.text,
                        marker.directive.marker()
                    ),
                ),
            ));
        }
    }
    for m in unmatched_enables {
        let marker = &markers[m];
        reports.push((
            m,
            Diagnostic::new(
                Rule::UnusedSuppression,
                marker.span,
                format!(
                    "`{}` has no `{}` before it to end",
                    marker.directive.marker(),
                    Directive::Disable.marker()
                ),
            ),
        ));
    }
    for (m, d) in reports {
        let line = index.line_of(d.span.start);
        if table.silences(&d, line, Some(m)) {
            continue;
        }
        kept.push(d);
    }
    kept.sort_by_key(|a| (a.span.start, a.span.end, a.rule));
    kept
}

/// A code as shown in a message: at most 20 characters.
fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(20).collect();
    if out.len() < s.len() {
        out.push('…');
    }
    out
}

/// Where each marker's codes apply, and the `enable` markers that ended
/// nothing.
fn scopes(markers: &[Marker], index: &LineIndex, len: usize) -> (Vec<Suppression>, Vec<usize>) {
    struct Open {
        marker: usize,
        token: Option<usize>,
        rules: RuleSet,
        start: usize,
    }
    let mut out = Vec::new();
    // Regions still open; an entry whose rules are all ended stays, empty.
    let mut open: Vec<Open> = Vec::new();
    // By rule index, the open regions that had the rule when they were
    // opened: an `enable` looks only at those of its rules.
    let mut open_by_rule: Vec<Vec<usize>> = vec![Vec::new(); Rule::ALL.len()];
    let mut unmatched = Vec::new();
    for (m, marker) in markers.iter().enumerate() {
        let tokens: Vec<(Option<usize>, RuleSet)> = if marker.codes.is_empty() {
            vec![(None, RuleSet::ALL)]
        } else {
            marker
                .codes
                .iter()
                .enumerate()
                .map(|(t, c)| (Some(t), c.rules))
                .collect()
        };
        let line = index.line_of(marker.span.start);
        let scope = match marker.directive {
            Directive::DisableLine => Scope::Line(line),
            Directive::DisableNextLine => Scope::Line(index.line_of(marker.comment_end) + 1),
            Directive::DisableFile => Scope::File,
            Directive::Disable => {
                for (token, rules) in tokens {
                    for r in rules.iter().map(Rule::index) {
                        open_by_rule[r].push(open.len());
                    }
                    open.push(Open {
                        marker: m,
                        token,
                        rules,
                        start: marker.span.start,
                    });
                }
                continue;
            }
            Directive::Enable => {
                let ending = tokens.iter().fold(RuleSet::EMPTY, |a, (_, r)| a.union(*r));
                let mut ended = false;
                for r in ending.iter().map(Rule::index) {
                    // Every region listed here loses rule `r` now (or had
                    // lost it already), so the list is done with.
                    for i in std::mem::take(&mut open_by_rule[r]) {
                        let o = &mut open[i];
                        let common = o.rules.intersection(ending);
                        if common.is_empty() {
                            continue;
                        }
                        ended = true;
                        out.push(Suppression {
                            marker: o.marker,
                            token: o.token,
                            rules: common,
                            scope: Scope::Range(o.start, marker.span.start),
                        });
                        o.rules = o.rules.subtract(common);
                    }
                }
                if !ended {
                    unmatched.push(m);
                }
                continue;
            }
        };
        for (token, rules) in tokens {
            out.push(Suppression {
                marker: m,
                token,
                rules,
                scope,
            });
        }
    }
    for o in open.into_iter().filter(|o| !o.rules.is_empty()) {
        out.push(Suppression {
            marker: o.marker,
            token: o.token,
            rules: o.rules,
            scope: Scope::Range(o.start, len),
        });
    }
    (out, unmatched)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Lang;

    fn codes(src: &str, kind: DocKind, config: &Config) -> Vec<String> {
        crate::analyze(src, kind, config)
            .diagnostics
            .iter()
            .map(|d| {
                let line = src[..d.span.start].matches('\n').count() + 1;
                format!("{}:{}", line, d.rule.code())
            })
            .collect()
    }

    fn md(src: &str) -> Vec<String> {
        codes(src, DocKind::Markdown, &Config::default())
    }

    const BAD: &str = "trueconf:bob@video.example.com&password=[password]";

    #[test]
    fn line_and_next_line() {
        let src = format!(
            "{BAD} <!-- trueconf-lsp-disable-line TC002 -->\n\
             <!-- trueconf-lsp-disable-next-line -->\n{BAD}\n{BAD}\n"
        );
        assert_eq!(md(&src), ["4:TC002"]);
    }

    #[test]
    fn next_line_counts_from_the_comment_end() {
        let src = format!("<!-- trueconf-lsp-disable-next-line TC002\n  reason -->\n{BAD}\n");
        assert_eq!(md(&src), Vec::<String>::new());
    }

    #[test]
    fn regions_and_file() {
        let src = format!(
            "{BAD}\n<!-- trueconf-lsp-disable TC002 -->\n{BAD}\n\
             <!-- trueconf-lsp-enable TC002 -->\n{BAD}\n"
        );
        assert_eq!(md(&src), ["1:TC002", "5:TC002"]);
        let src = format!("{BAD}\n{BAD}\n<!-- trueconf-lsp-disable-file missing-encrypt -->\n");
        assert_eq!(md(&src), Vec::<String>::new());
        // A region left open runs to the end of the file.
        let src = format!("<!-- trueconf-lsp-disable -->\n{BAD}\n{BAD}\n");
        assert_eq!(md(&src), Vec::<String>::new());
    }

    #[test]
    fn enable_of_one_code_narrows_a_disable_of_all() {
        let src = format!(
            "<!-- trueconf-lsp-disable -->\n{BAD}\n<!-- trueconf-lsp-enable TC002 -->\n\
             trueconf:bob@video.example.com&password=[password]&&x=1\n"
        );
        // TC002 is back on line 4; TC012 and TC006 stay off.
        assert_eq!(md(&src), ["4:TC002"]);
    }

    #[test]
    fn unused_markers_are_reported() {
        let src = format!(
            "<!-- trueconf-lsp-disable-line -->\n\
             {BAD} <!-- trueconf-lsp-disable-line TC002, TC004 -->\n\
             <!-- trueconf-lsp-disable-next-line TC999 -->\n\
             <!-- trueconf-lsp-enable -->\n"
        );
        let got = crate::analyze(&src, DocKind::Markdown, &Config::default()).diagnostics;
        let msgs: Vec<String> = got
            .iter()
            .map(|d| format!("{} {}", d.rule.code(), d.message))
            .collect();
        assert_eq!(
            msgs,
            [
                "TC100 `trueconf-lsp-disable-line` silences nothing",
                "TC100 `TC004` in `trueconf-lsp-disable-line` silences nothing",
                "TC100 `TC999` in `trueconf-lsp-disable-next-line` is no rule code",
                "TC100 `trueconf-lsp-enable` has no `trueconf-lsp-disable` before it to end",
            ]
        );
        assert!(
            got.iter()
                .all(|d| d.severity == crate::rules::Severity::Info)
        );
        let tc004 = got[1].span;
        assert_eq!(&src[tc004.range()], "TC004");
    }

    #[test]
    fn tc100_is_configurable_and_suppressible() {
        let src = "<!-- trueconf-lsp-disable-line TC002 -->\n";
        assert_eq!(md(src), ["1:TC100"]);
        let off = Config {
            rules: RuleSet::ALL.subtract(RuleSet::from_rule(Rule::UnusedSuppression)),
            ..Config::default()
        };
        assert_eq!(codes(src, DocKind::Markdown, &off), Vec::<String>::new());
        // A code whose rule is off is not judged.
        let no_tc002 = Config {
            rules: RuleSet::ALL.subtract(RuleSet::from_rule(Rule::MissingEncrypt)),
            ..Config::default()
        };
        assert_eq!(
            codes(src, DocKind::Markdown, &no_tc002),
            Vec::<String>::new()
        );
        // Another marker may silence TC100; a marker never silences itself.
        let src =
            "<!-- trueconf-lsp-disable-file TC100 -->\n<!-- trueconf-lsp-disable-line TC002 -->\n";
        assert_eq!(md(src), Vec::<String>::new());
        let src = "<!-- trueconf-lsp-disable-line TC002 TC100 -->\n";
        assert_eq!(md(src), ["1:TC100"]);
    }

    #[test]
    fn only_comments_of_the_document_count() {
        // Markdown: prose, code spans and fences are no comments.
        let src = format!(
            "trueconf-lsp-disable-file\n`<!-- trueconf-lsp-disable-file -->`\n\
             ```\n<!-- trueconf-lsp-disable-file -->\n```\n{BAD}\n"
        );
        assert_eq!(md(&src), ["6:TC002"]);
        // Code: a comment counts, a string does not.
        let js = format!(
            "let a = \"{BAD}\"; // trueconf-lsp-disable-line TC002\n\
             let b = \"{BAD} trueconf-lsp-disable-line\";\n"
        );
        assert_eq!(
            codes(&js, DocKind::Code(Lang::JavaScript), &Config::default()),
            ["2:TC002"]
        );
        let py = format!("x = '{BAD}'  # trueconf-lsp-disable-line\n");
        assert_eq!(
            codes(&py, DocKind::Code(Lang::Python), &Config::default()),
            Vec::<String>::new()
        );
        let lua = format!("-- trueconf-lsp-disable-next-line TC002\nlocal u = '{BAD}'\n");
        assert_eq!(
            codes(&lua, DocKind::Code(Lang::Lua), &Config::default()),
            Vec::<String>::new()
        );
        // Ruby, Perl, PHP: their comments count, their strings do not; in a
        // `.php` file the HTML's comments count too.
        let rb = format!(
            "x = '{BAD}' # trueconf-lsp-disable-line TC002\n\
             =begin\n{BAD} trueconf-lsp-disable-line\n=end\n\
             z = \"{BAD} # trueconf-lsp-disable-line\"\n"
        );
        assert_eq!(
            codes(&rb, DocKind::Code(Lang::Ruby), &Config::default()),
            ["5:TC002"]
        );
        let pl = format!("my $x = q{{{BAD}}}; # trueconf-lsp-disable-line\n");
        assert_eq!(
            codes(&pl, DocKind::Code(Lang::Perl), &Config::default()),
            Vec::<String>::new()
        );
        let php = format!(
            "<!-- trueconf-lsp-disable-next-line -->\n<a href=\"{BAD}\">x</a>\n\
             <?php /* trueconf-lsp-disable-next-line TC002 */\n$a = '{BAD}';\n\
             $b = 'trueconf-lsp-disable-line {BAD}'; ?>\n"
        );
        assert_eq!(
            codes(&php, DocKind::Code(Lang::Php), &Config::default()),
            ["5:TC002"]
        );
        // HTML: comments count, text and attributes do not.
        let html = format!(
            "<p title=\"trueconf-lsp-disable-file\">{BAD}</p>\n\
             <!-- trueconf-lsp-disable-next-line TC002 -->\n<a href=\"{BAD}\">x</a>\n\
             <script>// trueconf-lsp-disable-next-line\nlet u = '{BAD}';</script>\n"
        );
        // Line 3 keeps TC015, which the marker does not name.
        assert_eq!(
            codes(&html, DocKind::Html, &Config::default()),
            ["1:TC002", "3:TC015"]
        );
        // Plain text has no comments: a marker anywhere counts.
        let plain = format!("{BAD} trueconf-lsp-disable-line\n");
        assert_eq!(
            codes(&plain, DocKind::Plain, &Config::default()),
            Vec::<String>::new()
        );
    }

    #[test]
    fn marker_words_and_reasons() {
        let ms = markers(
            "<!-- trueconf-lsp-disable-line TC002,TC0 -- the docs need it -->\n\
             <!-- trueconf-lsp-disable-lines -->\n<!-- xtrueconf-lsp-disable -->\n\
             <!--trueconf-lsp-disable-->",
            DocKind::Markdown,
        );
        assert_eq!(ms.len(), 2);
        let texts: Vec<&str> = ms[0].codes.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["TC002", "TC0"]);
        assert_eq!(ms[1].directive, Directive::Disable);
        assert!(ms[1].codes.is_empty());
    }

    #[test]
    fn comments_in_the_documents_syntax() {
        assert_eq!(
            comment(DocKind::Markdown, Directive::DisableLine, &["TC002"]).unwrap(),
            "<!-- trueconf-lsp-disable-line TC002 -->"
        );
        assert_eq!(
            comment(
                DocKind::Code(Lang::Python),
                Directive::DisableNextLine,
                &["TC002", "TC004"]
            )
            .unwrap(),
            "# trueconf-lsp-disable-next-line TC002,TC004"
        );
        assert_eq!(
            comment(DocKind::Plain, Directive::DisableFile, &[]).unwrap(),
            "trueconf-lsp-disable-file"
        );
        assert_eq!(
            comment(DocKind::Code(Lang::Json), Directive::DisableFile, &[]),
            None
        );
        // What `comment` writes is what `markers` reads.
        for kind in [
            DocKind::Markdown,
            DocKind::Html,
            DocKind::Plain,
            DocKind::Code(Lang::Rust),
            DocKind::Code(Lang::Shell),
            DocKind::Code(Lang::Lua),
            DocKind::Code(Lang::Ruby),
            DocKind::Code(Lang::Perl),
        ] {
            let c = comment(kind, Directive::DisableLine, &["TC002"]).unwrap();
            let ms = markers(&c, kind);
            assert_eq!(ms.len(), 1, "{kind:?}");
            assert_eq!(ms[0].codes[0].text, "TC002");
        }
    }

    use crate::test_rng::Rng;

    /// One to three of the first four rules.
    fn random_rules(rng: &mut Rng) -> RuleSet {
        let mut set = RuleSet::EMPTY;
        for _ in 0..1 + rng.below(3) {
            set.insert(Rule::ALL[rng.below(4)]);
        }
        set
    }

    /// The indexed table answers as a scan of every suppression does.
    #[test]
    fn table_matches_a_scan_of_every_suppression() {
        let mut rng = Rng::new(0x1234_5678_9abc_def1);
        for _ in 0..200 {
            let mut all = Vec::new();
            for _ in 0..rng.below(12) {
                let a = rng.below(60);
                let scope = match rng.below(3) {
                    0 => Scope::Line(rng.below(6)),
                    1 => Scope::File,
                    _ => Scope::Range(a, a + rng.below(30)),
                };
                all.push(Suppression {
                    marker: rng.below(4),
                    token: None,
                    rules: random_rules(&mut rng),
                    scope,
                });
            }
            let naive = |at: usize, line: usize, rule: Rule| -> Vec<usize> {
                (0..all.len())
                    .filter(|&i| {
                        let s = &all[i];
                        s.rules.contains(rule)
                            && match s.scope {
                                Scope::Line(l) => l == line,
                                Scope::Range(a, b) => a <= at && at < b,
                                Scope::File => true,
                            }
                    })
                    .collect()
            };
            let mut found = Vec::new();
            let mut used = vec![false; all.len()];
            for _ in 0..rng.below(10) {
                let (at, line) = (rng.below(70), rng.below(7));
                let rule = Rule::ALL[rng.below(4)];
                found.push((at, line, rule));
                naive(at, line, rule).iter().for_each(|&i| used[i] = true);
            }
            let table = Table::new(all.clone());
            assert_eq!(table.used(&found), used);
            for at in 0..70 {
                for line in 0..7 {
                    for &rule in &Rule::ALL[..4] {
                        let d = Diagnostic::new(rule, Span::empty(at), "");
                        let hits = naive(at, line, rule);
                        assert_eq!(table.silences(&d, line, None), !hits.is_empty());
                        for m in 0..4 {
                            assert_eq!(
                                table.silences(&d, line, Some(m)),
                                hits.iter().any(|&i| all[i].marker != m)
                            );
                        }
                    }
                }
            }
        }
    }

    /// Regions opened and ended by markers are those of a list of open
    /// regions scanned at every `enable`.
    #[test]
    fn scopes_match_a_scan_of_open_regions() {
        let text = "x\n".repeat(40);
        let index = LineIndex::new(&text);
        let mut rng = Rng::new(0x0fed_cba9_8765_4321);
        for _ in 0..300 {
            let mut markers = Vec::new();
            for m in 0..rng.below(14) {
                let directive = match rng.below(5) {
                    0 | 1 => Directive::Disable,
                    2 | 3 => Directive::Enable,
                    _ => Directive::DisableLine,
                };
                let codes = (0..rng.below(3))
                    .map(|_| CodeToken {
                        text: String::new(),
                        span: Span::empty(2 * m),
                        rules: random_rules(&mut rng),
                    })
                    .collect();
                markers.push(Marker {
                    directive,
                    span: Span::empty(2 * m),
                    codes,
                    comment_end: 2 * m,
                });
            }
            let (got, unmatched) = scopes(&markers, &index, text.len());
            let (want, want_unmatched) = naive_scopes(&markers, &index, text.len());
            let key = |v: &[Suppression]| {
                let mut k: Vec<String> = v.iter().map(|s| format!("{s:?}")).collect();
                k.sort();
                k
            };
            assert_eq!(key(&got), key(&want));
            assert_eq!(unmatched, want_unmatched);
        }
    }

    /// [`scopes`] as it first was: every `enable` scans every open region.
    fn naive_scopes(
        markers: &[Marker],
        index: &LineIndex,
        len: usize,
    ) -> (Vec<Suppression>, Vec<usize>) {
        struct Open {
            marker: usize,
            token: Option<usize>,
            rules: RuleSet,
            start: usize,
        }
        let mut out = Vec::new();
        let mut open: Vec<Open> = Vec::new();
        let mut unmatched = Vec::new();
        for (m, marker) in markers.iter().enumerate() {
            let tokens: Vec<(Option<usize>, RuleSet)> = if marker.codes.is_empty() {
                vec![(None, RuleSet::ALL)]
            } else {
                marker
                    .codes
                    .iter()
                    .enumerate()
                    .map(|(t, c)| (Some(t), c.rules))
                    .collect()
            };
            let scope = match marker.directive {
                Directive::DisableLine => Scope::Line(index.line_of(marker.span.start)),
                Directive::DisableNextLine => Scope::Line(index.line_of(marker.comment_end) + 1),
                Directive::DisableFile => Scope::File,
                Directive::Disable => {
                    for (token, rules) in tokens {
                        open.push(Open {
                            marker: m,
                            token,
                            rules,
                            start: marker.span.start,
                        });
                    }
                    continue;
                }
                Directive::Enable => {
                    let ending = tokens.iter().fold(RuleSet::EMPTY, |a, (_, r)| a.union(*r));
                    let mut ended = false;
                    open.retain_mut(|o| {
                        let common = o.rules.intersection(ending);
                        if common.is_empty() {
                            return true;
                        }
                        ended = true;
                        out.push(Suppression {
                            marker: o.marker,
                            token: o.token,
                            rules: common,
                            scope: Scope::Range(o.start, marker.span.start),
                        });
                        o.rules = o.rules.subtract(common);
                        !o.rules.is_empty()
                    });
                    if !ended {
                        unmatched.push(m);
                    }
                    continue;
                }
            };
            for (token, rules) in tokens {
                out.push(Suppression {
                    marker: m,
                    token,
                    rules,
                    scope,
                });
            }
        }
        for o in open {
            out.push(Suppression {
                marker: o.marker,
                token: o.token,
                rules: o.rules,
                scope: Scope::Range(o.start, len),
            });
        }
        (out, unmatched)
    }

    /// Many markers, on one line or in many regions, cost about as much as
    /// the text they are in: 40 000 of them lint in well under a second.
    #[test]
    fn many_markers_are_linear() {
        let line = "<!-- trueconf-lsp-disable-line TC001 --> visicall:x ".repeat(20_000);
        let regions =
            "<!-- trueconf-lsp-disable TC001 --> visicall:x <!-- trueconf-lsp-enable TC002 -->\n"
                .repeat(20_000);
        for src in [line, regions] {
            let started = std::time::Instant::now();
            let found = crate::analyze(&src, DocKind::Markdown, &Config::default());
            assert!(
                found
                    .diagnostics
                    .iter()
                    .all(|d| d.rule == Rule::UnusedSuppression)
            );
            assert!(
                started.elapsed() < std::time::Duration::from_secs(20),
                "{:?}",
                started.elapsed()
            );
        }
    }
}
