//! A forward-only HTML tokenizer that tells, for an offset, whether it is in
//! text, an attribute value (which one, how quoted), a comment or a script.
//! It builds no tree, so nesting depth costs nothing.

use std::collections::VecDeque;

use super::code::{Lang, Lexer};
use super::{Context, Decode, Place, prose_place};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Text,
    Comment,
    Attr {
        quote: Option<u8>,
        explicit: bool,
    },
    Script,
    /// Tag syntax, doctype, style sheets: no links here.
    Other,
}

#[derive(Clone, Copy, Debug)]
struct Region {
    start: usize,
    end: usize,
    kind: Kind,
}

pub struct Html<'t> {
    text: &'t str,
    /// Where tokenizing resumes.
    pos: usize,
    regions: VecDeque<Region>,
    /// The script region the lexer below belongs to, by start offset.
    script: Option<(usize, Lexer<'t>)>,
}

impl<'t> Html<'t> {
    pub fn new(text: &'t str) -> Self {
        Html {
            text,
            pos: 0,
            regions: VecDeque::new(),
            script: None,
        }
    }

    pub fn place(&mut self, at: usize) -> Option<Place> {
        let r = self.region(at)?;
        self.place_in(r, at)
    }

    /// Is `at` inside a comment: `<!-- … -->`, or a comment of a script?
    /// Offsets must not decrease from one call to the next (shared with
    /// [`Html::place`]).
    pub fn in_comment(&mut self, at: usize) -> bool {
        match self.region(at) {
            Some(Region {
                kind: Kind::Comment,
                ..
            }) => true,
            Some(
                r @ Region {
                    kind: Kind::Script, ..
                },
            ) => self.script_lexer(r).is_some_and(|l| l.in_comment(at)),
            _ => false,
        }
    }

    /// The region holding `at`, tokenizing as far as needed.
    fn region(&mut self, at: usize) -> Option<Region> {
        loop {
            while let Some(r) = self.regions.front() {
                if r.end <= at {
                    self.regions.pop_front();
                } else {
                    break;
                }
            }
            if let Some(&r) = self.regions.front()
                && r.start <= at
            {
                return Some(r);
            }
            if self.pos >= self.text.len() {
                return None;
            }
            if let Some(r) = self.regions.front()
                && r.start > at
            {
                // `at` falls in a gap between regions: tag syntax.
                return None;
            }
            self.next_token();
        }
    }

