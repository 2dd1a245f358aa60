//! TC014 escaped-backslash.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};
use crate::scan::{Context, Decode, DocKind, Lang};
use crate::text::Span;

pub const EXPLANATION: &str = "\
# TC014 escaped-backslash

## What it does
Finds single backslashes of a link (`\\c\\`, `\\e\\`) written inside a string
literal where backslashes are escapes: JavaScript and TypeScript (also in
HTML event handlers and framework bindings), Python, Java (and C, C++,
Objective-C, Kotlin, Swift, Dart, Scala, Groovy), C#, Go, Rust, Lua, JSON, double-quoted YAML and TOML, double-quoted strings and
here-documents of Ruby, PHP and Perl, shell `$'…'` strings and unquoted
shell words. The link is judged on the string's value: an escape that
produces a character the link needs (`\\u0026`, `\\x26`, `\\N{AMPERSAND}`) is
no loss and is not reported; one that begins at the prefix's second
backslash eats it (`\\c\\u0031` is `\\c1`), and both are doubled. Python
and PHP keep a backslash that begins no escape (`\\c`, `\\Z`): there the
link is reported only where one of its backslashes begins an escape
(`\\737`, `\\u0031`).

Strings without backslash escapes are never reported: Python `r'…'`, Go
`` `…` ``, C# `@\"…\"` and `\"\"\"…\"\"\"`, Rust `r\"…\"` / `r#\"…\"#`, JavaScript
`` String.raw`…` ``, JSX/TSX/MDX attribute strings (`<a href=\"…\">`), YAML
single-quoted and plain scalars, TOML literal strings (`'…'`), Lua long
brackets `[[…]]` / `[==[…]==]` (any level), single-quoted strings of Ruby,
PHP and Perl (`'…'`, `%q(…)`, `q{…}`: only `\\\\` and `\\'` are escapes there)
and their quoted here-documents, shell single quotes and shell
double quotes (there only `\\$ \\` \\\" \\\\` and a newline are escapes, so `\\c`
stays). In cmd batch files `^` is the escape and in PowerShell the backtick
is: backslashes are literal in both.

## Why is this bad?
The language eats the backslashes before the link is ever opened: in
JavaScript `\"trueconf:\\c\\737\"` becomes `trueconf:c` followed by the
control character `\\7` and `37`, so the app is asked to call a user named
`c…` instead of joining conference 737.

## Example
```js
window.location = \"trueconf:\\c\\737734033583\";
```
Use instead:
```js
window.location = \"trueconf:\\\\c\\\\737734033583\";
```

