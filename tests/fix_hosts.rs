//! The fix-safety invariant of trueconf-uri.md §7 for the document kinds
//! added there (reStructuredText, AsciiDoc, shell, cmd, PowerShell, MDX,
//! and then Ruby, PHP and Perl; HTML blocks of reStructuredText and
//! AsciiDoc): for
//! every fixture of those kinds and for generated documents, applying any
//! one fix (safe or unsafe) leaves the text outside the link's innermost
//! host byte-identical, and re-scanning the fixed text finds the link in the
//! same host with the same delimiters.
//!
//! The host of most fixes is the link itself: their edits lie inside its
//! span. Two rules fix the command line around a link, by design: TC017
//! quotes a bare word (a quote on each side of the link, escapes inside it
//! deleted; the link is then found in that quoted string), and TC018
//! inserts an empty window title `"" ` before the quote that opens the
//! link's string (the link stays in that string, with the same quotes).

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use trueconf_lsp::analyze;
use trueconf_lsp::fix;
use trueconf_lsp::rules::{Config, Rule};
use trueconf_lsp::scan::{Context, DocKind, Lang, RawLink, scan};

const NEW_KINDS: &[DocKind] = &[
    DocKind::Rst,
    DocKind::AsciiDoc,
    DocKind::Code(Lang::Shell),
    DocKind::Cmd,
    DocKind::PowerShell,
    DocKind::Mdx,
    // HTML: attribute values whose scheme's colon is a character reference,
    // JavaScript strings quoted with `&quot;`, Svelte `{…}` expressions.
    DocKind::Html,
    DocKind::Code(Lang::Ruby),
    DocKind::Code(Lang::Php),
    DocKind::Code(Lang::Perl),
];

fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files: Vec<PathBuf> = ["rules", "scan", "fix"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).expect("fixtures folder"))
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.to_string_lossy();
            let text = std::fs::read_to_string(p).unwrap_or_default();
            NEW_KINDS.contains(&DocKind::from_path(&name).sniffed(&name, &text))
        })
        .collect();
    files.sort();
    files
}

/// The link a finding is about: the one holding the finding's end (TC018's
/// finding starts at the quote before its link).
fn link_of(links: &[RawLink], start: usize, end: usize, rule: Rule) -> Option<RawLink> {
    links
        .iter()
        .find(|l| {
            l.span.start <= end
                && end <= l.span.end
                && (l.span.start <= start || rule == Rule::StartTitle)
        })
        .copied()
}

