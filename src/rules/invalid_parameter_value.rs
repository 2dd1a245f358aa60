//! TC007 invalid-parameter-value.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};
use crate::uri::allowed_values;

pub const EXPLANATION: &str = "\
# TC007 invalid-parameter-value

## What it does
Checks the parameters that take a fixed set of values: `encrypt` (`1`, or
`0` for a pre-encrypted password), `force` and `autoclose` (`1`),
`conftype` (`hotquery`) and `do` (`profile`, `chat`). A key with no `=` at
all is reported too. Placeholders such as `[value]` are left alone.

## Why is this bad?
The app does not understand `force=true` or `do=call`; the flag is ignored
and the link does something else than the author meant.

## Example
```text
trueconf:bob@video.example.com&do=call&autoclose=yes
```
Use instead:
```text
trueconf:bob@video.example.com&do=chat&autoclose=1
```

## Fix safety
Unsafe, and offered only where one value is clearly meant: `true`, `yes`,
`on` become `1`; a value in the wrong case becomes the lowercase one; a
missing `=1` is added to `force` and `autoclose`.
";

fn meant(key: &str, value: &str, allowed: &[&str]) -> Option<&'static str> {
    let lower = value.to_ascii_lowercase();
    if let Some(v) = allowed_values(key)?.iter().find(|v| **v == lower) {
        return Some(v);
    }
    if allowed.contains(&"1") && matches!(lower.as_str(), "true" | "yes" | "on") {
        return Some("1");
    }
    None
}

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    for p in &link.params {
        if out.full() {
            return;
        }
        let key = link.key(p);
        let Some(allowed) = allowed_values(key) else {
            continue;
        };
        let expected = allowed.join(" or ");
        match p.value {
            None => {
                let mut d = Diagnostic::new(
                    Rule::InvalidParameterValue,
                    ctx.span(p.key),
                    format!("`{key}` has no value; it takes {expected}"),
                );
                if matches!(key, "force" | "autoclose" | "conftype") {
                    let at = ctx.span(p.key).end;
                    d = d.with_fix(Fix::unsafe_(
                        format!("Write `{key}={}`", allowed[0]),
                        vec![Edit::insertion(at, format!("={}", allowed[0]))],
                    ));
                }
                out.push(d);
            }
            Some(v) if !v.is_empty() => {
                let value = link.value(v);
                if allowed.contains(&value.as_ref()) || link.has_template(&value) {
                    continue;
                }
                // Never the value as written: it may hold a `user:password@`.
                let shown: String = link.shown(v).chars().take(40).collect();
                let mut d = Diagnostic::new(
                    Rule::InvalidParameterValue,
                    ctx.span(v),
                    format!("`{key}={shown}`: `{key}` takes {expected}"),
                );
                if let Some(good) = meant(key, &value, allowed) {
                    d = d.with_fix(Fix::unsafe_(
                        format!("Write `{key}={good}`"),
                        vec![Edit::replacement(ctx.span(v), good)],
                    ));
                }
                out.push(d);
            }
            // `key=`: TC012.
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn values() {
        let src = "trueconf:bob&encrypt=yes&force=true&do=call&conftype=HotQuery&autoclose";
        assert_eq!(
            diags(src, DocKind::Plain, "TC007"),
            [
                "21..24 `encrypt=yes`: `encrypt` takes 1 or 0",
                "31..35 `force=true`: `force` takes 1",
                "39..43 `do=call`: `do` takes profile or chat",
                "53..61 `conftype=HotQuery`: `conftype` takes hotquery",
                "62..71 `autoclose` has no value; it takes 1",
            ]
        );
        assert_eq!(
            fixed(src, DocKind::Plain, "TC007"),
            "trueconf:bob&encrypt=1&force=1&do=call&conftype=hotquery&autoclose=1"
        );
        assert!(
            diags(
                "trueconf:bob&do=[action]&encrypt=0&force=1&autoclose=",
                DocKind::Plain,
                "TC007"
            )
            .is_empty()
        );
    }
}
