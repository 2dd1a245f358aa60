//! TC011 authority-slashes.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};

pub const EXPLANATION: &str = "\
# TC011 authority-slashes

## What it does
Finds links written `trueconf://…`.

## Why is this bad?
TrueConf links have no authority part: the target follows the colon
directly. The `//` form is undocumented; a client may take the slashes as
part of the user name.

## Example
```text
trueconf://john@video.example.com
```
Use instead:
```text
trueconf:john@video.example.com
```

## Fix safety
Unsafe: dropping `//` gives the documented form, but the link's author may
have relied on a client that strips them.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let Some(slashes) = ctx.link.authority_slashes else {
        return;
    };
    let span = ctx.span(slashes);
    out.push(
        Diagnostic::new(
            Rule::AuthoritySlashes,
            span,
            "`trueconf://` is undocumented; the target follows the colon directly",
        )
        .with_fix(Fix::unsafe_("Remove `//`", vec![Edit::deletion(span)])),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn slashes() {
        assert_eq!(
            fixed("trueconf://bob@h", DocKind::Plain, "TC011"),
            "trueconf:bob@h"
        );
        assert!(diags("trueconf:///c/1", DocKind::Plain, "TC011").is_empty());
        assert!(diags("trueconf:bob", DocKind::Plain, "TC011").is_empty());
    }
}
