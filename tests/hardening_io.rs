//! Hardening round 2 (issue 13), classes 5, 6 and 7, against the real
//! binary:
//!
//! - 5: LSP framing: a `Content-Length` over the frame cap is answered with
//!   an error at once, its body is dropped as it streams (memory stays
//!   bounded), and the next valid request is answered; two
//!   `Content-Length` headers that disagree are an error, not the last one;
//! - 6: workspace diagnostics apply the document size cap, without reading
//!   a file past it;
//! - 7: special files: a FIFO or device named on the command line is an
//!   error (exit 2), never read; `--config` must be a regular file of at
//!   most 1 MiB (a FIFO does not block, `/dev/zero` is not read); a folder
//!   walk skips special files quietly.

#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Condvar, Mutex, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_trueconf-lsp");

/// Any run or answer here takes well under this, unless it blocks.
const LIMIT: Duration = Duration::from_secs(20);

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}", path.display());
}

/// Runs the CLI in `dir` with a time limit: a run that blocks fails the
/// test instead of hanging it.
fn run(dir: &Path, args: &[&str]) -> common::Run {
    let mut c = common::command(dir);
    c.args(args).timeout(LIMIT);
    let o = c.output().expect("binary runs");
    assert!(
        o.status.code().is_some(),
        "{args:?} did not finish within {LIMIT:?} (it blocked or was killed)"
    );
    common::Run {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

// --- Class 7: special files. ---

#[test]
fn a_fifo_or_device_named_on_the_command_line_is_an_error_and_never_read() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("pipe.md"));
    std::os::unix::fs::symlink("pipe.md", dir.path().join("link.md")).unwrap();
    std::fs::write(dir.path().join("ok.md"), "[x](trueconf:bob@example.com)\n").unwrap();
    for (name, what) in [
        ("pipe.md", "is a FIFO, not a regular file; skipped"),
        ("link.md", "is a FIFO, not a regular file; skipped"),
        (
            "/dev/null",
            "is a character device, not a regular file; skipped",
        ),
        (
            "/dev/zero",
            "is a character device, not a regular file; skipped",
        ),
    ] {
        for format in ["full", "json"] {
            let r = run(
                dir.path(),
                &["--check", "--output-format", format, name, "ok.md"],
            );
            assert_eq!(r.code, Some(2), "{name} {format}: {r:?}");
            assert!(
                r.stderr.contains(&format!("error: {name} {what}")),
                "{name} {format}: {r:?}"
            );
            assert!(!r.stdout.contains("All checks passed"), "{name}: {r:?}");
        }
    }
}

#[test]
fn a_folder_walk_skips_special_files_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    mkfifo(&docs.join("pipe.md"));
    std::os::unix::fs::symlink("/dev/zero", docs.join("zero.md")).unwrap();
    std::os::unix::fs::symlink("pipe.md", docs.join("link.md")).unwrap();
    std::fs::write(docs.join("ok.md"), "[x](visicall:bob)\n").unwrap();
    let r = run(
        dir.path(),
        &["--check", "--output-format", "concise", "docs"],
    );
    assert_eq!(r.code, Some(1), "{r:?}");
    assert_eq!(r.stderr, "", "{r:?}");
    assert!(r.stdout.contains("ok.md"), "{r:?}");
    assert!(
        r.stdout.contains("1 file checked") || r.stdout.contains("Found"),
        "{r:?}"
    );
    for f in ["pipe.md", "zero.md", "link.md"] {
        assert!(!r.stdout.contains(f), "{f}: {r:?}");
    }
}

