//! TC020 server-unreachable: reported from network probes, which the pure
//! lint never makes. The project layer probes (with `--online` or the
//! `online` setting) and builds the findings with [`unreachable`].

use super::diagnostic::Diagnostic;
use super::registry::Rule;
use crate::text::Span;

pub const EXPLANATION: &str = "\
# TC020 server-unreachable

## What it does
With `--online` (or `online = true`), finds links whose server (`@server`
or `h=`) did not answer: its name did not resolve, the connection to its
port (4307 unless the link writes another) was refused, or no answer came
within the timeout (`--online-timeout`, 3 s by default). Each distinct
`host:port` is probed once per run, by opening a TCP connection and closing
it; nothing is sent. `#sip:`, `#h323:` and RTSP addresses are not probed,
nor hosts matching `online-exclude`. Off without `--online`: then the
program makes no network call at all.

## Why is this bad?
A link to a decommissioned or mistyped server is the failure readers
actually see: the client app opens and cannot connect, long after the page
was written.

## Example
```text
trueconf:bob@old-video.example.com
```
```text
TC020 @server `old-video.example.com:4307` did not answer: no such host
```

## Fix safety
No fix: only a person knows which server replaced it. A server that is
down for a moment is reported too; rerun, or cache answers with
`--online-cache`.
";

/// The TC020 finding on the server value at `span`: `what` is `@server`
/// or `h=`, `server` the probed `host:port` (a plain host, never a
/// credential), `reason` why it did not answer.
pub fn unreachable(span: Span, what: &str, server: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(
        Rule::ServerUnreachable,
        span,
        format!("{what} `{server}` did not answer: {reason}"),
    )
}
