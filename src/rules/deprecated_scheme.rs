//! TC001 deprecated-scheme.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};
use crate::uri::Scheme;

pub const EXPLANATION: &str = "\
# TC001 deprecated-scheme

## What it does
Finds links that use the old `visicall:` scheme.

## Why is this bad?
TrueConf calls `visicall:` obsolete: \"new applications may not support it\".
A link that works on an old client silently does nothing on a new one.

## Example
```text
visicall:john@video.example.com
```
Use instead:
```text
trueconf:john@video.example.com
```

## Fix safety
Safe: the two schemes take the same link body, so only the name changes.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    if ctx.link.scheme != Scheme::Visicall {
        return;
    }
    let span = ctx.span(ctx.link.scheme_span);
    out.push(
        Diagnostic::new(
            Rule::DeprecatedScheme,
            span,
            "`visicall:` is obsolete; use `trueconf:`",
        )
        .with_fix(Fix::safe(
            "Replace `visicall:` with `trueconf:`",
            vec![Edit::replacement(span, "trueconf")],
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn flags_and_fixes_visicall() {
        let src = "call visicall:bob or VISICALL:ann, not trueconf:bob";
        assert_eq!(
            diags(src, DocKind::Plain, "TC001"),
            ["5..13 `visicall:` is obsolete; use `trueconf:`"]
        );
        assert_eq!(
            fixed(src, DocKind::Plain, "TC001"),
            "call trueconf:bob or VISICALL:ann, not trueconf:bob"
        );
        let html = r#"<a href="VISICALL:bob">"#;
        assert_eq!(
            fixed(html, DocKind::Html, "TC001"),
            r#"<a href="trueconf:bob">"#
        );
    }
}
