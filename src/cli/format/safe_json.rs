//! JSON as `serde_json` writes it, but with every character
//! [`crate::text::is_unsafe_to_print`] that JSON allows raw (DEL, C1
//! controls, bidi overrides and isolates, line and paragraph separators)
//! written as a `\u` escape: a report shown in a terminal or a CI log can
//! neither drive it nor reorder what it shows. The value is the same JSON;
//! reports without such characters are byte-identical to plain
//! `serde_json` output.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// A formatter that escapes what [`crate::text::is_unsafe_to_print`] names
/// and is otherwise `F`.
pub struct Safe<F>(pub F);

impl Safe<PrettyFormatter<'static>> {
    pub fn pretty() -> Self {
        Safe(PrettyFormatter::new())
    }
}

impl<F: Formatter> Formatter for Safe<F> {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json has escaped `"`, `\` and C0 controls already.
        if !crate::text::may_hold_unsafe_to_print(fragment) {
            return writer.write_all(fragment.as_bytes());
        }
        let mut from = 0;
        for (i, c) in fragment.char_indices() {
            if crate::text::is_unsafe_to_print(c) {
                writer.write_all(&fragment.as_bytes()[from..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                from = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[from..])
    }

    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(&mut self, w: &mut W, first: bool) -> io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn end_object_key<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_key(w)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// `serde_json::to_writer_pretty`, escaped as [`Safe`] does.
pub fn to_writer_pretty<W: Write, T: ?Sized + Serialize>(
    writer: W,
    value: &T,
) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, Safe::pretty());
    value.serialize(&mut ser)
}

/// `serde_json::to_writer` (compact), escaped as [`Safe`] does.
pub fn to_writer<W: Write, T: ?Sized + Serialize>(writer: W, value: &T) -> serde_json::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(writer, Safe(CompactFormatter));
    value.serialize(&mut ser)
}

/// `serde_json::to_vec_pretty`, escaped as [`Safe`] does.
pub fn to_vec_pretty<T: ?Sized + Serialize>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(128);
    to_writer_pretty(&mut out, value)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn unsafe_characters_are_escaped_and_the_value_is_the_same() {
        let v =
            json!({"m": "a\u{1b}[2J\u{7f}\u{85}\u{202e}\u{2028}b\"\\\u{e9}", "k\u{9b}": [1, "x"]});
        let safe = super::to_vec_pretty(&v).unwrap();
        let text = String::from_utf8(safe.clone()).unwrap();
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && crate::text::is_unsafe_to_print(c)),
            "{text}"
        );
        assert!(
            text.contains(r#""a\u001b[2J\u007f\u0085\u202e\u2028b\"\\é""#),
            "{text}"
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&safe).unwrap(),
            v
        );
        let mut compact = Vec::new();
        super::to_writer(&mut compact, &v).unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&compact).unwrap(),
            v
        );
        // Without such characters: the bytes of serde_json.
        let plain = json!({"a": ["é", 1, {"b": null}], "c": "trueconf:x&h=1"});
        assert_eq!(
            super::to_vec_pretty(&plain).unwrap(),
            serde_json::to_vec_pretty(&plain).unwrap()
        );
        let mut compact = Vec::new();
        super::to_writer(&mut compact, &plain).unwrap();
        assert_eq!(compact, serde_json::to_vec(&plain).unwrap());
    }
}
