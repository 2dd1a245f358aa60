//! TC002 missing-encrypt.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::{Rule, Severity};
use crate::fix::{Edit, Fix};

pub const EXPLANATION: &str = "\
# TC002 missing-encrypt

## What it does
Finds links that send a `password=` without `encrypt=1`. A link with
`encrypt=0` gets an info note instead: it says the password is already
encrypted.

## Why is this bad?
TrueConf documents `encrypt=1` as required whenever a password is sent: it
makes the client encrypt the password before it goes to the server. Without
it, sign-in fails or the password travels as written.

## Example
```text
trueconf:login=user&password=[password]&force=1
```
Use instead:
```text
trueconf:login=user&password=[password]&force=1&encrypt=1
```

## Fix safety
Safe: appending `&encrypt=1` (`&amp;encrypt=1` inside HTML) is what the
documentation asks for and changes nothing else. When the program joins
more to the link's string (`\"…&login=\" + user`), `&encrypt=1` goes right
after the password instead; when the password ends the string and a
literal the program joins goes on with it, there is no fix, and no finding
when such a literal holds `encrypt=1`. Joined literals are read on the
link's line and on the next lines after a line that ends with the operator
(`\"…\" +`, then maybe a comment or a line continuation; blank and comment
lines between are skipped); a shell word carried on by a line continuation
(`\\`, cmd's `^`, PowerShell's `` ` ``) goes on likewise. When `encrypt=`
is present with an empty value, the fix writes the `1`.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    let has_password = link
        .param("password")
        .is_some_and(|p| p.value.is_some_and(|v| !v.is_empty()));
    if !has_password {
        return;
    }
    let message = "password is sent without encrypt=1";
    match link.param("encrypt") {
        None => {
            let password = link.param("password").map(|p| p.span.end);
            if password == Some(link.text.len()) && ctx.string_goes_on() {
                // The password ends the link's string and the program
                // joins more to it: `encrypt=1` may be in what it joins,
                // and where that goes on with the password
                // (`"…&password=hun" + "ter2&encrypt=1"`) a fix would
                // split the password.
                let source = ctx.source;
                let appended = super::context::appended_literals(source, ctx.raw);
                if appended
                    .iter()
                    .any(|s| source[s.range()].contains("encrypt=1"))
                {
                    return;
                }
                if super::context::continues_value(source, &appended) {
                    out.push(Diagnostic::new(
                        Rule::MissingEncrypt,
                        ctx.link_span(),
                        message,
                    ));
                    return;
                }
            }
            let (end, content) = match password {
                // The program joins more to the link's string: what ends
                // it is not the link's end; the parameter goes right
                // after the password.
                Some(after) if ctx.string_goes_on() && after < link.text.len() => {
                    (after, "&encrypt=1")
                }
                _ if link.text.ends_with('&') => (link.text.len(), "encrypt=1"),
                _ => (link.text.len(), "&encrypt=1"),
            };
            let at = ctx.span(crate::text::Span::empty(end)).start;
            out.push(
                Diagnostic::new(Rule::MissingEncrypt, ctx.link_span(), message).with_fix(
                    Fix::safe(
                        "Add encrypt=1",
                        vec![Edit::insertion(at, ctx.encode(content))],
                    ),
                ),
            );
        }
        Some(p) => match p.value {
            Some(v) if v.is_empty() => {
                let at = ctx.span(v).start;
                out.push(
                    Diagnostic::new(
                        Rule::MissingEncrypt,
                        ctx.span(p.span),
                        "password is sent with an empty encrypt=",
                    )
                    .with_fix(Fix::safe("Set encrypt=1", vec![Edit::insertion(at, "1")])),
                );
            }
            Some(v) if link.value(v) == "0" => out.push(
                Diagnostic::new(
                    Rule::MissingEncrypt,
                    ctx.span(p.span),
                    "encrypt=0: the password must already be encrypted",
                )
                .with_severity(Severity::Info),
            ),
            // encrypt=1 is right; other values are TC007's.
            _ => {}
        },
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn before_what_the_program_joins_to_the_string() {
        use crate::rules::test_support::fixed;
        use crate::scan::{DocKind, Lang};
        let py = DocKind::Code(Lang::Python);
        assert_eq!(
            fixed(
                "u = 'trueconf:bob@srv&password=x&login=' + user",
                py,
                "TC002"
            ),
            "u = 'trueconf:bob@srv&password=x&encrypt=1&login=' + user"
        );
        assert_eq!(
            fixed("u = 'trueconf:bob@srv&password=x' + more", py, "TC002"),
            "u = 'trueconf:bob@srv&password=x&encrypt=1' + more"
        );
    }

    #[test]
    fn missing_encrypt_in_each_context() {
        let src = "trueconf:login=user&password=pswd&force=1";
        assert_eq!(
            diags(src, DocKind::Plain, "TC002"),
            ["0..41 password is sent without encrypt=1"]
        );
        assert_eq!(
            fixed(src, DocKind::Plain, "TC002"),
            format!("{src}&encrypt=1")
        );
        let html = r#"<a href="trueconf:login=u&amp;password=p">x</a>"#;
        assert_eq!(
            fixed(html, DocKind::Html, "TC002"),
            r#"<a href="trueconf:login=u&amp;password=p&amp;encrypt=1">x</a>"#
        );
        let md = "[x](trueconf:login=u&password=p).";
        assert_eq!(
            fixed(md, DocKind::Markdown, "TC002"),
            "[x](trueconf:login=u&password=p&encrypt=1)."
        );
        let trailing = "trueconf:login=u&password=p&";
        assert_eq!(
            fixed(trailing, DocKind::Plain, "TC002"),
            "trueconf:login=u&password=p&encrypt=1"
        );
        let empty = "trueconf:login=u&password=p&encrypt=";
        assert_eq!(
            fixed(empty, DocKind::Plain, "TC002"),
            "trueconf:login=u&password=p&encrypt=1"
        );
    }

    #[test]
    fn quiet_or_info_otherwise() {
        assert!(
            diags(
                "trueconf:login=u&password=p&encrypt=1",
                DocKind::Plain,
                "TC002"
            )
            .is_empty()
        );
        assert!(diags("trueconf:login=u&password=", DocKind::Plain, "TC002").is_empty());
        assert!(diags("trueconf:login=u", DocKind::Plain, "TC002").is_empty());
        assert!(
            diags(
                "trueconf:login=u&password=p&encrypt=yes",
                DocKind::Plain,
                "TC002"
            )
            .is_empty()
        );
        assert_eq!(
            diags(
                "trueconf:login=u&password=p&encrypt=0",
                DocKind::Plain,
                "TC002"
            ),
            ["28..37 encrypt=0: the password must already be encrypted"]
        );
    }
}
