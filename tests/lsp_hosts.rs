//! The language server on the document kinds of trueconf-uri.md §7
//! (reStructuredText, AsciiDoc, shell, cmd, PowerShell, MDX; Ruby, PHP,
//! Perl; HTML blocks of other documents), in process over
//! pipes: for each, a diagnostic's range, the hover's range over the link
//! (without its password) and a code action that stays in the link's host.

mod lsp_client;

use lsp_client::*;
use serde_json::{Value, json};

struct Case {
    uri: &'static str,
    language_id: &'static str,
    text: &'static str,
    /// The link as written in `text`.
    link: &'static str,
    code: &'static str,
    /// Where the diagnostic's range starts and what it covers.
    flagged: &'static str,
    action: &'static str,
    fixed: &'static str,
}

async fn check(case: Case) {
    let (mut c, _) = Client::initialized(caps(&["utf-16"]), Value::Null).await;
    let text = case.text;
    c.open(case.uri, case.language_id, 1, text);
    let p = c.diagnostics(case.uri, Some(1)).await;
    let d = p["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == case.code)
        .unwrap_or_else(|| panic!("no {} in {p:#}", case.code))
        .clone();
    let flagged = text.find(case.flagged).unwrap();
    assert_eq!(d["range"]["start"], c.pos(text, flagged), "{}", case.uri);
    assert_eq!(
        d["range"]["end"],
        c.pos(text, flagged + case.flagged.len()),
        "{}",
        case.uri
    );
    assert!(!d.to_string().contains("hunter2"), "{d}");

    // The hover covers the link, not its quotes or brackets.
    let start = text.find(case.link).unwrap();
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": case.uri}, "position": c.pos(text, start + 10)}),
        )
        .await;
    assert_eq!(h["range"]["start"], c.pos(text, start), "{}", case.uri);
    assert_eq!(
        h["range"]["end"],
        c.pos(text, start + case.link.len()),
        "{}",
        case.uri
    );
    assert!(!h.to_string().contains("hunter2"), "{h}");

    let list = c
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": case.uri},
                "range": d["range"],
                "context": {"diagnostics": []},
            }),
        )
        .await;
    let action = list
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == case.action)
        .unwrap_or_else(|| panic!("no action {:?} in {list:#}", case.action));
    assert!(!action["edit"].to_string().contains("hunter2"), "{action}");
    let fixed = apply_workspace_edit(text, &action["edit"], case.uri, Some(1), c.encoding);
    assert_eq!(fixed, case.fixed, "{}", case.uri);
    assert_eq!(c.shutdown_and_exit().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restructuredtext_link_ends_at_its_angle_bracket() {
    check(Case {
        uri: "file:///ws/guide.rst",
        language_id: "restructuredtext",
        text: "Use `sign in <trueconf:login=user&password=hunter2>`_ today.\n",
        link: "trueconf:login=user&password=hunter2",
        code: "TC002",
        flagged: "trueconf:login=user&password=hunter2",
        action: "Add encrypt=1",
        fixed: "Use `sign in <trueconf:login=user&password=hunter2&encrypt=1>`_ today.\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asciidoc_link_ends_at_its_bracket() {
    check(Case {
        uri: "file:///ws/guide.adoc",
        language_id: "asciidoc",
        text: "Open link:trueconf:login=user&password=hunter2[the room].\n",
        link: "trueconf:login=user&password=hunter2",
        code: "TC002",
        flagged: "trueconf:login=user&password=hunter2",
        action: "Add encrypt=1",
        fixed: "Open link:trueconf:login=user&password=hunter2&encrypt=1[the room].\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shell_bare_word_is_quoted() {
    check(Case {
        uri: "file:///ws/open.sh",
        language_id: "shellscript",
        text: "xdg-open trueconf:bob@video.example.com&do=chat\n",
        link: "trueconf:bob@video.example.com&do=chat",
        code: "TC017",
        flagged: "&",
        action: "Quote the whole link",
        fixed: "xdg-open 'trueconf:bob@video.example.com&do=chat'\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cmd_start_gets_an_empty_title() {
    check(Case {
        uri: "file:///ws/open.bat",
        language_id: "bat",
        text: "@echo off\r\nstart \"trueconf:bob@video.example.com\"\r\n",
        link: "trueconf:bob@video.example.com",
        code: "TC018",
        flagged: "\"trueconf:bob@video.example.com",
        action: "Add an empty window title",
        fixed: "@echo off\r\nstart \"\" \"trueconf:bob@video.example.com\"\r\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cmd_percent_is_doubled() {
    check(Case {
        uri: "file:///ws/join.cmd",
        language_id: "bat",
        text: "start \"\" \"trueconf:\\c\\737734033583@video.example.com%23vcs\"\r\n",
        link: "trueconf:\\c\\737734033583@video.example.com%23vcs",
        code: "TC019",
        flagged: "%",
        action: "Double each `%`",
        fixed: "start \"\" \"trueconf:\\c\\737734033583@video.example.com%%23vcs\"\r\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn powershell_single_quoted_string() {
    check(Case {
        uri: "file:///ws/open.ps1",
        language_id: "powershell",
        text: "Start-Process 'trueconf:login=user&password=hunter2'\n",
        link: "trueconf:login=user&password=hunter2",
        code: "TC002",
        flagged: "trueconf:login=user&password=hunter2",
        action: "Add encrypt=1",
        fixed: "Start-Process 'trueconf:login=user&password=hunter2&encrypt=1'\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mdx_expression_is_javascript() {
    check(Case {
        uri: "file:///ws/guide.mdx",
        language_id: "mdx",
        text: "Join <Call link={'trueconf:\\c\\737734033583@video.example.com'} /> now.\n",
        link: "trueconf:\\c\\737734033583@video.example.com",
        code: "TC014",
        flagged: "\\c\\",
        action: "Double each backslash",
        fixed: "Join <Call link={'trueconf:\\\\c\\\\737734033583@video.example.com'} /> now.\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn php_string_inside_an_html_attribute_is_php() {
    // The innermost host is the PHP string, not the attribute around the
    // `<?php … ?>`: the fix writes a raw `&`, and the link ends at the
    // PHP quote.
    check(Case {
        uri: "file:///ws/index.php",
        language_id: "php",
        text: "<a href=\"<?php echo 'trueconf:login=user&password=hunter2'; ?>\">Join</a>\n",
        link: "trueconf:login=user&password=hunter2",
        code: "TC002",
        flagged: "trueconf:login=user&password=hunter2",
        action: "Add encrypt=1",
        fixed: "<a href=\"<?php echo 'trueconf:login=user&password=hunter2&encrypt=1'; ?>\">Join</a>\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ruby_double_quoted_string_eats_backslashes() {
    check(Case {
        uri: "file:///ws/join.rb",
        language_id: "ruby",
        text: "system(\"xdg-open trueconf:\\c\\737734033583@video.example.com\") # join\n",
        link: "trueconf:\\c\\737734033583@video.example.com",
        code: "TC014",
        flagged: "\\c\\",
        action: "Double each backslash",
        fixed: "system(\"xdg-open trueconf:\\\\c\\\\737734033583@video.example.com\") # join\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn markdown_html_fence_is_html() {
    check(Case {
        uri: "file:///ws/guide.md",
        language_id: "markdown",
        text: "```html\n<button onclick=\"location.href='trueconf:bob@video.example.com&do=chat'\">Chat</button>\n```\n",
        link: "trueconf:bob@video.example.com&do=chat",
        code: "TC015",
        flagged: "&",
        action: "Write `&amp;`",
        fixed: "```html\n<button onclick=\"location.href='trueconf:bob@video.example.com&amp;do=chat'\">Chat</button>\n```\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn powershell_subexpression_is_a_command_line() {
    check(Case {
        uri: "file:///ws/open.ps1",
        language_id: "powershell",
        text: "Write-Host \"Opening $(Start-Process 'trueconf:login=user&password=hunter2')\"\n",
        link: "trueconf:login=user&password=hunter2",
        code: "TC002",
        flagged: "trueconf:login=user&password=hunter2",
        action: "Add encrypt=1",
        fixed: "Write-Host \"Opening $(Start-Process 'trueconf:login=user&password=hunter2&encrypt=1')\"\n",
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn php_double_quoted_string_inside_an_html_attribute_eats_backslashes() {
    check(Case {
        uri: "file:///ws/join.php",
        language_id: "php",
        text: "<a href=\"<?= \"trueconf:\\c\\737734033583@video.example.com\" ?>\">Join</a>\n",
        link: "trueconf:\\c\\737734033583@video.example.com",
        code: "TC014",
        flagged: "\\c\\",
        action: "Double each backslash",
        fixed: "<a href=\"<?= \"trueconf:\\\\c\\\\737734033583@video.example.com\" ?>\">Join</a>\n",
    })
    .await;
}
