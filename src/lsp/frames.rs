//! A filter between stdin and the framework's message reader.
//!
//! The framework reads messages with tokio-util's `FramedRead`, which ends
//! for good at the first message its codec cannot decode
//! (tokio-rs/tokio#3976): one malformed message (broken JSON, a bad
//! header, invalid UTF-8) and the server stops reading and exits. So every
//! frame is checked here first. A frame the framework would accept is
//! passed on unchanged (with a canonical header). Any other is replaced by
//! a small request for [`INVALID_MESSAGE`], which the ordered service
//! answers with the error JSON-RPC prescribes — ParseError, or
//! InvalidRequest for JSON that is no message — with a null id; then
//! reading goes on with the next frame.
//!
//! Headers are read more leniently than the framework does: names in any
//! case, with or without a space after the colon. A line that is no header
//! is skipped, and reading resumes at the next `Content-Length` after it
//! (so a frame after a stray line is read); a block with two
//! `Content-Length` headers that disagree, or one that is not a number, is
//! skipped whole, up to the next `Content-Length` after it.
//!
//! `didOpen`, `didChange` and `didClose` are read here into their typed
//! params and parked ([`Parked`]); the framework gets a small
//! [`DOCUMENT_NOTIFICATION`] in their place, at the same point of the
//! stream, which the ordered service applies from the parked params. The
//! framework would read each into a `serde_json::Value`, copy that once
//! more, and the service would convert it again: for a 10 MiB document
//! those passes and the page faults of their copies were most of the time
//! to open it (and each copy counted in the peak memory).
//!
//! A frame is never buffered past a cap ([`Frames::new`]: four times the
//! document size cap plus 1 MiB): a `Content-Length` over it is answered at
//! once with InvalidRequest ("message too large"), and its body is read and
//! dropped, never stored, up to the next `Content-Length` header (a JSON
//! body cannot hold one: no raw line break fits in a JSON string). So a
//! client that claims `Content-Length: 99999999999` and sends the next
//! message gets an error and then its answer, and memory stays bounded
//! however much is streamed.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use memchr::memmem;
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::io::{AsyncRead, ReadBuf};
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::ls_types as lsp;
use tracing::warn;

/// The method of the request that stands for a malformed message; its
/// params are `{"code": <JSON-RPC error code>}`.
pub const INVALID_MESSAGE: &str = "$/trueconf-lsp/invalidMessage";

/// The method of the notification that stands for a document notification
/// read here; its params are `{"n": <number>}`, the key of its params in
/// [`Parked`]. A client that sends it gets InvalidRequest.
pub const DOCUMENT_NOTIFICATION: &str = "$/trueconf-lsp/document";

/// A document notification read by [`Frames`].
#[derive(Debug)]
pub enum DocumentNote {
    Open(lsp::DidOpenTextDocumentParams),
    Change(lsp::DidChangeTextDocumentParams),
    /// `didChange` notifications that came one right after the other in
    /// the input and were read together (an editor's burst): applied as
    /// one, so that no lint sees a version between them.
    Changes(Vec<lsp::DidChangeTextDocumentParams>),
    Close(lsp::DidCloseTextDocumentParams),
}

/// At most this many `didChange` notifications are read into one
/// [`DocumentNote::Changes`].
const MAX_RUN: usize = 1024;

/// The document notifications read and not yet applied, by number.
pub type Parked = Arc<Mutex<HashMap<u64, DocumentNote>>>;

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;

/// A header block longer than this is garbage.
const MAX_HEADER: usize = 8 * 1024;

/// Bytes read from the input at a time.
const CHUNK: usize = 64 * 1024;

/// What the next bytes of the input are.
enum Next {
    /// A frame with a valid message: its body is `buf[body]`.
    Message { body: std::ops::Range<usize> },
    /// A document notification, read; the input up to `skip` is consumed.
    Document { note: DocumentNote, skip: usize },
    /// Something to answer with this error code; the input up to `skip` is
    /// consumed, and with `skipping`, all input after it up to the next
    /// `Content-Length`.
    Invalid {
        code: i64,
        skip: usize,
        skipping: bool,
        /// A frame over the cap: its claimed length.
        too_large: Option<u64>,
    },
    /// More input is needed.
    More,
}

