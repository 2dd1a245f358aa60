//! Parsing any link never panics; parts lie inside the link; describing
//! and redacting it never shows a password.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trueconf_lsp::uri::Link;

fuzz_target!(|body: &str| {
    let text = format!("trueconf:{body}");
    let link = Link::parse(&text);
    let mut spans = vec![link.scheme_span];
    spans.extend(link.params.iter().flat_map(|p| [Some(p.span), Some(p.key), p.value].into_iter().flatten()));
    if let Some(t) = &link.target {
        spans.extend([Some(t.span), Some(t.id), t.server, t.prefix, t.proto, t.instance].into_iter().flatten());
    }
    for s in spans {
        assert!(s.start <= s.end && s.end <= text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
    }
    // The password has no influence on what is shown: swapping every
    // secret for another value gives the same description and redaction.
    let secrets = link.secrets();
    if !secrets.is_empty() {
        let swap = |with: &str| {
            let mut out = String::new();
            let mut last = 0;
            for s in secrets {
                out.push_str(&text[last..s.start]);
                out.push_str(with);
                last = s.end;
            }
            out.push_str(&text[last..]);
            out
        };
        let (a, b) = (swap("Qq1Qq1"), swap("Zz2Zz2"));
        let (la, lb) = (Link::parse(&a), Link::parse(&b));
        if la.secrets().len() == secrets.len() && lb.secrets().len() == secrets.len() {
            assert_eq!(la.redacted(), lb.redacted(), "redaction depends on the password");
            let (da, db) = (trueconf_lsp::describe::describe(&la), trueconf_lsp::describe::describe(&lb));
            assert_eq!(format!("{da:?}"), format!("{db:?}"), "description depends on the password");
        }
    }
});
