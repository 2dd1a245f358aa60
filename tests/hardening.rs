//! Hardening, round 2 (issue 13): secrets through transformed text,
//! control characters into terminals and CI logs, bounded time, and small
//! special cases (`-o /dev/null`, a BOM in `--diff`, symbolic links out of
//! the tree under `--fix`).

mod common;

use common::{FORMATS, run, tree};

const PW: &str = "Hunter2xQ";

fn all_outputs(dir: &std::path::Path, path: &str) -> String {
    let mut all = String::new();
    for f in FORMATS {
        let r = run(dir, &["--check", "--output-format", f, path]);
        all += &r.stdout;
        all += &r.stderr;
    }
    for extra in [&["--diff"][..], &["--diff", "--unsafe-fixes"][..]] {
        let mut args = vec!["--check"];
        args.extend_from_slice(extra);
        args.push(path);
        let r = run(dir, &args);
        all += &r.stdout;
        all += &r.stderr;
    }
    all
}

/// TC011 turns `trueconf://admin:PW@host` into `trueconf:admin:PW@host`:
/// the new side of the diff is redacted by the original's secrets carried
/// through the fix, and the fixed link is read as a link with a password.
#[test]
fn diff_redacts_passwords_a_fix_moves_out_of_a_link() {
    for text in [
        format!("x trueconf://admin:{PW}@host\n"),
        format!("x trueconf://admin:{PW}@host?password={PW}\n"),
        format!("<a href=\"trueconf://admin:{PW}@host\">x</a>\n"),
        format!("x trueconf:///c/admin:{PW}@host&&&password={PW}\n"),
    ] {
        let dir = tree(&[("a.md", &text), ("b.html", &text)]);
        for path in ["a.md", "b.html"] {
            let all = all_outputs(dir.path(), path);
            assert!(!all.contains(PW), "{text:?} in {path}:\n{all}");
        }
        let r = run(dir.path(), &["--check", "--diff", "--unsafe-fixes", "a.md"]);
        assert!(r.stdout.contains("***"), "{}", r.stdout);
    }
}

#[test]
fn user_password_at_server_after_a_colon_is_a_link_with_a_secret() {
    let dir = tree(&[("a.md", &format!("call trueconf:admin:{PW}@host&&x=1 now\n"))]);
    let all = all_outputs(dir.path(), "a.md");
    assert!(!all.contains(PW), "{all}");
    // Found as a link (TC012 on its `&&`), its password hidden.
    let r = run(dir.path(), &["--check", "--diff", "a.md"]);
    assert!(
        r.stdout.contains("+call trueconf:admin:***@host&x=1"),
        "{r:?}"
    );
}

/// A segment without `=` named like a password key holds a password
/// typed after the wrong separator: TC006 and TC008 quote only its name.
#[test]
fn messages_never_quote_the_value_of_a_misspelt_password_key() {
    for seg in [
        "pasword:{PW}",
        "password:{PW}",
        "passwd%3A{PW}",
        "pwd:{PW}",
        "Passw0rd:{PW}",
    ] {
        let seg = seg.replace("{PW}", PW);
        let text = format!("trueconf:bob&{seg}&{seg}&pasword={PW}\n");
        let dir = tree(&[("a.md", &text)]);
        // Messages only: the source line itself is shown redacted once
        // uri.rs widens its secrets (spec §7), not by this rule.
        for f in [
            "concise",
            "github",
            "json",
            "json-lines",
            "sarif",
            "junit",
            "gitlab",
        ] {
            let r = run(dir.path(), &["--check", "--output-format", f, "a.md"]);
            let shown = r.stdout.replace(&format!("pasword={PW}"), "");
            assert!(!shown.contains(PW), "{seg} {f}:\n{}", r.stdout);
            assert!(r.stdout.contains("TC006"), "{}", r.stdout);
        }
    }
}

#[test]
fn config_errors_redact_passwords_of_quoted_values() {
    for toml in [
        format!("allowed-servers = [\"trueconf://admin:{PW}@h[\"]\n"),
        format!("allowed-servers = [\"admin:{PW}@[x\"]\n"),
        format!("select = [\"trueconf:bob&password={PW}\"]\n"),
        format!("exclude = [\"trueconf:admin:{PW}@h[\"]\n"),
    ] {
        let dir = tree(&[("a.md", "hi\n"), ("trueconf-lsp.toml", &toml)]);
        let r = run(dir.path(), &["--check", "a.md"]);
        assert_eq!(r.code, Some(2), "{toml}: {r:?}");
        assert!(!r.stderr.contains(PW) && !r.stdout.contains(PW), "{r:?}");
        assert!(r.stderr.contains("***"), "{r:?}");
    }
}

