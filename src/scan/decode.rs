//! Decoded views of link text: HTML character references and backslash
//! escapes are resolved for judging, with a map back to source bytes.

use std::borrow::Cow;

use crate::text::Span;

/// Which escapes the host syntax applies to the link's source bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decode {
    /// The source bytes are the link.
    None,
    /// HTML character references (`&amp;`, `&#38;`, `&#x26;`, …).
    Entities,
    /// Backslash escapes of a string literal (`\\`, `\"`, `\/`, `\u0026`).
    /// Escapes the host language gives another meaning to, such as `\c`, are
    /// kept as written so the link reads as its author meant it; TC014 judges
    /// them separately.
    Backslash,
    /// [`Decode::Backslash`] where a line continuation also stands for the
    /// white space after it, the next line's indentation (Rust strings,
    /// TOML's `"""` strings).
    BackslashTrim,
    /// An unquoted POSIX shell word: a backslash before punctuation takes
    /// it as it is (`\&` is `&`, `\\\\` is `\\`); before a line break the two
    /// stand for nothing; before a letter or a digit it is kept as written
    /// (the shell drops it: `\c` and `\1` are TC014's, and `\167` is no
    /// octal escape there, nor `\u0026` a code point).
    BackslashAny,
    /// A reStructuredText hyperlink target's URI (`.. _name: …`, `__ …`) or
    /// a reference's embedded URI (`` `text <…>`_ ``): docutils joins its
    /// lines and removes all white space from it (white space is allowed
    /// there for line wrapping).
    NoSpace,
    /// [`Decode::Backslash`] of a string literal that adjacent literals
    /// continue (Python, the C family, Ruby): each junction, the closing
    /// `quote`, the white space and the next literal's opening `quote`,
    /// stands for nothing (see [`junction`]).
    BackslashJoined { quote: u8 },
    /// Lua's strings: [`Decode::Backslash`], but `\ddd` is a decimal code
    /// (`\112` is `p`), not an octal one.
    BackslashDecimal,
    /// Markdown prose and destinations: HTML character references and
    /// CommonMark backslash escapes (`\&` is `&`, `\\` is `\`).
    Markdown,
    /// JavaScript inside an HTML attribute: character references first,
    /// then the string literal's backslash escapes.
    EntitiesThenBackslash,
    /// A cmd batch file: `%%` is `%`, and in unquoted words (`word`) `^`
    /// escapes the next character.
    Batch { word: bool },
    /// A POSIX shell's double quotes: only `\$ \` \" \\` and a newline are
    /// escapes; any other backslash stays (`\c` is `\c`).
    ShellDouble,
    /// A PowerShell double-quoted string: the backtick is the escape
    /// (`` `" `` is `"`, `` `$ `` is `$`, `` `n `` a newline); backslashes are
    /// literal, and `""` stands for one `"`.
    Backtick,
    /// A single-quoted string of Ruby, PHP or Perl (`'…'`, `%q(…)`,
    /// `q{…}`): only `\\` and `\'` are escapes; any other backslash stays
    /// (`\c` is `\c`).
    SingleQuoted,
}

/// A link's text as the consumer of the link sees it, with a byte map back to
/// the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodedText<'t> {
    pub text: Cow<'t, str>,
    /// `map[i]` is the source offset (relative to the link's start) of decoded
    /// byte `i`; `map[text.len()]` is the source length. `None` when the
    /// decoded text is the source. `u32`: half the memory of `usize` for
    /// a byte map (a link longer than 4 GiB is never decoded: [`decode`]).
    map: Option<Vec<u32>>,
}

impl<'t> DecodedText<'t> {
    pub fn identity(text: &'t str) -> Self {
        DecodedText {
            text: Cow::Borrowed(text),
            map: None,
        }
    }

    /// Without its tabs and line breaks, as the URL parser reads a link
    /// attribute's value (whether written raw or as references).
    pub fn without_tabs_and_breaks(self) -> Self {
        if !self.text.contains(['\t', '\n', '\r']) {
            return self;
        }
        let mut text = String::with_capacity(self.text.len());
        let mut map = Vec::with_capacity(self.text.len() + 1);
        for (i, c) in self.text.char_indices() {
            if matches!(c, '\t' | '\n' | '\r') {
                continue;
            }
            text.push(c);
            map.extend((i..i + c.len_utf8()).map(|k| self.to_source(k) as u32));
        }
        map.push(self.to_source(self.text.len()) as u32);
        DecodedText {
            text: Cow::Owned(text),
            map: Some(map),
        }
    }

    /// Without its white space, as docutils reads a reStructuredText URI
    /// (see [`is_rst_space`]).
    pub fn without_space(self) -> Self {
        let space = is_rst_space;
        if !self.text.contains(space) {
            return self;
        }
        let mut text = String::with_capacity(self.text.len());
        let mut map = Vec::with_capacity(self.text.len() + 1);
        for (i, c) in self.text.char_indices() {
            if space(c) {
                continue;
            }
            text.push(c);
            map.extend((i..i + c.len_utf8()).map(|k| self.to_source(k) as u32));
        }
        map.push(self.to_source(self.text.len()) as u32);
        DecodedText {
            text: Cow::Owned(text),
            map: Some(map),
        }
    }

    /// Source offset (relative to the link) of decoded offset `i`.
    pub fn to_source(&self, i: usize) -> usize {
        match &self.map {
            None => i,
            Some(map) => map[i.min(map.len() - 1)] as usize,
        }
    }

    /// The source span of decoded span `s` of the link at `base` of
    /// `source`, decoded under `mode`: without the gap after its last
    /// character that the decoding drops (white space of a
    /// reStructuredText URI, a junction of adjacent literals), so that an
    /// edit of the span keeps it, and a secret does not cover it.
    pub fn source_span(&self, source: &str, base: usize, mode: Decode, s: Span) -> Span {
        let start = base + self.to_source(s.start);
        let mut end = base + self.to_source(s.end);
        if s.end > s.start {
            let last = base + self.to_source(s.end - 1);
            let bytes = source.as_bytes();
            match mode {
                Decode::NoSpace => end = end.min(last + 1),
                Decode::BackslashJoined { .. } => {
                    end = (last + 1..end)
                        .find(|&p| {
                            matches!(bytes[p], b'"' | b'\'')
                                && junction(bytes, p, bytes[p], JoinRules::ANY)
                                    .is_some_and(|j| p + j.len == end)
                        })
                        .unwrap_or(end);
                }
                _ => {}
            }
        }
        Span::new(start, end)
    }

