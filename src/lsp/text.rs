//! The text of an open document, kept in a rope and edited incrementally.
//! This is the only module of the crate that uses `ropey`.
//!
//! Lines break at `\n`, `\r\n` and `\r` only (ropey is built with
//! `cr_lines` and without `unicode_lines`), as LSP prescribes. The rope
//! gives [`LineStarts`]; positions and offsets are computed by that trait's
//! methods, so column rules (clamping, surrogate pairs, encodings) are
//! exactly those of [`crate::text`].
//!
//! Along with the rope, the text is kept as one string ([`Flat`]), edited
//! in place by the same changes and shared (not copied) by snapshots: a
//! lint needs the whole text contiguous, and copying a big document out of
//! the rope on every keystroke would cost a pass over all of it, out of
//! cache. The string has room on both sides, so that an edit moves the
//! shorter side of the text (a `String` moves all that follows the edit).

use std::collections::VecDeque;
use std::sync::Arc;

use ropey::Rope;

use crate::incremental::Unchanged;
use crate::text::{Encoding, LineCol, LineStarts};

/// How many of its last edits a [`Text`] remembers: a lint more edits
/// behind than this reads the whole text again.
const REMEMBERED_EDITS: usize = 32;

/// One edit as bytes: `start..end` of a text `len` bytes long was replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ByteEdit {
    start: usize,
    end: usize,
    len: usize,
}

/// One entry of a `didChange` notification, positions as the client sent
/// them. `range == None` replaces the whole text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub range: Option<(LineCol, LineCol)>,
    pub text: String,
}

/// Why a notification's changes were rejected. The text is left as it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeError {
    /// Change number `index` has its start after its end.
    ReversedRange { index: usize },
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeError::ReversedRange { index } => {
                write!(f, "change {index} has a reversed range")
            }
        }
    }
}

/// A document's text. Cloning is O(1) and the clone is independent, so a
/// clone is a snapshot that can be linted on another thread.
#[derive(Clone, Debug, Default)]
pub struct Text {
    rope: Rope,
    /// The same text as one string. An edit changes it in place when no
    /// snapshot shares it, else it is copied first.
    flat: Arc<Flat>,
    /// How many edits were applied since the text was made.
    revision: u64,
    /// The last [`REMEMBERED_EDITS`] of them, oldest first.
    edits: VecDeque<ByteEdit>,
}

impl Text {
    pub fn new(text: &str) -> Text {
        Text::from_string(text.to_string())
    }

    /// The text of `text`, taking its buffer.
    pub fn from_string(text: String) -> Text {
        Text {
            rope: Rope::from_str(&text),
            flat: Arc::new(Flat::from(text)),
            revision: 0,
            edits: VecDeque::new(),
        }
    }

    /// How many edits were applied since the text was made: a version of
    /// this text is known by it.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// What this text shares with its version at `revision`, which was
    /// `len` bytes long; `None` when that version is too many edits ago
    /// (or is not one of this text's).
    pub fn unchanged_since(&self, revision: u64, len: usize) -> Option<Unchanged> {
        let behind = usize::try_from(self.revision.checked_sub(revision)?).ok()?;
        let first = self.edits.len().checked_sub(behind)?;
        let edits = self.edits.range(first..);
        // Each edit knows the length of the text it was made on.
        let then = edits.clone().next().map_or(self.len(), |e| e.len);
        if then != len {
            return None;
        }
        Some(edits.fold(Unchanged::all(len), |u, e| u.edit(e.start, e.end, e.len)))
    }

