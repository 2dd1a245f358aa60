//! An in-process LSP client: runs the real server (`trueconf_lsp::lsp::serve`)
//! over `tokio::io::duplex` pipes, frames JSON-RPC both ways, answers the
//! server's requests, and records every server-to-client message verbatim.

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use trueconf_lsp::lsp::Options;
use trueconf_lsp::text::{Encoding, LineCol, LineIndex};

pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Options with the test hooks on.
pub fn options() -> Options {
    Options {
        test_hooks: true,
        client_request_timeout: Duration::from_secs(2),
        ..Options::default()
    }
}

pub struct Client {
    out: mpsc::UnboundedSender<Vec<u8>>,
    incoming: mpsc::UnboundedReceiver<Value>,
    /// Messages received but not yet taken, in arrival order.
    buffer: VecDeque<Value>,
    responses: HashMap<i64, Value>,
    next_id: i64,
    /// Every server-to-client message, as the bytes of its body.
    pub wire: Arc<Mutex<Vec<String>>>,
    /// What the client answers to `workspace/configuration`.
    pub settings: Arc<Mutex<Value>>,
    server: Option<JoinHandle<i32>>,
    pub encoding: Encoding,
    /// When false, the client never answers the server's requests.
    pub answering: Arc<std::sync::atomic::AtomicBool>,
}

fn frame(body: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(body).unwrap();
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend(body);
    out
}

impl Client {
    pub fn start() -> Client {
        Client::start_with(options())
    }

