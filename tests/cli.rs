//! The command line as a user runs it: formats, exit codes, walking, stdin,
//! `--explain` and `--decode`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
}

fn write(dir: &Path, name: &str, content: &[u8]) {
    let path = dir.join(name);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, content).unwrap();
}

/// A folder with one Markdown file that has a TC001 warning and a TC002
/// error, and a clean HTML file.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docs/guide.md",
        b"# Guide\n\nCall [desk](visicall:desk@video.example.com).\nSign in: trueconf:login=u&password=[password]&force=1\n",
    );
    write(
        dir.path(),
        "site/index.html",
        b"<a href=\"trueconf:bob&amp;do=chat\">Chat</a>\n",
    );
    dir
}

fn stdout_of(cmd: &mut Command) -> (String, i32) {
    let out = cmd.output().unwrap();
    (
        String::from_utf8(out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn full_format_shows_source_and_carets() {
    let dir = site();
    let (out, code) = stdout_of(bin().current_dir(dir.path()).args(["--check", "docs"]));
    assert_eq!(code, 1);
    let expected = "\
docs/guide.md:3:13: TC001 [warning] `visicall:` is obsolete; use `trueconf:`
  |
3 | Call [desk](visicall:desk@video.example.com).
  |             ^^^^^^^^
  = fix (safe): Replace `visicall:` with `trueconf:`

docs/guide.md:4:10: TC002 [error] password is sent without encrypt=1
  |
4 | Sign in: trueconf:login=u&password=[password]&force=1
  |          ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  = fix (safe): Add encrypt=1

Found 2 problems (1 error, 1 warning) in 1 file checked.
2 fixable with `--fix`.
";
    assert_eq!(out, expected);
}

#[test]
fn concise_format_one_line_each() {
    let dir = site();
    let (out, code) =
        stdout_of(
            bin()
                .current_dir(dir.path())
                .args(["--check", "--output-format", "concise"]),
        );
    assert_eq!(code, 1);
    assert_eq!(
        out,
        "docs/guide.md:3:13: TC001 [warning] `visicall:` is obsolete; use `trueconf:`\n\
         docs/guide.md:4:10: TC002 [error] password is sent without encrypt=1\n\
         Found 2 problems (1 error, 1 warning) in 2 files checked.\n\
         2 fixable with `--fix`.\n"
    );
}

#[test]
fn json_format_matches_the_interface() {
    let dir = site();
    let (out, code) =
        stdout_of(
            bin()
                .current_dir(dir.path())
                .args(["--check", "--output-format", "json", "."]),
        );
    assert_eq!(code, 1);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["version"], 1);
    let d = &report["diagnostics"][1];
    assert_eq!(d["path"], "./docs/guide.md");
    assert_eq!(d["code"], "TC002");
    assert_eq!(d["name"], "missing-encrypt");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "password is sent without encrypt=1");
    assert_eq!(
        d["range"]["start"],
        serde_json::json!({"line": 4, "column": 10})
    );
    assert_eq!(
        d["range"]["end"],
        serde_json::json!({"line": 4, "column": 54})
    );
    assert_eq!(d["fix"]["applicability"], "safe");
    assert_eq!(d["fix"]["edits"][0]["content"], "&encrypt=1");
    assert_eq!(
        d["fix"]["edits"][0]["range"]["start"],
        serde_json::json!({"line": 4, "column": 54})
    );
    assert_eq!(
        report["summary"],
        serde_json::json!({"files": 2, "diagnostics": 2, "errors": 1, "warnings": 1, "infos": 0, "fixable": 2})
    );
    let clean = tempfile::tempdir().unwrap();
    write(clean.path(), "a.md", b"nothing here\n");
    let (out, code) = stdout_of(
        bin()
            .args(["--check", "--output-format", "json"])
            .arg(clean.path()),
    );
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["diagnostics"], serde_json::json!([]));
    assert_eq!(report["summary"]["fix".to_string() + "able"], 0);
}

