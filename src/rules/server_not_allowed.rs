//! TC016 server-not-allowed.

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};
use super::registry::Rule;
use crate::uri::is_placeholder;

pub const EXPLANATION: &str = "\
# TC016 server-not-allowed

## What it does
With `allowed-servers` configured, finds links whose target server
(`@server`) or sign-in server (`h=`) matches none of the patterns
(case-insensitive globs such as `*.corp.example.com`). Off when no
`allowed-servers` is configured. The host is read as in a URL: a
`user:password@` before it is skipped, and messages quote only the host.

## Why is this bad?
A link to a server outside the organisation sends users, and with `h=` and
`password=` their credentials, somewhere else: a typo in a host name, a
test server left in the docs, or a planted link.

## Example
```toml
allowed-servers = [\"video.example.com\"]
```
```text
trueconf:bob@video.example.org
```

## Fix safety
No fix: only a person knows which server is right.
";

/// The host of a server value, read the way a URL is: an optional
/// `scheme://`, then the authority up to the first `/`, `?` or `#`, then
/// what follows the authority's last `@` (a `user:password@` is never part
/// of the host), then `host[:port]`, `[v6][:port]` or a bare IPv6 address.
fn host(server: &str) -> &str {
    let mut s = server;
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
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    // More than one `:` is a bare IPv6 address, which has no port.
    match s.split_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => s,
    }
}

/// Whether `host` can be quoted in a message: a host name, an IPv4 or an
/// IPv6 address, and nothing else (no `:` but an IPv6 address's, no `@`,
/// no white space), so that no part of a credential is ever shown.
/// `[2001:db8::5]` or `[…]:port`: an IPv6 host, not a `[server]`
/// placeholder.
fn is_ipv6_literal(value: &str) -> bool {
    value
        .strip_prefix('[')
        .and_then(|rest| rest.split(']').next())
        .is_some_and(|v6| v6.parse::<std::net::Ipv6Addr>().is_ok())
}

fn is_plain_host(host: &str) -> bool {
    let name = host
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_'));
    let v6 = host.contains(':')
        && host
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b':' | b'.'));
    !host.is_empty() && (name || v6)
}

pub fn check(ctx: &LinkCtx, out: &mut Findings) {
    let Some(allowed) = &ctx.config.allowed_servers else {
        return;
    };
    let link = ctx.link;
    let mut servers = Vec::new();
    if let Some(s) = link.target.as_ref().and_then(|t| t.server) {
        servers.push(("@server", s));
    }
    for p in link.params.iter().filter(|p| link.key(p) == "h") {
        if let Some(v) = p.value.filter(|v| !v.is_empty()) {
            servers.push(("h=", v));
        }
    }
    for (what, span) in servers {
        let value = link.value(span);
        let host = host(&value);
        let placeholder =
            (is_placeholder(&value) || link.has_template(&value)) && !is_ipv6_literal(&value);
        if value.is_empty() || placeholder || allowed.allows(host) {
            continue;
        }
        // Only the parsed host is quoted, never the value as written: it
        // may hold a `user:password@`.
        let message = if is_plain_host(host) {
            let shown: String = host.chars().take(80).collect();
            format!("{what} `{shown}` is not in allowed-servers")
        } else {
            format!("{what} is not a plain host[:port] and is not in allowed-servers")
        };
        out.push(Diagnostic::new(
            Rule::ServerNotAllowed,
            ctx.span(span),
            message,
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::config::{AllowedServers, Config};
    use crate::rules::test_support::analyze;
    use crate::scan::DocKind;

    #[test]
    fn allowlist() {
        let config = Config {
            allowed_servers: Some(
                AllowedServers::new(&["video.example.com".into(), "*.corp.example.com".into()])
                    .unwrap(),
            ),
            ..Config::default()
        };
        let src = "trueconf:bob@video.example.com:4307&h=evil.example.org trueconf:a@x.corp.example.com&h=[server]";
        let got: Vec<String> = analyze(src, DocKind::Plain, &config)
            .into_iter()
            .filter(|d| d.rule.code() == "TC016")
            .map(|d| format!("{}..{} {}", d.span.start, d.span.end, d.message))
            .collect();
        assert_eq!(
            got,
            ["38..54 h= `evil.example.org` is not in allowed-servers"]
        );
        // A `user:password@` is never quoted; the host after it is judged.
        let messages = |src: &str| -> Vec<String> {
            analyze(src, DocKind::Plain, &config)
                .into_iter()
                .filter(|d| d.rule.code() == "TC016")
                .map(|d| d.message.to_string())
                .collect()
        };
        assert_eq!(
            messages(
                "trueconf:bob@admin:hunter2@evil.example.org:4307&h=u:hunter2@evil.example.net"
            ),
            [
                "@server `evil.example.org` is not in allowed-servers",
                "h= `evil.example.net` is not in allowed-servers",
            ]
        );
        assert_eq!(
            messages(
                "trueconf:bob&h=https://u%3Ahunter2%40video.example.com/x \
                 trueconf:bob&h=u:p@ss@a.corp.example.com"
            ),
            Vec::<String>::new()
        );
        assert_eq!(
            messages("trueconf:bob&h=u:hunter2 trueconf:bob&h=[fe80::1]:4307&h=fe80::1"),
            [
                "h= is not a plain host[:port] and is not in allowed-servers",
                "h= `fe80::1` is not in allowed-servers",
                "h= `fe80::1` is not in allowed-servers",
            ]
        );
        // IPv6 hosts are checked like others; `#sip:`, `#h323:` and RTSP
        // hosts are no TrueConf servers.
        assert_eq!(
            messages("trueconf:bob@[2001:db8::5]&h=[2001:db8::6]:4307 trueconf:bob@[server]"),
            [
                "@server `2001:db8::5` is not in allowed-servers",
                "h= `2001:db8::6` is not in allowed-servers",
            ]
        );
        assert_eq!(
            messages(
                "trueconf:#sip:u@evil.example.org trueconf:#h323:u@10.0.0.1 \
                 trueconf:#rtsp:%2f%2fcam.evil.example:554%2flive"
            ),
            Vec::<String>::new()
        );
        // A `@` after the path does not make the host: not allowed.
        assert_eq!(
            messages("trueconf:bob&h=evil.example.org/@video.example.com"),
            ["h= `evil.example.org` is not in allowed-servers"]
        );
        assert!(
            analyze(src, DocKind::Plain, &Config::default())
                .iter()
                .all(|d| d.rule.code() != "TC016")
        );
    }
}
