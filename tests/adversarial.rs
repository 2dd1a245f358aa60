//! Adversarial sessions against the real binary over stdio (issue 7).
//!
//! Each test attacks the server with one kind of bad input — broken
//! framing and JSON, unknown methods, changes for documents nobody opened,
//! ranges past the end or reversed, stale versions, absurd positions, a
//! client that never answers, huge and pathological documents — and then
//! asks a real question and checks the answer. Every session also checks
//! that every byte the server wrote to stdout is a framed JSON-RPC message.
//!
//! Limits and secrets are checked the same way: the size cap and the
//! diagnostics cap through the real binary, and a canary password planted
//! in every rule's fixture never reaches a server-to-client message or
//! stderr, at any log level, nor a panic message.
//!
//! Heavy sessions (big documents, timing bounds) take [`HEAVY`], so that on
//! a small machine they do not compete with each other for the CPU.

mod canary;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use trueconf_lsp::rules::Config;
use trueconf_lsp::scan::{DocKind, Lang};
use trueconf_lsp::text::{Encoding, LineCol, LineIndex};

const BIN: &str = env!("CARGO_BIN_EXE_trueconf-lsp");

/// How long any single answer may take in a light session.
const ANSWER: Duration = Duration::from_secs(10);

/// Serializes the sessions whose time or memory is measured.
static HEAVY: Mutex<()> = Mutex::new(());

fn heavy() -> MutexGuard<'static, ()> {
    HEAVY.lock().unwrap_or_else(|e| e.into_inner())
}

/// A document every session opens, and the question asked after each
/// attack: hover on its link.
const PROBE_URI: &str = "file:///adv/probe.md";
const PROBE_TEXT: &str = "Call [join](trueconf:\\c\\1@v%23vcs) now\nvisicall:bob\n";

// --- A client over the real binary's stdio. ---

/// What the stdout reader saw.
#[derive(Default)]
struct Wire {
    /// Every server-to-client message body, verbatim.
    bodies: Vec<Vec<u8>>,
    /// The first byte sequence on stdout that was not a framed JSON-RPC
    /// message.
    violation: Option<String>,
    /// Server-to-client requests seen.
    server_requests: usize,
}

struct Session {
    child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    incoming: mpsc::Receiver<Value>,
    /// Messages received and not yet taken.
    pending: VecDeque<Value>,
    wire: Arc<Mutex<Wire>>,
    stderr: Option<thread::JoinHandle<Vec<u8>>>,
    reader: Option<thread::JoinHandle<()>>,
    next_id: i64,
    /// What the test is doing, for failure messages.
    doing: String,
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Reads one framed message; `Ok(None)` at a clean end of the stream.
/// Only `Content-Length` and `Content-Type` headers are allowed.
fn read_message(r: &mut impl BufRead) -> Result<Option<Vec<u8>>, String> {
    let mut length = None;
    let mut first = true;
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return if first {
                Ok(None)
            } else {
                Err("stdout ended inside a header".into())
            };
        }
        first = false;
        if line == b"\r\n" {
            break;
        }
        let line = String::from_utf8(line).map_err(|_| "a header is not UTF-8".to_string())?;
        let header = line
            .strip_suffix("\r\n")
            .ok_or_else(|| format!("a header line without CRLF: {line:?}"))?;
        let (name, value) = header
            .split_once(": ")
            .ok_or_else(|| format!("not a header: {header:?}"))?;
        match name {
            "Content-Length" => {
                length = Some(
                    value
                        .parse::<usize>()
                        .map_err(|_| format!("bad Content-Length {value:?}"))?,
                )
            }
            "Content-Type" => {}
            _ => return Err(format!("unexpected header {name:?}")),
        }
    }
    let length = length.ok_or("a message without Content-Length")?;
    let mut body = vec![0; length];
    r.read_exact(&mut body)
        .map_err(|e| format!("stdout ended inside a body: {e}"))?;
    Ok(Some(body))
}

impl Session {
    /// Starts the binary with these environment variables (the log level
    /// is `TRUECONF_LOG`, trace unless given). When `answering`, server
    /// requests are answered at once (`workspace/configuration` with empty
    /// settings); otherwise never.
    fn start(env: &[(&str, &str)], answering: bool) -> Session {
        Session::start_command(Command::new(BIN), env, answering)
    }

    /// [`Session::start`] with `cmd` as the command that runs the binary
    /// (for example under `strace`).
    fn start_command(mut cmd: Command, env: &[(&str, &str)], answering: bool) -> Session {
        cmd.env_remove("RUST_LOG")
            .env("TRUECONF_LOG", "trace")
            .env_remove(trueconf_lsp::lsp::MAX_BYTES_ENV)
            .env_remove(trueconf_lsp::lsp::TEST_HOOKS_ENV);
        for (k, v) in env {
            if v.is_empty() {
                cmd.env_remove(k);
            } else {
                cmd.env(k, v);
            }
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let mut stdout = BufReader::with_capacity(1 << 20, child.stdout.take().unwrap());
        let mut stderr = child.stderr.take().unwrap();
        let wire = Arc::new(Mutex::new(Wire::default()));
        let (tx, rx) = mpsc::channel();
        let reader = {
            let wire = wire.clone();
            let stdin = stdin.clone();
            thread::spawn(move || {
                loop {
                    let body = match read_message(&mut stdout) {
                        Ok(Some(body)) => body,
                        Ok(None) => return,
                        Err(e) => {
                            wire.lock().unwrap().violation = Some(e);
                            return;
                        }
                    };
                    let msg: Value = match serde_json::from_slice(&body) {
                        Ok(v) => v,
                        Err(e) => {
                            wire.lock().unwrap().violation =
                                Some(format!("a body is no JSON: {e}"));
                            return;
                        }
                    };
                    if msg["jsonrpc"] != "2.0" {
                        wire.lock().unwrap().violation = Some(format!("not JSON-RPC 2.0: {msg}"));
                        return;
                    }
                    let is_request = msg.get("id").is_some() && msg.get("method").is_some();
                    {
                        let mut w = wire.lock().unwrap();
                        w.bodies.push(body);
                        w.server_requests += usize::from(is_request);
                    }
                    if is_request && answering {
                        let result = if msg["method"] == "workspace/configuration" {
                            let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                            Value::Array(vec![json!({}); n])
                        } else {
                            Value::Null
                        };
                        let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": result});
                        if let Some(w) = stdin.lock().unwrap().as_mut() {
                            let _ = w.write_all(&frame(reply.to_string().as_bytes()));
                            let _ = w.flush();
                        }
                    }
                    if tx.send(msg).is_err() {
                        return;
                    }
                }
            })
        };
        let stderr = thread::spawn(move || {
            let mut s = Vec::new();
            let _ = stderr.read_to_end(&mut s);
            s
        });
        Session {
            child,
            stdin,
            incoming: rx,
            pending: VecDeque::new(),
            wire,
            stderr: Some(stderr),
            reader: Some(reader),
            next_id: 0,
            doing: String::new(),
        }
    }

    /// A session with the usual capabilities, initialized, with the probe
    /// document open; returns it and the probe's hover.
    fn ready(env: &[(&str, &str)]) -> (Session, Value) {
        let mut s = Session::start(env, true);
        s.initialize(push_caps());
        let hover = s.open_probe();
        (s, hover)
    }

    fn send_raw(&self, bytes: &[u8]) {
        let mut stdin = self.stdin.lock().unwrap();
        let w = stdin.as_mut().expect("stdin open");
        w.write_all(bytes).expect("write to the server");
        w.flush().unwrap();
    }

    fn send(&self, msg: Value) {
        let mut msg = msg;
        msg["jsonrpc"] = json!("2.0");
        self.send_raw(&frame(msg.to_string().as_bytes()));
    }

    fn notify(&self, method: &str, params: Value) {
        self.send(json!({"method": method, "params": params}));
    }

    fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"id": id, "method": method, "params": params}));
        id
    }

    /// The next message matching `pred`, within `timeout`; the others stay
    /// pending.
    fn wait_for(&mut self, timeout: Duration, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self.pending.iter().position(&pred) {
            return self.pending.remove(i).unwrap();
        }
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => self.pending.push_back(msg),
                Err(_) => {
                    let violation = self.wire.lock().unwrap().violation.clone();
                    panic!(
                        "{}: no matching message within {timeout:?} (stdout: {violation:?}; pending: {:?})",
                        self.doing, self.pending
                    )
                }
            }
        }
    }

    /// The response to request `id`, error or not.
    fn response(&mut self, id: i64, timeout: Duration) -> Value {
        self.wait_for(timeout, |m| m["id"] == id && m.get("method").is_none())
    }

    /// The result of a request that must succeed.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.doing = method.to_string();
        let id = self.send_request(method, params);
        let r = self.response(id, ANSWER);
        assert!(r.get("error").is_none(), "{method}: {r}");
        r["result"].clone()
    }

    /// The error code a request is answered with.
    fn error_code(&mut self, method: &str, params: Value) -> i64 {
        self.doing = format!("{method} {params}");
        let id = self.send_request(method, params);
        let r = self.response(id, ANSWER);
        r["error"]["code"]
            .as_i64()
            .unwrap_or_else(|| panic!("{method} should fail: {r}"))
    }

    fn initialize(&mut self, capabilities: Value) -> Value {
        self.initialize_with(
            json!({"processId": null, "rootUri": null, "capabilities": capabilities}),
        )
    }

    fn initialize_with(&mut self, params: Value) -> Value {
        let r = self.call("initialize", params);
        assert_eq!(r["serverInfo"]["name"], "trueconf-lsp");
        self.notify("initialized", json!({}));
        r
    }

    fn open(&self, uri: &str, language: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}}),
        );
    }

    fn change(&self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// The diagnostics published for `uri` at `version`.
    fn published(&mut self, uri: &str, version: i64, timeout: Duration) -> Vec<Value> {
        self.doing = format!("diagnostics of {uri} at {version}");
        let p = self.wait_for(timeout, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["version"] == version
        });
        p["params"]["diagnostics"].as_array().unwrap().clone()
    }

    fn hover(&mut self, uri: &str, line: u64, character: u64) -> Value {
        self.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}),
        )
    }

    /// Opens the probe document; returns its hover, checked.
    fn open_probe(&mut self) -> Value {
        self.open(PROBE_URI, "markdown", 1, PROBE_TEXT);
        let d = self.published(PROBE_URI, 1, ANSWER);
        assert!(!d.is_empty(), "the probe link has findings");
        let hover = self.hover(PROBE_URI, 0, 14);
        let text = hover["contents"]["value"].as_str().unwrap_or_default();
        assert!(text.contains("join conference 1 on v"), "{hover}");
        hover
    }

    /// The question asked after every attack: the probe's hover must be
    /// exactly what it was.
    fn still_serves(&mut self, expected: &Value, after: &str) {
        self.doing = format!("the probe after {after}");
        let hover = self.hover(PROBE_URI, 0, 14);
        assert_eq!(&hover, expected, "after {after}");
    }

    /// Peak resident memory of the server so far, in MiB.
    fn peak_mib(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("the server's /proc status");
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM");
        kib / 1024
    }

    /// `shutdown`, `exit`, and the end of the process; returns what the
    /// server wrote. Stdout must have been framed messages only.
    fn finish(mut self) -> Finished {
        let id = self.send_request("shutdown", Value::Null);
        let r = self.response(id, ANSWER);
        assert!(r.get("error").is_none(), "shutdown: {r}");
        self.notify("exit", Value::Null);
        let code = self.exit_code(Duration::from_secs(3));
        assert_eq!(code, 0, "exit after shutdown");
        self.collect(code)
    }

    fn exit_code(&mut self, within: Duration) -> i32 {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("an exit code");
            }
            if start.elapsed() > within {
                let _ = self.child.kill();
                panic!("the server did not exit within {within:?}");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn collect(mut self, code: i32) -> Finished {
        *self.stdin.lock().unwrap() = None;
        self.reader.take().unwrap().join().unwrap();
        let stderr = self.stderr.take().unwrap().join().unwrap();
        let wire = std::mem::take(&mut *self.wire.lock().unwrap());
        if let Some(v) = &wire.violation {
            panic!("stdout held something other than framed JSON-RPC: {v}");
        }
        Finished {
            code,
            stderr,
            bodies: wire.bodies,
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

struct Finished {
    code: i32,
    stderr: Vec<u8>,
    bodies: Vec<Vec<u8>>,
}

fn push_caps() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {"publishDiagnostics": {"versionSupport": true}},
        "workspace": {"workspaceEdit": {"documentChanges": true}},
    })
}

