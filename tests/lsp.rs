//! End-to-end tests of the language server, driven in process over pipes.

mod lsp_client;

use std::time::Duration;

use lsp_client::*;
use serde_json::{Value, json};
use trueconf_lsp::fix::Applicability;
use trueconf_lsp::lsp::Options;
use trueconf_lsp::rules::Config;
use trueconf_lsp::scan::DocKind;
use trueconf_lsp::text::{Encoding, LineIndex};

const MD: &str = "file:///ws/guide.md";
const PW_LINK: &str =
    "trueconf:\\c\\737734033583@video.example.com%23vcs&h=tv&login=user&password=hunter2";
const QUIET: Duration = Duration::from_millis(300);

fn whole(text: &str, c: &Client) -> Value {
    json!({"start": {"line": 0, "character": 0}, "end": c.pos(text, text.len())})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialize_negotiates_position_encoding() {
    for (offered, want) in [
        (vec!["utf-16"], "utf-16"),
        (vec!["utf-16", "utf-8"], "utf-8"),
        (vec!["utf-16", "utf-32"], "utf-32"),
        (vec!["utf-32", "utf-8", "utf-16"], "utf-8"),
        (vec![], "utf-16"),
    ] {
        let (c, r) = Client::initialized(caps(&offered), Value::Null).await;
        let capabilities = &r["capabilities"];
        assert_eq!(capabilities["positionEncoding"], want, "{offered:?}");
        assert_eq!(r["serverInfo"]["name"], "trueconf-lsp");
        assert_eq!(capabilities["textDocumentSync"]["change"], 2);
        assert!(capabilities.get("diagnosticProvider").is_none());
        assert_eq!(c.shutdown_and_exit().await, 0);
    }
    let (c, r) = Client::initialized(pull_caps(&["utf-16"]), Value::Null).await;
    assert_eq!(
        r["capabilities"]["diagnosticProvider"]["workspaceDiagnostics"],
        true
    );
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn did_open_publishes_diagnostics_with_the_version() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let text = format!("# Guide\n\nJoin [the call]({PW_LINK}).\n");
    c.open(MD, "markdown", 7, &text);
    let p = c.diagnostics(MD, Some(7)).await;
    assert_eq!(codes(&p["diagnostics"]), ["TC002", "TC004"]);
    let d = &p["diagnostics"][0];
    assert_eq!(d["source"], "trueconf-lsp");
    assert_eq!(d["severity"], 1);
    // Cargo.toml names no homepage or repository: no documentation link,
    // rather than an invented one.
    assert!(d.get("codeDescription").is_none(), "{d}");
    let start = text.find("trueconf:").unwrap();
    assert_eq!(d["range"]["start"], c.pos(&text, start));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn columns_after_an_emoji_follow_the_encoding() {
    let text = "x\n😀 trueconf:login=u&password=secret1\n";
    let mut columns = Vec::new();
    for enc in ["utf-16", "utf-8", "utf-32"] {
        let (mut c, _) = Client::initialized(caps(&[enc]), Value::Null).await;
        c.open(MD, "markdown", 1, text);
        let p = c.diagnostics(MD, Some(1)).await;
        let d = &p["diagnostics"][0];
        assert_eq!(d["code"], "TC002");
        assert_eq!(d["range"]["start"]["line"], 1);
        columns.push(d["range"]["start"]["character"].as_u64().unwrap());
        // Edits in this encoding land where the client means them.
        let end = c.pos_of(text, "secret1", 7);
        c.change(
            MD,
            2,
            json!([{"range": {"start": end, "end": end}, "text": "&encrypt=1"}]),
        );
        let p = c.diagnostics(MD, Some(2)).await;
        assert_eq!(codes(&p["diagnostics"]), ["TC004"], "{enc}");
        assert_eq!(c.shutdown_and_exit().await, 0);
    }
    // 😀 is 2 UTF-16 units, 4 UTF-8 bytes, 1 character; then a space.
    assert_eq!(columns, [3, 5, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crlf_documents_keep_their_line_breaks() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let mut model = "line one\r\n[a](trueconf:login=u&password=p1)\r\nlast\r\n".to_string();
    c.open(MD, "markdown", 1, &model);
    let p = c.diagnostics(MD, Some(1)).await;
    assert_eq!(p["diagnostics"][0]["range"]["start"]["line"], 1);
    assert_eq!(p["diagnostics"][0]["range"]["start"]["character"], 4);
    // Insert before the `)` of line 1, and past the end of line 0.
    let at = c.pos_of(&model, ")", 0);
    c.change(
        MD,
        2,
        json!([
            {"range": {"start": at, "end": at}, "text": "&encrypt=1"},
            {"range": {"start": {"line": 0, "character": 999}, "end": {"line": 0, "character": 999}}, "text": "!"},
        ]),
    );
    model = model
        .replace(")", "&encrypt=1)")
        .replacen("line one", "line one!", 1);
    let p = c.diagnostics(MD, Some(2)).await;
    assert_eq!(codes(&p["diagnostics"]), ["TC004"]);
    assert_eq!(c.server_text(MD).await, (2, model.clone()));
    // A lone CR is a line break too.
    c.change(
        MD,
        3,
        json!([{"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 0}}, "text": "a\rb "}]),
    );
    model = model.replace("last", "a\rb last");
    assert_eq!(c.server_text(MD).await, (3, model));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_changes_relint_each_version() {
    let (mut c, _) = Client::initialized(caps(&["utf-8"]), Value::Null).await;
    let text = "call trueconf:bob now\n";
    c.open(MD, "markdown", 1, text);
    assert_eq!(c.diagnostics(MD, Some(1)).await["diagnostics"], json!([]));
    let at = c.pos_of(text, " now", 0);
    // Two changes in one notification, the second relative to the first.
    c.change(
        MD,
        2,
        json!([
            {"range": {"start": at, "end": at}, "text": "&login=u"},
            {"range": {"start": {"line": 0, "character": 25}, "end": {"line": 0, "character": 25}}, "text": "&password=x"},
        ]),
    );
    let p = c.diagnostics(MD, Some(2)).await;
    assert_eq!(codes(&p["diagnostics"]), ["TC002", "TC004"]);
    assert_eq!(
        c.server_text(MD).await.1,
        "call trueconf:bob&login=u&password=x now\n"
    );
    // A full replacement.
    c.change(MD, 5, json!([{"text": "visicall:bob"}]));
    let p = c.diagnostics(MD, Some(5)).await;
    assert_eq!(codes(&p["diagnostics"]), ["TC001"]);
    // A stale version is ignored.
    c.change(MD, 4, json!([{"text": "ignored"}]));
    assert_eq!(c.server_text(MD).await, (5, "visicall:bob".to_string()));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pull_mode_never_publishes() {
    let (mut c, _) = Client::initialized(pull_caps(&["utf-16"]), Value::Null).await;
    let text = format!("[x]({PW_LINK})\n");
    c.open(MD, "markdown", 1, &text);
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": MD}}),
        )
        .await;
    assert_eq!(r["kind"], "full");
    assert_eq!(codes(&r["items"]), ["TC002", "TC004"]);
    let id = r["resultId"].clone();
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": MD}, "previousResultId": id}),
        )
        .await;
    assert_eq!(r["kind"], "unchanged");
    c.change(MD, 2, json!([{"text": "trueconf:bob"}]));
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": MD}, "previousResultId": id}),
        )
        .await;
    assert_eq!(r["kind"], "full");
    assert_eq!(r["items"], json!([]));
    // A settings change asks the client to pull again.
    *c.settings.lock().unwrap() = json!({"ignore": ["TC015"]});
    c.notify("workspace/didChangeConfiguration", json!({"settings": {}}));
    assert!(
        c.wait_for("workspace/diagnostic/refresh", TIMEOUT, |_| true)
            .await
            .is_some()
    );
    c.close(MD);
    c.drain(QUIET).await;
    assert!(c.taken("textDocument/publishDiagnostics").is_empty());
    assert!(!c.wire_text().contains("publishDiagnostics"));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn did_close_clears_diagnostics() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    c.open(MD, "markdown", 1, "visicall:bob\n");
    assert_eq!(
        codes(&c.diagnostics(MD, Some(1)).await["diagnostics"]),
        ["TC001"]
    );
    // Edits and a close in a burst: the last word is an empty list.
    for v in 2..20 {
        c.change(MD, v, json!([{"text": format!("visicall:bob{v}\n")}]));
    }
    c.close(MD);
    c.drain(QUIET).await;
    let publishes: Vec<Value> = c
        .taken("textDocument/publishDiagnostics")
        .into_iter()
        .filter(|p| p["uri"] == MD)
        .collect();
    // Whatever was still in flight came before the clear; nothing after.
    let last = publishes.last().expect("a clearing publish");
    assert_eq!(last["diagnostics"], json!([]), "{publishes:#?}");
    assert!(last.get("version").is_none_or(Value::is_null));
    assert_eq!(
        publishes
            .iter()
            .filter(|p| p["diagnostics"] == json!([]))
            .count(),
        1
    );
    assert_eq!(c.shutdown_and_exit().await, 0);
}

async fn actions(c: &mut Client, uri: &str, range: Value, only: Value) -> Vec<Value> {
    let mut context = json!({"diagnostics": []});
    if !only.is_null() {
        context["only"] = only;
    }
    c.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range, "context": context}),
    )
    .await
    .as_array()
    .unwrap()
    .clone()
}

fn titled<'a>(actions: &'a [Value], title: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"] == title)
        .unwrap_or_else(|| panic!("no action {title:?} in {actions:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quickfix_fix_all_and_disable_line_edits() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let text = format!("See 😀 [join]({PW_LINK}) now.\n<a href=\"trueconf:bob&do=chat\">x</a>\n");
    c.open(MD, "markdown", 3, &text);
    let p = c.diagnostics(MD, Some(3)).await;
    let d = p["diagnostics"][0].clone();
    assert_eq!(d["code"], "TC002");
    let list = actions(&mut c, MD, d["range"].clone(), Value::Null).await;

    let add = titled(&list, "Add encrypt=1");
    assert_eq!(add["kind"], "quickfix");
    assert_eq!(add["isPreferred"], true);
    assert_eq!(add["diagnostics"][0]["code"], "TC002");
    let fixed = apply_workspace_edit(&text, &add["edit"], MD, Some(3), c.encoding);
    assert_eq!(fixed, text.replace("hunter2)", "hunter2&encrypt=1)"));

    let remove = titled(&list, "Remove the password parameter");
    assert!(remove.get("isPreferred").is_none());

    let disable = titled(&list, "Disable TC002 for this line");
    let disabled = apply_workspace_edit(&text, &disable["edit"], MD, Some(3), c.encoding);
    assert_eq!(
        disabled,
        text.replacen(
            "now.\n",
            "now. <!-- trueconf-lsp-disable-line TC002 -->\n",
            1
        )
    );

    let all = {
        let range = whole(&text, &c);
        actions(&mut c, MD, range, json!(["source.fixAll"])).await
    };
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["kind"], "source.fixAll.trueconf-lsp");
    let fixed = apply_workspace_edit(&text, &all[0]["edit"], MD, Some(3), c.encoding);
    let want = trueconf_lsp::fix_all(
        &text,
        DocKind::Markdown,
        &Config::default(),
        Applicability::Safe,
    );
    assert_eq!(fixed, want.text);
    assert!(fixed.contains("&amp;do=chat") && fixed.contains("hunter2&encrypt=1"));

    // No fix-all on a cursor move unless source actions were asked for.
    let automatic = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": MD}, "range": d["range"],
                "context": {"diagnostics": [], "triggerKind": 2}}),
        )
        .await;
    let kinds: Vec<&Value> = automatic
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["kind"])
        .collect();
    assert!(kinds.iter().all(|k| *k == "quickfix"), "{kinds:?}");
    assert!(
        list.iter()
            .any(|a| a["kind"] == "source.fixAll.trueconf-lsp")
    );

    // Only quick-fixes when asked for quick-fixes.
    let quick = {
        let range = whole(&text, &c);
        actions(&mut c, MD, range, json!(["quickfix"])).await
    };
    assert!(quick.iter().all(|a| a["kind"] == "quickfix"));

    // Comment syntax follows the language; plain text has none.
    let py = "file:///ws/app.py";
    let py_text = "URL = \"trueconf:login=u&password=p\"\n";
    c.open(py, "python", 1, py_text);
    c.diagnostics(py, Some(1)).await;
    let list = {
        let range = whole(py_text, &c);
        actions(&mut c, py, range, json!(["quickfix"])).await
    };
    let disable = titled(&list, "Disable TC002 for this line");
    assert_eq!(
        apply_workspace_edit(py_text, &disable["edit"], py, Some(1), c.encoding),
        "URL = \"trueconf:login=u&password=p\" # trueconf-lsp-disable-line TC002\n"
    );
    let txt = "file:///ws/notes.txt";
    c.open(txt, "plaintext", 1, py_text);
    c.diagnostics(txt, Some(1)).await;
    let list = {
        let range = whole(py_text, &c);
        actions(&mut c, txt, range, Value::Null).await
    };
    assert!(!list.is_empty());
    assert!(
        list.iter()
            .all(|a| !a["title"].as_str().unwrap().starts_with("Disable"))
    );
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// With a client that resolves code actions, fix-all goes out without its
/// edit and with only the document and version as `data`; resolving it
/// gives the edit of that version, stamped with it. A resolve for a version
/// the document has left gives no edit (reliability item 15). Quick-fixes
/// keep their edits.
/// "Disable … for this line" is offered only where the comment it writes
/// is one: not on a line of a fenced block or of a `<script>` (another
/// language's code, where `<!-- … -->` silences nothing), nor inside an
/// HTML tag that goes on past the line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disable_line_only_where_a_comment_works() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let cases = [
        (
            "file:///ws/d.md",
            "markdown",
            "visicall:a\n```js\nconst u = \"trueconf:\\c\\12@srv\";\n```\n```\nvisicall:b\n```\n",
            vec![true, false, false],
        ),
        (
            "file:///ws/d.html",
            "html",
            "<p>visicall:a</p>\n<script>\nlocation = \"visicall:b\";\n</script>\n<a href=\"visicall:c\"\n   title=\"x\">y</a>\n<a href=\"visicall:d\">z</a>\n",
            vec![true, false, false, true],
        ),
        (
            "file:///ws/d.py",
            "python",
            "a = \"visicall:a\"\nb = \"visicall:b\" \\\n    \"x\"\nc = '''\nvisicall:c\n'''\n",
            vec![true, false, false],
        ),
    ];
    for (uri, lang, text, offered) in cases {
        c.open(uri, lang, 1, text);
        let p = c.diagnostics(uri, Some(1)).await;
        let diags = p["diagnostics"].as_array().unwrap().clone();
        assert_eq!(diags.len(), offered.len(), "{uri}: {diags:#?}");
        for (d, want) in diags.iter().zip(offered) {
            let list = actions(&mut c, uri, d["range"].clone(), Value::Null).await;
            let code = d["code"].as_str().unwrap();
            let has = list
                .iter()
                .any(|a| a["title"] == format!("Disable {code} for this line"));
            assert_eq!(has, want, "{uri} {d}");
        }
    }
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_is_resolved_when_the_client_resolves_edits() {
    let (mut c, init) = Client::initialized(resolve_caps(&["utf-16"]), Value::Null).await;
    assert_eq!(
        init["capabilities"]["codeActionProvider"]["resolveProvider"],
        true
    );
    let text = format!("See 😀 [join]({PW_LINK}) now.\n<a href=\"trueconf:bob&do=chat\">x</a>\n");
    c.open(MD, "markdown", 3, &text);
    let d = c.diagnostics(MD, Some(3)).await["diagnostics"][0].clone();
    let want = trueconf_lsp::fix_all(
        &text,
        DocKind::Markdown,
        &Config::default(),
        Applicability::Safe,
    );

    // As VS Code's codeActionsOnSave asks: by kind, over the whole text.
    let all = {
        let range = whole(&text, &c);
        actions(&mut c, MD, range, json!(["source.fixAll"])).await
    };
    assert_eq!(all.len(), 1, "{all:#?}");
    let pending = all[0].clone();
    assert_eq!(pending["kind"], "source.fixAll.trueconf-lsp");
    assert!(pending.get("edit").is_none(), "{pending}");
    assert_eq!(pending["data"], json!({"uri": MD, "version": 3}));
    // Nothing of the text: no password, no link, no words of it.
    let wire = pending.to_string();
    assert!(!wire.contains("hunter2") && !wire.contains("join") && !wire.contains("bob"));
    assert!(!pending["data"].to_string().contains("trueconf:"));

    // Asked without a kind: quick-fixes come with edits, fix-all without.
    let list = actions(&mut c, MD, d["range"].clone(), Value::Null).await;
    let add = titled(&list, "Add encrypt=1");
    let fixed = apply_workspace_edit(&text, &add["edit"], MD, Some(3), c.encoding);
    assert_eq!(fixed, text.replace("hunter2)", "hunter2&encrypt=1)"));
    let lazy = titled(&list, "Fix all safe trueconf: problems");
    assert!(lazy.get("edit").is_none(), "{lazy}");

    let resolved = c.request("codeAction/resolve", pending.clone()).await;
    assert_eq!(resolved["title"], pending["title"]);
    assert_eq!(resolved["kind"], pending["kind"]);
    let fixed = apply_workspace_edit(&text, &resolved["edit"], MD, Some(3), c.encoding);
    assert_eq!(fixed, want.text);
    assert!(fixed.contains("&amp;do=chat") && fixed.contains("hunter2&encrypt=1"));
    // No edit sends the password back.
    for edit in resolved["edit"]["documentChanges"][0]["edits"]
        .as_array()
        .unwrap()
    {
        assert!(!edit["newText"].as_str().unwrap().contains("hunter2"));
    }

    // The document moves on: the old action resolves to no edit, a new
    // one to the edit of the new version.
    let mut text = text;
    text.insert(0, 'x');
    c.change(
        MD,
        4,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]),
    );
    let stale = c.request("codeAction/resolve", pending.clone()).await;
    assert!(stale.get("edit").is_none(), "{stale}");
    assert_eq!(stale["kind"], "source.fixAll.trueconf-lsp");
    let all = {
        let range = whole(&text, &c);
        actions(&mut c, MD, range, json!(["source.fixAll"])).await
    };
    assert_eq!(all[0]["data"], json!({"uri": MD, "version": 4}));
    let resolved = c.request("codeAction/resolve", all[0].clone()).await;
    assert_eq!(
        apply_workspace_edit(&text, &resolved["edit"], MD, Some(4), c.encoding),
        format!("x{}", want.text)
    );

    // Closed: nothing to resolve against.
    c.close(MD);
    let closed = c.request("codeAction/resolve", all[0].clone()).await;
    assert!(closed.get("edit").is_none(), "{closed}");

    // Other actions, and data that does not name a pending fix-all, come
    // back as they were.
    for other in [
        add.clone(),
        json!({"title": "x", "kind": "source.fixAll.trueconf-lsp", "data": {"uri": 5}}),
        json!({"title": "x", "kind": "quickfix", "data": {"uri": MD, "version": 4}}),
    ] {
        assert_eq!(c.request("codeAction/resolve", other.clone()).await, other);
    }
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// `codeAction/resolve` is answered on the document as it was when the
/// request arrived, like every request that names a document: a resolve
/// sent before an edit gets the edit of the version it names, stamped with
/// it, even with handlers paused so that the edit is applied first; one
/// sent after the edit gets no edit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_resolve_sees_the_document_as_sent() {
    let mut c = Client::start_with(Options {
        test_delays: true,
        ..options()
    });
    c.initialize(resolve_caps(&["utf-16"]), Value::Null).await;
    let mut text = format!("[join]({PW_LINK})\nvisicall:bob\n");
    c.open(MD, "markdown", 1, &text);
    for version in 1..=20 {
        let all = {
            let range = whole(&text, &c);
            actions(&mut c, MD, range, json!(["source.fixAll"])).await
        };
        assert_eq!(all.len(), 1, "{all:#?}");
        assert_eq!(all[0]["data"]["version"], version);
        let before = c.send_request("codeAction/resolve", all[0].clone());
        let insert = json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "a "}]);
        c.change(MD, version + 1, insert);
        let after = c.send_request("codeAction/resolve", all[0].clone());
        let want = trueconf_lsp::fix_all(
            &text,
            DocKind::Markdown,
            &Config::default(),
            Applicability::Safe,
        );
        let r = c.response(before).await;
        let edit = &r["result"]["edit"];
        assert!(edit.is_object(), "{r}");
        assert_eq!(
            apply_workspace_edit(&text, edit, MD, Some(version), c.encoding),
            want.text
        );
        let r = c.response(after).await;
        assert!(r["result"].get("edit").is_none(), "{r}");
        text.insert_str(0, "a ");
    }
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// Without `codeAction/resolve` support for `edit` (or without `data`
/// kept between the requests), fix-all comes with its edit, as before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_all_is_eager_without_resolve_support() {
    let mut no_data = resolve_caps(&["utf-16"]);
    no_data["textDocument"]["codeAction"]["dataSupport"] = json!(false);
    let mut other_props = resolve_caps(&["utf-16"]);
    other_props["textDocument"]["codeAction"]["resolveSupport"]["properties"] = json!(["command"]);
    let mut no_literals = resolve_caps(&["utf-16"]);
    no_literals["textDocument"]["codeAction"]
        .as_object_mut()
        .unwrap()
        .remove("codeActionLiteralSupport");
    for capabilities in [caps(&["utf-16"]), no_data, other_props, no_literals] {
        let (mut c, _) = Client::initialized(capabilities.clone(), Value::Null).await;
        let text = "visicall:bob\n";
        c.open(MD, "markdown", 1, text);
        c.diagnostics(MD, Some(1)).await;
        let all = {
            let range = whole(text, &c);
            actions(&mut c, MD, range, json!(["source.fixAll"])).await
        };
        assert_eq!(all.len(), 1, "{capabilities}: {all:#?}");
        assert!(all[0].get("data").is_none(), "{capabilities}: {all:#?}");
        assert_eq!(
            apply_workspace_edit(text, &all[0]["edit"], MD, Some(1), c.encoding),
            "trueconf:bob\n"
        );
        assert_eq!(c.shutdown_and_exit().await, 0);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_without_document_changes_use_the_changes_map() {
    let mut capabilities = caps(&["utf-8"]);
    capabilities["workspace"]["workspaceEdit"] = json!({});
    let (mut c, _) = Client::initialized(capabilities, Value::Null).await;
    let text = "visicall:bob\n";
    c.open(MD, "markdown", 1, text);
    c.diagnostics(MD, Some(1)).await;
    let list = {
        let range = whole(text, &c);
        actions(&mut c, MD, range, json!(["quickfix"])).await
    };
    let edit = &list[0]["edit"];
    assert!(edit.get("documentChanges").is_none());
    assert_eq!(
        apply_workspace_edit(text, edit, MD, None, c.encoding),
        "trueconf:bob\n"
    );
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hover_explains_a_link_without_its_password() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let text =
        format!("Join [here]({PW_LINK}&autoclose=1) or trueconf:#rtsp:%2f%2fcam:554%2flive.\n");
    c.open(MD, "markdown", 1, &text);
    c.diagnostics(MD, Some(1)).await;
    let at = c.pos_of(&text, "737734033583", 3);
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": MD}, "position": at}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert_eq!(h["contents"]["kind"], "markdown");
    for want in [
        "join conference 737734033583 on video.example.com",
        "1. connect to server tv",
        "2. sign in as user with password `***`",
        "3. join conference 737734033583 on video.example.com",
        "4. close the app when the call ends",
        "| conference ID | `737734033583` |",
        "| password= | `***` |",
        "TC002 missing-encrypt (error)",
    ] {
        assert!(md.contains(want), "{want:?} not in\n{md}");
    }
    assert!(!md.contains("hunter2"));
    let start = text.find("trueconf:").unwrap();
    assert_eq!(h["range"]["start"], c.pos(&text, start));

    let at = c.pos_of(&text, "rtsp", 0);
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": MD}, "position": at}),
        )
        .await;
    let md = h["contents"]["value"].as_str().unwrap();
    assert!(md.contains("rtsp://cam:554/live"), "{md}");

    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": MD}, "position": {"line": 0, "character": 1}}),
        )
        .await;
    assert_eq!(h, Value::Null);
    assert_eq!(c.shutdown_and_exit().await, 0);
}

