//! TC019 batch-percent.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};
use crate::scan::Decode;
use crate::scan::DocKind;
use crate::text::Span;

pub const EXPLANATION: &str = "\
# TC019 batch-percent

## What it does
Finds a single `%` in a link inside a cmd batch file (`.bat`, `.cmd`). A
doubled `%%` is read as one `%` when the link is judged; `%NAME%` and the
script's arguments (`%1`, `%~1`, `%~dp0`, `%*`) are what the script means to
expand and are left alone. Links in `rem` and
`::` comments are read, not run, and are left alone too.

## Why is this bad?
In a batch file every `%` starts a variable reference: `%23vcs` becomes the
script's second argument followed by `3vcs`, and `%2f` in an RTSP address
becomes the second argument followed by `f`. The app receives a different
link from the one written. (On an interactive command line and in
PowerShell `%` is an ordinary character.)

## Example
```bat
start \"\" \"trueconf:\\c\\737734033583@video.example.com%23vcs\"
```
Use instead:
```bat
start \"\" \"trueconf:\\c\\737734033583@video.example.com%%23vcs\"
```

## Fix safety
Safe: `%%` is how a batch file writes the one `%` the link needs.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    // In a `rem` or `::` comment the link is read, not run: a reader
    // copies `%23vcs` as it stands (and `%%` there is two characters).
    if ctx.kind != DocKind::Cmd || !matches!(ctx.raw.decode, Decode::Batch { .. }) {
        return;
    }
    let span = ctx.link_span();
    let bytes = ctx.source[span.range()].as_bytes();
    let mut single = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'%' {
            i += 1;
            continue;
        }
        if bytes.get(i + 1) == Some(&b'%') {
            i += 2;
            continue;
        }
        if let Some(len) = variable(&bytes[i..]) {
            i += len;
            continue;
        }
        single.push(span.start + i);
        i += 1;
    }
    let (Some(&first), Some(&last)) = (single.first(), single.last()) else {
        return;
    };
    let edits = single.iter().map(|&at| Edit::insertion(at, "%")).collect();
    out.push(
        Diagnostic::new(
            Rule::BatchPercent,
            Span::new(first, last + 1),
            "in a batch file `%` starts a variable reference (`%23vcs` reads as argument 2 and `3vcs`); write `%%`",
        )
        .with_fix(Fix::safe("Double each `%`", edits)),
    );
}

/// The length of a reference the script means to expand at the start of
/// `b`: a variable ([`crate::uri::batch_variable`]: `%NAME%`, `%NAME:~0,5%`,
/// `%NAME:a=b%`) or an argument ([`crate::uri::batch_argument`]).
fn variable(b: &[u8]) -> Option<usize> {
    crate::uri::batch_argument(b).or_else(|| crate::uri::batch_variable(b))
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn single_percents() {
        let src = "start \"\" \"trueconf:\\c\\1@srv%23vcs\"\n";
        assert_eq!(diags(src, DocKind::Cmd, "TC019").len(), 1);
        assert_eq!(
            fixed(src, DocKind::Cmd, "TC019"),
            "start \"\" \"trueconf:\\c\\1@srv%%23vcs\"\n"
        );
        assert!(
            diags(
                "start \"\" \"trueconf:\\c\\1@srv%%23vcs\"\n",
                DocKind::Cmd,
                "TC019"
            )
            .is_empty()
        );
        assert!(
            diags(
                "start \"\" \"trueconf:%USERNAME%@srv\"\n",
                DocKind::Cmd,
                "TC019"
            )
            .is_empty()
        );
        assert!(
            diags(
                "Start-Process \"trueconf:\\c\\1@srv%23vcs\"\n",
                DocKind::PowerShell,
                "TC019"
            )
            .is_empty()
        );
        // The script's arguments are expanded by it: left alone, but a
        // digit and a hex digit are a percent-escape all the same.
        for quiet in [
            "start \"\" \"trueconf:%~1@srv.example.com\"\n",
            "start \"\" \"trueconf:login=%1&password=%2&encrypt=1\"\n",
            "start \"\" \"trueconf:%*\"\n",
            "start \"\" \"trueconf:%~dp0x@%~$PATH:1\"\n",
        ] {
            assert!(diags(quiet, DocKind::Cmd, "TC019").is_empty(), "{quiet}");
        }
        assert_eq!(
            fixed(
                "start \"\" \"trueconf:%1@srv%2f%~q\"\n",
                DocKind::Cmd,
                "TC019"
            ),
            "start \"\" \"trueconf:%1@srv%%2f%%~q\"\n"
        );
        // `%%` reads as `%`: no TC005 for a doubled escape.
        assert!(
            diags(
                "start \"\" \"trueconf:\\c\\1@srv%%23vcs\"\n",
                DocKind::Cmd,
                "TC005"
            )
            .is_empty()
        );
    }
}
