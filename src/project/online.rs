//! `--online` and the `online` setting: does each server named by the
//! links (`@server`, `h=`) answer on its TCP port?
//!
//! A probe resolves the host name, opens a TCP connection to its port
//! (4307, TrueConf's client port, unless the link writes another) and
//! closes it: nothing is sent, so no credential of a link ever leaves.
//! Each distinct `host:port` is probed once per run ([`Prober`] caches the
//! answers, optionally in a file with a time to live), at most
//! `concurrency` at a time, each within a timeout that covers resolving and
//! connecting. The pure lint never probes: the shells ask for probes only
//! when `online` is on, and merge the answers as TC020 findings
//! ([`super::checked::Checked::merge_unreachable`]).
//!
//! This is the one file of the program that opens network connections;
//! name resolution goes through the [`Resolve`] trait, so that tests answer
//! for names without a network.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::scan::RawLink;
use crate::text::Span;
use crate::uri::{Link, is_placeholder};

/// TrueConf clients' port when a link names none.
pub const DEFAULT_PORT: u16 = 4307;
/// `--online-timeout` by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(3);
/// `--online-concurrency` by default.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// `--online-cache-ttl` by default: one day.
pub const DEFAULT_CACHE_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// A server to probe: a host name or IP address (IPv6 without brackets,
/// lower case) and a port.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    pub host: String,
    pub port: u16,
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

impl Target {
    /// Reads `host:port` or `[v6]:port` as [`Target`]'s `Display` writes it.
    pub fn parse(s: &str) -> Option<Target> {
        let (host, port) = s.rsplit_once(':')?;
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port: u16 = port.parse().ok().filter(|p| *p != 0)?;
        is_plain_host(host).then(|| Target {
            host: host.to_ascii_lowercase(),
            port,
        })
    }

    /// The server a link's `@server` or `h=` value names, read as in a
    /// URL: an optional `scheme://`, the authority up to `/`, `?` or `#`,
    /// what follows its last `@`, then `host[:port]`, `[v6][:port]` or a
    /// bare IPv6 address. `None` for a placeholder, an empty value, a port
    /// that is not a number from 1 to 65535, or anything that is not a
    /// plain host name or address.
    pub fn from_server(value: &str) -> Option<Target> {
        let v6_literal = value
            .strip_prefix('[')
            .and_then(|v| v.strip_suffix(']'))
            .is_some_and(|v| v.parse::<std::net::Ipv6Addr>().is_ok());
        if value.is_empty() || (is_placeholder(value) && !v6_literal) {
            return None;
        }
        let mut s = value;
        if let Some(i) = s.find("://")
            && s[..i]
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        {
            s = &s[i + 3..];
        }
        s = s.strip_prefix("//").unwrap_or(s);
        s = s.split(['/', '?', '#']).next().unwrap_or(s);
        if let Some(at) = s.rfind('@') {
            s = &s[at + 1..];
        }
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (host, after) = rest.split_once(']')?;
            match after {
                "" => (host, None),
                _ => (host, Some(after.strip_prefix(':')?)),
            }
        } else if s.matches(':').count() > 1 {
            (s, None)
        } else {
            match s.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            }
        };
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse().ok().filter(|p| *p != 0)?
            }
            Some(_) => return None,
        };
        is_plain_host(host).then(|| Target {
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

/// A host name, an IPv4 or an IPv6 address, and nothing else: never part
/// of a credential, so it can be quoted and probed.
fn is_plain_host(host: &str) -> bool {
    let name = host
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let v6 = host.contains(':')
        && host
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    !host.is_empty() && host.len() <= 253 && (name || v6)
}

/// One server a link names, found in a checked document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerRef {
    /// `@server` or `h=`.
    pub what: &'static str,
    pub target: Target,
    /// The source span of the server value.
    pub span: Span,
}

/// The servers `links` of `source` name (`@server` and `h=`, not the
/// addresses of `#sip:`, `#h323:` or RTSP targets), with the source span of
/// each value; hosts for which `skip` says yes are left out.
pub fn servers(source: &str, links: &[RawLink], skip: &dyn Fn(&str) -> bool) -> Vec<ServerRef> {
    let mut out = Vec::new();
    for raw in links {
        let decoded = raw.decoded(source);
        let link = Link::parse(&decoded.text);
        let mut found = Vec::new();
        if let Some(s) = link.target.as_ref().and_then(|t| t.server) {
            found.push(("@server", s));
        }
        for p in link.params.iter().filter(|p| link.key(p) == "h") {
            if let Some(v) = p.value.filter(|v| !v.is_empty()) {
                found.push(("h=", v));
            }
        }
        for (what, span) in found {
            let Some(target) = Target::from_server(&link.value(span)) else {
                continue;
            };
            if skip(&target.host) {
                continue;
            }
            let base = raw.span.start;
            out.push(ServerRef {
                what,
                target,
                span: decoded.source_span(source, base, raw.decode, span),
            });
        }
    }
    out
}

/// Name resolution, injectable: the system's by default ([`SystemResolver`]),
/// a fixed table in tests.
pub trait Resolve: Send + Sync {
    /// The addresses of `host` (a name or an IP address) at `port`; an
    /// error or an empty list when there are none.
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>>;
}

/// The system's resolver (`getaddrinfo`).
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok((host, port).to_socket_addrs()?.collect())
    }
}