// Class 8: small special cases.

#[test]
fn output_to_dev_null_succeeds() {
    let dir = tree(&[("a.md", "trueconf:bob&&x=1\n")]);
    for f in FORMATS {
        let r = run(
            dir.path(),
            &["--check", "--output-format", f, "-o", "/dev/null", "a.md"],
        );
        assert_eq!(r.code, Some(1), "{f}: {r:?}");
        assert!(!r.stderr.contains("error"), "{f}: {r:?}");
    }
    let r = run(
        dir.path(),
        &["--check", "--diff", "-o", "/dev/null", "a.md"],
    );
    assert_eq!(r.code, Some(1), "{r:?}");
}

/// The `-` side of `--diff` keeps a UTF-8 BOM, so `git apply` takes it.
#[test]
fn diff_of_a_file_with_a_bom_applies_with_git() {
    let dir = tree(&[]);
    let text = "\u{feff}trueconf:bob&&x=1\nline 2\n";
    common::write(dir.path(), "b.md", text.as_bytes());
    let r = run(dir.path(), &["--check", "--diff", "b.md"]);
    assert!(
        r.stdout.starts_with("--- b.md\n+++ b.md\n@@ -1,2 +1,2 @@\n-\u{feff}trueconf:bob&&x=1\n+\u{feff}trueconf:bob&x=1\n"),
        "{r:?}"
    );
    std::fs::write(dir.path().join("p.diff"), &r.stdout).unwrap();
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .output()
    };
    let Ok(init) = git(&["init", "-q"]) else {
        eprintln!("git not found; `git apply --check` skipped");
        return;
    };
    assert!(init.status.success());
    let check = git(&["apply", "--check", "p.diff"]).unwrap();
    assert!(check.status.success(), "{check:?}");
    let apply = git(&["apply", "p.diff"]).unwrap();
    assert!(apply.status.success(), "{apply:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("b.md")).unwrap(),
        "\u{feff}trueconf:bob&x=1\nline 2\n"
    );
}

