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

/// The messages read from `from`, on a thread, as they come. Every byte
/// must be a Content-Length framed message.
fn frames(from: impl Read + Send + 'static) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let mut from = BufReader::new(from);
        loop {
            let mut length = None;
            loop {
                let mut line = String::new();
                if from.read_line(&mut line).unwrap_or(0) == 0 {
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
            from.read_exact(&mut body).unwrap();
            let msg: Value = serde_json::from_slice(&body).expect("a JSON body");
            if tx.send(msg).is_err() {
                return;
            }
        }
    });
    rx
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
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let rx = frames(stdout);
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

/// The transports editors start a server with: pipes (Emacs, Python),
/// Unix socket pairs (libuv: VS Code, Neovim), and a file as the input.
/// On pipes and sockets the server makes its side non-blocking and drives
/// it from the event loop; the flags are put back before it exits, and a
/// descriptor shared with another standard one is left as it is.
#[cfg(unix)]
mod transports {
    use std::fs::File;
    use std::io::Write;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::net::UnixStream;
    use std::process::{Child, Command, Stdio};
    use std::sync::mpsc;
    use std::thread;
    use std::time::{Duration, Instant};

    use serde_json::{Value, json};

    use super::frames;

    fn frame(msg: Value) -> Vec<u8> {
        let mut msg = msg;
        msg["jsonrpc"] = json!("2.0");
        let body = serde_json::to_vec(&msg).unwrap();
        let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        out.extend_from_slice(&body);
        out
    }

    fn next(rx: &mpsc::Receiver<Value>, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = rx.recv_timeout(left).expect("a message in time");
            if msg.get("method").is_none() && pred(&msg) {
                return msg;
            }
            if msg.get("id").is_none() && pred(&msg) {
                return msg;
            }
        }
    }

    const URI: &str = "file:///tmp/transport.md";

    fn initialize() -> Value {
        json!({"id": 1, "method": "initialize", "params": {"processId": null,
            "rootUri": null, "capabilities": {}}})
    }

    /// What a client sends once `initialize` is answered.
    fn opening() -> Vec<Value> {
        vec![
            json!({"method": "initialized", "params": {}}),
            json!({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": URI, "languageId": "markdown", "version": 1,
                "text": "[call](visicall:user@example.com)\n"}}}),
        ]
    }

    fn closing() -> Vec<Value> {
        vec![
            json!({"id": 2, "method": "shutdown", "params": null}),
            json!({"method": "exit", "params": null}),
        ]
    }

    /// Drives one session: initialize, a document whose link is found,
    /// a hover, shutdown and exit; the exit code is 0.
    fn session(mut input: impl Write, output: mpsc::Receiver<Value>, child: &mut Child) {
        start(&mut input, &output);
        input
            .write_all(&frame(
                json!({"id": 3, "method": "textDocument/hover", "params": {
                "textDocument": {"uri": URI}, "position": {"line": 0, "character": 9}}}),
            ))
            .unwrap();
        let hover = next(&output, |m| m["id"] == 3);
        assert!(hover["result"]["contents"]["value"].is_string(), "{hover}");
        for m in closing() {
            input.write_all(&frame(m)).unwrap();
        }
        next(&output, |m| m["id"] == 2);
        assert_eq!(wait(child), 0);
    }

    /// Initializes the server and opens the document; returns once its
    /// diagnostics are published.
    fn start(input: &mut impl Write, output: &mpsc::Receiver<Value>) {
        input.write_all(&frame(initialize())).unwrap();
        let init = next(output, |m| m["id"] == 1);
        assert_eq!(init["result"]["serverInfo"]["name"], "trueconf-lsp");
        for m in opening() {
            input.write_all(&frame(m)).unwrap();
        }
        let p = next(output, |m| m["method"] == "textDocument/publishDiagnostics");
        assert_eq!(p["params"]["diagnostics"][0]["code"], "TC001", "{p}");
    }

    fn wait(child: &mut Child) -> i32 {
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                return status.code().expect("an exit code");
            }
            if start.elapsed() > Duration::from_secs(5) {
                let _ = child.kill();
                panic!("the server did not exit");
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn server(stdin: Stdio, stdout: Stdio, stderr: Stdio) -> Child {
        Command::new(env!("CARGO_BIN_EXE_trueconf-lsp"))
            .env_remove("TRUECONF_LOG")
            .env_remove("RUST_LOG")
            .stdin(stdin)
            .stdout(stdout)
            .stderr(stderr)
            .spawn()
            .expect("start the server")
    }

    fn pipe() -> (File, File) {
        let mut fds = [0; 2];
        // SAFETY: pipe writes two new descriptors into `fds`.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        // SAFETY: both are new descriptors owned by nobody else.
        unsafe { (File::from_raw_fd(fds[0]), File::from_raw_fd(fds[1])) }
    }

    fn non_blocking(f: &impl AsRawFd) -> bool {
        // SAFETY: F_GETFL on an open descriptor.
        let flags = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETFL) };
        assert!(flags >= 0);
        flags & libc::O_NONBLOCK != 0
    }

    #[test]
    fn a_session_over_unix_socket_pairs() {
        let (input, child_in) = UnixStream::pair().unwrap();
        let (output, child_out) = UnixStream::pair().unwrap();
        let mut child = server(
            OwnedFd::from(child_in).into(),
            OwnedFd::from(child_out).into(),
            Stdio::null(),
        );
        session(input, frames(output), &mut child);
    }

    #[test]
    fn a_session_over_one_socket_for_input_and_output() {
        let (ours, theirs) = UnixStream::pair().unwrap();
        let theirs_too = theirs.try_clone().unwrap();
        let mut child = server(
            OwnedFd::from(theirs).into(),
            OwnedFd::from(theirs_too).into(),
            Stdio::null(),
        );
        let reader = ours.try_clone().unwrap();
        session(ours, frames(reader), &mut child);
    }

    /// A file as the input (tokio's reader, as before): the server answers
    /// what the file holds, then its end ends the server (no `shutdown`:
    /// exit code 1).
    #[test]
    fn the_input_read_from_a_file() {
        let dir = std::env::temp_dir().join(format!("trueconf-transport-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("session.jsonrpc");
        std::fs::write(&path, frame(initialize())).unwrap();
        let (out_r, out_w) = pipe();
        let mut child = server(
            File::open(&path).unwrap().into(),
            out_w.into(),
            Stdio::null(),
        );
        let output = frames(out_r);
        let init = next(&output, |m| m["id"] == 1);
        assert_eq!(
            init["result"]["serverInfo"]["name"], "trueconf-lsp",
            "{init}"
        );
        assert_eq!(wait(&mut child), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The server's ends of its pipes are non-blocking while it serves
    /// (seen through descriptors of the same open files), and blocking
    /// again once it has exited.
    #[test]
    fn pipes_are_left_blocking_after_exit() {
        let (in_r, in_w) = pipe();
        let (out_r, out_w) = pipe();
        let (in_seen, out_seen) = (in_r.try_clone().unwrap(), out_w.try_clone().unwrap());
        assert!(!non_blocking(&in_seen) && !non_blocking(&out_seen));
        let mut child = server(in_r.into(), out_w.into(), Stdio::null());
        let mut input = in_w;
        let output = frames(out_r);
        start(&mut input, &output);
        assert!(
            non_blocking(&in_seen),
            "the input is driven by the event loop"
        );
        assert!(
            non_blocking(&out_seen),
            "the output is driven by the event loop"
        );
        for m in closing() {
            input.write_all(&frame(m)).unwrap();
        }
        next(&output, |m| m["id"] == 2);
        assert_eq!(wait(&mut child), 0);
        assert!(!non_blocking(&in_seen), "the input was left non-blocking");
        assert!(!non_blocking(&out_seen), "the output was left non-blocking");
    }

    /// A signal that ends the server (an editor stopping it, `timeout`,
    /// Ctrl-C in a terminal) puts the flags back first, and the process
    /// still ends as killed by that signal.
    #[test]
    fn a_terminating_signal_leaves_the_pipes_blocking() {
        use std::os::unix::process::ExitStatusExt;
        for signal in [libc::SIGTERM, libc::SIGINT, libc::SIGHUP] {
            let (in_r, in_w) = pipe();
            let (out_r, out_w) = pipe();
            let (in_seen, out_seen) = (in_r.try_clone().unwrap(), out_w.try_clone().unwrap());
            let mut child = server(in_r.into(), out_w.into(), Stdio::null());
            let mut input = in_w;
            let output = frames(out_r);
            start(&mut input, &output);
            assert!(non_blocking(&in_seen) && non_blocking(&out_seen));
            // SAFETY: kill on our own child's pid.
            assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
            let status = child.wait().unwrap();
            assert_eq!(status.signal(), Some(signal), "{status:?}");
            assert!(
                !non_blocking(&in_seen),
                "signal {signal}: the input was left non-blocking"
            );
            assert!(
                !non_blocking(&out_seen),
                "signal {signal}: the output was left non-blocking"
            );
        }
    }

    /// With its log on the protocol's pipe (`2>&1`), the output stays
    /// blocking: a log line must not fail with `EAGAIN`.
    #[test]
    fn an_output_shared_with_the_log_stays_blocking() {
        let (in_r, in_w) = pipe();
        let (out_r, out_w) = pipe();
        let out_seen = out_w.try_clone().unwrap();
        let log = out_w.try_clone().unwrap();
        let mut child = server(in_r.into(), out_w.into(), log.into());
        let output = frames(out_r);
        let mut input = in_w;
        start(&mut input, &output);
        assert!(!non_blocking(&out_seen));
        for m in closing() {
            input.write_all(&frame(m)).unwrap();
        }
        next(&output, |m| m["id"] == 2);
        assert_eq!(wait(&mut child), 0);
    }
}
