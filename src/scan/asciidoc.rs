//! AsciiDoc (trueconf-uri.md §7): `link:trueconf:…[text]`, passthroughs
//! (`link:++trueconf:…++[text]`, `link:pass:[…][text]`, `++…++`, `+…+`) and
//! `trueconf:…[text]` (the link ends at `[`), bare links as prose,
//! `[source,LANG]` listing blocks scanned as LANG (other listing and literal
//! blocks as prose), and comments: `//` lines and `////` blocks.
//!
//! Line-based and forward-only, as [`super::rst`].

use super::decode::Decode;
use super::place::{Context, Joins, Place, prose_place};
use super::rst::{Host, Sub, host_of, line_at};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Comment,
    Code(Host),
    Literal,
}

pub struct AsciiDoc<'t> {
    text: &'t str,
    line: usize,
    block: Option<(Kind, usize, usize)>,
    sub: Option<Sub<'t>>,
    current: (usize, usize),
    /// The language of the `[source,LANG]` line just read, if the line
    /// before the current one was one.
    source: Option<Option<Host>>,
}

/// A block delimiter line: four or more of `-`, `.`, `/`, `+`, `=`, `*`,
/// `_`, or a ```` ``` ```` fence.
fn delimiter(line: &str) -> Option<u8> {
    let t = line.trim_end();
    if t.starts_with("```") {
        return Some(b'`');
    }
    let first = *t.as_bytes().first()?;
    (t.len() >= 4
        && matches!(first, b'-' | b'.' | b'/' | b'+' | b'=' | b'*' | b'_')
        && t.bytes().all(|b| b == first))
    .then_some(first)
}

impl<'t> AsciiDoc<'t> {
    pub fn new(text: &'t str) -> Self {
        AsciiDoc {
            text,
            line: 0,
            block: None,
            sub: None,
            current: (0, 0),
            source: None,
        }
    }

    /// The start of the line closing a block opened by `open` (its first
    /// content line at `from`), and the start of the line after it.
    fn closing(&self, from: usize, open: &str) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let mut at = from;
        while at < bytes.len() {
            let (e, next) = line_at(bytes, at);
            if self.text[at..e].trim_end() == open.trim_end() {
                return (at, next);
            }
            at = next;
        }
        (bytes.len(), bytes.len())
    }

    fn advance(&mut self, at: usize) {
        if let Some((_, _, end)) = self.block {
            if at < end {
                return;
            }
            self.block = None;
            self.sub = None;
            self.line = self.line.max(end);
        }
        let bytes = self.text.as_bytes();
        while self.line <= at && self.line < bytes.len() {
            let start = self.line;
            let (end, next) = line_at(bytes, start);
            self.current = (start, end);
            self.line = next;
            let line = &self.text[start..end];
            let source = self.source.take();
            if let Some(d) = delimiter(line) {
                let (close, after) = self.closing(next, line);
                let kind = match (d, source) {
                    (b'/', _) => Some((Kind::Comment, start, after)),
                    (b'-' | b'.' | b'`', Some(Some(host))) => Some((Kind::Code(host), next, close)),
                    (b'`', None) => {
                        let info = line.trim_start_matches('`');
                        Some(host_of(info).map_or((Kind::Literal, next, close), |h| {
                            (Kind::Code(h), next, close)
                        }))
                    }
                    (b'-' | b'.' | b'`', _) => Some((Kind::Literal, next, close)),
                    _ => None,
                };
                if let Some((kind, from, to)) = kind {
                    self.enter(kind, from, to, after, at);
                    if self.block.is_some() {
                        return;
                    }
                    continue;
                }
            } else if line.starts_with("//") {
                self.enter(Kind::Comment, start, end, next, at);
                if self.block.is_some() {
                    return;
                }
            } else if let Some(attrs) = line
                .trim()
                .strip_prefix('[')
                .and_then(|l| l.strip_suffix(']'))
            {
                let mut parts = attrs.split(',');
                // `[source,LANG]`, or `[,LANG]` (the style left out).
                if matches!(parts.next().map(str::trim), Some("source" | "")) {
                    self.source = Some(parts.next().and_then(host_of));
                }
            }
        }
    }

    /// Enters a block whose content is `[start, end)` and whose lines end
    /// at `after`.
    fn enter(&mut self, kind: Kind, start: usize, end: usize, after: usize, at: usize) {
        if at >= after {
            self.line = after;
            return;
        }
        self.block = Some((kind, start, after));
        self.sub = match kind {
            Kind::Code(host) => Some(Sub::new(self.text, host, start, end)),
            _ => None,
        };
        self.line = after;
        let _ = end;
    }

    pub(crate) fn place(&mut self, at: usize) -> Option<Place> {
        self.advance(at);
        if let Some((kind, start, end)) = self.block
            && at >= start
        {
            return match kind {
                Kind::Code(_) => self.sub.as_mut()?.place(at),
                Kind::Comment | Kind::Literal => {
                    Some(prose_place(Context::Text, Decode::None, end, None))
                }
            };
        }
        let (_, line_end) = self.current;
        // A bounded look ahead keeps a long line of candidates linear.
        let mut to = line_end.max(at).min(at + 4096);
        while !self.text.is_char_boundary(to) {
            to -= 1;
        }
        let rest = &self.text[at..to];
        let word = rest
            .find(|c: char| c.is_whitespace())
            .map_or(rest, |k| &rest[..k]);
        let passthrough = passthrough(self.text, at, line_end);
        let macro_link = self.text[..at].ends_with("link:");
        if passthrough.is_some() || word.contains('[') || macro_link {
            return Some(Place {
                context: Context::Delimited { close: b'[' },
                decode: Decode::None,
                limit: passthrough.unwrap_or(line_end),
                explicit: true,
                opened_by: None,
                joins: Joins::No,
                host: None,
            });
        }
        Some(prose_place(Context::Text, Decode::None, line_end, None))
    }

    pub fn in_comment(&mut self, at: usize) -> bool {
        self.advance(at);
        matches!(self.block, Some((Kind::Comment, start, _)) if at >= start)
    }
}

