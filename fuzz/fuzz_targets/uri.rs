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
    let described = format!("{:?}", trueconf_lsp::describe::describe(&link));
    let redacted = link.redacted();
    for secret in link.secrets() {
        let value = &text[secret.range()];
        // A secret long enough to be unique must not survive redaction.
        if value.len() >= 6 && !text[..secret.start].contains(value) && !text[secret.end..].contains(value) {
            assert!(!redacted.contains(value), "redacted link shows a password");
            assert!(!described.contains(value), "description shows a password");
        }
    }
});
