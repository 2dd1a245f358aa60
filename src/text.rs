//! Byte spans and the one place that converts byte offsets to and from
//! line/column positions in UTF-8, UTF-16 or UTF-32 units.
//!
//! Lines break at `\n`, `\r\n` and `\r` only, as LSP 3.17 prescribes; U+2028,
//! NEL and form feed are ordinary characters.

use std::ops::Range;

/// A half-open byte range `[start, end)` into a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }

    pub const fn len(self) -> usize {
        self.end - self.start
    }

    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// This span moved right by `delta` bytes.
    pub const fn shift(self, delta: usize) -> Self {
        Span {
            start: self.start + delta,
            end: self.end + delta,
        }
    }

    pub const fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// True when the two spans share at least one byte, or when an empty
    /// span sits strictly inside the other.
    pub const fn overlaps(self, other: Span) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// The unit in which a column is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (what LSP clients assume unless told otherwise).
    Utf16,
    /// Unicode scalar values (characters); what the CLI prints.
    Utf32,
}

impl Encoding {
    fn width(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// A zero-based line and a zero-based column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

/// Start offsets of every line of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// `line_starts[i]` is the byte offset where line `i` begins; the first
    /// entry is always 0.
    line_starts: Vec<usize>,
    /// Length of the text the index was built from.
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut i = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            let at = i + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            line_starts.push(next);
            i = next;
        }
        LineIndex {
            line_starts,
            len: text.len(),
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// Byte range of `line`'s content, without its line break.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let start = self.line_start(line);
        let mut end = if line + 1 < self.line_starts.len() {
            self.line_starts[line + 1]
        } else {
            self.len
        };
        let bytes = text.as_bytes();
        if end > start && bytes[end - 1] == b'\n' {
            end -= 1;
        }
        if end > start && bytes[end - 1] == b'\r' {
            end -= 1;
        }
        Span::new(start, end)
    }

    /// The zero-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// Line and column of a byte offset. An offset inside a multi-byte
    /// character or inside `\r\n` counts as the position before it.
    pub fn line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.line_starts[line];
        let content_end = self.line_span(text, line).end;
        let end = floor_char_boundary(text, offset.min(content_end));
        let col = match enc {
            Encoding::Utf8 => end - start,
            _ => text[start..end].chars().map(|c| enc.width(c)).sum(),
        };
        LineCol {
            line: line as u32,
            col: col as u32,
        }
    }

    /// Byte offset of a line and column. A line past the end clamps to the
    /// end of the text; a column past the line's content clamps to the end
    /// of the content (before its line break); a column inside a character
    /// (a UTF-16 surrogate pair, a UTF-8 sequence) clamps to its start.
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_starts.len() {
            return text.len();
        }
        let span = self.line_span(text, line);
        let want = pos.col as usize;
        let mut units = 0;
        for (i, c) in text[span.range()].char_indices() {
            let w = enc.width(c);
            if units + w > want {
                return span.start + i;
            }
            units += w;
        }
        span.end
    }
}

/// The largest char boundary of `text` at or before `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Length of `s` in the units of `enc`.
pub fn len_in(s: &str, enc: Encoding) -> usize {
    match enc {
        Encoding::Utf8 => s.len(),
        _ => s.chars().map(|c| enc.width(c)).sum(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lc(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }

    #[test]
    fn line_breaks_are_lf_crlf_and_cr_only() {
        for (text, lines) in [
            ("", 1),
            ("a", 1),
            ("a\nb", 2),
            ("a\r\nb", 2),
            ("a\rb", 2),
            ("a\r\n", 2),
            ("a\n\r\nb\rc", 4),
            ("a\u{2028}b", 1),
            ("a\x0Cb", 1),
            ("a\u{85}b", 1),
            ("a\x0Bb", 1),
        ] {
            assert_eq!(LineIndex::new(text).line_count(), lines, "{text:?}");
        }
    }

    #[test]
    fn columns_in_each_encoding() {
        // (text, byte offset, utf8, utf16, utf32)
        let table: &[(&str, usize, LineCol, LineCol, LineCol)] = &[
            ("abc", 2, lc(0, 2), lc(0, 2), lc(0, 2)),
            ("é x", 3, lc(0, 3), lc(0, 2), lc(0, 2)),
            ("中文x", 6, lc(0, 6), lc(0, 2), lc(0, 2)),
            ("😀x", 4, lc(0, 4), lc(0, 2), lc(0, 1)),
            ("e\u{301}x", 3, lc(0, 3), lc(0, 2), lc(0, 2)),
            ("a\r\nb", 3, lc(1, 0), lc(1, 0), lc(1, 0)),
            ("a\rb", 2, lc(1, 0), lc(1, 0), lc(1, 0)),
            // Between \r and \n is still the end of line 0.
            ("ab\r\nc", 3, lc(0, 2), lc(0, 2), lc(0, 2)),
            // End of text.
            ("ab\n", 3, lc(1, 0), lc(1, 0), lc(1, 0)),
            // Inside a multi-byte character: the position before it.
            ("😀x", 2, lc(0, 0), lc(0, 0), lc(0, 0)),
        ];
        for &(text, offset, u8c, u16c, u32c) in table {
            let index = LineIndex::new(text);
            assert_eq!(
                index.line_col(text, offset, Encoding::Utf8),
                u8c,
                "{text:?}@{offset}"
            );
            assert_eq!(
                index.line_col(text, offset, Encoding::Utf16),
                u16c,
                "{text:?}@{offset}"
            );
            assert_eq!(
                index.line_col(text, offset, Encoding::Utf32),
                u32c,
                "{text:?}@{offset}"
            );
        }
    }

    #[test]
    fn offsets_clamp() {
        let text = "a😀b\r\nxy";
        let index = LineIndex::new(text);
        // Past the line's content: end of content, before the CRLF.
        assert_eq!(index.offset(text, lc(0, 99), Encoding::Utf16), 6);
        // Inside the surrogate pair: start of the emoji.
        assert_eq!(index.offset(text, lc(0, 2), Encoding::Utf16), 1);
        // Inside the UTF-8 sequence: start of the emoji.
        assert_eq!(index.offset(text, lc(0, 3), Encoding::Utf8), 1);
        // Past the last line: end of text.
        assert_eq!(index.offset(text, lc(7, 0), Encoding::Utf16), text.len());
        assert_eq!(index.offset(text, lc(1, 1), Encoding::Utf32), 9);
    }

    #[test]
    fn round_trip_every_char_boundary() {
        let text = "x😀\r\n中e\u{301}\rz\u{2028}w\n\n🎉";
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // Offsets at the '\n' of a CRLF map to the end of the line,
                // which is the '\r'; skip that one non-bijective point.
                if offset > 0
                    && text.as_bytes()[offset - 1] == b'\r'
                    && text[offset..].starts_with('\n')
                {
                    continue;
                }
                let pos = index.line_col(text, offset, enc);
                assert_eq!(index.offset(text, pos, enc), offset, "{enc:?} {offset}");
            }
        }
    }
}