    fn remember(&mut self, edit: ByteEdit) {
        self.revision += 1;
        if self.edits.len() == REMEMBERED_EDITS {
            self.edits.pop_front();
        }
        self.edits.push_back(edit);
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    pub fn is_empty(&self) -> bool {
        self.rope.len_bytes() == 0
    }

    /// The whole text as one string, shared: O(1).
    pub fn flat(&self) -> &Arc<Flat> {
        &self.flat
    }

    /// The whole text as one new string.
    pub fn contents(&self) -> String {
        self.flat.as_str().to_string()
    }

    /// Does the string hold what the rope holds? (For tests: it always
    /// should.)
    pub fn is_consistent(&self) -> bool {
        self.flat.len() == self.rope.len_bytes()
            && self
                .rope
                .chunks()
                .scan(0, |at, chunk| {
                    let start = *at;
                    *at += chunk.len();
                    Some(self.flat.as_bytes()[start..*at] == *chunk.as_bytes())
                })
                .all(|same| same)
    }

    /// Applies `changes` in order, each relative to the text the previous
    /// one left. If any change is invalid (see [`validate`]), none is
    /// applied.
    pub fn apply(&mut self, changes: &[Change], enc: Encoding) -> Result<(), ChangeError> {
        validate(changes)?;
        for change in changes {
            let Some((start, end)) = change.range else {
                let len = self.flat.len();
                self.remember(ByteEdit {
                    start: 0,
                    end: len,
                    len,
                });
                self.rope = Rope::from_str(&change.text);
                match Arc::get_mut(&mut self.flat) {
                    Some(flat) => flat.replace_all(&change.text),
                    None => self.flat = Arc::new(Flat::from(change.text.clone())),
                }
                continue;
            };
            let a = self.offset(&self.flat, start, enc);
            let b = self.offset(&self.flat, end, enc).max(a);
            let rope = &mut self.rope;
            let ca = rope.byte_to_char(a);
            let cb = rope.byte_to_char(b);
            // The character boundaries the rope edits at.
            let (a, b) = (rope.char_to_byte(ca), rope.char_to_byte(cb));
            if cb > ca {
                rope.remove(ca..cb);
            }
            if !change.text.is_empty() {
                rope.insert(ca, &change.text);
            }
            let len = self.flat.len();
            self.remember(ByteEdit {
                start: a,
                end: b,
                len,
            });
            Arc::make_mut(&mut self.flat).replace_range(a..b, &change.text);
        }
        Ok(())
    }
}

/// A text as one string, inside a buffer with room before and after it:
/// an edit moves the text before it or the text after it, whichever is
/// shorter (on average a quarter of the text for an edit at a random place,
/// where a `String` moves half). Dereferences to `str`.
#[derive(Default)]
pub struct Flat {
    /// The text is `buf[start..]`; the room after it is the vector's spare
    /// capacity.
    buf: Vec<u8>,
    start: usize,
}

impl Flat {
    /// The room made before the text when it runs out: a sixteenth of the
    /// text, at least this much.
    const MIN_ROOM: usize = 4096;

    pub fn as_str(&self) -> &str {
        // SAFETY: `buf[start..]` is always valid UTF-8: it is made of a
        // `String`'s bytes, and `replace_range` only replaces whole
        // characters with a `str`'s bytes.
        unsafe { std::str::from_utf8_unchecked(&self.buf[self.start..]) }
    }

    /// Replaces the whole text.
    fn replace_all(&mut self, text: &str) {
        self.buf.clear();
        self.start = 0;
        self.buf.extend_from_slice(text.as_bytes());
    }

    /// Replaces `range` (at character boundaries) with `with`, moving the
    /// shorter side of the text. Panics as `String::replace_range` does
    /// when the range is out of bounds or not at character boundaries.
    pub fn replace_range(&mut self, range: std::ops::Range<usize>, with: &str) {
        let (a, b) = (range.start, range.end);
        let text = self.as_str();
        assert!(
            a <= b && b <= text.len() && text.is_char_boundary(a) && text.is_char_boundary(b),
            "replace_range {a}..{b} of a text of {} bytes",
            text.len()
        );
        let len = text.len();
        let (removed, added) = (b - a, with.len());
        if added > removed {
            let grow = added - removed;
            // Before the edit, moved back by `grow`, or after it, moved on.
            if a < len - b {
                if self.start < grow {
                    *self = Flat::with_room(&self.buf[self.start..], grow);
                }
                let s = self.start;
                self.buf.copy_within(s..s + a, s - grow);
                self.start -= grow;
            } else {
                if self.buf.capacity() - self.buf.len() < grow && self.start > Self::room(len) {
                    // The vector would grow while the room before the
                    // text, left by deletions there, is more than it needs:
                    // copy the text to a new buffer instead, so that the
                    // buffer follows the text's length, not the edits made.
                    *self = Flat::with_room(&self.buf[self.start..], 0);
                }
                let end = self.buf.len();
                self.buf.resize(end + grow, 0);
                let s = self.start;
                self.buf.copy_within(s + b..end, s + b + grow);
            }
        } else if removed > added {
            let shrink = removed - added;
            if a < len - b {
                let s = self.start;
                self.buf.copy_within(s..s + a, s + shrink);
                self.start += shrink;
            } else {
                let s = self.start;
                let end = self.buf.len();
                self.buf.copy_within(s + b..end, s + b - shrink);
                self.buf.truncate(end - shrink);
            }
        }
        let s = self.start;
        self.buf[s + a..s + a + added].copy_from_slice(with.as_bytes());
    }

