//! The real binary as a language server over stdio: lifecycle, exit codes,
//! stdout hygiene, and logs that never carry document text.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CANARY: &str = "Zr8stdioCanary";

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: mpsc::Receiver<Value>,
    stderr: thread::JoinHandle<String>,
    next_id: i64,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .args(args)
            .env("TRUECONF_LOG", "trace")
            .env_remove("RUST_LOG")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut stderr = child.stderr.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            // Every byte on stdout must be a Content-Length framed message.
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    let (name, value) = line
                        .trim_end()
                        .split_once(": ")
                        .unwrap_or_else(|| panic!("not a header: {line:?}"));
                    if name.eq_ignore_ascii_case("Content-Length") {
                        length = Some(value.parse::<usize>().unwrap());
                    }
                }
                let mut body = vec![0; length.expect("Content-Length")];
                stdout.read_exact(&mut body).unwrap();
                let msg: Value = serde_json::from_slice(&body).expect("a JSON body");
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        let stderr = thread::spawn(move || {
            let mut s = String::new();
            let _ = stderr.read_to_string(&mut s);
            s
        });
        Server {
            child,
            stdin,
            messages: rx,
            stderr,
            next_id: 0,
        }
    }

    fn send(&mut self, msg: Value) {
        let mut msg = msg;
        msg["jsonrpc"] = json!("2.0");
        let body = serde_json::to_vec(&msg).unwrap();
        let stdin = self.stdin.as_mut().expect("stdin open");
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        stdin.write_all(&body).unwrap();
        stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"id": id, "method": method, "params": params}));
        let msg = self.wait(|m| m["id"] == id && m.get("method").is_none());
        assert!(msg.get("error").is_none(), "{method}: {msg}");
        msg["result"].clone()
    }

    /// The next message matching `pred`; answers server requests meanwhile.
    fn wait(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self.messages.recv_timeout(left).expect("a message in time");
            if pred(&msg) {
                return msg;
            }
            if let (Some(id), Some(_)) = (msg.get("id"), msg.get("method")) {
                let id = id.clone();
                self.send(json!({"id": id, "result": null}));
            }
        }
    }

    fn initialize(&mut self) {
        let r = self.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "textDocument": {"publishDiagnostics": {"versionSupport": true}},
            }}),
        );
        assert_eq!(r["serverInfo"]["name"], "trueconf-lsp");
        self.notify("initialized", json!({}));
    }

    /// Waits for the process to end; returns its exit code and how long it
    /// took. Stdin stays open unless it was closed.
    fn exit_status(&mut self, within: Duration) -> (i32, Duration) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return (status.code().expect("an exit code"), start.elapsed());
            }
            if start.elapsed() > within {
                let _ = self.child.kill();
                panic!("the server did not exit within {within:?}");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn stderr(self) -> String {
        drop(self.stdin);
        self.stderr.join().unwrap()
    }
}

#[test]
fn shutdown_then_exit_with_stdin_held_open_exits_zero() {
    let mut s = Server::start(&[]);
    s.initialize();
    let uri = "file:///tmp/doc.md";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
            "text": format!("[join](trueconf:\\c\\1@v%23vcs&login=u&password={CANARY})\n")}}),
    );
    let p = s.wait(|m| m["method"] == "textDocument/publishDiagnostics");
    assert_eq!(p["params"]["version"], 1);
    assert_eq!(p["params"]["diagnostics"][0]["code"], "TC002");
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 12}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("join conference 1 on v")
    );
    s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    // Stdin is still open here.
    let (code, took) = s.exit_status(Duration::from_secs(2));
    assert_eq!(code, 0);
    assert!(took < Duration::from_secs(2));
    let stderr = s.stderr();
    assert!(!stderr.contains(CANARY), "a log line carried document text");
    assert!(
        !stderr.contains("trueconf:\\\\c"),
        "a log line carried a link"
    );
}

/// A request for a method the server does not implement is answered
/// "method not found", and says nothing on stderr (the framework logged an
/// ERROR line for each, which editors show in their logs).
#[test]
fn a_method_not_implemented_is_answered_quietly() {
    let mut s = Server::start(&[]);
    s.initialize();
    for (id, method) in [
        (90, "textDocument/semanticTokens/full"),
        (91, "textDocument/declaration"),
    ] {
        s.send(json!({"id": id, "method": method,
            "params": {"textDocument": {"uri": "file:///tmp/doc.md"},
                "position": {"line": 0, "character": 0}}}));
        let answer = s.wait(|m| m["id"] == id && m.get("method").is_none());
        assert_eq!(answer["error"]["code"], -32601, "{method}: {answer}");
    }
    s.request("shutdown", Value::Null);
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_status(Duration::from_secs(2)).0, 0);
    // The server logs at TRACE here, all but the framework's note.
    let stderr = s.stderr();
    assert!(!stderr.contains("not implemented"), "{stderr}");
    assert!(stderr.contains("initialize"), "{stderr}");
}

#[test]
fn exit_without_shutdown_exits_one() {
    let mut s = Server::start(&["--stdio"]);
    s.initialize();
    s.notify("exit", Value::Null);
    assert_eq!(s.exit_status(Duration::from_secs(2)).0, 1);
}

#[test]
fn end_of_stdin_ends_the_server() {
    let mut s = Server::start(&[]);
    s.initialize();
    s.stdin = None;
    let (code, _) = s.exit_status(Duration::from_secs(2));
    assert_eq!(code, 1);
}