    /// Source length of the decoded byte range `[a, b)`.
    pub fn source_len(&self, a: usize, b: usize) -> usize {
        self.to_source(b) - self.to_source(a)
    }

    pub fn is_identity(&self) -> bool {
        self.map.is_none()
    }

    /// The first `len` decoded bytes.
    pub fn truncate(&mut self, len: usize) {
        if len >= self.text.len() {
            return;
        }
        match &mut self.text {
            Cow::Borrowed(s) => *s = &s[..len],
            Cow::Owned(s) => s.truncate(len),
        }
        if let Some(map) = &mut self.map {
            map.truncate(len + 1);
        }
    }
}

/// How adjacent string literals join in a language (see [`junction`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JoinRules {
    /// A bare line break may stand in a junction (Python inside brackets,
    /// the C family); a backslash line continuation always may.
    pub bare_breaks: bool,
    /// The quotes the next literal may open with.
    pub quotes: &'static [u8],
    /// The prefixes the next literal may have that keep its escapes as
    /// they are (Python's `u` and `f`, C's `L`, `u8`, `u` and `U`),
    /// longest first.
    pub prefixes: &'static [&'static [u8]],
    /// What opens a comment that runs to the end of its line (`#`, `//`).
    pub line_comments: &'static [&'static [u8]],
    /// Block comments (`/* … */`) may stand in a junction.
    pub block_comments: bool,
}

impl JoinRules {
    pub const PYTHON: JoinRules = JoinRules {
        bare_breaks: true,
        quotes: b"\"'",
        prefixes: &[b"u", b"U", b"f", b"F"],
        line_comments: &[b"#"],
        block_comments: false,
    };
    pub const C: JoinRules = JoinRules {
        bare_breaks: true,
        quotes: b"\"",
        prefixes: &[b"u8", b"u", b"U", b"L"],
        line_comments: &[b"//"],
        block_comments: true,
    };
    pub const RUBY: JoinRules = JoinRules {
        bare_breaks: false,
        quotes: b"\"",
        prefixes: &[],
        line_comments: &[],
        block_comments: false,
    };
    /// What a decoding accepts: every junction a scan accepted.
    pub const ANY: JoinRules = JoinRules {
        bare_breaks: true,
        quotes: b"\"'",
        prefixes: &[b"u8", b"u", b"U", b"f", b"F", b"L"],
        line_comments: &[b"#", b"//"],
        block_comments: true,
    };
}

/// How long a comment inside a junction may be.
const MAX_COMMENT: usize = 256;

/// A junction of two adjacent string literals (see [`junction`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Junction {
    pub len: usize,
    /// The quote that opens (and will close) the next literal.
    pub quote: u8,
    /// A bare line break stands in it.
    pub bare_break: bool,
}

/// The junction at `i` of two adjacent string literals that the language
/// joins into one (`"trueconf:…&" "password=…"`): the closing `quote` at
/// `i`, spaces, tabs and at most one line break (a backslash line
/// continuation, or a bare one where `rules` allow it), then the next
/// literal's prefix, if any, and opening quote. `None` when there is none
/// there, or the next literal is triple-quoted.
pub fn junction(bytes: &[u8], i: usize, quote: u8, rules: JoinRules) -> Option<Junction> {
    if bytes.get(i) != Some(&quote) {
        return None;
    }
    let mut j = i + 1;
    let mut breaks = 0;
    let mut bare_break = false;
    loop {
        match *bytes.get(j)? {
            b' ' | b'\t' | b'\x0c' => j += 1,
            b'\\' if matches!(bytes.get(j + 1), Some(b'\n' | b'\r')) => {
                breaks += 1;
                j += if bytes[j + 1..].starts_with(b"\r\n") {
                    3
                } else {
                    2
                };
            }
            // A comment (a few lines' worth at most).
            b'#' | b'/'
                if rules
                    .line_comments
                    .iter()
                    .any(|c| bytes[j..].starts_with(c)) =>
            {
                let end = memchr::memchr2(b'\n', b'\r', &bytes[j..]).map(|k| j + k)?;
                if end - j > MAX_COMMENT {
                    return None;
                }
                j = end;
            }
            b'/' if rules.block_comments && bytes[j..].starts_with(b"/*") => {
                let window = &bytes[j + 2..bytes.len().min(j + 2 + MAX_COMMENT)];
                j += 2 + memchr::memmem::find(window, b"*/")? + 2;
            }
            b'\n' | b'\r' if rules.bare_breaks => {
                breaks += 1;
                bare_break = true;
                j += if bytes[j..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
            }
            _ => break,
        }
        if breaks > 1 {
            return None;
        }
    }
    let opens = |k: usize| bytes.get(k).is_some_and(|b| rules.quotes.contains(b));
    if let Some(p) = rules
        .prefixes
        .iter()
        .find(|p| bytes[j..].starts_with(p) && opens(j + p.len()))
    {
        j += p.len();
    }
    let next = *bytes.get(j)?;
    if !rules.quotes.contains(&next)
        || bytes.get(j + 1) == Some(&next) && bytes.get(j + 2) == Some(&next)
    {
        return None;
    }
    Some(Junction {
        len: j + 1 - i,
        quote: next,
        bare_break,
    })
}

/// White space as docutils removes it from a URI: Python's `str.split()`
/// splits at Unicode white space and at `\x1c`–`\x1f`.
pub fn is_rst_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// `s` without the white space docutils would drop at its end.
pub fn trim_space_end(s: &str) -> &str {
    s.trim_end_matches(is_rst_space)
}

/// Decodes `src` under `mode`.
pub fn decode(src: &str, mode: Decode) -> DecodedText<'_> {
    if u32::try_from(src.len()).is_err() {
        // Offsets of the byte map are `u32`; no document is this large.
        return DecodedText::identity(src);
    }
    let (special, mut other) = match mode {
        Decode::None => return DecodedText::identity(src),
        Decode::NoSpace => return DecodedText::identity(src).without_space(),
        Decode::EntitiesThenBackslash => return decode_twice(src),
        Decode::Batch { .. } => return batch(src, mode),
        Decode::ShellDouble | Decode::Backtick | Decode::SingleQuoted | Decode::BackslashAny => {
            return escaped_by(src, mode);
        }
        Decode::Entities => (b'&', b'&'),
        Decode::Backslash | Decode::BackslashTrim | Decode::BackslashDecimal => (b'\\', b'\\'),
        Decode::BackslashJoined { quote } => (b'\\', quote),
        Decode::Markdown => (b'&', b'\\'),
    };
    if memchr::memchr2(special, other, src.as_bytes()).is_none() {
        return DecodedText::identity(src);
    }
    let mut text = String::with_capacity(src.len());
    let mut map = Vec::with_capacity(src.len() + 1);
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < src.len() {
        let step = if bytes[i] == special || bytes[i] == other {
            match mode {
                Decode::Entities => entity(&src[i..]).map(|(c, n)| (Some(c), n)),
                // Where an adjacent literal continues the string: the
                // next one's quote closes it.
                Decode::BackslashJoined { .. } if bytes[i] == other => {
                    junction(bytes, i, other, JoinRules::ANY).map(|j| {
                        other = j.quote;
                        (None, j.len)
                    })
                }
                // A line continuation: the backslash and the line break
                // stand for nothing.
                Decode::Backslash
                | Decode::BackslashTrim
                | Decode::BackslashDecimal
                | Decode::BackslashJoined { .. } => {
                    let radix = if mode == Decode::BackslashDecimal {
                        10
                    } else {
                        8
                    };
                    match continuation(bytes, i, mode) {
                        Some(n) => Some((None, n)),
                        None => backslash(&src[i..])
                            .or_else(|| numeric_escape(src, i, radix))
                            .map(|(c, n)| (Some(c), n)),
                    }
                }
                Decode::Markdown if bytes[i] == b'&' => {
                    entity(&src[i..]).map(|(c, n)| (Some(c), n))
                }
                Decode::Markdown => bytes
                    .get(i + 1)
                    .filter(|b| b.is_ascii_punctuation())
                    .map(|&b| (Some(char::from(b)), 2)),
                Decode::None
                | Decode::NoSpace
                | Decode::EntitiesThenBackslash
                | Decode::Batch { .. }
                | Decode::ShellDouble
                | Decode::Backtick
                | Decode::SingleQuoted
                | Decode::BackslashAny => None,
            }
        } else {
            None
        };
        match step {
            Some((Some(c), len)) => {
                let start = text.len();
                text.push(c);
                map.extend(std::iter::repeat_n(i as u32, text.len() - start));
                i += len;
            }
            Some((None, len)) => i += len,
            None => {
                let c = src[i..].chars().next().unwrap_or('\0');
                for k in 0..c.len_utf8() {
                    map.push((i + k) as u32);
                }
                text.push(c);
                i += c.len_utf8();
            }
        }
    }
    map.push(src.len() as u32);
    DecodedText {
        text: Cow::Owned(text),
        map: Some(map),
    }
}