    pub fn start_with(options: Options) -> Client {
        let (client_side, server_side) = tokio::io::duplex(1 << 20);
        let (server_read, server_write) = tokio::io::split(server_side);
        let server = tokio::spawn(trueconf_lsp::lsp::serve(server_read, server_write, options));
        let (read, mut write) = tokio::io::split(client_side);

        let (out_tx, mut out_rx) = mpsc::unbounded_channel::<Vec<u8>>();
        tokio::spawn(async move {
            while let Some(bytes) = out_rx.recv().await {
                if write.write_all(&bytes).await.is_err() {
                    break;
                }
            }
            let _ = write.shutdown().await;
        });

        let (in_tx, in_rx) = mpsc::unbounded_channel();
        let wire = Arc::new(Mutex::new(Vec::new()));
        let settings = Arc::new(Mutex::new(json!({})));
        let answering = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let (wire2, settings2, answer) = (wire.clone(), settings.clone(), out_tx.downgrade());
        let answering2 = answering.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(read);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    match reader.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        length = v.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length header")];
                if reader.read_exact(&mut body).await.is_err() {
                    return;
                }
                let text = String::from_utf8(body).expect("UTF-8 body");
                wire2.lock().unwrap().push(text.clone());
                let msg: Value = serde_json::from_str(&text).expect("JSON body");
                // Answer server-to-client requests right away.
                let answer_now = answering2.load(std::sync::atomic::Ordering::SeqCst);
                if let (Some(id), Some(method), true) =
                    (msg.get("id"), msg.get("method"), answer_now)
                {
                    let result = match method.as_str().unwrap() {
                        "workspace/configuration" => {
                            let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                            let s = settings2.lock().unwrap().clone();
                            Value::Array(vec![s; n])
                        }
                        _ => Value::Null,
                    };
                    let reply = json!({"jsonrpc": "2.0", "id": id, "result": result});
                    if let Some(answer) = answer.upgrade() {
                        let _ = answer.send(frame(&reply));
                    }
                }
                if in_tx.send(msg).is_err() {
                    return;
                }
            }
        });

        Client {
            out: out_tx,
            incoming: in_rx,
            buffer: VecDeque::new(),
            responses: HashMap::new(),
            next_id: 0,
            wire,
            settings,
            server: Some(server),
            encoding: Encoding::Utf16,
            answering,
        }
    }

    /// Starts a server and initializes it with `capabilities` and
    /// `initializationOptions`. Returns the client and the result.
    pub async fn initialized(capabilities: Value, init_options: Value) -> (Client, Value) {
        let mut c = Client::start();
        let result = c.initialize(capabilities, init_options).await;
        (c, result)
    }

    pub async fn initialize(&mut self, capabilities: Value, init_options: Value) -> Value {
        self.initialize_with(json!({
            "processId": null,
            "rootUri": null,
            "capabilities": capabilities,
            "initializationOptions": init_options,
        }))
        .await
    }

    /// Initializes with `root` as the root and only workspace folder.
    /// Returns the root's URI and the result.
    pub async fn initialize_in(
        &mut self,
        root: &std::path::Path,
        capabilities: Value,
        init_options: Value,
    ) -> (String, Value) {
        let root_uri = format!("file://{}", root.display());
        let result = self
            .initialize_with(json!({
                "processId": null,
                "rootUri": root_uri,
                "workspaceFolders": [{"uri": root_uri, "name": "ws"}],
                "capabilities": capabilities,
                "initializationOptions": init_options,
            }))
            .await;
        (root_uri, result)
    }

    /// Sends `initialize` with these params, then `initialized`.
    pub async fn initialize_with(&mut self, params: Value) -> Value {
        let result = self.request("initialize", params).await;
        self.encoding = match result["capabilities"]["positionEncoding"].as_str() {
            Some("utf-8") => Encoding::Utf8,
            Some("utf-32") => Encoding::Utf32,
            _ => Encoding::Utf16,
        };
        self.notify("initialized", json!({}));
        result
    }

    pub fn send(&self, msg: Value) {
        let mut msg = msg;
        msg["jsonrpc"] = json!("2.0");
        self.out.send(frame(&msg)).expect("client writer alive");
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(json!({"method": method, "params": params}));
    }

    /// Sends a request without waiting; returns its id.
    pub fn send_request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"id": id, "method": method, "params": params}));
        id
    }

    async fn pump(&mut self, timeout: Duration) -> bool {
        match tokio::time::timeout(timeout, self.incoming.recv()).await {
            Ok(Some(msg)) => {
                let is_response = msg.get("method").is_none();
                match msg.get("id").and_then(Value::as_i64) {
                    Some(id) if is_response => {
                        self.responses.insert(id, msg);
                    }
                    _ => self.buffer.push_back(msg),
                }
                true
            }
            _ => false,
        }
    }

    /// The full response message (`result` or `error`) to request `id`.
    pub async fn response(&mut self, id: i64) -> Value {
        let deadline = tokio::time::Instant::now() + TIMEOUT;
        loop {
            if let Some(r) = self.responses.remove(&id) {
                return r;
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            assert!(self.pump(left).await, "no response to request {id}");
        }
    }

    /// Sends a request and returns its `result`, failing on an error.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.send_request(method, params);
        let r = self.response(id).await;
        assert!(r.get("error").is_none(), "{method} failed: {r}");
        r["result"].clone()
    }

    /// The next message with this method (notification or server request)
    /// that satisfies `pred`, waiting up to `timeout`. Others stay buffered.
    pub async fn wait_for(
        &mut self,
        method: &str,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if let Some(i) = self
                .buffer
                .iter()
                .position(|m| m["method"] == method && pred(&m["params"]))
            {
                return self.buffer.remove(i).map(|m| m["params"].clone());
            }
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() || !self.pump(left).await {
                return None;
            }
        }
    }

    /// The next `publishDiagnostics` for `uri` at `version` (any version if
    /// `None`).
    pub async fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let uri = uri.to_string();
        self.wait_for("textDocument/publishDiagnostics", TIMEOUT, move |p| {
            p["uri"] == uri.as_str() && version.is_none_or(|v| p["version"] == v)
        })
        .await
        .unwrap_or_else(|| panic!("no diagnostics for version {version:?}"))
    }

    /// Receives everything that arrives within `quiet`.
    pub async fn drain(&mut self, quiet: Duration) {
        while self.pump(quiet).await {}
    }

    /// Every buffered message with this method.
    pub fn taken(&mut self, method: &str) -> Vec<Value> {
        let (hit, rest): (Vec<Value>, Vec<Value>) =
            self.buffer.drain(..).partition(|m| m["method"] == method);
        self.buffer = rest.into();
        hit.into_iter().map(|m| m["params"].clone()).collect()
    }

    pub fn open(&self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": version, "text": text}}),
        );
    }

    pub fn change(&self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    pub fn close(&self, uri: &str) {
        self.notify(
            "textDocument/didClose",
            json!({"textDocument": {"uri": uri}}),
        );
    }

    /// The server's text and version (test hook).
    pub async fn server_text(&mut self, uri: &str) -> (i64, String) {
        let r = self
            .request("trueconf-lsp/debugText", json!({"uri": uri}))
            .await;
        (
            r["version"].as_i64().unwrap(),
            r["text"].as_str().unwrap().to_string(),
        )
    }

    /// A position of byte `offset` in `text`, in the negotiated encoding.
    pub fn pos(&self, text: &str, offset: usize) -> Value {
        let lc = LineIndex::new(text).line_col(text, offset, self.encoding);
        json!({"line": lc.line, "character": lc.col})
    }

    /// The position of the first `needle` in `text` (plus `delta` bytes).
    pub fn pos_of(&self, text: &str, needle: &str, delta: usize) -> Value {
        self.pos(text, text.find(needle).expect("needle") + delta)
    }

    /// Sends `shutdown` and `exit`, and returns the server's exit code.
    pub async fn shutdown_and_exit(mut self) -> i32 {
        self.request("shutdown", Value::Null).await;
        self.notify("exit", Value::Null);
        self.finish().await
    }

    /// Closes the client's side of the pipe (the server sees end of input).
    pub fn close_input(&mut self) {
        let (dead, _) = mpsc::unbounded_channel();
        self.out = dead;
    }

    /// Waits for the server to end.
    pub async fn finish(mut self) -> i32 {
        let server = self.server.take().unwrap();
        tokio::time::timeout(TIMEOUT, server)
            .await
            .expect("server ended")
            .expect("server task")
    }

    /// Everything the server sent, as one string.
    pub fn wire_text(&self) -> String {
        self.wire.lock().unwrap().join("\n")
    }
}

