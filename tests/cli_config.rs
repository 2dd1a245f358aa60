//! Configuration files (interface.md §4), the server allow-list (TC016),
//! suppression comments (§5) through the command line, and the rule that no
//! output ever holds a password.

mod common;

use common::{json_findings, run, tree, write};

const ERR: &str = "trueconf:bob@video.example.com&password=[password]\n"; // TC002

#[test]
fn nearest_config_wins_and_flags_pick_another() {
    let dir = tree(&[
        ("trueconf-lsp.toml", "ignore = [\"TC001\"]\n"),
        ("top.md", "visicall:bob\ntrueconf:ann?h=a.example.com\n"),
        ("docs/.trueconf-lsp.toml", "select = [\"TC002\"]\n"),
        ("docs/deep/x.md", "visicall:bob&password=[password]\n"),
        // Both names in one folder: trueconf-lsp.toml is preferred.
        ("both/trueconf-lsp.toml", "select = [\"TC013\"]\n"),
        ("both/.trueconf-lsp.toml", "select = [\"TC001\"]\n"),
        ("both/y.md", "visicall:bob?h=a.example.com\n"),
    ]);
    let json = ["--check", "--output-format", "json"];
    let r = run(dir.path(), &json);
    assert_eq!(
        json_findings(&r.stdout),
        [
            "both/y.md:1:13 TC013",
            "docs/deep/x.md:1:1 TC002",
            "top.md:2:13 TC013",
        ]
    );
    // --isolated: no file at all.
    let r = run(dir.path(), &[&json[..], &["--isolated"]].concat());
    assert_eq!(json_findings(&r.stdout).len(), 6, "{}", r.stdout);
    // --config: that file for every checked file.
    let r = run(
        dir.path(),
        &[&json[..], &["--config", "docs/.trueconf-lsp.toml"]].concat(),
    );
    assert_eq!(json_findings(&r.stdout), ["docs/deep/x.md:1:1 TC002"]);
    // A file checked from inside a subfolder finds the config above it.
    let r = run(
        &dir.path().join("docs/deep"),
        &[&json[..], &["x.md"]].concat(),
    );
    assert_eq!(json_findings(&r.stdout), ["x.md:1:1 TC002"]);
    // Standard input finds it from --stdin-filename's folder.
    let mut c = common::command(dir.path());
    c.args([
        "--check",
        "--output-format",
        "json",
        "-",
        "--stdin-filename",
    ])
    .arg("docs/in.md")
    .write_stdin("visicall:bob&password=[password]\n");
    let r = common::run_with(c);
    assert_eq!(json_findings(&r.stdout), ["docs/in.md:1:1 TC002"]);
}

#[test]
fn flags_lay_over_the_file_like_ruff() {
    let dir = tree(&[
        (
            "trueconf-lsp.toml",
            "select = [\"TC001\", \"TC013\"]\nfail-on = \"error\"\n[severity]\nTC013 = \"info\"\n",
        ),
        ("a.md", "visicall:bob?h=a.example.com&password=[password]\n"),
    ]);
    let codes = |args: &[&str]| {
        let mut all = vec!["--check", "--output-format", "json"];
        all.extend_from_slice(args);
        let r = run(dir.path(), &all);
        (r.code, json_findings(&r.stdout))
    };
    // The file: TC001 (warning) and TC013 (info); fail-on error: exit 0.
    assert_eq!(
        codes(&[]),
        (
            Some(0),
            vec!["a.md:1:1 TC001".into(), "a.md:1:13 TC013".into()]
        )
    );
    // --fail-on replaces fail-on.
    assert_eq!(codes(&["--fail-on", "warning"]).0, Some(1));
    // --ignore adds to the file's selection.
    assert_eq!(codes(&["--ignore", "TC001"]).1, ["a.md:1:13 TC013"]);
    // --select replaces the file's select and ignore.
    assert_eq!(
        codes(&["--select", "TC002"]),
        (Some(1), vec!["a.md:1:1 TC002".into()])
    );
    // The severity override holds whatever the selection.
    let r = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert!(r.stdout.contains("a.md:1:13: TC013 [info]"), "{}", r.stdout);
}