    /// The room made on each side of a text of `len` bytes.
    fn room(len: usize) -> usize {
        (len / 16).max(Self::MIN_ROOM)
    }

    /// `text` in a new buffer with room for at least `need` bytes before it
    /// (and [`Self::room`]) and as much after it.
    fn with_room(text: &[u8], need: usize) -> Flat {
        let room = need.max(Self::room(text.len()));
        let mut buf: Vec<u8> = Vec::with_capacity(room + text.len() + room);
        buf.resize(room, 0);
        buf.extend_from_slice(text);
        Flat { buf, start: room }
    }
}

impl From<String> for Flat {
    /// Takes the string's buffer: no room before the text until an edit
    /// near its start makes some.
    fn from(text: String) -> Flat {
        Flat {
            buf: text.into_bytes(),
            start: 0,
        }
    }
}

impl Clone for Flat {
    /// The text with room on both sides (an edit of a text shared with a
    /// snapshot clones it first, then moves a side).
    fn clone(&self) -> Flat {
        Flat::with_room(&self.buf[self.start..], 0)
    }
}

impl std::ops::Deref for Flat {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl std::fmt::Debug for Flat {
    /// Its length only: a document's text is never logged.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Flat({} bytes)", self.len())
    }
}

/// Checks the changes of one notification: the first with its start after
/// its end is an error. Whether a change is valid does not depend on the
/// text, so a notification can be checked before anything is applied.
pub fn validate(changes: &[Change]) -> Result<(), ChangeError> {
    for (index, change) in changes.iter().enumerate() {
        if let Some((start, end)) = change.range {
            if (start.line, start.col) > (end.line, end.col) {
                return Err(ChangeError::ReversedRange { index });
            }
        }
    }
    Ok(())
}

/// The rope's lines (O(log n) each); the text they are of is [`Text::flat`].
impl LineStarts for Text {
    /// As LSP counts them (a final line break starts an empty last line).
    fn line_count(&self) -> usize {
        self.rope.len_lines()
    }

    fn line_start(&self, line: usize) -> usize {
        self.rope.line_to_byte(line.min(self.rope.len_lines() - 1))
    }

