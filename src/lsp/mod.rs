//! The language server: `trueconf-lsp` (or `trueconf-lsp --stdio`) speaks
//! LSP 3.17 over stdin and stdout.
//!
//! - [`text`]: a document's text, a rope edited incrementally (the only
//!   ropey user);
//! - `options`, `capabilities` (the client's, resolved once), `session`;
//! - `state`: the shared state and the settings layered from their sources;
//! - `document`: an open document, its snapshots and lints; `documents`:
//!   the notifications applied to them and the lint tasks; `publish`: the
//!   task that pushes diagnostics;
//! - `testing`: test hooks, only with the `testing` cargo feature;
//! - `frames`: checks every incoming frame, so that a malformed message is
//!   answered with an error instead of ending the framework's reader, and
//!   reads document notifications into their typed params itself;
//! - `output`: writes the framework's messages and the publisher's
//!   diagnostics (serialized straight to bytes), frame by frame;
//! - `stdio`: the standard input and output, driven by the runtime's
//!   event loop when they are pipes or sockets;
//! - `service`: the tower layer that orders document notifications, takes
//!   request snapshots, contains panics and records shutdown/exit;
//! - `server`: the `LanguageServer` handlers;
//! - `graph`: references, rename, the outline and workspace symbols;
//!   `templates`: link templates offered after `trueconf:`;
//! - [`convert`], `hover`, `completion`, `actions`, `links`, `workspace`:
//!   core values rendered as LSP values.
//!
//! Logs go to stderr only, filtered by `TRUECONF_LOG` (else `RUST_LOG`,
//! default `warn`); the framework's message logs, which quote document text,
//! are capped at `info`, and its notes on methods not implemented are left
//! out unless its target is named. No log line carries document text.

mod actions;
mod capabilities;
mod completion;
pub mod convert;
mod document;
mod documents;
mod frames;
mod graph;
mod hover;
mod links;
mod online;
mod options;
mod output;
mod publish;
mod server;
mod service;
mod session;
pub mod settings;
mod state;
mod stdio;
mod templates;
#[cfg(feature = "testing")]
mod testing;
pub mod text;
mod workspace;

use std::io::Write;
use std::pin::Pin;
use std::process::ExitCode;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tower_lsp_server::{LspService, Server};

pub use options::Options;
#[cfg(feature = "testing")]
pub use testing::{PANIC_MARKER, TEST_HOOKS_ENV};

use server::Backend;
use service::Ordered;
use state::Shared;

/// Environment variable that overrides [`Options::max_document_bytes`].
pub const MAX_BYTES_ENV: &str = "TRUECONF_LSP_MAX_DOCUMENT_BYTES";

/// Serves one client over `input` and `output` until `exit` or the end of
/// `input`. Returns the exit code LSP prescribes: 0 after `shutdown`, 1
/// without.
pub async fn serve<I, O>(input: I, output: O, options: Options) -> i32
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    serve_with(input, output, options, None).await
}

async fn serve_with<I, O>(input: I, output: O, options: Options, on_exit: Option<fn(i32)>) -> i32
where
    I: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let max_document_bytes = options.max_document_bytes;
    let (shared, rx) = Shared::new(options);
    // One frame at a time: a publisher ahead of a slow client waits, and
    // what it was asked to send meanwhile is dropped at its turn if stale.
    let (frames_tx, frames_rx) = tokio::sync::mpsc::channel(1);
    let for_backend = shared.clone();
    let for_service = frames_tx.clone();
    #[cfg_attr(not(feature = "testing"), allow(unused_mut))]
    let mut builder = LspService::build(move |client| {
        tokio::spawn(publish::publisher(
            Arc::downgrade(&for_backend),
            client.clone(),
            rx,
            frames_tx.clone(),
        ));
        Backend::new(client, for_backend)
    });
    #[cfg(feature = "testing")]
    if shared.options.test_hooks {
        builder = builder
            .custom_method("trueconf-lsp/debugText", Backend::debug_text)
            .custom_method("trueconf-lsp/debugPanic", Backend::debug_panic)
            .custom_method("trueconf-lsp/debugPanicText", Backend::debug_panic_text)
            .custom_method(
                "trueconf-lsp/debugPanicNotification",
                Backend::debug_panic_notification,
            );
    }
    let (service, socket) = builder.finish();
    let service = Ordered::new(service, shared.clone(), on_exit, for_service);
    let input = EofWatch {
        inner: frames::Frames::new(
            input,
            frames::max_frame(max_document_bytes),
            shared.parked.clone(),
        ),
        on_eof: on_exit.map(|f| {
            let shared = shared.clone();
            Box::new(move || f(shared.lifecycle.exit_code())) as Box<dyn FnOnce() + Send>
        }),
    };
    // The framework writes into a pipe; `output::merge` passes that on and
    // adds the frames the publisher writes itself.
    let (framework_out, framework_rx) = tokio::io::duplex(64 * 1024);
    let serve = Server::new(input, framework_out, socket).serve(service);
    tokio::join!(serve, output::merge(framework_rx, frames_rx, output));
    shared.lifecycle.exit_code()
}