/// [`Decode::EntitiesThenBackslash`]: the backslash view of the entity
/// view, with the two maps composed.
fn decode_twice(src: &str) -> DecodedText<'_> {
    let first = decode(src, Decode::Entities);
    if first.is_identity() {
        return decode(src, Decode::Backslash);
    }
    let second = decode(&first.text, Decode::Backslash);
    if second.is_identity() {
        return first;
    }
    let map = (0..=second.text.len())
        .map(|i| first.to_source(second.to_source(i)) as u32)
        .collect();
    DecodedText {
        text: Cow::Owned(second.text.into_owned()),
        map: Some(map),
    }
}

/// The character an HTML character reference at the start of `s` stands for,
/// and the reference's length, as a browser reads it in an attribute value
/// (the HTML standard's character reference state):
///
/// - a named reference of the standard's list (`&plus;`, `&NewLine;`);
/// - one of the legacy names without its `;` (`&amp`, `&lt`, `&copy`),
///   unless a `=` or a letter or digit follows (`&copy=1` stays as it is);
/// - a numeric reference (`&#38;`, `&#x26;`), with or without its `;`; a
///   code point of none, a surrogate or one past U+10FFFF is U+FFFD.
///
/// A reference of two code points (a few mathematical symbols) stands for
/// its first.
pub fn entity(s: &str) -> Option<(char, usize)> {
    let rest = s.strip_prefix('&')?;
    if let Some(num) = rest.strip_prefix('#') {
        return numeric_reference(num).map(|(c, len)| (c, len + 2));
    }
    let bytes = rest.as_bytes();
    let run = bytes
        .iter()
        .take(MAX_ENTITY_NAME + 1)
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    if run == 0 {
        return None;
    }
    if bytes.get(run) == Some(&b';') {
        // The references links hold most, without a lookup.
        let common = match &rest[..run] {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ => None,
        };
        if let Some(c) = common.or_else(|| entity_names().get(&rest[..=run]).copied()) {
            return Some((c, run + 2));
        }
    }
    let legacy = legacy_names();
    // The longest legacy name the run starts with, not followed by `=` or
    // a letter or digit. Most runs are a parameter's name after a raw `&`
    // (`&encrypt=1`): each shorter start is looked up, as a number.
    let head = pack(&bytes[..run.min(MAX_LEGACY_NAME)]);
    for len in (1..=run.min(MAX_LEGACY_NAME)).rev() {
        let key = head & (u64::MAX >> (64 - 8 * len));
        if let Ok(i) = legacy.binary_search_by_key(&key, |&(k, _)| k) {
            let c = legacy[i].1;
            let next = bytes.get(len).copied();
            if next.is_some_and(|b| b == b'=' || b.is_ascii_alphanumeric()) {
                return None;
            }
            return Some((c, len + 1));
        }
    }
    None
}

/// The longest name of the standard's list (`CounterClockwiseContourIntegral`).
const MAX_ENTITY_NAME: usize = 32;
/// The longest legacy name, written without `;` (`middot`, `frac34`).
const MAX_LEGACY_NAME: usize = 6;

