//! Byte spans and the one place that converts byte offsets to and from
//! line/column positions in UTF-8, UTF-16 or UTF-32 units.
//!
//! Lines break at `\n`, `\r\n` and `\r` only, as LSP 3.17 prescribes; U+2028,
//! NEL and form feed are ordinary characters.

use std::cell::Cell;
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

/// Where the lines of a text start: the one thing a line/column conversion
/// needs besides the text. [`LineIndex`] keeps them in a vector; the
/// language server's rope (`lsp::text::Text`) has its own. Columns,
/// encodings, clamping and line breaks are worked out once, in the provided
/// methods, for every implementation.
///
/// Lines break at `\n`, `\r\n` and `\r`; an implementation must count
/// them so (a final line break starts an empty last line).
pub trait LineStarts {
    /// Number of lines, at least 1.
    fn line_count(&self) -> usize;

    /// Byte offset where `line` starts (clamped to the last line).
    fn line_start(&self, line: usize) -> usize;

    /// The zero-based line holding `offset`, an offset at most the text's
    /// length. An offset between `\r` and `\n` is on the line they end.
    fn line_of(&self, offset: usize) -> usize;

    /// Known columns on long lines, sorted by offset, that the provided
    /// methods count from instead of from the line's start. None by default.
    fn marks(&self) -> &[Mark] {
        &[]
    }

    /// Byte range of `line`'s content, without its line break (`line` is
    /// clamped to the last line). `text` is the text the starts are of.
    fn line_span(&self, text: &str, line: usize) -> Span {
        let line = line.min(self.line_count() - 1);
        let start = self.line_start(line);
        let mut end = if line + 1 < self.line_count() {
            self.line_start(line + 1)
        } else {
            text.len()
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

    /// Line and column of a byte offset. An offset past the end is the end;
    /// an offset inside a multi-byte character or inside `\r\n` counts as
    /// the position before it.
    fn line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let span = self.line_span(text, line);
        let end = floor_char_boundary(text, offset.min(span.end));
        let col = match enc {
            Encoding::Utf8 => end - span.start,
            _ => {
                let (from, col) = mark_before(self.marks(), span.start, end)
                    .map_or((span.start, 0), |m| (m.offset, m.col(span.start, enc)));
                col + len_in(&text[from..end], enc)
            }
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
    fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        let line = pos.line as usize;
        if line >= self.line_count() {
            return text.len();
        }
        let span = self.line_span(text, line);
        let want = pos.col as usize;
        // Start from the last mark of the line at or before the column.
        let marks = self.marks();
        let first = marks.partition_point(|m| m.offset <= span.start);
        let last = marks.partition_point(|m| m.offset < span.end);
        let line_marks = &marks[first..last];
        let k = line_marks.partition_point(|m| m.col(span.start, enc) <= want);
        let (from, mut units) = line_marks[..k]
            .last()
            .map_or((span.start, 0), |m| (m.offset, m.col(span.start, enc)));
        for (i, c) in text[from..span.end].char_indices() {
            let w = enc.width(c);
            if units + w > want {
                return from + i;
            }
            units += w;
        }
        span.end
    }
}

/// Start offsets of every line of a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    /// `line_starts[i]` is the byte offset where line `i` begins; the first
    /// entry is always 0.
    line_starts: Vec<usize>,
    /// In lines longer than [`MARK_EVERY`] bytes, about every that many
    /// bytes: an offset (never a line's start) and its column in UTF-16 and
    /// UTF-32 units. A column is then counted from the nearest mark, not
    /// from the line's start: positions on a long line cost a block each,
    /// not the line (which made every finding of a long line cost as much
    /// as the line: quadratic).
    marks: Vec<Mark>,
}

/// An offset inside a long line and its column in UTF-16 and UTF-32 units
/// (see [`LineStarts::marks`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    offset: usize,
    utf16: usize,
    utf32: usize,
}

impl Mark {
    fn col(&self, line_start: usize, enc: Encoding) -> usize {
        match enc {
            Encoding::Utf8 => self.offset - line_start,
            Encoding::Utf16 => self.utf16,
            Encoding::Utf32 => self.utf32,
        }
    }
}

/// The last mark of the line starting at `start` at or before `offset`.
fn mark_before(marks: &[Mark], start: usize, offset: usize) -> Option<Mark> {
    let i = marks.partition_point(|m| m.offset <= offset);
    marks[..i].last().copied().filter(|m| m.offset > start)
}