/// Runs the server on stdin/stdout and ends the process with its exit code.
pub fn run() -> ExitCode {
    init_logging();
    install_panic_hook();
    let mut options = Options::default();
    if let Ok(v) = std::env::var(MAX_BYTES_ENV) {
        match v.trim().parse() {
            Ok(n) => options.max_document_bytes = n,
            Err(_) => tracing::warn!("{MAX_BYTES_ENV}={v:?} is not a number; ignored"),
        }
    }
    #[cfg(feature = "testing")]
    testing::from_env(&mut options);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: cannot start the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    // Were a panic to unwind out of the server, the standard input and
    // output would still get their flags back.
    let _restore = stdio::Restore;
    let code = runtime.block_on(async {
        let (input, output) = stdio::standard();
        serve_with(input, output, options, Some(exit_soon)).await
    });
    // Tokio's stdin reader cannot be cancelled, so dropping the runtime
    // could hang while the client keeps stdin open: leave now.
    leave(code)
}

/// Ends the process, the standard input and output as they were found.
fn leave(code: i32) -> ! {
    stdio::restore();
    std::process::exit(code)
}

/// After `exit` or the end of stdin, makes sure the process ends even if
/// something still holds the server up.
fn exit_soon(code: i32) {
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        leave(code);
    });
}

fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    use tracing_subscriber::{EnvFilter, Layer, filter};

    let spec = std::env::var("TRUECONF_LOG")
        .or_else(|_| std::env::var("RUST_LOG"))
        .unwrap_or_else(|_| "warn".to_string());
    let env = EnvFilter::try_new(&spec).unwrap_or_else(|_| EnvFilter::new("warn"));
    // tower-lsp-server logs every message body at TRACE, and bodies hold
    // document text and so passwords: never below INFO for it.
    // Its `server` target only says that a method the client asked for is
    // not implemented, as an ERROR line per request (an editor asking for
    // definitions or semantic tokens), while the client gets its "method
    // not found" answer: left out unless asked for by name.
    let unimplemented = spec.contains("tower_lsp_server");
    let cap = filter::filter_fn(move |meta| {
        let target = meta.target();
        !(target.starts_with("tower_lsp_server") && *meta.level() > tracing::Level::INFO)
            && (unimplemented || target != "tower_lsp_server::server")
    });
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(|| EscapingLog(std::io::stderr()))
        .with_ansi(false)
        .with_filter(cap)
        .with_filter(env);
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// The log's writer: every character that must not reach a terminal raw
/// ([`crate::text::is_unsafe_to_print`]) is written escaped, but the line
/// break that ends an event. Whatever a log line quotes (a method name, a
/// URI, a setting, a path from the client) cannot forge a line or move the
/// cursor. The formatter writes each event whole, in one call.
struct EscapingLog<W>(W);

impl<W: Write> Write for EscapingLog<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let (line, end) = match buf.strip_suffix(b"\n") {
            Some(line) => (line, &b"\n"[..]),
            None => (buf, &b""[..]),
        };
        if !line
            .iter()
            .any(|&b| crate::text::may_start_unsafe_to_print(b))
        {
            self.0.write_all(buf)?;
            return Ok(buf.len());
        }
        let text = crate::text::bytes_for_display(line);
        let mut out = crate::text::escape_for_terminal(&text)
            .into_owned()
            .into_bytes();
        out.extend_from_slice(end);
        self.0.write_all(&out)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Panic messages can quote the text being processed (string slicing
/// panics do), so only a message that is a literal of this program is
/// printed, with the location.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_else(|| "an unknown place".to_string());
        let what = info
            .payload()
            .downcast_ref::<&'static str>()
            .copied()
            .unwrap_or("message withheld, it may quote document text");
        let _ = writeln!(std::io::stderr(), "trueconf-lsp: panic at {at}: {what}");
    }));
}

/// Reads through to `inner` and calls `on_eof` once when it ends.
struct EofWatch<R> {
    inner: R,
    on_eof: Option<Box<dyn FnOnce() + Send>>,
}

impl<R: AsyncRead + Unpin> AsyncRead for EofWatch<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let wanted = buf.remaining() > 0;
        let result = Pin::new(&mut self.inner).poll_read(cx, buf);
        if let Poll::Ready(Ok(())) = result
            && wanted
            && buf.filled().len() == before
            && let Some(f) = self.on_eof.take()
        {
            f();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The log writer escapes what an event quotes, keeps the line break
    /// that ends it, and passes plain text through as it is.
    #[test]
    fn the_log_writer_escapes_all_but_the_closing_line_break() {
        let mut log = EscapingLog(Vec::new());
        log.write_all(b"WARN plain text \xd0\xb4\n").unwrap();
        log.write_all("WARN `a\u{1b}[31m\u{202e}\u{9b}\u{061c}\r\n::error::b`\n".as_bytes())
            .unwrap();
        log.write_all(b"no line break \x07").unwrap();
        assert_eq!(
            String::from_utf8(log.0).unwrap(),
            "WARN plain text \u{434}\n\
             WARN `a\\u{1b}[31m\\u{202e}\\u{9b}\\u{61c}\\u{d}\\u{a}::error::b`\n\
             no line break \\u{7}"
        );
    }
}