#[test]
fn config_must_be_a_regular_file_of_at_most_1_mib() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), "[x](visicall:bob)\n").unwrap();
    mkfifo(&dir.path().join("fifo.toml"));
    // A FIFO nobody writes to: opening it for a blocking read would hang.
    let r = run(dir.path(), &["--check", "--config", "fifo.toml"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("fifo.toml: is a FIFO, not a regular file; not read"),
        "{r:?}"
    );
    // An endless device: not read at all.
    let start = Instant::now();
    let r = run(dir.path(), &["--check", "--config", "/dev/zero"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("/dev/zero: is a character device, not a regular file; not read"),
        "{r:?}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let r = run(dir.path(), &["--check", "--config", "/dev/null"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(r.stderr.contains("is a character device"), "{r:?}");
    // A regular file over 1 MiB, even one a TOML parser would accept.
    let mut big = String::from("select = [\"TC001\"]\n");
    while big.len() <= 1024 * 1024 {
        big.push_str("# a comment line to make the file large\n");
    }
    std::fs::write(dir.path().join("big.toml"), &big).unwrap();
    let r = run(dir.path(), &["--check", "--config", "big.toml"]);
    assert_eq!(r.code, Some(2), "{r:?}");
    assert!(
        r.stderr
            .contains("big.toml: is larger than 1024 KiB; not read"),
        "{r:?}"
    );
    // Exactly 1 MiB is fine.
    big.truncate(1024 * 1024 - 1);
    let cut = big.rfind('\n').unwrap();
    big.truncate(cut + 1);
    while big.len() < 1024 * 1024 {
        big.push('\n');
    }
    assert_eq!(big.len(), 1024 * 1024);
    std::fs::write(dir.path().join("big.toml"), &big).unwrap();
    let r = run(dir.path(), &["--check", "--config", "big.toml"]);
    assert_eq!((r.code, &r.stderr[..]), (Some(1), ""), "{r:?}");
    // A FIFO where a configuration file is discovered is skipped quietly.
    mkfifo(&dir.path().join("trueconf-lsp.toml"));
    let r = run(dir.path(), &["--check"]);
    assert_eq!(r.code, Some(1), "{r:?}");
}

// --- A minimal client over the server's stdio. ---

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn message(v: Value) -> Vec<u8> {
    frame(v.to_string().as_bytes())
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        if line == "\r\n" {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    incoming: mpsc::Receiver<Value>,
    /// While true, the reader stops taking the server's output (after the
    /// message it may be waiting for): a client that does not read.
    paused: Arc<(Mutex<bool>, Condvar)>,
    next_id: i64,
    /// How long an answer may take.
    limit: Duration,
}

impl Server {
    fn start(env: &[(&str, &str)]) -> Server {
        let mut cmd = Command::new(BIN);
        cmd.env_remove("RUST_LOG")
            .env("TRUECONF_LOG", "warn")
            .env_remove(trueconf_lsp::lsp::MAX_BYTES_ENV)
            .env_remove(trueconf_lsp::lsp::TEST_HOOKS_ENV);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, rx) = mpsc::channel();
        let paused = Arc::new((Mutex::new(false), Condvar::new()));
        let gate = paused.clone();
        thread::spawn(move || {
            loop {
                let (lock, resumed) = &*gate;
                drop(resumed.wait_while(lock.lock().unwrap(), |p| *p).unwrap());
                let Some(msg) = read_message(&mut stdout) else {
                    return;
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            incoming: rx,
            paused,
            next_id: 0,
            limit: LIMIT,
        }
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let w = self.stdin.as_mut().unwrap();
        w.write_all(bytes).expect("write to the server");
        w.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send_raw(&message(
            json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}),
        ));
        id
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send_raw(&message(
            json!({"jsonrpc": "2.0", "method": method, "params": params}),
        ));
    }

    /// The next message matching `pred`; others are dropped, except
    /// server requests, which are answered with null (an empty
    /// configuration).
    fn wait_for(&mut self, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let limit = self.limit;
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let msg = self
                .incoming
                .recv_timeout(left)
                .unwrap_or_else(|_| panic!("{what}: no answer within {limit:?}"));
            if pred(&msg) {
                return msg;
            }
            if msg.get("id").is_some() && msg.get("method").is_some() {
                let result = if msg["method"] == "workspace/configuration" {
                    let n = msg["params"]["items"].as_array().map_or(0, Vec::len);
                    Value::Array(vec![json!({}); n])
                } else {
                    Value::Null
                };
                let reply = json!({"jsonrpc": "2.0", "id": msg["id"], "result": result});
                self.send_raw(&message(reply));
            }
        }
    }

    fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        let r = self.wait_for(method, |m| m["id"] == id && m.get("method").is_none());
        assert!(r.get("error").is_none(), "{method}: {r}");
        r["result"].clone()
    }

    fn initialize(&mut self, root: Option<&Path>) {
        let caps = json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}});
        let params = match root {
            Some(root) => {
                let uri = format!("file://{}", root.display());
                json!({"processId": null, "rootUri": uri,
                       "workspaceFolders": [{"uri": uri, "name": "ws"}],
                       "capabilities": caps})
            }
            None => json!({"processId": null, "rootUri": null, "capabilities": caps}),
        };
        self.call("initialize", params);
        self.notify("initialized", json!({}));
    }

    /// The hover of a link, as proof the session still works.
    fn probe(&mut self) {
        let uri = "file:///probe.md";
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
                   "text": "[x](trueconf:bob@video.example.com)\n"}}),
        );
        let hover = self.call(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 8}}),
        );
        assert!(hover["contents"]["value"].as_str().is_some(), "{hover}");
    }

    /// Stops reading the server's output (`true`) or reads on (`false`).
    fn pause_reading(&self, pause: bool) {
        let (lock, resumed) = &*self.paused;
        *lock.lock().unwrap() = pause;
        resumed.notify_all();
    }

    /// Peak resident memory so far, in MiB.
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

    /// `shutdown` and `exit`; the exit code.
    fn finish(mut self) -> i32 {
        self.call("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.stdin = None;
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code().expect("an exit code");
            }
            assert!(start.elapsed() < LIMIT, "the server did not exit");
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// --- Class 5: framing. ---

/// The error answered for a bad frame (its id is null).
fn null_id_error(s: &mut Server) -> Value {
    s.wait_for("the error for a bad frame", |m| {
        m.get("error").is_some() && m["id"].is_null()
    })
}

#[test]
fn a_huge_content_length_is_answered_and_the_next_request_served() {
    let mut s = Server::start(&[]);
    s.initialize(None);
    s.probe();
    // A claimed length no client will ever send, then a valid request.
    s.send_raw(b"Content-Length: 99999999999\r\n\r\n");
    let e = null_id_error(&mut s);
    assert_eq!(e["error"]["code"], -32600, "{e}");
    assert!(
        e["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("message too large")),
        "{e}"
    );
    s.probe();
    // The same with a body that does arrive: 256 MiB, streamed, dropped as
    // it comes; memory stays bounded, and the next request is answered.
    let before = s.peak_mib();
    s.send_raw(b"Content-Length: 268435456\r\n\r\n");
    null_id_error(&mut s);
    let chunk = vec![b'x'; 1 << 20];
    for _ in 0..256 {
        s.send_raw(&chunk);
    }
    s.probe();
    let after = s.peak_mib();
    assert!(
        after <= before + 32,
        "peak RSS grew from {before} MiB to {after} MiB while 256 MiB were streamed"
    );
    eprintln!("VmHWM before {before} MiB, after streaming 256 MiB {after} MiB");
    assert_eq!(s.finish(), 0);
}

#[test]
fn a_frame_over_the_cap_follows_the_document_size_cap() {
    // Cap 1 MiB: frames up to 5 MiB pass, a 6 MiB one is refused.
    let mut s = Server::start(&[(trueconf_lsp::lsp::MAX_BYTES_ENV, "1048576")]);
    s.initialize(None);
    let text = "a".repeat(6 << 20);
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///big.md", "languageId": "markdown",
               "version": 1, "text": text}}),
    );
    let e = null_id_error(&mut s);
    assert_eq!(e["error"]["code"], -32600, "{e}");
    s.probe();
    // 2.5 MiB: under the frame cap, over the document cap: the usual
    // "document too large" diagnostic.
    let text = "a".repeat(5 << 19);
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///mid.md", "languageId": "markdown",
               "version": 1, "text": text}}),
    );
    let r = s.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///mid.md"}}),
    );
    let items = r["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{r}");
    assert!(
        items[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("document too large"),
        "{r}"
    );
    assert_eq!(s.finish(), 0);
}

