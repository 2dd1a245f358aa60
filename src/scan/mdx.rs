//! MDX (trueconf-uri.md §7): Markdown whose `import`/`export` blocks and
//! `{…}` expressions are JavaScript, and whose JSX tags are read as the
//! HTML of Markdown is. Comments are `{/* … */}`.
//!
//! The Markdown classifier is advanced to every candidate, so that fences
//! and code spans keep their reading; outside them, a candidate in an
//! `import`/`export` paragraph or inside a top-level `{…}` of its paragraph
//! is placed by a JavaScript lexer over that region. Each paragraph's
//! regions are found once, when the first candidate reaches it.

use super::code::{Lang, Lexer};
use super::markdown::Markdown;
use super::place::Place;
use super::rst::line_at;

pub struct Mdx<'t> {
    text: &'t str,
    md: Markdown<'t>,
    /// The paragraph last entered: its end, and its JavaScript regions in
    /// source order.
    paragraph: Option<(usize, Vec<(usize, usize)>)>,
    /// Index of the first region of `paragraph` not yet passed.
    next: usize,
    /// The lexer over the region being read, with the region's start.
    lexer: Option<(usize, Lexer<'t>)>,
}

impl<'t> Mdx<'t> {
    pub fn new(text: &'t str) -> Self {
        Mdx {
            text,
            md: Markdown::new(text).without_html_scripts(),
            paragraph: None,
            next: 0,
            lexer: None,
        }
    }

    /// The paragraph holding `at`: from after the last blank line before
    /// it (not before `floor`) to the next blank line.
    fn paragraph_at(&self, at: usize, floor: usize) -> (usize, usize) {
        let bytes = self.text.as_bytes();
        let mut start = floor;
        let mut line = floor;
        while line <= at && line < bytes.len() {
            let (end, next) = line_at(bytes, line);
            if self.text[line..end].trim().is_empty() {
                start = next;
            }
            if next == line {
                break;
            }
            line = next;
        }
        let mut end = line;
        while end < bytes.len() {
            let (e, next) = line_at(bytes, end);
            if self.text[end..e].trim().is_empty() {
                break;
            }
            end = next;
        }
        (start, end.max(at))
    }

    /// The JavaScript regions of the paragraph `[start, end)`.
    fn regions(&self, start: usize, end: usize) -> Vec<(usize, usize)> {
        let para = &self.text[start..end];
        if para.starts_with("import ") || para.starts_with("export ") {
            return vec![(start, end)];
        }
        let bytes = self.text.as_bytes();
        let mut out = Vec::new();
        let mut depth = 0usize;
        let mut open = 0;
        let mut quote: Option<u8> = None;
        let mut i = start;
        while i < end {
            let b = bytes[i];
            if let Some(q) = quote {
                if b == b'\\' {
                    i += 2;
                    continue;
                }
                if b == q {
                    quote = None;
                }
                i += 1;
                continue;
            }
            match b {
                b'{' => {
                    if depth == 0 {
                        open = i + 1;
                    }
                    depth += 1;
                }
                b'}' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        out.push((open, i));
                    }
                }
                b'"' | b'\'' | b'`' if depth > 0 => quote = Some(b),
                // A code span of the paragraph's prose: its braces are text.
                b'`' => {
                    let run = bytes[i..end].iter().take_while(|&&c| c == b'`').count();
                    let fence = &bytes[i..i + run];
                    let mut k = i + run;
                    let close = loop {
                        let Some(j) = memchr::memmem::find(&bytes[k..end], fence) else {
                            break None;
                        };
                        let at = k + j;
                        let longer = bytes.get(at + run) == Some(&b'`');
                        if !longer {
                            break Some(at + run);
                        }
                        k = at + bytes[at..end].iter().take_while(|&&c| c == b'`').count();
                    };
                    i = close.unwrap_or(i + run);
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        out
    }

    /// The JavaScript region holding `at`, if any.
    fn region_at(&mut self, at: usize) -> Option<(usize, usize)> {
        if self.paragraph.as_ref().is_none_or(|(end, _)| at >= *end) {
            let floor = self.paragraph.as_ref().map_or(0, |(end, _)| *end);
            let (start, end) = self.paragraph_at(at, floor);
            let regions = self.regions(start, end);
            self.paragraph = Some((end, regions));
            self.next = 0;
        }
        let (_, regions) = self.paragraph.as_ref()?;
        while self.next < regions.len() && regions[self.next].1 <= at {
            self.next += 1;
        }
        let &(s, e) = regions.get(self.next)?;
        (s <= at).then_some((s, e))
    }

    pub(crate) fn place(&mut self, at: usize) -> Option<Place> {
        let md = self.md.place(at);
        if self.md.in_fence() {
            return md;
        }
        // Inside a `{…}` expression JavaScript decides, also where Markdown
        // alone would see a code span (a template literal's backticks).
        let Some((start, end)) = self.region_at(at) else {
            return md;
        };
        if self.lexer.as_ref().is_none_or(|(s, _)| *s != start) {
            self.lexer = Some((start, Lexer::new(self.text, Lang::JavaScript, start, end)));
        }
        let (_, lexer) = self.lexer.as_mut()?;
        Some(lexer.place(at))
    }

    pub fn in_comment(&mut self, at: usize) -> bool {
        if self.md.in_comment(at) {
            return true;
        }
        if self.md.in_fence() {
            return false;
        }
        let Some((start, end)) = self.region_at(at) else {
            return false;
        };
        if self.lexer.as_ref().is_none_or(|(s, _)| *s != start) {
            self.lexer = Some((start, Lexer::new(self.text, Lang::JavaScript, start, end)));
        }
        self.lexer.as_mut().is_some_and(|(_, l)| l.in_comment(at))
    }
}

#[cfg(test)]
mod tests {
    use crate::scan::{Context, DocKind, scan};

    #[test]
    fn javascript_regions() {
        let src = "import { X } from './x'\nexport const url = \"trueconf:\\\\c\\\\1\"\n\nCall {props.user ? 'trueconf:bob' : \"\"} or <a href=\"trueconf:ann\">Ann</a> or trueconf:eve.\n\n```js\nconst a = { b: 'trueconf:fence' }\n```\n";
        let links: Vec<(&str, Context)> = scan(src, DocKind::Mdx)
            .iter()
            .map(|l| (&src[l.span.range()], l.context))
            .collect();
        let js = |quote| Context::StringLiteral {
            quote,
            escapes: true,
        };
        assert_eq!(
            links,
            vec![
                ("trueconf:\\\\c\\\\1", js(b'"')),
                ("trueconf:bob", js(b'\'')),
                ("trueconf:ann", Context::HtmlAttribute { quote: Some(b'"') }),
                ("trueconf:eve", Context::Text),
                ("trueconf:fence", js(b'\'')),
            ]
        );
    }
}
