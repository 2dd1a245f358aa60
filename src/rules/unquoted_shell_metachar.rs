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
word, and an escaped `\\&` (shell) or `^&` (cmd) is fine. A string literal
that holds such a command line is shell or cmd inside the language:
`os.system(\"xdg-open trueconf:bob@srv&do=chat\")` (after `xdg-open`,
`open`, `gio open`, `start`, `cmd /c start` …, in a string that a shell
runs: `os.system`, `os.execute`, `popen`, `shell_exec`, `execSync`, `sh -c`
…) is reported too, the link judged on the string's value.

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
In a string literal the quotes are written as the literal needs them
(`'…'` in a `\"…\"` literal, `\"…\"` in a `'…'` one, `\\\"…\\\"` for cmd in a
`\"…\"` one). No fix is offered when the link itself holds the quote it
would need or a character the quotes would change, nor in a raw string
or an HTML attribute's script that cannot write the quote.
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
        (
            Context::StringLiteral { quote, escapes }
            | Context::ScriptString { quote, escapes, .. },
            _,
        ) => return in_string(ctx, quote, escapes, out),
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
    // `'…'` would stop `$NAME` and `` `cmd` `` from being expanded.
    if src.contains(quote) || dialect == Dialect::Posix && src.contains(['$', '`']) {
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

/// TC017 for a command line inside a string literal (opened by `outer`)
/// whose link is a bare word: `os.system(\"xdg-open trueconf:bob&do=chat\")`,
/// `exec('start trueconf:bob&do=chat')`. The string's value is the command
/// line: the link is judged on its decoded text, and a fix writes quotes in
/// the literal's syntax.
fn in_string(ctx: &LinkCtx, outer: u8, escapes: bool, out: &mut Findings) {
    let span = ctx.link_span();
    let source = ctx.source;
    // A bare word: after a space, not after a quote of the command line.
    if !matches!(source.as_bytes()[..span.start].last(), Some(b' ' | b'\t')) {
        return;
    }
    let line = &source[super::shell_call::line_start_before(source, span.start)..span.start];
    // The command line so far: from the literal's opening quote.
    // A Lua long string (`[[…]]`, `[==[…]==]`) closes with `]`: it opened
    // with the last `[`.
    let open_quote = if outer == b']' { '[' } else { outer as char };
    let Some(open) = line.rfind(open_quote) else {
        return;
    };
    if !super::shell_call::runs_in_shell(&line[..open], ctx.kind) {
        return;
    }
    let Some((dialect, start)) = opener(&line[open + 1..]) else {
        return;
    };
    let text = ctx.link.text.as_bytes();
    let esc = if dialect == Dialect::Posix {
        b'\\'
    } else {
        b'^'
    };
    // The first unescaped `&`, and whether every one is followed by a
    // `key=`: only such a one splits the link (a lone `&`, `&&` or `&>` is
    // the command line's own operator, written after the link).
    let (mut first, mut all_keys) = (None, true);
    let mut i = 0;
    while let Some(&b) = text.get(i) {
        if b == esc {
            i += 2;
            continue;
        }
        if b == b'&' {
            let key = text[i + 1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
                .count();
            let keyed = key > 0 && text.get(i + 1 + key) == Some(&b'=');
            first.get_or_insert((i, keyed));
            all_keys &= keyed;
        }
        i += 1;
    }
    let Some((amp, true)) = first else {
        return;
    };
    let mut d = Diagnostic::new(
        Rule::UnquotedShellMetachar,
        ctx.span(Span::new(amp, amp + 1)),
        "unquoted `&` ends the command here: the rest of the link runs as a separate command; quote the whole link",
    );
    // No fix in an HTML attribute's script (a quote would need its own
    // reference there), nor when quoting the word would make an `&` of the
    // command line's own part of the link.
    let fixable = matches!(ctx.raw.context, Context::StringLiteral { .. }) && all_keys;
    if let Some(edits) =
        quoted_in_string(ctx.link.text, dialect, start, outer, escapes, span).filter(|_| fixable)
    {
        d = d.with_fix(Fix::safe("Quote the whole link", edits));
    }
    out.push(d);
}

/// The dialect of a command line that opens its last word, and whether
/// that word is `start`'s first argument: `xdg-open `, `open `, `gio open `
/// (POSIX shells), `start `, `start /min `, `cmd /c start ` (cmd).
fn opener(command: &str) -> Option<(Dialect, bool)> {
    // The link is a word of its own: white space before it.
    if !command.ends_with([' ', '\t']) {
        return None;
    }
    let lower = command.trim().trim_start_matches('@').to_ascii_lowercase();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() >= 2 && matches!(words[0], "cmd" | "cmd.exe") && matches!(words[1], "/c" | "/k")
    {
        words.drain(..2);
        if words.first() != Some(&"start") {
            return None;
        }
    }
    match words.as_slice() {
        [
            "xdg-open" | "open" | "gnome-open" | "kde-open" | "kde-open5" | "sensible-browser"
            | "x-www-browser",
        ]
        | ["gio", "open"] => Some((Dialect::Posix, false)),
        ["start", options @ ..] if options.iter().all(|o| o.starts_with('/') && o.len() > 1) => {
            Some((Dialect::Cmd, true))
        }
        _ => None,
    }
}

/// The edits that quote a bare-word link of a command line in a string
/// literal: quotes inserted on each side, written as the literal needs
/// them; `None` when the link holds a character quoting would change.
fn quoted_in_string(
    link: &str,
    dialect: Dialect,
    start: bool,
    outer: u8,
    escapes: bool,
    span: Span,
) -> Option<Vec<Edit>> {
    let quote = match dialect {
        // Single quotes keep every character; double quotes if the literal
        // is single-quoted (`&` is literal there too).
        Dialect::Posix if outer != b'\'' => "'",
        Dialect::Posix => "\"",
        Dialect::Cmd if outer != b'"' => "\"",
        Dialect::Cmd if escapes => "\\\"",
        Dialect::Cmd => return None,
    };
    // Characters whose meaning the quotes would change, or the quote.
    let kept = match (dialect, quote) {
        // `'…'` would stop `$NAME` and `` `cmd` `` from being expanded.
        (Dialect::Posix, "'") => !link.contains(['\'', '\\', '$', '`']),
        (Dialect::Posix, _) => !link.contains(['"', '\\', '$', '`']),
        (Dialect::Cmd, _) => !link.contains(['"', '^']),
    };
    if !kept {
        return None;
    }
    let open = if start {
        format!("{quote}{quote} {quote}")
    } else {
        quote.to_string()
    };
    Some(vec![
        Edit::insertion(span.start, open),
        Edit::insertion(span.end, quote),
    ])
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

    /// A command line in a string literal is shell or cmd inside the
    /// language (trueconf-uri.md §7): a bare-word link there splits at `&`
    /// as it would in a script.
    #[test]
    fn unquoted_ampersands_in_string_literals() {
        let py = DocKind::Code(Lang::Python);
        for (src, want) in [
            (
                r#"os.system("xdg-open trueconf:bob@srv&do=chat")"#,
                r#"os.system("xdg-open 'trueconf:bob@srv&do=chat'")"#,
            ),
            (
                r#"os.system('xdg-open trueconf:bob@srv&do=chat &')"#,
                r#"os.system('xdg-open "trueconf:bob@srv&do=chat" &')"#,
            ),
            (
                r#"os.system("start trueconf:bob@srv&do=chat")"#,
                r#"os.system("start \"\" \"trueconf:bob@srv&do=chat\"")"#,
            ),
            (
                r#"os.system('cmd /c start /min trueconf:bob@srv&do=chat')"#,
                r#"os.system('cmd /c start /min "" "trueconf:bob@srv&do=chat"')"#,
            ),
            (
                r#"os.system("gio open trueconf:bob@srv\u0026do=chat")"#,
                r#"os.system("gio open 'trueconf:bob@srv\u0026do=chat'")"#,
            ),
        ] {
            assert_eq!(diags(src, py, "TC017").len(), 1, "{src}");
            assert_eq!(fixed(src, py, "TC017"), want);
        }
        let lua = DocKind::Code(Lang::Lua);
        assert_eq!(
            fixed(
                r#"os.execute("xdg-open trueconf:bob@srv&do=chat")"#,
                lua,
                "TC017"
            ),
            r#"os.execute("xdg-open 'trueconf:bob@srv&do=chat'")"#
        );
        // Quoted already, escaped, not a command that opens it, or no `&`.
        for src in [
            r#"os.system("xdg-open 'trueconf:bob@srv&do=chat'")"#,
            r#"os.system("xdg-open \"trueconf:bob@srv&do=chat\"")"#,
            r#"os.system("xdg-open trueconf:bob@srv\\&do=chat")"#,
            r#"os.system("start trueconf:bob@srv^&do=chat")"#,
            r#"os.system("start \"\" \"trueconf:bob@srv&do=chat\"")"#,
            r#"url = "trueconf:bob@srv&do=chat""#,
            r#"print("see trueconf:bob@srv&do=chat")"#,
            r#"os.system("xdg-open trueconf:bob@srv")"#,
        ] {
            assert!(diags(src, py, "TC017").is_empty(), "{src}");
        }
        // Only an `&` before a `key=` splits the link; a lone `&`, `&&`
        // or `&>` is the command line's own, and no fix quotes it in.
        for src in [
            r#"os.system("xdg-open trueconf:bob@srv&")"#,
            r#"os.system("xdg-open trueconf:bob@srv&>/dev/null")"#,
            r#"os.system("xdg-open trueconf:bob@srv&&echo ok")"#,
        ] {
            assert!(diags(src, py, "TC017").is_empty(), "{src}");
        }
        let src = r#"os.system("xdg-open trueconf:bob@srv&do=chat&&echo ok")"#;
        assert_eq!(diags(src, py, "TC017").len(), 1);
        assert_eq!(fixed(src, py, "TC017"), src);
        // Strings no shell runs: a docstring, a message, JVM exec.
        for (src, kind) in [
            (
                r#"    """Open trueconf:bob@srv&do=chat in the client.""""#,
                py,
            ),
            (r#"print("open trueconf:bob@srv&do=chat")"#, py),
            (
                r#"{"menu": "Start trueconf:support@srv&do=profile"}"#,
                DocKind::Code(Lang::Json),
            ),
            (
                r#"Runtime.getRuntime().exec("xdg-open trueconf:bob@srv&do=chat");"#,
                DocKind::Code(Lang::Java),
            ),
            (
                "echo \"open trueconf:bob@srv&do=chat\"\n",
                DocKind::Code(Lang::Shell),
            ),
        ] {
            assert!(diags(src, kind, "TC017").is_empty(), "{src}");
        }
        // `sh -c` in a script runs its string.
        assert_eq!(
            fixed(
                "sh -c \"xdg-open trueconf:bob@srv&do=chat\"\n",
                DocKind::Code(Lang::Shell),
                "TC017"
            ),
            "sh -c \"xdg-open 'trueconf:bob@srv&do=chat'\"\n"
        );
        // Single quotes would stop `$TC_USER` from being expanded: no fix.
        let src = r#"os.system("xdg-open trueconf:$TC_USER@srv&do=chat")"#;
        assert_eq!(diags(src, py, "TC017").len(), 1);
        assert_eq!(fixed(src, py, "TC017"), src);
        // A raw string cannot write `\"`: reported without a fix.
        let src = r#"os.system(r"start trueconf:bob@srv&do=chat")"#;
        assert_eq!(diags(src, py, "TC017").len(), 1);
        assert_eq!(fixed(src, py, "TC017"), src);
    }
}
