//! A unique password planted in every rule's fixture must appear in no
//! output of the command line, in any format.

mod canary;
mod common;

use std::path::Path;

use assert_cmd::Command;

const CANARY: &str = "Canary7pw-Zx91";

#[test]
fn no_output_format_shows_a_password() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let dir = tempfile::tempdir().unwrap();
    let mut planted = 0;
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let planted_text = canary::plant(&text, &ext, CANARY);
        planted += planted_text.matches(CANARY).count();
        std::fs::write(dir.path().join(path.file_name().unwrap()), planted_text).unwrap();
    }
    assert!(planted > 100, "the canary was planted {planted} times");
    // TC016 on, so that server messages are shown too.
    std::fs::write(
        dir.path().join("trueconf-lsp.toml"),
        "allowed-servers = [\"video.example.com\", \"*.corp.example.com\"]\n",
    )
    .unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .args(args)
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let assert_clean = |what: &str, stream: &[u8]| {
        let s = String::from_utf8_lossy(stream);
        assert!(!s.contains(CANARY), "{what} leaked the password:\n{s}");
        assert!(!s.contains("Zx91"), "{what} leaked part of the password");
    };
    for format in common::FORMATS {
        let out = run(&["--check", "--output-format", format]);
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert_clean(format, &out.stdout);
        assert_clean(format, &out.stderr);
        let s = String::from_utf8_lossy(&out.stdout);
        for code in ["TC004", "TC006", "TC007", "TC008", "TC016"] {
            assert!(s.contains(code), "{format} reports {code}");
        }
        // The host after a userinfo is what TC016 names.
        for host in ["evil.example.org", "evil.example.net", "evil.example.com"] {
            assert!(s.contains(host), "{format} names {host}");
        }
    }
    for flags in [&["--diff"][..], &["--diff", "--unsafe-fixes"][..]] {
        let out = run(&[&["--check"][..], flags].concat());
        assert_eq!(out.status.code(), Some(1), "{flags:?}");
        let s = String::from_utf8_lossy(&out.stdout);
        assert!(s.contains("u:***@evil.example.net"), "{s}");
        assert_clean("--diff", &out.stdout);
        assert_clean("--diff", &out.stderr);
    }
    for link in [
        format!("trueconf:#rtsp:%2f%2fadmin:{CANARY}@cam&login=u&password={CANARY}"),
        format!("trueconf:bob@a:{CANARY}@tv&h=u:{CANARY}@tv&do=u%3A{CANARY}%40x&k:{CANARY}@y"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .args(["--decode", &link])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(String::from_utf8_lossy(&out.stdout).contains(":***@"));
        assert_clean("--decode", &out.stdout);
        assert_clean("--decode", &out.stderr);
    }
}

/// The password forms of trueconf-uri.md §7 ("Secrets, widened"), with
/// `{}` for the password: `password=`, keys holding `pass` or `pwd` or
/// within two edits of `password` (also typed with a colon), and the
/// `user:password@` of an RTSP address, the target's server, `h=` and any
/// other value.
const FORMS: &[&str] = &[
    "trueconf:login=u&password={}&encrypt=1",
    "trueconf:bob@video.example.com&pasword={}",
    "trueconf:bob@video.example.com&passwd={}",
    "trueconf:bob@video.example.com&pwd={}",
    "trueconf:bob@video.example.com&userpass={}",
    "trueconf:bob@video.example.com&Passwort={}",
    "trueconf:bob@video.example.com&pssword={}",
    "trueconf:bob@video.example.com&password:{}",
    "trueconf:bob@video.example.com&pwd%3A{}",
    "trueconf:#rtsp://admin:{}@cam.example.com/x",
    "trueconf:#rtsp:%2f%2fadmin:{}@cam.example.com",
    "trueconf:bob:{}@video.example.com",
    "trueconf:bob@admin:{}@video.example.com",
    "trueconf:bob@video.example.com&h=u:{}@tv.example.com",
    "trueconf:bob@video.example.com&do=u%3A{}%40x",
    "trueconf:\\c\\1@video.example.com&password={}&encrypt=1",
    "trueconf:bob@video.example.com&p%61ssword={}",
    "trueconf:bob@video.example.com&password%3D{}",
    // Inside another value, after a separator the app does not split at
    // (`;` too: see `a_password_inside_another_value_never_shows`).
    "trueconf:login=bob?password={}&encrypt=1",
    "trueconf:#rtsp:%2f%2fcam.example.com%2flive%3fuser%3dadmin%26password%3d{}",
];

