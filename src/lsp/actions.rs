//! Code actions: one quick-fix per fix, "fix all" for the safe fixes, and
//! "disable for this line" written in the file's own comment syntax.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;

use super::convert::Lines;
use super::document::Linted;
use crate::fix::Applicability;
use crate::rules::Config;
use crate::rules::{Diagnostic, Rule};
use crate::scan::{Context, DocKind};
use crate::text::{Span, floor_char_boundary};

/// The kind of the fix-all action.
pub const FIX_ALL: &str = "source.fixAll.trueconf-lsp";

/// The suppression marker the "disable" action writes.
pub const DISABLE_LINE: &str = "trueconf-lsp-disable-line";

/// The document the edits are for.
pub struct Target<'a> {
    pub uri: &'a lsp::Uri,
    pub version: i32,
    /// Use versioned `TextDocumentEdit`s (the client supports them).
    pub document_changes: bool,
    /// The client resolves code actions (see [`Session::code_action_resolve`]):
    /// fix-all goes out without its edit, with a [`Pending`] as its `data`.
    ///
    /// [`Session::code_action_resolve`]: super::capabilities::ClientCapabilities::code_action_resolve
    pub resolve: bool,
}

/// The `data` of a fix-all action sent without its edit: the document and
/// the version it was offered for, nothing of the text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub uri: lsp::Uri,
    pub version: i32,
}

impl Pending {
    /// The pending fix-all `action` stands for, if it is one: our kind, no
    /// edit yet, and `data` as [`actions`] wrote it.
    pub fn of(action: &lsp::CodeAction) -> Option<Pending> {
        if action.edit.is_some() || action.kind.as_ref()?.as_str() != FIX_ALL {
            return None;
        }
        serde_json::from_value(action.data.clone()?).ok()
    }
}

impl Target<'_> {
    pub fn edit(&self, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
        if self.document_changes {
            lsp::WorkspaceEdit {
                document_changes: Some(lsp::DocumentChanges::Edits(vec![lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                        uri: self.uri.clone(),
                        version: Some(self.version),
                    },
                    edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                }])),
                ..lsp::WorkspaceEdit::default()
            }
        } else {
            lsp::WorkspaceEdit {
                changes: Some(HashMap::from([(self.uri.clone(), edits)])),
                ..lsp::WorkspaceEdit::default()
            }
        }
    }
}

/// Is an action of `kind` among the kinds the client asked for?
fn wanted(kind: &str, only: Option<&[lsp::CodeActionKind]>) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            let k = k.as_str();
            kind == k || (kind.starts_with(k) && kind.as_bytes().get(k.len()) == Some(&b'.'))
        })
    })
}