## Fix safety
Safe: doubling the backslash makes the string hold exactly the text the
author wrote. Where the backslash escapes a punctuation character (`\\$`,
`\\#`, a quote), that escape is kept after the new one, so `${…}` stays text.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    // A shell's double quotes keep `\c`: only `\$ \` \" \\` and a newline
    // are escapes there (trueconf-uri.md §7), in a script as in a fenced
    // block of another document.
    if ctx.raw.decode == Decode::ShellDouble {
        return;
    }
    match ctx.raw.context {
        Context::StringLiteral { escapes: true, .. }
        | Context::ScriptString { escapes: true, .. }
        | Context::ShellWord { escapes: true } => {}
        _ => return,
    }
    let text = ctx.link.text;
    // A decoded backslash that is one source byte was written alone; only
    // those of the link's own syntax (`\c\`, `\e\`) are lost to the
    // language, never one an escape produced (`\u{26}` is `&`). The source
    // offsets of the backslashes to double:
    let mut lost: Vec<usize> = Vec::new();
    for (i, _) in text.match_indices('\\') {
        if ctx.decoded.source_len(i, i + 1) != 1 {
            continue;
        }
        let at = ctx.span(Span::new(i, i + 1)).start;
        if in_prefix(text, i) {
            lost.push(at);
        } else if let Some(second) = eaten_second(ctx, text, i) {
            // `\c\u0031` reads `\c1`: the prefix's second backslash
            // began an escape, which ate it.
            lost.extend([at, second]);
        }
    }
    lost.dedup();
    // Python and PHP keep a backslash before a character that begins no
    // escape (`"\c"` is `\c` there): the link loses a backslash only where
    // one begins an escape (`\737`, `\u0031`, `\n`).
    let escapes: Option<&[u8]> = match ctx.kind {
        DocKind::Code(Lang::Python) => Some(b"\n\r\\'\"abfnrtv01234567xNuU"),
        DocKind::Code(Lang::Php) => Some(b"\n\r\\$\"ntrvef01234567xu"),
        _ => None,
    };
    if let Some(escapes) = escapes {
        let source = ctx.source.as_bytes();
        // PHP's `\u` is an escape only as `\u{…}`, and its `\x` only
        // before a hex digit: else both keep their backslash.
        let php = ctx.kind == DocKind::Code(Lang::Php);
        let begins_escape = |at: usize| match source.get(at + 1) {
            Some(b'u') if php => source.get(at + 2) == Some(&b'{'),
            Some(b'x') if php => source.get(at + 2).is_some_and(u8::is_ascii_hexdigit),
            Some(b) => escapes.contains(b),
            None => false,
        };
        if !lost.iter().any(|&at| begins_escape(at)) {
            return;
        }
    }
    let (Some(&first), Some(&last)) = (lost.first(), lost.last()) else {
        return;
    };
    // Where the backslash escapes a punctuation character (`\$`, `\#`, a
    // quote), that escape stays after the new one: `\c\${id}` in a
    // template literal is `c${id}`, and `\\c\\${id}` would make `${id}`
    // an interpolation; `\\c\\\${id}` is `\c\${id}`.
    let source = ctx.source.as_bytes();
    let edits = lost
        .iter()
        .map(|&at| {
            let escapes_punctuation = source
                .get(at + 1)
                .is_some_and(|&b| b.is_ascii_punctuation() && b != b'\\');
            let content = if escapes_punctuation {
                "\\\\\\"
            } else {
                "\\\\"
            };
            Edit::replacement(Span::new(at, at + 1), content)
        })
        .collect();
    let span = Span::new(first, last + 1);
    out.push(
        Diagnostic::new(
            Rule::EscapedBackslash,
            span,
            "backslashes in this string literal are escapes, so the link loses them; write `\\\\`",
        )
        .with_fix(Fix::safe("Double each backslash", edits)),
    );
}

/// Where the source of a `\c` or `\e` prefix at `i` of the decoded
/// text has its second backslash, when an escape that begins with it
/// made something else of it (`\c\u0031`, `\e\x41`): the link lost it.
fn eaten_second(ctx: &LinkCtx, text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    if !matches!(bytes.get(i + 1)?.to_ascii_lowercase(), b'c' | b'e') || i + 2 >= bytes.len() {
        return None;
    }
    let next = text[i + 2..].chars().next()?.len_utf8();
    let escape = ctx.span(Span::new(i + 2, i + 2 + next));
    let written = ctx.source.as_bytes().get(escape.start..escape.end)?;
    (ctx.decoded.source_len(i + 1, i + 2) == 1 && written.len() > next && written[0] == b'\\')
        .then_some(escape.start)
}

