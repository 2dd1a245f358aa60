//! TC003 unescaped-rtsp-slash.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::fix::Fix;
use crate::text::Span;
use crate::uri::TargetKind;

pub const EXPLANATION: &str = "\
# TC003 unescaped-rtsp-slash

## What it does
Finds raw `/` characters in the address of a `trueconf:#rtsp:` link.

## Why is this bad?
TrueConf's documentation says every `/` of an RTSP address must be written
`%2f`. Raw slashes are read as link structure and the stream does not open;
`#rtsp://…` is the usual mistake.

## Example
```text
trueconf:#rtsp://cam.example.com:554/live
```
Use instead:
```text
trueconf:#rtsp:%2f%2fcam.example.com:554%2flive
```

## Fix safety
Safe: `%2f` is the documented spelling of the same character. A `/` inside
code written in the link (`${a/b}` in a template literal) is not reported,
and in a printf format (the string holds `%s`) the finding has no fix: a
`%2f` there would be read as a conversion.
";

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let link = ctx.link;
    let Some(t) = &link.target else { return };
    let is_rtsp = t.kind == TargetKind::External
        && t.proto
            .is_some_and(|p| link.str(p).eq_ignore_ascii_case("rtsp"));
    if !is_rtsp {
        return;
    }
    let edits: Vec<_> = link
        .str(t.id)
        .match_indices('/')
        .map(|(i, _)| ctx.replace(Span::new(t.id.start + i, t.id.start + i + 1), "%2f"))
        .collect();
    if edits.is_empty() {
        return;
    }
    out.push(
        Diagnostic::new(
            Rule::UnescapedRtspSlash,
            ctx.span(t.id),
            "raw `/` in an RTSP address; every `/` must be written `%2f`",
        )
        .with_fix(Fix::safe("Escape each `/` as `%2f`", edits)),
    );
}

#[cfg(test)]
mod tests {
    use crate::rules::test_support::{diags, fixed};
    use crate::scan::DocKind;

    #[test]
    fn raw_slashes() {
        let src = "trueconf:#rtsp://cam.example.com:554/live/1";
        assert_eq!(diags(src, DocKind::Plain, "TC003").len(), 1);
        assert_eq!(
            fixed(src, DocKind::Plain, "TC003"),
            "trueconf:#rtsp:%2f%2fcam.example.com:554%2flive%2f1"
        );
        assert!(diags("trueconf:#rtsp:%2f%2fh:554%2Fx", DocKind::Plain, "TC003").is_empty());
        assert!(diags("trueconf:#sip:a/b", DocKind::Plain, "TC003").is_empty());
        let html = r#"<a href="trueconf:#RTSP:&#47;&#47;cam">"#;
        assert_eq!(
            fixed(html, DocKind::Html, "TC003"),
            r#"<a href="trueconf:#RTSP:%2f%2fcam">"#
        );
    }
}
