//! Property tests of the core: positions round-trip in every encoding, and
//! whatever the text, scanner spans lie on character boundaries inside it
//! and fixing converges.

use proptest::prelude::*;
use trueconf_lsp::fix::Applicability;
use trueconf_lsp::rules::Config;
use trueconf_lsp::scan::{DocKind, Lang, scan};
use trueconf_lsp::text::{Cursor, Encoding, LineIndex};

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
        Just(DocKind::Code(Lang::Shell)),
        Just(DocKind::Rst),
        Just(DocKind::AsciiDoc),
        Just(DocKind::Cmd),
        Just(DocKind::PowerShell),
        Just(DocKind::Mdx),
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

    /// The forward cursor answers as the index does, for any increasing
    /// offsets (inside characters and between `\r` and `\n` too).
    #[test]
    fn cursor_equals_line_index(text in text(), steps in proptest::collection::vec(0usize..40, 1..30)) {
        let index = LineIndex::new(&text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let mut cursor = Cursor::new(&text, enc);
            let mut offset = 0;
            for &step in &steps {
                offset = (offset + step).min(text.len());
                let pos = cursor.line_col(offset);
                prop_assert_eq!(pos, index.line_col(&text, offset, enc), "{:?} at {}", enc, offset);
                prop_assert_eq!(cursor.line_span(), index.line_span(&text, pos.line as usize));
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

mod incremental_sync {
    use proptest::prelude::*;
    use trueconf_lsp::lsp::text::{Change, Text};
    use trueconf_lsp::rules::Config;
    use trueconf_lsp::scan::DocKind;
    use trueconf_lsp::text::{Encoding, LineCol, LineIndex};

    /// An edit script: (start line, start col, end line, end col, text).
    fn edits() -> impl Strategy<Value = Vec<(u32, u32, u32, u32, String)>> {
        let text = prop_oneof![
            Just(String::new()),
            Just("trueconf:".to_string()),
            Just("visicall:bob".to_string()),
            Just("&password=p".to_string()),
            Just("\r\n".to_string()),
            Just("\r".to_string()),
            Just("\n".to_string()),
            Just("😀".to_string()),
            Just("会议".to_string()),
            Just("e\u{301}".to_string()),
            Just("\u{2028}".to_string()),
            Just("\u{85}\x0c".to_string()),
            "[a-z &=@]{1,8}",
        ];
        proptest::collection::vec((0u32..6, 0u32..12, 0u32..6, 0u32..12, text), 1..30)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Incremental changes (several per notification, in UTF-8, UTF-16
        /// or UTF-32 positions) leave the text a String model has, and the
        /// diagnostics of the synced text equal a fresh full lint.
        #[test]
        fn incremental_sync_equals_a_full_reparse(
            initial in "[a-z :&=\\r\\n😀]{0,40}",
            script in edits(),
            enc in prop_oneof![Just(Encoding::Utf8), Just(Encoding::Utf16), Just(Encoding::Utf32)],
            batch in 1usize..4,
        ) {
            let mut model = initial.clone();
            let mut doc = Text::new(&initial);
            for chunk in script.chunks(batch) {
                let changes: Vec<Change> = chunk
                    .iter()
                    .map(|(l1, c1, l2, c2, t)| {
                        let (a, b) = ((*l1, *c1), (*l2, *c2));
                        let (a, b) = if a <= b { (a, b) } else { (b, a) };
                        Change {
                            range: Some((LineCol { line: a.0, col: a.1 }, LineCol { line: b.0, col: b.1 })),
                            text: t.clone(),
                        }
                    })
                    .collect();
                for c in &changes {
                    let (a, b) = c.range.unwrap();
                    let index = LineIndex::new(&model);
                    let start = index.offset(&model, a, enc);
                    let end = index.offset(&model, b, enc).max(start);
                    model.replace_range(start..end, &c.text);
                }
                let before = doc.clone();
                let before_text = before.contents();
                prop_assert!(doc.apply(&changes, enc).is_ok());
                prop_assert_eq!(doc.contents(), model.clone());
                prop_assert!(doc.is_consistent());
                // A snapshot shares the text and keeps it through the edit.
                prop_assert!(before.is_consistent());
                prop_assert_eq!(before.contents(), before_text);
            }
            let config = Config::default();
            let synced = trueconf_lsp::analyze(&doc.contents(), DocKind::Markdown, &config);
            let fresh = trueconf_lsp::analyze(&model, DocKind::Markdown, &config);
            prop_assert_eq!(synced.diagnostics, fresh.diagnostics);
        }
    }
}

/// A stoppable analysis that is never stopped is the analysis; one stopped
/// gives nothing, and asks often enough that a big document stops early.
#[test]
fn stopped_analysis_stops_early_and_unstopped_equals_analyze() {
    use std::cell::Cell;
    let line =
        "See [the meeting](trueconf:room7@video.example.com&encrypt=1) and visicall:bob today.\n";
    let text = line.repeat(4000);
    let config = Config::default();
    let whole = trueconf_lsp::analyze(&text, DocKind::Markdown, &config);
    let asked = Cell::new(0usize);
    let never = || {
        asked.set(asked.get() + 1);
        false
    };
    let unstopped = trueconf_lsp::analyze_until(&text, DocKind::Markdown, &config, &never)
        .expect("never stopped");
    assert_eq!(unstopped, whole);
    // 8,000 links: asked at least once per few hundred, in both passes.
    assert!(asked.get() >= 2 * 8000 / 512, "asked {} times", asked.get());
    for after in [0, 1, 20, asked.get() - 1] {
        let n = Cell::new(0usize);
        let stop = || {
            n.set(n.get() + 1);
            n.get() > after
        };
        assert!(
            trueconf_lsp::analyze_until(&text, DocKind::Markdown, &config, &stop).is_none(),
            "not stopped after {after} questions"
        );
        assert_eq!(n.get(), after + 1, "went on asking after the stop");
    }
}

/// Fix safety (§7): in every host kind, applying any one fix leaves the
/// text outside the link's innermost host byte-identical, and re-scanning
/// the fixed text finds the link in the same host, with the same context
/// (and so the same delimiters), at the same start.
mod fix_safety {
    use proptest::prelude::*;
    use trueconf_lsp::fix::apply;
    use trueconf_lsp::rules::Config;
    use trueconf_lsp::scan::{DocKind, Lang, scan};

    /// (kind, text before the link, text after it): the host's opener is
    /// the end of the first, its closer the start of the second.
    const HOSTS: &[(DocKind, &str, &str)] = &[
        (DocKind::Code(Lang::JavaScript), "x = '", "';\ny = 1;\n"),
        (DocKind::Code(Lang::JavaScript), "x = `", "`;\n"),
        (DocKind::Code(Lang::JavaScript), "x = String.raw`", "`;\n"),
        (DocKind::Code(Lang::JavaScript), "<a href=\"", "\">x</a>;\n"),
        (
            DocKind::Code(Lang::Python),
            "os.system('xdg-open \"",
            "\"')\n",
        ),
        (DocKind::Code(Lang::Python), "x = r\"", "\"\n"),
        (DocKind::Code(Lang::Lua), "x = [==[", "]==] -- c\n"),
        (DocKind::Code(Lang::Json), "{\"u\": \"", "\"}\n"),
        (DocKind::Html, "<a href=\"", "\">x</a>\n"),
        (
            DocKind::Html,
            "<button onclick=\"location.href='",
            "'\">b</button>\n",
        ),
        (DocKind::Html, "<b @click=\"open(`", "`)\">b</b>\n"),
        (DocKind::Markdown, "[x](", ") tail\n"),
        (DocKind::Markdown, "see **", "** now\n"),
        (DocKind::Plain, "call «", "» now\n"),
    ];

    fn body() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("bob"),
            Just("\\c\\"),
            Just("\\\\c\\\\"),
            Just("///c/"),
            Just("c/"),
            Just("@video.example.com"),
            Just("&"),
            Just("&amp;"),
            Just("&&"),
            Just("?"),
            Just("password=pswd"),
            Just("login=user"),
            Just("encrypt=1"),
            Just("encrypt=2"),
            Just("h=video.example.com"),
            Just("do=chat"),
            Just("#vcs"),
            Just("%vcs"),
            Just("%23vcs"),
            Just("#rtsp://cam/x"),
            Just("pasword=x"),
            Just("=1"),
        ];
        proptest::collection::vec(piece, 1..8).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(384))]

        #[test]
        fn fixes_stay_inside_the_innermost_host(
            host in 0..HOSTS.len(),
            body in body(),
            scheme in prop_oneof![Just("trueconf:"), Just("visicall:")],
        ) {
            let (kind, before, after) = HOSTS[host];
            // A trailing backslash escapes the host's closer: the host
            // does not end there, so the document is another one.
            if body.ends_with('\\') {
                return Ok(());
            }
            let text = format!("{before}{scheme}{body}{after}");
            let links = scan(&text, kind);
            let Some(link) = links.iter().find(|l| l.span.start == before.len()) else {
                return Ok(());
            };
            // The link must lie inside its host.
            prop_assert!(link.span.end <= text.len() - after.len(), "{text:?}");
            let analysis = trueconf_lsp::analyze(&text, kind, &Config::default());
            for d in &analysis.diagnostics {
                let Some(fix) = &d.fix else { continue };
                // One fix's edits, in source order; they must not overlap.
                let mut one = fix.clone();
                one.edits.sort_by_key(|e| (e.span.start, e.span.end));
                prop_assert!(
                    one.edits.windows(2).all(|w| w[0].span.end <= w[1].span.start),
                    "{} has overlapping edits on {:?}", d.rule.code(), text
                );
                let (fixed, _) = apply(&text, [&one]);
                prop_assert!(fixed.starts_with(before), "{} wrote before the host: {text:?} -> {fixed:?}", d.rule.code());
                prop_assert!(fixed.ends_with(after), "{} wrote past the host: {text:?} -> {fixed:?}", d.rule.code());
                // A fix that leaves the bare scheme (`trueconf:` launches
                // the app), maybe with trailing punctuation, leaves no link
                // that prose would find.
                let rest = &fixed[before.len() + scheme.len()..fixed.len() - after.len()];
                if rest.chars().all(|c| matches!(c, '?' | '.' | ',' | ';' | ':' | '!')) {
                    continue;
                }
                let again = scan(&fixed, kind);
                let same = again.iter().find(|l| l.span.start == before.len());
                prop_assert!(same.is_some(), "{} lost the link: {text:?} -> {fixed:?}", d.rule.code());
                let same = same.unwrap();
                prop_assert_eq!(same.context, link.context, "{} moved the link: {:?} -> {:?}", d.rule.code(), text, fixed);
                prop_assert!(same.span.end <= fixed.len() - after.len(), "{text:?} -> {fixed:?}");
            }
        }
    }
}

