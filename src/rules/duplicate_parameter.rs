//! TC008 duplicate-parameter.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::Fix;

pub const EXPLANATION: &str = "\
# TC008 duplicate-parameter

## What it does
Finds a parameter given twice in one link.

## Why is this bad?
Which of the two values the app uses is undocumented; links built by
concatenation often end up with a stale copy (`&h=old…&h=new…`).

## Example
```text
trueconf:bob&autoclose=1&autoclose=1
```
Use instead:
```text
trueconf:bob&autoclose=1
```

## Fix safety
Safe when both values are equal: the second copy is dropped. When they
differ there is no fix, since only the author knows which one is meant.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    // The first parameter of each key. A link has a few parameters, which
    // are compared with those before them; past `FEW`, one look-up per
    // parameter (comparing each with all before it took 36 s for 100,000
    // parameters).
    const FEW: usize = 16;
    let mut firsts = (link.params.len() > FEW)
        .then(|| std::collections::HashMap::with_capacity(link.params.len()));
    for (i, p) in link.params.iter().enumerate() {
        let key = link.key(p);
        let first = match &mut firsts {
            Some(firsts) => *firsts.entry(key).or_insert(p),
            None => link.params[..i]
                .iter()
                .find(|q| link.key(q) == key)
                .unwrap_or(p),
        };
        if std::ptr::eq(first, p) {
            continue;
        }
        if out.full() {
            return;
        }
        let same = link.param_value(first) == link.param_value(p);
        // A segment without `=` is all key, and may be a `user:password@`.
        let shown = ctx.shown_key(p);
        let mut d = Diagnostic::new(
            Rule::DuplicateParameter,
            ctx.span(p.span),
            if same {
                format!("`{shown}` is given twice with the same value")
            } else {
                format!("`{shown}` is given twice with different values")
            },
        );
        if same {
            d = d.with_fix(Fix::safe(
                format!("Remove the second `{shown}`"),
                vec![ctx.delete_param(p)],
            ));
        }
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn duplicates() {
        let src = "trueconf:bob&h=a&force=1&h=b&force=1";
        assert_eq!(
            diags(src, DocKind::Plain, "TC008"),
            [
                "25..28 `h` is given twice with different values",
                "29..36 `force` is given twice with the same value"
            ]
        );
        assert_eq!(
            fixed(src, DocKind::Plain, "TC008"),
            "trueconf:bob&h=a&force=1&h=b"
        );
    }
}