    fn script_lexer(&mut self, r: Region) -> Option<&mut Lexer<'t>> {
        if self.script.as_ref().is_none_or(|(s, _)| *s != r.start) {
            self.script = Some((
                r.start,
                Lexer::new(self.text, Lang::JavaScript, r.start, r.end),
            ));
        }
        self.script.as_mut().map(|(_, l)| l)
    }

    fn place_in(&mut self, r: Region, at: usize) -> Option<Place> {
        match r.kind {
            Kind::Text => Some(prose_place(
                Context::HtmlText,
                Decode::Entities,
                r.end,
                None,
            )),
            Kind::Comment => Some(prose_place(Context::Text, Decode::None, r.end, None)),
            Kind::Attr { quote, explicit } => Some(Place {
                context: Context::HtmlAttribute { quote },
                decode: Decode::Entities,
                limit: r.end,
                explicit,
                opened_by: None,
            }),
            Kind::Script => Some(self.script_lexer(r)?.place(at)),
            Kind::Other => None,
        }
    }

    fn push(&mut self, start: usize, end: usize, kind: Kind) {
        if end > start {
            self.regions.push_back(Region { start, end, kind });
        }
    }

    fn next_token(&mut self) {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if bytes[start] != b'<' {
            let end = memchr::memchr(b'<', &bytes[start..]).map_or(bytes.len(), |i| start + i);
            self.push(start, end, Kind::Text);
            self.pos = end;
            return;
        }
        let rest = &bytes[start..];
        if rest.starts_with(b"<!--") {
            let body = start + 4;
            let end =
                memchr::memmem::find(&bytes[body..], b"-->").map_or(bytes.len(), |i| body + i);
            self.push(start, body, Kind::Other);
            self.push(body, end, Kind::Comment);
            self.pos = (end + 3).min(bytes.len());
            return;
        }
        match rest.get(1) {
            Some(b'!' | b'?' | b'/') => {
                let end = memchr::memchr(b'>', rest).map_or(bytes.len(), |i| start + i + 1);
                self.push(start, end, Kind::Other);
                self.pos = end;
            }
            Some(c) if c.is_ascii_alphabetic() => self.tag(start),
            _ => {
                // A lone '<' is text.
                let end = memchr::memchr(b'<', &bytes[start + 1..])
                    .map_or(bytes.len(), |i| start + 1 + i);
                self.push(start, end, Kind::Text);
                self.pos = end;
            }
        }
    }

    /// Tokenizes a start tag at `start`, and the raw text after `<script>` or
    /// `<style>`.
    fn tag(&mut self, start: usize) {
        let bytes = self.text.as_bytes();
        let n = bytes.len();
        let mut i = start + 1;
        while i < n && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/' {
            i += 1;
        }
        let name = self.text[start + 1..i].to_ascii_lowercase();
        let mut syntax_from = start;
        let mut self_closing = false;
        loop {
            while i < n && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                self_closing = bytes[i] == b'/';
                i += 1;
            }
            if i >= n {
                break;
            }
            if bytes[i] == b'>' {
                i += 1;
                break;
            }
            self_closing = false;
            let name_start = i;
            while i < n
                && !bytes[i].is_ascii_whitespace()
                && !matches!(bytes[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let attr = &self.text[name_start..i];
            let mut j = i;
            while j < n && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= n || bytes[j] != b'=' {
                continue;
            }
            j += 1;
            while j < n && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let explicit = is_link_attribute(attr);
            match bytes.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let vstart = j + 1;
                    let vend = memchr::memchr(q, &bytes[vstart..]).map_or(n, |k| vstart + k);
                    self.push(syntax_from, vstart, Kind::Other);
                    self.push(
                        vstart,
                        vend,
                        Kind::Attr {
                            quote: Some(q),
                            explicit,
                        },
                    );
                    i = (vend + 1).min(n);
                    syntax_from = i;
                }
                Some(_) => {
                    let vstart = j;
                    let mut vend = j;
                    while vend < n && !bytes[vend].is_ascii_whitespace() && bytes[vend] != b'>' {
                        vend += 1;
                    }
                    self.push(syntax_from, vstart, Kind::Other);
                    self.push(
                        vstart,
                        vend,
                        Kind::Attr {
                            quote: None,
                            explicit,
                        },
                    );
                    i = vend;
                    syntax_from = i;
                }
                None => {
                    i = j;
                }
            }
        }
        self.push(syntax_from, i, Kind::Other);
        self.pos = i;
        if !self_closing && (name == "script" || name == "style") {
            let close = if name == "script" {
                "</script"
            } else {
                "</style"
            };
            let body_end = find_ascii_ci(&bytes[i..], close.as_bytes()).map_or(n, |k| i + k);
            let kind = if name == "script" {
                Kind::Script
            } else {
                Kind::Other
            };
            self.push(i, body_end, kind);
            self.pos = body_end;
        }
    }
}

/// Attributes that hold a URL, where any spelling of the scheme is a link.
pub(super) fn is_link_attribute(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "href"
            | "src"
            | "action"
            | "formaction"
            | "cite"
            | "data"
            | "poster"
            | "background"
            | "xlink:href"
    ) || name.ends_with("href")
        || name.ends_with("url")
        || name.ends_with("-src")
        || name.ends_with("-link")
}

fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut from = 0;
    while let Some(k) = memchr::memchr(first, &hay[from..]) {
        let at = from + k;
        if hay.len() - at >= needle.len() && hay[at..at + needle.len()].eq_ignore_ascii_case(needle)
        {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(src: &str, needle: &str) -> Option<Place> {
        let at = src.find(needle).expect("needle");
        Html::new(src).place(at)
    }

    #[test]
    fn contexts() {
        let p = place(r#"<p class=x><a href="trueconf:a">"#, "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlAttribute { quote: Some(b'"') });
        assert!(p.explicit);
        let p = place("<a title='x' href=trueconf:a>", "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlAttribute { quote: None });
        let p = place("<p>call trueconf:a</p>", "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlText);
        let p = place("<!-- trueconf:a -->", "trueconf:").unwrap();
        assert_eq!(p.context, Context::Text);
        let p = place("<script>let u = 'trueconf:a';</script>", "trueconf:").unwrap();
        assert_eq!(
            p.context,
            Context::StringLiteral {
                quote: b'\'',
                escapes: true
            }
        );
        assert!(place("<style>a::after{content:'trueconf:a'}</style>", "trueconf:").is_none());
        let p = place("<div data-title=\"trueconf:a\">", "trueconf:").unwrap();
        assert!(!p.explicit);
    }

    #[test]
    fn deep_nesting_is_linear() {
        let mut src = "<div>".repeat(50_000);
        src.push_str("<a href=\"trueconf:a\">");
        let p = place(&src, "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlAttribute { quote: Some(b'"') });
    }
}
