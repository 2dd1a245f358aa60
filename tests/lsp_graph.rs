//! Links as a workspace graph over the in-process client: references,
//! prepareRename and rename across open and unopened files (HTML entities
//! and code strings among them), the outline and workspace symbols.

mod common;
mod lsp_client;

use std::path::Path;

use common::tree;
use lsp_client::*;
use serde_json::{Value, json};
use trueconf_lsp::text::Encoding;

const GUIDE: &str = "# Guide\n\
    Join [the call](trueconf:\\c\\0031213894212@Video.Example.com:4310&encrypt=1).\n\
    Ask trueconf:anna@video.example.com or trueconf:bob@other.example.org.\n";

const PAGE: &str = "<p>Plan: <a href=\"trueconf:\\c\\0031213894212@video.example.com&amp;h=video.example.com&amp;login=u&amp;password=S3cretPW&amp;encrypt=1\">join</a> (video.example.com)</p>\n";

const SCRIPT: &str = "const link = 'trueconf:\\\\c\\\\0031213894212@video.example.com';\n";

fn workspace() -> tempfile::TempDir {
    tree(&[
        ("docs/guide.md", GUIDE),
        ("site/page.html", PAGE),
        ("app/join.js", SCRIPT),
        ("node_modules/dep/x.md", "trueconf:bob@video.example.com\n"),
    ])
}

fn caps_all() -> Value {
    let mut c = caps(&["utf-16"]);
    c["textDocument"]["documentSymbol"] = json!({"hierarchicalDocumentSymbolSupport": true});
    c
}

/// The text each location points at, read from the files on disk (or
/// `open` for the open document).
fn texts_at(root: &Path, locations: &Value, open: (&str, &str)) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = locations
        .as_array()
        .expect("locations")
        .iter()
        .map(|l| {
            let uri = l["uri"].as_str().unwrap();
            let rel = uri
                .strip_prefix(&format!("file://{}/", root.display()))
                .unwrap()
                .to_string();
            let text = if uri == open.0 {
                open.1.to_string()
            } else {
                std::fs::read_to_string(root.join(&rel)).unwrap()
            };
            let start = offset_of(&text, &l["range"]["start"]);
            let end = offset_of(&text, &l["range"]["end"]);
            (rel, text[start..end].to_string())
        })
        .collect();
    out.sort();
    out
}

