//! TC012 empty-segment.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::{Edit, Fix};

pub const EXPLANATION: &str = "\
# TC012 empty-segment

## What it does
Finds empty segments (`&&`, a leading or trailing `&`) and parameters with
an empty value (`key=`).

## Why is this bad?
They do nothing at best; at worst an empty `password=` or `h=` makes the
client try to sign in with nothing. They usually mark a template variable
that was never filled in.

## Example
```text
trueconf:bob&&autoclose=1&h=
```
Use instead:
```text
trueconf:bob&autoclose=1
```

Not reported where something fills in what ends the link: a server-side
template tag right after it (`<%= … %>`, `<?php … ?>`, `{% … %}`,
`{{ … }}`, `${…}`), or, in code, more joined to the link's string
(`\"trueconf:…&do=\" + action`, `'…' . $x`, `\"…\"$x` in a shell, an
adjacent literal the scan does not join, such as `r\"…\"`).

## Fix safety
Safe: an empty segment or value carries no information, so removing it
keeps what the link does. A `&&` inside code written in the link
(`${ok&&chat ? … : …}`, `$(test && …)`) is the program's, not reported.
";

/// Does a server-side template tag (`<%= … %>`, `<?php … ?>`, `{% … %}`,
/// `{{ … }}`, `${…}`) follow the link where it ends? What ends there
/// (`do=`, a last `&`) is then filled in by the server, not empty.
fn template_follows(ctx: &LinkCtx, span: crate::text::Span) -> bool {
    let end = ctx.link_span().end;
    span.end == end
        && (["<%", "<?", "{%", "{{", "${"]
            .iter()
            .any(|open| ctx.source[end..].starts_with(open))
            || ctx.string_goes_on())
}

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    for &sep in &link.empty_separators {
        let span = ctx.span(sep);
        if template_follows(ctx, span) {
            continue;
        }
        let message = if sep.end == link.text.len() {
            "trailing `&`"
        } else {
            "empty segment between separators"
        };
        out.push(
            Diagnostic::new(Rule::EmptySegment, span, message).with_fix(Fix::safe(
                "Remove the extra `&`",
                vec![Edit::deletion(span)],
            )),
        );
    }
    for p in &link.params {
        if p.value.is_some_and(|v| v.is_empty()) && !template_follows(ctx, ctx.span(p.span)) {
            let shown: String = link.redacted_part(p.key).chars().take(40).collect();
            out.push(
                Diagnostic::new(
                    Rule::EmptySegment,
                    ctx.span(p.span),
                    format!("`{shown}=` has no value"),
                )
                .with_fix(Fix::safe(
                    format!("Remove `{shown}=`"),
                    vec![ctx.delete_param(p)],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn not_where_the_code_joins_more_to_the_string() {
        use crate::scan::Lang;
        let js = DocKind::Code(Lang::JavaScript);
        for src in [
            "u = \"trueconf:bob@srv&do=\" + action;",
            "u = \"trueconf:bob@srv&\"\n  + rest;",
            "u = `trueconf:bob@srv&do=${action}`;",
        ] {
            assert!(diags(src, js, "TC012").is_empty(), "{src}");
        }
        let py = DocKind::Code(Lang::Python);
        for src in [
            "u = 'trueconf:bob@srv&do=' r'chat'",
            "u = 'trueconf:bob@srv&do=' \"\"\"chat\"\"\"",
            "u = 'trueconf:bob@srv&do='.format()",
        ] {
            assert!(diags(src, py, "TC012").is_empty(), "{src}");
        }
        let php = DocKind::Code(Lang::Php);
        let src = "<?php $u = 'trueconf:bob@srv&do=' . $action; ?>";
        assert!(diags(src, php, "TC012").is_empty());
        let sh = DocKind::Code(Lang::Shell);
        assert!(diags("xdg-open \"trueconf:bob@srv&do=\"$A", sh, "TC012").is_empty());
        // Still reported: the string ends the statement.
        assert_eq!(diags("u = 'trueconf:bob@srv&do='", py, "TC012").len(), 1);
        assert_eq!(diags("u = \"trueconf:bob@srv&\";", js, "TC012").len(), 1);
    }

    #[test]
    fn empties() {
        let src = "trueconf:bob&&autoclose=1&h=&";
        assert_eq!(
            diags(src, DocKind::Plain, "TC012"),
            [
                "12..13 empty segment between separators",
                "26..28 `h=` has no value",
                "28..29 trailing `&`"
            ]
        );
        // The touching deletions of `h=` and of the trailing `&` apply in
        // one pass.
        let once = fixed(src, DocKind::Plain, "TC012");
        assert_eq!(once, "trueconf:bob&autoclose=1");
        assert_eq!(fixed(&once, DocKind::Plain, "TC012"), once);
        // A value or a last segment a server template fills in is not
        // empty (a probe found the safe fix deleting `do=<%= action %>`).
        for quiet in [
            "<a href=\"trueconf:bob@srv&amp;do=<%= action %>\">x</a>\n",
            "<a href=\"trueconf:bob&do=<?php echo $x; ?>&do=chat\">y</a>\n",
            "<a href=\"trueconf:bob&<?= $extra ?>\">z</a>\n",
            "<a href=\"trueconf:bob&do={% if c %}chat{% endif %}\">w</a>\n",
        ] {
            assert!(diags(quiet, DocKind::Html, "TC012").is_empty(), "{quiet}");
        }
        assert_eq!(
            diags(
                "<a href=\"trueconf:bob&do=\"><%= x %></a>\n",
                DocKind::Html,
                "TC012"
            )
            .len(),
            1
        );
    }
}
