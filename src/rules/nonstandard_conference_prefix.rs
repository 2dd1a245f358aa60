//! TC010 nonstandard-conference-prefix.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::Fix;

pub const EXPLANATION: &str = "\
# TC010 nonstandard-conference-prefix

## What it does
Finds conference links written `/c/`, `c/` or `///c/` instead of `\\c\\`.

## Why is this bad?
`\\c\\` is the only conference prefix TrueConf documents. The slash forms
appear in the wild and may work on some clients, but a client that does not
know them treats the whole target as a user name and calls nobody.

## Example
```text
trueconf:c/2381734096@tc.example.ru
```
Use instead:
```text
trueconf:\\c\\2381734096@tc.example.ru
```

## Fix safety
Unsafe: the documented form is the likely intent, but a person should check
that the link was meant to join a conference. In a string literal where
backslashes are escapes, the fix writes `\\\\c\\\\`.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    let Some(t) = &link.target else { return };
    let Some(prefix) = t.prefix.filter(|_| !t.prefix_standard) else {
        return;
    };
    let written = link.str(prefix);
    out.push(
        Diagnostic::new(
            Rule::NonstandardConferencePrefix,
            ctx.span(prefix),
            format!("`{written}` is not TrueConf's conference prefix; use `\\c\\`"),
        )
        .with_fix(Fix::unsafe_(
            "Write `\\c\\`",
            vec![ctx.replace(prefix, "\\c\\")],
        )),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn slash_forms() {
        for (src, want) in [
            (
                "trueconf:c/238@tc.example.ru",
                r"trueconf:\c\238@tc.example.ru",
            ),
            ("trueconf:/c/238", r"trueconf:\c\238"),
            ("trueconf:///c/003@s3#vcs", r"trueconf:\c\003@s3#vcs"),
        ] {
            assert_eq!(diags(src, DocKind::Plain, "TC010").len(), 1, "{src}");
            assert_eq!(fixed(src, DocKind::Plain, "TC010"), want);
        }
        let js = r#"open("trueconf:/c/238")"#;
        assert_eq!(
            fixed(js, DocKind::Code(crate::scan::Lang::JavaScript), "TC010"),
            r#"open("trueconf:\\c\\238")"#
        );
        assert!(diags(r"trueconf:\c\238", DocKind::Plain, "TC010").is_empty());
    }
}