#[test]
fn two_content_lengths_that_disagree_are_an_error() {
    let mut s = Server::start(&[]);
    s.initialize(None);
    s.probe();
    let body = json!({"jsonrpc": "2.0", "id": 900, "method": "shutdown"}).to_string();
    // Old code took the last value, read a body of the wrong length and
    // lost the session; now the block is an error, skipped to the next
    // header.
    let bad = format!(
        "Content-Length: {}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len() + 40,
        body.len()
    );
    s.send_raw(bad.as_bytes());
    let e = null_id_error(&mut s);
    assert_eq!(e["error"]["code"], -32700, "{e}");
    s.probe();
    // The same value twice is fine.
    let body = json!({"jsonrpc": "2.0", "id": 901, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": "file:///probe.md"},
                   "position": {"line": 0, "character": 8}}})
    .to_string();
    let twice = format!(
        "Content-Length: {0}\r\ncontent-length: {0}\r\n\r\n{body}",
        body.len()
    );
    s.send_raw(twice.as_bytes());
    let r = s.wait_for("hover 901", |m| m["id"] == 901);
    assert!(r["result"]["contents"]["value"].is_string(), "{r}");
    assert_eq!(s.finish(), 0);
}

// --- Class 6: workspace diagnostics and the size cap. ---

fn workspace_items(s: &mut Server) -> Vec<Value> {
    let r = s.call("workspace/diagnostic", json!({"previousResultIds": []}));
    r["items"].as_array().unwrap().clone()
}

