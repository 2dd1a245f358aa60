//! TC006 unknown-parameter.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};
use crate::uri::{KNOWN_PARAMS, within_edits};

pub const EXPLANATION: &str = "\
# TC006 unknown-parameter

## What it does
Finds parameter names TrueConf does not document: `h`, `login`, `password`,
`encrypt`, `force`, `autoclose`, `conftype`, `do`. Keys are lowercase.

## Why is this bad?
The app ignores a key it does not know, so a typo such as `autclose=1` or
`Login=` quietly drops what the author asked for. TrueConf's SDK has a few
undocumented keys, so this is a warning, not an error.

## Example
```text
trueconf:bob&autclose=1
```
Use instead:
```text
trueconf:bob&autoclose=1
```

## Fix safety
Unsafe: the rename to the one close known key is offered only when there is
exactly one; the author may have meant an undocumented key.
";

/// The known key `key` most likely stands for, when exactly one is close.
pub fn suggestion(key: &str) -> Option<&'static str> {
    let lower = key.to_ascii_lowercase();
    let budget = if key.len() >= 6 { 2 } else { 1 };
    let close: Vec<&'static str> = KNOWN_PARAMS
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| *k == lower || (k.len() > 2 && within_edits(&lower, k, budget)))
        .collect();
    match close.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    for p in &link.params {
        if out.full() {
            return;
        }
        let key = link.key(p);
        if crate::uri::is_known_param(key) {
            continue;
        }
        if key.is_empty() {
            out.push(Diagnostic::new(
                Rule::UnknownParameter,
                ctx.span(p.span),
                "parameter has no name",
            ));
            continue;
        }
        // A segment without `=` is all key, and may be a `user:password@`.
        let shown = ctx.shown_key(p);
        let d = match suggestion(key) {
            Some(known) => Diagnostic::new(
                Rule::UnknownParameter,
                ctx.span(p.key),
                format!("unknown parameter `{shown}`; did you mean `{known}`?"),
            )
            .with_fix(Fix::unsafe_(
                format!("Rename to `{known}`"),
                vec![Edit::replacement(ctx.span(p.key), known)],
            )),
            None => Diagnostic::new(
                Rule::UnknownParameter,
                ctx.span(p.key),
                format!("unknown parameter `{shown}`"),
            ),
        };
        out.push(d);
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn typos_and_case() {
        let src = "trueconf:bob&autclose=1&Login=x&zzz=1";
        assert_eq!(
            diags(src, DocKind::Plain, "TC006"),
            [
                "13..21 unknown parameter `autclose`; did you mean `autoclose`?",
                "24..29 unknown parameter `Login`; did you mean `login`?",
                "32..35 unknown parameter `zzz`",
            ]
        );
        assert_eq!(
            fixed(src, DocKind::Plain, "TC006"),
            "trueconf:bob&autoclose=1&login=x&zzz=1"
        );
        assert!(
            diags(
                "trueconf:h=a&login=b&do=chat&conftype=hotquery",
                DocKind::Plain,
                "TC006"
            )
            .is_empty()
        );
    }
}
