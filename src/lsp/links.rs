//! Document links (every link, openable) and inlay hints (what each link
//! does, at its end).

use std::str::FromStr;

use tower_lsp_server::ls_types as lsp;

use super::document::Linted;
use crate::describe::{SHOWN_CHARS, clip, describe};
use crate::uri::Link;

/// `link` as a URI a client accepts: characters RFC 3986 does not allow
/// (backslashes, spaces, non-ASCII, a second `#`, a `%` that starts no
/// escape) are percent-encoded; everything else is kept as written.
pub fn target_uri(link: &str) -> Option<lsp::Uri> {
    let bytes = link.as_bytes();
    let mut out = String::with_capacity(link.len() + 8);
    let mut seen_hash = false;
    for (i, &b) in bytes.iter().enumerate() {
        let keep = match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => true,
            b'-' | b'.' | b'_' | b'~' | b':' | b'/' | b'?' | b'@' | b'!' | b'$' | b'&' | b'\''
            | b'(' | b')' | b'*' | b'+' | b',' | b';' | b'=' => true,
            b'#' if !seen_hash => {
                seen_hash = true;
                true
            }
            b'%' => {
                bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
            }
            _ => false,
        };
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    lsp::Uri::from_str(&out).ok()
}

/// The most links (or hints) one answer lists: the first ones. A document
/// with more is an attack or generated, and listing them all would make
/// answers of hundreds of megabytes.
pub const MAX_LINKS: usize = 10_000;

/// The longest redacted link a tooltip quotes, in characters.
const TOOLTIP_LINK_CHARS: usize = 200;

/// The document's links, up to [`MAX_LINKS`]. A link that holds a
/// password (or any other secret the core finds: the password of a
/// `user:password@` in an RTSP address, a server or a value) gets no target at all, not even on
/// `documentLink/resolve`: a target is sent to the client, and the
/// password must never be. Its tooltip says why and shows the link with
/// the password as `***`.
pub fn document_links(linted: &Linted) -> Vec<lsp::DocumentLink> {
    let lines = linted.lines();
    linted
        .analysis
        .links
        .iter()
        .take(MAX_LINKS)
        .map(|raw| {
            let decoded = raw.decoded(&linted.text);
            let link = Link::parse(&decoded.text);
            let summary = clip(&describe(&link).summary, SHOWN_CHARS).into_owned();
            // The same secrets `analysis.secrets` holds for this link.
            let (target, tooltip) = if link.secrets().is_empty() {
                (target_uri(&decoded.text), summary)
            } else {
                let redacted = link.redacted();
                let redacted = crate::text::escape_for_terminal(&redacted);
                let mut shown: String = redacted.chars().take(TOOLTIP_LINK_CHARS).collect();
                if shown.len() < redacted.len() {
                    shown.push('…');
                }
                (
                    None,
                    format!(
                        "{summary}\n\nNot opened from the editor: this link carries a \
                         password, which is never sent to the editor. {shown}"
                    ),
                )
            };
            lsp::DocumentLink {
                range: lines.range(raw.span),
                target,
                tooltip: Some(tooltip),
                data: None,
            }
        })
        .collect()
}

pub fn inlay_hints(linted: &Linted, range: lsp::Range) -> Vec<lsp::InlayHint> {
    let lines = linted.lines();
    let span = lines.span(range);
    linted
        .analysis
        .links
        .iter()
        .filter(|raw| span.start <= raw.span.end && raw.span.end <= span.end.max(span.start))
        .take(MAX_LINKS)
        .map(|raw| {
            let decoded = raw.decoded(&linted.text);
            let summary =
                clip(&describe(&Link::parse(&decoded.text)).summary, SHOWN_CHARS).into_owned();
            lsp::InlayHint {
                position: lines.position(raw.span.end),
                label: lsp::InlayHintLabel::String(summary),
                kind: None,
                text_edits: None,
                tooltip: Some(lsp::InlayHintTooltip::String(
                    "what this trueconf: link does".to_string(),
                )),
                padding_left: Some(true),
                padding_right: None,
                data: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_valid_uris() {
        let t = |s: &str| target_uri(s).map(|u| u.as_str().to_string());
        assert_eq!(
            t("trueconf:bob@h&do=chat").unwrap(),
            "trueconf:bob@h&do=chat"
        );
        assert_eq!(
            t("trueconf:\\c\\123@h%23vcs").unwrap(),
            "trueconf:%5Cc%5C123@h%23vcs"
        );
        assert_eq!(t("trueconf:a#b#c").unwrap(), "trueconf:a#b%23c");
        assert_eq!(t("trueconf:x%vcs").unwrap(), "trueconf:x%25vcs");
        assert_eq!(
            t("trueconf:иван").unwrap(),
            "trueconf:%D0%B8%D0%B2%D0%B0%D0%BD"
        );
        assert_eq!(
            t("trueconf:#rtsp://cam/live").unwrap(),
            "trueconf:#rtsp://cam/live"
        );
    }
}
