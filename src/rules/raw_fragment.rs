//! TC009 raw-fragment.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
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
Safe: `%23` is the encoded `#` the app expects. A `#` inside code written
in the link (`${HOST#www.}`, Ruby's `#{…}`) is not reported, and in a printf
format (the string holds `%s`) the finding has no fix: a `%23` there would
be read as a conversion.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    if link.raw_hashes.is_empty() {
        return;
    }
    // The parameters a fragment hides, by key (never a value; a key that
    // holds a secret or is no plain name is not shown): each key once, in
    // the order written after the `#`. Built for every `#` at once, from
    // the last to the first, so that many `#` and many parameters cost
    // n log n, not n² (hardening, class 3).
    let secrets = link.secrets();
    let holds_secret = |key: Span| {
        // Sorted by start and apart, hence by end too.
        let from = secrets.partition_point(|s| s.end <= key.start);
        secrets[from..]
            .iter()
            .take_while(|s| s.start < key.end)
            .any(|s| s.overlaps(key))
    };
    let shown = |k: &str| {
        !k.is_empty() && k.len() <= 32 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let first_password = link
        .params
        .iter()
        .find(|p| link.key(p) == "password")
        .map(|p| p.span.start);
    // Key -> index of its first parameter after the current `#`, and those
    // indexes in order.
    let mut first: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut order: std::collections::BTreeMap<usize, &str> = std::collections::BTreeMap::new();
    let mut next = link.params.len();
    let mut messages = Vec::with_capacity(link.raw_hashes.len());
    for &i in link.raw_hashes.iter().rev() {
        while next > 0 && link.params[next - 1].span.start > i {
            next -= 1;
            let p = &link.params[next];
            let k = link.key(p);
            if !shown(k) || holds_secret(p.key) {
                continue;
            }
            if let Some(old) = first.insert(k, next) {
                order.remove(&old);
            }
            order.insert(next, k);
        }
        let message = if order.is_empty() {
            "raw `#` starts a URI fragment; what follows may never reach the app (write `%23`)"
                .to_string()
        } else {
            let mut names: Vec<String> = order.values().take(6).map(|k| format!("`{k}`")).collect();
            if order.len() > 6 {
                names.push(format!("{} more", order.len() - 6));
            }
            let lost_encrypt =
                first.contains_key("encrypt") && first_password.is_some_and(|at| at < i);
            format!(
                "raw `#` starts a URI fragment that hides {} from the app{} (write `%23`)",
                names.join(", "),
                if lost_encrypt {
                    "; without `encrypt=1` the password goes out unencrypted"
                } else {
                    ""
                }
            )
        };
        messages.push(message);
    }
    for (&i, message) in link.raw_hashes.iter().zip(messages.into_iter().rev()) {
        let hash = Span::new(i, i + 1);
        out.push(
            Diagnostic::new(Rule::RawFragment, ctx.span(hash), message)
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

    #[test]
    fn hidden_keys_are_named_once() {
        let d = diags(
            "trueconf:bob#x&autoclose=1&h=s.example&autoclose=1",
            DocKind::Plain,
            "TC009",
        );
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(
            d[0].ends_with(
                "raw `#` starts a URI fragment that hides `autoclose`, `h` from the app (write `%23`)"
            ),
            "{d:?}"
        );
    }
}