/// What a probe found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    pub ok: bool,
    /// Why it did not answer: `no such host`, `connection refused`,
    /// `timed out after 3 s`, …; empty when it answered.
    pub reason: String,
}

impl Answer {
    fn ok() -> Answer {
        Answer {
            ok: true,
            reason: String::new(),
        }
    }

    fn failed(reason: impl Into<String>) -> Answer {
        Answer {
            ok: false,
            reason: reason.into(),
        }
    }
}

/// `3 s`, `0.5 s`.
pub fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} s", (s * 1000.0).round() / 1000.0)
    }
}

/// Resolves and connects within `timeout`; the resolution runs on its own
/// thread, so that a resolver that hangs costs the timeout and no more.
fn probe(resolver: &Arc<dyn Resolve>, target: &Target, timeout: Duration) -> Answer {
    let start = Instant::now();
    let timed_out = || Answer::failed(format!("timed out after {}", seconds(timeout)));
    let (tx, rx) = mpsc::channel();
    let resolver = Arc::clone(resolver);
    let (host, port) = (target.host.clone(), target.port);
    let spawned = std::thread::Builder::new()
        .name("trueconf-lsp-resolve".into())
        .spawn(move || {
            let _ = tx.send(resolver.resolve(&host, port));
        });
    if let Err(e) = spawned {
        return Answer::failed(format!("could not resolve: {e}"));
    }
    let addrs = match rx.recv_timeout(timeout) {
        Ok(Ok(addrs)) if !addrs.is_empty() => addrs,
        Ok(_) => return Answer::failed("no such host"),
        Err(_) => return timed_out(),
    };
    let mut last: Option<io::Error> = None;
    for addr in addrs {
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            return timed_out();
        }
        match TcpStream::connect_timeout(&addr, left) {
            // Dropping the stream closes it; nothing was sent.
            Ok(_stream) => return Answer::ok(),
            Err(e) => last = Some(e),
        }
    }
    match last {
        Some(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            Answer::failed("connection refused")
        }
        Some(e)
            if matches!(
                e.kind(),
                io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
            ) =>
        {
            timed_out()
        }
        Some(e) => Answer::failed(e.to_string()),
        None => Answer::failed("no such host"),
    }
}

/// An answer in the cache, and when it was found (seconds since the Unix
/// epoch): the cache file's entries.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Entry {
    ok: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    reason: String,
    checked_at: u64,
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Probes servers, each `host:port` once while its answer is fresh.
pub struct Prober {
    resolver: Arc<dyn Resolve>,
    timeout: Duration,
    concurrency: usize,
    ttl: Duration,
    cache: Mutex<HashMap<Target, Entry>>,
}