/// The findings cap is exact: checking with a cap keeps the first `cap + 1`
/// findings, in span order, of the check without one, however many
/// findings each link and each rule makes (rules stop early once theirs
/// could no longer be kept).
mod findings_cap {
    use proptest::prelude::*;
    use trueconf_lsp::rules::{self, Config};
    use trueconf_lsp::scan::{DocKind, scan};

    /// Links with many findings each: unknown, misspelt, repeated and
    /// invalid parameters, empty segments and bad escapes.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("trueconf:bob@video.example.com"),
            Just("visicall:c/"),
            Just("&x=1"),
            Just("&pasword=1"),
            Just("&encrypt=2"),
            Just("&encrypt=1"),
            Just("&do=chat"),
            Just("&do=nothing"),
            Just("&&"),
            Just("?"),
            Just("%zz"),
            Just("#a#b"),
            Just(" "),
            Just("\n"),
        ];
        proptest::collection::vec(piece, 1..60).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn a_capped_check_is_the_uncapped_one_cut(text in text(), cap in 0usize..12) {
            let config = Config::default();
            let links = scan(&text, DocKind::Plain);
            let (mut all, all_secrets) = rules::check(&text, DocKind::Plain, &links, &config);
            let (capped, secrets) =
                rules::check_until(&text, DocKind::Plain, &links, &config, &|| false, cap, false)
                    .expect("never stopped");
            all.truncate(cap + 1);
            prop_assert_eq!(capped, all);
            prop_assert_eq!(secrets, all_secrets);
        }
    }
}
