//! PHP files: HTML, with PHP code between `<?php` (or `<?=`, or `<?`
//! before white space) and `?>` or the end of the file. A link in the code
//! is read by the code lexer (PHP strings, comments and here-documents), a
//! link elsewhere by the HTML reader: the innermost host decides.

use memchr::memmem;

use super::code::{Lang, Lexer};
use super::html::Html;
use super::place::Place;

pub struct Php<'t> {
    text: &'t str,
    html: Html<'t>,
    /// The code region last found: where its opening tag starts, where its
    /// code starts and ends (at its `?>` or the end of the text).
    region: Option<(usize, usize, usize)>,
    lexer: Option<Lexer<'t>>,
    /// Where the search for the next region resumes.
    search_from: usize,
}

impl<'t> Php<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut p = Php {
            text,
            html: Html::new(text),
            region: None,
            lexer: None,
            search_from: 0,
        };
        p.next_region();
        p
    }

    /// A reader of the PHP file in `text[from..to]` (a code block of
    /// another document): offsets stay those of `text`.
    pub fn ranged(text: &'t str, from: usize, to: usize) -> Self {
        let to = crate::text::floor_char_boundary(text, to.min(text.len()));
        let text = &text[..to];
        let mut p = Php {
            text,
            html: Html::ranged(text, from, to),
            region: None,
            lexer: None,
            search_from: from.min(to),
        };
        p.next_region();
        p
    }

    /// Does the code `text[from..to]` hold an opening tag (`<?php`, `<?=`),
    /// so that it is read as a PHP file (HTML around the code) rather than
    /// as code alone?
    pub fn has_open_tag(text: &str, from: usize, to: usize) -> bool {
        let bytes = &text.as_bytes()[from.min(to)..to.min(text.len())];
        memmem::find_iter(bytes, b"<?").any(|k| {
            let rest = &bytes[k + 2..];
            rest.first() == Some(&b'=') || rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"php")
        })
    }

    fn next_region(&mut self) {
        let bytes = self.text.as_bytes();
        let mut from = self.search_from;
        self.region = None;
        self.lexer = None;
        while let Some(k) = memmem::find(&bytes[from..], b"<?") {
            let start = from + k;
            let rest = &bytes[start + 2..];
            let body = if rest.len() >= 3
                && rest[..3].eq_ignore_ascii_case(b"php")
                && rest.get(3).is_none_or(u8::is_ascii_whitespace)
            {
                start + 5
            } else if rest.first() == Some(&b'=') {
                start + 3
            } else if rest.first().is_some_and(u8::is_ascii_whitespace) {
                start + 2
            } else {
                // `<?xml …?>` is no PHP.
                from = start + 2;
                continue;
            };
            let end = memmem::find(&bytes[body..], b"?>").map_or(bytes.len(), |k| body + k);
            self.region = Some((start, body, end));
            self.lexer = Some(Lexer::new(self.text, Lang::Php, body, end));
            self.search_from = (end + 2).min(bytes.len());
            return;
        }
        self.search_from = bytes.len();
    }

    /// The code region whose tags hold `at`, if any. Offsets must not
    /// decrease from one call to the next.
    fn region_at(&mut self, at: usize) -> Option<(usize, usize, usize)> {
        loop {
            let (start, body, end) = self.region?;
            if at < start {
                return None;
            }
            if at < end + 2 {
                return Some((start, body, end));
            }
            self.next_region();
        }
    }

    pub(crate) fn place(&mut self, at: usize) -> Option<Place> {
        match self.region_at(at) {
            Some((_, body, end)) if at >= body && at < end => Some(self.lexer.as_mut()?.place(at)),
            Some(_) => None,
            None => self.html.place(at),
        }
    }

    /// Is `at` inside a comment of the code or of the HTML? Offsets must
    /// not decrease (shared with [`Php::place`]).
    pub fn in_comment(&mut self, at: usize) -> bool {
        match self.region_at(at) {
            Some((_, body, end)) if at >= body && at < end => {
                self.lexer.as_mut().is_some_and(|l| l.in_comment(at))
            }
            Some(_) => false,
            None => self.html.in_comment(at),
        }
    }
}