/// One file per document kind, each form of [`FORMS`] in each of the
/// kind's hosts (`{}` for the link; an HTML host writes `&` as `&amp;`
/// where the name says so).
const KINDS: &[(&str, &[&str])] = &[
    (
        "a.md",
        &[
            "[x]({})",
            "Prose {} here.",
            "<{}>",
            "`{}`",
            "```sh\nxdg-open '{}'\n```",
            "```html\n<a href=\"{amp}\">x</a>\n```",
            "```ruby\nu = '{}'\n```",
            "[x]({esc})",
            "[x](<{space}>)",
            "[r]: <{space}>",
        ],
    ),
    (
        "a.mdx",
        &[
            "<a href=\"{}\">x</a>",
            "export const u = \"{}\"",
            "Prose {} here.",
        ],
    ),
    (
        "a.html",
        &[
            "<a href=\"{amp}\">x</a>",
            "<a href=\"{colon}\">x</a>",
            "<button onclick=\"go('{amp}')\">x</button>",
            "<button onclick=\"go(&quot;{amp}&quot;)\">x</button>",
            "<p>{amp}</p>",
            "<script>location = \"{}\";</script>",
            "<a href=\"jav&#x61;script:go('{amp}')\">x</a>",
            "<a href=\"{ampsplit}\">x</a>",
            "<a href=\"{ampref}\">x</a>",
        ],
    ),
    (
        "a.svelte",
        &[
            "<a href={'{}'}>x</a>",
            "<a on:click={() => go(\"{}\")}>x</a>",
        ],
    ),
    (
        "a.js",
        &[
            "u = \"{}\";",
            "u = '{}';",
            "u = `{}`;",
            "u = String.raw`{}`;",
            "u = \"{split}\";",
            "u = '{crlf}';",
        ],
    ),
    (
        "a.py",
        &[
            "u = '{}'",
            "u = r\"{}\"",
            "os.system('xdg-open \"{}\"')",
            "u = '{split}'",
            // Adjacent literals are one string.
            "u = (\"{pyjoin}\")",
        ],
    ),
    // JSX attribute values decode HTML references, as HTML ones do.
    (
        "a.jsx",
        &[
            "const x = <a href=\"{amp}\">x</a>;",
            "const y = <a href='{}'>y</a>;",
        ],
    ),
    ("a.go", &["u := \"{}\"", "u := `{}`"]),
    (
        "a.cs",
        &["var u = \"{}\";", "var u = @\"{}\";", "var u = @\"{dq2}\";"],
    ),
    (
        "a.rs",
        &[
            "let u = \"{}\";",
            "let u = r#\"{}\"#;",
            "let u = \"{indent}\";",
        ],
    ),
    ("a.java", &["String u = \"{}\";"]),
    ("a.json", &["{\"u\": \"{}\"}"]),
    // A doubled quote is a quote inside YAML single quotes.
    ("a.yaml", &["u: '{}'", "v: \"{}\"", "w: {}", "x: '{sq2}'"]),
    (
        "a.toml",
        &["u = '{}'", "v = \"{}\"", "w = \"\"\"{indent}\"\"\""],
    ),
    ("a.lua", &["u = '{}'", "v = [[{}]]"]),
    (
        "a.sh",
        &[
            "xdg-open '{}'",
            "xdg-open \"{}\"",
            "xdg-open {}",
            "y=\"$(xdg-open '{}')\"",
            "xdg-open \"{split}\"",
        ],
    ),
    ("a.bat", &["start \"\" \"{}\"", "start {}", "start \"{}\""]),
    (
        "a.ps1",
        &[
            "Start-Process \"{}\"",
            "Start-Process '{}'",
            "Start-Process {}",
            "Write-Host \"x $(Start-Process '{}')\"",
        ],
    ),
    (
        "a.rst",
        &[
            "`x <{}>`_",
            ".. _t: {}",
            // docutils joins a wrapped URI's lines, dropping white space.
            "`x <{rstwrap}>`_",
            ".. _t: {rstwrap}",
            ".. _t:\n   {rstwrap}",
            "__ {rstwrap}",
            "__\n   {rstwrap}",
            "Title\n=====\n.. _t: {rstwrap}",
            "`Wrapped\ntext <{rstwrap}>`_",
            ".. image:: p.png\n   :target: {rstwrap}",
            "..\t_t: {rstwrap}",
            "Prose {} here.",
            ".. code-block:: html\n\n   <a href=\"{amp}\">x</a>\n",
        ],
    ),
    (
        "a.adoc",
        &[
            "link:{}[x]",
            "link:++{}++[x]",
            "link:pass:[{}][x]",
            "{}[x]",
            "Prose {} here.",
            "[source,html]\n----\n<a href=\"{amp}\">x</a>\n----",
        ],
    ),
    (
        "a.rb",
        &[
            "u = '{}'",
            "u = \"{}\"",
            "u = %q({})",
            "u = \"{rbjoin}\"",
            "u = <<~E\n  {}\nE",
            "# {}",
        ],
    ),
    (
        "a.php",
        &[
            "<a href=\"{amp}\">x</a>",
            "<?php $u = '{}'; ?>",
            "<?php $u = '{bsq}'; ?>",
            "<?php $u = \"{}\"; ?>",
            "<?php echo <<<E\n  {}\n  E;\n?>",
        ],
    ),
    (
        "a.pl",
        &[
            "my $u = '{}';",
            "my $u = \"{}\";",
            "my $u = q({});",
            "=pod\n\n{}\n\n=cut\n",
        ],
    ),
    ("a.txt", &["Prose {} here."]),
];

