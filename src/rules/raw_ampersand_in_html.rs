//! TC015 raw-ampersand-in-html.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};

pub const EXPLANATION: &str = "\
# TC015 raw-ampersand-in-html

## What it does
Finds `&` separators written raw inside an HTML attribute value.

## Why is this bad?
In HTML, `&` starts a character reference. Browsers usually recover, but
`&copy=1` or `&not=…` is read as `©=1` or `¬=…`, and validators reject the
page. The right spelling inside an attribute is `&amp;`.

## Example
```html
<a href=\"trueconf:bob&autoclose=1\">Call Bob</a>
```
Use instead:
```html
<a href=\"trueconf:bob&amp;autoclose=1\">Call Bob</a>
```

## Fix safety
Safe: the browser decodes `&amp;` back to `&`, so the link is unchanged.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    if !ctx.in_html_attribute() {
        return;
    }
    let link = ctx.link;
    let mut seps: Vec<_> = link.params.iter().filter_map(|p| p.separator).collect();
    seps.extend(link.empty_separators.iter().copied());
    seps.retain(|s| link.str(*s) == "&" && ctx.decoded.source_len(s.start, s.end) == 1);
    seps.sort();
    // `trueconf:&&`: the empty first segment's separator is the first
    // parameter's too; one edit each.
    seps.dedup();
    let Some(first) = seps.first() else { return };
    let edits = seps
        .iter()
        .map(|s| Edit::replacement(ctx.span(*s), "&amp;"))
        .collect();
    let n = seps.len();
    out.push(
        Diagnostic::new(
            Rule::RawAmpersandInHtml,
            ctx.span(*first),
            if n == 1 {
                "raw `&` inside an HTML attribute; write `&amp;`".to_string()
            } else {
                format!("{n} raw `&` inside an HTML attribute; write `&amp;`")
            },
        )
        .with_fix(Fix::safe("Write `&amp;`", edits)),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn raw_ampersands() {
        let src = r#"<a href="trueconf:bob&autoclose=1&amp;do=chat&h=x">"#;
        assert_eq!(
            diags(src, DocKind::Html, "TC015"),
            ["21..22 2 raw `&` inside an HTML attribute; write `&amp;`"]
        );
        assert_eq!(
            fixed(src, DocKind::Html, "TC015"),
            r#"<a href="trueconf:bob&amp;autoclose=1&amp;do=chat&amp;h=x">"#
        );
        assert!(diags("<p>trueconf:bob&autoclose=1</p>", DocKind::Html, "TC015").is_empty());
        assert!(diags("trueconf:bob&autoclose=1", DocKind::Plain, "TC015").is_empty());
    }
}