#[test]
fn exit_codes() {
    let dir = site();
    let run = |args: &[&str]| {
        bin()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    assert_eq!(run(&["--check", "site"]), 0, "clean folder");
    assert_eq!(run(&["--check", "docs"]), 1, "findings");
    assert_eq!(
        run(&["--check", "docs", "--fail-on", "error"]),
        1,
        "an error fails at error level"
    );
    assert_eq!(
        run(&["--check", "docs", "--select", "TC001", "--fail-on", "error"]),
        0,
        "a warning does not"
    );
    assert_eq!(run(&["--check", "docs", "--exit-zero"]), 0);
    assert_eq!(
        run(&["--check", "docs", "--ignore", "TC00"]),
        0,
        "prefix ignore"
    );
    assert_eq!(run(&["--check", "missing-folder"]), 2, "no such path");
    assert_eq!(
        run(&["--check", "docs", "--select", "XY9"]),
        2,
        "bad selector"
    );
    assert_eq!(
        run(&["--check", "docs", "--output-format", "yaml"]),
        2,
        "bad format"
    );
    assert_eq!(
        run(&["--check", "missing-folder", "--exit-zero"]),
        2,
        "exit-zero keeps 2"
    );
    // `--diff` fails when something would change, unless `--exit-zero`.
    assert_eq!(run(&["--check", "docs", "--diff"]), 1, "diff with changes");
    assert_eq!(run(&["--check", "docs", "--diff", "--exit-zero"]), 0);
    assert_eq!(run(&["--check", "site", "--diff"]), 0, "diff, no change");
    let replace = [
        "--check",
        "--replace-server",
        "video.example.com=b.example.com",
    ];
    assert_eq!(run(&[&replace[..], &["--diff", "docs"]].concat()), 1);
    assert_eq!(
        run(&[&replace[..], &["--diff", "--exit-zero", "docs"]].concat()),
        0
    );
    assert_eq!(
        run(&["--check", "missing-folder", "--diff", "--exit-zero"]),
        2,
        "exit-zero keeps 2 with --diff"
    );
}

#[test]
fn info_findings_fail_only_with_fail_on_info() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.html",
        b"<a href=\"trueconf:bob&do=chat\">x</a>\n",
    );
    let run = |args: &[&str]| {
        bin()
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap()
            .status
            .code()
            .unwrap()
    };
    assert_eq!(run(&["--check", "a.html"]), 0);
    assert_eq!(run(&["--check", "a.html", "--fail-on", "info"]), 1);
}

