//! TC018 start-title.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};
use crate::scan::{Context, Decode, DocKind};
use crate::text::Span;

pub const EXPLANATION: &str = "\
# TC018 start-title

## What it does
Finds cmd's `start \"trueconf:…\"`: a quoted link as the first argument of
`start`, in a batch file, in a cmd code block, or inside a string literal
that runs `cmd /c start …` or that a shell runs and begins with `start`
(a command of cmd only: `os.system(\"start …\")`, Lua's
`os.execute('start …')`; a string that is only printed or kept is not
judged).

## Why is this bad?
`start` takes its first quoted argument as the title of a new console
window: it opens an empty window titled with the link, and the app is
never asked to open it.

## Example
```bat
start \"trueconf:bob@video.example.com\"
```
Use instead:
```bat
start \"\" \"trueconf:bob@video.example.com\"
```

## Fix safety
Safe: an empty title `\"\"` is inserted before the link, which stays as it
was; inside a string literal the quotes are written escaped as the link's
own quote is (`\\\"\\\"`).
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    if ctx.kind == DocKind::PowerShell {
        // `start` is PowerShell's Start-Process there: no title argument.
        return;
    }
    let Context::StringLiteral { quote: outer, .. } = ctx.raw.context else {
        return;
    };
    let start = ctx.link_span().start;
    let before = &ctx.source[..start];
    let (quote, escaped) = if before.ends_with("\\\"") {
        (start - 2, true)
    } else if before.ends_with('"') {
        (start - 1, false)
    } else {
        return;
    };
    let line_start = super::shell_call::line_start_before(ctx.source, quote);
    let Some(command) = start_before(&ctx.source[line_start..quote]) else {
        return;
    };
    let batch = matches!(ctx.raw.decode, Decode::Batch { .. });
    let head = &ctx.source[line_start..line_start + command];
    if !batch && !runs_cmd(head) && !opens_literal(head, outer, ctx.kind) {
        return;
    }
    let title = if escaped { "\\\"\\\" " } else { "\"\" " };
    out.push(
        Diagnostic::new(
            Rule::StartTitle,
            Span::new(quote, ctx.link_span().end),
            "`start` takes this quoted link as the window title and opens nothing; write `start \"\" \"…\"`",
        )
        .with_fix(Fix::safe(
            "Add an empty window title",
            vec![Edit::insertion(quote, title)],
        )),
    );
}

/// Where `start` begins when `head` ends with `start` and its options
/// (`/b`, `/min` …) before a quoted first argument.
fn start_before(head: &str) -> Option<usize> {
    let mut rest = head.trim_end_matches([' ', '\t']);
    if rest.len() == head.len() {
        return None;
    }
    // Options: `/b`, `/min`, `/wait`.
    loop {
        let word_start = rest.rfind([' ', '\t']).map_or(0, |k| k + 1);
        let word = &rest[word_start..];
        if word.starts_with('/') && word.len() > 1 {
            rest = rest[..word_start].trim_end_matches([' ', '\t']);
            continue;
        }
        break;
    }
    let k = rest.len().checked_sub(5)?;
    if !rest.is_char_boundary(k) || !rest[k..].eq_ignore_ascii_case("start") {
        return None;
    }
    let boundary = k == 0
        || matches!(
            rest.as_bytes()[k - 1],
            b' ' | b'\t' | b'@' | b'&' | b'(' | b'|' | b'"' | b'\'' | b'`' | b'['
        );
    boundary.then_some(k)
}

/// Is `start` the first word of the string literal (opened by `outer`)
/// that holds the link, a literal that a shell runs, as in
/// `os.system("start \"trueconf:…\"")` or `os.execute('start "trueconf:…"')`?
/// `start` is a command of cmd only, so a command line that begins with it
/// runs there. A string that is printed or kept is not judged.
fn opens_literal(head: &str, outer: u8, kind: DocKind) -> bool {
    let trimmed = head.trim_end_matches([' ', '\t', '@']);
    // A Lua long string (`[[…]]`) closes with `]` and opened with `[`.
    let opener = if outer == b']' { b'[' } else { outer };
    trimmed.as_bytes().last() == Some(&opener)
        && super::shell_call::runs_in_shell(&trimmed[..trimmed.len() - 1], kind)
}

/// Does the command line before `start` run cmd (`cmd /c`, `cmd.exe /k`)?
fn runs_cmd(head: &str) -> bool {
    let lower = head.to_ascii_lowercase();
    ["cmd /c", "cmd.exe /c", "cmd /k", "cmd.exe /k"]
        .iter()
        .any(|p| lower.trim_end().ends_with(p))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::{DocKind, Lang};

    #[test]
    fn start_titles() {
        let src = "start \"trueconf:bob@srv\"\r\n";
        assert_eq!(diags(src, DocKind::Cmd, "TC018").len(), 1);
        assert_eq!(
            fixed(src, DocKind::Cmd, "TC018"),
            "start \"\" \"trueconf:bob@srv\"\r\n"
        );
        assert_eq!(
            fixed("START /b \"trueconf:bob\"\n", DocKind::Cmd, "TC018"),
            "START /b \"\" \"trueconf:bob\"\n"
        );
        assert!(diags("start \"\" \"trueconf:bob\"\n", DocKind::Cmd, "TC018").is_empty());
        assert!(diags("echo \"trueconf:bob\"\n", DocKind::Cmd, "TC018").is_empty());
        assert!(diags("start \"trueconf:bob\"\n", DocKind::PowerShell, "TC018").is_empty());
        let js = DocKind::Code(Lang::JavaScript);
        let src = r#"exec("cmd /c start \"trueconf:bob\"");"#;
        assert_eq!(
            fixed(src, js, "TC018"),
            r#"exec("cmd /c start \"\" \"trueconf:bob\"");"#
        );
        // A string literal that begins with `start` is a cmd command line
        // (`os.system`, `os.execute`, `system()` run it there).
        let lua = DocKind::Code(Lang::Lua);
        assert_eq!(
            fixed(r#"os.execute('start "trueconf:bob"')"#, lua, "TC018"),
            r#"os.execute('start "" "trueconf:bob"')"#
        );
        let py = DocKind::Code(Lang::Python);
        assert_eq!(
            fixed(r#"os.system("@start /min \"trueconf:bob\"")"#, py, "TC018"),
            r#"os.system("@start /min \"\" \"trueconf:bob\"")"#
        );
        for src in [
            r#"os.execute('start "" "trueconf:bob"')"#,
            r#"print('Run: start "trueconf:bob"')"#,
            r#"print('start "trueconf:bob"')"#,
            r#"local s = 'start "trueconf:bob"'"#,
            r#"os.execute('restart "trueconf:bob"')"#,
        ] {
            assert!(diags(src, lua, "TC018").is_empty(), "{src}");
        }
        let sh = DocKind::Code(Lang::Shell);
        assert!(diags("echo 'start \"trueconf:bob\"'\n", sh, "TC018").is_empty());
    }
}