fn pull_caps() -> Value {
    json!({
        "general": {"positionEncodings": ["utf-16"]},
        "textDocument": {"diagnostic": {"dynamicRegistration": false}},
        "workspace": {"workspaceEdit": {"documentChanges": true}},
    })
}

fn pos(line: u64, character: u64) -> Value {
    json!({"line": line, "character": character})
}

fn range(a: Value, b: Value) -> Value {
    json!({"start": a, "end": b})
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

/// `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && memchr::memmem::find(hay, needle).is_some()
}

// --- Framing, JSON and methods. ---

/// Every malformed message gets a JSON-RPC error (ParseError or
/// InvalidRequest, with a null id, or InvalidParams for the request it
/// names) or is ignored; the next request is answered correctly.
#[test]
fn malformed_messages_get_errors_and_the_server_goes_on() {
    let (mut s, probe) = Session::ready(&[]);
    let framed = |body: &[u8]| frame(body);
    let attacks: Vec<(&str, Vec<u8>)> = vec![
        (
            "truncated JSON",
            framed(br#"{"jsonrpc":"2.0","id":901,"method":"textDocument/hover","params":"#),
        ),
        ("no JSON at all", framed(b"hello, server")),
        ("a JSON array", framed(b"[1, 2, 3]")),
        ("an empty object", framed(b"{}")),
        (
            "an object as id",
            framed(br#"{"jsonrpc":"2.0","id":{"a":1},"method":"textDocument/hover"}"#),
        ),
        (
            "JSON-RPC 1.0 shutdown",
            framed(br#"{"jsonrpc":"1.0","id":902,"method":"shutdown"}"#),
        ),
        (
            "invalid UTF-8",
            framed(b"{\"jsonrpc\":\"2.0\",\"method\":\"x\xff\xfe\"}"),
        ),
        ("an empty body", framed(b"")),
        ("bytes with no header", b"garbage garbage\r\n\r\n".to_vec()),
        (
            "a header block without Content-Length",
            b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{}".to_vec(),
        ),
        (
            "a Content-Length that is no number",
            b"Content-Length: lots\r\n\r\n".to_vec(),
        ),
        (
            "a charset other than UTF-8",
            b"Content-Length: 2\r\nContent-Type: application/json; charset=latin1\r\n\r\n{}"
                .to_vec(),
        ),
        ("a NUL byte", framed(b"\0")),
        (
            "JSON nested 100 000 deep",
            framed(format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)).as_bytes()),
        ),
    ];
    for (what, bytes) in attacks {
        s.doing = what.to_string();
        s.send_raw(&bytes);
        s.still_serves(&probe, what);
        // Whatever came back for the attack is an error about it.
        for m in s.pending.drain(..) {
            if m.get("method").is_some() {
                continue;
            }
            assert!(
                m["id"].is_null(),
                "{what}: a response to a request nobody sent: {m}"
            );
            let code = m["error"]["code"].as_i64();
            assert!(
                matches!(code, Some(-32700 | -32600)),
                "{what}: unexpected answer {m}"
            );
        }
    }
    // Well-formed messages with bad params: an InvalidParams error for a
    // request, nothing for a notification.
    for params in [
        json!("oops"),
        json!({"textDocument": {"uri": PROBE_URI}}),
        json!({"textDocument": {"uri": PROBE_URI}, "position": {"line": -1, "character": 0}}),
        json!({"textDocument": {"uri": PROBE_URI}, "position": {"line": 0.5, "character": 0}}),
        json!({"textDocument": {"uri": PROBE_URI}, "position": {"line": 1u64 << 40, "character": 0}}),
        json!({"textDocument": {"uri": "not a uri"}, "position": pos(0, 0)}),
    ] {
        let code = s.error_code("textDocument/hover", params.clone());
        assert_eq!(code, -32602, "{params}");
        s.still_serves(&probe, "bad hover params");
    }
    for params in [
        json!(null),
        json!({"textDocument": {"uri": PROBE_URI}}),
        json!({"textDocument": {"uri": PROBE_URI, "version": 9}, "contentChanges": 5}),
        json!({"textDocument": {"uri": PROBE_URI, "version": "x"}, "contentChanges": []}),
    ] {
        s.notify("textDocument/didChange", params.clone());
        s.notify("textDocument/didOpen", params);
        s.still_serves(&probe, "bad notification params");
    }
    for params in [json!(null), json!({"textDocument": 5}), json!([PROBE_URI])] {
        s.notify("textDocument/didClose", params);
        s.still_serves(&probe, "bad didClose params");
    }
    let done = s.finish();
    assert_eq!(done.code, 0);
}

/// Unknown requests get MethodNotFound, unknown notifications nothing;
/// notification methods sent as requests, and lifecycle methods sent the
/// wrong way, are answered or ignored without changing the lifecycle.
#[test]
fn unknown_and_misused_methods() {
    let (mut s, probe) = Session::ready(&[]);
    assert_eq!(s.error_code("trueconf/nothing", json!({})), -32601);
    assert_eq!(s.error_code("$/nothing", json!({})), -32601);
    assert_eq!(
        s.error_code(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": PROBE_URI}})
        ),
        -32601
    );
    s.notify("nothing/at/all", json!({"x": 1}));
    s.notify("$/cancelRequest", json!({"id": 424242}));
    s.notify("$/setTrace", json!({"value": "verbose"}));
    s.notify("$/progress", json!({"token": 1, "value": {"kind": "end"}}));
    s.still_serves(&probe, "unknown notifications");
    // A second initialize is refused; the session goes on.
    let id = s.send_request("initialize", json!({"capabilities": {}}));
    let r = s.response(id, ANSWER);
    assert!(r.get("error").is_some(), "{r}");
    s.notify("initialized", json!({}));
    s.still_serves(&probe, "a second initialize");
    // Every request gets one answer, also for a notification's method.
    for method in [
        "initialized",
        "textDocument/didSave",
        "workspace/didChangeConfiguration",
        "textDocument/didOpen",
        "textDocument/didChange",
        "textDocument/didClose",
    ] {
        s.doing = format!("{method} as a request");
        let id = s.send_request(method, json!({"textDocument": {"uri": "file:///adv/x.md"}}));
        let r = s.response(id, ANSWER);
        assert!(r.get("error").is_some(), "{method} as a request: {r}");
        s.still_serves(&probe, method);
    }
    // `shutdown` as a notification is no shutdown.
    s.notify("shutdown", Value::Null);
    s.open("file:///adv/after.md", "markdown", 1, "visicall:bob\n");
    assert_eq!(
        codes(&s.published("file:///adv/after.md", 1, ANSWER)),
        ["TC001"]
    );
    s.still_serves(&probe, "shutdown as a notification");
    let done = s.finish();
    assert_eq!(done.code, 0);
}

/// Changes, closes and requests for documents that are not open are
/// ignored or answered empty.
#[test]
fn documents_nobody_opened() {
    let (mut s, probe) = Session::ready(&[]);
    let ghost = "file:///adv/ghost.md";
    s.change(ghost, 2, json!([{"text": "visicall:bob"}]));
    s.change(
        ghost,
        3,
        json!([{"range": range(pos(0, 0), pos(0, 1)), "text": "x"}]),
    );
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": ghost}}),
    );
    s.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": ghost}}),
    );
    let whole = range(pos(0, 0), pos(9, 0));
    assert_eq!(s.hover(ghost, 0, 0), Value::Null);
    assert_eq!(
        s.call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": ghost}, "range": whole, "context": {"diagnostics": []}})
        ),
        Value::Null
    );
    assert_eq!(
        s.call(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": ghost}})
        ),
        Value::Null
    );
    assert_eq!(
        s.call(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": ghost}, "range": whole})
        ),
        Value::Null
    );
    assert_eq!(
        s.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": ghost}, "position": pos(0, 0)})
        ),
        Value::Null
    );
    // A link to resolve in a document that is gone.
    let link = json!({"range": whole, "data": {"uri": ghost, "start": 0}});
    let r = s.call("documentLink/resolve", link);
    assert!(r.get("target").is_none(), "{r}");
    // Closing the probe twice, and reopening it, leaves it as new.
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": PROBE_URI}}),
    );
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": PROBE_URI}}),
    );
    assert_eq!(s.hover(PROBE_URI, 0, 14), Value::Null);
    s.open(PROBE_URI, "markdown", 1, PROBE_TEXT);
    s.still_serves(&probe, "close, close, open");
    // Opening an open document again replaces it.
    s.open(PROBE_URI, "markdown", 7, "nothing here\n");
    assert_eq!(s.published(PROBE_URI, 7, ANSWER), Vec::<Value>::new());
    s.open(PROBE_URI, "markdown", 1, PROBE_TEXT);
    s.still_serves(&probe, "open over open");
    s.finish();
}

/// The server's diagnostics for a document, compared with those of a fresh
/// document opened with the text the client believes it has.
struct Model {
    uri: &'static str,
    text: String,
    version: i64,
    fresh: usize,
}

impl Model {
    fn new(s: &Session, uri: &'static str, text: &str) -> Model {
        s.open(uri, "markdown", 1, text);
        Model {
            uri,
            text: text.to_string(),
            version: 1,
            fresh: 0,
        }
    }

    /// Sends a change; `applies` says whether the policy accepts it, and
    /// the model follows it with the reference applier if so.
    fn change(&mut self, s: &Session, version: i64, edits: &[Edit], applies: bool) {
        let changes: Vec<Value> = edits
            .iter()
            .map(|(a, b, t)| {
                json!({"range": range(pos(a.line.into(), a.col.into()), pos(b.line.into(), b.col.into())), "text": t})
            })
            .collect();
        s.change(self.uri, version, Value::Array(changes));
        if applies {
            for (a, b, t) in edits {
                let index = LineIndex::new(&self.text);
                let x = index.offset(&self.text, *a, Encoding::Utf16);
                let y = index.offset(&self.text, *b, Encoding::Utf16).max(x);
                self.text.replace_range(x..y, t);
            }
            self.version = version;
        }
    }