fn item_for<'a>(items: &'a [Value], name: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|i| i["uri"].as_str().is_some_and(|u| u.ends_with(name)))
}

#[test]
fn workspace_diagnostics_apply_the_size_cap() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // 3 MiB of links over a 1 MiB cap, and a small file under it.
    let line = "[x](visicall:bob)\n";
    let big = line.repeat((3 << 20) / line.len());
    std::fs::write(root.join("big.md"), &big).unwrap();
    std::fs::write(root.join("small.md"), line).unwrap();
    let mut s = Server::start(&[(trueconf_lsp::lsp::MAX_BYTES_ENV, "1048576")]);
    s.initialize(Some(&root));
    let items = workspace_items(&mut s);
    let small = item_for(&items, "/small.md").expect("small.md reported");
    assert!(!small["items"].as_array().unwrap().is_empty());
    let big = item_for(&items, "/big.md").expect("big.md reported");
    let diagnostics = big["items"].as_array().unwrap();
    assert_eq!(diagnostics.len(), 1, "{big}");
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with("document too large")
            && message.contains("over 1.0 MiB")
            && message.contains("this one has 3.0 MiB"),
        "{message}"
    );
    assert_eq!(s.finish(), 0);
}

#[test]
fn a_200_mb_workspace_file_is_not_read() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // Sparse: 200 MiB on paper, a few bytes on disk.
    let f = std::fs::File::create(root.join("huge.md")).unwrap();
    (&f).write_all(b"[x](trueconf:bob@video.example.com)\n")
        .unwrap();
    f.set_len(200 << 20).unwrap();
    drop(f);
    let mut s = Server::start(&[]);
    s.initialize(Some(&root));
    let items = workspace_items(&mut s);
    let huge = item_for(&items, "/huge.md").expect("huge.md reported");
    let message = huge["items"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("this one has 200.0 MiB"), "{huge}");
    let peak = s.peak_mib();
    eprintln!("VmHWM after workspace diagnostics of a 200 MiB file: {peak} MiB");
    assert!(peak < 100, "peak RSS {peak} MiB: the file was read");
    assert_eq!(s.finish(), 0);
}

// --- Class 4: memory per finding. ---

/// A 10 MiB worst case: one link of `%zz` escapes, each a TC005 finding
/// with a fix (3.5 million before the per-file cap).
/// The worst case for findings per byte: one link of `%zz`, each a finding
/// (TC005) with a fix. 2 MiB: the bound is linear in the input, and a debug
/// build of the whole CI suite must stay fast (a release run of 10 MiB is
/// in docs/reliability.md).
fn percent_worst_case() -> String {
    percent_worst_case_of(2 << 20)
}