    fn line_of(&self, offset: usize) -> usize {
        self.rope.byte_to_line(offset.min(self.rope.len_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;

    fn lc(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }

    fn change(a: LineCol, b: LineCol, text: &str) -> Change {
        Change {
            range: Some((a, b)),
            text: text.into(),
        }
    }

    #[test]
    fn lines_match_lsp() {
        for (text, lines) in [
            ("a\u{2028}b", 1),
            ("a\x0Cb", 1),
            ("a\u{85}b", 1),
            ("a\x0Bb", 1),
            ("a\rb", 2),
            ("a\r\nb", 2),
            ("a\n", 2),
            ("", 1),
        ] {
            assert_eq!(Text::new(text).line_count(), lines, "{text:?}");
            assert_eq!(LineIndex::new(text).line_count(), lines, "{text:?}");
        }
    }

    #[test]
    fn clamps_like_line_index() {
        let text = "a😀b\r\nxy\rz\u{2028}w\n";
        let t = Text::new(text);
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for line in 0..6 {
                for col in 0..12 {
                    let pos = lc(line, col);
                    assert_eq!(
                        t.offset(text, pos, enc),
                        index.offset(text, pos, enc),
                        "{enc:?} {line}:{col}"
                    );
                }
            }
        }
    }

    #[test]
    fn positions_and_lines_match_line_index() {
        let text = "a😀b\r\nxy\rz\u{2028}w\n\n中\r\n";
        let t = Text::new(text);
        let index = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            for offset in 0..=text.len() + 2 {
                assert_eq!(
                    t.line_col(text, offset, enc),
                    index.line_col(text, offset, enc),
                    "{enc:?} {offset}"
                );
            }
        }
        for offset in 0..=text.len() {
            assert_eq!(t.line_of(offset), index.line_of(offset), "{offset}");
        }
        for line in 0..8 {
            assert_eq!(
                t.line_span(text, line),
                index.line_span(text, line),
                "{line}"
            );
        }
    }

    #[test]
    fn over_long_column_keeps_the_line_break() {
        let mut t = Text::new("ab\r\ncd");
        t.apply(&[change(lc(0, 1), lc(0, 99), "X")], Encoding::Utf16)
            .unwrap();
        assert_eq!(t.contents(), "aX\r\ncd");
    }

    #[test]
    fn reversed_range_changes_nothing() {
        let mut t = Text::new("hello\nworld");
        let err = t.apply(
            &[
                change(lc(0, 0), lc(0, 1), "J"),
                change(lc(1, 3), lc(1, 1), "x"),
            ],
            Encoding::Utf8,
        );
        assert_eq!(err, Err(ChangeError::ReversedRange { index: 1 }));
        assert_eq!(
            validate(&[change(lc(1, 3), lc(1, 1), "x")]),
            Err(ChangeError::ReversedRange { index: 0 })
        );
        assert_eq!(t.contents(), "hello\nworld");
        assert!(t.is_consistent());
    }

    #[test]
    fn surrogate_pair_middle_clamps_to_char_start() {
        let mut t = Text::new("x😀y");
        // UTF-16 column 2 is inside the emoji: treated as column 1.
        t.apply(&[change(lc(0, 2), lc(0, 2), "|")], Encoding::Utf16)
            .unwrap();
        assert_eq!(t.contents(), "x|😀y");
        // UTF-8 offset 3 is inside the emoji too.
        let mut t = Text::new("x😀y");
        t.apply(&[change(lc(0, 3), lc(0, 5), "")], Encoding::Utf8)
            .unwrap();
        assert_eq!(t.contents(), "xy");
    }

    use crate::test_rng::Rng;

    const PIECES: &[&str] = &[
        "a",
        "trueconf:bob",
        "😀",
        "中",
        "e\u{301}",
        "\r\n",
        "\r",
        "\n",
        "\u{2028}",
        "\u{85}",
        "\x0C",
        "&",
        " ",
    ];

    /// Incremental edits through the rope equal the same edits applied to a
    /// `String` through `LineIndex`, in every encoding.
    #[test]
    fn incremental_edits_match_a_string_model() {
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let mut rng = Rng::new(0x9e37_79b9_7f4a_7c15);
            let mut model = String::new();
            let mut text = Text::new("");
            for _ in 0..2000 {
                let index = LineIndex::new(&model);
                let mut pos = || {
                    let line = rng.below(index.line_count() + 1) as u32;
                    let col = rng.below(12) as u32;
                    lc(line, col)
                };
                let (mut a, mut b) = (pos(), pos());
                if (a.line, a.col) > (b.line, b.col) {
                    std::mem::swap(&mut a, &mut b);
                }
                let mut insert = String::new();
                for _ in 0..rng.below(3) {
                    insert.push_str(PIECES[rng.below(PIECES.len())]);
                }
                let sa = index.offset(&model, a, enc);
                let sb = index.offset(&model, b, enc).max(sa);
                model.replace_range(sa..sb, &insert);
                let shared = (rng.below(4) == 0).then(|| text.clone());
                text.apply(&[change(a, b, &insert)], enc).unwrap();
                assert_eq!(text.contents(), model);
                assert!(text.is_consistent());
                if let Some(before) = shared {
                    // A snapshot taken before the edit keeps its text.
                    assert!(before.is_consistent());
                    assert_eq!(before.flat().len() + insert.len(), model.len() + (sb - sa));
                }
                let index = LineIndex::new(&model);
                for _ in 0..4 {
                    let offset = rng.below(model.len() + 1);
                    assert_eq!(
                        text.line_col(&model, offset, enc),
                        index.line_col(&model, offset, enc)
                    );
                }
            }
        }
    }

