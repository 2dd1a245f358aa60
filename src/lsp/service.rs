//! A tower layer around `LspService` that gives the guarantees the framework
//! does not:
//!
//! - `didOpen`, `didChange` and `didClose` are applied to the document store
//!   inside `call`, which the transport invokes synchronously in wire order,
//!   so they can never be reordered by concurrently running handlers;
//! - every request that names a document gets a snapshot of it taken at
//!   `call` time (through a task-local), so it is answered on exactly the
//!   text the client had when it sent the request;
//! - a panic in a handler becomes an `InternalError` response (requests) or
//!   a log line (notifications), never a dead process;
//! - a malformed message (replaced by `frames`) gets its JSON-RPC error;
//! - `shutdown` and `exit` are recorded, so the process can exit 0 or 1.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};

use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::ExitedError;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};
use tower_service::Service;
use tracing::{error, warn};

use super::document::Snapshot;
use super::frames::{DOCUMENT_NOTIFICATION, DocumentNote, INVALID_MESSAGE};
use super::output::{self, DIRECT, Direct};
use super::state::Shared;

tokio::task_local! {
    /// The snapshot of the document a request names, taken when the request
    /// arrived.
    pub static CALL_SNAPSHOT: Option<Snapshot>;
}

/// The wrapper service.
pub struct Ordered<S> {
    inner: S,
    shared: Arc<Shared>,
    on_exit: Option<fn(i32)>,
    /// Where responses serialized by their handler are sent (see
    /// [`output::DIRECT`]).
    frames: mpsc::Sender<Vec<u8>>,
}