pub struct Frames<R> {
    inner: R,
    /// Input not yet passed on starts at `buf[start]`.
    buf: Vec<u8>,
    start: usize,
    /// A header or a replacement frame, being passed on.
    out: Vec<u8>,
    out_at: usize,
    /// The body of the frame being passed on, after `out`.
    body: Option<std::ops::Range<usize>>,
    chunk: Box<[u8]>,
    eof: bool,
    /// The longest body buffered.
    max_frame: usize,
    /// Where document notifications are parked, and the next number.
    parked: Parked,
    next_note: u64,
    /// Dropping input up to the next `Content-Length`.
    skipping: bool,
}

/// The frame cap for a document size cap: four times the cap plus 1 MiB,
/// room for a document up to twice the cap whose line breaks and tabs JSON
/// escapes in two bytes each, and the rest of the message. A document over
/// the cap but within the frame cap still opens and gets its "document too
/// large" diagnostic (a 60 MB file under the default 16 MiB cap); only a
/// frame over this one is refused unread.
pub fn max_frame(max_document_bytes: usize) -> usize {
    max_document_bytes
        .saturating_mul(4)
        .saturating_add(1024 * 1024)
}

impl<R> Frames<R> {
    /// Filters `inner`; a frame whose body is longer than `max_frame` bytes
    /// is answered with an error and dropped unread.
    pub fn new(inner: R, max_frame: usize, parked: Parked) -> Self {
        Frames {
            max_frame,
            parked,
            next_note: 0,
            skipping: false,
            inner,
            buf: Vec::new(),
            start: 0,
            out: Vec::new(),
            out_at: 0,
            body: None,
            chunk: vec![0; CHUNK].into_boxed_slice(),
            eof: false,
        }
    }

    /// Looks at the input from `start`.
    fn next(&self) -> Next {
        self.next_at(self.start)
    }

    /// The `didChange` notifications whose frames follow, complete, from
    /// `at` on, and where the input after them starts. A frame is looked
    /// at only when its first bytes name the method: what does not (a
    /// `didOpen`, a request) is left to be read in its turn, not parsed
    /// twice.
    fn changes_at(&self, mut at: usize) -> (Vec<lsp::DidChangeTextDocumentParams>, usize) {
        let mut run = Vec::new();
        while run.len() < MAX_RUN {
            let input = &self.buf[at..];
            let head = &input[..input.len().min(MAX_HEADER + 256)];
            let Some(header_end) = memmem::find(head, b"\r\n\r\n") else {
                break;
            };
            let body = &head[header_end + 4..];
            if memmem::find(&body[..body.len().min(256)], b"\"textDocument/didChange\"").is_none() {
                break;
            }
            match self.next_at(at) {
                Next::Document {
                    note: DocumentNote::Change(p),
                    skip,
                } => {
                    run.push(p);
                    at = skip;
                }
                _ => break,
            }
        }
        (run, at)
    }

    /// Looks at the input from `at`.
    fn next_at(&self, at: usize) -> Next {
        let input = &self.buf[at..];
        if input.is_empty() {
            return Next::More;
        }
        let window = &input[..input.len().min(MAX_HEADER)];
        let Some(header_len) = memmem::find(window, b"\r\n\r\n") else {
            if window.len() < MAX_HEADER {
                return Next::More;
            }
            return self.garbage(1);
        };
        let body_start = header_len + 4;
        let length = match read_headers(&input[..header_len]) {
            Ok(length) | Err(BadHeaders::Charset(length)) if length > self.max_frame => {
                return Next::Invalid {
                    code: INVALID_REQUEST,
                    skip: at + body_start,
                    skipping: true,
                    too_large: Some(length as u64),
                };
            }
            Ok(length) => length,
            Err(BadHeaders::Charset(length)) => {
                // Readable, but not UTF-8: skip the body too.
                if input.len() - body_start < length {
                    return Next::More;
                }
                return Next::Invalid {
                    code: PARSE_ERROR,
                    skip: at + body_start + length,
                    skipping: false,
                    too_large: None,
                };
            }
            // Skipped up to where a frame may start: after a line that
            // is no header, or the whole block (a second `Content-Length`
            // in it is no new frame).
            Err(BadHeaders::Unreadable(resume)) => {
                return self.garbage(if resume >= header_len {
                    body_start
                } else {
                    resume
                });
            }
        };
        if input.len() - body_start < length {
            return Next::More;
        }
        let body = at + body_start..at + body_start + length;
        if let Some(note) = document_note(&self.buf[body.clone()]) {
            return Next::Document {
                note,
                skip: body.end,
            };
        }
        match check(&self.buf[body.clone()]) {
            Ok(()) => Next::Message { body },
            Err(code) => Next::Invalid {
                code,
                skip: body.end,
                skipping: false,
                too_large: None,
            },
        }
    }