/// [`percent_worst_case`] of about `bytes` bytes.
fn percent_worst_case_of(bytes: usize) -> String {
    let head = "trueconf:x&";
    let mut s = String::with_capacity(bytes);
    s.push_str(head);
    s.push_str(&"%zz".repeat((bytes - head.len() - 1) / 3));
    s.push('\n');
    s
}

/// The bound: 20 times the input, plus 64 MiB.
fn bound_mib(input_bytes: usize) -> u64 {
    20 * input_bytes.div_ceil(1 << 20) as u64 + 64
}

/// Runs the CLI and returns its peak RSS in MiB (the child's own
/// `ru_maxrss`, from `wait4`), its exit code and its stderr.
fn cli_peak_mib(dir: &Path, args: &[&str]) -> (u64, i32, String) {
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .env_remove("TRUECONF_LSP_OUTPUT_FORMAT")
        .env_remove("TRUECONF_LSP_OUTPUT_FILE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    let mut stderr = child.stderr.take().unwrap();
    let reader = thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is valid; `pid` is our child, not yet reaped.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    // Reaped: keep `Child` from waiting again.
    std::mem::forget(child);
    let stderr = reader.join().unwrap();
    (usage.ru_maxrss as u64 / 1024, code, stderr)
}

#[test]
fn memory_stays_bounded_for_a_10_mib_file_of_findings_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let text = percent_worst_case();
    std::fs::write(dir.path().join("zz.md"), &text).unwrap();
    let bound = bound_mib(text.len());
    let runs: Vec<Vec<&str>> = common::FORMATS
        .iter()
        .map(|f| vec!["--check", "--output-format", f, "zz.md"])
        .collect();
    let mut report = Vec::new();
    for args in &runs {
        let (peak, code, stderr) = cli_peak_mib(dir.path(), args);
        report.push(format!("{args:?}: {peak} MiB"));
        assert!(code == 1, "{args:?}: exit {code}: {stderr}");
        // Reports keep the first 10,000 findings and say so.
        assert!(
            stderr.contains("has more than 10000 findings"),
            "{args:?}: {stderr}"
        );
        assert!(
            peak <= bound,
            "{args:?}: peak RSS {peak} MiB over {bound} MiB"
        );
    }
    // Fixing every finding: passes of compact findings (no messages, at
    // most 50,000 per pass) over byte maps of `u32`. 1 MiB, as fixing
    // 350,000 escapes in a debug build takes a while.
    let text = percent_worst_case_of(1 << 20);
    let bound = bound_mib(text.len());
    for args in [
        ["--check", "--diff", "--unsafe-fixes", "zz.md"],
        ["--check", "--fix", "--unsafe-fixes", "zz.md"],
    ] {
        std::fs::write(dir.path().join("zz.md"), &text).unwrap();
        let (peak, code, stderr) = cli_peak_mib(dir.path(), &args);
        report.push(format!("{args:?}: {peak} MiB"));
        assert!(matches!(code, 0 | 1), "{args:?}: exit {code}: {stderr}");
        assert!(
            peak <= bound,
            "{args:?}: peak RSS {peak} MiB over {bound} MiB"
        );
    }
    let fixed = std::fs::read_to_string(dir.path().join("zz.md")).unwrap();
    assert!(
        fixed.starts_with("trueconf:x&%25zz%25zz")
            && !fixed.contains("&%zz")
            && !fixed.contains("z%zz")
    );
    eprintln!("{}", report.join("\n"));
}

#[test]
fn the_server_caps_findings_while_linting() {
    let text = percent_worst_case();
    let bound = bound_mib(text.len());
    let mut s = Server::start(&[]);
    // A debug build lints 10 MiB slowly.
    s.limit = Duration::from_secs(300);
    s.initialize(None);
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///zz.md", "languageId": "markdown",
               "version": 1, "text": text}}),
    );
    let r = s.call(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": "file:///zz.md"}}),
    );
    let items = r["items"].as_array().unwrap();
    // 1000 published, and the note about the rest.
    assert_eq!(items.len(), 1001, "{}", items.len());
    s.probe();
    let peak = s.peak_mib();
    eprintln!("server VmHWM with a 10 MiB document of findings: {peak} MiB");
    assert!(peak <= bound, "peak RSS {peak} MiB over {bound} MiB");
    assert_eq!(s.finish(), 0);
}

