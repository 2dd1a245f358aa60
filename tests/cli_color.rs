//! Colored output: `--color auto|always|never`, `NO_COLOR`,
//! `CLICOLOR_FORCE`, a terminal; colored text is the uncolored text with
//! SGR sequences around pieces, and those are the only escapes in it.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// The binary with no color variable from the test's own environment.
fn bin(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"));
    cmd.current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("TERM")
        .env_remove("TRUECONF_LSP_OUTPUT_FORMAT")
        .env_remove("TRUECONF_LSP_OUTPUT_FILE");
    cmd
}

/// A file with an error, a warning, a password and an escape character
/// (with what would be a color sequence after it) on a finding's line.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("docs")).unwrap();
    fs::write(
        dir.path().join("docs/guide.md"),
        b"# Guide\n\nCall [desk](visicall:desk@video.example.com).\n\x1b[31mSign in:\x07 trueconf:login=u&password=hunter2&force=1\n",
    )
    .unwrap();
    dir
}

fn stdout(cmd: &mut Command) -> String {
    String::from_utf8(cmd.output().unwrap().stdout).unwrap()
}

/// Removes the SGR sequences this program writes.
fn strip(s: &str) -> String {
    regex::Regex::new("\x1b\\[[0-9;]*m")
        .unwrap()
        .replace_all(s, "")
        .into_owned()
}

const RED: &str = "\x1b[1;31m";

#[test]
fn always_colors_and_stripping_gives_the_plain_output() {
    let dir = site();
    for extra in [
        &["--output-format", "full"][..],
        &["--output-format", "concise"],
        &["--statistics"],
        &[],
    ] {
        let plain = stdout(
            bin(dir.path())
                .args(["--check", "--color", "never"])
                .args(extra),
        );
        let colored = stdout(
            bin(dir.path())
                .args(["--check", "--color", "always"])
                .args(extra),
        );
        assert!(!plain.contains('\x1b'), "{extra:?}: {plain}");
        assert!(colored.contains(RED), "{extra:?}: {colored}");
        assert_eq!(strip(&colored), plain, "{extra:?}");
        // The only escapes are ours: the one in the file is not passed on.
        assert!(!strip(&colored).contains('\x1b'), "{extra:?}");
        assert!(!colored.contains('\x07'), "{extra:?}");
        assert!(!colored.contains("hunter2"), "{extra:?}");
    }
    let plain = stdout(bin(dir.path()).args(["--list-rules", "--color", "never"]));
    let colored = stdout(bin(dir.path()).args(["--list-rules", "--color", "always"]));
    assert!(colored.contains(RED));
    assert_eq!(strip(&colored), plain);
}

#[test]
fn a_pipe_is_not_colored_by_default() {
    let dir = site();
    let out = stdout(bin(dir.path()).args(["--check"]));
    assert!(out.contains("[error]") && !out.contains('\x1b'), "{out}");
}

#[test]
fn environment_variables_and_their_precedence() {
    let dir = site();
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = bin(dir.path());
        cmd.arg("--check").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        stdout(&mut cmd)
    };
    assert!(!run(&[("NO_COLOR", "1")], &[]).contains('\x1b'));
    assert!(run(&[("CLICOLOR_FORCE", "1")], &[]).contains(RED));
    assert!(!run(&[("CLICOLOR_FORCE", "0")], &[]).contains('\x1b'));
    // NO_COLOR wins over CLICOLOR_FORCE; --color wins over both.
    assert!(!run(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")], &[]).contains('\x1b'));
    assert!(!run(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]).contains('\x1b'));
    assert!(run(&[("NO_COLOR", "1")], &["--color", "always"]).contains(RED));
    // Machine formats are never colored.
    for format in ["json", "json-lines", "sarif", "github", "junit", "gitlab"] {
        let out = run(&[], &["--color", "always", "--output-format", format]);
        assert!(!out.contains('\x1b'), "{format}");
    }
}

#[test]
fn a_report_file_is_not_colored_unless_asked() {
    let dir = site();
    bin(dir.path())
        .env("CLICOLOR_FORCE", "1")
        .args(["--check", "-o", "report.txt"])
        .output()
        .unwrap();
    let report = fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(report.contains("[error]") && !report.contains('\x1b'));
    bin(dir.path())
        .args(["--check", "--color", "always", "-o", "report.txt"])
        .output()
        .unwrap();
    let report = fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(report.contains(RED));
}

/// In a pseudo-terminal (util-linux `script`), output is colored by
/// default, and not with `NO_COLOR`.
#[test]
fn a_terminal_is_colored_by_default() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` (util-linux)");
        return;
    }
    let dir = site();
    let exe = env!("CARGO_BIN_EXE_trueconf-lsp");
    let in_terminal = |env: &[(&str, &str)]| {
        let output = std::process::Command::new("script")
            .args(["-qec", &format!("'{exe}' --check docs"), "/dev/null"])
            .current_dir(dir.path())
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env("TERM", "xterm")
            .envs(env.iter().copied())
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        String::from_utf8_lossy(&output.stdout).replace("\r\n", "\n")
    };
    let colored = in_terminal(&[]);
    assert!(colored.contains(RED), "{colored:?}");
    assert!(!colored.contains("hunter2"));
    let plain = stdout(bin(dir.path()).args(["--check", "docs"]));
    assert_eq!(strip(&colored), plain);
    let no_color = in_terminal(&[("NO_COLOR", "1")]);
    assert!(no_color.contains("[error]"), "{no_color:?}");
    assert!(!no_color.contains('\x1b'), "{no_color:?}");
}