impl Prober {
    pub fn new(resolver: Arc<dyn Resolve>, timeout: Duration, concurrency: usize) -> Prober {
        Prober {
            resolver,
            timeout,
            concurrency: concurrency.max(1),
            ttl: DEFAULT_CACHE_TTL,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// How long an answer stays fresh (in memory and in a cache file).
    pub fn with_ttl(mut self, ttl: Duration) -> Prober {
        self.ttl = ttl;
        self
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// The fresh answer for `target`, if there is one.
    pub fn cached(&self, target: &Target) -> Option<Answer> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        let e = cache.get(target)?;
        (now().saturating_sub(e.checked_at) < self.ttl.as_secs()).then(|| Answer {
            ok: e.ok,
            reason: e.reason.clone(),
        })
    }

    /// Reads a cache file written by [`Prober::save`]: a JSON object
    /// `{"host:port": {"ok": …, "reason": …, "checked_at": …}}`. A missing
    /// file is an empty cache; a file that cannot be read is an error
    /// (the caller warns and goes on without it). Stale entries are kept
    /// but not used.
    pub fn load(&self, path: &Path) -> Result<(), String> {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let map: BTreeMap<String, Entry> = serde_json::from_slice(&bytes)
            .map_err(|e| format!("{}: not a cache file: {e}", path.display()))?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        for (key, entry) in map {
            if let Some(t) = Target::parse(&key) {
                cache.entry(t).or_insert(entry);
            }
        }
        Ok(())
    }

    /// Writes the cache (fresh entries only), atomically.
    pub fn save(&self, path: &Path) -> io::Result<()> {
        let fresh: BTreeMap<String, Entry> = {
            let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
            let now = now();
            cache
                .iter()
                .filter(|(_, e)| now.saturating_sub(e.checked_at) < self.ttl.as_secs())
                .map(|(t, e)| (t.to_string(), e.clone()))
                .collect()
        };
        let mut json = serde_json::to_vec_pretty(&fresh)?;
        json.push(b'\n');
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => {
                std::fs::create_dir_all(d)?;
                d
            }
            _ => Path::new("."),
        };
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        io::Write::write_all(&mut tmp, &json)?;
        tmp.persist(path).map_err(|e| e.error)?;
        Ok(())
    }

    /// The answer for every target: fresh cached answers as they are, the
    /// others probed, at most `concurrency` at a time. `progress` hears
    /// how many probes are done out of how many, after each.
    pub fn probe_all(
        &self,
        targets: &[Target],
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> HashMap<Target, Answer> {
        let mut answers = HashMap::new();
        let mut todo: Vec<&Target> = Vec::new();
        for t in targets {
            if answers.contains_key(t) || todo.contains(&t) {
                continue;
            }
            match self.cached(t) {
                Some(a) => {
                    answers.insert(t.clone(), a);
                }
                None => todo.push(t),
            }
        }
        let total = todo.len();
        if total == 0 {
            return answers;
        }
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let found = Mutex::new(Vec::with_capacity(total));
        std::thread::scope(|s| {
            for _ in 0..self.concurrency.min(total) {
                s.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(t) = todo.get(i) else { break };
                        let answer = probe(&self.resolver, t, self.timeout);
                        found
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(((*t).clone(), answer));
                        progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                    }
                });
            }
        });
        let checked_at = now();
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        for (t, a) in found.into_inner().unwrap_or_else(|e| e.into_inner()) {
            cache.insert(
                t.clone(),
                Entry {
                    ok: a.ok,
                    reason: a.reason.clone(),
                    checked_at,
                },
            );
            answers.insert(t, a);
        }
        answers
    }
}

/// A resolver from a fixed table, for tests (the `testing` feature): each
/// name maps to an address, to "no such host", or to a resolution that
/// hangs; a name not in the table has no address. It never asks the
/// system, so a test can reach no address but those it wrote.
#[cfg(feature = "testing")]
pub struct TableResolver(pub HashMap<String, TableEntry>);

#[cfg(feature = "testing")]
#[derive(Clone, Debug)]
pub enum TableEntry {
    Addr(SocketAddr),
    NoSuchHost,
    Hang(Duration),
}

