//! TC017 unquoted-shell-metachar.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};
use crate::scan::{Context, Decode};
use crate::text::Span;

pub const EXPLANATION: &str = "\
# TC017 unquoted-shell-metachar

## What it does
Finds a link written as an unquoted word of a shell or cmd command line
whose `&` is followed by more of the link (a parameter such as `do=chat`),
as in `xdg-open trueconf:bob@srv&do=chat`. A `;` or `|` simply ends the
word, and an escaped `\\&` (shell) or `^&` (cmd) is fine.

## Why is this bad?
An unquoted `&` is an operator of the command line, not part of the link:
the shell runs `xdg-open trueconf:bob@srv` in the background and then
`do=chat` as a command of its own (cmd runs the two one after the other).
The app receives a link without its parameters: no chat, no sign-in, no
`encrypt=1`.

## Example
```sh
xdg-open trueconf:bob@video.example.com&do=chat
```
Use instead:
```sh
xdg-open 'trueconf:bob@video.example.com&do=chat'
```

## Fix safety
Safe: the whole link is quoted (`'…'` in a shell, `\"…\"` in cmd), so the
command receives it as one argument with the characters the author wrote;
in cmd, `start trueconf:…` becomes `start \"\" \"trueconf:…\"` (see TC018).
No fix is offered when the link itself holds the quote it would need.
";

/// How the command language of a bare word is told from its place.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Posix,
    Cmd,
}

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let dialect = match (ctx.raw.context, ctx.raw.decode) {
        (Context::ShellWord { escapes: true }, _) => Dialect::Posix,
        (Context::ShellWord { escapes: false }, Decode::Batch { .. }) => Dialect::Cmd,
        _ => return,
    };
    let span = ctx.link_span();
    let src = &ctx.source[span.range()];
    let esc = if dialect == Dialect::Posix {
        b'\\'
    } else {
        b'^'
    };
    let bytes = src.as_bytes();
    let mut first = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == esc {
            i += 2;
            continue;
        }
        if bytes[i] == b'&' {
            first = Some(i);
            break;
        }
        i += 1;
    }
    let Some(amp) = first else {
        return;
    };
    let at = span.start + amp;
    let mut d = Diagnostic::new(
        Rule::UnquotedShellMetachar,
        Span::new(at, at + 1),
        "unquoted `&` ends the command here: the rest of the link runs as a separate command; quote the whole link",
    );
    if let Some(edits) = quoted(ctx, dialect, span, src) {
        d = d.with_fix(Fix::safe("Quote the whole link", edits));
    }
    out.push(d);
}

/// The edits that quote the link's word: a quote inserted on each side
/// and the escape characters that quoting makes unneeded deleted, so that
/// no edit carries the link's text (and its password); `None` when the
/// link holds the quote itself.
fn quoted(ctx: &LinkCtx, dialect: Dialect, span: Span, src: &str) -> Option<Vec<Edit>> {
    let bytes = src.as_bytes();
    let mut edits = Vec::new();
    let (quote, esc) = match dialect {
        Dialect::Posix => ('\'', b'\\'),
        Dialect::Cmd => ('"', b'^'),
    };
    if src.contains(quote) {
        return None;
    }
    let open = if dialect == Dialect::Cmd && after_start(ctx.source, span.start) {
        "\"\" \""
    } else if dialect == Dialect::Cmd {
        "\""
    } else {
        "'"
    };
    edits.push(Edit::insertion(span.start, open));
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == esc && i + 1 < bytes.len() {
            // In a shell, a backslash before a letter or digit (`\c`) is
            // kept as the author wrote it; before anything else it only
            // escaped the next character. In cmd every `^` escapes.
            if dialect == Dialect::Cmd || !bytes[i + 1].is_ascii_alphanumeric() {
                edits.push(Edit::deletion(Span::new(
                    span.start + i,
                    span.start + i + 1,
                )));
            }
            i += 2;
            continue;
        }
        i += 1;
    }
    edits.push(Edit::insertion(span.end, quote.to_string()));
    Some(edits)
}

/// Is the word at `at` the first argument of cmd's `start`?
fn after_start(source: &str, at: usize) -> bool {
    let before = source[..at].trim_end_matches([' ', '\t']);
    if before.len() == at {
        return false;
    }
    let Some(head) = before
        .len()
        .checked_sub(5)
        .filter(|&k| before.is_char_boundary(k))
        .map(|k| &before[k..])
    else {
        return false;
    };
    let k = before.len() - 5;
    head.eq_ignore_ascii_case("start")
        && (k == 0
            || matches!(
                before.as_bytes()[k - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b'@' | b'&' | b'(' | b'|'
            ))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::{DocKind, Lang};

    #[test]
    fn unquoted_ampersands() {
        let sh = DocKind::Code(Lang::Shell);
        let src = "xdg-open trueconf:bob@srv&do=chat\n";
        assert_eq!(diags(src, sh, "TC017").len(), 1);
        assert_eq!(
            fixed(src, sh, "TC017"),
            "xdg-open 'trueconf:bob@srv&do=chat'\n"
        );
        assert!(diags("xdg-open trueconf:bob@srv;echo ok\n", sh, "TC017").is_empty());
        assert!(diags("xdg-open trueconf:bob@srv\\&do=chat\n", sh, "TC017").is_empty());
        assert!(diags("xdg-open 'trueconf:bob@srv&do=chat'\n", sh, "TC017").is_empty());
        assert!(diags("xdg-open trueconf:bob@srv & wait\n", sh, "TC017").is_empty());
        assert_eq!(
            fixed("start trueconf:bob@srv&do=chat\r\n", DocKind::Cmd, "TC017"),
            "start \"\" \"trueconf:bob@srv&do=chat\"\r\n"
        );
        assert!(diags("start trueconf:bob@srv^&do=chat\n", DocKind::Cmd, "TC017").is_empty());
        let ps = DocKind::PowerShell;
        assert!(diags("Start-Process trueconf:bob@srv&do=chat\n", ps, "TC017").is_empty());
    }
}
