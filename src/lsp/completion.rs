//! Completion inside a link: parameter names after `&` (with what each
//! does), and values after `key=` for keys with a fixed set of values. In
//! HTML, a separator is written `&amp;`, and a bare `&` typed there is
//! completed to `&amp;`.

use tower_lsp_server::ls_types as lsp;

use super::document::Linted;
use crate::text::Span;
use crate::uri::{KNOWN_PARAMS, Link, allowed_values};

/// What the cursor is completing.
#[derive(Debug, PartialEq, Eq)]
enum Slot<'a> {
    /// A parameter name. `replace` is the source span the item replaces;
    /// `amp` is true when a bare `&` in HTML is part of it and must be
    /// written `&amp;`.
    Key { replace: Span, amp: bool },
    /// A value of `key`.
    Value { key: &'a str, replace: Span },
}

/// Finds the completion slot at `offset` in the link `[start, end)` of `text`.
fn slot(text: &str, start: usize, end: usize, offset: usize, html: bool) -> Option<Slot<'_>> {
    if offset <= start || offset > end || !text.is_char_boundary(offset) {
        return None;
    }
    let before = &text[start..offset];
    let body_start = start + before.find(':')? + 1;
    let body = &text[body_start..offset];
    let amp = body.rfind('&')?;
    let after = &body[amp + 1..];
    let (segment, seg_start, bare_amp) = if html {
        if let Some(rest) = after.strip_prefix("amp;") {
            (rest, body_start + amp + 5, false)
        } else if !after.is_empty() && "amp;".starts_with(after) {
            // `&am` while typing `&amp;`: not a key yet.
            return None;
        } else {
            (after, body_start + amp + 1, true)
        }
    } else {
        (after, body_start + amp + 1, false)
    };
    if let Some(eq) = segment.find('=') {
        let key = &segment[..eq];
        allowed_values(key)?;
        return Some(Slot::Value {
            key,
            replace: Span::new(seg_start + eq + 1, offset),
        });
    }
    if !segment
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return None;
    }
    let replace_start = if bare_amp {
        body_start + amp
    } else {
        seg_start
    };
    Some(Slot::Key {
        replace: Span::new(replace_start, offset),
        amp: bare_amp,
    })
}

fn documentation(key: &str, meaning: &str) -> lsp::Documentation {
    let mut value = format!("`{key}=`: {meaning}");
    if let Some(values) = allowed_values(key) {
        value.push_str("\n\nValues: ");
        let list: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
        value.push_str(&list.join(", "));
    }
    lsp::Documentation::MarkupContent(lsp::MarkupContent {
        kind: lsp::MarkupKind::Markdown,
        value,
    })
}

pub fn complete(linted: &Linted, offset: usize) -> Option<Vec<lsp::CompletionItem>> {
    let raw = linted
        .analysis
        .links
        .iter()
        .find(|l| l.span.start < offset && offset <= l.span.end)?;
    let lines = linted.lines();
    let html = raw.context.is_html();
    match slot(&linted.text, raw.span.start, raw.span.end, offset, html)? {
        Slot::Key { replace, amp } => {
            let decoded = raw.decoded(&linted.text);
            let link = Link::parse(&decoded.text);
            // Keys already in the link, except the one being typed.
            let typing = &linted.text[replace.range()];
            let present: Vec<&str> = link
                .params
                .iter()
                .map(|p| link.key(p))
                .filter(|k| !typing.ends_with(k))
                .collect();
            let range = lines.range(replace);
            let items = KNOWN_PARAMS
                .iter()
                .enumerate()
                .filter(|(_, (key, _))| !present.contains(key))
                .map(|(i, (key, meaning))| {
                    let new_text = if amp {
                        format!("&amp;{key}=")
                    } else {
                        format!("{key}=")
                    };
                    lsp::CompletionItem {
                        label: (*key).to_string(),
                        kind: Some(lsp::CompletionItemKind::PROPERTY),
                        detail: Some((*meaning).to_string()),
                        documentation: Some(documentation(key, meaning)),
                        sort_text: Some(format!("{i:02}")),
                        filter_text: Some(if amp {
                            format!("&{key}")
                        } else {
                            (*key).to_string()
                        }),
                        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                            range, new_text,
                        ))),
                        ..lsp::CompletionItem::default()
                    }
                })
                .collect();
            Some(items)
        }
        Slot::Value { key, replace } => {
            let meaning = KNOWN_PARAMS
                .iter()
                .find(|(k, _)| *k == key)
                .map_or("", |(_, m)| m);
            let range = lines.range(replace);
            let items = allowed_values(key)?
                .iter()
                .enumerate()
                .map(|(i, v)| lsp::CompletionItem {
                    label: (*v).to_string(),
                    kind: Some(lsp::CompletionItemKind::VALUE),
                    detail: Some(format!("{key}={v}")),
                    documentation: Some(documentation(key, meaning)),
                    sort_text: Some(format!("{i:02}")),
                    text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                        range,
                        (*v).to_string(),
                    ))),
                    ..lsp::CompletionItem::default()
                })
                .collect();
            Some(items)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str, html: bool) -> Option<Slot<'_>> {
        let cursor = text.find('|').unwrap();
        let text = &text[..cursor];
        // The tests' links run to the cursor.
        slot(text, 0, text.len(), cursor, html)
    }

    #[test]
    fn slots() {
        assert_eq!(
            at("trueconf:bob&|", false),
            Some(Slot::Key {
                replace: Span::new(13, 13),
                amp: false
            })
        );
        assert_eq!(
            at("trueconf:bob&enc|", false),
            Some(Slot::Key {
                replace: Span::new(13, 16),
                amp: false
            })
        );
        assert_eq!(
            at("trueconf:bob&encrypt=|", false),
            Some(Slot::Value {
                key: "encrypt",
                replace: Span::new(21, 21)
            })
        );
        assert_eq!(at("trueconf:bob&h=|", false), None);
        assert_eq!(at("trueconf:bob|", false), None);
        assert_eq!(
            at("trueconf:bob&amp;|", true),
            Some(Slot::Key {
                replace: Span::new(17, 17),
                amp: false
            })
        );
        assert_eq!(
            at("trueconf:bob&|", true),
            Some(Slot::Key {
                replace: Span::new(12, 13),
                amp: true
            })
        );
        assert_eq!(at("trueconf:bob&am|", true), None);
    }
}
