//! `--online` and TC020 (issue 17): probes reach only 127.0.0.1.
//!
//! Names are answered by a table (the hidden `--online-test-resolver` of
//! `testing` builds, or a [`Resolve`] written here), never by the system,
//! so no test reaches any address but a listener it opened on 127.0.0.1.
//! In a network namespace whose loopback is down (`unshare -n` without
//! `ip link set lo up`), 127.0.0.1 cannot be bound: the tests that need a
//! listener then say so loudly on stderr and pass without checking.

mod common;

use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use common::{run, tree};
use trueconf_lsp::project::online::{Prober, Resolve, Target};

/// A listener on 127.0.0.1 that accepts and counts connections.
struct Counter {
    addr: SocketAddr,
    count: Arc<AtomicUsize>,
}

fn listener(test: &str) -> Option<Counter> {
    // With the loopback down, binding works and connecting does not.
    let reachable = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| TcpStream::connect_timeout(&l.local_addr()?, Duration::from_secs(2)));
    if let Err(e) = reachable {
        // Straight to the process's stderr: the harness captures eprintln!.
        let _ = writeln!(
            io::stderr(),
            "SKIPPED {test}: cannot connect to 127.0.0.1 ({e}); is the loopback down \
             (unshare -n without `ip link set lo up`)?"
        );
        return None;
    }
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let count = Arc::new(AtomicUsize::new(0));
    let c = count.clone();
    thread::spawn(move || {
        for s in l.incoming() {
            if s.is_ok() {
                c.fetch_add(1, Ordering::SeqCst);
            }
        }
    });
    Some(Counter { addr, count })
}

impl Counter {
    /// Connections accepted, once the count has reached `want` (or after
    /// 3 s) and then stayed put a moment: the kernel completes a connection
    /// before the accepting thread counts it.
    fn settled(&self, want: usize) -> usize {
        let until = Instant::now() + Duration::from_secs(3);
        while self.count.load(Ordering::SeqCst) < want && Instant::now() < until {
            thread::sleep(Duration::from_millis(10));
        }
        thread::sleep(Duration::from_millis(100));
        self.count.load(Ordering::SeqCst)
    }
}