    /// The server's text is the model's: a valid change (at a new version)
    /// is published with the diagnostics of a fresh lint of the model.
    fn check(&mut self, s: &mut Session, what: &str) {
        // A no-op change makes the server publish its current text again.
        self.version += 1;
        s.change(
            self.uri,
            self.version,
            json!([{"range": range(pos(0, 0), pos(0, 0)), "text": ""}]),
        );
        let got = s.published(self.uri, self.version, ANSWER);
        self.fresh += 1;
        let fresh_uri = format!("file:///adv/fresh{}.md", self.fresh);
        s.open(&fresh_uri, "markdown", 1, &self.text);
        let want = s.published(&fresh_uri, 1, ANSWER);
        s.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": fresh_uri}}),
        );
        assert_eq!(
            got, want,
            "after {what}, the server's text is not {:?}",
            self.text
        );
    }
}

/// A change: a range in UTF-16 positions and the text that replaces it.
type Edit<'a> = (LineCol, LineCol, &'a str);

fn lc(line: u32, col: u32) -> LineCol {
    LineCol { line, col }
}

/// Ranges past the end, past a line, between CR and LF, inside a surrogate
/// pair, and reversed: clamped or rejected by the documented policy, and
/// the document stays what the client thinks it is.
#[test]
fn ranges_past_the_end_or_reversed() {
    let (mut s, probe) = Session::ready(&[]);
    let mut m = Model::new(
        &s,
        "file:///adv/ranges.md",
        "visicall:bob 😀 x\r\nline two visicall:ann\rthird [a](trueconf:c?x=1)\n",
    );
    m.check(&mut s, "open");
    let max = u32::MAX;
    let cases: Vec<(&str, Vec<Edit>, bool)> = vec![
        (
            "a column past the line",
            vec![(lc(0, 99), lc(0, 99), "X")],
            true,
        ),
        (
            "a line past the end",
            vec![(lc(40, 0), lc(41, 7), " visicall:end")],
            true,
        ),
        ("between CR and LF", vec![(lc(0, 18), lc(0, 19), "Y")], true),
        (
            "inside a surrogate pair",
            vec![(lc(0, 14), lc(0, 14), "|")],
            true,
        ),
        (
            "u32::MAX everywhere",
            vec![(lc(max, max), lc(max, max), "Z")],
            true,
        ),
        (
            "to far past the end",
            vec![(lc(2, 5), lc(max, 0), "")],
            true,
        ),
        (
            "a reversed range",
            vec![(lc(0, 0), lc(0, 1), "J"), (lc(1, 5), lc(1, 2), "x")],
            false,
        ),
        (
            "a reversed range across lines",
            vec![(lc(2, 0), lc(0, 0), "")],
            false,
        ),
        (
            "several changes in sequence",
            vec![
                (lc(0, 0), lc(0, 0), "\r\n"),
                (lc(1, 0), lc(1, 3), "trueconf:"),
                (lc(0, 0), lc(0, 0), "Ω"),
            ],
            true,
        ),
    ];
    for (what, edits, applies) in cases {
        let v = m.version + 1;
        m.change(&s, v, &edits, applies);
        m.check(&mut s, what);
        s.still_serves(&probe, what);
    }
    // A whole-text replacement after all that.
    let v = m.version + 1;
    s.change(m.uri, v, json!([{"text": "visicall:fresh\n"}]));
    m.text = "visicall:fresh\n".into();
    m.version = v;
    m.check(&mut s, "a full replacement");
    s.finish();
}

/// Changes whose version is not newer than the document's are ignored.
#[test]
fn stale_versions_are_ignored() {
    let (mut s, probe) = Session::ready(&[]);
    let mut m = Model::new(&s, "file:///adv/stale.md", "visicall:bob\n");
    let v = 5;
    m.change(&s, v, &[(lc(0, 0), lc(0, 0), "a ")], true);
    m.check(&mut s, "version 5");
    let current = m.version;
    for stale in [current, current - 1, 0, -7, i64::from(i32::MIN)] {
        m.change(
            &s,
            stale,
            &[(lc(0, 0), lc(0, 0), "STALE visicall:stale ")],
            false,
        );
        m.check(&mut s, &format!("a change at version {stale}"));
    }
    // A version beyond i32 is no valid message: dropped.
    s.change(
        m.uri,
        i64::from(i32::MAX) + 1,
        json!([{"text": "visicall:overflow\n"}]),
    );
    m.check(&mut s, "a version past i32");
    s.still_serves(&probe, "stale versions");
    s.finish();
}

/// Requests at absurd positions and ranges answer (clamped) without
/// errors.
#[test]
fn requests_at_absurd_positions() {
    let (mut s, probe) = Session::ready(&[]);
    let max = u64::from(u32::MAX);
    let doc = PROBE_URI;
    for (l, c) in [(max, max), (0, max), (max, 0), (1, 0), (0, 13)] {
        let r = s.hover(doc, l, c);
        assert!(r.is_null() || r["contents"].is_object(), "{r}");
        s.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": doc}, "position": pos(l, c)}),
        );
        for (a, b) in [
            (pos(l, c), pos(l, c)),
            (pos(l, c), pos(0, 0)),
            (pos(0, 0), pos(l, c)),
        ] {
            s.call(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": doc}, "range": range(a.clone(), b.clone()), "context": {"diagnostics": []}}),
            );
            s.call(
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": doc}, "range": range(a, b)}),
            );
        }
        s.still_serves(&probe, &format!("requests at {l}:{c}"));
    }
    // Links to resolve that point anywhere.
    for data in [
        json!({"uri": doc, "start": u64::MAX}),
        json!({"uri": doc, "start": 3}),
        json!({"uri": 5, "start": "x"}),
        json!("nothing"),
    ] {
        let link = json!({"range": range(pos(0, 0), pos(0, 1)), "data": data});
        let r = s.call("documentLink/resolve", link);
        assert!(r["range"].is_object(), "{r}");
    }
    s.still_serves(&probe, "resolves");
    s.finish();
}

/// A client that never answers the server's requests (configuration,
/// registrations, refreshes) does not hold anything up: 400 changes are
/// all applied and a request is answered at once.
#[test]
fn a_client_that_never_answers() {
    let mut s = Session::start(&[], false);
    let mut caps = push_caps();
    caps["workspace"] = json!({
        "configuration": true,
        "didChangeConfiguration": {"dynamicRegistration": true},
        "didChangeWatchedFiles": {"dynamicRegistration": true},
        "inlayHint": {"refreshSupport": true},
        "workspaceEdit": {"documentChanges": true},
    });
    s.initialize(caps);
    let uri = "file:///adv/busy.md";
    s.open(uri, "markdown", 1, "");
    let mut text = String::new();
    for v in 2..402 {
        let end = LineIndex::new(&text).line_col(&text, text.len(), Encoding::Utf16);
        let at = pos(end.line.into(), end.col.into());
        s.change(
            uri,
            v,
            json!([{"range": range(at.clone(), at), "text": "visicall:x\n"}]),
        );
        text.push_str("visicall:x\n");
        if v % 100 == 0 {
            s.notify(
                "workspace/didChangeConfiguration",
                json!({"settings": null}),
            );
        }
    }
    let started = Instant::now();
    let d = s.published(uri, 401, ANSWER);
    assert_eq!(d.len(), 400);
    let r = s.hover(uri, 399, 3);
    assert!(
        r["contents"]["value"].as_str().unwrap().contains("x"),
        "{r}"
    );
    // Within the client-request timeout (5 s) plus 1 s, and in fact at once.
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
    let asked = s.wire.lock().unwrap().server_requests;
    assert!(asked >= 2, "the server asked the client things ({asked})");
    s.open_probe();
    s.finish();
}

/// Documents under any URI scheme, and URIs that are no paths, are linted
/// and keyed by their exact text; no path conversion fails.
#[test]
fn documents_under_any_uri() {
    let (mut s, probe) = Session::ready(&[]);
    let uris = [
        "untitled:Untitled-1",
        "vscode-notebook-cell:/home/u/n.ipynb#W0sZmlsZQ%3D%3D",
        "file:///c%3A/Users/u/a.md",
        "file:///c:/Users/u/a.md",
        "file:///C%3A/Users/u/a.md",
        "file://server/share/a.md",
        "file:///%E2%82%AC/%2e%2e/a.md",
        "file:///tmp/a%20b.md",
        "git:/tmp/a.md?%7B%22ref%22%3A%22HEAD%22%7D",
        "x:",
    ];
    // Each one a different text, so a mix-up shows.
    for (i, uri) in uris.iter().enumerate() {
        let text = format!("{}visicall:bob{i}\n", " ".repeat(i));
        s.open(uri, "markdown", 1, &text);
        let d = s.published(uri, 1, ANSWER);
        assert_eq!(codes(&d), ["TC001"], "{uri}");
        assert_eq!(d[0]["range"]["start"], pos(0, i as u64), "{uri}");
        let h = s.hover(uri, 0, i as u64 + 10);
        let h = h["contents"]["value"].as_str().unwrap_or_default();
        assert!(h.contains(&format!("bob{i}")), "{uri}: {h}");
    }
    // Pull-style requests and workspace features with them open.
    for uri in uris {
        let r = s.call(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}}),
        );
        assert_eq!(r.as_array().unwrap().len(), 1, "{uri}");
        s.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        let cleared = s.wait_for(ANSWER, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        assert_eq!(cleared["params"]["diagnostics"], json!([]), "{uri}");
    }
    s.still_serves(&probe, "URIs of every kind");
    s.finish();
}