/// Lines longer than this get marks this far apart.
const MARK_EVERY: usize = 512;

/// The methods of [`LineStarts`], callable without importing the trait.
impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        let mut marks = Vec::new();
        let mut i = 0;
        loop {
            let found = memchr::memchr2(b'\n', b'\r', &bytes[i..]);
            let end = found.map_or(bytes.len(), |f| i + f);
            if end - i > MARK_EVERY {
                mark_line(text, i, end, &mut marks);
            }
            let Some(found) = found else { break };
            let at = i + found;
            let next = if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                at + 2
            } else {
                at + 1
            };
            line_starts.push(next);
            i = next;
        }
        LineIndex { line_starts, marks }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// Byte offset where `line` starts (clamped to the last line).
    pub fn line_start(&self, line: usize) -> usize {
        self.line_starts[line.min(self.line_starts.len() - 1)]
    }

    /// The zero-based line holding `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// See [`LineStarts::line_span`].
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        LineStarts::line_span(self, text, line)
    }

    /// See [`LineStarts::line_col`].
    pub fn line_col(&self, text: &str, offset: usize, enc: Encoding) -> LineCol {
        LineStarts::line_col(self, text, offset, enc)
    }

    /// See [`LineStarts::offset`].
    pub fn offset(&self, text: &str, pos: LineCol, enc: Encoding) -> usize {
        LineStarts::offset(self, text, pos, enc)
    }
}

impl LineStarts for LineIndex {
    fn line_count(&self) -> usize {
        LineIndex::line_count(self)
    }

    fn line_start(&self, line: usize) -> usize {
        LineIndex::line_start(self, line)
    }

    fn line_of(&self, offset: usize) -> usize {
        LineIndex::line_of(self, offset)
    }

    fn marks(&self) -> &[Mark] {
        &self.marks
    }
}

/// Positions of a text asked in any order, through its [`LineStarts`], in
/// one encoding. The last position is remembered: a column costs the text
/// from the line's start (or its nearest mark), the next one near it on the
/// same line costs only the text in between. Without this, listing the
/// links of one long line of a rope (which has no marks) would take time
/// quadratic in its length.
pub struct Positions<'a> {
    pub text: &'a str,
    pub lines: &'a dyn LineStarts,
    pub enc: Encoding,
    /// The last position computed, as (offset, line, column), if the
    /// offset is in its line's content.
    last: Cell<Option<(usize, u32, u32)>>,
}

impl<'a> Positions<'a> {
    pub fn new(text: &'a str, lines: &'a dyn LineStarts, enc: Encoding) -> Self {
        Positions {
            text,
            lines,
            enc,
            last: Cell::new(None),
        }
    }

    /// As [`LineStarts::line_col`].
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = floor_char_boundary(self.text, offset);
        let bytes = self.text.as_bytes();
        if let Some((at, line, col)) = self.last.get() {
            let (a, b) = (at.min(offset), at.max(offset));
            if memchr::memchr2(b'\n', b'\r', &bytes[a..b]).is_none() {
                let between = len_in(&self.text[a..b], self.enc) as u32;
                let col = if offset >= at {
                    col + between
                } else {
                    col - between
                };
                self.last.set(Some((offset, line, col)));
                return LineCol { line, col };
            }
        }
        let lc = self.lines.line_col(self.text, offset, self.enc);
        // Between a CR and its LF the column is clamped: not a content
        // offset, not remembered.
        let in_crlf = offset > 0 && bytes[offset - 1] == b'\r' && bytes.get(offset) == Some(&b'\n');
        self.last
            .set((!in_crlf).then_some((offset, lc.line, lc.col)));
        lc
    }

    /// As [`LineStarts::offset`].
    pub fn offset(&self, pos: LineCol) -> usize {
        self.lines.offset(self.text, pos, self.enc)
    }

    /// The zero-based line holding `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines.line_of(offset.min(self.text.len()))
    }

    /// As [`LineStarts::line_span`].
    pub fn line_span(&self, line: usize) -> Span {
        self.lines.line_span(self.text, line)
    }
}