#[test]
fn bad_configs_exit_2_with_file_line_and_reason() {
    let cases: &[(&str, &[u8], &str)] = &[
        (
            "trueconf-lsp.toml",
            b"select = [\"TC001\",\n  \"XX9\"]\n",
            "error: trueconf-lsp.toml:2:3: select: `XX9` is no rule code, prefix or name\n",
        ),
        (
            "trueconf-lsp.toml",
            b"fail-on = \"loud\"\n",
            "error: trueconf-lsp.toml:1:11: fail-on: `loud` is not error, warning or info\n",
        ),
        (
            "sub/.trueconf-lsp.toml",
            b"[severity]\nTC004 = \"fatal\"\n",
            "error: sub/.trueconf-lsp.toml:2:9: severity.TC004: `fatal` is not error, warning, info or hint\n",
        ),
        (
            "trueconf-lsp.toml",
            b"allowed-servers = [\"video.example.com\", \"[bad\"]\n",
            "error: trueconf-lsp.toml:1:41: allowed-servers: `[bad` is no valid host pattern: unclosed character class; missing ']'\n",
        ),
        (
            "trueconf-lsp.toml",
            b"exclude = [\"a/{b\"]\n",
            "error: trueconf-lsp.toml:1:12: exclude: `a/{b` is no valid glob: unclosed alternate group; missing '}' (maybe escape '{' with '[{]'?)\n",
        ),
        (
            "trueconf-lsp.toml",
            b"select = \"TC\"\n",
            "error: trueconf-lsp.toml:1:10: invalid type: string \"TC\", expected a sequence\n",
        ),
        (
            "trueconf-lsp.toml",
            b"fail_on = \"error\"\n",
            "error: trueconf-lsp.toml:1:1: unknown field `fail_on`, expected one of `fail-on`, `select`, `ignore`, `exclude`, `extend-exclude`, `extendExclude`, `allowed-servers`, `allowedServers`, `severity`, `inlay-hints`, `inlayHints`, `max-document-bytes`, `maxDocumentBytes`, `docs-url`, `docsUrl`, `online`, `online-exclude`, `onlineExclude`\n",
        ),
        (
            "trueconf-lsp.toml",
            b"select = [\"TC\"\n",
            "error: trueconf-lsp.toml:1:15: unclosed array, expected `]`\n",
        ),
        (
            "trueconf-lsp.toml",
            b"# caf\xe9\n",
            "error: trueconf-lsp.toml:1:6: is not valid UTF-8\n",
        ),
    ];
    for (name, content, want) in cases {
        let dir = tree(&[("sub/a.md", "visicall:bob\n")]);
        write(dir.path(), name, content);
        let r = run(dir.path(), &["--check"]);
        assert_eq!(r.code, Some(2), "{name}");
        assert_eq!(r.stderr, *want, "{}", String::from_utf8_lossy(content));
        assert_eq!(r.stdout, "", "no report from a run with a bad config");
    }
    let dir = tree(&[("a.md", "x\n")]);
    let r = run(dir.path(), &["--check", "--config", "missing.toml"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with("error: missing.toml: cannot be read: "),
        "{}",
        r.stderr
    );
    // A bad file that --isolated ignores does not matter.
    write(dir.path(), "trueconf-lsp.toml", b"select = 1\n");
    assert_eq!(run(dir.path(), &["--check", "--isolated"]).code, Some(0));
    // Bad flags exit 2 too.
    let r = run(dir.path(), &["--check", "--isolated", "--select", "TC9X"]);
    assert_eq!(r.code, Some(2));
    assert_eq!(
        r.stderr,
        "error: --select: `TC9X` is no rule code, prefix or name\n"
    );
}

#[test]
fn exclude_is_relative_to_the_config_folder() {
    let dir = tree(&[
        (
            "docs/trueconf-lsp.toml",
            "exclude = [\"drafts\", \"*.min.html\", \"api/v1/**\"]\n",
        ),
        ("docs/drafts/a.md", ERR),
        ("docs/x.min.html", ERR),
        ("docs/api/v1/c.md", ERR),
        ("docs/api/v2/c.md", ERR),
        ("docs/guide.md", ERR),
        ("drafts/b.md", ERR),
        ("api/v1/c.md", ERR),
    ]);
    let r = run(dir.path(), &["--check", "--output-format", "json"]);
    assert_eq!(
        json_findings(&r.stdout),
        [
            "api/v1/c.md:1:1 TC002",
            "docs/api/v2/c.md:1:1 TC002",
            "docs/guide.md:1:1 TC002",
            "drafts/b.md:1:1 TC002",
        ]
    );
    // Paths named on the command line are checked as ruff checks them,
    // unless --force-exclude (as the pre-commit hook passes file names).
    let named = [
        "--check",
        "--output-format",
        "json",
        "docs/drafts/a.md",
        "docs/x.min.html",
        "docs/guide.md",
    ];
    let r = run(dir.path(), &named);
    assert_eq!(
        json_findings(&r.stdout),
        [
            "docs/drafts/a.md:1:1 TC002",
            "docs/guide.md:1:1 TC002",
            "docs/x.min.html:1:1 TC002"
        ]
    );
    let r = run(dir.path(), &[&named[..], &["--force-exclude"]].concat());
    assert_eq!(json_findings(&r.stdout), ["docs/guide.md:1:1 TC002"]);
    // --extend-exclude adds globs relative to the current folder.
    let r = run(
        dir.path(),
        &[
            "--check",
            "--output-format",
            "json",
            "--extend-exclude",
            "drafts",
            "--extend-exclude",
            "api/**",
        ],
    );
    assert_eq!(
        json_findings(&r.stdout),
        ["docs/api/v2/c.md:1:1 TC002", "docs/guide.md:1:1 TC002"]
    );
    // --exclude replaces the file's `exclude` (and the default excludes).
    let r = run(
        dir.path(),
        &["--check", "--output-format", "json", "--exclude", "api"],
    );
    assert_eq!(
        json_findings(&r.stdout),
        [
            "docs/drafts/a.md:1:1 TC002",
            "docs/guide.md:1:1 TC002",
            "docs/x.min.html:1:1 TC002",
            "drafts/b.md:1:1 TC002",
        ]
    );
}

/// ruff's meaning: `exclude` replaces the default excluded folders,
/// `extend-exclude` adds to them; so do `--exclude` and `--extend-exclude`.
#[test]
fn exclude_replaces_the_default_excludes_and_extend_exclude_adds() {
    let files = [
        ("node_modules/pkg/a.md", ERR),
        (".venv/b.md", ERR),
        ("vendor/c.md", ERR),
        ("docs/d.md", ERR),
    ];
    let findings = |config: &str, args: &[&str]| {
        let mut all = files.to_vec();
        if !config.is_empty() {
            all.push(("trueconf-lsp.toml", config));
        }
        let dir = tree(&all);
        let r = run(
            dir.path(),
            &[&["--check", "--output-format", "json", "--hidden"], args].concat(),
        );
        assert_eq!(r.stderr, "", "{config} {args:?}");
        json_findings(&r.stdout)
    };
    let (a, b, c, d) = (
        "node_modules/pkg/a.md:1:1 TC002",
        ".venv/b.md:1:1 TC002",
        "vendor/c.md:1:1 TC002",
        "docs/d.md:1:1 TC002",
    );
    assert_eq!(findings("", &[]), [d, c]);
    assert_eq!(findings("extend-exclude = [\"vendor\"]\n", &[]), [d]);
    assert_eq!(findings("extendExclude = [\"vendor\"]\n", &[]), [d]);
    assert_eq!(findings("exclude = [\"vendor\"]\n", &[]), [b, d, a]);
    assert_eq!(findings("exclude = []\n", &[]), [b, d, a, c]);
    assert_eq!(
        findings(
            "exclude = [\"vendor\"]\nextend-exclude = [\".venv\"]\n",
            &[]
        ),
        [d, a]
    );
    assert_eq!(findings("", &["--extend-exclude", "vendor"]), [d]);
    assert_eq!(findings("", &["--exclude", "vendor"]), [b, d, a]);
    // --exclude replaces the file's `exclude`; its `extend-exclude` stays.
    assert_eq!(
        findings(
            "exclude = [\"docs\"]\nextend-exclude = [\"node_modules\"]\n",
            &["--exclude", "vendor"]
        ),
        [b, d]
    );
    let bad = tree(&[
        ("a.md", ERR),
        ("trueconf-lsp.toml", "extend-exclude = [\"a/{b\"]\n"),
    ]);
    let r = run(bad.path(), &["--check"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr
            .starts_with("error: trueconf-lsp.toml:1:19: extend-exclude: `a/{b` is no valid glob"),
        "{}",
        r.stderr
    );
    let r = run(
        bad.path(),
        &["--check", "--isolated", "--extend-exclude", "a/{b"],
    );
    assert_eq!(r.code, Some(2));
    assert!(
        r.stderr.starts_with("error: --extend-exclude: "),
        "{}",
        r.stderr
    );
}

#[test]
fn allowed_servers_for_at_server_and_h() {
    let doc = "trueconf:bob@video.example.com\n\
               trueconf:bob@VIDEO.EXAMPLE.COM:4307\n\
               trueconf:bob@evil.example.org\n\
               trueconf:bob@a.corp.example.com&h=evil.example.net\n\
               trueconf:\\c\\737734033583@video.example.com%23vcs&h=b.corp.example.com\n\
               trueconf:bob@[server]&h=[server]\n";
    let dir = tree(&[
        (
            "trueconf-lsp.toml",
            "allowed-servers = [\"video.example.com\", \"*.corp.example.com\"]\n",
        ),
        ("a.md", doc),
    ]);
    let r = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert_eq!(r.code, Some(1));
    let found: Vec<&str> = r.stdout.lines().filter(|l| l.contains(": TC")).collect();
    assert_eq!(
        found,
        [
            "a.md:3:14: TC016 [error] @server `evil.example.org` is not in allowed-servers",
            "a.md:4:35: TC016 [error] h= `evil.example.net` is not in allowed-servers",
        ]
    );
    // Off without allowed-servers.
    let r = run(dir.path(), &["--check", "--isolated"]);
    assert_eq!(r.code, Some(0), "{}", r.stdout);
}

#[test]
fn suppressions_in_every_comment_syntax() {
    let pw = "trueconf:bob&password=[password]";
    let files = [
        (
            "a.md",
            format!("{pw} <!-- trueconf-lsp-disable-line TC002 -->\n"),
        ),
        (
            "b.html",
            "<!-- trueconf-lsp-disable-next-line TC002 -->\n\
             <a href=\"trueconf:bob&amp;password=[password]\">x</a>\n"
                .to_string(),
        ),
        (
            "c.js",
            format!("const u = \"{pw}\"; // trueconf-lsp-disable-line TC002\n"),
        ),
        (
            "d.py",
            format!("# trueconf-lsp-disable-file\nU = \"{pw}\"\n"),
        ),
        (
            "e.sh",
            format!(
                "# trueconf-lsp-disable TC002\nU=\"{pw}\"\n# trueconf-lsp-enable TC002\nV=\"{pw}\"\n"
            ),
        ),
        (
            "f.lua",
            format!("-- trueconf-lsp-disable-next-line\nlocal u = \"{pw}\"\n"),
        ),
        (
            "g.rs",
            format!("// trueconf-lsp-disable-next-line TC002\nconst U: &str = \"{pw}\";\n"),
        ),
        (
            "h.yaml",
            format!("# trueconf-lsp-disable-next-line TC002\nurl: \"{pw}\"\n"),
        ),
        (
            "i.md",
            "<!-- trueconf-lsp-disable-line TC004 -->\n".to_string(),
        ),
        ("j.txt", format!("{pw} trueconf-lsp-disable-line\n")),
        (
            "k.toml",
            format!("# trueconf-lsp-disable-next-line missing-encrypt\nu = \"{pw}\"\n"),
        ),
        (
            "l.md",
            format!("`<!-- trueconf-lsp-disable-next-line -->`\n{pw}\n"),
        ),
    ];
    let owned: Vec<(&str, &str)> = files.iter().map(|(n, c)| (*n, c.as_str())).collect();
    let dir = tree(&owned);
    let r = run(
        dir.path(),
        &["--check", "--output-format", "concise", "--fail-on", "info"],
    );
    let found: Vec<&str> = r.stdout.lines().filter(|l| l.contains(": TC")).collect();
    assert_eq!(
        found,
        [
            "e.sh:4:4: TC002 [error] password is sent without encrypt=1",
            "i.md:1:32: TC100 [info] `TC004` in `trueconf-lsp-disable-line` silences nothing",
            "l.md:2:1: TC002 [error] password is sent without encrypt=1",
        ]
    );
    // TC100 is a rule like any other: --ignore turns it off.
    let r = run(
        dir.path(),
        &[
            "--check",
            "--output-format",
            "concise",
            "--ignore",
            "TC100",
            "i.md",
        ],
    );
    assert_eq!(r.code, Some(0));
    assert_eq!(r.stdout, "All checks passed (1 file checked).\n");
    // A suppressed finding's fix is not applied.
    let r = run(dir.path(), &["--check", "--diff", "a.md", "e.sh"]);
    assert_eq!(
        r.stdout,
        format!(
            "--- e.sh\n+++ e.sh\n@@ -1,4 +1,4 @@\n # trueconf-lsp-disable TC002\n U=\"{pw}\"\n \
             # trueconf-lsp-enable TC002\n-V=\"{pw}\"\n+V=\"{pw}&encrypt=1\"\n"
        )
    );
}

/// A password that must never appear in any output, in the forms it can
/// take in a link.
const CANARY: &str = "Zq7CanaryPw";

fn canary_forms() -> Vec<String> {
    vec![
        CANARY.to_string(),
        "%5Aq7%43anary%50w".to_string(),
        // base64 of the canary
        "WnE3Q2FuYXJ5UHc".to_string(),
    ]
}

#[test]
fn no_password_in_any_output() {
    let dir = tree(&[
        (
            "p.md",
            "[join](trueconf:bob@video.example.com&login=a&password=Zq7CanaryPw&autoclose=yes)\n\
             Also: trueconf:bob&password=Zq7Canary%zzPw&&h=video.example.com\n\
             And encoded: <trueconf:ann&password=%5Aq7%43anary%50w>\n",
        ),
        (
            "p.html",
            "<a href=\"visicall:bob&amp;password=Zq7CanaryPw&h=video.example.com#vcs\">x</a>\n",
        ),
        (
            "p.js",
            "const u = \"trueconf:\\c\\123@video.example.com&password=Zq7CanaryPw\";\n",
        ),
        (
            "trueconf-lsp.toml",
            "allowed-servers = [\"*.example.com\"]\n",
        ),
    ]);
    let forms = canary_forms();
    let assert_clean = |what: &str, text: &str| {
        for f in &forms {
            assert!(!text.contains(f.as_str()), "{what} shows `{f}`:\n{text}");
        }
    };
    for format in common::FORMATS {
        let r = run(dir.path(), &["--check", "--output-format", format]);
        assert_eq!(r.code, Some(1), "{format}: {}", r.stderr);
        assert!(r.stdout.len() > 100, "{format}");
        assert_clean(format, &r.stdout);
        assert_clean(format, &r.stderr);
        let r = run(
            dir.path(),
            &["--check", "--output-format", format, "-o", "report.out"],
        );
        assert_clean(
            format,
            &String::from_utf8_lossy(&common::read(dir.path(), "report.out")),
        );
        assert_clean(format, &r.stderr);
    }
    for flags in [&["--diff"][..], &["--diff", "--unsafe-fixes"][..]] {
        let r = run(dir.path(), &[&["--check"][..], flags].concat());
        assert_eq!(r.code, Some(1));
        assert!(r.stdout.contains("password=***"), "{}", r.stdout);
        assert_clean("--diff", &r.stdout);
        assert_clean("--diff", &r.stderr);
    }
    let r = run(
        dir.path(),
        &["--decode", "trueconf:bob&password=Zq7CanaryPw"],
    );
    assert_clean("--decode", &r.stdout);
    for flags in [&["--fix"][..], &["--fix", "--unsafe-fixes"][..]] {
        for format in ["full", "sarif"] {
            let r = run(
                dir.path(),
                &[&["--check", "--output-format", format][..], flags].concat(),
            );
            assert_ne!(r.code, Some(2), "{}", r.stderr);
            assert_clean("--fix", &r.stdout);
            assert_clean("--fix", &r.stderr);
        }
    }
    // --fix --unsafe-fixes removed the plaintext passwords (TC004).
    let md = String::from_utf8(common::read(dir.path(), "p.md")).unwrap();
    assert!(!md.contains(CANARY), "{md}");
}