/// A config file and editor settings built to make pattern compilation
/// explode are refused with a warning; the server starts at once and lints
/// with the built-in rules, and keeps its settings.
#[test]
fn a_malicious_configuration() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let patterns: Vec<String> = (0..3000)
        .map(|i| format!("\"*{}{i}\"", "a*".repeat(120)))
        .collect();
    std::fs::write(
        root.join("trueconf-lsp.toml"),
        format!("allowed-servers = [{}]\n", patterns.join(",")),
    )
    .unwrap();
    let root_uri = format!("file://{}", root.display());
    let mut s = Session::start(&[], true);
    let started = Instant::now();
    s.initialize_with(json!({
        "processId": null,
        "rootUri": root_uri,
        "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
        "capabilities": push_caps(),
    }));
    let warning = s.wait_for(ANSWER, |m| m["method"] == "window/showMessage");
    let took = started.elapsed();
    let message = warning["params"]["message"].as_str().unwrap();
    // Refused as `--check` refuses it: at the first pattern, with its place.
    assert!(
        message.contains(
            "trueconf-lsp.toml:1:20: allowed-servers: pattern with more than 16 wildcards"
        ),
        "{message}"
    );
    assert!(message.contains("the config file is ignored"), "{message}");
    assert!(took < Duration::from_secs(3), "{took:?}");
    let uri = format!("{root_uri}/a.md");
    s.open(&uri, "markdown", 1, "trueconf:bob@evil.example.org\n");
    // No allowed-servers in force: TC016 stays off, the rest runs.
    assert_eq!(codes(&s.published(&uri, 1, ANSWER)), Vec::<String>::new());
    s.open(&uri, "markdown", 2, "visicall:bob\n");
    assert_eq!(codes(&s.published(&uri, 2, ANSWER)), ["TC001"]);
    // Settings pushed by the editor: a good one, then a malicious one.
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"trueconf-lsp": {"allowedServers": ["*.example.com"]}}}),
    );
    // The settings apply in the background: edit until they show.
    let mut version = 3;
    loop {
        s.open(&uri, "markdown", version, "trueconf:bob@evil.example.org\n");
        if codes(&s.published(&uri, version, ANSWER)) == ["TC016"] {
            break;
        }
        assert!(version < 100, "the editor's allowed-servers never applied");
        version += 1;
        thread::sleep(Duration::from_millis(20));
    }
    let many: Vec<String> = (0..3000)
        .map(|i| format!("*{}{i}", "a*".repeat(120)))
        .collect();
    s.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"trueconf-lsp": {"allowedServers": many}}}),
    );
    let warning = s.wait_for(ANSWER, |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .unwrap()
                .contains("keeping the previous settings")
    });
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap()
            .contains("at most 256")
    );
    s.open(
        &uri,
        "markdown",
        version + 1,
        "trueconf:bob@evil.example.org\ntrueconf:bob@ok.example.com\n",
    );
    let d = s.published(&uri, version + 1, ANSWER);
    assert_eq!(
        codes(&d),
        ["TC016"],
        "the previous allowed-servers stay: {d:?}"
    );
    // A config file too large to read is refused too.
    std::fs::write(root.join("trueconf-lsp.toml"), "#".repeat(2 << 20)).unwrap();
    s.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("{root_uri}/trueconf-lsp.toml"), "type": 2}]}),
    );
    let warning = s.wait_for(ANSWER, |m| {
        m["method"] == "window/showMessage"
            && m["params"]["message"]
                .as_str()
                .unwrap()
                .contains("larger than")
    });
    assert!(
        warning["params"]["message"]
            .as_str()
            .unwrap()
            .contains("1024 KiB")
    );
    s.open_probe();
    s.finish();
}

/// What a client sends (a setting's value, a method name, a document's
/// URI) reaches the log and the messages shown to the user with every
/// control, bidi and separator character escaped: no forged log line, no
/// escape sequence, no reordering (the log at trace level).
#[test]
fn client_text_reaches_the_log_escaped() {
    let _heavy = heavy();
    let evil = "x\u{1b}[31m\u{202e}\u{9b}\u{200f}\r\n::error::y";
    let mut s = Session::start(&[], true);
    s.initialize_with(json!({
        "processId": null,
        "rootUri": null,
        "capabilities": push_caps(),
        "initializationOptions": {"settings": {"select": ["TC", evil]}},
    }));
    let shown = s.wait_for(ANSWER, |m| m["method"] == "window/showMessage");
    let shown = shown["params"]["message"].as_str().unwrap().to_string();
    assert!(shown.contains("::error::y"), "{shown}");
    s.notify(&format!("custom/{evil}"), json!({}));
    let uri = format!("file:///tmp/{evil}.md");
    s.change(&uri, 2, json!([{"text": "trueconf:bob"}]));
    s.open_probe();
    let done = s.finish();
    let log = String::from_utf8(done.stderr).unwrap();
    assert!(log.contains("::error::y"), "the setting is logged: {log}");
    for (what, text) in [("log", log.as_str()), ("message", shown.as_str())] {
        let raw: Vec<char> = text
            .chars()
            .filter(|&c| c != '\n' && trueconf_lsp::text::is_unsafe_to_print(c))
            .collect();
        assert!(raw.is_empty(), "raw {raw:?} in the {what}: {text}");
    }
    // Each event is one line: the `\r\n` in the value forged none.
    assert!(log.lines().all(|l| !l.starts_with("::error::")), "{log}");
}

// --- Big and pathological documents. ---

/// The 20 MB single line of `trueconf:x`: over the default size cap it gets
/// one clear diagnostic at once; with the cap raised it is linted. Either
/// way answers come within seconds and the server stays under 256 MiB of
/// peak RSS. The bound: the text is held at most about six times at once
/// (the frame filter's buffer, the framework's read buffer, the parsed
/// message, the rope, the lint's copy, the line copied out of the rope to
/// place an edit), 120 MiB, plus the runtime and allocator slack; a
/// seventh or eighth copy, or a quadratic buffer, would cross it.
/// (Measured: 78 MiB over the cap, 116 MiB linted.)
#[test]
fn a_20_mb_single_line() {
    let _heavy = heavy();
    let line = "trueconf:x".repeat(2_000_000);
    let uri = "file:///adv/huge.txt";

    let (mut s, probe) = Session::ready(&[]);
    let started = Instant::now();
    s.open(uri, "plaintext", 1, &line);
    let d = s.published(uri, 1, Duration::from_secs(10));
    let took = started.elapsed();
    eprintln!("20 MB over the cap: diagnostic in {took:?}");
    assert_eq!(d.len(), 1, "{d:?}");
    let message = d[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("document too large") && message.contains("16.0 MiB"),
        "{message}"
    );
    assert!(took < Duration::from_secs(5), "{took:?}");
    assert_eq!(s.hover(uri, 0, 5), Value::Null);
    assert_eq!(
        s.call(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}})
        ),
        json!([])
    );
    // An edit at its far end is applied and judged again.
    let end = pos(0, line.len() as u64);
    s.change(
        uri,
        2,
        json!([{"range": range(end.clone(), end), "text": " visicall:bob"}]),
    );
    assert_eq!(s.published(uri, 2, Duration::from_secs(10)).len(), 1);
    eprintln!("20 MB over the cap: edited in {:?}", started.elapsed());
    s.still_serves(&probe, "a 20 MB document over the cap");
    let peak = s.peak_mib();
    eprintln!("20 MB over the cap: peak {peak} MiB");
    assert!(peak < 256, "peak RSS {peak} MiB");
    s.finish();

    let (mut s, probe) = Session::ready(&[(trueconf_lsp::lsp::MAX_BYTES_ENV, "33554432")]);
    let started = Instant::now();
    s.open(uri, "plaintext", 1, &line);
    assert_eq!(
        s.published(uri, 1, Duration::from_secs(30)),
        Vec::<Value>::new()
    );
    let took = started.elapsed();
    eprintln!("20 MB linted: diagnostics in {took:?}");
    let end = pos(0, line.len() as u64);
    s.change(
        uri,
        2,
        json!([{"range": range(end.clone(), end), "text": " visicall:bob"}]),
    );
    let d = s.published(uri, 2, Duration::from_secs(30));
    eprintln!("20 MB linted: edited in {:?}", started.elapsed());
    assert_eq!(codes(&d), ["TC001"]);
    assert_eq!(d[0]["range"]["start"], pos(0, line.len() as u64 + 1));
    let r = s.hover(uri, 0, line.len() as u64 + 3);
    assert!(
        r["contents"]["value"].as_str().unwrap().contains("bob"),
        "{r}"
    );
    let links = s.call(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(links.as_array().unwrap().len(), 1);
    eprintln!("20 MB linted: features in {:?}", started.elapsed());
    s.still_serves(&probe, "a 20 MB document linted");
    let peak = s.peak_mib();
    eprintln!("20 MB linted: peak {peak} MiB");
    assert!(peak < 256, "peak RSS {peak} MiB");
    assert!(took < Duration::from_secs(5), "linting 20 MB took {took:?}");
    s.finish();
}

/// A 1 MiB Markdown document that reads like documentation: prose, code
/// blocks, and a link every few lines, some of them with findings.
fn docs_like_mib() -> String {
    const WORDS: &[&str] = &[
        "the",
        "server",
        "call",
        "video",
        "join",
        "conference",
        "user",
        "room",
        "settings",
        "with",
        "and",
        "of",
        "to",
        "a",
        "network",
        "camera",
        "invite",
        "schedule",
    ];
    const LINKS: &[&str] = &[
        "[join](trueconf:\\c\\1234567890@video.example.com%23vcs)",
        "[call](trueconf:bob@tc.example.org)",
        "visicall:ann@video.example.com",
        "[room](trueconf:login=u&password=p&force=1)",
        "<trueconf:support>",
    ];
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    let mut text = String::with_capacity((1 << 20) + 200);
    while text.len() < 1 << 20 {
        match next(40) {
            0 => text.push_str("```\nlogin and call the room\n```\n"),
            1..=3 => {
                text.push_str("See ");
                text.push_str(LINKS[next(LINKS.len())]);
                text.push_str(" for the room.\n");
            }
            _ => {
                for _ in 0..8 + next(20) {
                    text.push_str(WORDS[next(WORDS.len())]);
                    text.push(' ');
                }
                text.push_str("end.\n");
            }
        }
    }
    text
}

/// The publishes for `uri` among the messages received so far, taken out.
fn take_publishes(s: &mut Session, uri: &str) -> Vec<Value> {
    let (hit, rest): (Vec<Value>, Vec<Value>) = s.pending.drain(..).partition(|m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
    });
    s.pending = rest.into();
    hit.into_iter().map(|m| m["params"].clone()).collect()
}