/// Positions of offsets asked in increasing order, found by one forward
/// pass: no index is built, so a file with a few findings costs one count of
/// its line breaks up to the last finding (SIMD, when the text has no `\r`).
/// Answers equal [`LineStarts::line_col`] and [`LineStarts::line_span`]; the
/// columns are counted with the same [`floor_char_boundary`] and [`len_in`].
pub struct Cursor<'t> {
    text: &'t str,
    enc: Encoding,
    /// Bytes before this were searched for line breaks.
    scanned: usize,
    line: usize,
    line_start: usize,
    /// End of the current line's content, once looked up.
    content_end: Option<usize>,
    /// The last column counted on the current line: (offset, column).
    counted: (usize, usize),
}

impl<'t> Cursor<'t> {
    pub fn new(text: &'t str, enc: Encoding) -> Self {
        Cursor {
            text,
            enc,
            scanned: 0,
            line: 0,
            line_start: 0,
            content_end: None,
            counted: (0, 0),
        }
    }

    /// Line and column of `offset`, which must not be less than the one
    /// asked before. Like [`LineIndex::line_col`], an offset inside a
    /// multi-byte character or inside `\r\n` counts as the position before.
    pub fn line_col(&mut self, offset: usize) -> LineCol {
        let bytes = self.text.as_bytes();
        let offset = offset.min(bytes.len()).max(self.scanned);
        let seg = &bytes[self.scanned..offset];
        let (line, line_start) = (self.line, self.line_start);
        if memchr::memchr(b'\r', seg).is_none() {
            let n = bytecount::count(seg, b'\n');
            if n > 0 {
                self.line += n;
                self.line_start = self.scanned + memchr::memrchr(b'\n', seg).map_or(0, |i| i + 1);
            }
        } else {
            for i in memchr::memchr2_iter(b'\n', b'\r', seg) {
                let at = self.scanned + i;
                // `\r\n` breaks once, at its `\n`.
                if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                    continue;
                }
                self.line += 1;
                self.line_start = at + 1;
            }
        }
        self.scanned = offset;
        if (line, line_start) != (self.line, self.line_start) {
            self.content_end = None;
            self.counted = (self.line_start, 0);
        }
        let content_end = self.line_span().end;
        let end = floor_char_boundary(self.text, offset.min(content_end));
        let (from, col) = if end >= self.counted.0 {
            self.counted
        } else {
            (self.line_start, 0)
        };
        let col = col + len_in(&self.text[from..end], self.enc);
        self.counted = (end, col);
        LineCol {
            line: self.line as u32,
            col: col as u32,
        }
    }

    /// The content (without its line break) of the line of the last offset
    /// asked.
    pub fn line_span(&mut self) -> Span {
        let start = self.line_start;
        let end = *self.content_end.get_or_insert_with(|| {
            let rest = &self.text.as_bytes()[start..];
            start + memchr::memchr2(b'\n', b'\r', rest).unwrap_or(rest.len())
        });
        Span::new(start, end)
    }
}

/// Marks of the line `text[start..end]`, about every [`MARK_EVERY`] bytes.
fn mark_line(text: &str, start: usize, end: usize, marks: &mut Vec<Mark>) {
    let (mut utf16, mut utf32) = (0, 0);
    let mut next = start + MARK_EVERY;
    for (i, c) in text[start..end].char_indices() {
        let at = start + i;
        if at >= next {
            marks.push(Mark {
                offset: at,
                utf16,
                utf32,
            });
            next = at + MARK_EVERY;
        }
        utf16 += c.len_utf16();
        utf32 += 1;
    }
}

/// Where `needle` first occurs in `hay`, ignoring ASCII case: the places
/// of its first byte (in either case) are found with `memchr`, and only
/// there is the rest compared.
pub fn find_ascii_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let Some(&first) = needle.first() else {
        return Some(0);
    };
    let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, hay).find(|&at| {
        hay[at..]
            .get(..needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
    })
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

/// Whether `c` must not reach a terminal or a CI log raw: C0 and C1
/// controls, DEL, bidi overrides, isolates and marks (LRM, RLM, ALM), line
/// and paragraph separators, and the invisible characters that would make
/// two different names or keys look the same (zero width space, word
/// joiner and invisible operators, soft hyphen, Mongolian vowel
/// separator). Joiners (ZWJ, ZWNJ) stay: emoji and scripts are written
/// with them; so does a byte-order mark (`--diff` keeps a file's own, so
/// that `patch` finds the first line).
pub fn is_unsafe_to_print(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{200b}'
                | '\u{2060}'..='\u{2064}'
                | '\u{00ad}'
                | '\u{180e}'
        )
}