/// The actions for `range`. `automatic` is true when the editor asked on
/// its own (a cursor move) rather than on the user's request; fix-all,
/// which re-lints the document to a fixpoint, is then computed only if the
/// editor asked for source actions by kind.
pub fn actions(
    linted: &Linted,
    config: &Config,
    target: &Target<'_>,
    range: lsp::Range,
    only: Option<&[lsp::CodeActionKind]>,
    automatic: bool,
) -> Vec<lsp::CodeActionOrCommand> {
    let mut out = Vec::new();
    if linted.too_large {
        return out;
    }
    let lines = linted.lines();
    let span = lines.span(range);
    // Only the diagnostics the client was sent: a document over the
    // diagnostics cap gets no more actions than that.
    // With each, the diagnostic as the client was sent it.
    let here: Vec<(&Diagnostic, &lsp::Diagnostic)> = linted.analysis.diagnostics[..linted.shown]
        .iter()
        .zip(linted.diagnostics.iter().map(|d| &d.diagnostic))
        .filter(|(d, _)| d.span.start <= span.end && span.start <= d.span.end)
        .collect();
    if wanted(lsp::CodeActionKind::QUICKFIX.as_str(), only) {
        for &(d, sent) in &here {
            if let Some(fix) = &d.fix {
                let shown = crate::text::escape_for_terminal(&fix.title);
                let title = match fix.applicability {
                    Applicability::DisplayOnly => format!("{shown} (suggestion)"),
                    _ => shown.into_owned(),
                };
                let edits = fix.edits.iter().map(|e| lines.text_edit(e)).collect();
                out.push(action(
                    title,
                    lsp::CodeActionKind::QUICKFIX,
                    Some(vec![sent.clone()]),
                    target.edit(edits),
                    fix.applicability == Applicability::Safe,
                ));
            }
        }
        if let Some((open, close)) = linted.kind.comment_syntax() {
            let mut seen: HashSet<(usize, Rule)> = HashSet::new();
            for &(d, sent) in &here {
                let line = lines.line_of(d.span.start);
                if !seen.insert((line, d.rule)) || !comment_fits(linted, d, &lines, line) {
                    continue;
                }
                if let Some(edit) = disable_line(&lines, line, d.rule, open, close) {
                    out.push(action(
                        format!("Disable {} for this line", d.rule.code()),
                        lsp::CodeActionKind::QUICKFIX,
                        Some(vec![sent.clone()]),
                        target.edit(vec![edit]),
                        false,
                    ));
                }
            }
        }
    }
    if wanted(FIX_ALL, only) && !(automatic && only.is_none()) {
        if target.resolve {
            // The edit is computed on `codeAction/resolve`. Offered when
            // some finding has a safe fix (or the edits, if already
            // computed, are not empty); in the rare case the fixes cancel
            // out or would rewrite a password, it resolves to no edit.
            let offered = match linted.fix_all.get() {
                Some(edits) => !edits.is_empty(),
                None => has_safe_fix(linted),
            };
            if offered {
                let data = Pending {
                    uri: target.uri.clone(),
                    version: target.version,
                };
                out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                    data: serde_json::to_value(data).ok(),
                    ..fix_all_action(None)
                }));
            }
        } else if let Some(edit) = fix_all_edit(linted, config, target) {
            out.push(lsp::CodeActionOrCommand::CodeAction(fix_all_action(Some(
                edit,
            ))));
        }
    }
    out
}

/// The fix-all action, with `edit` if given.
pub fn fix_all_action(edit: Option<lsp::WorkspaceEdit>) -> lsp::CodeAction {
    lsp::CodeAction {
        title: "Fix all safe trueconf: problems".to_string(),
        kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
        edit,
        ..lsp::CodeAction::default()
    }
}

/// The edit of the fix-all action for `target`'s version of the document,
/// computed once per lint; `None` when there is nothing to fix.
pub fn fix_all_edit(
    linted: &Linted,
    config: &Config,
    target: &Target<'_>,
) -> Option<lsp::WorkspaceEdit> {
    if linted.too_large {
        return None;
    }
    let edits = linted.fix_all.get_or_init(|| fix_all(linted, config));
    (!edits.is_empty()).then(|| target.edit(edits.clone()))
}

fn action(
    title: String,
    kind: lsp::CodeActionKind,
    diagnostics: Option<Vec<lsp::Diagnostic>>,
    edit: lsp::WorkspaceEdit,
    preferred: bool,
) -> lsp::CodeActionOrCommand {
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title,
        kind: Some(kind),
        diagnostics,
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..lsp::CodeAction::default()
    })
}

/// Does some finding have a safe fix?
fn has_safe_fix(linted: &Linted) -> bool {
    linted.analysis.diagnostics.iter().any(|d| {
        d.fix
            .as_ref()
            .is_some_and(|f| f.applies(Applicability::Safe))
    })
}

/// How long fix-all goes on making passes: after the pass that ends past
/// it, the action applies the fixes made so far (a document whose fixes
/// need hundreds of passes, such as a megabyte-long link, is fixed in a
/// few runs of the action instead of stalling the editor for seconds).
const FIX_ALL_TIME: std::time::Duration = std::time::Duration::from_millis(500);