/// Every named character reference of the HTML standard (the `entities`
/// crate's copy of its `entities.json`), without its `&`: each with its
/// `;`, and the legacy ones also without.
fn entity_names() -> &'static std::collections::HashMap<&'static str, char> {
    static NAMES: std::sync::OnceLock<std::collections::HashMap<&'static str, char>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        entities::ENTITIES
            .iter()
            .filter_map(|e| {
                let name = e.entity.strip_prefix('&')?;
                let c = match e.codepoints {
                    entities::Codepoints::Single(c) | entities::Codepoints::Double(c, _) => c,
                };
                Some((name, char::from_u32(c)?))
            })
            .collect()
    })
}

/// Up to 8 bytes as one number, the first in the lowest byte.
fn pack(bytes: &[u8]) -> u64 {
    debug_assert!(bytes.len() <= 8);
    bytes
        .iter()
        .rev()
        .fold(0, |key, &b| (key << 8) | u64::from(b))
}

/// The legacy names (those also read without their `;`), each as
/// [`pack`] makes it of its bytes, sorted.
fn legacy_names() -> &'static [(u64, char)] {
    static NAMES: std::sync::OnceLock<Vec<(u64, char)>> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<(u64, char)> = entity_names()
            .iter()
            .filter(|(name, _)| !name.ends_with(';'))
            .map(|(name, &c)| {
                assert!(name.len() <= MAX_LEGACY_NAME, "{name}");
                (pack(name.as_bytes()), c)
            })
            .collect();
        names.sort_unstable();
        names
    })
}

/// A numeric reference after its `&#`: `38;`, `x26`, …; its character and
/// length (after the `&#`).
fn numeric_reference(num: &str) -> Option<(char, usize)> {
    let (radix, digits_at) = match num.as_bytes().first() {
        Some(b'x' | b'X') => (16, 1),
        _ => (10, 0),
    };
    let digits = num.as_bytes()[digits_at..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || radix == 16 && b.is_ascii_hexdigit())
        .count();
    if digits == 0 {
        return None;
    }
    let text = &num[digits_at..digits_at + digits];
    // Past U+10FFFF (however many digits), a surrogate or none: U+FFFD.
    let code = u32::from_str_radix(text.trim_start_matches('0'), radix).ok();
    let c = code
        .filter(|&c| c != 0)
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}');
    let end = digits_at + digits;
    let semi = usize::from(num.as_bytes().get(end) == Some(&b';'));
    Some((c, end + semi))
}

/// The length of the line continuation at `i` of `bytes` (a backslash and
/// a line break), with the white space after it under
/// [`Decode::BackslashTrim`]; `None` when there is none.
pub fn continuation(bytes: &[u8], i: usize, mode: Decode) -> Option<usize> {
    // TOML: a backslash that is the last thing on its line but spaces.
    let spaces = if mode == Decode::BackslashTrim {
        bytes
            .get(i + 1..)?
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t'))
            .count()
    } else {
        0
    };
    let at = i + spaces;
    let len = spaces
        + match (bytes.get(i), bytes.get(at + 1), bytes.get(at + 2)) {
            (Some(b'\\'), Some(b'\r'), Some(b'\n')) => 3,
            (Some(b'\\'), Some(b'\n' | b'\r'), _) => 2,
            _ => return None,
        };
    let blank = if mode == Decode::BackslashTrim {
        bytes[i + len..]
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            .count()
    } else {
        0
    };
    Some(len + blank)
}

/// The character a backslash escape at the start of `s` stands for, and the
/// escape's length, for the escapes that are the same in every C-like string
/// syntax. Others (`\c`, `\7`, `\n`) are left to the caller.
fn backslash(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    match b.get(1)? {
        b'\\' => Some(('\\', 2)),
        b'"' => Some(('"', 2)),
        b'\'' => Some(('\'', 2)),
        b'/' => Some(('/', 2)),
        // `\u0026`, and Java's `\uu0026` (any number of `u`).
        b'u' if b.get(2) != Some(&b'{') => {
            let us = b[1..].iter().take_while(|&&c| c == b'u').count();
            let hex = b.get(1 + us..5 + us)?;
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let code = u32::from_str_radix(&s[1 + us..5 + us], 16).ok()?;
            Some((char::from_u32(code)?, 5 + us))
        }
        // `\U00000026` (Python, Go, C#, C, YAML, TOML, a shell's `$'…'`).
        b'U' if b.len() >= 10 && b[2..10].iter().all(u8::is_ascii_hexdigit) => {
            let code = u32::from_str_radix(&s[2..10], 16).ok()?;
            Some((char::from_u32(code)?, 10))
        }
        b'x' if b.len() >= 4 && b[2..4].iter().all(u8::is_ascii_hexdigit) => {
            let code = u32::from_str_radix(&s[2..4], 16).ok()?;
            Some((char::from_u32(code)?, 4))
        }
        // `\u{26}` (JavaScript, Rust, Lua, Swift): one to six hex digits.
        b'u' => braced_code_point(&s[2..]).map(|(c, n)| (c, 2 + n)),
        // Python's `\N{AMPERSAND}`: see [`named_escape`].
        b'N' if b.get(2) == Some(&b'{') => named_escape(s),
        // `\&` is `&` for judging (an escape that produces what the link needs).
        b'&' => Some(('&', 2)),
        _ => None,
    }
}

/// The longest `\N{…}` escape read, braces included: the names of the
/// characters a link or a password is written with are shorter
/// (`\N{LATIN CAPITAL LETTER A}`).
pub const NAMED_REACH: usize = 40;

