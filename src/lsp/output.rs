//! The server's output: the framework's messages, and the diagnostics the
//! publisher writes itself, merged frame by frame.
//!
//! The framework turns every message it sends into a `serde_json::Value`
//! first (a map per object, a string per key), then writes that: for the
//! diagnostics of a big document, published after every keystroke, that
//! was the larger part of an edit's cost (`perf` on `lsp-latency.py` with a
//! 10 MiB document: 43% of the server's time, most of it allocating and
//! freeing those maps). So the publisher serializes
//! `textDocument/publishDiagnostics` straight to bytes ([`notification`])
//! and hands the frame to [`merge`], which passes the framework's stream
//! through as it comes and writes a frame of ours only between two of the
//! framework's, never inside one.

use std::pin::pin;

use serde::Serialize;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tracing::error;

/// A header block longer than this is not one the framework wrote.
const MAX_HEADER: usize = 1024;

/// One JSON-RPC notification, framed as LSP prescribes.
pub fn notification<P: Serialize>(method: &str, params: &P) -> Vec<u8> {
    #[derive(Serialize)]
    struct Notification<'a, P> {
        jsonrpc: &'static str,
        method: &'a str,
        params: &'a P,
    }
    let body = serde_json::to_vec(&Notification {
        jsonrpc: "2.0",
        method,
        params,
    })
    .expect("LSP values always serialize");
    let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    frame.extend_from_slice(&body);
    frame
}

/// One JSON-RPC response to the request `id`, whose `result` is already
/// serialized, framed as LSP prescribes.
pub fn response(id: &tower_lsp_server::jsonrpc::Id, result: &[u8]) -> Vec<u8> {
    let id = serde_json::to_vec(id).expect("an id always serializes");
    let len = r#"{"jsonrpc":"2.0","result":,"id":}"#.len() + result.len() + id.len();
    let mut frame = format!("Content-Length: {len}\r\n\r\n").into_bytes();
    frame.reserve(len);
    frame.extend_from_slice(br#"{"jsonrpc":"2.0","result":"#);
    frame.extend_from_slice(result);
    frame.extend_from_slice(br#","id":"#);
    frame.extend_from_slice(&id);
    frame.push(b'}');
    frame
}

/// Where a request's handler leaves its result already serialized, for the
/// service to send as the response instead of the framework's (see
/// [`answer_directly`]).
pub type Direct = std::sync::Arc<std::sync::Mutex<Option<Vec<u8>>>>;

tokio::task_local! {
    /// The slot of the request being answered, when its result may be sent
    /// as bytes: `textDocument/diagnostic` and `workspace/diagnostic`, whose
    /// full reports are the kind of message the framework's `Value` maps
    /// make slow, as they did the published diagnostics.
    pub static DIRECT: Direct;
}

/// Serializes `result` into the [`DIRECT`] slot of the request being
/// answered. Returns `false` where there is no slot: the handler then
/// answers through the framework as usual.
pub fn answer_directly<R: Serialize>(result: &R) -> bool {
    DIRECT
        .try_with(|slot| {
            let bytes = serde_json::to_vec(result).expect("LSP values always serialize");
            *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(bytes);
        })
        .is_ok()
}

/// A full document diagnostic report as LSP writes it (what
/// `DocumentDiagnosticReport::Full` serializes to), on borrowed
/// diagnostics.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FullReport<'a> {
    pub kind: &'static str,
    pub result_id: &'a str,
    pub items: super::convert::AsArray<'a>,
}

/// Where the framework's stream is: in a frame's header, in its body, or
/// between two frames.
#[derive(Debug, Default)]
struct Boundary {
    /// Bytes of the current frame's body still to come.
    body_left: usize,
    /// The current frame's header so far.
    header: Vec<u8>,
    /// A header could not be read: frames are no longer told apart.
    lost: bool,
}

impl Boundary {
    fn at_boundary(&self) -> bool {
        !self.lost && self.body_left == 0 && self.header.is_empty()
    }

    /// Follows `bytes` of the stream.
    fn feed(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && !self.lost {
            if self.body_left > 0 {
                let n = self.body_left.min(bytes.len());
                self.body_left -= n;
                bytes = &bytes[n..];
                continue;
            }
            self.header.push(bytes[0]);
            bytes = &bytes[1..];
            if self.header.ends_with(b"\r\n\r\n") {
                match content_length(&self.header) {
                    Some(n) => self.body_left = n,
                    None => self.lose(),
                }
                self.header.clear();
            } else if self.header.len() > MAX_HEADER {
                self.lose();
            }
        }
    }

    fn lose(&mut self) {
        error!("cannot follow the framework's output; diagnostics are no longer published");
        self.lost = true;
    }
}

/// The `Content-Length` of a header block.
fn content_length(header: &[u8]) -> Option<usize> {
    let header = std::str::from_utf8(header).ok()?;
    header.split("\r\n").find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })
}

