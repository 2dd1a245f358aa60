//! The `online` setting in the language server (issue 17): diagnostics are
//! never delayed by probes; TC020 arrives with a later publish.
//!
//! Names are answered by the `testing` builds' table resolver
//! (`TRUECONF_LSP_TEST_RESOLVER`), never by the system: nothing here opens
//! a connection at all (a name with no address, and one whose resolution
//! hangs until the probe times out). This file is its own test process, so
//! the variable reaches no other test.

mod common;
mod lsp_client;

use std::time::{Duration, Instant};

use lsp_client::*;
use serde_json::{Value, json};

fn tc020(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TC020")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tc020_arrives_with_a_later_publish() {
    // SAFETY: set before the server starts, in a test process of its own.
    unsafe {
        std::env::set_var(
            "TRUECONF_LSP_TEST_RESOLVER",
            "down.example=nxdomain,slow.example=hang",
        );
    }
    let dir = common::tree(&[]);
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start();
    *c.settings.lock().unwrap() = json!({"online": true});
    let (root_uri, _) = c
        .initialize_in(
            &root,
            caps(&["utf-16"]),
            json!({"settings": {"online": true}}),
        )
        .await;
    let uri = format!("{root_uri}/a.md");
    let text = "[a](visicall:bob@down.example) [b](trueconf:bob@slow.example&password=hunter2)\n";
    let started = Instant::now();
    c.open(&uri, "markdown", 1, text);
    let first = c.diagnostics(&uri, Some(1)).await;
    // The probes take up to their 3 s timeout; the lint is not held up.
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(codes(&first["diagnostics"]).contains(&"TC001".to_string()));
    assert_eq!(tc020(&first), Vec::<String>::new());
    let mut later = Vec::new();
    while later.len() < 2 {
        let p = c.diagnostics(&uri, Some(1)).await;
        assert!(codes(&p["diagnostics"]).contains(&"TC001".to_string()));
        later = tc020(&p);
    }
    assert_eq!(
        later,
        [
            "@server `down.example:4307` did not answer: no such host",
            "@server `slow.example:4307` did not answer: timed out after 3 s",
        ]
    );
    // Answers are cached: an edit gets them with its first publish.
    c.change(&uri, 2, json!([{"text": format!("{text}\n")}]));
    let p = c.diagnostics(&uri, Some(2)).await;
    assert_eq!(tc020(&p).len(), 2);
    assert!(!c.wire_text().contains("hunter2"));
    assert_eq!(c.shutdown_and_exit().await, 0);
}