    /// Garbage at `start`: skipped up to the next `Content-Length` at least
    /// `from` bytes on; when there is none yet, input goes on being dropped
    /// until one comes (one error for the whole run of garbage).
    fn garbage(&self, from: usize) -> Next {
        let (skip, found) = self.resync(from);
        Next::Invalid {
            code: PARSE_ERROR,
            skip,
            skipping: !found,
            too_large: None,
        }
    }

    /// Where reading resumes after garbage at `start`: the next
    /// `Content-Length` at least `from` bytes on (and `true`), or the end of
    /// the input but for a few bytes that may begin one.
    fn resync(&self, from: usize) -> (usize, bool) {
        let input = &self.buf[self.start..];
        let from = from.min(input.len());
        let next = [&b"Content-Length"[..], b"content-length"]
            .iter()
            .filter_map(|n| memmem::find(&input[from..], n))
            .min();
        match next {
            Some(at) => (self.start + from + at, true),
            None => (self.start + from.max(input.len().saturating_sub(16)), false),
        }
    }

    fn consume_to(&mut self, end: usize) {
        self.start = end;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
            // Keep no large buffer after a large message.
            if self.buf.capacity() > 4 * CHUNK {
                self.buf.shrink_to(CHUNK);
            }
        } else if self.start > 4 * CHUNK && self.body.is_none() {
            self.buf.drain(..self.start);
            self.start = 0;
        }
    }
}

/// Why a header block cannot be read.
#[derive(Debug, PartialEq, Eq)]
enum BadHeaders {
    /// The block names a charset other than UTF-8 for a body of this
    /// many bytes.
    Charset(usize),
    /// Reading resumes at this offset into the block (its length: after
    /// it), at the next `Content-Length` from there.
    Unreadable(usize),
}

/// The `Content-Length` of a header block (without its final `\r\n\r\n`).
///
/// A line that is no header (no `:`, or not UTF-8) is garbage before a
/// header, as a client that wrote a stray line to its output leaves: reading
/// resumes after it, so a `Content-Length` on a later line of the block
/// still starts a frame. A block whose `Content-Length` is not a number, or
/// that has two that disagree, is skipped whole: which frame is meant is
/// unknown.
fn read_headers(block: &[u8]) -> Result<usize, BadHeaders> {
    let mut length = None;
    let mut utf8 = true;
    let mut at = 0;
    for raw in block.split_inclusive(|&b| b == b'\n') {
        let line_end = at + raw.len();
        let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Some((name, value)) = std::str::from_utf8(raw)
            .ok()
            .and_then(|l| l.split_once(':'))
        else {
            return Err(BadHeaders::Unreadable(line_end));
        };
        at = line_end;
        let value = value.trim();
        if name.eq_ignore_ascii_case("Content-Length") {
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                return Err(BadHeaders::Unreadable(block.len()));
            }
            // Too many digits for a `usize`: over any cap.
            let n = value.parse::<usize>().unwrap_or(usize::MAX);
            // Two lengths that disagree: which one is meant is unknown.
            if length.is_some_and(|l| l != n) {
                return Err(BadHeaders::Unreadable(block.len()));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("Content-Type") {
            let charset = value
                .split(';')
                .skip(1)
                .filter_map(|p| p.trim().split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("charset"))
                .map(|(_, v)| v.trim().trim_matches('"').to_ascii_lowercase());
            if charset.is_some_and(|c| c != "utf-8" && c != "utf8") {
                utf8 = false;
            }
        }
    }
    let length = length.ok_or(BadHeaders::Unreadable(block.len()))?;
    if utf8 {
        Ok(length)
    } else {
        Err(BadHeaders::Charset(length))
    }
}

/// A `didOpen`, `didChange` or `didClose` notification with valid params,
/// read from `body`; `None` for anything else, which then goes the
/// framework's way (a message with more members, with an `id`, or whose
/// params do not read is judged, and answered or ignored, as before).
fn document_note(body: &[u8]) -> Option<DocumentNote> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Note<'a> {
        jsonrpc: &'a str,
        method: &'a str,
        #[serde(borrow)]
        params: &'a RawValue,
    }
    let text = std::str::from_utf8(body).ok()?;
    let note: Note<'_> = serde_json::from_str(text).ok()?;
    if note.jsonrpc != "2.0" {
        return None;
    }
    let params = note.params.get();
    match note.method {
        "textDocument/didOpen" => serde_json::from_str(params).ok().map(DocumentNote::Open),
        "textDocument/didChange" => serde_json::from_str(params).ok().map(DocumentNote::Change),
        "textDocument/didClose" => serde_json::from_str(params).ok().map(DocumentNote::Close),
        _ => None,
    }
}