/// `--fix DIR` does not write through a symbolic link to a file outside
/// DIR unless `--follow-links` is given; links inside DIR are fixed.
#[cfg(unix)]
#[test]
fn fix_does_not_follow_links_out_of_the_tree_by_default() {
    use std::os::unix::fs::symlink;
    let bad = "trueconf:bob&&force=1\n";
    let dir = tree(&[("outside.md", bad), ("docs/inner.md", bad)]);
    let p = dir.path();
    symlink(p.join("outside.md"), p.join("docs/out-link.md")).unwrap();
    symlink(p.join("docs/inner.md"), p.join("docs/in-link.md")).unwrap();
    let r = run(p, &["--check", "--fix", "docs"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("out-link.md is a symbolic link to a file outside"),
        "{r:?}"
    );
    assert_eq!(common::read(p, "outside.md"), bad.as_bytes());
    assert_eq!(common::read(p, "docs/inner.md"), b"trueconf:bob&force=1\n");
    assert!(
        std::fs::symlink_metadata(p.join("docs/out-link.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let r = run(p, &["--check", "--fix", "--follow-links", "docs"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(common::read(p, "outside.md"), b"trueconf:bob&force=1\n");
    // Named on the command line, the link is the tree.
    std::fs::write(p.join("outside.md"), bad).unwrap();
    let r = run(p, &["--check", "--fix", "docs/out-link.md"]);
    assert_eq!(r.code, Some(0), "{r:?}");
    assert_eq!(common::read(p, "outside.md"), b"trueconf:bob&force=1\n");
}

// Class 3: time linear (or n log n) in parameters, findings and line length.

/// The CPU time (user + system, from `wait4`) of one run of the binary in
/// `dir`, its stdout read through a pipe. CPU time, not wall time: other
/// work on the machine barely changes it.
#[cfg(unix)]
fn cpu_time(dir: &std::path::Path, args: &[&str]) -> std::time::Duration {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
        .current_dir(dir)
        .args(args)
        .env_remove("TRUECONF_LSP_OUTPUT_FORMAT")
        .env_remove("TRUECONF_LSP_OUTPUT_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("binary runs");
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = std::io::Read::read_to_end(&mut stdout, &mut sink);
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; `pid` is our child, not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4");
    // Reaped: keep `Child` from waiting again.
    std::mem::forget(child);
    reader.join().unwrap();
    assert!(
        libc::WIFEXITED(status) && matches!(libc::WEXITSTATUS(status), 0 | 1),
        "{args:?}: status {status}"
    );
    let tv = |t: libc::timeval| {
        std::time::Duration::from_secs(t.tv_sec as u64)
            + std::time::Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Best of three CPU times of the binary on `text` as `name`.
#[cfg(unix)]
fn best_of_3(name: &str, text: &str, args: &[&str]) -> std::time::Duration {
    let dir = tree(&[(name, text)]);
    let mut all = vec!["--check"];
    all.extend_from_slice(args);
    all.push(name);
    (0..3).map(|_| cpu_time(dir.path(), &all)).min().unwrap()
}

/// `make(10 n)` costs at most 15 times `make(n)`, for each of `args`.
#[cfg(unix)]
fn scales_linearly(what: &str, n: usize, make: impl Fn(usize) -> String, args: &[&[&str]]) {
    let (small, large) = (make(n), make(10 * n));
    for a in args {
        let t1 = best_of_3("a.md", &small, a);
        let t10 = best_of_3("a.md", &large, a);
        assert!(
            t10.as_secs_f64() <= 15.0 * t1.as_secs_f64().max(0.02),
            "{what} {a:?}: n={n} took {t1:?}, 10n took {t10:?}"
        );
    }
}

fn every_format() -> Vec<Vec<&'static str>> {
    let mut v: Vec<Vec<&str>> = FORMATS
        .iter()
        .map(|f| vec!["--output-format", *f])
        .collect();
    v.push(vec!["--diff"]);
    v.push(vec!["--diff", "--unsafe-fixes"]);
    v.push(vec!["--statistics"]);
    v
}

/// One link with many duplicate parameters (TC008 compared each with all
/// before it) and one line holding all their findings (GitLab redacted and
/// hashed the whole line per finding).
#[cfg(unix)]
#[test]
fn time_is_linear_in_duplicate_parameters_and_gitlab_findings_on_one_line() {
    scales_linearly(
        "duplicate parameters",
        2000,
        |n| format!("trueconf:bob&password=pw{}\n", "&h=1".repeat(n)),
        &[
            &["--output-format", "concise"],
            &["--output-format", "gitlab"],
        ],
    );
}

/// Placeholders that open and never close (`${`, `$(` in a template
/// literal and in shell double quotes, and in a link's values): each was
/// looked for to the end of its string.
#[test]
fn time_is_linear_in_unclosed_placeholders() {
    scales_linearly(
        "unclosed placeholders",
        2000,
        |n| {
            format!(
                "```js\nu = `trueconf:{a}`\nv = \"trueconf:bob:{a}@srv&h={a}\"\n```\n\n```sh\nxdg-open \"trueconf:{b}\"\n```\n",
                a = "${".repeat(n),
                b = "$(".repeat(n)
            )
        },
        &[&["--output-format", "concise"]],
    );
}

/// The audit of every format (and `--diff`, `--statistics`) over
/// parameters, findings on one line, lines with passwords and line length.
/// It found TC004 and TC009 quadratic in parameters with passwords and
/// `--diff` quadratic in changed lines (Myers' diff).
#[cfg(unix)]
#[test]
fn time_is_linear_in_every_format() {
    let formats = every_format();
    let args: Vec<&[&str]> = formats.iter().map(|v| v.as_slice()).collect();
    scales_linearly(
        "mixed parameters",
        300,
        |n| {
            let mut s = String::from("x trueconf://admin:pw@bob");
            for i in 0..n {
                s += &format!("&k{i}=%zz&&password=pw{i}&h=1");
            }
            s + "\n"
        },
        &args,
    );
    scales_linearly(
        "lines",
        500,
        |n| "trueconf:bob&&password=pw&h=1&h=1\n".repeat(n),
        &args,
    );
    scales_linearly(
        "line length",
        20_000,
        |n| {
            let pad = "word ".repeat(n);
            format!("{pad}trueconf:bob&&password=pw {pad}trueconf:ann%zz {pad}\n")
        },
        &args,
    );
}

// Class 2: no raw control characters into terminals and CI logs.

/// A file name with a newline, ESC, DEL, a C1 control and U+202E, and a
/// link key with `ESC[2J`: every format prints them escaped (the text
/// formats as `\u{1b}`, the JSON ones as `\u001b`), `--diff` too (its
/// header and its lines), and no output line starts a workflow command
/// the name forged.
#[cfg(unix)]
#[test]
fn controls_in_names_and_keys_are_escaped() {
    let name = "x\u{1b}[2J\u{7f}\u{9b}\u{202e}\n::error file=forged.md::pwned.md";
    let dir = tree(&[]);
    common::write(
        dir.path(),
        name,
        "trueconf:bob&&h=1&k\u{1b}[2J\u{85}=1\ntrueconf:ann&k\u{2066}\u{9b}x=1\n".as_bytes(),
    );
    common::write(dir.path(), "::warning file=f::x.md", b"trueconf:bob&&h=1\n");
    let raw = [
        '\u{1b}', '\u{7f}', '\u{9b}', '\u{85}', '\u{202e}', '\u{2066}',
    ];
    for f in FORMATS {
        let r = run(dir.path(), &["--check", "--output-format", f, "."]);
        assert_eq!(r.code, Some(1), "{f}: {r:?}");
        for c in raw {
            assert!(!r.stdout.contains(c), "{f}: {c:?} in {:?}", r.stdout);
            assert!(!r.stderr.contains(c), "{f}: {c:?} in {:?}", r.stderr);
        }
        for line in r.stdout.lines() {
            assert!(
                !line.starts_with("::")
                    || f == "github" && line.contains("file=%3A%3A")
                    || f == "github" && line.contains("file=x\\u{1b}"),
                "{f}: forged command {line:?}"
            );
        }
        match f {
            "full" | "concise" | "github" => {
                assert!(r.stdout.contains("x\\u{1b}[2J"), "{f}: {}", r.stdout)
            }
            "sarif" => assert!(
                r.stdout.contains("x%1B%5B2J%7F%C2%9B%E2%80%AE%0A"),
                "{}",
                r.stdout
            ),
            "json" | "json-lines" | "gitlab" => {
                assert!(
                    r.stdout.contains("x\\u001b[2J\\u007f\\u009b\\u202e"),
                    "{f}: {}",
                    r.stdout
                )
            }
            _ => {}
        }
    }
    let r = run(dir.path(), &["--check", "--diff", "."]);
    assert_eq!(r.code, Some(1), "{r:?}");
    for c in raw {
        assert!(!r.stdout.contains(c), "--diff: {c:?} in {:?}", r.stdout);
    }
    assert!(r.stdout.contains("--- ./x\\u{1b}[2J"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("+trueconf:bob&h=1&k\\u{1b}[2J\\u{85}=1\n"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("--- ./::warning file=f::x.md"),
        "{}",
        r.stdout
    );
}

/// A value the user gives, on the command line or in a configuration
/// file, is quoted by the error that rejects it: escaped, so that it can
/// neither start a line of its own (a forged workflow command) nor send an
/// escape sequence. The same for a configuration file under a folder
/// whose name holds controls.
#[cfg(unix)]
#[test]
fn rejected_values_of_options_and_configuration_are_escaped() {
    let forged = "x\n::error file=a.md::forged\r\u{1b}[2J\u{7}\u{9b}\u{202e}";
    let raw = ['\r', '\u{1b}', '\u{7}', '\u{9b}', '\u{202e}'];
    let check = |what: &str, r: &common::Run| {
        assert_eq!(r.code, Some(2), "{what}: {r:?}");
        for c in raw {
            assert!(!r.stderr.contains(c), "{what}: {c:?} in {:?}", r.stderr);
        }
        assert!(
            r.stderr.contains("x\\u{a}::error file"),
            "{what}: {:?}",
            r.stderr
        );
        for line in r.stderr.lines() {
            assert!(!line.starts_with("::"), "{what}: forged command {line:?}");
        }
    };
    let dir = tree(&[("a.md", "trueconf:bob\n")]);
    for args in [
        vec!["--check", "--output-format", forged, "a.md"],
        vec!["--check", &format!("--output-format={forged}"), "a.md"],
        vec!["--check", "--select", forged, "a.md"],
        vec!["--check", "--exclude", &format!("[{forged}"), "a.md"],
        vec!["--check", "--fail-on", forged, "a.md"],
        vec!["--explain", forged],
        vec!["--check", "--replace-server", &format!("{forged}=b"), "."],
        vec!["--check", forged],
    ] {
        let r = run(dir.path(), &args);
        check(&format!("{args:?}"), &r);
    }
    // The same value from the environment, which clap quotes as it is.
    let r = common::run_env(
        dir.path(),
        &["--check", "a.md"],
        &[("TRUECONF_LSP_OUTPUT_FORMAT", forged)],
    );
    check("TRUECONF_LSP_OUTPUT_FORMAT", &r);
    let toml = forged.replace('\n', "\\n").replace('\r', "\\r");
    let toml = toml
        .replace('\u{1b}', "\\u001b")
        .replace('\u{7}', "\\u0007");
    for key in ["fail-on", "select", "docs-url", "severity"] {
        let body = match key {
            "select" => format!("select = [\"{toml}\"]\n"),
            "severity" => format!("[severity]\nTC001 = \"{toml}\"\n"),
            _ => format!("{key} = \"{toml}\"\n"),
        };
        let dir = tree(&[("a.md", "trueconf:bob\n"), ("trueconf-lsp.toml", &body)]);
        let r = run(dir.path(), &["--check", "a.md"]);
        check(&body, &r);
    }
    let dir = tree(&[]);
    let folder = "x\n::error file=\u{1b}[2J";
    common::write(
        dir.path(),
        &format!("{folder}/trueconf-lsp.toml"),
        b"fail-on = 1\n",
    );
    common::write(dir.path(), &format!("{folder}/a.md"), b"trueconf:bob\n");
    let r = run(dir.path(), &["--check", "."]);
    check("a folder's name", &r);
}

/// A link given where something else was expected (a path, a rule code,
/// an option's value, or before a mistyped option) is quoted back by the
/// error without its password, in the messages of clap and of our own.
#[test]
fn rejected_links_are_quoted_without_their_password() {
    let link = "trueconf:login=ann&password=Hunter2secret&encrypt=1";
    let upper = link.replace("trueconf:", "TRUECONF:");
    let in_path = format!("dir/{link}");
    let dir = tree(&[("a.md", "trueconf:bob\n")]);
    for args in [
        vec!["--check", link],
        vec!["--check", "--select", link, "a.md"],
        vec!["--check", "--output-format", link, "a.md"],
        vec!["--check", "--fail-on", link, "a.md"],
        vec!["--explain", link],
        vec!["--decode", link, "--bogus"],
        vec!["--check", "a.md", "--color", link],
        vec!["--check", &upper],
        vec!["--check", &in_path],
        vec!["--check", "--fail-on", &upper, "a.md"],
    ] {
        let r = run(dir.path(), &args);
        assert_eq!(r.code, Some(2), "{args:?}: {r:?}");
        assert!(!r.stderr.is_empty(), "{args:?}");
        for out in [&r.stdout, &r.stderr] {
            assert!(!out.contains("Hunter2"), "{args:?}: {out}");
        }
        // What is quoted is the link, with its password hidden.
        if !args.contains(&"--bogus") {
            assert!(
                r.stderr
                    .to_ascii_lowercase()
                    .contains("trueconf:login=ann&password="),
                "{args:?}: {}",
                r.stderr
            );
        }
    }
}

/// Two files whose names differ only in bytes that are not UTF-8 are
/// reported apart, each byte written as `\xff` (lossy decoding made both
/// `\u{fffd}`), in every format; JUnit lists two test cases.
#[cfg(target_os = "linux")]
#[test]
fn non_utf8_names_that_differ_print_differently() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tree(&[]);
    for b in [b"a\xff.md".as_slice(), b"a\xfe.md".as_slice()] {
        let p = dir.path().join(std::ffi::OsStr::from_bytes(b));
        std::fs::write(p, "trueconf:bob&&h=1\n").unwrap();
    }
    for f in FORMATS {
        let r = run(dir.path(), &["--check", "--output-format", f, "."]);
        assert_eq!(r.code, Some(1), "{f}: {r:?}");
        assert!(!r.stdout.contains('\u{fffd}'), "{f}: {}", r.stdout);
        // `a\xff.md` (JSON: `a\\xff.md`; a SARIF URI: `a/xff.md`).
        for shown in ["xff.md", "xfe.md"] {
            assert!(r.stdout.contains(shown), "{f}: {shown} not in {}", r.stdout);
        }
        if f == "junit" {
            assert_eq!(r.stdout.matches("<testcase ").count(), 2, "{}", r.stdout);
        }
    }
}
