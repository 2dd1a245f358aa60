//! Property tests of the core: positions round-trip in every encoding, and
//! whatever the text, scanner spans lie on character boundaries inside it
//! and fixing converges.

use proptest::prelude::*;
use trueconf_lsp::config::Config;
use trueconf_lsp::fix::Applicability;
use trueconf_lsp::scan::{DocKind, Lang, scan};
use trueconf_lsp::text::{Encoding, LineIndex};

/// Text made of the pieces that matter: link syntax, escapes, quotes, tags,
/// line breaks of every kind and multi-byte characters.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("trueconf:".to_string()),
        Just("visicall:".to_string()),
        Just("TrueConf:".to_string()),
        Just("\\c\\".to_string()),
        Just("&amp;".to_string()),
        Just("&".to_string()),
        Just("password=".to_string()),
        Just("encrypt=1".to_string()),
        Just("#rtsp://".to_string()),
        Just("%2f".to_string()),
        Just("%vcs".to_string()),
        Just("@video.example.com".to_string()),
        Just("<a href=\"".to_string()),
        Just("\">".to_string()),
        Just("[x](".to_string()),
        Just(")".to_string()),
        Just("`".to_string()),
        Just("```js\n".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("//".to_string()),
        Just("<!--".to_string()),
        Just("-->".to_string()),
        Just("<script>".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\n".to_string()),
        Just("\u{2028}".to_string()),
        Just("😀".to_string()),
        Just("会".to_string()),
        Just("e\u{301}".to_string()),
        "[a-z0-9 ]{1,6}",
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn kind() -> impl Strategy<Value = DocKind> {
    prop_oneof![
        Just(DocKind::Plain),
        Just(DocKind::Markdown),
        Just(DocKind::Html),
        Just(DocKind::Code(Lang::JavaScript)),
        Just(DocKind::Code(Lang::Python)),
        Just(DocKind::Code(Lang::Json)),
        Just(DocKind::Code(Lang::Yaml)),
        Just(DocKind::Code(Lang::Rust)),
        Just(DocKind::Code(Lang::CSharp)),
        Just(DocKind::Code(Lang::Lua)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn offsets_round_trip_in_every_encoding(text in text()) {
        let index = LineIndex::new(&text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // The '\n' of a CRLF is not a position of its own.
                if offset > 0 && text.as_bytes()[offset - 1] == b'\r' && text.as_bytes().get(offset) == Some(&b'\n') {
                    continue;
                }
                let pos = index.line_col(&text, offset, enc);
                prop_assert_eq!(index.offset(&text, pos, enc), offset);
            }
        }
    }

    #[test]
    fn spans_lie_on_char_boundaries_inside_the_text(text in text(), kind in kind()) {
        let mut last = 0;
        for link in scan(&text, kind) {
            let s = link.span;
            prop_assert!(s.start >= last && s.start < s.end && s.end <= text.len());
            prop_assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
            last = s.end;
        }
        for d in trueconf_lsp::analyze(&text, kind, &Config::default()).diagnostics {
            prop_assert!(text.is_char_boundary(d.span.start) && text.is_char_boundary(d.span.end));
            prop_assert!(d.span.end <= text.len());
        }
    }

    #[test]
    fn fixing_converges_and_is_idempotent(text in text(), kind in kind()) {
        let config = Config::default();
        let fixed = trueconf_lsp::fix_all(&text, kind, &config, Applicability::Unsafe);
        prop_assert!(fixed.converged);
        let again = trueconf_lsp::fix_all(&fixed.text, kind, &config, Applicability::Unsafe);
        prop_assert_eq!(again.applied, 0);
    }
}