const WIDE: &str = "Wide5pw-Qk37";

#[test]
fn a_password_in_every_form_and_document_kind_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    let mut planted = 0;
    for (name, hosts) in KINDS {
        let mut text = String::new();
        for host in *hosts {
            for form in FORMS {
                let link = form.replace("{}", WIDE);
                // The password broken by a string's line continuation, a
                // Markdown destination's escaped `)`, or a space (in angle
                // brackets): its second half must not show either.
                let split = |with: &str| form.replace("{}", &WIDE.replace('-', with));
                let line = host
                    .replace("{split}", &split("-\\\n"))
                    .replace("{indent}", &split("-\\\n    "))
                    .replace("{crlf}", &split("-\\\r\n"))
                    .replace("{rstwrap}", &split("-\n    "))
                    .replace("{pyjoin}", &split("-\"\n     \""))
                    .replace("{rbjoin}", &split("-\" \\\n  \""))
                    .replace("{esc}", &split("\\)-"))
                    .replace("{sq2}", &split("''-"))
                    .replace("{dq2}", &split("\"\"-"))
                    .replace("{bsq}", &split("\\'-"))
                    .replace("{space}", &split(" -"))
                    .replace("{ampsplit}", &split("-\n  ").replace('&', "&amp;"))
                    .replace(
                        "{ampref}",
                        &form
                            .replace("{}", "\u{1}")
                            .replace('&', "&amp;")
                            .replace('\u{1}', &WIDE.replace('-', "&Tab;-&NewLine;")),
                    )
                    .replace("{amp}", &link.replace('&', "&amp;"))
                    .replace("{colon}", &link.replacen("trueconf:", "trueconf&#58;", 1))
                    .replace("{}", &link);
                planted += line.matches(WIDE).count();
                text.push_str(&line);
                text.push('\n');
            }
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    assert!(planted >= 1180, "the password was planted {planted} times");
    let all = |args: &[&str]| {
        let r = common::run(dir.path(), &[args, &["."]].concat());
        format!("{}{}", r.stdout, r.stderr)
    };
    let assert_clean = |what: String, out: String| {
        assert!(!out.contains(WIDE), "{what} leaked the password:\n{out}");
        assert!(!out.contains("Qk37"), "{what} leaked part of the password");
    };
    for format in common::FORMATS {
        let out = all(&["--check", "--output-format", format]);
        // Every kind's links were read: each file has findings.
        for (name, _) in KINDS {
            assert!(out.contains(name), "{format}: nothing found in {name}");
        }
        assert_clean(format.to_string(), out);
        for stats in [
            &["--statistics"][..],
            &["--statistics", "--output-format", "json"],
        ] {
            let out = all(&[&["--check", "--output-format", format][..], stats].concat());
            assert_clean(format!("{format} {stats:?}"), out);
        }
    }
    for flags in [&["--diff"][..], &["--diff", "--unsafe-fixes"][..]] {
        let out = all(&[&["--check"][..], flags].concat());
        assert!(out.contains("***"), "{flags:?}: {out}");
        assert_clean(format!("{flags:?}"), out);
    }
    for form in FORMS {
        let r = common::run(dir.path(), &["--decode", &form.replace("{}", WIDE)]);
        assert_eq!(r.code, Some(0), "--decode {form}: {}", r.stderr);
        assert_clean(format!("--decode {form}"), r.stdout + &r.stderr);
    }
}

/// A `password` key whose first letter is written as an escape of the
/// host language (octal, `\U`, `\N{…}`, Java's `\uu`, PowerShell's
/// `` `u{…} ``, Lua's decimal `\112`): the key is read as the language reads it, so its value is a
/// password, reported (TC004) and never shown.
#[test]
fn a_password_under_an_escaped_key_never_shows() {
    let link = |p: &str| format!("trueconf:bob@video.example.com&{p}assword={WIDE}&encrypt=1");
    let files: &[(&str, &[&str], &str)] = &[
        (
            "a.py",
            &[
                r"\160",
                r"\U00000070",
                r"\N{LATIN SMALL LETTER P}",
                r"\N{latin small letter p}",
                // Escapes before the key that the languages read apart, or
                // as white space: kept as written, the link goes on.
                r"x=u\400&p",
                r"x=a\40&p",
            ],
            "u = \"{}\"",
        ),
        ("a.js", &[r"\160", r"\u0070", r"\u{70}"], "u = \"{}\";"),
        ("a.go", &[r"\160", r"\U00000070"], "u := \"{}\""),
        ("a.java", &[r"\uu0070", r"\160"], "String u = \"{}\";"),
        ("a.cs", &[r"\U00000070"], "var u = \"{}\";"),
        ("a.yaml", &[r"\U00000070"], "u: \"{}\""),
        ("a.toml", &[r"\U00000070"], "u = \"{}\""),
        ("a.sh", &[r"\160", r"\U00000070"], "xdg-open $'{}'"),
        ("a.ps1", &["`u{70}"], "Start-Process \"{}\""),
        // Lua's `\ddd` is decimal.
        ("a.lua", &[r"\112", r"\u{70}"], "u = \"{}\""),
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut planted = 0;
    for (name, escapes, host) in files {
        let text: String = escapes
            .iter()
            .map(|e| host.replace("{}", &link(e)) + "\n")
            .collect();
        planted += escapes.len();
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    assert_eq!(planted, 21);
    for format in common::FORMATS {
        let r = common::run(dir.path(), &["--check", "--output-format", format, "."]);
        let out = format!("{}{}", r.stdout, r.stderr);
        assert!(!out.contains(WIDE), "{format} leaked the password:\n{out}");
    }
    let r = common::run(dir.path(), &["--check", "--output-format", "json", "."]);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let tc004 = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TC004")
        .count();
    assert_eq!(tc004, planted, "{}", r.stdout);
    for flags in [&["--diff"][..], &["--diff", "--unsafe-fixes"][..]] {
        let r = common::run(dir.path(), &[&["--check"][..], flags, &["."]].concat());
        let out = format!("{}{}", r.stdout, r.stderr);
        assert!(!out.contains(WIDE), "{flags:?} leaked the password:\n{out}");
    }
}

/// A link that ends with a password key whose value the program appends
/// from another literal on the line (`"…&password=" + "…"`, PHP's `.`,
/// Ruby's `<<`, Lua's `..`): that literal is the password, and no output
/// shows it (a probe found it in `--diff`'s context lines).
#[test]
fn a_password_the_program_appends_never_shows() {
    let files: &[(&str, &[&str])] = &[
        (
            "a.js",
            &[
                "const u = \"trueconf:login=u&password=\" + \"{}\";",
                "const u = 'trueconf:bob@video.example.com&pwd=' + `{}` + '&encrypt=1';",
                // The password split between two literals.
                "const v = \"trueconf:login=u&password=Wide5pw\" + \"-Qk37&encrypt=1\";",
                // Joined on the next line, with CRLF too.
                "const w = \"trueconf:login=u&password=\" +\n    \"{}\";",
                "const x = \"trueconf:login=u&password=Wide5pw\" +  \r\n  \"-Qk37\" +\n  \"&encrypt=1\";",
                // A comment after the operator, blank and comment lines.
                "const y = \"trueconf:login=u&password=\" + // note\n  \"{}\";",
                "const z = \"trueconf:login=u&password=\" + /* c */\n\n  // more\n  \"{}\";",
            ],
        ),
        // A placeholder that quotes the password itself (a file of their
        // own, so that `--diff` shows them as context).
        (
            "b.js",
            &[
                "const t = `trueconf:login=u&password=${\"{}\"}&encrypt=1`;",
                "const s = `trueconf:login=u&password=${ok ? '{}' : ''}&encrypt=1`;",
            ],
        ),
        (
            "b.py",
            &["f = f\"trueconf:login=u&password={'{}'}&encrypt=1\""],
        ),
        (
            "a.cs",
            &["var u = @\"trueconf:login=u&password=\" +\n  @\"{}\";"],
        ),
        (
            "a.ps1",
            &["$u = \"trueconf:login=u&password=\" + `\n  \"{}\""],
        ),
        (
            "a.bat",
            &["start \"\" trueconf:login=u^&password=^\n{}^&encrypt=1"],
        ),
        (
            "a.py",
            &[
                "u = \"trueconf:login=u&password=\" + '{}'",
                "w = \"trueconf:login=u&password=\" + \\\n    '{}'",
                // A raw literal after it, which the scan does not join.
                "v = ('trueconf:login=u&password=Wide5pw' r'x-Qk37&encrypt=1')",
            ],
        ),
        (
            "a.java",
            &[
                "String u = \"trueconf:login=u&passwd=\" + \"{}\";",
                // A text block's line continuation, the next line indented.
                "String t = \"\"\"\n    trueconf:login=u&password=Wide5pw\\\n    -Qk37&encrypt=1\"\"\";",
            ],
        ),
        (
            "a.php",
            &["<?php $u = \"trueconf:login=u&password=\" . '{}' . \"x\"; ?>"],
        ),
        ("a.rb", &["u = \"trueconf:login=u&password=\" << \"{}\""]),
        (
            "a.lua",
            &[
                "u = \"trueconf:login=u&password=\" .. \"{}\"",
                "v = \"trueconf:login=u&password=\" ..\n  \"{}\"",
            ],
        ),
        // A shell word of quoted parts: `'…'\''…'`, `'…'"…"`.
        (
            "a.sh",
            &[
                "xdg-open 'trueconf:login=u&password=Wide5pw'\\''-Qk37&encrypt=1'",
                "xdg-open 'trueconf:login=u&password=Wide5pw'\"-Qk37&encrypt=1\"",
                // A line continuation inside the word, quoted or bare.
                "xdg-open 'trueconf:login=u&password='\\\n'{}'",
                "xdg-open trueconf:login=u\\&password=\\\n{}\\&encrypt=1",
            ],
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, lines) in files {
        // A second link on a line of its own, so that `--diff` shows the
        // password's line as context.
        let mut text = String::from("x = \"visicall:bob@video.example.com\"\n");
        for line in *lines {
            text.push_str(&line.replace("{}", WIDE));
            text.push('\n');
        }
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    every_format_hides_wide(dir.path());
    let r = common::run(dir.path(), &["--check", "--diff", "."]);
    assert!(r.stdout.contains("+x = \"trueconf:bob"), "{}", r.stdout);
    hides_wide("--diff", &format!("{}{}", r.stdout, r.stderr));
}

/// A `password=` after a separator the app does not split parameters at
/// (`;`, a second `?`, a raw `#`): the app reads it as part of another value, which
/// messages (TC007 quotes it), hovers and decodings show. A probe found it
/// in every format. (In a shell's bare word `;` ends the command, so the
/// kinds here are those where it stays inside the link.)
#[test]
fn a_password_inside_another_value_never_shows() {
    let links = [
        "trueconf:bob@video.example.com&force=1;password={};encrypt=1",
        "trueconf:bob@video.example.com?encrypt=1?password={}",
        "trueconf:h=video.example.com?pwd={}&encrypt=1",
        "trueconf:#rtsp:%2f%2fcam.example.com%2flive%3fuser%3dadmin%26password%3d{}",
        // After a raw `#` (TC009's fragment), also after the server's `@`.
        "trueconf:bob#password={}&encrypt=1",
        "trueconf:bob@video.example.com#pwd={}",
    ];
    let hosts: &[(&str, &str)] = &[
        ("a.txt", "{}"),
        ("a.md", "[call]({})"),
        ("a.js", "const u = \"{}\";"),
        ("a.html", "<a href=\"{}\">x</a>"),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, host) in hosts {
        let text: String = links
            .iter()
            .map(|l| host.replace("{}", &l.replace("{}", WIDE)) + "\n")
            .collect();
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    every_format_hides_wide(dir.path());
    let r = common::run(dir.path(), &["--check", "--output-format", "json", "."]);
    let tc004 = r.stdout.matches("\"TC004\"").count();
    assert_eq!(tc004, links.len() * hosts.len(), "{}", r.stdout);
    for link in links {
        let r = common::run(dir.path(), &["--decode", &link.replace("{}", WIDE)]);
        hides_wide("--decode", &(r.stdout + &r.stderr));
    }
}

/// Fails when `out` shows any part of the planted password [`WIDE`].
fn hides_wide(what: &str, out: &str) {
    assert!(!out.contains("Qk37"), "{what} leaked the password:\n{out}");
}

/// `--check` on `dir` in every output format shows no part of [`WIDE`].
fn every_format_hides_wide(dir: &Path) {
    for format in common::FORMATS {
        let r = common::run(dir, &["--check", "--output-format", format, "."]);
        hides_wide(format, &format!("{}{}", r.stdout, r.stderr));
    }
}

/// A password around a placeholder written with spaces inside (an
/// f-string's `{ x }`, C#'s `$"…{ x }…"`, Ruby's `#{ x }`, Kotlin's
/// `${ x }`, Swift's `\( x )`, PHP's `{$ x }`, a template's `{{ x }}`): the
/// space is the placeholder's, not the link's end. A probe found the rest
/// of the password (after the space) in every format and a false TC002.
#[test]
fn a_password_around_a_placeholder_with_spaces_never_shows() {
    let files: &[(&str, &str)] = &[
        (
            "a.py",
            "u = f\"trueconf:login=u&password=Wide5pw{ x }-Qk37&encrypt=1\"",
        ),
        (
            "a.cs",
            "var u = $\"trueconf:login=u&password=Wide5pw{ x }-Qk37&encrypt=1\";",
        ),
        (
            "a.rb",
            "u = \"trueconf:login=u&password=Wide5pw#{ x }-Qk37&encrypt=1\"",
        ),
        (
            "a.kt",
            "val u = \"trueconf:login=u&password=Wide5pw${ x }-Qk37&encrypt=1\"",
        ),
        (
            "a.swift",
            "let u = \"trueconf:login=u&password=Wide5pw\\( x )-Qk37&encrypt=1\"",
        ),
        (
            "a.php",
            "<?php $u = \"trueconf:login=u&password=Wide5pw{$ x }-Qk37&encrypt=1\"; ?>",
        ),
        (
            "a.yaml",
            "u: \"trueconf:login=u&password=Wide5pw{{ x }}-Qk37&encrypt=1\"",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, line) in files {
        let text = format!("x = \"visicall:bob@video.example.com\"\n{line}\n");
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    every_format_hides_wide(dir.path());
    let r = common::run(dir.path(), &["--check", "--diff", "."]);
    hides_wide("--diff", &format!("{}{}", r.stdout, r.stderr));
    let r = common::run(dir.path(), &["--check", "--output-format", "json", "."]);
    assert!(!r.stdout.contains("\"TC002\""), "{}", r.stdout);
    assert_eq!(
        r.stdout.matches("\"TC004\"").count(),
        files.len(),
        "{}",
        r.stdout
    );
}

/// A password that starts with `$` in prose (a Markdown paragraph, a code
/// span, plain text) is a password there, not a `$NAME` placeholder, which
/// code alone writes (§7): masked everywhere and reported. In code, and in
/// a YAML plain scalar, `$NAME` still names a variable.
#[test]
fn a_password_starting_with_a_dollar_in_prose_never_shows() {
    let dir = tempfile::tempdir().unwrap();
    let link = "trueconf:login=u&password=$Wide5pwQk37&encrypt=1";
    std::fs::write(
        dir.path().join("a.md"),
        format!("Call {link} now.\n\nOr `{link}`.\n"),
    )
    .unwrap();
    std::fs::write(dir.path().join("a.txt"), format!("{link}\n")).unwrap();
    every_format_hides_wide(dir.path());
    let r = common::run(dir.path(), &["--decode", link]);
    hides_wide("--decode", &(r.stdout + &r.stderr));
    let r = common::run(dir.path(), &["--check", "--output-format", "json", "."]);
    assert_eq!(r.stdout.matches("\"TC004\"").count(), 3, "{}", r.stdout);
    let code = tempfile::tempdir().unwrap();
    let placeholder = "trueconf:login=u&password=$TC_PASS&encrypt=1";
    std::fs::write(
        code.path().join("a.sh"),
        format!("xdg-open \"{placeholder}\"\n"),
    )
    .unwrap();
    std::fs::write(code.path().join("a.yaml"), format!("url: {placeholder}\n")).unwrap();
    let r = common::run(code.path(), &["--check", "--output-format", "json", "."]);
    assert!(!r.stdout.contains("\"TC004\""), "{}", r.stdout);
}