#[test]
fn binary_skipped_and_non_utf8_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "logo.png",
        b"\x89PNG\r\n\x1a\n\0\0trueconf:bob&password=x",
    );
    let out = bin().args(["--check"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stderr.is_empty());
    write(dir.path(), "latin1.txt", b"caf\xe9 visicall:bob\n");
    let out = bin().args(["--check"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("latin1.txt is not valid UTF-8 (byte 3); skipped"),
        "{err}"
    );
}

/// A binary file found by the walk of a folder is skipped quietly, but one
/// named on the command line, or given on standard input, is an error: it
/// is reported on stderr, never written, and the run exits 2.
#[test]
fn binary_files_named_explicitly_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let png = b"\x89PNG\r\n\x1a\n\0\0visicall:bob&password=x\n";
    write(dir.path(), "logo.png", png);
    write(dir.path(), "doc.md", b"[call](visicall:bob)\n");
    let message = "is a binary file (NUL byte in the first 8 KiB); skipped";
    let run = |args: &[&str], stdin: &[u8]| {
        let out = bin()
            .current_dir(dir.path())
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    // Found by the walk: quiet; the text file is still linted.
    let (code, out, err) = run(&["--check", "--output-format", "concise"], b"");
    assert_eq!(code, Some(1), "{err}");
    assert!(out.contains("doc.md:1:8: TC001"), "{out}");
    assert_eq!(err, "");
    // Named: an error, alone or next to a folder that holds it (reported
    // once, for the name).
    for args in [
        &["--check", "logo.png"][..],
        &["--check", "--fix", "--unsafe-fixes", "logo.png"][..],
        &["--check", "--diff", "logo.png"][..],
        &["--check", "--output-format", "json", ".", "logo.png"][..],
    ] {
        let (code, out, err) = run(args, b"");
        assert_eq!(code, Some(2), "{args:?}: {out}{err}");
        assert_eq!(
            err.matches("error: ").count(),
            1,
            "{args:?}: one error: {err}"
        );
        assert!(
            err.contains(&format!("error: logo.png {message}\n")),
            "{args:?}: {err}"
        );
        assert!(!out.contains("logo.png"), "{args:?}: not linted: {out}");
        assert_eq!(fs::read(dir.path().join("logo.png")).unwrap(), png);
    }
    // The folder next to it is still linted.
    let (_, out, _) = run(
        &["--check", "--output-format", "json", ".", "logo.png"],
        b"",
    );
    assert!(out.contains("doc.md"), "{out}");
    // On standard input, under its given name or as `-`.
    let (code, out, err) = run(&["--check", "-"], png);
    assert_eq!(code, Some(2), "{out}{err}");
    assert_eq!(err, format!("error: - {message}\n"));
    let (code, _, err) = run(&["--check", "--stdin-filename", "x.png", "-"], png);
    assert_eq!(code, Some(2));
    assert_eq!(err, format!("error: x.png {message}\n"));
    // A NUL byte past the first 8 KiB does not make a file binary.
    let mut late = b"visicall:bob\n".to_vec();
    late.extend(std::iter::repeat_n(b' ', 8192));
    late.push(0);
    write(dir.path(), "late.txt", &late);
    let (code, out, err) = run(&["--check", "--output-format", "concise", "late.txt"], b"");
    assert_eq!(code, Some(1), "{err}");
    assert!(out.contains("late.txt:1:1: TC001"), "{out}");
}

#[test]
fn gitignore_hidden_and_exclude() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", b"build/\n");
    write(dir.path(), "build/out.md", b"visicall:a\n");
    write(dir.path(), ".hidden/x.md", b"visicall:b\n");
    write(dir.path(), "vendor/y.md", b"visicall:c\n");
    write(dir.path(), "docs/z.md", b"visicall:d\n");
    let concise = |extra: &[&str]| {
        let (out, _) = stdout_of(
            bin()
                .current_dir(dir.path())
                .args(["--check", "--output-format", "concise"])
                .args(extra),
        );
        out.lines()
            .filter(|l| l.contains("TC001"))
            .map(|l| l.split(':').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(concise(&[]), ["docs/z.md", "vendor/y.md"]);
    assert_eq!(concise(&["--exclude", "vendor/**"]), ["docs/z.md"]);
    assert_eq!(
        concise(&["--no-ignore"]),
        ["build/out.md", "docs/z.md", "vendor/y.md"]
    );
    assert_eq!(
        concise(&["--hidden"]),
        [".hidden/x.md", "docs/z.md", "vendor/y.md"]
    );
}

#[test]
fn output_is_sorted_whatever_the_threads() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..60 {
        write(
            dir.path(),
            &format!("d{}/f{i:02}.md", i % 7),
            format!("visicall:u{i}\n").as_bytes(),
        );
    }
    let (one, _) = stdout_of(bin().current_dir(dir.path()).args([
        "--check",
        "-j",
        "1",
        "--output-format",
        "concise",
    ]));
    let (many, _) = stdout_of(bin().current_dir(dir.path()).args([
        "--check",
        "-j",
        "4",
        "--output-format",
        "concise",
    ]));
    assert_eq!(one, many);
    let paths: Vec<&str> = one
        .lines()
        .filter(|l| l.contains("TC001"))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 60);
}

#[test]
fn stdin_with_a_filename_picks_the_kind() {
    let (out, code) = stdout_of(
        bin()
            .args([
                "--check",
                "-",
                "--stdin-filename",
                "page.html",
                "--output-format",
                "concise",
            ])
            .write_stdin("<a href=\"trueconf:bob&do=chat\">x</a>"),
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("page.html:1:22: TC015 [info]"), "{out}");
    let (out, _) = stdout_of(
        bin()
            .args([
                "--check",
                "-",
                "--stdin-filename",
                "app.js",
                "--output-format",
                "concise",
            ])
            .write_stdin("x = \"trueconf:\\c\\1\""),
    );
    assert!(out.starts_with("app.js:1:15: TC014 [error]"), "{out}");
    let (out, _) = stdout_of(
        bin()
            .args(["--check", "-", "--output-format", "concise"])
            .write_stdin("visicall:x"),
    );
    assert!(out.starts_with("-:1:1: TC001"), "{out}");
}