/// A UTF-16 position's byte offset.
fn offset_of(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let character = pos["character"].as_u64().unwrap() as usize;
    let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= character {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

async fn start(root: &Path) -> (Client, String) {
    let mut c = Client::start();
    let (root_uri, _) = c.initialize_in(root, caps_all(), Value::Null).await;
    (c, root_uri)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn references_to_a_server_and_a_conference_across_the_workspace() {
    let dir = workspace();
    let root = dir.path().canonicalize().unwrap();
    let (mut c, root_uri) = start(&root).await;
    let guide = format!("{root_uri}/docs/guide.md");
    c.open(&guide, "markdown", 1, GUIDE);
    c.diagnostics(&guide, Some(1)).await;

    // On the server of the open document's first link: every link that
    // names it, whatever its case or port, open or not; not the prose
    // mention in the HTML, not node_modules.
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": guide}, "position": c.pos_of(GUIDE, "Video.Example", 3), "context": {"includeDeclaration": true}}),
        )
        .await;
    assert_eq!(
        texts_at(&root, &refs, (&guide, GUIDE)),
        vec![
            ("app/join.js".to_string(), "video.example.com".to_string()),
            ("docs/guide.md".to_string(), "Video.Example.com".to_string()),
            ("docs/guide.md".to_string(), "video.example.com".to_string()),
            (
                "site/page.html".to_string(),
                "video.example.com".to_string()
            ),
            (
                "site/page.html".to_string(),
                "video.example.com".to_string()
            ),
        ]
    );

    // On the conference ID.
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": guide}, "position": c.pos_of(GUIDE, "0031213894212", 2), "context": {"includeDeclaration": true}}),
        )
        .await;
    let got = texts_at(&root, &refs, (&guide, GUIDE));
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(got.iter().all(|(_, t)| t == "0031213894212"), "{got:?}");

    // Outside any link part: nothing.
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": guide}, "position": c.pos_of(GUIDE, "Guide", 1), "context": {"includeDeclaration": true}}),
        )
        .await;
    assert_eq!(refs, Value::Null);
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_a_server_everywhere_and_nothing_else() {
    let dir = workspace();
    let root = dir.path().canonicalize().unwrap();
    let (mut c, root_uri) = start(&root).await;
    let guide = format!("{root_uri}/docs/guide.md");
    // The open document differs from the file on disk: its text counts.
    let open_text = format!("{GUIDE}More: trueconf:carol@VIDEO.example.com\n");
    c.open(&guide, "markdown", 3, &open_text);
    c.diagnostics(&guide, Some(3)).await;

    let at = c.pos_of(&open_text, "anna@video", 6);
    let prepared = c
        .request(
            "textDocument/prepareRename",
            json!({"textDocument": {"uri": guide}, "position": at}),
        )
        .await;
    assert_eq!(prepared["placeholder"], "video.example.com");

    let edit = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": guide}, "position": at, "newName": "meet.example.net"}),
        )
        .await;
    let changes = edit["documentChanges"].as_array().expect("documentChanges");
    let mut touched = Vec::new();
    for dc in changes {
        let uri = dc["textDocument"]["uri"].as_str().unwrap();
        let rel = uri
            .strip_prefix(&format!("{root_uri}/"))
            .unwrap()
            .to_string();
        let (before, version) = if uri == guide {
            (open_text.clone(), json!(3))
        } else {
            (
                std::fs::read_to_string(root.join(&rel)).unwrap(),
                Value::Null,
            )
        };
        assert_eq!(dc["textDocument"]["version"], version, "{rel}");
        let after = apply_edits(&before, dc["edits"].as_array().unwrap(), Encoding::Utf16);
        touched.push((rel, after));
    }
    touched.sort();
    let want_guide = open_text
        .replace("Video.Example.com:4310", "meet.example.net:4310")
        .replace("anna@video.example.com", "anna@meet.example.net")
        .replace("carol@VIDEO.example.com", "carol@meet.example.net");
    assert_eq!(
        touched,
        vec![
            (
                "app/join.js".to_string(),
                SCRIPT.replace("video.example.com", "meet.example.net")
            ),
            ("docs/guide.md".to_string(), want_guide),
            (
                "site/page.html".to_string(),
                PAGE.replacen("video.example.com", "meet.example.net", 2)
            ),
        ]
    );
    // The password was never part of the exchange.
    assert!(!c.wire_text().contains("S3cretPW"));

    // A bad name, a user, a place outside links: refused with a message.
    for (position, name, says) in [
        (at.clone(), "bad host", "not a host name"),
        (c.pos_of(&open_text, "anna@", 1), "x", "cannot be renamed"),
        (c.pos_of(&open_text, "Guide", 1), "x", "there is none here"),
    ] {
        let id = c.send_request(
            "textDocument/rename",
            json!({"textDocument": {"uri": guide}, "position": position, "newName": name}),
        );
        let r = c.response(id).await;
        assert_eq!(r["error"]["code"], -32803, "{r}");
        assert!(
            r["error"]["message"].as_str().unwrap().contains(says),
            "{r}"
        );
    }
    let id = c.send_request(
        "textDocument/prepareRename",
        json!({"textDocument": {"uri": guide}, "position": c.pos_of(&open_text, "Guide", 1)}),
    );
    let r = c.response(id).await;
    assert_eq!(r["error"]["code"], -32803, "{r}");
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_a_conference_id_with_plain_changes() {
    let dir = workspace();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start();
    // A client without documentChanges gets `changes`.
    let (root_uri, _) = c
        .initialize_in(
            &root,
            json!({"general": {"positionEncodings": ["utf-16"]}}),
            Value::Null,
        )
        .await;
    let script = format!("{root_uri}/app/join.js");
    c.open(&script, "javascript", 1, SCRIPT);
    c.diagnostics(&script, None).await;
    let edit = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": script}, "position": c.pos_of(SCRIPT, "0031", 1), "newName": "777"}),
        )
        .await;
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(changes.len(), 3, "{edit}");
    let page = format!("{root_uri}/site/page.html");
    let after = apply_edits(PAGE, changes[&page].as_array().unwrap(), Encoding::Utf16);
    assert_eq!(after, PAGE.replace("0031213894212", "777"));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outline_and_workspace_symbols() {
    let dir = workspace();
    let root = dir.path().canonicalize().unwrap();
    let (mut c, root_uri) = start(&root).await;
    let page = format!("{root_uri}/site/page.html");
    c.open(&page, "html", 1, PAGE);
    c.diagnostics(&page, Some(1)).await;
    let outline = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": page}}),
        )
        .await;
    let links = outline.as_array().unwrap();
    assert_eq!(links.len(), 1, "{outline}");
    let name = links[0]["name"].as_str().unwrap();
    assert!(name.contains("0031213894212"), "{name}");
    let children: Vec<&str> = links[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        children,
        vec![
            "conference ID 0031213894212",
            "server video.example.com",
            "server video.example.com",
            "user u",
        ]
    );

    let found = c
        .request("workspace/symbol", json!({"query": "OTHER.example"}))
        .await;
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]["location"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("docs/guide.md")
    );
    assert!(found[0]["name"].as_str().unwrap().contains("bob"));
    let all = c.request("workspace/symbol", json!({"query": ""})).await;
    // guide: 3 links, page: 1, script: 1; node_modules is excluded.
    assert_eq!(all.as_array().unwrap().len(), 5, "{all}");
    assert!(!c.wire_text().contains("S3cretPW"));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// Completion right after the scheme offers the article's actions, in the
