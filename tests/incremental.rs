//! Incremental re-linting equals a full lint: after any sequence of edits,
//! on documents of every kind, what [`incremental::reanalyze`] gives (links,
//! diagnostics with their spans, messages, severities and fixes, secrets)
//! is what [`trueconf_lsp::analyze`] gives for the final text.

use proptest::prelude::*;
use trueconf_lsp::Analysis;
use trueconf_lsp::incremental::{self, Unchanged};
use trueconf_lsp::rules::Config;
use trueconf_lsp::scan::{DocKind, FenceMap, Lang};

/// The pieces documents and edits are made of: links, host syntax that
/// changes how the lines after it read (fences, scripts, comments,
/// multi-line strings, suppression markers), line breaks of every kind.
const PIECES: &[&str] = &[
    "trueconf:bob",
    "trueconf:",
    "visicall:a@b",
    "TrueConf:x",
    "trueconf:login=u&password=secret1&force=1",
    "trueconf:\\c\\123@srv%vcs",
    "trueconf:#rtsp://cam/1",
    "trueconf&#58;bob",
    "visicall&colon;x",
    "&#58;",
    "&amp;",
    "&",
    "password=",
    "encrypt=1",
    "[x](",
    ")",
    "<",
    ">",
    "`",
    "```\n",
    "```js\n",
    "```python\n",
    "```html\n",
    "```ruby\n",
    "```php\n",
    "onclick=\"go('",
    "<?php ",
    "?>",
    "<<~E\n",
    "\nE\n",
    "~~~\n",
    "   ```\n",
    "````\n",
    "``` `x`\n",
    "~~~~ \n",
    "\"",
    "'",
    "\"\"\"",
    "//",
    "/*",
    "*/",
    "#",
    "<!--",
    "-->",
    "<!-- trueconf-lsp-disable-next-line -->",
    "<a href=\"",
    "\">",
    "<script>",
    "</script>",
    "start \"",
    "os.system(\"",
    "xdg-open ",
    "\\",
    "\" +\n",
    "' ..\n  '",
    "'\\\n'",
    "\r\n",
    "\r",
    "\n",
    "\n",
    "\n",
    "😀",
    "会",
    " ",
    " ",
    "word",
    "x",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (0..PIECES.len()).prop_map(|i| PIECES[i].to_string()),
        2 => "[a-z0-9 =&@:/]{1,6}",
    ]
}

fn doc() -> impl Strategy<Value = String> {
    proptest::collection::vec(piece(), 0..60).prop_map(|v| v.concat())
}

fn kind() -> impl Strategy<Value = DocKind> {
    prop_oneof![
        4 => Just(DocKind::Plain),
        6 => Just(DocKind::Markdown),
        1 => Just(DocKind::Html),
        1 => Just(DocKind::Code(Lang::JavaScript)),
        1 => Just(DocKind::Code(Lang::Python)),
        1 => Just(DocKind::Code(Lang::Json)),
        1 => Just(DocKind::Code(Lang::Yaml)),
        1 => Just(DocKind::Code(Lang::Shell)),
        1 => Just(DocKind::Rst),
        1 => Just(DocKind::AsciiDoc),
        1 => Just(DocKind::Cmd),
        1 => Just(DocKind::PowerShell),
        1 => Just(DocKind::Mdx),
        1 => Just(DocKind::Code(Lang::Ruby)),
        1 => Just(DocKind::Code(Lang::Php)),
        1 => Just(DocKind::Code(Lang::Perl)),
    ]
}

/// An edit: where (as fractions of the text), how much to delete, what to
/// insert, and whether a lint runs after it (else the next edit piles on).
fn edits() -> impl Strategy<Value = Vec<(f64, usize, Vec<String>, bool)>> {
    proptest::collection::vec(
        (
            0.0f64..=1.0,
            prop_oneof![3 => Just(0usize), 2 => 1usize..3, 1 => 3usize..40],
            proptest::collection::vec(piece(), 0..3),
            prop_oneof![3 => Just(true), 1 => Just(false)],
        ),
        1..25,
    )
}

