//! TC013 query-separator.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};

pub const EXPLANATION: &str = "\
# TC013 query-separator

## What it does
Finds a `?` used to start the parameters, as in web URLs.

## Why is this bad?
TrueConf separates the target and every parameter with `&`; a `?` makes the
first parameter part of the target (`bob?h=server` calls a user named
`bob?h=server`).

## Example
```text
trueconf:bob?h=video.example.com
```
Use instead:
```text
trueconf:bob&h=video.example.com
```

## Fix safety
Safe: `&` is the separator the app reads; a `?` right after the colon is
removed.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    let Some(mark) = link.query_mark else { return };
    let at_start = link.target.is_none();
    let edit = if at_start {
        Edit::deletion(ctx.span(mark))
    } else {
        ctx.replace(mark, "&")
    };
    out.push(
        Diagnostic::new(
            Rule::QuerySeparator,
            ctx.span(mark),
            "`?` is not TrueConf's separator; parameters follow `&`",
        )
        .with_fix(Fix::safe(
            if at_start { "Remove `?`" } else { "Write `&`" },
            vec![edit],
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn question_marks() {
        assert_eq!(
            fixed("trueconf:bob?h=x&force=1", DocKind::Plain, "TC013"),
            "trueconf:bob&h=x&force=1"
        );
        assert_eq!(
            fixed("trueconf:?login=x", DocKind::Plain, "TC013"),
            "trueconf:login=x"
        );
        assert_eq!(
            fixed(r#"<a href="trueconf:bob?h=x">"#, DocKind::Html, "TC013"),
            r#"<a href="trueconf:bob&amp;h=x">"#
        );
        assert!(diags("trueconf:#sip:a@b?x=1", DocKind::Plain, "TC013").is_empty());
    }
}