#[cfg(feature = "testing")]
impl TableResolver {
    /// Reads `name=127.0.0.1:PORT,name=nxdomain,name=hang` (`hang` sleeps
    /// 60 s). Only loopback addresses are accepted.
    pub fn parse(spec: &str) -> Result<TableResolver, String> {
        let mut map = HashMap::new();
        for item in spec.split(',').filter(|s| !s.is_empty()) {
            let (name, what) = item
                .split_once('=')
                .ok_or_else(|| format!("`{item}`: expected name=answer"))?;
            let entry = match what {
                "nxdomain" => TableEntry::NoSuchHost,
                "hang" => TableEntry::Hang(Duration::from_secs(60)),
                addr => {
                    let a: SocketAddr = addr.parse().map_err(|e| format!("`{addr}`: {e}"))?;
                    if !a.ip().is_loopback() {
                        return Err(format!("`{addr}`: only loopback addresses in tests"));
                    }
                    TableEntry::Addr(a)
                }
            };
            map.insert(name.to_ascii_lowercase(), entry);
        }
        Ok(TableResolver(map))
    }
}

#[cfg(feature = "testing")]
impl Resolve for TableResolver {
    fn resolve(&self, host: &str, _port: u16) -> io::Result<Vec<SocketAddr>> {
        match self.0.get(host) {
            Some(TableEntry::Addr(a)) => Ok(vec![*a]),
            Some(TableEntry::Hang(d)) => {
                std::thread::sleep(*d);
                Ok(Vec::new())
            }
            Some(TableEntry::NoSuchHost) | None => Err(io::Error::new(
                io::ErrorKind::NotFound,
                "no such host (test resolver)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_from_server_values() {
        let t = |s: &str| Target::from_server(s).map(|t| t.to_string());
        assert_eq!(
            t("video.example.com").as_deref(),
            Some("video.example.com:4307")
        );
        assert_eq!(
            t("Video.Example.com:443").as_deref(),
            Some("video.example.com:443")
        );
        assert_eq!(
            t("u:hunter2@host.example").as_deref(),
            Some("host.example:4307")
        );
        assert_eq!(
            t("https://host.example/x").as_deref(),
            Some("host.example:4307")
        );
        assert_eq!(t("[::1]:5000").as_deref(), Some("[::1]:5000"));
        assert_eq!(t("[fe80::1]").as_deref(), Some("[fe80::1]:4307"));
        assert_eq!(t("fe80::1").as_deref(), Some("[fe80::1]:4307"));
        assert_eq!(t("10.0.0.1:4308").as_deref(), Some("10.0.0.1:4308"));
        for bad in [
            "",
            "[server]",
            "host:0",
            "host:99999",
            "host:x",
            "[::1]x",
            "a b",
        ] {
            assert_eq!(t(bad), None, "{bad}");
        }
        for s in ["host.example:4307", "[::1]:80"] {
            assert_eq!(Target::parse(s).unwrap().to_string(), s);
        }
    }

    #[test]
    fn servers_of_links_skip_external_targets() {
        let src = "trueconf:bob@video.example.com&h=[::1]:5000 trueconf:#sip:u@sip.example \
                   trueconf:#rtsp:%2f%2fcam.example:554 trueconf:c\\1@b.example:4308";
        let links = crate::scan::scan(src, crate::scan::DocKind::Plain);
        let found: Vec<String> = servers(src, &links, &|h| h == "b.example")
            .iter()
            .map(|s| format!("{} {} {}", s.what, s.target, &src[s.span.start..s.span.end]))
            .collect();
        assert_eq!(
            found,
            [
                "@server video.example.com:4307 video.example.com",
                "h= [::1]:5000 [::1]:5000"
            ]
        );
    }

    #[test]
    fn seconds_are_written_plainly() {
        assert_eq!(seconds(Duration::from_secs(3)), "3 s");
        assert_eq!(seconds(Duration::from_millis(500)), "0.5 s");
    }
}
