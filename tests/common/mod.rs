//! Helpers shared by the command-line tests: temporary trees and runs of the
//! real binary.

#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub const BIN: &str = env!("CARGO_BIN_EXE_trueconf-lsp");

/// Every `--output-format`.
pub const FORMATS: [&str; 8] = [
    "full",
    "concise",
    "json",
    "json-lines",
    "sarif",
    "github",
    "junit",
    "gitlab",
];

/// What a run of the binary gave.
#[derive(Debug)]
pub struct Run {
    /// `None` when the process was killed by a signal.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

/// A command for the binary, run in `dir`, untouched by the caller's
/// environment.
pub fn command(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir)
        .env_remove("TRUECONF_LSP_OUTPUT_FORMAT")
        .env_remove("TRUECONF_LSP_OUTPUT_FILE")
        .env_remove("TRUECONF_LSP_TEST_FAIL_BEFORE_RENAME")
        .env_remove("TRUECONF_LSP_TEST_MODIFY_BEFORE_RENAME")
        .env_remove("TRUECONF_LSP_TEST_MAX_FIX_PASSES");
    c
}

pub fn run_with(mut c: Command) -> Run {
    let o = c.output().expect("binary runs");
    Run {
        code: o.status.code(),
        stdout: String::from_utf8(o.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(o.stderr).expect("stderr is UTF-8"),
    }
}

pub fn run(dir: &Path, args: &[&str]) -> Run {
    let mut c = command(dir);
    c.args(args);
    run_with(c)
}

pub fn run_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = command(dir);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    run_with(c)
}

/// A temporary folder holding `files` (path, content).
pub fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, content) in files {
        write(dir.path(), path, content.as_bytes());
    }
    dir
}

pub fn write(dir: &Path, path: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(path);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).expect("mkdir");
    }
    fs::write(&p, bytes).expect("write");
    p
}

pub fn read(dir: &Path, path: &str) -> Vec<u8> {
    fs::read(dir.join(path)).expect("read")
}

/// Names in `dir` (not recursive), sorted.
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Sets a file's modification time to a fixed moment in the past, so that
/// a rewrite would be visible.
pub fn age(path: &Path) -> std::time::SystemTime {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000);
    fs::File::options()
        .write(true)
        .open(path)
        .expect("open")
        .set_modified(t)
        .expect("set mtime");
    t
}

pub fn mtime(path: &Path) -> std::time::SystemTime {
    fs::metadata(path).expect("stat").modified().expect("mtime")
}

/// Codes and positions of a `--output-format json` report, as
/// `path:line:col CODE`.
pub fn json_findings(stdout: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(stdout).expect("JSON report");
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            format!(
                "{}:{}:{} {}",
                d["path"].as_str().unwrap(),
                d["range"]["start"]["line"],
                d["range"]["start"]["column"],
                d["code"].as_str().unwrap()
            )
        })
        .collect()
}