/// A client that stops reading the server's output while it goes on
/// editing: the publisher waits for the output instead of queueing every
/// version's diagnostics, so memory stays bounded; once the client reads
/// again, the newest version's diagnostics arrive.
#[test]
fn a_client_that_stops_reading_does_not_grow_the_server() {
    // 1000 findings (the cap): each publication is about 200 KB.
    let text: String = (0..1000)
        .map(|i| format!("[call](trueconf:user{i}@video.example.com?password=p{i})\n"))
        .collect();
    let mut s = Server::start(&[]);
    // Pushed diagnostics: no pull in the capabilities.
    s.call(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    s.notify("initialized", json!({}));
    s.pause_reading(true);
    let uri = "file:///stalled.md";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "markdown", "version": 1,
               "text": text}}),
    );
    thread::sleep(Duration::from_millis(500));
    let before = s.peak_mib();
    let last = 301;
    for version in 2..=last {
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version},
                   "contentChanges": [{"range": {"start": {"line": 0, "character": 0},
                                                 "end": {"line": 0, "character": 0}},
                                       "text": " "}]}),
        );
        thread::sleep(Duration::from_millis(20));
    }
    thread::sleep(Duration::from_millis(500));
    let after = s.peak_mib();
    eprintln!("VmHWM {before} MiB before 300 edits unread, {after} MiB after");
    // Now read: the newest version's diagnostics come.
    s.pause_reading(false);
    let p = s.wait_for("diagnostics of the last version", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == last
    });
    assert_eq!(p["params"]["diagnostics"].as_array().unwrap().len(), 1001);
    assert!(
        after <= before + 24,
        "{before} MiB before, {after} MiB after 300 unread publications"
    );
    assert_eq!(s.finish(), 0);
}

// --- The report file (`-o`) and the files checked. ---

/// A report file that is also a file named to check (itself or through a
/// symbolic link) is refused before anything is written: exit 2, the file
/// untouched. Before, the report was created first, emptying the file,
/// which was then checked empty: exit 0 and the source lost.
#[test]
fn a_report_file_that_is_a_file_to_check_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let source = "trueconf:bob@video.example.com&x=1\n";
    std::fs::write(root.join("a.md"), source).unwrap();
    std::os::unix::fs::symlink("a.md", root.join("l.md")).unwrap();
    for args in [
        &["--check", "--isolated", "a.md", "-o", "a.md"][..],
        &["--check", "--isolated", "a.md", "-o", "l.md"],
        &["--check", "--isolated", "l.md", "-o", "./a.md"],
        &["--check", "--isolated", "--fix", "a.md", "-o", "a.md"],
        &[
            "--check",
            "--isolated",
            "--replace-server",
            "a=b",
            "a.md",
            "-o",
            "a.md",
        ],
    ] {
        let r = run(root, args);
        assert_eq!(r.code, Some(2), "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("is also the report file (-o)"),
            "{args:?}: {}",
            r.stderr
        );
        assert_eq!(
            std::fs::read_to_string(root.join("a.md")).unwrap(),
            source,
            "{args:?}"
        );
    }
}

/// A folder checked with its report file inside it does not read the
/// report (an earlier run's, or the one being written): the same result
/// on every run, whether the report path is the file or a link to it.
#[test]
fn a_folder_walk_leaves_the_report_file_out() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(root.join("a.md"), "trueconf:bob@video.example.com&x=1\n").unwrap();
    std::os::unix::fs::symlink("report.txt", root.join("report-link.txt")).unwrap();
    for out in ["report.txt", "report.txt", "report-link.txt"] {
        let r = run(
            root,
            &[
                "--check",
                "--isolated",
                "--output-format",
                "concise",
                ".",
                "-o",
                out,
            ],
        );
        assert_eq!(r.code, Some(1), "{out}: {}", r.stderr);
        let report = std::fs::read_to_string(root.join("report.txt")).unwrap();
        assert!(report.contains("in 1 file checked"), "{out}: {report}");
        assert!(!report.contains("report"), "{out}: {report}");
    }
}