/// A port on 127.0.0.1 that nothing listens on.
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn findings(stdout: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(stdout).expect(stdout);
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "TC020")
        .map(|d| {
            format!(
                "{}:{}:{} {} {}",
                d["path"].as_str().unwrap(),
                d["range"]["start"]["line"],
                d["range"]["start"]["column"],
                d["severity"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn one_probe_per_server_and_why_each_failed() {
    let Some(up) = listener("one_probe_per_server_and_why_each_failed") else {
        return;
    };
    let closed = closed_port();
    let mut doc = String::new();
    for i in 0..50 {
        doc.push_str(&format!(
            "[c{i}](trueconf:c\\{i}@video.example.com&h=Video.Example.com)\n"
        ));
    }
    doc.push_str("[a](trueconf:bob@down.example&password=hunter2)\n");
    doc.push_str("[b](trueconf:bob@slow.example)\n");
    doc.push_str(&format!("[c](trueconf:bob@127.0.0.1:{closed})\n"));
    doc.push_str("[d](trueconf:bob&h=[::1]:5000)\n");
    // Not probed: external targets and placeholders.
    doc.push_str(
        "[e](trueconf:#sip:u@sip.example) [f](trueconf:#h323:\\e\\1) [g](trueconf:bob@[server])\n",
    );
    let dir = tree(&[("a.md", &doc)]);
    let table = format!(
        "video.example.com={},down.example=nxdomain,slow.example=hang,127.0.0.1=127.0.0.1:{closed},::1={}",
        up.addr, up.addr
    );
    let started = Instant::now();
    let r = run(
        dir.path(),
        &[
            "--check",
            "--online",
            "--online-timeout",
            "0.5",
            "--online-test-resolver",
            &table,
            "--output-format",
            "json",
        ],
    );
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        findings(&r.stdout),
        [
            "a.md:51:18 warning @server `down.example:4307` did not answer: no such host",
            "a.md:52:18 warning @server `slow.example:4307` did not answer: timed out after 0.5 s",
            format!(
                "a.md:53:18 warning @server `127.0.0.1:{closed}` did not answer: connection refused"
            )
            .as_str(),
        ]
    );
    // video.example.com answered, once for its 100 mentions; [::1]:5000
    // (mapped to the same listener) once more.
    assert_eq!(up.settled(2), 2);
    assert!(!r.stdout.contains("hunter2") && !r.stderr.contains("hunter2"));
    // Not a terminal: no progress bar.
    assert_eq!(r.stderr, "");
}

#[test]
fn without_online_nothing_is_probed() {
    let Some(up) = listener("without_online_nothing_is_probed") else {
        return;
    };
    let dir = tree(&[("a.md", "[a](trueconf:bob@video.example.com)\n")]);
    let table = format!("video.example.com={}", up.addr);
    let r = run(
        dir.path(),
        &[
            "--check",
            "--online-test-resolver",
            &table,
            "--output-format",
            "json",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // `online = true` in the configuration turns it on, `online-exclude`
    // leaves hosts out, and `ignore = ["TC020"]` turns it off.
    let with = |config: &str| {
        std::fs::write(dir.path().join("trueconf-lsp.toml"), config).unwrap();
        run(
            dir.path(),
            &[
                "--check",
                "--online-test-resolver",
                "down.example=nxdomain",
                "--output-format",
                "json",
            ],
        )
    };
    std::fs::write(
        dir.path().join("b.md"),
        "[b](trueconf:bob@down.example) [c](trueconf:bob@skip.example)\n",
    )
    .unwrap();
    assert_eq!(up.settled(0), 0);
    let r = with("online = true\nonline-exclude = [\"*.EXAMPLE.com\", \"skip.*\"]\n");
    assert_eq!(
        findings(&r.stdout),
        ["b.md:1:18 warning @server `down.example:4307` did not answer: no such host"]
    );
    let r = with("online = true\nignore = [\"TC020\"]\n");
    assert_eq!(findings(&r.stdout), Vec::<String>::new());
    let r = with("online = true\n[severity]\nTC020 = \"info\"\n");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // video.example.com is not in this run's table: no such host either.
    assert_eq!(findings(&r.stdout).len(), 3, "{}", r.stdout);
    assert!(findings(&r.stdout)[0].contains(" info "));
    assert_eq!(up.settled(0), 0);
}

#[test]
fn the_cache_file_is_reused_while_fresh() {
    let Some(up) = listener("the_cache_file_is_reused_while_fresh") else {
        return;
    };
    let dir = tree(&[(
        "a.md",
        "[a](trueconf:bob@video.example.com) [b](trueconf:bob@down.example)\n",
    )]);
    let table = format!("video.example.com={},down.example=nxdomain", up.addr);
    let args = |ttl: &str| {
        run(
            dir.path(),
            &[
                "--check",
                "--online",
                "--online-cache",
                "cache/online.json",
                "--online-cache-ttl",
                ttl,
                "--online-test-resolver",
                &table,
                "--output-format",
                "json",
            ],
        )
    };
    let r = args("1d");
    assert_eq!(findings(&r.stdout).len(), 1, "{}", r.stderr);
    assert_eq!(up.settled(1), 1);
    let cache: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cache/online.json")).unwrap())
            .unwrap();
    assert_eq!(cache["video.example.com:4307"]["ok"], true);
    assert_eq!(cache["down.example:4307"]["ok"], false);
    assert_eq!(cache["down.example:4307"]["reason"], "no such host");
    assert!(cache["down.example:4307"]["checked_at"].as_u64().unwrap() > 1_600_000_000);
    // Fresh: nothing probed again, the same findings.
    let again = args("1d");
    assert_eq!(findings(&again.stdout), findings(&r.stdout));
    assert_eq!(up.settled(1), 1);
    // Stale entries are probed again.
    let mut old = cache.clone();
    old["video.example.com:4307"]["checked_at"] = 1.into();
    std::fs::write(
        dir.path().join("cache/online.json"),
        serde_json::to_vec(&old).unwrap(),
    )
    .unwrap();
    args("1h");
    assert_eq!(up.settled(2), 2);
    // A broken cache file: a warning, and the run goes on.
    std::fs::write(dir.path().join("cache/online.json"), "not json").unwrap();
    let r = args("1d");
    assert!(r.stderr.contains("warning: --online-cache"), "{}", r.stderr);
    assert_eq!(findings(&r.stdout).len(), 1);
}

/// A resolver that maps every name to one address, counting how many
/// resolutions run at once.
struct Gauge {
    addr: SocketAddr,
    now: AtomicUsize,
    most: AtomicUsize,
    names: Mutex<Vec<String>>,
}

impl Resolve for Gauge {
    fn resolve(&self, host: &str, _port: u16) -> io::Result<Vec<SocketAddr>> {
        let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(n, Ordering::SeqCst);
        thread::sleep(Duration::from_millis(30));
        self.names.lock().unwrap().push(host.to_string());
        self.now.fetch_sub(1, Ordering::SeqCst);
        Ok(vec![self.addr])
    }
}

#[test]
fn probes_are_bounded_and_deduplicated() {
    let Some(up) = listener("probes_are_bounded_and_deduplicated") else {
        return;
    };
    let gauge = Arc::new(Gauge {
        addr: up.addr,
        now: AtomicUsize::new(0),
        most: AtomicUsize::new(0),
        names: Mutex::new(Vec::new()),
    });
    let prober = Prober::new(gauge.clone(), Duration::from_secs(5), 4);
    let mut targets: Vec<Target> = (0..20)
        .map(|i| Target::parse(&format!("h{i}.example:4307")).unwrap())
        .collect();
    targets.extend(targets.clone());
    let calls = AtomicUsize::new(0);
    let answers = prober.probe_all(&targets, &|_, total| {
        assert_eq!(total, 20);
        calls.fetch_add(1, Ordering::SeqCst);
    });
    assert_eq!(answers.len(), 20);
    assert!(answers.values().all(|a| a.ok));
    assert_eq!(calls.load(Ordering::SeqCst), 20);
    assert_eq!(gauge.names.lock().unwrap().len(), 20);
    assert!(gauge.most.load(Ordering::SeqCst) <= 4);
    assert_eq!(up.settled(20), 20);
    // Cached in memory: a second run probes nothing.
    prober.probe_all(&targets, &|_, _| panic!("probed again"));
    assert_eq!(up.settled(20), 20);
}

/// A resolver that never answers in time: the probe gives up at the
/// timeout, not when the resolver returns.
struct Hang;

impl Resolve for Hang {
    fn resolve(&self, _host: &str, _port: u16) -> io::Result<Vec<SocketAddr>> {
        thread::sleep(Duration::from_secs(30));
        Err(io::Error::other("late"))
    }
}

#[test]
fn a_hanging_resolver_costs_the_timeout() {
    let prober = Prober::new(Arc::new(Hang), Duration::from_millis(200), 16);
    let targets: Vec<Target> = (0..32)
        .map(|i| Target::parse(&format!("h{i}.example:4307")).unwrap())
        .collect();
    let started = Instant::now();
    let answers = prober.probe_all(&targets, &|_, _| {});
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(
        answers
            .values()
            .all(|a| !a.ok && a.reason == "timed out after 0.2 s")
    );
}