#[test]
fn columns_count_characters() {
    let dir = tempfile::tempdir().unwrap();
    // Emoji (2 UTF-16 units, 4 bytes), CJK, a combining mark, CRLF endings.
    write(
        dir.path(),
        "a.md",
        "x\r\n😀 会议 e\u{301} visicall:bob\r\n".as_bytes(),
    );
    let (out, _) = stdout_of(
        bin()
            .args(["--check", "--output-format", "json"])
            .arg(dir.path().join("a.md")),
    );
    let report: Value = serde_json::from_str(&out).unwrap();
    let range = &report["diagnostics"][0]["range"];
    assert_eq!(range["start"], serde_json::json!({"line": 2, "column": 9}));
    assert_eq!(range["end"], serde_json::json!({"line": 2, "column": 17}));
}

#[test]
fn explain_prints_rule_docs() {
    for rule in trueconf_lsp::rules::Rule::ALL {
        let (out, code) = stdout_of(bin().args(["--explain", rule.code()]));
        assert_eq!(code, 0);
        assert!(
            out.starts_with(&format!("# {} {}", rule.code(), rule.name())),
            "{out}"
        );
        for section in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "## Fix safety",
        ] {
            assert!(out.contains(section), "{} lacks {section}", rule.code());
        }
    }
    let (out, _) = stdout_of(bin().args(["--explain", "missing-encrypt"]));
    assert!(out.starts_with("# TC002"));
    let out = bin().args(["--explain", "TC999"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn decode_prints_parts_without_the_password() {
    let link = r"trueconf:\c\737734033583@video.example.com%23vcs&h=truevideo.example.com&login=user&password=Hunter2-canary&encrypt=1&force=1";
    let (out, code) = stdout_of(bin().args(["--decode", link]));
    assert_eq!(code, 0);
    assert!(!out.contains("Hunter2-canary"), "{out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["action"], "join-conference");
    assert_eq!(
        v["summary"],
        "join conference 737734033583 on video.example.com"
    );
    assert_eq!(v["steps"][0], "connect to server truevideo.example.com");
    assert!(v["link"].as_str().unwrap().contains("password=***"));
    let codes: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["TC004"]);
    let out = bin()
        .args(["--decode", "https://example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_and_version() {
    let (out, code) = stdout_of(bin().arg("--help"));
    assert_eq!(code, 0);
    assert!(out.contains("--check") && out.contains("Exit status"));
    let (out, _) = stdout_of(bin().arg("--version"));
    assert_eq!(
        out.trim(),
        format!("trueconf-lsp {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn sample_folder_of_the_readme() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (out, code) = stdout_of(bin().current_dir(root).args([
        "--check",
        "examples/sample-docs",
        "--output-format",
        "concise",
    ]));
    assert_eq!(code, 1);
    assert!(
        out.contains("examples/sample-docs/guide.md:3:34: TC001"),
        "{out}"
    );
    assert!(
        out.contains("examples/sample-docs/app.js:3:36: TC014"),
        "{out}"
    );
}

/// A path that cannot be checked is never followed by "All checks passed":
/// the closing line says what was not checked, and the exit is 2.
#[test]
fn a_missing_path_is_not_reported_as_passing() {
    let dir = site();
    let missing = dir.path().join("missing");
    let out = bin()
        .current_dir(dir.path())
        .args(["--check", missing.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stdout}{stderr}");
    assert!(!stdout.contains("All checks passed"), "{stdout}");
    assert_eq!(
        stdout,
        "No problems found in 0 files checked, but 1 path could not be checked (see above).\n"
    );
    assert!(stderr.contains("no such file or folder"), "{stderr}");
}

/// `--list-rules` lists every rule of the registry, as text and as JSON,
/// with the fix safety of its `--explain`.
#[test]
fn list_rules_names_every_rule() {
    use trueconf_lsp::rules::Rule;
    let (text, code) = stdout_of(bin().arg("--list-rules"));
    assert_eq!(code, 0);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), Rule::ALL.len());
    for (line, rule) in lines.iter().zip(Rule::ALL) {
        assert!(
            line.starts_with(&format!("{}  {}", rule.code(), rule.name())),
            "{line}"
        );
        assert!(line.contains(rule.default_severity().as_str()), "{line}");
    }
    let (json, code) = stdout_of(bin().args(["--list-rules", "--output-format", "json"]));
    assert_eq!(code, 0);
    let v: Value = serde_json::from_str(&json).unwrap();
    let list = v.as_array().unwrap();
    assert_eq!(list.len(), Rule::ALL.len());
    assert_eq!(list[1]["code"], "TC002");
    assert_eq!(list[1]["name"], "missing-encrypt");
    assert_eq!(list[1]["severity"], "error");
    assert!(
        list[1]["fix"].as_str().unwrap().starts_with("Safe:"),
        "{}",
        list[1]
    );
    let tc016 = list.iter().find(|r| r["code"] == "TC016").unwrap();
    assert!(
        tc016["fix"].as_str().unwrap().starts_with("No fix"),
        "{tc016}"
    );
}

/// `--statistics` counts findings per rule instead of listing them, most
/// first, and marks the rules whose findings have fixes.
#[test]
fn statistics_count_findings_per_rule() {
    let dir = site();
    std::fs::write(
        dir.path().join("docs/stats.md"),
        "[a](visicall:bob) [b](visicall:ann) trueconf:x&&y=1 <!-- x -->\n",
    )
    .unwrap();
    let (text, code) =
        stdout_of(
            bin()
                .current_dir(dir.path())
                .args(["--check", "--statistics", "docs/stats.md"]),
        );
    assert_eq!(code, 1, "{text}");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("2  TC001  [*]  deprecated-scheme"),
        "{text}"
    );
    assert!(
        !text.contains("docs/stats.md:"),
        "findings are not listed: {text}"
    );
    let (json, _) = stdout_of(bin().current_dir(dir.path()).args([
        "--check",
        "--statistics",
        "--output-format",
        "json",
        "docs/stats.md",
    ]));
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["code"], "TC001");
    assert_eq!(v[0]["count"], 2);
    assert_eq!(v[0]["fixable"], 2);
}