/// Is the backslash at `i` one of a `\c\` or `\e\` prefix (any case)?
fn in_prefix(text: &str, i: usize) -> bool {
    let is_prefix = |at: usize| {
        text.as_bytes().get(at..at + 3).is_some_and(|w| {
            w[0] == b'\\' && w[2] == b'\\' && matches!(w[1].to_ascii_lowercase(), b'c' | b'e')
        })
    };
    is_prefix(i) || i >= 2 && is_prefix(i - 2)
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::{DocKind, Lang};

    #[test]
    fn escapes_in_string_literals() {
        let js = DocKind::Code(Lang::JavaScript);
        let src = r#"location = "trueconf:\c\737734033583";"#;
        assert_eq!(diags(src, js, "TC014").len(), 1);
        assert_eq!(
            fixed(src, js, "TC014"),
            r#"location = "trueconf:\\c\\737734033583";"#
        );
        assert!(diags(r#"x = "trueconf:\\c\\737""#, js, "TC014").is_empty());
        let py = DocKind::Code(Lang::Python);
        assert!(diags(r#"x = r"trueconf:\c\737""#, py, "TC014").is_empty());
        // Python and PHP keep `\c` and `\Z`: nothing is lost there.
        for src in [
            r#"x = "trueconf:\c\Z12@srv""#,
            r#"x = f"trueconf:\c\{cid}@srv""#,
        ] {
            assert!(diags(src, py, "TC014").is_empty(), "{src}");
        }
        let php = DocKind::Code(Lang::Php);
        assert!(diags(r#"<?php $u = "trueconf:\c\Z1"; ?>"#, php, "TC014").is_empty());
        assert_eq!(
            diags(r#"<?php $u = "trueconf:\c\737"; ?>"#, php, "TC014").len(),
            1
        );
        for src in [
            r#"<?php $u = "trueconf:\c\u0031"; ?>"#,
            r#"<?php $u = "trueconf:\c\xZZ"; ?>"#,
        ] {
            assert!(diags(src, php, "TC014").is_empty(), "{src}");
        }
        for src in [
            r#"<?php $u = "trueconf:\c\u{31}"; ?>"#,
            r#"<?php $u = "trueconf:\c\x31"; ?>"#,
        ] {
            assert_eq!(diags(src, php, "TC014").len(), 1, "{src}");
        }
        assert_eq!(diags(r#"x = 'trueconf:\c\737'"#, py, "TC014").len(), 1);
        let json = DocKind::Code(Lang::Json);
        assert_eq!(
            fixed(r#"{"u": "trueconf:\c\1"}"#, json, "TC014"),
            r#"{"u": "trueconf:\\c\\1"}"#
        );
        assert!(diags(r"trueconf:\c\737", DocKind::Plain, "TC014").is_empty());
        // Escapes that produce a character the link needs are no loss.
        for src in [
            r#"x = "trueconf:bob\u{26}do=chat""#,
            r#"x = "trueconf:bob\x26do=chat""#,
            r#"x = "trueconf:bob\&do=chat""#,
        ] {
            assert!(diags(src, js, "TC014").is_empty(), "{src}");
        }
        assert!(diags(r#"x = "trueconf:bob\N{AMPERSAND}do=chat""#, py, "TC014").is_empty());
        assert_eq!(diags(r#"x = "trueconf:\E\1""#, js, "TC014").len(), 1);
        // The prefix's second backslash begins an escape that eats it:
        // `\c\u0031` is `\c1` in JS; both backslashes are doubled.
        for (src, want) in [
            (
                r#"x = "trueconf:\c\u0031";"#,
                r#"x = "trueconf:\\c\\u0031";"#,
            ),
            (
                r#"x = "trueconf:\e\x41@srv";"#,
                r#"x = "trueconf:\\e\\x41@srv";"#,
            ),
        ] {
            assert_eq!(diags(src, js, "TC014").len(), 1, "{src}");
            assert_eq!(fixed(src, js, "TC014"), want);
        }
        assert_eq!(
            fixed(r#"x = "trueconf:\c\u0031""#, py, "TC014"),
            r#"x = "trueconf:\\c\\u0031""#
        );
        // Written right, or a raw string: nothing is lost.
        assert!(diags(r#"x = "trueconf:\\c\\u0031""#, js, "TC014").is_empty());
        assert!(diags(r#"x = r"trueconf:\c\u0031""#, py, "TC014").is_empty());
        assert!(
            diags(
                r#"x := `trueconf:\c\737`"#,
                DocKind::Code(Lang::Go),
                "TC014"
            )
            .is_empty()
        );
    }
}
