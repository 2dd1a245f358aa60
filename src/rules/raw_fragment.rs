//! TC009 raw-fragment.

use super::context::LinkCtx;
use super::diagnostic::Diagnostic;
use super::registry::Rule;
use crate::fix::Fix;
use crate::text::Span;

pub const EXPLANATION: &str = "\
# TC009 raw-fragment

## What it does
Finds a raw `#` after the start of the link's target, as in
`…@server#vcs&h=…`. The `#` that opens an external call string
(`trueconf:#sip:…`, `trueconf:#rtsp:…`) is fine.

## Why is this bad?
A raw `#` starts a URI fragment: browsers and URL handlers may cut the link
there, so everything after it (`vcs`, `&h=…`, the sign-in parameters) never
reaches the app. TrueConf's SDKs write the suffix `%23vcs`.

## Example
```text
trueconf:\\c\\0031213894212@s3.example.com#vcs&h=s3.example.com
```
Use instead:
```text
trueconf:\\c\\0031213894212@s3.example.com%23vcs&h=s3.example.com
```

## Fix safety
Safe: `%23` is the encoded `#` the app expects.
";

pub fn check(ctx: &LinkCtx, out: &mut Vec<Diagnostic>) {
    for &i in &ctx.link.raw_hashes {
        let hash = Span::new(i, i + 1);
        out.push(
            Diagnostic::new(
                Rule::RawFragment,
                ctx.span(hash),
                "raw `#` starts a URI fragment; what follows may never reach the app (write `%23`)",
            )
            .with_fix(Fix::safe("Write `%23`", vec![ctx.replace(hash, "%23")])),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn raw_hashes() {
        let src = r"trueconf:\c\1@s3.example.com#vcs&h=s3.example.com";
        assert_eq!(diags(src, DocKind::Plain, "TC009").len(), 1);
        assert_eq!(
            fixed(src, DocKind::Plain, "TC009"),
            r"trueconf:\c\1@s3.example.com%23vcs&h=s3.example.com"
        );
        assert!(diags("trueconf:#sip:a@b", DocKind::Plain, "TC009").is_empty());
        assert!(diags(r"trueconf:\c\1@s%23vcs", DocKind::Plain, "TC009").is_empty());
    }
}