/// Reliability item 11, as phrased, with the server's debounce of 0: 50
/// rapid edits on a 1 MiB document give at most 2 publishes, the last for
/// the final version, within debounce + 150 ms of the last edit. A lint
/// starts at once when none runs for the document; edits that arrive
/// while one runs are coalesced into one lint of the newest version; a
/// lint overtaken by an edit is not published.
///
/// Then the same burst on a 1 MiB document dense with findings, whose
/// lint takes about half a second in a debug build: a `codeAction` on a
/// small document sent during that lint is answered within 200 ms (lints
/// run off the transport), the publishes are again at most 2 and in
/// version order, and the final one comes within two lints of the last
/// edit (the lint an edit overtakes stops at its next check, then the
/// final version is linted: the versions between are never linted). Item 10: a burst then a close while a lint runs
/// ends with one empty publish, and nothing after it.
#[test]
fn rapid_edits_of_a_big_document() {
    /// The server has no debounce: a lint starts as soon as it can.
    const DEBOUNCE: Duration = Duration::ZERO;
    let _heavy = heavy();
    let (mut s, probe) = Session::ready(&[]);
    let small = "file:///adv/small.md";
    s.open(small, "markdown", 1, "visicall:ann\n");
    s.published(small, 1, ANSWER);

    // The 50 edits leave in one write, as an editor's burst reaches the
    // server: sent one by one, a client thread paused by a loaded machine
    // between two of them let the server lint and publish the versions in
    // between (a CI run saw publishes 2, 3, 4, 5, 6 and 51).
    let burst = |s: &mut Session, uri: &str, from: i64| -> Instant {
        let mut bytes = Vec::new();
        for v in from..from + 50 {
            let msg = json!({
                "jsonrpc": "2.0",
                "method": "textDocument/didChange",
                "params": {
                    "textDocument": {"uri": uri, "version": v},
                    "contentChanges": [{"range": range(pos(0, 0), pos(0, 0)), "text": "x"}],
                },
            });
            bytes.extend_from_slice(&frame(msg.to_string().as_bytes()));
        }
        s.send_raw(&bytes);
        Instant::now()
    };
    let check = |publishes: &[Value], last: i64| {
        let versions: Vec<i64> = publishes
            .iter()
            .map(|p| p["version"].as_i64().expect("a versioned publish"))
            .collect();
        assert!(versions.len() <= 2, "{versions:?}");
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
        assert_eq!(versions.last(), Some(&last), "{versions:?}");
    };

    // A documentation-like megabyte.
    let uri = "file:///adv/big.md";
    let text = docs_like_mib();
    assert!(text.len() >= 1 << 20);
    s.open(uri, "markdown", 1, &text);
    let d = s.published(uri, 1, ANSWER);
    assert!(!d.is_empty());
    take_publishes(&mut s, uri);
    let last_edit = burst(&mut s, uri, 2);
    s.published(uri, 51, ANSWER);
    let final_after = last_edit.elapsed();
    // Anything else for this URI arrives before the final publish; wait a
    // little for stragglers all the same.
    s.hover(PROBE_URI, 0, 14);
    let mut publishes = take_publishes(&mut s, uri);
    publishes.push(json!({"version": 51}));
    eprintln!(
        "1 MiB of prose, 50 edits: final diagnostics {final_after:?} after the last edit, publishes {:?}",
        publishes.iter().map(|p| &p["version"]).collect::<Vec<_>>()
    );
    check(&publishes, 51);
    assert!(
        final_after <= DEBOUNCE + Duration::from_millis(150),
        "final version published {final_after:?} after the last edit"
    );

    // A megabyte dense with findings: a long lint.
    let dense = "file:///adv/dense.md";
    let line =
        "See [the meeting](trueconf:room7@video.example.com&encrypt=1) and visicall:bob today.\n";
    let text = line.repeat((1 << 20) / line.len());
    let opened = Instant::now();
    s.open(dense, "markdown", 1, &text);
    assert_eq!(s.published(dense, 1, Duration::from_secs(30)).len(), 1001);
    let one_lint = opened.elapsed();
    let last_edit = burst(&mut s, dense, 2);
    let asked = Instant::now();
    let id = s.send_request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": small}, "range": range(pos(0, 0), pos(0, 3)), "context": {"diagnostics": []}}),
    );
    let actions = s.response(id, ANSWER);
    let answered = asked.elapsed();
    let linting = take_publishes(&mut s, dense).is_empty();
    assert!(
        !actions["result"].as_array().unwrap().is_empty(),
        "{actions}"
    );
    s.published(dense, 51, Duration::from_secs(30));
    let final_after = last_edit.elapsed();
    s.hover(PROBE_URI, 0, 14);
    let mut publishes = take_publishes(&mut s, dense);
    publishes.push(json!({"version": 51}));
    eprintln!(
        "1 MiB dense, 50 edits: one lint {one_lint:?}; other request answered in {answered:?} (lint running: {linting}); final diagnostics {final_after:?} after the last edit, publishes {:?}",
        publishes.iter().map(|p| &p["version"]).collect::<Vec<_>>()
    );
    check(&publishes, 51);
    assert!(answered < Duration::from_millis(200), "{answered:?}");
    if cfg!(debug_assertions) {
        // Debug lints of this text take far longer than the answer.
        assert!(linting, "the code action was answered during the lint");
    }
    assert!(
        final_after <= DEBOUNCE + one_lint * 2 + Duration::from_millis(150),
        "final version published {final_after:?} after the last edit; one lint takes {one_lint:?}"
    );

    // Item 10: a burst, then a close while the lint of its first edit
    // runs: one empty publish, then nothing more for the document.
    burst(&mut s, dense, 52);
    s.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": dense}}),
    );
    thread::sleep(one_lint * 2 + Duration::from_millis(300));
    s.hover(PROBE_URI, 0, 14);
    let publishes = take_publishes(&mut s, dense);
    assert_eq!(publishes.len(), 1, "{publishes:?}");
    assert_eq!(publishes[0]["diagnostics"], json!([]));
    assert!(publishes[0].get("version").is_none_or(Value::is_null));

    s.still_serves(&probe, "rapid edits of a big document");
    s.finish();
}

/// A 60 MB document: one "too large" diagnostic, in time and memory.
#[test]
fn a_60_mb_document() {
    let _heavy = heavy();
    let (mut s, probe) = Session::ready(&[]);
    let uri = "file:///adv/sixty.md";
    let text = "[join](trueconf:room7@video.example.com) and text\n".repeat(60_000_000 / 50);
    let started = Instant::now();
    s.open(uri, "markdown", 1, &text);
    let d = s.published(uri, 1, Duration::from_secs(20));
    let took = started.elapsed();
    assert_eq!(d.len(), 1);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .contains("this one has 57.2 MiB"),
        "{}",
        d[0]
    );
    s.still_serves(&probe, "a 60 MB document");
    let peak = s.peak_mib();
    eprintln!("60 MB: diagnostic in {took:?}, peak {peak} MiB");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // About six copies of 57 MiB at most, as for the 20 MB line.
    assert!(peak < 512, "peak RSS {peak} MiB");
    s.finish();
}

/// Pathological documents from §6.2 and from what these tests found: each
/// is linted, with the right finding for a link after the attack, within a
/// few seconds.
#[test]
fn pathological_documents_are_linted_in_time() {
    let _heavy = heavy();
    let (mut s, probe) = Session::ready(&[]);
    let tail = "\n\n[x](visicall:bob)\n";
    let cases: Vec<(&str, &str, String)> = vec![
        (
            "50 000 nested divs",
            "html",
            format!(
                "{}<a href=\"visicall:bob\">x</a>{}",
                "<div>".repeat(50_000),
                "</div>".repeat(50_000)
            ),
        ),
        (
            "50 000 nested divs in Markdown",
            "markdown",
            format!("{}{tail}", "<div>".repeat(50_000)),
        ),
        (
            "[ (]( × 40 000",
            "markdown",
            format!("{}{tail}", "[ (](".repeat(40_000)),
        ),
        (
            "[a](<b × 50 000",
            "markdown",
            format!("{}{tail}", "[a](<b".repeat(50_000)),
        ),
        (
            "[^ × 50 000",
            "markdown",
            format!("{}{tail}", "[^".repeat(50_000)),
        ),
        (
            "unclosed code span and links",
            "markdown",
            format!("`{}{tail}", "trueconf:a ".repeat(50_000)),
        ),
        (
            "namespaced keys on one line",
            "markdown",
            format!("{}{tail}", "trueconf:a:b+".repeat(50_000)),
        ),
        (
            "links cut at a bracket on one line",
            "markdown",
            format!("{}{tail}", "(trueconf:a)+".repeat(50_000)),
        ),
        (
            "markers on one line",
            "markdown",
            format!(
                "{}{tail}",
                "<!-- trueconf-lsp-disable-line TC002 --> visicall:x ".repeat(20_000)
            ),
        ),
        (
            "disable and enable pairs",
            "markdown",
            format!(
                "{}{tail}",
                "<!-- trueconf-lsp-disable TC002 --> x <!-- trueconf-lsp-enable TC004 -->\n"
                    .repeat(20_000)
            ),
        ),
        (
            "an unclosed comment of markers",
            "markdown",
            format!(
                "<!-- {}\n-->{tail}",
                "trueconf-lsp-disable-line TC002 ".repeat(20_000)
            ),
        ),
        (
            "tags without an end",
            "html",
            format!(
                "{}<a href=\"visicall:bob\">",
                "<a trueconf:x ".repeat(50_000)
            ),
        ),
        (
            "a tag of 50 000 attributes",
            "html",
            format!("<a {}>{tail}", "x=trueconf:x ".repeat(50_000)),
        ),
        (
            "a Python string of candidates",
            "python",
            format!(
                "x = '{}'\ny = 'visicall:bob'\n",
                "trueconf:a:b+".repeat(50_000)
            ),
        ),
    ];
    for (i, (what, language, text)) in cases.iter().enumerate() {
        let uri = format!("file:///adv/patho{i}");
        let started = Instant::now();
        s.open(&uri, language, 1, text);
        let d = s.published(&uri, 1, Duration::from_secs(30));
        let took = started.elapsed();
        // The server's findings are the library's, capped at 1000 and a
        // summary; the link after the attack is among them.
        let kind = DocKind::from_language_id(language);
        let analysis = trueconf_lsp::analyze(text, kind, &Config::default());
        let want: Vec<String> = analysis
            .diagnostics
            .iter()
            .map(|d| d.rule.code().to_string())
            .collect();
        // Unless the attack's own findings fill the per-document cap
        // (`rules::MAX_FINDINGS`, kept in source order).
        assert!(
            analysis.capped || want.iter().any(|c| c == "TC001"),
            "{what}: the link after the attack"
        );
        let got = codes(&d);
        let shown = want.len().min(1000);
        assert_eq!(got[..shown], want[..shown], "{what}");
        assert_eq!(got.len(), shown + usize::from(want.len() > 1000), "{what}");
        assert!(took < Duration::from_secs(5), "{what}: {took:?}");
        s.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
        s.still_serves(&probe, what);
    }
    s.finish();
}

/// The command line on one long line of 4 500 findings, with passwords:
/// the full and JSON reports are written in seconds (the columns of every
/// finding, and the excerpt under it, were computed from the start of the
/// line: minutes), and no password is shown.
#[test]
fn cli_reports_on_a_long_line() {
    let _heavy = heavy();
    let dir = tempfile::tempdir().unwrap();
    let line =
        format!("visicall:x&password={CANARY} ").repeat(1_500) + &"visicall:y ".repeat(1_500);
    std::fs::write(dir.path().join("long.md"), format!("{line}\n")).unwrap();
    for format in ["full", "json"] {
        let started = Instant::now();
        let out = Command::new(BIN)
            .args(["--check", "--output-format", format])
            .arg(dir.path())
            .output()
            .unwrap();
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(1), "{format}");
        assert!(out.stdout.len() > 30_000, "{format}");
        assert_no_canary(&out.stdout, format);
        assert_no_canary(&out.stderr, format);
        eprintln!("--check --output-format {format} on a long line: {took:?}");
        assert!(took < Duration::from_secs(10), "{format}: {took:?}");
    }
}

/// CPU time of the calling thread, to the nanosecond: unlike the wall
/// clock it does not grow when other tests or processes take the CPU.
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill in.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID)");
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// The least time of `runs` lints of `text`.
fn lint_time(text: &str, kind: DocKind, runs: usize) -> Duration {
    (0..runs)
        .map(|_| {
            let start = thread_cpu();
            std::hint::black_box(trueconf_lsp::analyze(text, kind, &Config::default()));
            thread_cpu() - start
        })
        .min()
        .unwrap()
}