async fn complete(c: &mut Client, uri: &str, text: &str, offset: usize) -> Vec<Value> {
    let r = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": c.pos(text, offset)}),
        )
        .await;
    r.as_array().cloned().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completion_of_names_and_values() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let text = "a trueconf:bob&login=u& b\nc trueconf:bob&encrypt= d\n";
    c.open(MD, "markdown", 1, text);
    let after_amp = text.find("u& b").unwrap() + 2;
    let items = complete(&mut c, MD, text, after_amp).await;
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(
        labels.contains(&"encrypt") && labels.contains(&"h"),
        "{labels:?}"
    );
    assert!(!labels.contains(&"login"), "present keys are not offered");
    let encrypt = items.iter().find(|i| i["label"] == "encrypt").unwrap();
    assert!(
        encrypt["documentation"]["value"]
            .as_str()
            .unwrap()
            .contains("encrypts the password")
    );
    let done = apply_edits(text, &[encrypt["textEdit"].clone()], c.encoding);
    assert!(done.starts_with("a trueconf:bob&login=u&encrypt= b"));

    let after_eq = text.find("encrypt= d").unwrap() + 8;
    let items = complete(&mut c, MD, text, after_eq).await;
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["1", "0"]);

    let html = "file:///ws/page.html";
    let page = "<a href=\"trueconf:bob&amp;\">x</a>\n<a href=\"trueconf:ann&\">y</a>\n";
    c.open(html, "html", 1, page);
    let after_entity = page.find("&amp;").unwrap() + 5;
    let items = complete(&mut c, html, page, after_entity).await;
    let item = items.iter().find(|i| i["label"] == "do").unwrap();
    assert_eq!(
        apply_edits(page, &[item["textEdit"].clone()], c.encoding),
        page.replacen("&amp;\"", "&amp;do=\"", 1)
    );
    let after_raw = page.find("ann&").unwrap() + 4;
    let items = complete(&mut c, html, page, after_raw).await;
    let item = items.iter().find(|i| i["label"] == "force").unwrap();
    assert_eq!(item["textEdit"]["newText"], "&amp;force=");
    assert_eq!(
        apply_edits(page, &[item["textEdit"].clone()], c.encoding),
        page.replace("ann&\"", "ann&amp;force=\"")
    );
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn document_links_for_every_link() {
    let (mut c, init) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    // Every target is in the answer; nothing is left to resolve.
    assert_eq!(
        init["capabilities"]["documentLinkProvider"]["resolveProvider"],
        false
    );
    let text = format!(
        "[a](trueconf:\\c\\123@video.example.com%23vcs) and <trueconf:bob@h&do=chat>\n[b]({PW_LINK})\n"
    );
    c.open(MD, "markdown", 1, &text);
    let links = c
        .request(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": MD}}),
        )
        .await;
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 3);
    assert_eq!(
        links[0]["target"],
        "trueconf:%5Cc%5C123@video.example.com%23vcs"
    );
    assert_eq!(
        links[0]["tooltip"],
        "join conference 123 on video.example.com"
    );
    assert_eq!(links[1]["target"], "trueconf:bob@h&do=chat");
    assert_eq!(links[1]["tooltip"], "open a chat with bob on h");
    let start = text.find("trueconf:bob").unwrap();
    assert_eq!(links[1]["range"]["start"], c.pos(&text, start));
    // The link with a password has no target, even when resolved: the
    // tooltip says why and shows the password as `***`.
    assert!(links[2].get("target").is_none(), "{}", links[2]);
    assert!(links[2].get("data").is_none(), "{}", links[2]);
    let tooltip = links[2]["tooltip"].as_str().unwrap();
    assert!(
        tooltip.starts_with("join conference 737734033583 on video.example.com"),
        "{tooltip}"
    );
    assert!(tooltip.contains("carries a password"), "{tooltip}");
    assert!(tooltip.contains("&password=***"), "{tooltip}");
    let resolved = c.request("documentLink/resolve", links[2].clone()).await;
    assert!(resolved.get("target").is_none(), "{resolved}");
    assert_eq!(resolved["range"], links[2]["range"]);
    assert!(!c.wire_text().contains("hunter2"));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inlay_hints_name_the_action_and_can_be_switched_off() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let text = "Join trueconf:\\c\\737734033583@video.example.com%23vcs today\n";
    c.open(MD, "markdown", 1, text);
    let range = whole(text, &c);
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": MD}, "range": range}),
        )
        .await;
    assert_eq!(
        hints[0]["label"],
        "join conference 737734033583 on video.example.com"
    );
    assert_eq!(hints[0]["position"], c.pos_of(text, " today", 0));
    assert_eq!(hints.as_array().unwrap().len(), 1);

    c.drain(QUIET).await;
    *c.settings.lock().unwrap() = json!({"inlay-hints": false});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    assert!(
        c.wait_for("workspace/inlayHint/refresh", TIMEOUT, |_| true)
            .await
            .is_some()
    );
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": MD}, "range": range}),
        )
        .await;
    assert_eq!(hints, json!([]));
    assert_eq!(c.shutdown_and_exit().await, 0);

    // Off from the start, through initializationOptions.
    let (mut c, _) = Client::initialized(
        caps(&["utf-16"]),
        json!({"settings": {"inlayHints": false}}),
    )
    .await;
    c.open(MD, "markdown", 1, text);
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": MD}, "range": range}),
        )
        .await;
    assert_eq!(hints, json!([]));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_change_diagnostics_without_a_restart() {
    let (mut c, _) = Client::initialized(
        caps(&["utf-16"]),
        json!({"settings": {"severity": {"TC002": "warning"}, "colour": "red"}}),
    )
    .await;
    let text = format!("[x]({PW_LINK})\n");
    c.open(MD, "markdown", 1, &text);
    let p = c.diagnostics(MD, Some(1)).await;
    // The editor's workspace/configuration answer ({}) replaces the
    // initialization settings once it arrives; wait for a stable state.
    let _ = p;
    c.drain(QUIET).await;
    c.taken("textDocument/publishDiagnostics");

    *c.settings.lock().unwrap() = json!({"ignore": ["TC002"], "unknown-key": 1});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let p = c
        .wait_for("textDocument/publishDiagnostics", TIMEOUT, |p| {
            p["uri"] == MD && !codes(&p["diagnostics"]).contains(&"TC002".to_string())
        })
        .await
        .expect("diagnostics without TC002");
    assert_eq!(codes(&p["diagnostics"]), ["TC004"]);
    assert_eq!(p["version"], 1);

    *c.settings.lock().unwrap() = json!({"severity": {"TC004": "error"}});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let p = c
        .wait_for("textDocument/publishDiagnostics", TIMEOUT, |p| {
            p["uri"] == MD && p["diagnostics"].as_array().unwrap().len() == 2
        })
        .await
        .expect("TC002 back");
    assert_eq!(p["diagnostics"][1]["code"], "TC004");
    assert_eq!(p["diagnostics"][1]["severity"], 1);

    // A bad value keeps the previous settings and tells the user.
    *c.settings.lock().unwrap() = json!({"select": "TC002"});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    let msg = c
        .wait_for("window/showMessage", TIMEOUT, |_| true)
        .await
        .expect("a message");
    assert!(msg["message"].as_str().unwrap().contains("invalid"));
    c.drain(QUIET).await;
    assert!(c.taken("textDocument/publishDiagnostics").is_empty());
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn initialization_settings_apply_without_workspace_configuration() {
    let mut capabilities = caps(&["utf-16"]);
    capabilities["workspace"]["configuration"] = json!(false);
    let (mut c, _) = Client::initialized(
        capabilities,
        json!({"settings": {"select": ["TC004"], "severity": {"TC004": "hint"}}}),
    )
    .await;
    c.open(MD, "markdown", 1, &format!("[x]({PW_LINK})\n"));
    let p = c.diagnostics(MD, Some(1)).await;
    assert_eq!(codes(&p["diagnostics"]), ["TC004"]);
    assert_eq!(p["diagnostics"][0]["severity"], 4);
    // Pushed settings in didChangeConfiguration are used when the client
    // cannot be asked.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"trueconf-lsp": {"select": ["TC002"]}}}),
    );
    let p = c
        .wait_for("textDocument/publishDiagnostics", TIMEOUT, |p| {
            codes(&p["diagnostics"]) == ["TC002"]
        })
        .await;
    assert!(p.is_some());
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// A small deterministic generator for the stress test.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn boundaries(s: &str) -> Vec<usize> {
    s.char_indices().map(|(i, _)| i).chain([s.len()]).collect()
}