/// Checks the invariant for every fix of `text`; returns how many fixes
/// were checked.
fn check_document(what: &str, text: &str, kind: DocKind) -> usize {
    let config = Config::default();
    let analysis = analyze(text, kind, &config);
    let links = scan(text, kind);
    let mut checked = 0;
    for d in &analysis.diagnostics {
        let Some(f) = &d.fix else { continue };
        let link = link_of(&links, d.span.start, d.span.end, d.rule)
            .unwrap_or_else(|| panic!("{what}: {d:?} has no link"));
        let (fixed, n) = fix::apply(text, [f]);
        assert_eq!(n, 1, "{what}: {d:?} did not apply");
        let (l, r) = (link.span.start, link.span.end);
        let delta = fixed.len() as isize - text.len() as isize;
        let new_end = (r as isize + delta) as usize;
        let rescanned = scan(&fixed, kind);
        match d.rule {
            Rule::UnquotedShellMetachar => {
                // `'…'` or `"…"` (with `"" ` before it after cmd's start)
                // around the link, nothing else outside it.
                let close = &fixed[new_end - 1..new_end];
                assert!(close == "'" || close == "\"", "{what}: {fixed:?}");
                let open_at = fixed[..l + 4]
                    .rfind(close)
                    .unwrap_or_else(|| panic!("{what}: {fixed:?}"));
                assert!(fixed.starts_with(&text[..l]), "{what}: {fixed:?}");
                assert!(fixed.ends_with(&text[r..]), "{what}: {fixed:?}");
                if matches!(
                    link.context,
                    Context::Text | Context::HtmlText | Context::StringLiteral { quote: b'\n', .. }
                ) && fixed[l..new_end].ends_with(':')
                {
                    // A fix that leaves only the scheme (TC004 removing the
                    // one parameter): in prose (a here-document's body
                    // too) a bare `trueconf:` is no link, in any kind of
                    // document.
                    checked += 1;
                    continue;
                }
                let found = rescanned
                    .iter()
                    .find(|x| x.span.start == open_at + 1)
                    .unwrap_or_else(|| panic!("{what}: link lost in {fixed:?}"));
                assert_eq!(found.span.end, new_end - 1, "{what}: {fixed:?}");
                assert!(
                    matches!(found.context, Context::StringLiteral { quote, .. } if quote == close.as_bytes()[0]),
                    "{what}: {found:?}"
                );
            }
            Rule::StartTitle => {
                let quote = d.span.start;
                for e in &f.edits {
                    assert!(e.span.is_empty() && e.span.start == quote, "{what}: {e:?}");
                }
                assert!(fixed.starts_with(&text[..quote]), "{what}: {fixed:?}");
                assert!(fixed.ends_with(&text[quote..]), "{what}: {fixed:?}");
                let found = rescanned
                    .iter()
                    .find(|x| x.span.end == new_end)
                    .unwrap_or_else(|| panic!("{what}: link lost in {fixed:?}"));
                assert_eq!(found.span.start as isize, l as isize + delta);
                assert_eq!(found.context, link.context, "{what}");
                assert_eq!(found.decode, link.decode, "{what}");
            }
            _ => {
                for e in &f.edits {
                    assert!(
                        l <= e.span.start && e.span.end <= r,
                        "{what}: {:?} writes outside {l}..{r}: {e:?}",
                        d.rule
                    );
                }
                assert!(fixed.starts_with(&text[..l]), "{what}: {fixed:?}");
                assert!(fixed.ends_with(&text[r..]), "{what}: {fixed:?}");
                if matches!(
                    link.context,
                    Context::Text | Context::HtmlText | Context::StringLiteral { quote: b'\n', .. }
                ) && fixed[l..new_end].ends_with(':')
                {
                    // A fix that leaves only the scheme (TC004 removing the
                    // one parameter): in prose (a here-document's body
                    // too) a bare `trueconf:` is no link, in any kind of
                    // document.
                    checked += 1;
                    continue;
                }
                let found = rescanned
                    .iter()
                    .find(|x| x.span.start == l)
                    .unwrap_or_else(|| panic!("{what}: {:?}: link lost in {fixed:?}", d.rule));
                assert_eq!(
                    found.span.end, new_end,
                    "{what}: {:?}: the link ends elsewhere in {fixed:?}",
                    d.rule
                );
                assert_eq!(found.context, link.context, "{what}: {:?}", d.rule);
                assert_eq!(found.decode, link.decode, "{what}: {:?}", d.rule);
            }
        }
        checked += 1;
    }
    checked
}

#[test]
fn fixtures_of_the_new_kinds_keep_their_hosts() {
    let files = fixtures();
    assert!(files.len() >= 15, "{files:?}");
    let mut checked = 0;
    for path in files {
        let name = path.to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let kind = DocKind::from_path(&name).sniffed(&name, &text);
        checked += check_document(&name, &text, kind);
    }
    assert!(checked >= 20, "only {checked} fixes checked");
}

/// Pieces of a link body: each rule's trigger and its quiet forms.
const PIECES: &[&str] = &[
    "bob@video.example.com",
    "&do=chat",
    "&do=call",
    "&login=u",
    "&password=p",
    "&encrypt=yes",
    "&encrypt=1",
    "%23vcs",
    "%vcs",
    "#vcs",
    "\\c\\1",
    "/c/1",
    "//",
    "?h=x",
    "&&",
    "&h=video.example.com",
    "#rtsp:%2f%2fh/x",
    "&force=true",
    "&autoclose=1",
    "&passwrd=x",
    "&do=chat&do=chat",
];