/// Would the framework decode this body? `Err` holds the error code it
/// would answer with.
fn check(body: &[u8]) -> Result<(), i64> {
    let text = std::str::from_utf8(body).map_err(|_| PARSE_ERROR)?;
    // The framework decodes a message as a response, else as a request.
    match serde_json::from_str::<Request>(text) {
        // Only this reader sends these.
        Ok(r) if r.method() == DOCUMENT_NOTIFICATION => Err(INVALID_REQUEST),
        Ok(_) => Ok(()),
        Err(e) if e.is_data() => match serde_json::from_str::<Response>(text) {
            Ok(_) => Ok(()),
            Err(_) => Err(INVALID_REQUEST),
        },
        Err(_) => Err(PARSE_ERROR),
    }
}

fn replacement(code: i64, message: Option<&str>) -> Vec<u8> {
    let message = message.map_or(String::new(), |m| {
        format!(r#","message":{}"#, serde_json::Value::from(m))
    });
    let body = format!(
        r#"{{"jsonrpc":"2.0","id":null,"method":"{INVALID_MESSAGE}","params":{{"code":{code}{message}}}}}"#
    );
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

impl<R: AsyncRead + Unpin> AsyncRead for Frames<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        dst: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        loop {
            if dst.remaining() == 0 {
                return Poll::Ready(Ok(()));
            }
            if this.out_at < this.out.len() {
                let n = dst.remaining().min(this.out.len() - this.out_at);
                dst.put_slice(&this.out[this.out_at..this.out_at + n]);
                this.out_at += n;
                return Poll::Ready(Ok(()));
            }
            if let Some(body) = this.body.clone() {
                let n = dst.remaining().min(body.len());
                dst.put_slice(&this.buf[body.start..body.start + n]);
                if n == body.len() {
                    this.body = None;
                    this.consume_to(body.end);
                } else {
                    this.body = Some(body.start + n..body.end);
                }
                return Poll::Ready(Ok(()));
            }
            if this.skipping {
                let (skip, found) = this.resync(0);
                this.consume_to(skip);
                this.skipping = !found;
            }
            let next = if this.skipping {
                Next::More
            } else {
                this.next()
            };
            match next {
                Next::Message { body } => {
                    this.out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
                    this.out_at = 0;
                    this.start = body.start;
                    if body.is_empty() {
                        this.consume_to(body.end);
                    } else {
                        this.body = Some(body);
                    }
                    continue;
                }
                Next::Document { mut note, mut skip } => {
                    if let DocumentNote::Change(first) = note {
                        let (mut run, end) = this.changes_at(skip);
                        note = if run.is_empty() {
                            DocumentNote::Change(first)
                        } else {
                            run.insert(0, first);
                            skip = end;
                            DocumentNote::Changes(run)
                        };
                    }
                    let n = this.next_note;
                    this.next_note += 1;
                    this.parked
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .insert(n, note);
                    let body = format!(
                        r#"{{"jsonrpc":"2.0","method":"{DOCUMENT_NOTIFICATION}","params":{{"n":{n}}}}}"#
                    );
                    this.out = format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes();
                    this.out_at = 0;
                    this.consume_to(skip);
                    continue;
                }
                Next::Invalid {
                    code,
                    skip,
                    skipping,
                    too_large,
                } => {
                    let message = too_large.map(|n| {
                        format!(
                            "message too large: Content-Length {n} is over the cap of {} bytes; \
                             its body is dropped up to the next Content-Length header",
                            this.max_frame
                        )
                    });
                    match &message {
                        Some(m) => warn!("{m}"),
                        // Where, not what: the bytes may be document text.
                        None => warn!(
                            "malformed message ({} bytes) answered with error {code}",
                            skip - this.start
                        ),
                    }
                    this.out = replacement(code, message.as_deref());
                    this.out_at = 0;
                    this.consume_to(skip);
                    this.skipping = skipping;
                    continue;
                }
                Next::More => {}
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            let mut chunk = ReadBuf::new(&mut this.chunk);
            match Pin::new(&mut this.inner).poll_read(cx, &mut chunk) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(())) => {
                    let read = chunk.filled();
                    if read.is_empty() {
                        this.eof = true;
                    } else {
                        this.buf.extend_from_slice(read);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    fn frame(body: &str) -> String {
        format!("Content-Length: {}\r\n\r\n{body}", body.len())
    }

    /// The frame a parked document notification is replaced by.
    fn stand_in(n: u64) -> String {
        frame(&format!(
            r#"{{"jsonrpc":"2.0","method":"{DOCUMENT_NOTIFICATION}","params":{{"n":{n}}}}}"#
        ))
    }

    /// What the reader passes on for `input`, and what it parked.
    async fn parked_after(input: &str) -> (String, HashMap<u64, DocumentNote>) {
        let parked = Parked::default();
        let mut out = Vec::new();
        Frames::new(input.as_bytes(), max_frame(1 << 20), parked.clone())
            .read_to_end(&mut out)
            .await
            .unwrap();
        let notes = std::mem::take(&mut *parked.lock().unwrap());
        (String::from_utf8(out).unwrap(), notes)
    }

    async fn filtered(input: &[u8]) -> String {
        let mut out = Vec::new();
        Frames::new(input, max_frame(16 * 1024 * 1024), Parked::default())
            .read_to_end(&mut out)
            .await
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[tokio::test]
    async fn valid_messages_pass_and_invalid_ones_are_replaced() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":"é"}}"#;
        let response = r#"{"jsonrpc":"2.0","id":1,"result":null}"#;
        let mut input = Vec::new();
        input.extend(frame(ok).bytes());
        input.extend(frame("{not json").bytes());
        input.extend(frame("[1]").bytes());
        input.extend(b"Content-Length: 3\r\n\r\n\xff\xfe\xfd");
        input.extend(b"garbage\r\n\r\n");
        input.extend(
            b"content-length:2\r\ncontent-type: application/json; charset=latin1\r\n\r\n{}",
        );
        input.extend(frame(response).bytes());
        input.extend(b"Content-Length: lots\r\n\r\n{}");
        input.extend(frame(ok).bytes());
        // Cut off in the middle: dropped at the end of the input.
        input.extend(b"Content-Length: 99\r\n\r\n{");
        let parse = replacement(PARSE_ERROR, None);
        let invalid = replacement(INVALID_REQUEST, None);
        let parse = String::from_utf8(parse).unwrap();
        let invalid = String::from_utf8(invalid).unwrap();
        let want = [
            frame(ok),
            parse.clone(),
            invalid,
            parse.clone(),
            parse.clone(),
            parse.clone(),
            frame(response),
            parse,
            frame(ok),
        ]
        .concat();
        assert_eq!(filtered(&input).await, want);
    }

    /// Stray lines before a header (a client's debug output, a shell's
    /// message) cost one error, not the frame after them; a block with
    /// two lengths that disagree is dropped whole.
    #[tokio::test]
    async fn a_frame_after_stray_lines_is_read() {
        let ok = r#"{"jsonrpc":"2.0","id":1,"method":"x"}"#;
        let parse = String::from_utf8(replacement(PARSE_ERROR, None)).unwrap();
        for stray in [
            &b"garbage\r\n"[..],
            b"two\r\nlines\r\n",
            b"\xff\xfe\r\n",
            b"no colon\n",
        ] {
            let mut input = stray.to_vec();
            input.extend(frame(ok).bytes());
            input.extend(frame(ok).bytes());
            let want = [parse.clone(), frame(ok), frame(ok)].concat();
            assert_eq!(filtered(&input).await, want, "{stray:?}");
        }
        let mut input = b"Content-Length: 5\r\n".to_vec();
        input.extend(frame(ok).bytes());
        input.extend(frame(ok).bytes());
        assert_eq!(filtered(&input).await, [parse, frame(ok)].concat());
    }

    #[tokio::test]
    async fn garbage_without_a_header_end_is_skipped() {
        let ok = r#"{"jsonrpc":"2.0","method":"x"}"#;
        let mut input = vec![b'x'; 3 * MAX_HEADER];
        input.extend(frame(ok).bytes());
        let out = filtered(&input).await;
        assert!(out.ends_with(&frame(ok)), "{out}");
        assert!(out.starts_with("Content-Length"));
        assert_eq!(out.matches(INVALID_MESSAGE).count(), 1);
    }

    #[tokio::test]
    async fn a_large_body_arrives_whole() {
        let text = "y".repeat(3 * CHUNK + 17);
        let ok = format!(r#"{{"jsonrpc":"2.0","method":"x","params":"{text}"}}"#);
        let input = [frame(&ok), frame(&ok)].concat();
        assert_eq!(filtered(input.as_bytes()).await, input);
    }

    /// Document notifications are parked, in order, and stand in the
    /// stream as numbered notifications; one with an `id`, another member,
    /// or params that do not read goes the framework's way; a client's own
    /// [`DOCUMENT_NOTIFICATION`] is refused.
    #[tokio::test]
    async fn document_notifications_are_parked_in_order() {
        let open = r#"{"method":"textDocument/didOpen","jsonrpc":"2.0","params":{"textDocument":{"uri":"file:///a.md","languageId":"markdown","version":1,"text":"trueconf:\u0062ob\n"}}}"#;
        let change = r#"{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///a.md","version":2},"contentChanges":[{"text":"x"}]}}"#;
        let close = r#"{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///a.md"}}}"#;
        let with_id = r#"{"jsonrpc":"2.0","id":3,"method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///a.md"}}}"#;
        let extra = r#"{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///a.md"}},"x":1}"#;
        let bad_params = r#"{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"uri":1}}"#;
        let forged =
            format!(r#"{{"jsonrpc":"2.0","method":"{DOCUMENT_NOTIFICATION}","params":{{"n":0}}}}"#);
        let input = [
            frame(open),
            frame(change),
            frame(with_id),
            frame(extra),
            frame(bad_params),
            frame(&forged),
            frame(close),
        ]
        .concat();
        let (out, mut parked) = parked_after(&input).await;
        let want = [
            stand_in(0),
            stand_in(1),
            frame(with_id),
            frame(extra),
            frame(bad_params),
            String::from_utf8(replacement(INVALID_REQUEST, None)).unwrap(),
            stand_in(2),
        ]
        .concat();
        assert_eq!(out, want);
        match parked.remove(&0) {
            Some(DocumentNote::Open(p)) => assert_eq!(p.text_document.text, "trueconf:bob\n"),
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(parked.remove(&1), Some(DocumentNote::Change(p)) if p.text_document.version == 2)
        );
        assert!(matches!(parked.remove(&2), Some(DocumentNote::Close(_))));
        assert!(parked.is_empty());
    }

    /// `didChange` frames that follow one another in the input are parked
    /// as one run, in order; a run ends at any other message (a request
    /// read between two edits sees the version before the second), and
    /// before a frame whose first bytes do not name the method (which then
    /// starts a run of its own).
    #[tokio::test]
    async fn runs_of_changes_are_parked_as_one() {
        let change = |v: u32| {
            format!(
                r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"file:///a.md","version":{v}}},"contentChanges":[{{"range":{{"start":{{"line":0,"character":0}},"end":{{"line":0,"character":0}}}},"text":"x"}}]}}}}"#
            )
        };
        let late_method = format!(
            r#"{{"jsonrpc":"2.0","params":{{"textDocument":{{"uri":"file:///a.md","version":10}},"contentChanges":[{{"text":"{}"}}]}},"method":"textDocument/didChange"}}"#,
            "y".repeat(300)
        );
        let hover = r#"{"jsonrpc":"2.0","id":1,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.md"},"position":{"line":0,"character":0}}}"#;
        let open = r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":"file:///b.md","languageId":"markdown","version":1,"text":""}}}"#;
        let input = [
            frame(&change(2)),
            frame(&change(3)),
            frame(&change(4)),
            frame(hover),
            frame(&change(5)),
            frame(&change(6)),
            frame(open),
            frame(&change(7)),
            frame(&late_method),
            frame(&change(11)),
        ]
        .concat();
        let (out, mut parked) = parked_after(&input).await;
        let want = [
            stand_in(0),
            frame(hover),
            stand_in(1),
            stand_in(2),
            stand_in(3),
            stand_in(4),
        ]
        .concat();
        assert_eq!(out, want);
        let versions = |note: Option<DocumentNote>| match note {
            Some(DocumentNote::Changes(ps)) => ps.iter().map(|p| p.text_document.version).collect(),
            Some(DocumentNote::Change(p)) => vec![p.text_document.version],
            other => panic!("{other:?}"),
        };
        assert_eq!(versions(parked.remove(&0)), [2, 3, 4]);
        assert_eq!(versions(parked.remove(&1)), [5, 6]);
        assert!(matches!(parked.remove(&2), Some(DocumentNote::Open(_))));
        assert_eq!(versions(parked.remove(&3)), [7]);
        assert_eq!(versions(parked.remove(&4)), [10, 11]);
        assert!(parked.is_empty());
    }
}