/// Completion scripts for every shell clap_complete knows, and a man page;
/// the bash script is checked by bash itself.
#[test]
fn shell_completions_and_man_page() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let (script, code) = stdout_of(bin().args(["--generate-shell-completion", shell]));
        assert_eq!(code, 0, "{shell}");
        assert!(script.contains("--check"), "{shell}: {script}");
        assert!(script.contains("--output-format"), "{shell}");
    }
    let (script, _) = stdout_of(bin().args(["--generate-shell-completion", "bash"]));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trueconf-lsp.bash");
    std::fs::write(&path, script).unwrap();
    if let Ok(out) = std::process::Command::new("bash")
        .arg("-n")
        .arg(&path)
        .output()
    {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (man, code) = stdout_of(bin().arg("--generate-man"));
    assert_eq!(code, 0);
    assert!(man.contains(".TH trueconf-lsp 1"), "{man}");
    assert!(man.contains("\\-\\-check"), "{man}");
    let (_, code) = stdout_of(bin().args(["--generate-man", "--check"]));
    assert_eq!(code, 2, "--generate-man takes no other argument");
    // A reader that goes away (`| head`) is not a failure, as for --check.
    for args in [
        &["--generate-shell-completion", "zsh"][..],
        &["--generate-man"][..],
    ] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .args(args)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Dependency and VCS folders and generated search indexes are skipped by
/// a walk; built docs folders are not; a path named on the command line
/// and `--no-ignore` check them all.
#[test]
fn default_excludes_skip_dependency_folders_not_built_docs() {
    let dir = tempfile::tempdir().unwrap();
    let bad = b"[x](visicall:bob)\n";
    for path in [
        "docs/guide.md",
        "node_modules/pkg/README.md",
        "venv/lib/site.md",
        "site/search/search_index.json",
        "_build/html/searchindex.js",
        "_build/html/index.md",
        "dist/page.md",
        "site/index.md",
    ] {
        write(dir.path(), path, bad);
    }
    let checked = |args: &[&str]| {
        let out = bin().current_dir(dir.path()).args(args).output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        let mut files: Vec<String> = text
            .lines()
            .filter(|l| l.contains(": TC"))
            .filter_map(|l| l.split(':').next())
            .map(str::to_string)
            .collect();
        files.sort();
        files.dedup();
        files
    };
    let concise = ["--check", "--output-format", "concise", "--exit-zero"];
    assert_eq!(
        checked(&concise),
        [
            "_build/html/index.md",
            "dist/page.md",
            "docs/guide.md",
            "site/index.md"
        ]
    );
    let mut named = concise.to_vec();
    named.push("node_modules/pkg/README.md");
    assert_eq!(checked(&named), ["node_modules/pkg/README.md"]);
    let mut all = concise.to_vec();
    all.push("--no-ignore");
    assert_eq!(checked(&all).len(), 8);
}

/// A report written file by file (`json`, `concise`) and one written whole
/// (`sarif`, or any format with `--statistics`) say the same on standard
/// error, in the same order: the warning about a file over the findings cap,
/// then the files that could not be checked; the streamed findings come in
/// path order, the same count in `json` as in `concise`, and no password.
#[test]
fn streamed_and_whole_reports_agree_on_stderr_and_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.md", b"visicall:a@h\n");
    write(dir.path(), "b.md", b"trueconf:b \xc3\x28\n");
    write(
        dir.path(),
        "c.md",
        "visicall:c@h ".repeat(10_050).as_bytes(),
    );
    write(
        dir.path(),
        "d/e.md",
        b"trueconf:login=u&password=p&force=1\n",
    );
    write(dir.path(), "f.txt", b"\xff\xfe\x00t");
    let run = |args: &[&str]| {
        let out = bin()
            .current_dir(dir.path())
            .args(["--check"])
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
            out.status.code(),
        )
    };
    let expected_stderr = "warning: c.md has more than 10000 findings; only the first 10000 are reported\n\
                           error: b.md is not valid UTF-8 (byte 11); skipped\n\
                           error: f.txt is UTF-16, not UTF-8; skipped\n";
    let (json, stderr, code) = run(&["--output-format", "json", "-j", "3"]);
    assert_eq!(stderr, expected_stderr);
    assert_eq!(code, Some(2));
    let (_, stderr, code) = run(&["--output-format", "sarif"]);
    assert_eq!(stderr, expected_stderr);
    assert_eq!(code, Some(2));
    let (concise, stderr, _) = run(&["--output-format", "concise", "-j", "1"]);
    assert_eq!(stderr, expected_stderr);
    let (concise_stats, stderr, _) =
        run(&["--output-format", "concise", "-j", "4", "--statistics"]);
    assert!(stderr.starts_with(expected_stderr), "{stderr}");
    assert!(!concise.contains("p&force") && !json.contains("p&force"));
    // The findings of the streamed report, then its summary lines.
    let lines: Vec<&str> = concise.lines().collect();
    let paths: Vec<&str> = lines
        .iter()
        .filter(|l| l.contains(": TC"))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        paths.len(),
        10_000 + 1 + 2,
        "{:?}",
        &lines[lines.len() - 4..]
    );
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.first(), Some(&"a.md"));
    assert_eq!(paths.last(), Some(&"d/e.md"));
    assert_eq!(
        lines[lines.len() - 2],
        "Found 10003 problems (1 error, 10002 warnings) in 3 files checked."
    );
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["diagnostics"].as_array().unwrap().len(), paths.len());
    assert_eq!(report["summary"]["files"], 3);
    // `--statistics` collects every file first, and counts the same.
    assert!(
        concise_stats.starts_with("10001  TC001  [*]  deprecated-scheme\n"),
        "{concise_stats}"
    );
}