/// A pathological pattern: its name, the kind of document, and the text
/// at size n.
type Pattern = (&'static str, DocKind, fn(usize) -> String);

/// Linting 4n bytes of each pathological pattern takes at most 6 times as
/// long as n bytes (linear time, or n log n: quadratic would be 16 times).
/// Not 5: suppression markers are looked up by binary search (n log n,
/// 4.5× at these sizes), and at 10 MB those searches miss the caches more
/// often than at 2.6 MB: "marker regions" measured 5.1–6.4× in release
/// builds (2026-12-04 and -05).
#[test]
fn lint_time_is_linear() {
    const LINEAR: f64 = 6.0;
    let _heavy = heavy();
    let md = DocKind::Markdown;
    let cases: Vec<Pattern> = vec![
        ("trueconf:x line", DocKind::Plain, |n| {
            "trueconf:x".repeat(n * 10)
        }),
        ("links on one line", md, |n| "trueconf:x ".repeat(n)),
        ("links ending in _ on one line", md, |n| {
            "trueconf:a_ ".repeat(n)
        }),
        (
            "\\N{ escapes in a string",
            DocKind::Code(Lang::Python),
            |n| format!("'trueconf:a{}'", "\\N{LATIN SMALL LETTER A}".repeat(n / 4)),
        ),
        ("nested divs", DocKind::Html, |n| {
            format!("{}<a href=\"trueconf:bob\">x</a>", "<div>".repeat(n * 4))
        }),
        ("[ (](", md, |n| {
            format!("{}\n[x](trueconf:bob)", "[ (](".repeat(n * 4))
        }),
        ("[a](<b", md, |n| {
            format!("{}\n[x](trueconf:bob)", "[a](<b".repeat(n * 4))
        }),
        ("[a](trueconf:b", md, |n| "[a](trueconf:b".repeat(n)),
        ("namespaced keys", md, |n| "trueconf:a:b+".repeat(n)),
        ("cut at brackets", DocKind::Plain, |n| {
            "(trueconf:a)+".repeat(n)
        }),
        ("code span", md, |n| format!("`{}", "trueconf:a ".repeat(n))),
        ("Python string", DocKind::Code(Lang::Python), |n| {
            format!("'{}'", "trueconf:a:b+".repeat(n))
        }),
        ("tags without >", DocKind::Html, |n| {
            "<a trueconf:x ".repeat(n)
        }),
        ("a tag of many attributes", DocKind::Html, |n| {
            format!("<a {}>", "x=trueconf:x ".repeat(n))
        }),
        ("HTML entities", DocKind::Html, |n| {
            format!("<a href=\"trueconf:b{}\">", "&amp;x=1".repeat(n))
        }),
        ("raw HTML handlers on one line", md, |n| {
            "<a onclick=\"go('trueconf:x')\">y</a> ".repeat(n / 2)
        }),
        ("backslashes before a tag holding links", md, |n| {
            format!(
                "{}<a onclick=\"go({})\">",
                "\\".repeat(n * 4),
                "'trueconf:a',".repeat(n)
            )
        }),
        ("an open tag before links on one line", md, |n| {
            format!("<a onclick=\"go('{}", "trueconf:x ".repeat(n))
        }),
        ("markers on one line", md, |n| {
            "<!-- trueconf-lsp-disable-line TC001 --> visicall:x ".repeat(n / 4)
        }),
        (
            "Ruby here-documents on one line",
            DocKind::Code(Lang::Ruby),
            |n| format!("x({})\n{}", "<<~E, ".repeat(n), "trueconf:a\nE\n".repeat(n)),
        ),
        ("Ruby unclosed #{", DocKind::Code(Lang::Ruby), |n| {
            format!("\"{}\"", "trueconf:a #{".repeat(n))
        }),
        ("Perl nested q{", DocKind::Code(Lang::Perl), |n| {
            format!("q{}{}", "{".repeat(n), "trueconf:a{".repeat(n))
        }),
        ("PHP regions", DocKind::Code(Lang::Php), |n| {
            "<?php 'trueconf:a' ?><a href=\"trueconf:b\">".repeat(n)
        }),
        ("HTML fences", md, |n| {
            "```html\n<a href=\"trueconf:a\">\n```\n".repeat(n)
        }),
        ("PowerShell subexpressions", DocKind::PowerShell, |n| {
            format!("\"{}\"", "$(x 'trueconf:a') ".repeat(n))
        }),
        ("shell substitutions", DocKind::Code(Lang::Shell), |n| {
            format!("\"{}\"", "$(x 'trueconf:a') ".repeat(n))
        }),
        ("adjacent literals", DocKind::Code(Lang::Python), |n| {
            "'trueconf:a' \"trueconf:b\"\n".repeat(n)
        }),
        (
            "a chain of literals on one line",
            DocKind::Code(Lang::Java),
            |n| format!("x = ({});", "\"trueconf:\" ".repeat(n)),
        ),
        (
            "a chain of literals over lines",
            DocKind::Code(Lang::Python),
            |n| format!("x = (\n{})", "\"trueconf:\"\n".repeat(n)),
        ),
        (
            "reStructuredText references never closed",
            DocKind::Rst,
            |n| "`a <trueconf:x\n".repeat(n),
        ),
        (
            "reStructuredText references closed far away",
            DocKind::Rst,
            |n| format!("{}>`_", "`a <trueconf:x ".repeat(n)),
        ),
        ("reStructuredText wrapped targets", DocKind::Rst, |n| {
            format!(".. _t: trueconf:x\n{}", "   &y=1 trueconf:z\n".repeat(n))
        }),
        ("marker regions", md, |n| {
            "<!-- trueconf-lsp-disable TC001 --> visicall:x <!-- trueconf-lsp-enable TC002 -->\n"
                .repeat(n / 4)
        }),
    ];
    let mut report = Vec::new();
    for (what, kind, make) in cases {
        // A size whose lint takes some 30 ms: below that the ratio is noise.
        let mut n = 250;
        while n < 1 << 18
            && make(n).len() < 2 << 20
            && lint_time(&make(n), kind, 1) < Duration::from_millis(30)
        {
            n *= 2;
        }
        let (small_text, big_text) = (make(n), make(4 * n));
        // Another test may share the CPU's caches for a while: a ratio
        // over 6 is measured again, up to three times. Quadratic time (16×)
        // fails every time.
        let mut ratios = Vec::new();
        let mut best = f64::MAX;
        let mut instant = false;
        for _ in 0..3 {
            let small = lint_time(&small_text, kind, 3);
            let big = lint_time(&big_text, kind, 3);
            let ratio = big.as_secs_f64() / small.as_secs_f64().max(1e-9);
            ratios.push(format!("{small:?} → {big:?} ({ratio:.1}×)"));
            best = best.min(ratio);
            // Faster than a nanosecond a byte at 4n (a search over the
            // text and nothing else, at memory speed): no quadratic work
            // is hiding there, and cache sizes decide the ratio.
            instant = big.as_secs_f64() < big_text.len() as f64 * 1e-9;
            if best <= LINEAR || instant {
                break;
            }
        }
        report.push(format!(
            "{what} (n = {n}, {} bytes): {}",
            small_text.len(),
            ratios.join("; ")
        ));
        assert!(
            best <= LINEAR || instant,
            "{what} is not linear:\n{}",
            report.join("\n")
        );
    }
    eprintln!("{}", report.join("\n"));
}

/// A size cap set through the environment, and the diagnostics cap with
/// its summary, in the real binary.
#[test]
fn size_cap_and_diagnostics_cap() {
    let _heavy = heavy();
    let (mut s, probe) = Session::ready(&[(trueconf_lsp::lsp::MAX_BYTES_ENV, "1000")]);
    let uri = "file:///adv/capped.md";
    s.open(uri, "markdown", 1, &"visicall:bob\n".repeat(100));
    let d = s.published(uri, 1, ANSWER);
    assert_eq!(d.len(), 1);
    assert!(
        d[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("document too large")
    );
    s.change(uri, 2, json!([{"text": "visicall:bob\n"}]));
    assert_eq!(codes(&s.published(uri, 2, ANSWER)), ["TC001"]);
    s.still_serves(&probe, "the size cap");
    s.finish();

    // A cap that is no number is ignored, with a warning.
    let (s, _) = Session::ready(&[(trueconf_lsp::lsp::MAX_BYTES_ENV, "lots")]);
    let done = s.finish();
    assert!(String::from_utf8_lossy(&done.stderr).contains("is not a number"));

    // 100 000 findings: the first 1000 and one summary, in time.
    let (mut s, probe) = Session::ready(&[]);
    let started = Instant::now();
    s.open(uri, "markdown", 1, &"visicall:x\n".repeat(100_000));
    let d = s.published(uri, 1, Duration::from_secs(30));
    let took = started.elapsed();
    assert_eq!(d.len(), 1001);
    assert!(d[..1000].iter().all(|d| d["code"] == "TC001"));
    assert!(
        d[1000]["message"]
            .as_str()
            .unwrap()
            .starts_with("at least 9000 more trueconf: problems"),
        "{}",
        d[1000]
    );
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Every editor feature answers on it, in time, without listing all.
    let whole = range(pos(0, 0), pos(100_000, 0));
    let started = Instant::now();
    let actions = s.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}),
    );
    let links = s.call(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    let hints = s.call(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": whole}),
    );
    let took = started.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Actions for the 1000 diagnostics shown (a fix and a "disable" for
    // each, and fix-all), the first 10 000 links and hints.
    for (what, list, most) in [
        ("actions", &actions, 2001),
        ("links", &links, 10_000),
        ("hints", &hints, 10_000),
    ] {
        let n = list.as_array().map_or(0, Vec::len);
        assert!((1..=most).contains(&n), "{what}: {n}");
    }
    s.still_serves(&probe, "the diagnostics cap");
    s.finish();
}

/// A long line full of links: every feature that lists positions answers
/// in time. (Columns were counted from the start of the line for every
/// position, quadratic in the line's length: documentLink on this line
/// took minutes.)
#[test]
fn features_on_a_long_line_of_links() {
    let _heavy = heavy();
    let (mut s, probe) = Session::ready(&[]);
    let uri = "file:///adv/long.md";
    let text = format!("{}\n", "visicall:x ".repeat(50_000));
    s.open(uri, "markdown", 1, &text);
    let d = s.published(uri, 1, Duration::from_secs(30));
    assert_eq!(d.len(), 1001);
    let last = d[999]["range"]["start"]["character"].as_u64().unwrap();
    assert_eq!(last, 999 * 11);
    let whole = range(pos(0, 0), pos(1, 0));
    let started = Instant::now();
    let links = s.call(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    let links = links.as_array().unwrap();
    assert_eq!(links.len(), 10_000);
    assert_eq!(links[9_999]["range"]["start"], pos(0, 9_999 * 11));
    let hints = s.call(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": whole}),
    );
    assert_eq!(hints.as_array().unwrap().len(), 10_000);
    let fixes = s.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    assert_eq!(fixes.as_array().unwrap().len(), 1001);
    let took = started.elapsed();
    eprintln!("links, hints and quick fixes on a long line: {took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
    // Fix-all re-lints the whole document: linear, and in time too.
    let all = s.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    assert_eq!(all.as_array().unwrap().len(), 1);
    s.still_serves(&probe, "a long line of links");
    s.finish();
}

/// One link two megabytes long, of half a million parameters, each with
/// a finding whose safe fix needs a pass of its own: the hover stays a
/// few kilobytes (its table and values are cut, saying so), and fix-all
/// from a client that cannot resolve actions answers in bounded time with
/// the fixes of the passes it made, instead of running a hundred passes.
#[test]
fn features_on_a_megabyte_long_link() {
    let _heavy = heavy();
    let (mut s, probe) = Session::ready(&[]);
    let uri = "file:///adv/biglink.md";
    let text = format!("x trueconf:a{}\n", "&b=1".repeat(500_000));
    s.open(uri, "markdown", 1, &text);
    let d = s.published(uri, 1, Duration::from_secs(60));
    assert!(!d.is_empty());
    let started = Instant::now();
    let hover = s.hover(uri, 0, 5);
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(value.len() < 16_000, "hover of {} bytes", value.len());
    assert!(value.contains("more parts not shown"), "{value}");
    // Waited for as long as the bound below allows: on a loaded CI
    // machine the answer once took longer than the usual 10 s.
    let id = s.send_request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": range(pos(0, 0), pos(0, 5)), "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let all = s.response(id, Duration::from_secs(30))["result"].clone();
    let took = started.elapsed();
    eprintln!("hover and fix-all on a 2 MB link: {took:?}");
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 1, "{all:?}");
    assert!(all[0]["edit"].is_object(), "{all:?}");
    // Without the bound, a hundred passes of about 70 ms (release). Alone,
    // release builds answered in 2.0-2.9 s before the rules stopped at the
    // findings cap (in over 10 s once, a debug build with the other test
    // binaries on the same two cores), in 1.2-1.5 s after; debug, 6.1 s.
    assert!(
        took < Duration::from_secs(if cfg!(debug_assertions) { 30 } else { 10 }),
        "{took:?}"
    );
    s.still_serves(&probe, "a megabyte-long link");
    s.finish();
}

// --- Secrets, logs and stdout. ---

const CANARY: &str = "Zq7CanaryPw-x41";

/// Every form of the canary that must never be written: as is, percent-
/// encoded (each character, and just the `-`), base64 (standard and URL
/// alphabets, at every alignment inside a longer string).
fn canary_forms() -> Vec<Vec<u8>> {
    let mut forms = vec![
        CANARY.as_bytes().to_vec(),
        CANARY.replace('-', "%2D").into_bytes(),
        CANARY
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect::<String>()
            .into_bytes(),
        CANARY.to_uppercase().into_bytes(),
    ];
    for shift in 0..3 {
        let mut padded = vec![b'a'; shift];
        padded.extend_from_slice(CANARY.as_bytes());
        let b64 = base64(&padded);
        // Skip the characters that also depend on the padding bytes.
        let skip = (shift * 4).div_ceil(3);
        let core = &b64[skip..b64.len() - 4];
        forms.push(core.as_bytes().to_vec());
        forms.push(core.replace('+', "-").replace('/', "_").into_bytes());
    }
    forms
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        for _ in chunk.len()..3 {
            out.push('=');
        }
    }
    out
}

/// Asserts that no canary form is in `bytes`.
fn assert_no_canary(bytes: &[u8], what: &str) {
    for form in canary_forms() {
        assert!(
            !contains(bytes, &form),
            "{what} holds the canary as {:?}",
            String::from_utf8_lossy(&form)
        );
    }
}

fn language_of(ext: &str) -> &'static str {
    match ext {
        "md" => "markdown",
        "html" => "html",
        "js" => "javascript",
        "py" => "python",
        "json" => "json",
        "yaml" => "yaml",
        _ => "plaintext",
    }
}