/// Can a character [`is_unsafe_to_print`] start with byte `b`? Every such
/// character is an ASCII control, DEL, or starts with `0xC2` (C1 controls,
/// the soft hyphen), `0xE2` (the bidi controls and marks, the separators,
/// the zero width space and word joiners), `0xD8` (the Arabic letter
/// mark) or `0xE1` (the Mongolian vowel separator).
#[inline]
pub fn may_start_unsafe_to_print(b: u8) -> bool {
    b < 0x20 || matches!(b, 0x7f | 0xc2 | 0xe2 | 0xd8 | 0xe1)
}

/// Can `s` hold a character [`is_unsafe_to_print`]? `false` is certain,
/// and most text holds none of the bytes that can start one
/// ([`may_start_unsafe_to_print`]), so one pass over its bytes answers.
pub fn may_hold_unsafe_to_print(s: &str) -> bool {
    s.bytes().any(may_start_unsafe_to_print)
}

/// `s` with every character [`is_unsafe_to_print`] written as `\u{1b}`
/// (as ripgrep and ruff show them): no line, escape sequence or reordering
/// can come from a file's name or a link's text.
pub fn escape_for_terminal(s: &str) -> std::borrow::Cow<'_, str> {
    if !may_hold_unsafe_to_print(s) || !s.chars().any(is_unsafe_to_print) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe_to_print(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `bytes` as text: valid UTF-8 as it is, each byte of an invalid
/// sequence as `\xff`, so that two non-UTF-8 file names that differ print
/// differently (lossy decoding made both `\u{fffd}`).
pub fn bytes_for_display(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            let _ = std::fmt::Write::write_fmt(&mut out, format_args!("\\x{b:02x}"));
        }
    }
    out
}

/// A path as the human formats print it at the start of a line:
/// [`escape_for_terminal`], and `./` before a leading `:` so that no name
/// reads as a GitHub workflow command (`::error file=…`).
pub fn path_for_terminal(path: &str) -> std::borrow::Cow<'_, str> {
    let escaped = escape_for_terminal(path);
    if escaped.starts_with(':') {
        std::borrow::Cow::Owned(format!("./{escaped}"))
    } else {
        escaped
    }
}

#[cfg(test)]
pub(crate) mod tests {

    /// The first case-insensitive occurrence, as a byte-by-byte comparison
    /// at every offset finds it, for needles that start with a letter or
    /// not, on generated texts with multi-byte characters.
    #[test]
    fn find_ascii_ci_is_the_plain_search() {
        let atoms = ["a", "A", "%", "2", "3", "f", "F", "<", "/", "s", "é", "x"];
        let needles: [&[u8]; 6] = [b"%2f", b"%3A", b"</S", b"a", b"fa%", b""];
        let mut rng = crate::test_rng::Rng::new(0xf1d);
        for _ in 0..5_000 {
            let hay: String = (0..rng.below(40))
                .map(|_| atoms[rng.below(atoms.len())])
                .collect();
            for needle in needles {
                let plain = (0..=hay.len()).find(|&i| {
                    hay.as_bytes()[i..]
                        .get(..needle.len())
                        .is_some_and(|w| w.eq_ignore_ascii_case(needle))
                });
                assert_eq!(
                    find_ascii_ci(hay.as_bytes(), needle),
                    plain,
                    "{hay:?} {needle:?}"
                );
            }
        }
    }

    #[test]
    fn the_byte_screen_never_misses_an_unsafe_character() {
        // Every scalar value: an unsafe one alone, or among safe text, is
        // always caught by the screen.
        for c in (0..=0x10_ffff).filter_map(char::from_u32) {
            if is_unsafe_to_print(c) {
                assert!(
                    may_hold_unsafe_to_print(&format!("ab{c}é")),
                    "{:x}",
                    c as u32
                );
            }
        }
        assert!(!may_hold_unsafe_to_print("docs/a.md: é ü 中 trueconf:x"));
    }