    /// `Flat::replace_range` gives what `String::replace_range` gives, for
    /// edits of every size at every place (moving either side, making
    /// room before the text), from a text taken from a `String` or empty.
    #[test]
    fn flat_edits_match_a_string() {
        let mut rng = Rng::new(0x5851_f42d_4c95_7f2d);
        for start in [String::new(), "ab中\n".repeat(3000)] {
            let mut model = start.clone();
            let mut flat = Flat::from(start);
            for step in 0..3000 {
                let boundary = |rng: &mut Rng, model: &str| {
                    let mut at = rng.below(model.len() + 1);
                    while !model.is_char_boundary(at) {
                        at -= 1;
                    }
                    at
                };
                let (mut a, mut b) = (boundary(&mut rng, &model), boundary(&mut rng, &model));
                if a > b {
                    std::mem::swap(&mut a, &mut b);
                }
                // Mostly small edits, some near either end, some long.
                match rng.below(6) {
                    0 => (a, b) = (0, b.min(a + rng.below(4))),
                    1 => a = b.saturating_sub(rng.below(4)),
                    2 => (a, b) = (model.len(), model.len()),
                    _ => {}
                }
                while !model.is_char_boundary(a) {
                    a -= 1;
                }
                while !model.is_char_boundary(b) {
                    b += 1;
                }
                let mut with = String::new();
                let pieces = if rng.below(50) == 0 {
                    2000
                } else {
                    rng.below(4)
                };
                for _ in 0..pieces {
                    with.push_str(PIECES[rng.below(PIECES.len())]);
                }
                if rng.below(10) == 0 {
                    b = a;
                }
                model.replace_range(a..b, &with);
                flat.replace_range(a..b, &with);
                assert_eq!(flat.as_str(), model, "step {step}");
                if step % 500 == 0 {
                    assert_eq!(flat.clone().as_str(), model);
                }
            }
        }
    }

    /// A text of megabytes, edited near both ends and in the middle.
    #[test]
    fn a_big_flat_text_edits_like_a_string() {
        let mut model = "line trueconf:a\n".repeat((4 << 20) / 16);
        let mut flat = Flat::from(model.clone());
        let mut rng = Rng::new(0x1234_5678_9abc_def1);
        for step in 0..40 {
            let len = model.len();
            let a = match step % 3 {
                0 => rng.below(64),
                1 => len - rng.below(64).min(len),
                _ => rng.below(len),
            };
            let mut a = a;
            while !model.is_char_boundary(a) {
                a -= 1;
            }
            let mut b = (a + rng.below(3)).min(len);
            while !model.is_char_boundary(b) {
                b += 1;
            }
            let with = ["", "x", "中", "\n\n\n"][rng.below(4)];
            model.replace_range(a..b, with);
            flat.replace_range(a..b, with);
            assert!(flat.as_str() == model, "step {step}");
        }
    }

    /// Deleting at the start while appending at the end (a log kept
    /// short) keeps the buffer near the text's size: the room the
    /// deletions leave is given back instead of the vector growing.
    #[test]
    fn a_flat_text_does_not_grow_with_the_edits() {
        let line = "0123456789".repeat(10);
        let model = line.repeat(640);
        let mut flat = Flat::from(model.clone());
        for _ in 0..20_000 {
            flat.replace_range(0..line.len(), "");
            let end = flat.len();
            flat.replace_range(end..end, &line);
        }
        // The same lines, moved through the whole text many times.
        assert_eq!(flat.as_str(), model);
        assert!(
            flat.buf.capacity() <= 3 * model.len(),
            "a buffer of {} bytes for {} bytes of text",
            flat.buf.capacity(),
            model.len()
        );
    }

    #[test]
    #[should_panic(expected = "replace_range")]
    fn flat_refuses_a_range_inside_a_character() {
        Flat::from("中".to_string()).replace_range(1..2, "x");
    }

    #[test]
    fn several_changes_apply_in_sequence() {
        let mut t = Text::new("abc");
        t.apply(
            &[
                change(lc(0, 3), lc(0, 3), "\r\n"),
                change(lc(1, 0), lc(1, 0), "d"),
                Change {
                    range: None,
                    text: "new".into(),
                },
                change(lc(0, 0), lc(0, 1), "N"),
            ],
            Encoding::Utf16,
        )
        .unwrap();
        assert_eq!(t.contents(), "New");
        assert!(t.is_consistent());
    }

    /// Positions through the rope, remembered or not, are the index's.
    #[test]
    fn remembered_positions_on_the_rope_match_the_index() {
        let text = crate::text::tests::remembered_text();
        crate::text::tests::check_remembered_positions(&text, &Text::new(&text));
    }
}