/// host's syntax; the inserted text, placeholders filled, lints clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn link_templates_after_the_scheme() {
    let mut snippet_caps = caps(&["utf-16"]);
    snippet_caps["textDocument"]["completion"] =
        json!({"completionItem": {"snippetSupport": true}});
    let (mut c, _) = Client::initialized(snippet_caps, Value::Null).await;
    let cases = [
        (
            "file:///t/a.html",
            "html",
            "<a href=\"trueconf:\">join</a>\n",
            "trueconf:",
            "trueconf:h=${1:server}&amp;login=${2:login}&amp;force=1",
        ),
        (
            "file:///t/a.js",
            "javascript",
            "const l = 'trueconf:';\n",
            "trueconf:",
            "trueconf:h=${1:server}&login=${2:login}&force=1",
        ),
        (
            "file:///t/a.md",
            "markdown",
            "Old: visicall:\n",
            "visicall:",
            "trueconf:h=${1:server}&login=${2:login}&force=1",
        ),
    ];
    for (uri, lang, text, scheme, sign_in) in cases {
        c.open(uri, lang, 1, text);
        c.diagnostics(uri, Some(1)).await;
        let items = c
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": c.pos_of(text, scheme, scheme.len())}),
            )
            .await;
        let items = items.as_array().expect("items");
        assert_eq!(items.len(), 12, "{uri}");
        let item = items
            .iter()
            .find(|i| i["label"] == "sign in on a server")
            .unwrap();
        assert_eq!(item["insertTextFormat"], 2, "{item}");
        assert_eq!(item["textEdit"]["newText"], sign_in, "{uri}");
        let join = items
            .iter()
            .find(|i| i["label"] == "join a conference")
            .unwrap();
        let want = if lang == "javascript" {
            "trueconf:\\\\\\\\c\\\\\\\\${1:conference-id}"
        } else {
            "trueconf:\\\\c\\\\${1:conference-id}"
        };
        assert_eq!(join["textEdit"]["newText"], want, "{uri}");
    }
    // Not after other text, not in the middle of a link.
    let text = "see xtrueconf: and trueconf:bob\n";
    c.open("file:///t/b.md", "markdown", 1, text);
    c.diagnostics("file:///t/b.md", Some(1)).await;
    for at in [
        c.pos_of(text, "xtrueconf:", 10),
        c.pos_of(text, "trueconf:bob", 9),
    ] {
        let items = c
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": "file:///t/b.md"}, "position": at}),
            )
            .await;
        assert!(
            items.is_null() || items.as_array().unwrap().iter().all(|i| i["kind"] != 15),
            "{items}"
        );
    }
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// Without snippet support the templates are plain text; each one
/// inserted into a JS string and filled in lints clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_templates_lint_clean_once_filled() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let uri = "file:///t/t.js";
    let text = "const l = 'trueconf:';\n";
    c.open(uri, "javascript", 1, text);
    c.diagnostics(uri, Some(1)).await;
    let items = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": c.pos_of(text, "trueconf:", 9)}),
        )
        .await;
    let mut version = 1;
    for item in items.as_array().unwrap() {
        assert_eq!(item["insertTextFormat"], 1, "{item}");
        let inserted = apply_edits(text, &[item["textEdit"].clone()], Encoding::Utf16)
            .replace("[conference-id]", "0031213894212")
            .replace("[camera-host]", "cam.example.com")
            .replace("[stream]", "live")
            .replace("[server]", "video.example.com")
            .replace("[login]", "anna")
            .replace("[user]", "anna");
        assert!(!inserted.contains('['), "{inserted}");
        version += 1;
        c.change(uri, version, json!([{"text": inserted}]));
        let d = c.diagnostics(uri, Some(version)).await;
        assert_eq!(d["diagnostics"], json!([]), "{}: {inserted}", item["label"]);
    }
    assert_eq!(c.shutdown_and_exit().await, 0);
}