/// The edits that apply every safe fix, to a fixpoint; empty when there is
/// nothing to fix. Usually one edit; it is split around passwords so that
/// no edit carries one back to the client.
pub fn fix_all(linted: &Linted, config: &Config) -> Vec<lsp::TextEdit> {
    if !has_safe_fix(linted) {
        return Vec::new();
    }
    let old = linted.text.as_str();
    let deadline = std::time::Instant::now() + FIX_ALL_TIME;
    let fixed = crate::fix_all_until(
        old,
        linted.kind,
        config,
        Applicability::Safe,
        crate::MAX_FIX_PASSES,
        &|| std::time::Instant::now() >= deadline,
    );
    let new = fixed.text.as_str();
    if new == old {
        return Vec::new();
    }
    let lines = linted.lines();
    // Never send a password back: every password of the fixed text is
    // matched, in order, with an equal one of the old text, and only what
    // lies between matched passwords is replaced. Safe fixes may drop a
    // duplicate password but never write a new one; if one cannot be
    // matched, there is no fix-all action.
    let old_secrets = &linted.analysis.secrets;
    let mut next = 0;
    let mut anchors: Vec<(Span, Span)> = Vec::new();
    for n in crate::analyze(new, linted.kind, config).secrets {
        let value = &new[n.range()];
        let Some(k) = old_secrets[next..]
            .iter()
            .position(|o| &old[o.range()] == value)
        else {
            tracing::debug!("fix-all would rewrite a password; not offered");
            return Vec::new();
        };
        anchors.push((old_secrets[next + k], n));
        next += k + 1;
    }
    anchors.push((Span::empty(old.len()), Span::empty(new.len())));
    let mut edits = Vec::new();
    let (mut old_at, mut new_at) = (0, 0);
    for (o, n) in anchors {
        let (a, b) = (&old[old_at..o.start], &new[new_at..n.start]);
        if a != b {
            for (span, content) in replacements(a, b) {
                edits.push(lines.text_edit(&crate::fix::Edit {
                    span: span.shift(old_at),
                    content: content.into(),
                }));
            }
        }
        old_at = o.end;
        new_at = n.end;
    }
    edits
}

/// How many bytes `a` and `b` have in common at their start; whole blocks
/// are compared first, as the texts are mostly equal.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 4096;
    let n = a.len().min(b.len());
    let mut at = 0;
    while at + BLOCK <= n && a[at..at + BLOCK] == b[at..at + BLOCK] {
        at += BLOCK;
    }
    at + a[at..n]
        .iter()
        .zip(&b[at..n])
        .take_while(|(x, y)| x == y)
        .count()
}