/// A Python `\N{NAME}` escape at the start of `s` (which starts with
/// `\N{`): its character and length. The names of ASCII letters, digits and
/// punctuation and of the spaces are known; any other well-formed name
/// (letters, digits, spaces, hyphens) stands for U+FFFD, one character
/// that is neither white space nor any character a link's syntax uses, so
/// that the spaces of its name end nothing.
pub fn named_escape(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if !b.starts_with(b"\\N{") {
        return None;
    }
    let close = b.iter().take(NAMED_REACH).position(|&c| c == b'}')?;
    let name = &s[3..close];
    if name.is_empty()
        || !name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b' ' || c == b'-')
    {
        return None;
    }
    let name = name.to_ascii_uppercase();
    let letter = |prefix: &str| {
        let rest = name.strip_prefix(prefix)?;
        (rest.len() == 1 && rest.as_bytes()[0].is_ascii_uppercase())
            .then(|| char::from(rest.as_bytes()[0]))
    };
    const DIGITS: [&str; 10] = [
        "ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE",
    ];
    let c = letter("LATIN CAPITAL LETTER ")
        .or_else(|| letter("LATIN SMALL LETTER ").map(|c| c.to_ascii_lowercase()))
        .or_else(|| {
            let d = DIGITS
                .iter()
                .position(|&d| name.strip_prefix("DIGIT ") == Some(d))?;
            Some(char::from(b'0' + d as u8))
        })
        .or_else(|| {
            Some(match name.as_str() {
                "SPACE" => ' ',
                "NO-BREAK SPACE" | "NBSP" => '\u{a0}',
                "EXCLAMATION MARK" => '!',
                "QUOTATION MARK" => '"',
                "NUMBER SIGN" => '#',
                "DOLLAR SIGN" => '$',
                "PERCENT SIGN" => '%',
                "AMPERSAND" => '&',
                "APOSTROPHE" => '\'',
                "LEFT PARENTHESIS" => '(',
                "RIGHT PARENTHESIS" => ')',
                "ASTERISK" => '*',
                "PLUS SIGN" => '+',
                "COMMA" => ',',
                "HYPHEN-MINUS" => '-',
                "FULL STOP" => '.',
                "SOLIDUS" => '/',
                "COLON" => ':',
                "SEMICOLON" => ';',
                "LESS-THAN SIGN" => '<',
                "EQUALS SIGN" => '=',
                "GREATER-THAN SIGN" => '>',
                "QUESTION MARK" => '?',
                "COMMERCIAL AT" => '@',
                "LEFT SQUARE BRACKET" => '[',
                "REVERSE SOLIDUS" => '\\',
                "RIGHT SQUARE BRACKET" => ']',
                "CIRCUMFLEX ACCENT" => '^',
                "LOW LINE" => '_',
                "GRAVE ACCENT" => '`',
                "LEFT CURLY BRACKET" => '{',
                "VERTICAL LINE" => '|',
                "RIGHT CURLY BRACKET" => '}',
                "TILDE" => '~',
                _ => return None,
            })
        })
        .unwrap_or('\u{fffd}');
    Some((c, close + 1))
}

/// A numeric escape at `i` of `src` in `radix`: octal (`\160` is `p` in
/// Python, JavaScript, Go, Java, C and a shell's `$'…'`) or, in Lua,
/// decimal (`\112` is `p`); one to three digits. Kept as written past one
/// byte (the languages disagree there: Python reads `\400` as one
/// character, JavaScript as `\40` and `0`); right after `\c` or `\e`,
/// where the backslash belongs to a conference prefix (`\c\737…`, which
/// TC014 judges) and the digits are an ID; and for white space, which
/// would end the link before what the string holds after it.
fn numeric_escape(src: &str, i: usize, radix: u32) -> Option<(char, usize)> {
    let b = src.as_bytes();
    if i >= 2 && b[i - 2] == b'\\' && matches!(b[i - 1] | 0x20, b'c' | b'e') {
        return None;
    }
    let digits = b[i + 1..]
        .iter()
        .take(3)
        .take_while(|d| char::from(**d).is_digit(radix))
        .count();
    if digits == 0 {
        return None;
    }
    let code = u32::from_str_radix(&src[i + 1..i + 1 + digits], radix).ok()?;
    escaped_byte(u8::try_from(code).ok()?).map(|c| (c, 1 + digits))
}

/// The character of a numeric escape's byte value (Latin-1 above ASCII),
/// unless it is white space or NUL: those are kept as written, so that an
/// escape never ends a link before the rest of its string.
fn escaped_byte(code: u8) -> Option<char> {
    (code != 0 && !code.is_ascii_whitespace() && code != 0x0b).then(|| char::from(code))
}

/// The character of an encoded insertion into a context with `mode`.
pub fn encode(s: &str, mode: Decode) -> Cow<'_, str> {
    match mode {
        Decode::None => Cow::Borrowed(s),
        Decode::Entities if s.contains(['&', '"', '<', '>']) => {
            let mut out = String::with_capacity(s.len() + 8);
            for c in s.chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '"' => out.push_str("&quot;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    c => out.push(c),
                }
            }
            Cow::Owned(out)
        }
        Decode::Backslash
        | Decode::BackslashTrim
        | Decode::BackslashDecimal
        | Decode::BackslashJoined { .. }
        | Decode::BackslashAny => prefixed(s, '\\', &['\\', '"', '\'']),
        Decode::EntitiesThenBackslash => match encode(s, Decode::Backslash) {
            Cow::Borrowed(_) => encode(s, Decode::Entities),
            Cow::Owned(js) => Cow::Owned(encode(&js, Decode::Entities).into_owned()),
        },
        Decode::Batch { word } if s.contains('%') || word && s.contains(['&', '^']) => {
            let mut out = String::with_capacity(s.len() + 4);
            for c in s.chars() {
                match c {
                    '%' => out.push_str("%%"),
                    '&' | '^' if word => {
                        out.push('^');
                        out.push(c);
                    }
                    c => out.push(c),
                }
            }
            Cow::Owned(out)
        }
        Decode::ShellDouble => prefixed(s, '\\', &['\\', '"', '$', '`']),
        Decode::Backtick => prefixed(s, '`', &['"', '$', '`']),
        Decode::SingleQuoted => prefixed(s, '\\', &['\\', '\'']),
        _ => Cow::Borrowed(s),
    }
}

/// `s` with `escape` before each of `special`, borrowed when there is none.
fn prefixed<'s>(s: &'s str, escape: char, special: &[char]) -> Cow<'s, str> {
    if !s.contains(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if special.contains(&c) {
            out.push(escape);
        }
        out.push(c);
    }
    Cow::Owned(out)
}