/// Writes to `output` what the framework writes to `framework` (the other
/// end of its output), as it comes, and the frames received on `ours`,
/// each between two of the framework's frames. Returns when the framework's
/// output ends (after `exit`, or when the input ended), after writing the
/// frames of ours already queued, or when `output` fails.
pub async fn merge<R, O>(mut framework: R, mut ours: mpsc::Receiver<Vec<u8>>, output: O)
where
    R: AsyncRead + Unpin,
    O: AsyncWrite,
{
    let mut output = pin!(output);
    let mut boundary = Boundary::default();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut ours_open = true;
    loop {
        let written = tokio::select! {
            biased;
            read = framework.read(&mut chunk) => {
                let n = match read {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                boundary.feed(&chunk[..n]);
                output.write_all(&chunk[..n]).await
            }
            frame = ours.recv(), if ours_open && boundary.at_boundary() => match frame {
                Some(frame) => output.write_all(&frame).await,
                None => {
                    ours_open = false;
                    continue;
                }
            },
        };
        if written.is_err() || output.flush().await.is_err() {
            return;
        }
    }
    if boundary.at_boundary() {
        while let Ok(frame) = ours.try_recv() {
            if output.write_all(&frame).await.is_err() {
                return;
            }
        }
    }
    let _ = output.flush().await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    /// The frames of a stream, each checked whole.
    fn frames(mut out: &[u8]) -> Vec<String> {
        let mut all = Vec::new();
        while !out.is_empty() {
            let end = out.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
            let n = content_length(&out[..end]).unwrap();
            all.push(String::from_utf8(out[end..end + n].to_vec()).unwrap());
            out = &out[end + n..];
        }
        all
    }

    #[test]
    fn follows_frames_fed_in_any_pieces() {
        let parts = [
            frame("{\"a\":1}"),
            frame(""),
            frame("{\"b\":\"\\r\\n\\r\\n\"}"),
        ];
        let ends: Vec<usize> = parts
            .iter()
            .scan(0, |at, f| {
                *at += f.len();
                Some(*at)
            })
            .collect();
        let stream = parts.concat();
        for piece in 1..stream.len() {
            let mut b = Boundary::default();
            let mut boundaries = Vec::new();
            let mut at = 0;
            for chunk in stream.chunks(piece) {
                b.feed(chunk);
                at += chunk.len();
                if b.at_boundary() {
                    boundaries.push(at);
                }
            }
            let want: Vec<usize> = ends
                .iter()
                .copied()
                .filter(|&x| x % piece == 0 || x == stream.len())
                .collect();
            assert_eq!(boundaries, want, "pieces of {piece}");
        }
        let mut b = Boundary::default();
        b.feed(b"Content-Type: x\r\n\r\n");
        assert!(!b.at_boundary());
    }

    /// Frames of ours are written between the framework's, never inside
    /// one, even when a frame of the framework's stalls half written; and
    /// those queued when the framework ends are written too.
    #[tokio::test]
    async fn ours_go_between_the_frameworks_frames() {
        let (mut fw, fw_read) = tokio::io::duplex(1 << 16);
        let (out_write, mut out_read) = tokio::io::duplex(1 << 20);
        let (tx, rx) = mpsc::channel(4);
        let task = tokio::spawn(merge(fw_read, rx, out_write));
        let big = format!("{{\"x\":\"{}\"}}", "y".repeat(100_000));
        let first = frame(&big);
        fw.write_all(&first[..50_000]).await.unwrap();
        tx.send(notification("ours/one", &1)).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        fw.write_all(&first[50_000..]).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        fw.write_all(&frame("{\"z\":2}")).await.unwrap();
        tx.send(notification("ours/two", &[2, 3])).await.unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        tx.send(notification("ours/three", &"x")).await.unwrap();
        drop(fw);
        task.await.unwrap();
        let mut out = Vec::new();
        out_read.read_to_end(&mut out).await.unwrap();
        let got = frames(&out);
        assert_eq!(got.len(), 5);
        assert_eq!(got[0], big);
        assert_eq!(
            got[1],
            r#"{"jsonrpc":"2.0","method":"ours/one","params":1}"#
        );
        let rest: std::collections::BTreeSet<_> = got[2..].iter().cloned().collect();
        assert!(rest.contains("{\"z\":2}"));
        assert!(rest.contains(r#"{"jsonrpc":"2.0","method":"ours/two","params":[2,3]}"#));
        assert!(rest.contains(r#"{"jsonrpc":"2.0","method":"ours/three","params":"x"}"#));
    }

    /// A pull's full report framed here reads as the framework's response
    /// with the typed report: same members, same values, for numeric and
    /// string ids.
    #[test]
    fn a_direct_response_reads_as_the_frameworks() {
        use tower_lsp_server::jsonrpc::{Id, Response};
        use tower_lsp_server::ls_types as lsp;
        let mut d = lsp::Diagnostic::new_simple(
            lsp::Range::new(lsp::Position::new(3, 7), lsp::Position::new(3, 40)),
            "password sent without encrypt=1 \"quoted\" \u{1F600}".to_string(),
        );
        d.code = Some(lsp::NumberOrString::String("TC002".into()));
        d.severity = Some(lsp::DiagnosticSeverity::WARNING);
        d.source = Some("trueconf-lsp".into());
        d.data = Some(serde_json::json!({"fixes": [{"title": "add encrypt=1"}]}));
        let items = vec![d.clone(), d];
        let shown: Vec<_> = items
            .iter()
            .cloned()
            .map(crate::lsp::convert::Shown::new)
            .collect();
        let ours = serde_json::to_vec(&FullReport {
            kind: "full",
            result_id: "7:3",
            items: crate::lsp::convert::AsArray(&shown),
        })
        .unwrap();
        let typed = lsp::DocumentDiagnosticReportResult::Report(
            lsp::DocumentDiagnosticReport::Full(lsp::RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                    result_id: Some("7:3".into()),
                    items,
                },
            }),
        );
        for id in [Id::Number(12), Id::String("a\"b".into())] {
            let frame = response(&id, &ours);
            let body = &frame[frame.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
            assert_eq!(
                content_length(&frame[..frame.len() - body.len()]),
                Some(body.len())
            );
            let theirs = Response::from_ok(id, serde_json::to_value(&typed).unwrap());
            assert_eq!(
                serde_json::from_slice::<serde_json::Value>(body).unwrap(),
                serde_json::to_value(&theirs).unwrap()
            );
        }
    }
}