impl<S> Ordered<S> {
    /// Wraps `inner`. `on_exit` is called with the exit code when `exit`
    /// arrives (the stdio server uses it to make sure the process ends).
    /// Responses a handler serialized itself go to `frames`.
    pub fn new(
        inner: S,
        shared: Arc<Shared>,
        on_exit: Option<fn(i32)>,
        frames: mpsc::Sender<Vec<u8>>,
    ) -> Self {
        Ordered {
            inner,
            shared,
            on_exit,
            frames,
        }
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// Polls a future, turning a panic into `Err(())`.
struct CatchUnwind<F>(Pin<Box<F>>);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = Result<F::Output, ()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.0.as_mut();
        match catch_unwind(AssertUnwindSafe(move || inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(_) => Poll::Ready(Err(())),
        }
    }
}

fn parse<T: DeserializeOwned>(method: &str, params: Option<Value>) -> Option<T> {
    match serde_json::from_value(params.unwrap_or(Value::Null)) {
        Ok(p) => Some(p),
        Err(e) => {
            // The serde message may quote the document text: log only
            // where the problem is.
            warn!(
                "{method}: invalid params ({:?} error at line {} column {}); ignored",
                e.classify(),
                e.line(),
                e.column()
            );
            None
        }
    }
}

/// Applies a document notification to the store, unless the server does
/// not take them now (before `initialize` was answered, after `shutdown`).
fn apply(shared: &Arc<Shared>, note: DocumentNote) {
    let lifecycle = &shared.lifecycle;
    let method = match &note {
        DocumentNote::Open(_) => "textDocument/didOpen",
        DocumentNote::Change(_) | DocumentNote::Changes(_) => "textDocument/didChange",
        DocumentNote::Close(_) => "textDocument/didClose",
    };
    if !lifecycle.initialized.load(Ordering::SeqCst) || lifecycle.shutdown.load(Ordering::SeqCst) {
        warn!("{method} before initialize or after shutdown; ignored");
        return;
    }
    let applied = catch_unwind(AssertUnwindSafe(|| match note {
        DocumentNote::Open(p) => shared.did_open(p),
        DocumentNote::Change(p) => shared.did_change(vec![p]),
        DocumentNote::Changes(ps) => shared.did_change(ps),
        DocumentNote::Close(p) => shared.did_close(p),
    }));
    if applied.is_err() {
        error!("{method}: handler panicked; notification dropped");
    }
}

/// The document a request names: `textDocument.uri` of its params (or
/// `uri`, as the test hooks have it); for `codeAction/resolve`, the `uri`
/// of the action's `data` (see [`super::actions::Pending`]).
fn document_uri(req: &Request) -> Option<&str> {
    let params = req.params()?;
    if req.method() == "codeAction/resolve" {
        return params.get("data")?.get("uri")?.as_str();
    }
    params
        .get("textDocument")
        .and_then(|t| t.get("uri"))
        .or_else(|| params.get("uri"))?
        .as_str()
}

impl<S> Service<Request> for Ordered<S>
where
    S: Service<Request, Response = Option<Response>, Error = ExitedError>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = ExitedError;
    type Future = BoxFuture<Result<Option<Response>, ExitedError>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let lifecycle = &self.shared.lifecycle;
        match req.method() {
            INVALID_MESSAGE => {
                // A frame the reader could not decode (see `frames`).
                let code = req
                    .params()
                    .and_then(|p| p.get("code"))
                    .and_then(Value::as_i64)
                    .unwrap_or(-32700);
                let mut error = Error::new(ErrorCode::from(code));
                if let Some(m) = req
                    .params()
                    .and_then(|p| p.get("message"))
                    .and_then(Value::as_str)
                {
                    error.message = m.to_string().into();
                }
                return Box::pin(std::future::ready(Ok(Some(Response::from_error(
                    Id::Null,
                    error,
                )))));
            }
            "textDocument/didOpen"
            | "textDocument/didChange"
            | "textDocument/didClose"
            | "shutdown"
                if req.id().is_some() != (req.method() == "shutdown") =>
            {
                // A notification sent as a request, or `shutdown` sent as a
                // notification: the framework would answer the first with
                // an error but apply the second. Neither is applied.
                warn!("{}: wrong kind of message; ignored", req.method());
                let response = req
                    .id()
                    .cloned()
                    .map(|id| Response::from_error(id, Error::invalid_request()));
                return Box::pin(std::future::ready(Ok(response)));
            }
            "textDocument/didOpen"
            | "textDocument/didChange"
            | "textDocument/didClose"
            | DOCUMENT_NOTIFICATION => {
                let (method, _, params) = req.into_parts();
                let note = match &*method {
                    // Read by `frames`, parked under this number.
                    DOCUMENT_NOTIFICATION => params
                        .as_ref()
                        .and_then(|p| p.get("n"))
                        .and_then(Value::as_u64)
                        .and_then(|n| super::state::lock(&self.shared.parked).remove(&n)),
                    "textDocument/didOpen" => parse(&method, params).map(DocumentNote::Open),
                    "textDocument/didChange" => parse(&method, params).map(DocumentNote::Change),
                    _ => parse(&method, params).map(DocumentNote::Close),
                };
                if let Some(note) = note {
                    apply(&self.shared, note);
                }
                return Box::pin(std::future::ready(Ok(None)));
            }
            "shutdown" if lifecycle.initialized.load(Ordering::SeqCst) => {
                lifecycle.shutdown.store(true, Ordering::SeqCst);
            }
            "exit" => {
                lifecycle.exited.store(true, Ordering::SeqCst);
                if let Some(f) = self.on_exit {
                    f(lifecycle.exit_code());
                }
            }
            _ => {}
        }
        let id = req.id().cloned();
        let method = req.method().to_string();
        let snapshot = if id.is_some() {
            document_uri(&req).and_then(|uri| self.shared.snapshot(uri))
        } else {
            None
        };
        let fut = match catch_unwind(AssertUnwindSafe(|| self.inner.call(req))) {
            Ok(fut) => fut,
            Err(_) => {
                error!("{method}: dispatch panicked");
                return Box::pin(std::future::ready(Ok(
                    id.map(|id| Response::from_error(id, Error::internal_error()))
                )));
            }
        };
        // A pull of diagnostics may be answered with bytes its handler
        // serialized (see `output::DIRECT`), sent to `frames`.
        let direct = (id.is_some()
            && matches!(&*method, "textDocument/diagnostic" | "workspace/diagnostic"))
        .then(|| (Direct::default(), self.frames.clone()));
        let fut: BoxFuture<_> = match &direct {
            Some((slot, _)) => Box::pin(DIRECT.scope(slot.clone(), fut)),
            None => Box::pin(fut),
        };
        let guarded = CatchUnwind(Box::pin(CALL_SNAPSHOT.scope(snapshot, fut)));
        let shared = self.shared.clone();
        Box::pin(async move {
            shared.test_delay().await;
            let result = guarded.await;
            let direct = direct.and_then(|(slot, frames)| {
                let bytes = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                Some((bytes?, frames))
            });
            if let (Some((bytes, frames)), Ok(Ok(Some(response))), Some(id)) =
                (direct, &result, &id)
                && response.is_ok()
            {
                // Sent in place of the framework's response, which held a
                // stand-in.
                let _ = frames.send(output::response(id, &bytes)).await;
                return Ok(None);
            }
            match result {
                // Every request is answered: the framework sends nothing
                // for requests of `$/` methods it does not know, where LSP
                // asks for MethodNotFound.
                Ok(Ok(None)) if id.is_some() => {
                    Ok(id.map(|id| Response::from_error(id, Error::method_not_found())))
                }
                Ok(result) => {
                    if method == "initialize"
                        && let Ok(Some(response)) = &result
                        && response.is_ok()
                    {
                        shared.lifecycle.initialized.store(true, Ordering::SeqCst);
                    }
                    result
                }
                Err(()) => {
                    error!("{method}: handler panicked");
                    Ok(id.map(|id| Response::from_error(id, Error::internal_error())))
                }
            }
        })
    }
}