/// The diagnostics a fresh lint of `text` gives, as the server sends them.
fn fresh_diagnostics(text: &str, enc: Encoding) -> Value {
    use trueconf_lsp::lsp::convert::{self, Lines};
    let analysis = trueconf_lsp::analyze(text, DocKind::Markdown, &Config::default());
    let index = LineIndex::new(text);
    let lines = Lines::new(text, &index, enc);
    serde_json::to_value(convert::diagnostics(
        &analysis.diagnostics,
        &lines,
        Options::default().max_diagnostics,
        None,
    ))
    .unwrap()
}

/// Reliability item 3: on a multi-thread runtime, with the test hook that
/// pauses handlers, lint tasks and the publisher at their await points,
/// 500 random incremental changes interleaved with requests sent without
/// waiting for replies: hover, completion and a quick-fix `codeAction` at
/// a random position, a fix-all `codeAction` over the whole text, a
/// `textDocument/diagnostic` pull, and a probe of the server's text. Every
/// answer must have been computed on the text with exactly the edits sent
/// before it: the probe's text is the model's, the pulled diagnostics are
/// those of a fresh lint of the model at that point, and the fix-all edit
/// applied to that model gives a fresh `fix_all` of it. In push mode the
/// publishes never go back in version and the last is for the final one.
async fn edits_and_requests_stay_in_wire_order(pull: bool) {
    const PIECES: &[&str] = &[
        "x",
        "😀",
        "中",
        "\r\n",
        "\n",
        "\r",
        "&",
        "trueconf:",
        "login=u&password=p",
        " ",
        "é",
        "\u{2028}",
    ];
    let mut c = Client::start_with(Options {
        test_delays: true,
        ..options()
    });
    let capabilities = if pull {
        pull_caps(&["utf-16"])
    } else {
        caps(&["utf-16"])
    };
    c.initialize(capabilities, Value::Null).await;
    let mut model = "Start [a](trueconf:bob) 😀\r\nline two trueconf:ann\n".to_string();
    c.open(MD, "markdown", 1, &model);
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut probes = Vec::new();
    let mut others = Vec::new();
    let mut edits = 0;
    let mut version = 1;
    while edits < 500 {
        let b = boundaries(&model);
        let mut x = b[rng.below(b.len())];
        let mut y = b[rng.below(b.len())];
        if x > y {
            std::mem::swap(&mut x, &mut y);
        }
        // Mostly short deletions.
        if y - x > 8 {
            y = x;
        }
        // Never split a CRLF with an edit boundary.
        let splits =
            |at: usize| at > 0 && model[..at].ends_with('\r') && model[at..].starts_with('\n');
        if splits(x) || splits(y) {
            continue;
        }
        let insert = if rng.below(3) == 0 {
            String::new()
        } else {
            PIECES[rng.below(PIECES.len())].to_string()
        };
        let range = json!({"start": c.pos(&model, x), "end": c.pos(&model, y)});
        model.replace_range(x..y, &insert);
        version += 1;
        edits += 1;
        c.change(MD, version, json!([{"range": range, "text": insert}]));
        if edits % 5 == 0 {
            let pos = c.pos(&model, boundaries(&model)[rng.below(model.chars().count())]);
            let all = whole(&model, &c);
            let diagnostic = c.send_request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": MD}}),
            );
            let fix_all = c.send_request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": MD}, "range": all, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
            );
            let text = c.send_request("trueconf-lsp/debugText", json!({"uri": MD}));
            probes.push((text, diagnostic, fix_all, version, model.clone()));
            for (method, params) in [
                (
                    "textDocument/hover",
                    json!({"textDocument": {"uri": MD}, "position": pos}),
                ),
                (
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": MD}, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}}),
                ),
                (
                    "textDocument/completion",
                    json!({"textDocument": {"uri": MD}, "position": pos}),
                ),
            ] {
                others.push(c.send_request(method, params));
            }
        }
    }
    let mut fixes_checked = 0;
    let mut with_findings = 0;
    let mut distinct = std::collections::HashSet::new();
    for (text, diagnostic, fix_all, version, model) in probes {
        let r = c.response(text).await;
        assert_eq!(r["result"]["version"], version);
        assert_eq!(
            r["result"]["text"].as_str().unwrap(),
            model,
            "the request saw exactly the edits sent before it"
        );
        let r = c.response(diagnostic).await;
        assert_eq!(r["result"]["kind"], "full", "{r}");
        let expected = fresh_diagnostics(&model, c.encoding);
        assert_eq!(
            r["result"]["items"], expected,
            "pulled diagnostics of version {version} are a fresh lint of its text"
        );
        with_findings += usize::from(expected != json!([]));
        distinct.insert(expected.to_string());
        let r = c.response(fix_all).await;
        // An editor feature overtaken by later edits may be answered
        // ContentModified instead of linting an outdated text.
        if r.get("error").is_some() {
            assert_eq!(r["error"]["code"], -32801, "{r}");
            continue;
        }
        fixes_checked += 1;
        let fresh = trueconf_lsp::fix_all(
            &model,
            DocKind::Markdown,
            &Config::default(),
            Applicability::Safe,
        );
        match r["result"].as_array().and_then(|a| a.first()) {
            Some(a) => assert_eq!(
                apply_workspace_edit(&model, &a["edit"], MD, Some(version), c.encoding),
                fresh.text,
                "fix-all of version {version}"
            ),
            None => assert_eq!(fresh.text, model, "no fix-all for version {version}"),
        }
    }
    // The pull before each fix-all linted its version, so the fix-all is
    // answered, unless the lint was still running when it was asked.
    assert!(
        fixes_checked >= 50,
        "only {fixes_checked} fix-alls answered"
    );
    // The edits make and break links: the check compares many different
    // findings, not the same empty list (the edit script is fixed: 31 of
    // the 100 pulls have findings, in 17 different lists).
    eprintln!(
        "{with_findings} pulls with findings, {} different lists, {fixes_checked} fix-alls checked",
        distinct.len()
    );
    assert!(
        with_findings >= 25,
        "only {with_findings} probes with findings"
    );
    assert!(
        distinct.len() >= 10,
        "only {} different lists",
        distinct.len()
    );
    for id in others {
        let r = c.response(id).await;
        assert!(
            r.get("error").is_none() || r["error"]["code"] == -32801,
            "{r}"
        );
    }
    let (version, text) = c.server_text(MD).await;
    assert_eq!(text, model);
    if pull {
        c.drain(QUIET).await;
        assert!(c.taken("textDocument/publishDiagnostics").is_empty());
    } else {
        // The last publish is for the final version, and versions never
        // go back.
        let last = c.diagnostics(MD, Some(version)).await;
        assert_eq!(last["diagnostics"], fresh_diagnostics(&model, c.encoding));
        let mut last = 0;
        for p in c.taken("textDocument/publishDiagnostics") {
            let v = p["version"].as_i64().unwrap();
            assert!(v >= last, "publish for {v} after {last}");
            last = v;
        }
    }
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_edits_and_requests_stay_in_wire_order() {
    edits_and_requests_stay_in_wire_order(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rapid_edits_and_pulls_stay_in_wire_order() {
    edits_and_requests_stay_in_wire_order(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reversed_ranges_are_rejected_whole() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    c.open(MD, "markdown", 1, "hello\nworld");
    c.change(
        MD,
        2,
        json!([
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "J"},
            {"range": {"start": {"line": 1, "character": 3}, "end": {"line": 1, "character": 1}}, "text": "x"},
        ]),
    );
    assert_eq!(c.server_text(MD).await, (1, "hello\nworld".to_string()));
    // The version was kept, so the next change may reuse it.
    c.change(
        MD,
        2,
        json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "text": "J"}]),
    );
    assert_eq!(c.server_text(MD).await, (2, "Jello\nworld".to_string()));
    // Garbage params are dropped too, and the server goes on.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": MD}, "contentChanges": 5}),
    );
    assert_eq!(c.server_text(MD).await, (2, "Jello\nworld".to_string()));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn out_of_range_positions_are_clamped() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    c.open(MD, "markdown", 1, "ab\r\ncd😀e");
    let at = |l: u32, ch: u32| json!({"line": l, "character": ch});
    // Past the end of line 0: before its CRLF.
    c.change(
        MD,
        2,
        json!([{"range": {"start": at(0, 99), "end": at(0, 99)}, "text": "X"}]),
    );
    assert_eq!(c.server_text(MD).await.1, "abX\r\ncd😀e");
    // Inside the surrogate pair of 😀: at its start.
    c.change(
        MD,
        3,
        json!([{"range": {"start": at(1, 3), "end": at(1, 3)}, "text": "|"}]),
    );
    assert_eq!(c.server_text(MD).await.1, "abX\r\ncd|😀e");
    // Past the last line: the end of the text.
    c.change(
        MD,
        4,
        json!([{"range": {"start": at(40, 0), "end": at(41, 7)}, "text": "!"}]),
    );
    assert_eq!(c.server_text(MD).await.1, "abX\r\ncd|😀e!");
    // A range to far past the end deletes to the end.
    c.change(
        MD,
        5,
        json!([{"range": {"start": at(0, 1), "end": at(99, 0)}, "text": ""}]),
    );
    assert_eq!(c.server_text(MD).await, (5, "a".to_string()));
    // Requests with wild positions answer too.
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": MD}, "position": at(u32::MAX, u32::MAX)}),
        )
        .await;
    assert_eq!(h, Value::Null);
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// Exercises every feature on documents holding a canary password.
async fn canary_session(pull: bool) {
    const CANARY: &str = "Kx9canaryPW";
    let forms = [
        CANARY.to_string(),
        "Kx9can%61ryPW".to_string(),
        "S3g5Y2FuYXJ5UFc".to_string(), // base64 of the canary, unpadded
        "Kx9canaryPW".to_uppercase(),
    ];
    let capabilities = if pull {
        pull_caps(&["utf-16"])
    } else {
        caps(&["utf-16"])
    };
    // TC016 on, so that its messages are exercised too.
    let settings = json!({"settings": {"allowedServers": ["video.example.com"]}});
    let (mut c, _) = Client::initialized(capabilities, settings).await;
    let docs = [
        (
            "file:///ws/a.md",
            "markdown",
            format!(
                "[join](trueconf:\\c\\1@v%23vcs&h=tv&login=u&password={CANARY})\n\
                 <trueconf:bob&login=u&password=Kx9can%61ryPW&encrypt=yes&&>\n\
                 visicall:x&password={CANARY}&password={CANARY}\n\
                 trueconf:#rtsp://admin:{CANARY}@cam/live\n\
                 trueconf:#rtsp:/admin:{CANARY}@cam/live and trueconf:#rtsp:///admin:{CANARY}@cam\n\
                 trueconf:bob@admin:{CANARY}@evil.example.org&h=u:{CANARY}@tv&do=u:{CANARY}@x&u:{CANARY}@y&u:{CANARY}@y\n"
            ),
        ),
        (
            "file:///ws/b.html",
            "html",
            format!(
                "<a href=\"trueconf:bob&amp;login=u&password={CANARY}?x#y\">x</a> trueconf:a&amp;password={CANARY}\n"
            ),
        ),
        (
            "file:///ws/c.py",
            "python",
            format!("U = \"trueconf:\\c\\1&login=u&password={CANARY}\"\n"),
        ),
        (
            "file:///ws/d.txt",
            "plaintext",
            format!("trueconf://bob?login=u&password={CANARY}%zz&h=x\n"),
        ),
        (
            "file:///ws/e.json",
            "json",
            format!("{{\"u\": \"trueconf:\\\\c\\\\1&password={CANARY}\"}}\n"),
        ),
        // Control characters and a bidi override in a link's parameters:
        // shown escaped in every message, title, label and tooltip.
        (
            "file:///ws/f.md",
            "markdown",
            format!(
                "trueconf:bob&do=\x1b[31m\u{202e}&x\x07=1&password={CANARY}\n\
                 visicall:\u{202e}evil\u{2066}@srv&d\u{85}o=1\n"
            ),
        ),
    ];
    for (uri, lang, text) in &docs {
        c.open(uri, lang, 1, text);
        c.change(
            uri,
            2,
            json!([{"text": format!("{text}trueconf:x&password={CANARY}\n")}]),
        );
        let text = format!("{text}trueconf:x&password={CANARY}\n");
        if pull {
            c.request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .await;
        } else {
            c.diagnostics(uri, Some(2)).await;
        }
        let range = whole(&text, &c);
        c.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": range, "context": {"diagnostics": []}}),
        )
        .await;
        let links = c
            .request(
                "textDocument/documentLink",
                json!({"textDocument": {"uri": uri}}),
            )
            .await;
        let links = links.as_array().unwrap();
        assert!(!links.is_empty(), "{uri} has links");
        for link in links {
            c.request("documentLink/resolve", link.clone()).await;
        }
        c.request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": range}),
        )
        .await;
        for (offset, _) in text.char_indices().step_by(3) {
            let pos = c.pos(&text, offset);
            c.request(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": pos}),
            )
            .await;
            c.request(
                "textDocument/completion",
                json!({"textDocument": {"uri": uri}, "position": pos}),
            )
            .await;
            c.request(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": {"start": pos, "end": pos}, "context": {"diagnostics": []}}),
            )
            .await;
        }
    }
    if pull {
        c.request("workspace/diagnostic", json!({"previousResultIds": []}))
            .await;
    }
    let r = {
        let id = c.send_request("trueconf-lsp/debugPanic", json!({}));
        c.response(id).await
    };
    assert_eq!(r["error"]["code"], -32603);
    for (uri, _, _) in &docs {
        c.close(uri);
    }
    c.drain(QUIET).await;
    let wire = c.wire_text();
    assert!(wire.len() > 10_000, "the session said something");
    // What an editor shows as text (not the edits, which are the file's
    // own bytes) holds no character that must not reach a terminal raw
    // but the line breaks of the server's own multi-line texts.
    fn shown_texts<'a>(v: &'a Value, key: &str, out: &mut Vec<(String, &'a str)>) {
        match v {
            Value::String(s) => out.push((key.to_string(), s)),
            Value::Array(a) => a.iter().for_each(|v| shown_texts(v, key, out)),
            Value::Object(o) => o
                .iter()
                .filter(|(k, _)| !matches!(k.as_str(), "newText" | "text" | "edit" | "changes"))
                .for_each(|(k, v)| shown_texts(v, k, out)),
            _ => {}
        }
    }
    for m in c.wire.lock().unwrap().iter() {
        let v: Value = serde_json::from_str(m).unwrap();
        let mut texts = Vec::new();
        shown_texts(&v, "", &mut texts);
        for (key, text) in texts {
            assert!(
                !text
                    .chars()
                    .any(|c| c != '\n' && trueconf_lsp::text::is_unsafe_to_print(c)),
                "{key}: {text:?} in {m}"
            );
        }
    }
    for form in &forms {
        let leaked: Vec<String> = c
            .wire
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.contains(form.as_str()))
            .cloned()
            .collect();
        assert!(
            leaked.is_empty(),
            "{form} reached the client in {leaked:#?}"
        );
    }
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_password_never_reaches_the_client_push() {
    canary_session(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn canary_password_never_reaches_the_client_pull() {
    canary_session(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn handler_panics_are_contained() {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let r = {
        let id = c.send_request("trueconf-lsp/debugPanic", json!({}));
        c.response(id).await
    };
    assert_eq!(r["error"]["code"], -32603);
    c.notify("trueconf-lsp/debugPanicNotification", json!({}));
    c.open(MD, "markdown", 1, "visicall:bob\n");
    assert_eq!(
        codes(&c.diagnostics(MD, Some(1)).await["diagnostics"]),
        ["TC001"]
    );
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_exit_codes() {
    // Requests after shutdown are invalid; exit then gives 0.
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    c.request("shutdown", Value::Null).await;
    let r = {
        let id = c.send_request(
            "textDocument/hover",
            json!({"textDocument": {"uri": MD}, "position": {"line": 0, "character": 0}}),
        );
        c.response(id).await
    };
    assert_eq!(r["error"]["code"], -32600);
    c.notify("exit", Value::Null);
    assert_eq!(c.finish().await, 0);

    // Exit without shutdown: 1.
    let (c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    c.notify("exit", Value::Null);
    assert_eq!(c.finish().await, 1);

    // End of input without exit: the server ends.
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    c.open(MD, "markdown", 1, "visicall:bob\n");
    c.close_input();
    assert_eq!(c.finish().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unresponsive_client_does_not_stall_the_server() {
    let mut c = Client::start();
    c.answering
        .store(false, std::sync::atomic::Ordering::SeqCst);
    c.initialize(caps(&["utf-16"]), Value::Null).await;
    c.open(MD, "markdown", 1, "");
    let mut model = String::new();
    for v in 2..402 {
        let end = c.pos(&model, model.len());
        c.change(
            MD,
            v,
            json!([{"range": {"start": end, "end": end}, "text": "visicall:x "}]),
        );
        model.push_str("visicall:x ");
        // A settings change makes the server ask the client things.
        if v % 100 == 0 {
            c.notify(
                "workspace/didChangeConfiguration",
                json!({"settings": null}),
            );
        }
    }
    let started = std::time::Instant::now();
    assert_eq!(c.server_text(MD).await, (401, model));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_documents_and_the_diagnostics_cap() {
    let mut c = Client::start_with(Options {
        max_document_bytes: 1000,
        max_diagnostics: 5,
        ..options()
    });
    c.initialize(caps(&["utf-16"]), Value::Null).await;
    let big = "visicall:bob\n".repeat(100);
    c.open(MD, "markdown", 1, &big);
    let p = c.diagnostics(MD, Some(1)).await;
    assert_eq!(p["diagnostics"].as_array().unwrap().len(), 1);
    assert!(
        p["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("document too large")
    );
    let many = "visicall:bob\n".repeat(20);
    c.change(MD, 2, json!([{"text": many}]));
    let p = c.diagnostics(MD, Some(2)).await;
    let d = p["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 6);
    assert!(d[5]["message"].as_str().unwrap().starts_with("15 more"));
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// The size cap comes from the server's options unless the
/// `max-document-bytes` setting (from `initializationOptions.settings` or
/// `workspace/configuration`) sets it; a new value re-lints.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_size_cap_is_a_setting() {
    let too_large = |p: &Value| {
        let d = p["diagnostics"].as_array().unwrap();
        d.len() == 1
            && d[0]["message"]
                .as_str()
                .unwrap()
                .starts_with("document too large")
    };
    let text = "visicall:bob\n".repeat(100);
    // The options' cap (1000 bytes), then the editor's (10 000): linted.
    let mut c = Client::start_with(Options {
        max_document_bytes: 1000,
        ..options()
    });
    *c.settings.lock().unwrap() = json!({"max-document-bytes": 10_000});
    c.initialize(caps(&["utf-16"]), Value::Null).await;
    c.open(MD, "markdown", 1, &text);
    let p = c
        .wait_for("textDocument/publishDiagnostics", TIMEOUT, |p| {
            p["uri"] == MD && p["diagnostics"].as_array().unwrap().len() == 100
        })
        .await
        .expect("linted under the editor's cap");
    assert_eq!(p["version"], 1);
    // Without the key, the options' cap is back: too large.
    *c.settings.lock().unwrap() = json!({});
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": null}),
    );
    c.wait_for("textDocument/publishDiagnostics", TIMEOUT, |p| {
        p["uri"] == MD && too_large(p)
    })
    .await
    .expect("too large under the options' cap");
    assert_eq!(c.shutdown_and_exit().await, 0);

    // From initializationOptions, under the camelCase spelling, with a
    // client that has no workspace/configuration: a cap lower than the
    // options' one.
    let mut c = Client::start_with(Options {
        max_document_bytes: 100_000,
        ..options()
    });
    let mut no_config = caps(&["utf-16"]);
    no_config["workspace"]["configuration"] = json!(false);
    c.initialize(no_config, json!({"settings": {"maxDocumentBytes": 1000}}))
        .await;
    c.open(MD, "markdown", 1, &text);
    let p = c.diagnostics(MD, Some(1)).await;
    assert!(too_large(&p), "{p}");
    c.change(MD, 2, json!([{"text": "visicall:bob\n".repeat(70)}]));
    let p = c.diagnostics(MD, Some(2)).await;
    assert_eq!(p["diagnostics"].as_array().unwrap().len(), 70);
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_diagnostics_and_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("a.md"), "[x](trueconf:login=u&password=p)\n").unwrap();
    std::fs::write(root.join("b.md"), "[x](trueconf:bob)\n").unwrap();
    std::fs::write(root.join("c.md"), "visicall:bob\n").unwrap();
    std::fs::write(
        root.join("trueconf-lsp.toml"),
        "ignore = [\"TC004\"]\nfancy = 1\n",
    )
    .unwrap();
    let mut c = Client::start();
    let (root_uri, _) = c
        .initialize_in(&root, pull_caps(&["utf-16"]), Value::Null)
        .await;
    let c_uri = format!("{root_uri}/c.md");
    c.open(&c_uri, "markdown", 1, "visicall:bob\n");
    let r = c
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0]["uri"], format!("{root_uri}/a.md"));
    assert_eq!(items[0]["kind"], "full");
    // The config file's `ignore` applies: TC004 is gone.
    assert_eq!(codes(&items[0]["items"]), ["TC002"]);
    // Once a.md is fixed on disk its findings are withdrawn.
    std::fs::write(root.join("a.md"), "fixed\n").unwrap();
    let r = c
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    assert_eq!(r["items"][0]["uri"], format!("{root_uri}/a.md"));
    assert_eq!(r["items"][0]["items"], json!([]));
    // Open documents are pulled per document, with the same settings.
    let r = c
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": c_uri}}),
        )
        .await;
    assert_eq!(codes(&r["items"]), ["TC001"]);
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[test]
fn reference_applier_matches_line_index() {
    let text = "a😀\r\nb";
    let index = LineIndex::new(text);
    let lc = index.line_col(text, 5, Encoding::Utf16);
    assert_eq!((lc.line, lc.col), (0, 3));
    let edit = json!({"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 1}}, "newText": "B"});
    assert_eq!(apply_edits(text, &[edit], Encoding::Utf16), "a😀\r\nB");
}

/// The `docsUrl` setting (and `docs-url` in a config file) links each
/// diagnostic to its rule's README section; the echo in a quick fix is the
/// diagnostic as sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn docs_url_links_diagnostics_to_rule_sections() {
    let docs = "https://docs.example.com/trueconf-lsp/";
    let mut capabilities = caps(&["utf-16"]);
    capabilities["workspace"]["configuration"] = json!(false);
    let (mut c, _) =
        Client::initialized(capabilities, json!({"settings": {"docsUrl": docs}})).await;
    let text = "[x](visicall:bob)\n";
    c.open(MD, "markdown", 1, text);
    let p = c.diagnostics(MD, Some(1)).await;
    let d = &p["diagnostics"][0];
    assert_eq!(d["code"], "TC001");
    let href = format!("{docs}#tc001-deprecated-scheme");
    assert_eq!(d["codeDescription"]["href"], href.as_str(), "{d}");
    let range = whole(text, &c);
    let all = actions(&mut c, MD, range, Value::Null).await;
    let fix = titled(&all, "Replace `visicall:` with `trueconf:`");
    assert_eq!(fix["diagnostics"][0], *d);
    // Not an http(s) address: refused, and no link is made up.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"trueconf-lsp": {"docsUrl": "file:///etc/passwd"}}}),
    );
    let msg = c
        .wait_for("window/showMessage", TIMEOUT, |_| true)
        .await
        .expect("a message");
    assert!(
        msg["message"].as_str().unwrap().contains("docs-url"),
        "{msg}"
    );
    assert_eq!(c.shutdown_and_exit().await, 0);

    // From a config file, in workspace diagnostics.
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("a.md"), "[x](visicall:bob)\n").unwrap();
    std::fs::write(
        root.join("trueconf-lsp.toml"),
        format!("docs-url = \"{docs}\"\n"),
    )
    .unwrap();
    let mut c = Client::start();
    c.initialize_in(&root, pull_caps(&["utf-16"]), Value::Null)
        .await;
    let r = c
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .await;
    let d = &r["items"][0]["items"][0];
    assert_eq!(d["codeDescription"]["href"], href.as_str(), "{r}");
    assert_eq!(c.shutdown_and_exit().await, 0);
}

/// Workspace diagnostics place findings on the walk's workers, in the
/// negotiated encoding: the same ranges (and the same note past the cap)
/// as the document's own diagnostics once it is open, in each encoding, on
/// lines where UTF-8, UTF-16 and UTF-32 columns all differ.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_diagnostics_ranges_equal_the_open_documents_in_each_encoding() {
    let text = format!(
        "é😀 [x](trueconf:login=u&password=p) ё😀 trueconf:bob@h&x\n{}",
        "ё😀 visicall:bob\n".repeat(1001)
    );
    for enc in ["utf-8", "utf-16", "utf-32"] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(root.join("a.md"), &text).unwrap();
        let mut c = Client::start();
        let (root_uri, _) = c.initialize_in(&root, pull_caps(&[enc]), Value::Null).await;
        let uri = format!("{root_uri}/a.md");
        let r = c
            .request("workspace/diagnostic", json!({"previousResultIds": []}))
            .await;
        assert_eq!(r["items"][0]["uri"], uri.as_str(), "{enc}");
        let walked = r["items"][0]["items"].clone();
        c.open(&uri, "markdown", 1, &text);
        let r = c
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .await;
        let open = r["items"].clone();
        let n = open.as_array().unwrap().len();
        // The cap (1000) and its note.
        assert_eq!(n, 1001, "{enc}");
        assert!(
            open[1000]["message"]
                .as_str()
                .unwrap()
                .contains("not shown")
        );
        assert_eq!(walked, open, "{enc}");
        assert_eq!(c.shutdown_and_exit().await, 0);
    }
}

/// Workspace diagnostics walk as `--check` does: the default excludes,
/// `extend-exclude` adding to them and `exclude` replacing them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_diagnostics_follow_exclude_and_extend_exclude() {
    for (config, expected) in [
        ("extend-exclude = [\"vendor\"]\n", vec!["docs/a.md"]),
        (
            "exclude = [\"vendor\"]\n",
            vec!["docs/a.md", "node_modules/pkg/b.md"],
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        for name in ["docs/a.md", "node_modules/pkg/b.md", "vendor/c.md"] {
            let path = root.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "visicall:bob\n").unwrap();
        }
        std::fs::write(root.join("trueconf-lsp.toml"), config).unwrap();
        let mut c = Client::start();
        let (root_uri, _) = c
            .initialize_in(&root, pull_caps(&["utf-16"]), Value::Null)
            .await;
        let r = c
            .request("workspace/diagnostic", json!({"previousResultIds": []}))
            .await;
        let mut uris: Vec<String> = r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["uri"].as_str().unwrap().to_string())
            .collect();
        uris.sort();
        let expected: Vec<String> = expected.iter().map(|p| format!("{root_uri}/{p}")).collect();
        assert_eq!(uris, expected, "{config}");
        assert_eq!(c.shutdown_and_exit().await, 0);
    }
}