/// Applies LSP text edits to `text`, converting positions with `LineIndex`
/// in `enc` (the reference applier of the tests).
pub fn apply_edits(text: &str, edits: &[Value], enc: Encoding) -> String {
    let index = LineIndex::new(text);
    let offset = |p: &Value| {
        index.offset(
            text,
            LineCol {
                line: p["line"].as_u64().unwrap() as u32,
                col: p["character"].as_u64().unwrap() as u32,
            },
            enc,
        )
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| (s.0, s.1));
    for w in spans.windows(2) {
        assert!(w[0].1 <= w[1].0, "overlapping edits: {spans:?}");
    }
    let mut out = text.to_string();
    for (a, b, t) in spans.into_iter().rev() {
        out.replace_range(a..b, &t);
    }
    out
}

/// Applies a `WorkspaceEdit` for `uri`; checks `documentChanges` versions
/// against `version` when given.
pub fn apply_workspace_edit(
    text: &str,
    edit: &Value,
    uri: &str,
    version: Option<i64>,
    enc: Encoding,
) -> String {
    if let Some(changes) = edit["documentChanges"].as_array() {
        let mut out = text.to_string();
        for dc in changes {
            assert_eq!(dc["textDocument"]["uri"], uri);
            if let Some(v) = version {
                assert_eq!(
                    dc["textDocument"]["version"], v,
                    "edit stamped with the linted version"
                );
            }
            out = apply_edits(&out, dc["edits"].as_array().unwrap(), enc);
        }
        out
    } else {
        apply_edits(text, edit["changes"][uri].as_array().unwrap(), enc)
    }
}

/// A client's capabilities: push diagnostics, versioned edits, the given
/// position encodings.
pub fn caps(encodings: &[&str]) -> Value {
    json!({
        "general": {"positionEncodings": encodings},
        "textDocument": {
            "synchronization": {"dynamicRegistration": false},
            "publishDiagnostics": {"versionSupport": true},
        },
        "workspace": {
            "configuration": true,
            "workspaceEdit": {"documentChanges": true},
            "diagnostics": {"refreshSupport": true},
            "inlayHint": {"refreshSupport": true},
        },
    })
}

/// The same, announcing `codeAction/resolve` of edits, as VS Code and
/// Neovim do.
pub fn resolve_caps(encodings: &[&str]) -> Value {
    let mut c = caps(encodings);
    c["textDocument"]["codeAction"] = json!({
        "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["", "quickfix", "source"]}},
        "dataSupport": true,
        "resolveSupport": {"properties": ["edit"]},
    });
    c
}

/// The same, announcing pull diagnostics.
pub fn pull_caps(encodings: &[&str]) -> Value {
    let mut c = caps(encodings);
    c["textDocument"]["diagnostic"] = json!({"dynamicRegistration": false});
    c
}

/// The codes of a diagnostics list.
pub fn codes(diags: &Value) -> Vec<String> {
    diags
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["code"].as_str().map(str::to_string))
        .collect()
}