/// Where a passthrough that holds the link at `at` ends, on its line: a
/// link opened by `+` or `++` (`link:++trueconf:…++[text]`, `++…++`,
/// `+…+`) ends before the same run of `+`; one opened by `pass:[` ends
/// before the `]` that closes it. AsciiDoc passes the text inside as it is.
pub(crate) fn passthrough(text: &str, at: usize, line_end: usize) -> Option<usize> {
    let before = &text[..at];
    let line = &text[at..line_end.max(at)];
    if before.ends_with("pass:[") {
        return line.find(']').map(|k| at + k);
    }
    let close = match opening_plus(before) {
        1 => "+",
        2 => "++",
        _ => return None,
    };
    line.find(close).map(|k| at + k)
}

/// How many `+` end `before` (the text before a link): one or two open a
/// passthrough.
pub(crate) fn opening_plus(before: &str) -> usize {
    before.len() - before.trim_end_matches('+').len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{DocKind, scan};

    #[test]
    fn links_and_blocks() {
        let src = "Call link:trueconf:bob@srv[Bob] or trueconf:ann[Ann], see trueconf:eve.\n\n// trueconf:c1\n\n////\ntrueconf:c2\n////\n\n[source,python]\n----\nx = 'trueconf:\\\\c\\\\1'\n----\n\n....\ntrueconf:lit\n....\n";
        let links: Vec<(&str, Context)> = scan(src, DocKind::AsciiDoc)
            .iter()
            .map(|l| (&src[l.span.range()], l.context))
            .collect();
        let d = Context::Delimited { close: b'[' };
        assert_eq!(
            links,
            vec![
                ("trueconf:bob@srv", d),
                ("trueconf:ann", d),
                ("trueconf:eve", Context::Text),
                ("trueconf:c1", Context::Text),
                ("trueconf:c2", Context::Text),
                (
                    "trueconf:\\\\c\\\\1",
                    Context::StringLiteral {
                        quote: b'\'',
                        escapes: true
                    }
                ),
                ("trueconf:lit", Context::Text),
            ]
        );
        let mut a = AsciiDoc::new(src);
        let at = |n: &str| src.find(n).unwrap();
        assert!(!a.in_comment(at("trueconf:eve")));
        assert!(a.in_comment(at("trueconf:c1")));
        assert!(a.in_comment(at("trueconf:c2")));
        assert!(!a.in_comment(at("trueconf:\\")));
    }
}