/// Positions (UTF-16) to ask about in `text`: in every link, at its start,
/// at every `=`, `&`, `:` and `@` in it, and at its end.
fn link_positions(text: &str) -> Vec<Value> {
    let index = LineIndex::new(text);
    let mut offsets = Vec::new();
    for scheme in ["trueconf:", "visicall:"] {
        for (at, _) in text.match_indices(scheme) {
            let end = text[at..]
                .find(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == ')')
                .map_or(text.len(), |e| at + e);
            offsets.push(at);
            offsets.push(end);
            for (i, c) in text[at..end].char_indices() {
                if matches!(c, '=' | '&' | ':' | '@') {
                    offsets.push(at + i + 1);
                }
            }
        }
    }
    offsets.sort_unstable();
    offsets.dedup();
    offsets
        .into_iter()
        .map(|o| {
            let lc = index.line_col(text, o, Encoding::Utf16);
            pos(lc.line.into(), lc.col.into())
        })
        .collect()
}

/// Every rule's fixture with the canary planted, every editor feature at
/// every link, logs at trace: no canary form in any server-to-client
/// message or in stderr. Push and pull in separate sessions.
#[test]
fn no_canary_leaves_the_server() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let mut docs = Vec::new();
    for entry in std::fs::read_dir(fixtures).unwrap() {
        let path = entry.unwrap().path();
        let ext = path.extension().unwrap().to_string_lossy().into_owned();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = canary::plant(&std::fs::read_to_string(&path).unwrap(), &ext, CANARY);
        docs.push((format!("file:///adv/rules/{name}"), language_of(&ext), text));
    }
    docs.sort();
    let planted: usize = docs.iter().map(|d| d.2.matches(CANARY).count()).sum();
    assert!(planted > 30, "the canary was planted {planted} times");
    for pull in [false, true] {
        let mut s = Session::start(&[], true);
        // TC016 on, so that its messages are exercised too.
        s.initialize_with(json!({
            "processId": null,
            "rootUri": null,
            "capabilities": if pull { pull_caps() } else { push_caps() },
            "initializationOptions": {"settings": {"allowedServers": ["video.example.com", "*.corp.example.com"]}},
        }));
        let mut findings = 0;
        for (uri, language, text) in &docs {
            s.open(uri, language, 1, "");
            // The canary arrives by an edit, as typing would bring it.
            s.change(
                uri,
                2,
                json!([{"range": range(pos(0, 0), pos(0, 0)), "text": text}]),
            );
            let diagnostics = if pull {
                let r = s.call(
                    "textDocument/diagnostic",
                    json!({"textDocument": {"uri": uri}}),
                );
                r["items"].as_array().unwrap().clone()
            } else {
                s.published(uri, 2, ANSWER)
            };
            findings += diagnostics.len();
            let lines = text.split('\n').count() as u64;
            let whole = range(pos(0, 0), pos(lines, 0));
            s.call(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": diagnostics}}),
            );
            s.call(
                "textDocument/codeAction",
                json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
            );
            for d in &diagnostics {
                s.call(
                    "textDocument/codeAction",
                    json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
                );
            }
            let links = s.call(
                "textDocument/documentLink",
                json!({"textDocument": {"uri": uri}}),
            );
            let links = links.as_array().unwrap();
            assert!(!links.is_empty(), "{uri} has links");
            for link in links {
                s.call("documentLink/resolve", link.clone());
            }
            s.call(
                "textDocument/inlayHint",
                json!({"textDocument": {"uri": uri}, "range": whole}),
            );
            for p in link_positions(text) {
                s.call(
                    "textDocument/hover",
                    json!({"textDocument": {"uri": uri}, "position": p}),
                );
                s.call(
                    "textDocument/completion",
                    json!({"textDocument": {"uri": uri}, "position": p}),
                );
            }
        }
        assert!(findings > 30, "the fixtures have findings ({findings})");
        if pull {
            s.call("workspace/diagnostic", json!({"previousResultIds": []}));
        }
        for (uri, _, _) in &docs {
            s.notify(
                "textDocument/didClose",
                json!({"textDocument": {"uri": uri}}),
            );
        }
        let done = s.finish();
        let wire: Vec<u8> = done.bodies.concat();
        assert!(wire.len() > 50_000, "the session said something");
        assert!(contains(&wire, b"TC004"), "the password was reported");
        assert!(
            contains(&wire, b"h= `evil.example.net` is not in allowed-servers"),
            "the server after a userinfo was reported"
        );
        for body in &done.bodies {
            assert_no_canary(
                body,
                &format!("a message ({})", String::from_utf8_lossy(body)),
            );
        }
        assert!(!done.stderr.is_empty(), "trace logs were written");
        assert_no_canary(&done.stderr, "stderr");
    }
}

/// At every log level, including asking for the framework's message
/// traces, stdout holds only framed JSON-RPC messages and stderr holds no
/// password and no document text.
#[test]
fn stdout_is_only_messages_and_logs_hold_no_text_at_every_level() {
    let text = format!(
        "Zq7docText [join](trueconf:\\c\\1@v%23vcs&login=u&password={CANARY})\n\
         <trueconf:bob&login=u&password={CANARY}&&>\n\
         visicall:x&password={CANARY}\n"
    );
    let doc_only: &[&[u8]] = &[
        b"Zq7docText",
        b"trueconf:\\c\\1",
        b"trueconf:bob&",
        b"v%23vcs",
    ];
    for (var, level) in [
        ("TRUECONF_LOG", "trace"),
        ("TRUECONF_LOG", "debug"),
        ("TRUECONF_LOG", "info"),
        ("TRUECONF_LOG", "trace,tower_lsp_server=trace"),
        ("RUST_LOG", "trace"),
    ] {
        let env: Vec<(&str, &str)> = if var == "RUST_LOG" {
            vec![("TRUECONF_LOG", ""), ("RUST_LOG", level)]
        } else {
            vec![("TRUECONF_LOG", level)]
        };
        let (mut s, probe) = Session::ready(&env);
        let uri = "file:///adv/logs.md";
        s.open(uri, "markdown", 1, &text);
        s.published(uri, 1, ANSWER);
        s.change(uri, 2, json!([{"range": range(pos(3, 0), pos(3, 0)), "text": format!("trueconf:y&password={CANARY}\n")}]));
        s.published(uri, 2, ANSWER);
        let whole = range(pos(0, 0), pos(5, 0));
        for p in link_positions(&text) {
            s.call(
                "textDocument/hover",
                json!({"textDocument": {"uri": uri}, "position": p}),
            );
        }
        s.call(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}),
        );
        s.call(
            "textDocument/documentLink",
            json!({"textDocument": {"uri": uri}}),
        );
        s.call(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri}, "range": whole}),
        );
        s.call(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": pos(1, 20)}),
        );
        // Errors are logged too: a broken message quoting the text, bad
        // params holding it.
        s.send_raw(&frame(format!("{{\"jsonrpc\":\"2.0\",\"method\":\"textDocument/didOpen\",\"params\":{{\"text\":\"{CANARY}").as_bytes()));
        s.notify("textDocument/didChange", json!({"textDocument": {"uri": uri, "version": CANARY}, "contentChanges": [{"text": CANARY}]}));
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": 5, "version": 1, "text": CANARY}}),
        );
        s.notify(
            "workspace/didChangeConfiguration",
            json!({"settings": {"trueconf-lsp": {"select": ["TC999x"]}}}),
        );
        s.still_serves(&probe, level);
        let done = s.finish();
        let stderr = String::from_utf8_lossy(&done.stderr);
        if level != "info" {
            assert!(
                stderr.contains("didOpen"),
                "{level}: debug logs were written:\n{stderr}"
            );
        }
        assert_no_canary(&done.stderr, &format!("stderr at {level}"));
        for d in doc_only {
            assert!(
                !contains(&done.stderr, d),
                "{level}: stderr quotes the document: {stderr}"
            );
        }
    }
}

