//! Scanning and linting any text of any kind never panics, and every span
//! lies on character boundaries inside the text, in order.
#![no_main]

use libfuzzer_sys::fuzz_target;
use trueconf_lsp::rules::Config;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((kind, text)) = common::kind_and_text(data) else { return };
    let links = trueconf_lsp::scan::scan(text, kind);
    let mut last = 0;
    for link in &links {
        let s = link.span;
        assert!(s.start >= last && s.start < s.end && s.end <= text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
        last = s.end;
        let decoded = link.decoded(text);
        let parsed = trueconf_lsp::uri::Link::parse(&decoded.text);
        let _ = trueconf_lsp::describe::describe(&parsed);
    }
    let analysis = trueconf_lsp::analyze(text, kind, &Config::default());
    for d in &analysis.diagnostics {
        assert!(d.span.start <= d.span.end && d.span.end <= text.len());
        assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
        if let Some(fix) = &d.fix {
            for e in &fix.edits {
                assert!(e.span.end <= text.len());
                assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end));
            }
        }
    }
});