/// [`decode`] for [`Decode::ShellDouble`], [`Decode::Backtick`],
/// [`Decode::SingleQuoted`] and [`Decode::BackslashAny`].
fn escaped_by(src: &str, mode: Decode) -> DecodedText<'_> {
    let bytes = src.as_bytes();
    let esc = if mode == Decode::Backtick {
        b'`'
    } else {
        b'\\'
    };
    let doubled_quote = mode == Decode::Backtick;
    if !(bytes.contains(&esc) || doubled_quote && memchr::memmem::find(bytes, b"\"\"").is_some()) {
        return DecodedText::identity(src);
    }
    let mut text = String::with_capacity(src.len());
    let mut map = Vec::with_capacity(src.len() + 1);
    let mut i = 0;
    while i < src.len() {
        let b = bytes[i];
        // After an ASCII escape or quote, the next character starts at
        // `i + 1`.
        let next = (b == esc || b == b'"')
            .then(|| src[i + 1..].chars().next())
            .flatten();
        let (c, len) = match (mode, b, next) {
            // A line continuation stands for nothing.
            (Decode::ShellDouble, b'\\', Some('\n')) => {
                i += 2;
                continue;
            }
            (Decode::ShellDouble, b'\\', Some(c @ ('$' | '`' | '"' | '\\'))) => (c, 2),
            (Decode::BackslashAny, b'\\', Some('\n' | '\r')) => {
                i += continuation(bytes, i, mode).unwrap_or(2);
                continue;
            }
            (Decode::BackslashAny, b'\\', Some(c)) if c.is_ascii_punctuation() => (c, 2),
            (Decode::SingleQuoted, b'\\', Some(c @ ('\\' | '\''))) => (c, 2),
            // `` `u{70} ``: a code point (PowerShell 6 and later).
            (Decode::Backtick, b'`', Some('u'))
                if let Some((c, n)) = braced_code_point(&src[i + 2..]) =>
            {
                (c, 2 + n)
            }
            (Decode::Backtick, b'`', Some(c)) => {
                let c = match c {
                    '0' => '\0',
                    'a' => '\u{7}',
                    'b' => '\u{8}',
                    'e' => '\u{1b}',
                    'f' => '\u{c}',
                    'n' => '\n',
                    'r' => '\r',
                    't' => '\t',
                    'v' => '\u{b}',
                    c => c,
                };
                (c, 1 + next.map_or(0, char::len_utf8))
            }
            (Decode::Backtick, b'"', Some('"')) => ('"', 2),
            _ => {
                let c = src[i..].chars().next().unwrap_or('\0');
                (c, c.len_utf8())
            }
        };
        let start = text.len();
        text.push(c);
        if len == c.len_utf8() && bytes[i] != esc {
            for k in 0..len {
                map.push((i + k) as u32);
            }
        } else {
            map.extend(std::iter::repeat_n(i as u32, text.len() - start));
        }
        i += len;
    }
    map.push(src.len() as u32);
    DecodedText {
        text: Cow::Owned(text),
        map: Some(map),
    }
}

/// A code point written `{hex}` (one to six hex digits) at the start of
/// `s`: its character and length.
fn braced_code_point(s: &str) -> Option<(char, usize)> {
    let b = s.as_bytes();
    if b.first() != Some(&b'{') {
        return None;
    }
    let close = b.iter().take(8).position(|&c| c == b'}')?;
    let hex = &s[1..close];
    if hex.is_empty() || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
    Some((c, close + 1))
}