/// A panic whose message quotes the document (as a slicing bug's would) is
/// contained, and the panic hook prints where it happened, not the
/// message. Uses the debug-build test hooks of the real binary.
#[test]
#[cfg(debug_assertions)]
fn panic_messages_never_quote_the_document() {
    let (mut s, probe) = Session::ready(&[(trueconf_lsp::lsp::TEST_HOOKS_ENV, "1")]);
    let uri = "file:///adv/panic.md";
    s.open(
        uri,
        "markdown",
        1,
        &format!("Zq7docText trueconf:x&password={CANARY}\n"),
    );
    s.published(uri, 1, ANSWER);
    assert_eq!(
        s.error_code("trueconf-lsp/debugPanicText", json!({"uri": uri})),
        -32603
    );
    assert_eq!(s.error_code("trueconf-lsp/debugPanic", json!({})), -32603);
    s.notify("trueconf-lsp/debugPanicNotification", json!({}));
    s.still_serves(&probe, "panics");
    let done = s.finish();
    let stderr = String::from_utf8_lossy(&done.stderr);
    assert!(stderr.contains("trueconf-lsp: panic at"), "{stderr}");
    assert!(stderr.contains("message withheld"), "{stderr}");
    assert!(stderr.contains("debugPanic requested"), "{stderr}");
    assert_no_canary(&done.stderr, "stderr after panics");
    assert!(!stderr.contains("Zq7docText"), "{stderr}");
    for body in &done.bodies {
        assert_no_canary(body, "a message after panics");
    }
}

/// A rule that panics while linting (a test hook of the `testing` feature) kills
/// neither the document's later versions nor other documents: push
/// publishes nothing for it, requests on it get InternalError, a pull gets
/// InternalError; the panic is printed without the document's text.
#[test]
#[cfg(debug_assertions)]
fn a_panicking_lint_is_contained() {
    let hooks = [(trueconf_lsp::lsp::TEST_HOOKS_ENV, "1")];
    let marker = trueconf_lsp::lsp::PANIC_MARKER;
    let bad = format!("Zq7docText {marker} trueconf:x&password={CANARY}\n");
    let bad_uri = "file:///adv/panics.md";
    let good_uri = "file:///adv/fine.md";
    let mut stderr = Vec::new();
    for pull in [false, true] {
        let mut s = Session::start(&hooks, true);
        s.initialize(if pull { pull_caps() } else { push_caps() });
        s.open(bad_uri, "markdown", 1, &bad);
        s.open(good_uri, "markdown", 1, "visicall:bob\n");
        if pull {
            let code = s.error_code(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": bad_uri}}),
            );
            assert_eq!(code, -32603);
            let r = s.call(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": good_uri}}),
            );
            assert_eq!(codes(r["items"].as_array().unwrap()), ["TC001"]);
        } else {
            assert_eq!(codes(&s.published(good_uri, 1, ANSWER)), ["TC001"]);
        }
        let hover = json!({"textDocument": {"uri": bad_uri}, "position": pos(0, 50)});
        assert_eq!(s.error_code("textDocument/hover", hover), -32603);
        // The next version, without the marker, is linted as usual.
        s.change(bad_uri, 2, json!([{"text": "visicall:x\n"}]));
        if pull {
            let r = s.call(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": bad_uri}}),
            );
            assert_eq!(codes(r["items"].as_array().unwrap()), ["TC001"]);
        } else {
            assert_eq!(codes(&s.published(bad_uri, 2, ANSWER)), ["TC001"]);
            // Nothing was ever published for the version that panicked.
            assert!(
                !s.pending
                    .iter()
                    .any(|m| m["params"]["uri"] == bad_uri && m["params"]["version"] == 1)
            );
        }
        let r = s.hover(good_uri, 0, 3);
        assert!(
            r["contents"]["value"].as_str().unwrap().contains("bob"),
            "{r}"
        );
        let done = s.finish();
        for body in &done.bodies {
            assert_no_canary(body, "a message after a lint panic");
        }
        stderr.extend(done.stderr);
    }
    let text = String::from_utf8_lossy(&stderr);
    assert!(text.contains("trueconf-lsp: panic at"), "{text}");
    assert!(text.contains("message withheld"), "{text}");
    assert!(text.contains("lint failed (panic)"), "{text}");
    assert!(!text.contains("Zq7docText"), "{text}");
    assert_no_canary(&stderr, "stderr after lint panics");
}

/// The server has no network access to use: after a session with every
/// feature (links resolved, workspace diagnostics of a folder) it holds no
/// socket. (Run under `strace -f -e trace=network`, such a session makes no
/// network system call at all; see docs/reliability.md.)
#[test]
fn the_server_holds_no_socket() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("a.md"), "[x](visicall:bob)\n").unwrap();
    let root_uri = format!("file://{}", root.display());
    let mut s = Session::start(&[], true);
    s.initialize_with(json!({
        "processId": null,
        "rootUri": root_uri,
        "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
        "capabilities": pull_caps(),
    }));
    let uri = format!("{root_uri}/b.md");
    s.open(
        &uri,
        "markdown",
        1,
        "[x](trueconf:bob@video.example.com&login=u&password=p)\n",
    );
    let links = s.call(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    for link in links.as_array().unwrap() {
        s.call("documentLink/resolve", link.clone());
    }
    s.hover(&uri, 0, 8);
    let r = s.call("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(!r["items"].as_array().unwrap().is_empty());
    let fds = std::fs::read_dir(format!("/proc/{}/fd", s.child.id())).unwrap();
    let targets: Vec<String> = fds
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .map(|t| t.display().to_string())
        .collect();
    assert!(targets.len() >= 3, "{targets:?}");
    assert!(
        targets.iter().all(|t| !t.starts_with("socket:")),
        "the server holds a socket: {targets:?}"
    );
    s.finish();
}

/// Set to `1` to skip [`a_traced_session_makes_no_network_call`] where
/// `strace` cannot run. `scripts/test.sh` installs `strace`.
const SKIP_STRACE_ENV: &str = "TRUECONF_LSP_SKIP_STRACE";

/// A whole session under `strace -f` (every thread): open, change, hover,
/// links and their resolution, code actions, inlay hints, pull and
/// workspace diagnostics of a folder, shutdown and exit. The trace holds no
/// network system call at all (no `socket`, `connect`, `sendto`, …) and no
/// read of the resolver's files (`/etc/resolv.conf`, `/etc/hosts`,
/// `/etc/nsswitch.conf`, `/etc/gai.conf`), so no DNS lookup either. The
/// trace of `openat` shows the workspace file was read: the tracing worked.
/// (reliability.md §8 item 24.)
#[cfg(target_os = "linux")]
#[test]
fn a_traced_session_makes_no_network_call() {
    let strace_runs = Command::new("strace")
        .arg("-V")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !strace_runs {
        if std::env::var(SKIP_STRACE_ENV).as_deref() == Ok("1") {
            eprintln!("strace is missing: skipped, as {SKIP_STRACE_ENV}=1 asks");
            return;
        }
        panic!(
            "strace is needed to trace the server's system calls; install it \
             (scripts/test.sh does), or set {SKIP_STRACE_ENV}=1 to skip this test"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("on-disk.md"), "[x](visicall:bob)\n").unwrap();
    let trace = root.join("strace.log");
    let root_uri = format!("file://{}", root.display());
    let mut cmd = Command::new("strace");
    cmd.args([
        "-f",
        "-qq",
        "-e",
        "trace=%network,open,openat,openat2",
        "-o",
    ])
    .arg(&trace)
    .arg(BIN);
    let mut s = Session::start_command(cmd, &[], true);
    s.initialize_with(json!({
        "processId": null,
        "rootUri": root_uri,
        "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
        "capabilities": pull_caps(),
    }));
    let uri = format!("{root_uri}/open.md");
    let text = "[x](trueconf:bob@video.example.com&login=u&password=p)\n";
    s.open(&uri, "markdown", 1, text);
    s.change(
        &uri,
        2,
        json!([{"range": range(pos(1, 0), pos(1, 0)), "text": "visicall:ann&h=tv.example.com\n"}]),
    );
    let d = s.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert!(!d["items"].as_array().unwrap().is_empty(), "{d}");
    let h = s.hover(&uri, 0, 8);
    assert!(
        h["contents"]["value"].as_str().unwrap().contains("bob"),
        "{h}"
    );
    let links = s.call(
        "textDocument/documentLink",
        json!({"textDocument": {"uri": uri}}),
    );
    for link in links.as_array().unwrap() {
        s.call("documentLink/resolve", link.clone());
    }
    let whole = range(pos(0, 0), pos(3, 0));
    s.call(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": d["items"]}}),
    );
    s.call(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri}, "range": whole}),
    );
    let r = s.call("workspace/diagnostic", json!({"previousResultIds": []}));
    assert!(
        r.to_string().contains("on-disk.md"),
        "the folder was linted: {r}"
    );
    s.finish();
    let log = std::fs::read_to_string(&trace).expect("strace wrote its log");
    assert!(
        log.lines()
            .any(|l| l.contains("openat(") && l.contains("on-disk.md")),
        "the trace shows the workspace file read, so tracing worked:\n{log}"
    );
    let network = [
        "socket(",
        "socketpair(",
        "connect(",
        "bind(",
        "listen(",
        "accept(",
        "accept4(",
        "sendto(",
        "sendmsg(",
        "sendmmsg(",
        "recvfrom(",
        "recvmsg(",
        "recvmmsg(",
        "getsockopt(",
        "setsockopt(",
        "getsockname(",
        "getpeername(",
        "shutdown(",
    ];
    let resolver = [
        "/etc/resolv.conf",
        "/etc/hosts",
        "/etc/nsswitch.conf",
        "/etc/gai.conf",
    ];
    let calls: Vec<&str> = log
        .lines()
        .filter(|l| {
            let call = l.split_once(' ').map_or(*l, |(_, rest)| rest.trim_start());
            network.iter().any(|n| call.starts_with(n)) || resolver.iter().any(|f| l.contains(f))
        })
        .collect();
    assert!(
        calls.is_empty(),
        "the server made network or DNS calls:\n{}",
        calls.join("\n")
    );
}

/// Without the environment variable the hooks do not exist.
#[test]
fn test_hooks_are_off_by_default() {
    let (mut s, _) = Session::ready(&[]);
    assert_eq!(s.error_code("trueconf-lsp/debugPanic", json!({})), -32601);
    s.finish();
}
