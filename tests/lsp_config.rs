//! One config pipeline: the language server resolves configuration files as
//! `--check` does, nested `trueconf-lsp.toml` files included, and gives an
//! open document the diagnostics `--check` gives the same file.

mod common;
mod lsp_client;

use std::path::Path;

use common::{run, tree};
use lsp_client::*;
use serde_json::{Value, json};

/// A document with findings of several rules, some of them changed by the
/// nested configuration file (a rule ignored, a severity changed,
/// `allowed-servers` turning TC016 on).
const DOC: &str = "# Guide\n\
    \n\
    Old: visicall:bob and [pw](trueconf:login=u&password=p)\n\
    é trueconf:bob@evil.example.org and trueconf:bob@video.example.com\n\
    [plain](trueconf:\\c\\737734033583@video.example.com%23vcs)\n";

/// Code, severity and 1-based, character-counted range of each finding of a
/// `--check --output-format json` report.
fn from_check(stdout: &str) -> Vec<(String, String, [u64; 4])> {
    let v: Value = serde_json::from_str(stdout).expect("JSON report");
    let mut out: Vec<_> = v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let r = &d["range"];
            (
                d["code"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
                [
                    r["start"]["line"].as_u64().unwrap(),
                    r["start"]["column"].as_u64().unwrap(),
                    r["end"]["line"].as_u64().unwrap(),
                    r["end"]["column"].as_u64().unwrap(),
                ],
            )
        })
        .collect();
    out.sort();
    out
}

/// The same from a `publishDiagnostics` in UTF-32 positions (0-based).
fn from_server(published: &Value) -> Vec<(String, String, [u64; 4])> {
    let mut out: Vec<_> = published["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let r = &d["range"];
            let severity = match d["severity"].as_u64().unwrap() {
                1 => "error",
                2 => "warning",
                3 => "info",
                _ => "hint",
            };
            (
                d["code"].as_str().unwrap().to_string(),
                severity.to_string(),
                [
                    r["start"]["line"].as_u64().unwrap() + 1,
                    r["start"]["character"].as_u64().unwrap() + 1,
                    r["end"]["line"].as_u64().unwrap() + 1,
                    r["end"]["character"].as_u64().unwrap() + 1,
                ],
            )
        })
        .collect();
    out.sort();
    out
}

/// What the server publishes for `rel` (below `root`), opened with `text`.
async fn published(root: &Path, rel: &str, text: &str) -> Value {
    let mut c = Client::start();
    let (root_uri, init) = c.initialize_in(root, caps(&["utf-32"]), Value::Null).await;
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-32");
    let uri = format!("{root_uri}/{rel}");
    c.open(&uri, "markdown", 1, text);
    let p = c.diagnostics(&uri, Some(1)).await;
    assert_eq!(c.shutdown_and_exit().await, 0);
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_nested_config_file_gives_the_server_the_diagnostics_of_check() {
    let dir = tree(&[
        (
            "trueconf-lsp.toml",
            "ignore = [\"TC001\"]\n[severity]\nTC004 = \"error\"\n",
        ),
        (
            "docs/trueconf-lsp.toml",
            "ignore = [\"TC002\"]\nallowed-servers = [\"video.example.com\"]\n\
             [severity]\nTC001 = \"info\"\n",
        ),
        ("docs/guide.md", DOC),
        ("top.md", DOC),
    ]);
    let root = dir.path().canonicalize().unwrap();
    for rel in ["docs/guide.md", "top.md"] {
        let check = run(&root, &["--check", "--output-format", "json", rel]);
        assert!(matches!(check.code, Some(0 | 1)), "{check:?}");
        let want = from_check(&check.stdout);
        let got = from_server(&published(&root, rel, DOC).await);
        assert_eq!(got, want, "{rel}");
    }
    // The nested file is the one in force below `docs/`, and it does
    // something: its allowed-servers turn TC016 on, it keeps TC001 (at its
    // severity) and drops TC002; at the top the root file's rules hold.
    let check = run(
        &root,
        &["--check", "--output-format", "json", "docs/guide.md"],
    );
    let nested = from_check(&check.stdout);
    let codes: Vec<&str> = nested.iter().map(|(c, _, _)| c.as_str()).collect();
    assert!(codes.contains(&"TC016"), "{nested:?}");
    assert!(!codes.contains(&"TC002"), "{nested:?}");
    assert!(
        nested.iter().any(|(c, s, _)| c == "TC001" && s == "info"),
        "{nested:?}"
    );
    let check = run(&root, &["--check", "--output-format", "json", "top.md"]);
    let top = from_check(&check.stdout);
    assert!(
        top.iter().all(|(c, _, _)| c != "TC016" && c != "TC001"),
        "{top:?}"
    );
}

/// The editor's settings still go over the nested file, key by key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editor_settings_go_over_a_nested_config_file() {
    let dir = tree(&[
        ("trueconf-lsp.toml", "ignore = [\"TC001\"]\n"),
        (
            "docs/trueconf-lsp.toml",
            "allowed-servers = [\"video.example.com\"]\n[severity]\nTC001 = \"info\"\n",
        ),
    ]);
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start();
    let (root_uri, _) = c
        .initialize_in(
            &root,
            caps(&["utf-32"]),
            json!({"settings": {"severity": {"TC001": "error"}}}),
        )
        .await;
    let uri = format!("{root_uri}/docs/a.md");
    c.open(
        &uri,
        "markdown",
        1,
        "visicall:bob trueconf:bob@evil.example.org\n",
    );
    let p = c.diagnostics(&uri, Some(1)).await;
    let got = from_server(&p);
    let codes: Vec<(&str, &str)> = got
        .iter()
        .map(|(c, s, _)| (c.as_str(), s.as_str()))
        .collect();
    // The editor's severity replaces the file's; the file's allowed-servers
    // stay.
    assert_eq!(codes, [("TC001", "error"), ("TC016", "error")], "{p}");
    assert_eq!(c.shutdown_and_exit().await, 0);
}