/// [`decode`] for [`Decode::Batch`]: `%%` is `%`, and in a word `^x` is `x`.
fn batch(src: &str, mode: Decode) -> DecodedText<'_> {
    let word = mode == Decode::Batch { word: true };
    let bytes = src.as_bytes();
    let special = |b: u8| b == b'%' || word && b == b'^';
    if !bytes.iter().any(|&b| special(b)) {
        return DecodedText::identity(src);
    }
    let mut text = String::with_capacity(src.len());
    let mut map = Vec::with_capacity(src.len() + 1);
    let mut i = 0;
    while i < src.len() {
        let b = bytes[i];
        let skip = (b == b'%' && bytes.get(i + 1) == Some(&b'%')
            || word && b == b'^' && i + 1 < src.len()) as usize;
        let c = src[i + skip..].chars().next().unwrap_or('\0');
        map.extend(std::iter::repeat_n(i as u32, c.len_utf8()));
        text.push(c);
        i += skip + c.len_utf8();
    }
    map.push(src.len() as u32);
    DecodedText {
        text: Cow::Owned(text),
        map: Some(map),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_decode_with_a_map_to_source() {
        let src = "a&amp;b&#38;c&#x26;d&bogus;e";
        let d = decode(src, Decode::Entities);
        assert_eq!(d.text, "a&b&c&d&bogus;e");
        assert_eq!(d.to_source(1), 1); // '&' from "&amp;"
        assert_eq!(d.to_source(2), 6); // 'b'
        assert_eq!(d.source_len(1, 2), 5);
        assert_eq!(d.to_source(d.text.len()), src.len());
    }

    #[test]
    fn backslashes_decode_common_escapes_only() {
        let d = decode(r#"x\\c\\1\"\c\u0026"#, Decode::Backslash);
        assert_eq!(d.text, r#"x\c\1"\c&"#);
        assert_eq!(d.source_len(1, 2), 2);
        for (src, want) in [
            (r"a\u{26}b", "a&b"),
            (r"a\x26b", "a&b"),
            (r"a\N{AMPERSAND}b", "a&b"),
            (r"a\N{number sign}b", "a#b"),
            (r"a\&b", "a&b"),
            (
                r"a\u{}b\N{NOPE}c\u{1234567}",
                "a\\u{}b\u{fffd}c\\u{1234567}",
            ),
        ] {
            let d = decode(src, Decode::Backslash);
            assert_eq!(d.text, want, "{src}");
            assert_eq!(d.to_source(d.text.len()), src.len(), "{src}");
        }
    }

    #[test]
    fn batch_percent_and_caret() {
        let d = decode("a%%23b^&c%d", Decode::Batch { word: true });
        assert_eq!(d.text, "a%23b&c%d");
        assert_eq!(d.source_len(1, 2), 2);
        assert_eq!(
            decode("a^&b%%", Decode::Batch { word: false }).text,
            "a^&b%"
        );
        assert_eq!(encode("%23&x", Decode::Batch { word: true }), "%%23^&x");
        assert_eq!(encode("%23&x", Decode::Batch { word: false }), "%%23&x");
        // JavaScript first, then HTML: a backslash alone is doubled too.
        assert_eq!(encode("\\c\\", Decode::EntitiesThenBackslash), "\\\\c\\\\");
        assert_eq!(encode("a&b", Decode::EntitiesThenBackslash), "a&amp;b");
        assert_eq!(encode("'&", Decode::EntitiesThenBackslash), "\\'&amp;");
    }

    #[test]
    fn identity_without_specials() {
        let d = decode("trueconf:bob", Decode::Entities);
        assert!(d.is_identity());
        assert_eq!(d.to_source(4), 4);
    }

    #[test]
    fn encode_per_context() {
        assert_eq!(encode("&encrypt=1", Decode::Entities), "&amp;encrypt=1");
        assert_eq!(encode(r"\c\", Decode::Backslash), r"\\c\\");
        assert_eq!(encode("&x", Decode::None), "&x");
        assert_eq!(encode("&x", Decode::Markdown), "&x");
        assert_eq!(
            encode(r#"&\c\""#, Decode::EntitiesThenBackslash),
            r"&amp;\\c\\\&quot;"
        );
        let d = decode(r"a&amp;b\u0026c&#92;&#92;d", Decode::EntitiesThenBackslash);
        assert_eq!(d.text, r"a&b&c\d");
        assert_eq!(d.to_source(3), 7); // '&' from "\u0026"
        assert_eq!(d.to_source(d.text.len()), 25);
    }

    #[test]
    fn shell_double_quotes_and_powershell_backticks() {
        let d = decode(r#"a\c\\b\$c\"d\u0026"#, Decode::ShellDouble);
        assert_eq!(d.text, r#"a\c\b$c"d\u0026"#);
        assert_eq!(d.to_source(d.text.len()), 18);
        assert_eq!(d.to_source(5), 6); // '$' from "\$"
        let d = decode("a`&b`\"c``d\\e\"\"f`nx", Decode::Backtick);
        assert_eq!(d.text, "a&b\"c`d\\e\"f\nx");
        assert_eq!(d.to_source(1), 1); // '&' from "`&"
        assert_eq!(d.to_source(d.text.len()), 18);
        assert_eq!(encode("a\"$`\\", Decode::ShellDouble), "a\\\"\\$\\`\\\\");
        assert_eq!(encode("a\"$`\\", Decode::Backtick), "a`\"`$``\\");
        assert!(decode(r"trueconf:\c\1", Decode::Backtick).is_identity());
    }

    #[test]
    fn single_quoted_strings_of_ruby_php_and_perl() {
        let d = decode(r"a\c\1\\b\'c\n", Decode::SingleQuoted);
        assert_eq!(d.text, r"a\c\1\b'c\n");
        assert_eq!(d.to_source(6), 7); // 'b' after "\\\\"
        assert_eq!(d.to_source(d.text.len()), 13);
        assert_eq!(
            decode(r"trueconf:\c\1", Decode::SingleQuoted).text,
            r"trueconf:\c\1"
        );
        assert_eq!(encode(r"\c'", Decode::SingleQuoted), r"\\c\'");
    }

    /// References as a browser reads them in an attribute value: every
    /// name of the standard's list, legacy names without `;` unless `=` or
    /// a letter or digit follows, numeric ones with or without `;`.
    #[test]
    fn references_read_as_browsers_read_attribute_values() {
        for (src, want) in [
            ("&plus;", Some(('+', 6))),
            ("&period;x", Some(('.', 8))),
            ("&NewLine;", Some(('\n', 9))),
            ("&CounterClockwiseContourIntegral;", Some(('\u{2233}', 33))),
            ("&amp;", Some(('&', 5))),
            ("&amp&amp;", Some(('&', 4))),
            ("&amp", Some(('&', 4))),
            ("&lt/", Some(('<', 3))),
            ("&copy=1", None),
            ("&copyx", None),
            ("&ampx;", None),
            ("&notin;", Some(('\u{2209}', 7))),
            ("&notit;", None),
            ("&plus", None),
            ("&#38;", Some(('&', 5))),
            ("&#38do", Some(('&', 4))),
            ("&#x26;", Some(('&', 6))),
            ("&#X26x", Some(('&', 5))),
            ("&#0;", Some(('\u{fffd}', 4))),
            ("&#xD800;", Some(('\u{fffd}', 8))),
            ("&#99999999999999;", Some(('\u{fffd}', 17))),
            ("&#;", None),
            ("&#x;", None),
            ("&;", None),
            ("& x", None),
            ("&NotEqualTilde;", Some(('\u{2242}', 15))),
        ] {
            assert_eq!(entity(src), want, "{src}");
        }
        let d = decode("a&plus;b&#38c&amp&copy=1", Decode::Entities);
        assert_eq!(d.text, "a+b&c&&copy=1");
        assert_eq!(d.to_source(d.text.len()), 24);
    }

    /// The legacy names' look-up by number finds what a look-up of each
    /// start of the run by name finds: for every legacy name, written
    /// whole, cut short, followed by each kind of byte, and for runs of
    /// parameter names.
    #[test]
    fn legacy_names_are_found_as_a_lookup_by_name_finds_them() {
        fn by_name(s: &str) -> Option<(char, usize)> {
            let rest = &s[1..];
            let run = rest
                .bytes()
                .take(MAX_ENTITY_NAME + 1)
                .take_while(u8::is_ascii_alphanumeric)
                .count();
            (1..=run.min(MAX_LEGACY_NAME)).rev().find_map(|len| {
                let c = *entity_names().get(&rest[..len])?;
                let next = rest.as_bytes().get(len).copied();
                Some(
                    (!next.is_some_and(|b| b == b'=' || b.is_ascii_alphanumeric()))
                        .then_some((c, len + 1)),
                )
            })?
        }
        let legacy: Vec<&str> = entity_names()
            .keys()
            .filter(|n| !n.ends_with(';'))
            .copied()
            .collect();
        assert_eq!(legacy.len(), legacy_names().len());
        assert!(legacy.len() > 100, "{}", legacy.len());
        let mut inputs = Vec::new();
        for name in &legacy {
            for cut in 1..=name.len() {
                for after in ["", "=", "x", "1", " ", "&", "-", "é"] {
                    inputs.push(format!("&{}{after}", &name[..cut]));
                }
            }
        }
        for key in [
            "encrypt",
            "password",
            "h",
            "login",
            "autoclose",
            "notx",
            "paraz",
        ] {
            inputs.push(format!("&{key}=1"));
            inputs.push(format!("&{key}"));
        }
        let mut found = 0;
        for src in &inputs {
            let want = if src.ends_with(';') {
                None
            } else {
                by_name(src)
            };
            if src.ends_with(';') {
                continue;
            }
            found += usize::from(want.is_some());
            assert_eq!(entity(src), want, "{src}");
        }
        assert!(found > 300, "{found}");
    }

    /// Octal escapes are read where they give a printable ASCII
    /// character, never after `\c` or `\e` (a conference prefix's digits);
    /// `\U`, Java's `\uu` and `\N{…}` names are read; an unknown name is
    /// one character, U+FFFD.
    #[test]
    fn octal_long_and_named_escapes() {
        for (src, want) in [
            (r"a\160ss", "apss"),
            (r"\52x", "*x"),
            (r"\400", r"\400"),
            (r"\0x", r"\0x"),
            (r"\12", r"\12"),
            (r"\c\737734@s", r"\c\737734@s"),
            (r"\C\101@s", r"\C\101@s"),
            (r"\e\101", r"\e\101"),
            (r"x\\c\101", r"x\c\101"),
            (r"\U00000070w", "pw"),
            (r"\U0000007", r"\U0000007"),
            (r"\uuu0070", "p"),
            (r"\u{70}", "p"),
            (r"\N{LATIN SMALL LETTER P}", "p"),
            (r"\N{latin capital letter q}", "Q"),
            (r"\N{DIGIT SEVEN}", "7"),
            (r"\N{NO-BREAK SPACE}", "\u{a0}"),
            (r"\N{SNOWMAN}x", "\u{fffd}x"),
            (r"\N{a_b}", r"\N{a_b}"),
        ] {
            assert_eq!(decode(src, Decode::Backslash).text, want, "{src}");
        }
        // Octal: not past `\377` (the languages disagree), not white space
        // (which would end the link early); other bytes as Latin-1.
        for (src, want) in [
            (r"u\400&", r"u\400&"),
            (r"a\40b", r"a\40b"),
            (r"\0160", "\u{e}0"),
            (r"\351", "\u{e9}"),
        ] {
            assert_eq!(decode(src, Decode::Backslash).text, want, "{src}");
        }
        assert_eq!(decode(r"\32x\9", Decode::BackslashDecimal).text, r"\32x\9");
        // TOML: spaces may follow the backslash of a continuation.
        assert_eq!(decode("a\\  \n  b", Decode::BackslashTrim).text, "ab");
        let joined = Decode::BackslashJoined { quote: b'"' };
        assert_eq!(decode("a\" \"b", joined).text, "ab");
        assert_eq!(decode("a\\\"\"\n  \"b", joined).text, "a\"b");
        assert_eq!(decode("a\" \\\r\n  \"b", joined).text, "ab");
        assert_eq!(decode("a\" \"b", Decode::NoSpace).text, "a\"\"b");
        assert_eq!(decode("a b\n\t c\u{1f}d", Decode::NoSpace).text, "abcd");
        // A junction: one line break at most; no triple-quoted literal
        // after it; a bare line break only where the rules allow one.
        let len = |src: &[u8], rules| junction(src, 0, b'"', rules).map(|j| j.len);
        assert_eq!(len(b"\" \"b", JoinRules::RUBY), Some(3));
        assert_eq!(len(b"\"\n\n\"b", JoinRules::PYTHON), None);
        assert_eq!(len(b"\"\n\"b", JoinRules::RUBY), None);
        assert_eq!(len(b"\" \\\n\"b", JoinRules::RUBY), Some(5));
        assert_eq!(len(b"\" \"\"\"", JoinRules::PYTHON), None);
        assert_eq!(len(b"\" \"\"", JoinRules::PYTHON), Some(3));
        assert_eq!(len(b"\" x\"", JoinRules::PYTHON), None);
        assert_eq!(len(b"\" 'b", JoinRules::PYTHON), Some(3));
        assert_eq!(len(b"\" 'b", JoinRules::C), None);
        assert_eq!(len(b"\" f'b", JoinRules::PYTHON), Some(4));
        assert_eq!(len(b"\" r'b", JoinRules::PYTHON), None);
        assert_eq!(len(b"\" u8\"b", JoinRules::C), Some(5));
        assert_eq!(decode("a\" 'b\"'\"c", joined).text, "ab\"c");
        assert_eq!(decode("a\\  \n  b", Decode::Backslash).text, "a\\  \n  b");
        // `\N` not followed by `{` is no named escape (and no panic).
        for src in [r"\N}", "\\N\u{e9}}", r"\N", r"\N{"] {
            assert_eq!(named_escape(src), None, "{src}");
            assert_eq!(decode(src, Decode::Backslash).text, src);
        }
        // An unquoted shell word: punctuation taken as it is, letters and
        // digits kept with their backslash (no octal there).
        let d = decode("a\\&b\\167c\\\nd\\c\\1", Decode::BackslashAny);
        assert_eq!(d.text, "a&b\\167cd\\c\\1");
        // Lua's `\ddd` is decimal; the same screens as octal's.
        assert_eq!(decode(r"\112w\38x", Decode::BackslashDecimal).text, "pw&x");
        assert_eq!(decode(r"\c\112", Decode::BackslashDecimal).text, r"\c\112");
        assert_eq!(decode(r"\112", Decode::Backslash).text, "J");
        // A continuation stands for the next line's indentation too where
        // the language says so.
        let src = "pass\\\n    word\\\r\n\tx";
        assert_eq!(decode(src, Decode::BackslashTrim).text, "passwordx");
        assert_eq!(decode(src, Decode::Backslash).text, "pass    word\tx");
        let d = decode("`u{70}w`u{zz}", Decode::Backtick);
        assert_eq!(d.text, "pwu{zz}");
        assert_eq!(d.to_source(1), 6);
    }

    #[test]
    fn markdown_reads_commonmark_escapes_and_references() {
        let d = decode(r"a\&b&amp;c\\d\ce", Decode::Markdown);
        assert_eq!(d.text, r"a&b&c\d\ce");
        assert_eq!(d.to_source(d.text.len()), 16);
    }
}
