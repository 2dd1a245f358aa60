//! TC016 server-not-allowed.

use super::{Diagnostic, LinkCtx, Rule};
use crate::uri::is_placeholder;

pub const EXPLANATION: &str = "\
# TC016 server-not-allowed

## What it does
With `allowed-servers` configured, finds links whose target server
(`@server`) or sign-in server (`h=`) matches none of the patterns
(case-insensitive globs such as `*.corp.example.com`). Off when no
`allowed-servers` is configured.

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

/// The host of `host[:port]` or `[v6]:port`.
fn host(server: &str) -> &str {
    if let Some(rest) = server.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    server.rsplit_once(':').map_or(server, |(h, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            h
        } else {
            server
        }
    })
}

pub fn check(ctx: &LinkCtx, out: &mut Vec<Diagnostic>) {
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
        if value.is_empty() || is_placeholder(&value) || allowed.allows(host(&value)) {
            continue;
        }
        let shown: String = host(&value).chars().take(80).collect();
        out.push(Diagnostic::new(
            Rule::ServerNotAllowed,
            ctx.span(span),
            format!("{what} `{shown}` is not in allowed-servers"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{AllowedServers, Config};
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
        let got: Vec<String> = crate::analyze(src, DocKind::Plain, &config)
            .diagnostics
            .into_iter()
            .filter(|d| d.rule.code() == "TC016")
            .map(|d| format!("{}..{} {}", d.span.start, d.span.end, d.message))
            .collect();
        assert_eq!(
            got,
            ["38..54 h= `evil.example.org` is not in allowed-servers"]
        );
        assert!(
            crate::analyze(src, DocKind::Plain, &Config::default())
                .diagnostics
                .iter()
                .all(|d| d.rule.code() != "TC016")
        );
    }
}