/// Non-overlapping replacements, in order, that turn `old` into `new`: one
/// per run of differing lines, each trimmed by [`minimal_replacement`].
/// Fixes scattered over a big document so become small edits, not one
/// replacement of nearly all of it (sent again with every code action
/// response). After a difference, the texts are taken to be back in step
/// at the nearest pair of equal non-blank lines within a few lines of it;
/// without one, the rest is one replacement. Any choice gives the same
/// result; this one is linear in the texts' length.
pub fn replacements<'n>(old: &str, new: &'n str) -> Vec<(Span, &'n str)> {
    const WINDOW: usize = 8;
    /// Starts of the (up to WINDOW) lines after the one holding `from`,
    /// then the end of the text.
    fn next_lines(text: &str, from: usize) -> Vec<usize> {
        let mut out = Vec::with_capacity(WINDOW + 1);
        let mut at = from;
        while out.len() < WINDOW {
            match memchr::memchr(b'\n', &text.as_bytes()[at..]) {
                Some(k) if at + k + 1 < text.len() => {
                    at += k + 1;
                    out.push(at);
                }
                _ => break,
            }
        }
        out.push(text.len());
        out
    }
    fn line_at(text: &str, at: usize) -> &str {
        let end = memchr::memchr(b'\n', &text.as_bytes()[at..]).map_or(text.len(), |k| at + k + 1);
        &text[at..end]
    }
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    loop {
        let p = common_prefix(&old.as_bytes()[i..], &new.as_bytes()[j..]);
        if i + p == old.len() && j + p == new.len() {
            return out;
        }
        // The run starts at the line holding the first difference.
        let back = memchr::memrchr(b'\n', &old.as_bytes()[i..i + p]).map_or(0, |k| k + 1);
        let (start_old, start_new) = (i + back, j + back);
        let (olds, news) = (next_lines(old, i + p), next_lines(new, j + p));
        let mut best = (old.len(), new.len());
        let mut best_cost = usize::MAX;
        for (x, &a) in olds.iter().enumerate() {
            for (y, &b) in news.iter().enumerate() {
                if x + y >= best_cost || a == old.len() || b == new.len() {
                    continue;
                }
                let line = line_at(old, a);
                if !line.trim().is_empty() && line == line_at(new, b) {
                    best = (a, b);
                    best_cost = x + y;
                }
            }
        }
        let (a, b) = best;
        let (span, content) = minimal_replacement(&old[start_old..a], &new[start_new..b]);
        out.push((span.shift(start_old), content));
        (i, j) = (a, b);
    }
}

/// The smallest span of `old` to replace, and with what, to get `new`.
pub fn minimal_replacement<'n>(old: &str, new: &'n str) -> (Span, &'n str) {
    let prefix = old
        .bytes()
        .zip(new.bytes())
        .take_while(|(a, b)| a == b)
        .count();
    let prefix = floor_char_boundary(old, prefix).min(floor_char_boundary(new, prefix));
    let max_suffix = (old.len() - prefix).min(new.len() - prefix);
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    (
        Span::new(prefix, old.len() - suffix),
        &new[prefix..new.len() - suffix],
    )
}

/// Is a comment of the document's own syntax at the end of `line` one,
/// where `d` was found? Not inside a Markdown fenced block or a `<script>`
/// (the code there is another language's, a probe found the action writing
/// `<!-- … -->` into a JavaScript sample, where it silenced nothing), nor
/// inside an HTML tag or a string that goes on past the line, nor after a
/// backslash that continues the line.
fn comment_fits(linted: &Linted, d: &Diagnostic, lines: &Lines<'_>, line: usize) -> bool {
    let links = &linted.analysis.links;
    let i = links.partition_point(|l| l.span.start <= d.span.start);
    let link = i
        .checked_sub(1)
        .map(|i| &links[i])
        .filter(|l| d.span.start <= l.span.end);
    let context = link.map(|l| l.context);
    let line_span = lines.line_span(line);
    let line_text = &linted.text[line_span.range()];
    // A line that a backslash continues (Python, shell, a Markdown hard
    // break): a comment after it would end the continuation.
    if line_text.trim_end().ends_with('\\') {
        return false;
    }
    // A string that goes on past the line (a template literal, a
    // triple-quoted or long-bracket string, a here-document): the comment
    // would be part of its value.
    if let (
        Some(Context::StringLiteral { quote, .. } | Context::ScriptString { quote, .. }),
        Some(l),
    ) = (context, link)
    {
        let after = l.span.end.clamp(line_span.start, line_span.end);
        if quote == b'\n' || !linted.text.as_bytes()[after..line_span.end].contains(&quote) {
            return false;
        }
    }
    match linted.kind {
        DocKind::Markdown | DocKind::Mdx => {
            let fences = linted
                .fences
                .get_or_init(|| Arc::new(crate::scan::FenceMap::new(&linted.text)));
            fences.block_at(line_span.start).is_none()
                && !matches!(context, Some(Context::StringLiteral { .. }))
        }
        DocKind::Html => match (context, link) {
            (Some(Context::StringLiteral { .. }), _) => false,
            (Some(Context::HtmlAttribute { .. } | Context::ScriptString { .. }), Some(l)) => {
                let after = l.span.end.clamp(line_span.start, line_span.end);
                linted.text[after..line_span.end].contains('>')
            }
            _ => true,
        },
        _ => true,
    }
}