/// The hosts of each new kind, with `{}` for the link.
fn hosts(kind: DocKind) -> &'static [&'static str] {
    match kind {
        DocKind::Rst => &[
            "See `call <{}>`_ now.",
            ".. _target: {}",
            "Prose {} here.",
            ".. code-block:: bash\n\n   xdg-open '{}'\n",
            ".. code-block:: bat\n\n   start \"{}\"\n",
            "Example::\n\n   {}\n",
            ".. code-block:: html\n\n   <a href=\"{}\">room</a>\n",
            ".. code:: html\n\n   <button onclick=\"go('{}')\">room</button>\n",
        ],
        DocKind::AsciiDoc => &[
            "Open link:{}[the room].",
            "Open {}[the room].",
            "Prose {} here.",
            "[source,python]\n----\nu = '{}'\n----",
            "[source,sh]\n----\nxdg-open {}\n----",
            "[source,html]\n----\n<a href=\"{}\">room</a>\n----",
            "[,xml]\n....\n<link url='{}'/>\n....",
        ],
        DocKind::Code(Lang::Shell) => &[
            "xdg-open {}",
            "xdg-open {} &",
            "xdg-open '{}'",
            "xdg-open \"{}\"",
            "xdg-open $'{}'",
            "cat <<E\n{}\nE",
            "URL={}; open \"$URL\"",
            "y=\"$(xdg-open '{}')\"",
            "xdg-open \"{}&x=$(id -u)\"",
            "xdg-open \"${HOME}/{}\"",
        ],
        DocKind::Cmd => &[
            "start \"\" \"{}\"",
            "start {}",
            "start \"{}\"",
            "explorer {}\r",
            "if x==x (start \"{}\")",
        ],
        DocKind::PowerShell => &[
            "Start-Process '{}'",
            "Start-Process \"{}\"",
            "Start-Process {}",
            "$s = @'\n{}\n'@",
            "Start-Process \"{}`&x=1\"",
            "Start-Process \"{}&u=$($u.Name)\"",
            "Write-Host \"x $(Start-Process '{}') y\"",
            "Write-Host \"x $(Start-Process \"{}\") y\"",
        ],
        DocKind::Mdx => &[
            "export const url = \"{}\"",
            "Open [the room]({}) now.",
            "<a href=\"{}\">room</a>",
            "<Call link={'{}'} />",
            "Prose {} here.",
        ],
        DocKind::Html => &[
            "<a href=\"{}\">room</a>",
            "<a href='{}'>room</a>",
            "<button onclick=\"go(&quot;{}&quot;)\">room</button>",
            "<button onclick='go(&#34;{}&#34;, 1)'>room</button>",
            "<a href={'{}'}>room</a>",
            "<a on:click={() => { if (a > b) go(\"{}\"); }}>room</a>",
            "<p>Prose {} here.</p>",
            "<a href=\"jav&#x61;script:go('{}')\">room</a>",
            "<a href=\"java&Tab;script:go(&quot;{}&quot;)\">room</a>",
        ],
        DocKind::Code(Lang::Ruby) => &[
            "x = '{}'",
            "x = \"{}\"",
            "system('xdg-open \"{}\"')",
            "x = %q({})",
            "x = %Q[{}]",
            "x = \"#{a[\"k\"]} {}\"",
            "x = <<~E\n  {}\nE",
            "# {}",
        ],
        DocKind::Code(Lang::Php) => &[
            "<?php $x = '{}'; ?>",
            "<?php $x = \"{}\"; ?>",
            "<?php $x = \"{$a['k']} {}\";",
            "<a href=\"{}\">room</a>",
            "<a href=\"<?= '{}' ?>\">room</a>",
            "<?php echo <<<E\n  {}\n  E;\n",
            "<?php // {}\n?>",
        ],
        DocKind::Code(Lang::Perl) => &[
            "my $x = '{}';",
            "my $x = \"{}\";",
            "my $x = q({});",
            "my $x = qq[{}];",
            "system(\"xdg-open '{}'\");",
            "print <<\"E\";\n{}\nE",
            "# {}",
        ],
        _ => &[],
    }
}

fn document() -> impl Strategy<Value = (DocKind, String)> {
    (0..NEW_KINDS.len()).prop_flat_map(|k| {
        let kind = NEW_KINDS[k];
        let host = prop::sample::select(hosts(kind));
        let body = prop::collection::vec(prop::sample::select(PIECES), 1..5);
        let schemes: &[&str] = if kind == DocKind::Html {
            &["trueconf:", "visicall:", "trueconf&#58;", "TrueConf&#x3A;"]
        } else {
            &["trueconf:", "visicall:"]
        };
        let scheme = prop::sample::select(schemes);
        prop::collection::vec((host, scheme, body), 1..4).prop_map(move |parts| {
            let doc = parts
                .iter()
                .map(|(host, scheme, body)| {
                    host.replace("{}", &format!("{scheme}{}", body.concat()))
                })
                .collect::<Vec<_>>()
                .join("\n");
            (kind, doc)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn generated_documents_keep_their_hosts((kind, text) in document()) {
        check_document(&format!("{kind:?} {text:?}"), &text, kind);
    }
}
