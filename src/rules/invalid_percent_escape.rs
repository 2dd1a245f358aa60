//! TC005 invalid-percent-escape.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::Fix;
use crate::text::Span;
use crate::uri::VcsForm;

pub const EXPLANATION: &str = "\
# TC005 invalid-percent-escape

## What it does
Finds a `%` that is not followed by two hex digits, such as the `%vcs`
suffix the vendor article prints for conferences on another server.

## Why is this bad?
`%` starts a percent-escape. A broken one is rejected or mis-decoded by URL
handlers, so the link does not reach the app as written. The conference
suffix is an encoded `#vcs`: `%23vcs`.

## Example
```text
trueconf:\\c\\737734033583@video.example.com%vcs
```
Use instead:
```text
trueconf:\\c\\737734033583@video.example.com%23vcs
```

## Fix safety
Unsafe: `%vcs` becomes `%23vcs`, and any other lone `%` becomes `%25` (a
literal percent sign). Both are the likely intent, but a person should
confirm that a `%` in a value was meant literally.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    let vcs_at = link
        .target
        .as_ref()
        .and_then(|t| t.vcs)
        .filter(|(_, form)| *form == VcsForm::Broken)
        .map(|(span, _)| span);
    for &i in &link.bad_percents {
        let pct = Span::new(i, i + 1);
        let d = match vcs_at {
            Some(vcs) if vcs.start == i => Diagnostic::new(
                Rule::InvalidPercentEscape,
                ctx.span(vcs),
                "`%vcs` is not a valid percent-escape; the conference suffix is `%23vcs`",
            )
            .with_fix(Fix::unsafe_(
                "Write `%23vcs`",
                vec![ctx.replace(pct, "%23")],
            )),
            _ => Diagnostic::new(
                Rule::InvalidPercentEscape,
                ctx.span(pct),
                "`%` is not followed by two hex digits; a literal `%` is written `%25`",
            )
            .with_fix(Fix::unsafe_("Write `%25`", vec![ctx.replace(pct, "%25")])),
        };
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn vcs_and_lone_percent() {
        let src = r"trueconf:\c\1@v.example.com%vcs";
        assert_eq!(
            diags(src, DocKind::Plain, "TC005"),
            ["27..31 `%vcs` is not a valid percent-escape; the conference suffix is `%23vcs`"]
        );
        assert_eq!(
            fixed(src, DocKind::Plain, "TC005"),
            r"trueconf:\c\1@v.example.com%23vcs"
        );
        assert_eq!(
            fixed("trueconf:bob&x=50%", DocKind::Plain, "TC005"),
            "trueconf:bob&x=50%25"
        );
        assert!(diags("trueconf:#rtsp:%2f%2Fh", DocKind::Plain, "TC005").is_empty());
    }
}
