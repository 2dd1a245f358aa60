//! TC004 plaintext-password.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::Fix;
use crate::text::Span;

pub const EXPLANATION: &str = "\
# TC004 plaintext-password

## What it does
Finds links that carry a real `password=` value (not a placeholder such as
`[password]`, `<password>`, `${PASSWORD}` or `{{ password }}`), also one
written inside another value after a separator the app does not split at
(`force=1;password=…`, `login=bob?password=…`, an RTSP address's
`%26password%3d…`), and the password of a `user:password@`.

## Why is this bad?
The password sits in clear text in the page, the repository and every copy
of them; anyone who reads the docs can sign in as that user. Even with
`encrypt=1` the link itself is the credential.

## Example
```text
trueconf:login=user&password=12345678&encrypt=1
```
Use instead a placeholder the reader fills in, or no password at all:
```text
trueconf:login=user&password=[password]&encrypt=1
```

## Fix safety
Unsafe: removing the parameter changes what the link does (it no longer
signs in by itself). trueconf-lsp never prints the value: messages, reports,
hovers and diffs show `password=***`.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    for p in link.params.iter().filter(|p| link.key(p) == "password") {
        let Some(v) = p.value else { continue };
        if v.is_empty() || link.is_template(&link.value(v)) {
            continue;
        }
        let d = Diagnostic::new(
            Rule::PlaintextPassword,
            ctx.span(v),
            "link carries a plaintext password (password=***)",
        );
        // When the password ends the link's string and a literal the
        // program joins goes on with it, deleting the parameter would join
        // that rest to the value before it.
        if p.span.end == link.text.len()
            && ctx.string_goes_on()
            && super::context::continues_value(
                ctx.source,
                &super::context::appended_literals(ctx.source, ctx.raw),
            )
        {
            out.push(d);
            continue;
        }
        out.push(d.with_fix(Fix::unsafe_(
            "Remove the password parameter",
            vec![ctx.delete_param(p)],
        )));
    }
    // The password of a `user:password@` (an RTSP address, a server, any
    // value): every secret that is not a whole parameter value.
    // Whole parameter values are reported above (a set: a link of many
    // parameters and passwords stays linear).
    // A password key typed with a colon (`password:…`, which TC006
    // reports) is no `user:password@` either.
    // The values are sorted for a link with a secret only (most have none).
    let mut values: Option<Vec<Span>> = None;
    for &secret in link.secrets() {
        let values = values.get_or_insert_with(|| {
            let mut values: Vec<Span> = link
                .params
                .iter()
                .filter_map(|p| p.value.or_else(|| link.colon_value(p.key)))
                .collect();
            values.sort_unstable();
            values
        });
        if values.binary_search(&secret).is_ok() {
            continue;
        }
        let before = &link.text.as_bytes()[..secret.start];
        let ends_with = |s: &[u8]| {
            before.len() >= s.len() && before[before.len() - s.len()..].eq_ignore_ascii_case(s)
        };
        let colon = if before.ends_with(b":") {
            1
        } else if ends_with(b"%3a") {
            3
        } else {
            0
        };
        // A `password=` written inside another value, after a separator
        // the app does not split at (`force=1;password=…`,
        // `login=bob?password=…`, an RTSP address's `%26password%3d…`).
        let embedded = ends_with(b"=") || ends_with(b"%3d");
        if embedded {
            out.push(Diagnostic::new(
                Rule::PlaintextPassword,
                ctx.span(secret),
                "link carries a plaintext password (password=*** inside another value)",
            ));
            continue;
        }
        let mut d = Diagnostic::new(
            Rule::PlaintextPassword,
            ctx.span(secret),
            "link carries a plaintext password in `user:password@` (user:***@)",
        );
        if colon > 0 {
            d = d.with_fix(Fix::unsafe_(
                "Remove `:password` from the user info",
                vec![crate::fix::Edit::deletion(
                    ctx.span(Span::new(secret.start - colon, secret.end)),
                )],
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
    fn real_values_only() {
        let src = "trueconf:login=u&password=hunter2&encrypt=1";
        assert_eq!(
            diags(src, DocKind::Plain, "TC004"),
            ["26..33 link carries a plaintext password (password=***)"]
        );
        assert_eq!(
            fixed(src, DocKind::Plain, "TC004"),
            "trueconf:login=u&encrypt=1"
        );
        let first = "trueconf:password=hunter2&login=u";
        assert_eq!(fixed(first, DocKind::Plain, "TC004"), "trueconf:login=u");
        for quiet in [
            "password=[password]",
            "password=<pw>",
            "password=${PW}",
            "password=",
        ] {
            assert!(
                diags(
                    &format!("trueconf:login=u&{quiet}"),
                    DocKind::Plain,
                    "TC004"
                )
                .is_empty(),
                "{quiet}"
            );
        }
    }
}