fn floor(s: &str, mut at: usize) -> usize {
    at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Runs `script` on `text`, re-linting incrementally after each edit that
/// asks for it, and checks every result against a full lint. Returns how
/// many re-lints were done by a region.
fn check(text: &str, kind: DocKind, script: &[(f64, usize, Vec<String>, bool)]) -> usize {
    let mut steps = script.iter();
    check_edits(text, kind, |model| {
        let (at, del, insert, lint) = steps.next()?;
        let start = floor(model, (*at * model.len() as f64) as usize);
        let end = floor(model, start + del);
        Some((start, end, insert.clone(), *lint))
    })
}

/// [`check`], the edits given by `next` from the text they are made on:
/// where, what to delete up to, what to insert, and whether a lint runs.
fn check_edits(
    text: &str,
    kind: DocKind,
    mut next: impl FnMut(&str) -> Option<(usize, usize, Vec<String>, bool)>,
) -> usize {
    let config = Config::default();
    let mut model = text.to_string();
    let (first, mut state) = incremental::analyze_full(&model, kind, &config, &|| false).unwrap();
    assert_eq!(*first, trueconf_lsp::analyze(&model, kind, &config));
    let mut unchanged = Unchanged::all(model.len());
    let mut spliced = 0;
    while let Some((start, end, insert, lint)) = next(&model) {
        let (insert, lint) = (&insert, &lint);
        let len = model.len();
        let before =
            model[floor(&model, start.saturating_sub(60))..floor(&model, end + 60)].to_string();
        model.replace_range(start..end, &insert.concat());
        unchanged = unchanged.edit(start, end, len);
        if !lint {
            continue;
        }
        let fresh = trueconf_lsp::analyze(&model, kind, &config);
        let (analysis, next, splice) = match &state {
            Some(prev) => {
                incremental::reanalyze(prev, &model, unchanged, &config, &|| false).unwrap()
            }
            None => {
                let (a, s) = incremental::analyze_full(&model, kind, &config, &|| false).unwrap();
                (a, s, None)
            }
        };
        if *analysis != fresh {
            panic!(
                "{kind:?} after an edit at {start}..{end} ({:?}) of {before:?}, {}",
                insert.concat(),
                first_difference(&analysis, &fresh, &model)
            );
        }
        if let Some(s) = &splice {
            spliced += 1;
            // The region is whole lines of the new text, holding the edit
            // (a fence line may end at a lone CR, a line break too).
            let breaks = |at: usize| at == 0 || matches!(model.as_bytes()[at - 1], b'\n' | b'\r');
            assert!(s.region.start <= start && start + insert.concat().len() <= s.region.end);
            assert!(breaks(s.region.start), "region {:?} of {model:?}", s.region);
            assert!(
                s.region.end == model.len() || breaks(s.region.end),
                "region {:?} of {model:?}",
                s.region
            );
        }
        if let Some(fences) = next.as_ref().and_then(|s| s.fences()) {
            assert_eq!(
                fences,
                &FenceMap::new(&model),
                "after an edit at {start}..{end} of {before:?}"
            );
        }
        state = next;
        unchanged = Unchanged::all(model.len());
    }
    spliced
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn incremental_equals_full_lint(text in doc(), kind in kind(), script in edits()) {
        check(&text, kind, &script);
    }
}

/// A realistic Markdown document (prose, links of every form, fenced
/// blocks with and without a language, CRLF in places) edited a character
/// at a time, as an editor does: each re-lint equals a full lint, and most
/// are done by a region (the test fails if the fast path is never taken).
#[test]
fn typing_into_a_markdown_document() {
    let mut rng = Lcg(0x9e37_79b9_7f4a_7c15);
    for kind in [DocKind::Markdown, DocKind::Plain] {
        let mut text = String::new();
        for i in 0..400 {
            match rng.below(9) {
                0 => text.push_str(
                    "```js\nlet u = \"trueconf:bob@srv&x=1\";\nlet s = `a\nb trueconf:c`;\n```\n",
                ),
                1 => text.push_str("```\ntrueconf:login=a&password=p1\n```\n"),
                2 => text.push_str("see [call](trueconf:bob@srv&encrypt=1) now\r\n"),
                3 => text.push_str(
                    "<trueconf:\\c\\1234@srv%vcs> and trueconf:h=x&login=a&password=p2\n",
                ),
                4 => text.push_str("visicall:alice@video.example.com, then TrueConf:x\n"),
                5 => text.push_str("<a href=\"trueconf:a&amp;b=1\">x</a> `trueconf:code`\n"),
                _ => text.push_str(&format!("line {i} of prose with words\n")),
            }
        }
        let mut script = Vec::new();
        for _ in 0..600 {
            let at = rng.below(1000) as f64 / 1000.0;
            let (del, insert) = match rng.below(10) {
                0..=3 => (
                    0,
                    vec![["a", " ", "&", "=", "%", "\\", ":", "@"][rng.below(8)].to_string()],
                ),
                4..=6 => (1, vec![]),
                7 => (0, vec!["\n".to_string()]),
                8 => (0, vec!["`".to_string()]),
                _ => (0, vec!["trueconf:".to_string()]),
            };
            script.push((at, del, insert, true));
        }
        let spliced = check(&text, kind, &script);
        assert!(
            spliced > 400,
            "{kind:?}: only {spliced} of 600 re-lints by a region"
        );
    }
}

/// Edits of fence lines (a character typed into or deleted from one, as
/// the benchmark's random edits make them), in a document of fenced blocks
/// of every shape: each re-lint equals a full lint; those that leave the
/// blocks as they were (an info string edited, a closing fence that still
/// closes) read the edited block only, the others the rest of the text.
#[test]
fn typing_into_fence_lines() {
    let mut rng = Lcg(0x2545_f491_4f6c_dd1d);
    let blocks = [
        "```\ntrueconf:a&password=p1\n```\n",
        "```js\nlet u = \"trueconf:bob@srv&x=1\";\n```\n",
        "~~~sh\nstart trueconf:c@s\n~~~\n",
        "````\n```\ntrueconf:d\n````\n",
        "   ```python\nprint(\"trueconf:e&y=2\")\n   ```  \n",
        "``` `x`\nvisicall:f\n```\n",
        "    ```\nindented trueconf:g\n",
        "~~~~ \r\nvisicall:h@s\r\n~~~~~\r\n",
    ];
    let mut text = String::new();
    for i in 0..300 {
        match rng.below(4) {
            0 => text.push_str(blocks[rng.below(blocks.len())]),
            1 => text.push_str("see [call](trueconf:bob@srv&encrypt=1) and visicall:x\n"),
            _ => text.push_str(&format!("line {i} of prose\n")),
        }
    }
    let mut left = 800;
    let (mut small, mut whole) = (0, 0);
    check_edits(&text, DocKind::Markdown, |model| {
        left -= 1;
        if left == 0 {
            return None;
        }
        let lines = FenceMap::new(model).lines;
        let line = *lines.get(rng.below(lines.len().max(1)))?;
        let at = floor(model, line + rng.below(6));
        let (end, insert) = match rng.below(5) {
            0 | 1 => (floor(model, at + 1), vec![]),
            _ => (
                at,
                vec![["a", " ", "`", "~", "\n"][rng.below(5)].to_string()],
            ),
        };
        if model.as_bytes().get(at) == Some(&b'\n') && insert.is_empty() {
            return Some((at, at, vec![" ".to_string()], true));
        }
        Some((at, end, insert, true))
    });
    // Count what the region reads, on the same edits replayed.
    let config = Config::default();
    let mut rng = Lcg(7);
    let mut model = text.clone();
    let (_, mut state) =
        incremental::analyze_full(&model, DocKind::Markdown, &config, &|| false).unwrap();
    for _ in 0..300 {
        let lines = FenceMap::new(&model).lines;
        let at = lines[rng.below(lines.len())] + 3;
        let insert = ["a", " "][rng.below(2)];
        let len = model.len();
        model.insert_str(at, insert);
        let unchanged = Unchanged::all(len).edit(at, at, len);
        let (_, next, splice) =
            incremental::reanalyze(state.as_ref().unwrap(), &model, unchanged, &config, &|| {
                false
            })
            .unwrap();
        match splice {
            Some(s) if s.region.end < model.len() => small += 1,
            _ => whole += 1,
        }
        state = next;
    }
    // After the run of an opening fence, a letter or a space leaves the
    // blocks as they were; after a closing one, a letter does not.
    assert!(
        small > 100 && whole > 30,
        "{small} by the block, {whole} to the end"
    );
}

/// A scheme whose colon is written as a character reference, in the inline
/// HTML of a Markdown document, is a link for the incremental lint too (its
/// candidate search once looked for plain colons only, so the language
/// server missed what `--check` reported).
#[test]
fn a_colon_written_as_a_character_reference_in_markdown() {
    let text = "See <a href=\"trueconf&#58;bob@video.example.com&password=p1\">call</a>.\n\n\
                And <a href='visicall&colon;alice'>this</a>.\n";
    let full = trueconf_lsp::analyze(text, DocKind::Markdown, &Config::default());
    assert_eq!(full.links.len(), 2);
    let script = vec![
        (0.95, 0, vec!["x".to_string()], true),
        (0.1, 0, vec!["\n".to_string()], true),
    ];
    check(text, DocKind::Markdown, &script);
}

/// A link whose string the code joins to one on the next line: what the
/// next line holds decides its findings (`encrypt=1` there, a password
/// going on there), so an edit of that line alone changes the link's.
#[test]
fn a_string_joined_to_the_next_line_in_a_markdown_fence() {
    let text = "# t\n\n```js\nconst v = \"trueconf:bob@video.example.com&password=pw1\" +\n  \"&force=1\";\n```\n";
    let full = trueconf_lsp::analyze(text, DocKind::Markdown, &Config::default());
    assert!(full.diagnostics.iter().any(|d| d.rule.code() == "TC002"));
    let mut steps = 0;
    let ran = check_edits(text, DocKind::Markdown, |model| {
        steps += 1;
        let at = |s: &str| model.find(s).unwrap();
        match steps {
            // `encrypt=1` joined on the next line: no TC002.
            1 => Some((at("force"), at("force") + 5, vec!["encrypt".into()], true)),
            // The password goes on on the next line.
            2 => Some((at("&encrypt"), at("&encrypt") + 1, vec!["-x&".into()], true)),
            // No longer joined: re-linted by regions again (the heading).
            3 => Some((at("\" +") + 1, at("\" +") + 3, vec![";".into()], true)),
            4 => Some((2, 2, vec!["x".into()], true)),
            // Joined again.
            5 => Some((
                at("\";\n  ") + 1,
                at("\";\n  ") + 2,
                vec![" +".into()],
                true,
            )),
            6 => Some((2, 2, vec!["y".into()], true)),
            _ => None,
        }
    });
    // Only the heading's edit while not joined was a lint by regions.
    assert_eq!(ran, 1);
}

/// The same for a command word carried on by a line continuation (cmd's
/// `^`; a POSIX shell's `\` is re-read as any Markdown line ending with a
/// backslash is).
#[test]
fn a_shell_word_carried_on_to_the_next_line_in_a_markdown_fence() {
    let text =
        "# t\n\n```bat\nstart \"\" trueconf:bob@video.example.com^&password=pw1^\n&force=1\n```\n";
    let full = trueconf_lsp::analyze(text, DocKind::Markdown, &Config::default());
    assert!(full.diagnostics.iter().any(|d| d.rule.code() == "TC002"));
    let mut steps = 0;
    check_edits(text, DocKind::Markdown, |model| {
        steps += 1;
        let at = model.find("force").or_else(|| model.find("encrypt"))?;
        match steps {
            1 => Some((at, at + 5, vec!["encrypt".into()], true)),
            2 => Some((at, at + 7, vec!["force".into()], true)),
            _ => None,
        }
    });
}

/// A link that holds a line break (an HTML attribute in a fenced block)
/// and another link on its second line: when an edit of the first line
/// removes the first link, the second line's findings are not all the
/// second link's (a probe of the server saw a stale TC006 kept).
#[test]
fn a_link_over_two_lines_removed_by_an_edit_of_its_first() {
    for (text, at, del) in [
        (
            "```html\n<a href=\"trueconf:a\n&amp;x=1\"> trueconf:b\n```\n",
            17,
            0,
        ),
        ("```htm\n<a href=\"trueconf:\ny&amp;l<trueconf:", 16, 3),
    ] {
        let mut once = Some((at, at + del, vec!["x".to_string()], true));
        check_edits(text, DocKind::Markdown, |_| once.take());
    }
}

/// Where two analyses first differ, with the text around it.
fn first_difference(got: &Analysis, want: &Analysis, text: &str) -> String {
    let around = |at: usize| {
        let a = floor(text, at.saturating_sub(80));
        let b = floor(text, at + 80);
        format!("{:?}", &text[a..b])
    };
    if let Some(i) =
        (0..got.links.len().max(want.links.len())).find(|&i| got.links.get(i) != want.links.get(i))
    {
        let at = want.links.get(i).or(got.links.get(i)).unwrap().span.start;
        return format!(
            "link {i}: got {:?}, want {:?}, at {}",
            got.links.get(i),
            want.links.get(i),
            around(at)
        );
    }
    if let Some(i) = (0..got.diagnostics.len().max(want.diagnostics.len()))
        .find(|&i| got.diagnostics.get(i) != want.diagnostics.get(i))
    {
        let at = want
            .diagnostics
            .get(i)
            .or(got.diagnostics.get(i))
            .unwrap()
            .span
            .start;
        return format!(
            "diagnostic {i}: got {:?}, want {:?}, at {}",
            got.diagnostics.get(i),
            want.diagnostics.get(i),
            around(at)
        );
    }
    format!(
        "secrets or cap: got {:?} {}, want {:?} {}",
        got.secrets, got.capped, want.secrets, want.capped
    )
}

struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

/// Lines that each end with a backslash: whether the last one is a link's
/// last character or a hard line break depends on the line after it, so
/// an edit before them re-reads them all and the line after (proptest
/// found a region ending at the second of two such lines).
#[test]
fn lines_ending_with_backslashes_in_markdown() {
    let text = "```html\n会)'\\\n'trueconf:\r\n[x](";
    let script = vec![
        (0.4845878368309909, 1, vec!["-->".to_string()], true),
        (
            0.838086648207475,
            0,
            vec!["'\\\n'".to_string(), "trueconf:bob".to_string()],
            true,
        ),
        (0.0, 0, vec!["&#58;".to_string()], true),
        (0.2562604799660849, 0, vec![], true),
    ];
    check(text, DocKind::Markdown, &script);
}