    /// Invisible characters that would make two keys or names look alike
    /// are shown escaped; the joiners of emoji and scripts, and a
    /// byte-order mark, are not.
    #[test]
    fn invisible_characters_are_escaped_but_joiners() {
        assert_eq!(
            escape_for_terminal("k\u{200b}x w\u{2060}j s\u{ad}h m\u{180e}v"),
            "k\\u{200b}x w\\u{2060}j s\\u{ad}h m\\u{180e}v"
        );
        let kept = "👨\u{200d}👩 \u{200c}ی \u{feff}Title";
        assert_eq!(escape_for_terminal(kept), kept);
    }

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

    /// On lines long enough to have marks, positions and offsets are those
    /// of a scan from the line's start, for every offset and column.
    #[test]
    fn long_lines_agree_with_a_scan_from_the_line_start() {
        let long = "ab😀中e\u{301}".repeat(2000);
        let text = format!("x\r\n{long}\r\n\n{long}z\r{}", "y".repeat(9000));
        let index = LineIndex::new(&text);
        assert!(index.marks.len() > 4);
        let scan_col = |offset: usize, enc: Encoding| {
            let line = index.line_of(offset);
            let start = index.line_start(line);
            let end = floor_char_boundary(&text, offset.min(index.line_span(&text, line).end));
            len_in(&text[start..end], enc) as u32
        };
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for offset in (0..=text.len()).step_by(101).chain([text.len()]) {
                let lc = index.line_col(&text, offset, enc);
                assert_eq!(lc.col, scan_col(offset, enc), "{enc:?} {offset}");
            }
            for line in 0..index.line_count() as u32 {
                let span = index.line_span(&text, line as usize);
                let units = len_in(&text[span.range()], enc) as u32;
                for col in (0..units + 3).step_by(103).chain([units, units + 1]) {
                    let got = index.offset(&text, lc(line, col), enc);
                    // The reference: walk the line from its start.
                    let mut want = span.end;
                    let mut u = 0;
                    for (i, c) in text[span.range()].char_indices() {
                        if u + enc.width(c) as u32 > col {
                            want = span.start + i;
                            break;
                        }
                        u += enc.width(c) as u32;
                    }
                    assert_eq!(got, want, "{enc:?} {line}:{col}");
                }
            }
        }
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

    #[test]
    fn cursor_answers_as_the_index_does() {
        let texts = [
            "",
            "abc",
            "a\nb\r\nc\rd",
            "ab\r\nc",
            "\r\n\r\n",
            "\r\r\n\n",
            "😀x\n中文\r\ne\u{301}\u{2028}z",
            "x\r",
        ];
        let long = format!("{}\n{}", "é".repeat(700), "😀a".repeat(400));
        for text in texts.iter().copied().chain([long.as_str()]) {
            let index = LineIndex::new(text);
            for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
                for step in [1, 2, 3, 7, 513] {
                    let mut cursor = Cursor::new(text, enc);
                    for offset in (0..=text.len()).step_by(step) {
                        let pos = cursor.line_col(offset);
                        assert_eq!(
                            pos,
                            index.line_col(text, offset, enc),
                            "{text:?} {enc:?} {offset}"
                        );
                        assert_eq!(cursor.line_span(), index.line_span(text, pos.line as usize));
                    }
                }
            }
        }
    }

    /// Positions asked for in any order, near or far, on long lines or
    /// across line breaks, through `lines`, are those of a fresh index.
    pub(crate) fn check_remembered_positions(text: &str, lines: &dyn LineStarts) {
        let index = LineIndex::new(text);
        let mut rng = crate::test_rng::Rng::new(0x2545_f491_4f6c_dd1d);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let positions = Positions::new(text, lines, enc);
            let n = text.len() + 2;
            let jumps: Vec<usize> = (0..n).map(|_| rng.below(n)).collect();
            for offset in (0..n).chain((0..n).rev()).chain(jumps) {
                let want = index.line_col(text, offset, enc);
                assert_eq!(positions.line_col(offset), want, "{enc:?} at {offset}");
            }
        }
    }

    pub(crate) fn remembered_text() -> String {
        "ab😀c\r\n\r\nx中y\rz\n".repeat(5) + &"trueconf:x ".repeat(50) + &"é😀".repeat(300)
    }

    #[test]
    fn remembered_positions_match_the_index() {
        let text = remembered_text();
        check_remembered_positions(&text, &LineIndex::new(&text));
    }
}