/// The edit that silences `rule` on `line`: a new comment at the end of the
/// line, or the code added to a marker already there.
fn disable_line(
    lines: &Lines<'_>,
    line: usize,
    rule: Rule,
    open: &str,
    close: &str,
) -> Option<lsp::TextEdit> {
    let content = lines.line_span(line);
    let text = &lines.text[content.range()];
    let code = rule.code();
    if let Some(at) = text.find(DISABLE_LINE) {
        // `… trueconf-lsp-disable-line TC001, TC004 -->`: add to the list.
        let list_start = at + DISABLE_LINE.len();
        let rest = &text[list_start..];
        let mut pos = 0;
        let mut last_end = None;
        for token in rest.split_inclusive([' ', ',', '\t']) {
            let word = token.trim_end_matches([' ', ',', '\t']);
            if word.is_empty() {
                pos += token.len();
                continue;
            }
            if !word
                .as_bytes()
                .get(..2)
                .is_some_and(|p| p.eq_ignore_ascii_case(b"TC"))
            {
                break;
            }
            if word.eq_ignore_ascii_case(code) {
                return None;
            }
            last_end = Some(pos + word.len());
            pos += token.len();
        }
        // No codes: the marker already silences every rule.
        let at = content.start + list_start + last_end?;
        return Some(lines.text_edit(&crate::fix::Edit {
            span: Span::empty(at),
            content: format!(", {code}").into(),
        }));
    }
    let comment = if close.is_empty() {
        format!(" {open} {DISABLE_LINE} {code}")
    } else {
        format!(" {open} {DISABLE_LINE} {code} {close}")
    };
    Some(lines.text_edit(&crate::fix::Edit {
        span: Span::empty(content.end),
        content: comment.into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::{Encoding, LineIndex};

    /// Replacements applied to the old text give the new one, whatever the
    /// differences: scattered in-line changes, added and removed lines,
    /// blank lines, line breaks, multi-byte characters, a different end.
    #[test]
    fn replacements_turn_old_into_new() {
        let pieces = [
            "trueconf:a",
            "b",
            "\n",
            "\r\n",
            "\n\n",
            " ",
            "é",
            "😀",
            "x\n",
            "&",
        ];
        let mut rng = crate::test_rng::Rng::new(0x2545_f491_4f6c_dd1du64);
        let mut next = |n: usize| rng.below(n);
        for round in 0..3000 {
            let mut old = String::new();
            for _ in 0..next(60) {
                old.push_str(pieces[next(pieces.len())]);
            }
            // Local changes at a few char boundaries, or a fresh text.
            let mut new = old.clone();
            if round % 10 == 0 {
                new.clear();
                for _ in 0..next(30) {
                    new.push_str(pieces[next(pieces.len())]);
                }
            } else {
                for _ in 0..1 + next(4) {
                    let mut at = next(new.len() + 1);
                    while !new.is_char_boundary(at) {
                        at -= 1;
                    }
                    let mut end = (at + next(4)).min(new.len());
                    while !new.is_char_boundary(end) {
                        end -= 1;
                    }
                    new.replace_range(at..end.max(at), pieces[next(pieces.len())]);
                }
            }
            let reps = replacements(&old, &new);
            let mut applied = String::new();
            let mut at = 0;
            for (span, content) in &reps {
                assert!(span.start >= at, "{old:?} -> {new:?}: {reps:?}");
                applied.push_str(&old[at..span.start]);
                applied.push_str(content);
                at = span.end;
            }
            applied.push_str(&old[at..]);
            assert_eq!(applied, new, "{old:?}: {reps:?}");
            assert_eq!(reps.is_empty(), old == new);
        }
    }

    /// Changes far apart in a long text are separate small edits.
    #[test]
    fn scattered_changes_are_small_edits() {
        let old: String = (0..2000)
            .map(|n| format!("line {n} trueconf:x\n"))
            .collect();
        let new = old
            .replace("line 10 trueconf:x", "line 10 trueconf:y")
            .replace("line 1500 trueconf:x\n", "")
            .replace("line 1999 trueconf:x", "line 1999 trueconf:zz");
        let reps = replacements(&old, &new);
        assert_eq!(reps.len(), 3, "{reps:?}");
        assert!(
            reps.iter()
                .all(|(span, content)| span.len() + content.len() < 40)
        );
    }

    #[test]
    fn kinds_match_hierarchically() {
        let q = [lsp::CodeActionKind::QUICKFIX];
        assert!(wanted("quickfix", Some(&q)));
        assert!(!wanted(FIX_ALL, Some(&q)));
        let s = [lsp::CodeActionKind::SOURCE];
        assert!(wanted(FIX_ALL, Some(&s)));
        let sf = [lsp::CodeActionKind::SOURCE_FIX_ALL];
        assert!(wanted(FIX_ALL, Some(&sf)));
        let other = [lsp::CodeActionKind::new("source.fix")];
        assert!(!wanted(FIX_ALL, Some(&other)));
        assert!(wanted(FIX_ALL, None));
    }

    #[test]
    fn minimal_replacements() {
        assert_eq!(
            minimal_replacement("abcdef", "abXdef"),
            (Span::new(2, 3), "X")
        );
        assert_eq!(minimal_replacement("aaa", "aaaa"), (Span::new(3, 3), "a"));
        assert_eq!(minimal_replacement("é", "è"), (Span::new(0, 2), "è"));
    }

    fn disable(text: &str, open: &str, close: &str) -> Option<String> {
        let index = LineIndex::new(text);
        let lines = Lines::new(text, &index, Encoding::Utf8);
        let edit = disable_line(&lines, 0, Rule::MissingEncrypt, open, close)?;
        let at = edit.range.start.character as usize;
        let mut out = text.to_string();
        out.insert_str(at, &edit.new_text);
        Some(out)
    }

    #[test]
    fn disable_comments() {
        assert_eq!(
            disable("[a](trueconf:x)\nnext", "<!--", "-->").unwrap(),
            "[a](trueconf:x) <!-- trueconf-lsp-disable-line TC002 -->\nnext"
        );
        assert_eq!(
            disable("u = \"trueconf:x\"", "#", "").unwrap(),
            "u = \"trueconf:x\" # trueconf-lsp-disable-line TC002"
        );
        assert_eq!(
            disable("x <!-- trueconf-lsp-disable-line TC004 -->", "<!--", "-->").unwrap(),
            "x <!-- trueconf-lsp-disable-line TC004, TC002 -->"
        );
        assert_eq!(
            disable("x <!-- trueconf-lsp-disable-line TC002 -->", "<!--", "-->"),
            None
        );
        assert_eq!(
            disable("x <!-- trueconf-lsp-disable-line -->", "<!--", "-->"),
            None
        );
        // Words of several bytes after the marker (a probe's em dash made
        // the code-action request panic).
        assert_eq!(
            disable(
                "x <!-- trueconf-lsp-disable-line TC004 — demo -->",
                "<!--",
                "-->"
            )
            .unwrap(),
            "x <!-- trueconf-lsp-disable-line TC004, TC002 — demo -->"
        );
        for word in ["中", "😀", "→x", "é"] {
            let text = format!("x # trueconf-lsp-disable-line {word}");
            assert_eq!(disable(&text, "#", ""), None, "{word}");
        }
    }
}
