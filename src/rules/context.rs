//! What a rule sees of one link, and helpers to write its fixes.

use std::borrow::Cow;

use super::config::Config;
use crate::fix::Edit;
use crate::scan::{
    Context, Decode, DecodedText, DocKind, JoinRules, RawLink, encode, junction, trim_space_end,
};
use crate::text::Span;
use crate::uri::{self, Link, Param};

/// What a rule sees of one link.
pub struct LinkCtx<'a> {
    pub source: &'a str,
    pub kind: DocKind,
    pub raw: &'a RawLink,
    pub decoded: &'a DecodedText<'a>,
    pub link: &'a Link<'a>,
    pub config: &'a Config,
}

impl LinkCtx<'_> {
    /// The source span of a span of the decoded link.
    pub fn span(&self, s: Span) -> Span {
        self.decoded
            .source_span(self.source, self.raw.span.start, self.raw.decode, s)
    }

    /// The whole link in the source.
    pub fn link_span(&self) -> Span {
        self.raw.span
    }

    /// `s` as it must be written into this link's source.
    pub fn encode<'s>(&self, s: &'s str) -> Cow<'s, str> {
        if self.raw.decode == Decode::EntitiesThenBackslash {
            encode(s, Decode::EntitiesThenBackslash)
        } else if self.raw.context.is_html() {
            encode(s, Decode::Entities)
        } else if matches!(
            self.raw.decode,
            Decode::Backslash
                | Decode::BackslashJoined { .. }
                | Decode::BackslashTrim
                | Decode::BackslashDecimal
                | Decode::BackslashAny
                | Decode::Batch { .. }
                | Decode::ShellDouble
                | Decode::Backtick
                | Decode::SingleQuoted
        ) {
            encode(s, self.raw.decode)
        } else {
            Cow::Borrowed(s)
        }
    }

    /// A replacement of a decoded span with text encoded for the context.
    pub fn replace(&self, s: Span, content: &str) -> Edit {
        self.bridged(self.span(s), &self.encode(content))
    }

    /// An edit of source span `span` to `content`, keeping the literals of
    /// a link joined from adjacent ones well formed: where the span runs
    /// from one literal into another that opens with another quote or a
    /// prefix (`"…&" 'password=…'`), the content is followed by the first
    /// one's closing quote and the other's opening.
    fn bridged(&self, span: Span, content: &str) -> Edit {
        if let Decode::BackslashJoined { quote } = self.raw.decode {
            let (first, _) = self.literal_at(quote, span.start);
            let (last, open) = self.literal_at(quote, span.end);
            if open > span.start && (first != last || self.source.as_bytes()[open] != last) {
                let opening = &self.source[open..=self.opening_quote(open, last)];
                return Edit::replacement(span, format!("{content}{} {opening}", first as char));
            }
        }
        Edit::replacement(span, content)
    }

    /// The quote of the literal that holds source offset `at` of a link
    /// joined from adjacent literals, the first opened by `quote`, and
    /// where that literal's opening (its prefix, or its quote) starts (the
    /// link's start for the first literal).
    fn literal_at(&self, quote: u8, at: usize) -> (u8, usize) {
        let bytes = self.source.as_bytes();
        let (mut cur, mut open) = (quote, self.raw.span.start);
        let mut i = self.raw.span.start;
        while i < at {
            match bytes[i] {
                b'\\' => i += 2,
                b if b == cur => match junction(bytes, i, cur, JoinRules::ANY) {
                    Some(j) if i + j.len <= at => {
                        // The opening: back from the quote over a prefix.
                        let q = i + j.len - 1;
                        open = q - bytes[i + 1..q]
                            .iter()
                            .rev()
                            .take_while(|b| b.is_ascii_alphanumeric())
                            .count();
                        cur = j.quote;
                        i += j.len;
                    }
                    _ => break,
                },
                _ => i += 1,
            }
        }
        (cur, open)
    }

    /// The quote that ends the opening (prefix and quote) starting at `open`.
    fn opening_quote(&self, open: usize, quote: u8) -> usize {
        let bytes = self.source.as_bytes();
        (open..bytes.len())
            .find(|&k| bytes[k] == quote)
            .unwrap_or(open)
    }

    /// Deletes a parameter with its separator, or, for the first segment,
    /// with the separator after it.
    pub fn delete_param(&self, p: &Param) -> Edit {
        let text = self.link.text;
        let span = match p.separator {
            Some(sep) => Span::new(sep.start, p.span.end),
            None if p.span.end < text.len() => Span::new(p.span.start, p.span.end + 1),
            None => p.span,
        };
        let mut deleted = self.span(span);
        if self.raw.decode == Decode::NoSpace {
            // The white space before it, which docutils drops, goes with
            // it: no line of a wrapped URI is left ending in blanks.
            let before = &self.source[self.raw.span.start..deleted.start];
            deleted.start -= before.len() - trim_space_end(before).len();
        }
        // A link left ending in a lone backslash (`\c\?password=x` without
        // its parameter) would escape its string's closing quote: the
        // separator stays.
        let lone_backslash = || {
            let before = &self.source.as_bytes()[..deleted.start];
            before.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
        };
        if let Some(sep) = p.separator
            && deleted.end == self.raw.span.end
            && lone_backslash()
        {
            return Edit::deletion(self.span(Span::new(sep.end, p.span.end)));
        }
        self.bridged(deleted, "")
    }

    /// A parameter's key as a message may quote it (at most 40
    /// characters): secrets inside it redacted, and, for a segment without
    /// `=` whose name looks like a password key (`pasword:hunter2`), only
    /// the name: what follows it is a password someone mistyped.
    pub fn shown_key(&self, p: &Param) -> String {
        let link = self.link;
        let key = link.key(p);
        let name: String = key
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .take(12)
            .collect();
        let secret = |k: &str| !k.is_empty() && crate::uri::is_secret_key(k);
        if p.value.is_none() && (secret(key) || secret(&name)) {
            if name.len() == key.len() && name.len() <= 10 {
                return name;
            }
            return format!("{name}***");
        }
        link.redacted_part(p.key).chars().take(40).collect()
    }

    /// Does the code go on joining more to the string that the link
    /// ends, at its closing quote: `+`, `.` (PHP, Perl, Lua's `..`, a
    /// method such as `.format`), `<<`, a shell's `$x` or quote right after
    /// it, or another literal (that the scan did not join)? What ends the
    /// link is then filled in by the program.
    pub fn string_goes_on(&self) -> bool {
        let bytes = self.source.as_bytes();
        if word_goes_on(bytes, self.raw).is_some() || continued_string(bytes, self.raw).is_some() {
            return true;
        }
        let (Context::StringLiteral { quote, .. } | Context::ScriptString { quote, .. }) =
            self.raw.context
        else {
            return false;
        };
        let end = self.raw.span.end;
        if closed_by_doubled_quote(bytes, self.raw, quote) {
            return false;
        }
        let Some(after) = self.source[end..].strip_prefix(char::from(quote)) else {
            return false;
        };
        if after.starts_with(['$', '`', '"', '\'']) {
            return true;
        }
        let after = after.trim_start_matches([' ', '\t', '\\', '\r', '\n']);
        // A literal, with its prefix (`r"`, `f'`).
        let prefix = after.len()
            - after
                .trim_start_matches(|c: char| c.is_ascii_alphabetic())
                .len();
        let literal = prefix <= 2 && after[prefix..].starts_with(['"', '\'']);
        literal || after.starts_with(['+', '.']) || after.starts_with("<<")
    }

    pub fn in_html_attribute(&self) -> bool {
        matches!(
            self.raw.context,
            Context::HtmlAttribute { .. } | Context::ScriptString { .. }
        )
    }
}

/// The operators that join two strings: `+`, PHP's and Perl's `.`, Lua's
/// `..`, Ruby's `<<`, D's `~`.
const JUNCTIONS: [&[u8]; 5] = [b"<<", b"..", b"+", b".", b"~"];

/// The end of the line holding `at`: its first `\n` or `\r` from `at`.
fn line_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |k| at + k)
}

/// Past the spaces and tabs from `k`, up to `end`.
fn blank(bytes: &[u8], mut k: usize, end: usize) -> usize {
    while k < end && matches!(bytes[k], b' ' | b'\t') {
        k += 1;
    }
    k
}

/// Past one line break at `k` (`\r\n`, `\n` or `\r`).
fn past_line_break(bytes: &[u8], k: usize) -> usize {
    match bytes.get(k..k + 2) {
        Some(b"\r\n") => k + 2,
        _ => k + usize::from(matches!(bytes.get(k), Some(b'\n' | b'\r'))),
    }
}

/// After the string that ends at `at` (past its closing quote), where the
/// line ends with a junction: an operator, then nothing but blanks, a
/// comment (`// …`, `# …`, `-- …`, `/* … */`) or a line continuation
/// (Python's `\`, PowerShell's `` ` ``) (`"…&password=" +⏎`); or a
/// backslash right after the quote (a shell's line continuation, `"…"\⏎`).
/// `Some((where the next piece may start, whether it must start right
/// there))`: after an operator, past the blank and comment lines that
/// follow.
fn junction_at_line_end(bytes: &[u8], at: usize) -> Option<(usize, bool)> {
    let end = line_end(bytes, at);
    if end == bytes.len() {
        return None;
    }
    let next = past_line_break(bytes, end);
    if bytes.get(at) == Some(&b'\\') && at + 1 == end {
        // The shell removes the backslash and the line break: blanks on the
        // next line would start another word.
        return Some((next, true));
    }
    let k = blank(bytes, at, end);
    let op = JUNCTIONS.iter().find(|op| bytes[k..end].starts_with(op))?;
    if !ends_the_line(&bytes[blank(bytes, k + op.len(), end)..end]) {
        return None;
    }
    // Past blank lines and lines of a comment only.
    let mut next = next;
    while next < bytes.len() {
        let end = line_end(bytes, next);
        let k = blank(bytes, next, end);
        if !(k == end || is_comment(&bytes[k..end])) || end == bytes.len() {
            break;
        }
        next = past_line_break(bytes, end);
    }
    Some((next, false))
}

/// What may follow a junction operator on its line: nothing, a comment, a
/// line continuation (`\`, `` ` ``).
fn ends_the_line(rest: &[u8]) -> bool {
    matches!(rest, [] | [b'\\'] | [b'`']) || is_comment(rest)
}

/// A comment to the line's end: `//`, `#`, `--`, or a `/* … */` closed
/// with nothing after it.
fn is_comment(rest: &[u8]) -> bool {
    if rest.starts_with(b"/*") {
        let body = &rest[2..];
        return memchr::memmem::find(body, b"*/")
            .is_some_and(|i| body[i + 2..].iter().all(|b| matches!(b, b' ' | b'\t')));
    }
    rest.starts_with(b"//") || rest.starts_with(b"#") || rest.starts_with(b"--")
}

/// Did a quote of the string's value, written as the literal's quote
/// doubled (C# `@"…""trueconf:…""…"`, YAML `'…''…''…'`, PowerShell), open
/// the link and end it? Then the literal goes on past the link's end
/// (with the rest of an HTML attribute, say), but the link does not.
fn closed_by_doubled_quote(bytes: &[u8], raw: &RawLink, quote: u8) -> bool {
    let doubled = [quote, quote];
    bytes[..raw.span.start].ends_with(&doubled) && bytes[raw.span.end..].starts_with(&doubled)
}

/// Where the link's reading stopped right after a line continuation in
/// its string (`\⏎`, the link's last bytes): the string goes on after the
/// next line's indentation, which a Java text block or a Ruby squiggly
/// heredoc strips. That part of the next line, up to a blank or a quote.
fn continued_string(bytes: &[u8], raw: &RawLink) -> Option<Span> {
    if !matches!(
        raw.context,
        Context::StringLiteral { .. } | Context::ScriptString { .. }
    ) {
        return None;
    }
    let end = raw.span.end;
    let head = &bytes[..end];
    let head = head
        .strip_suffix(b"\r\n")
        .or_else(|| head.strip_suffix(b"\n"))
        .or_else(|| head.strip_suffix(b"\r"))?;
    if !head.ends_with(b"\\") {
        return None;
    }
    let line = line_end(bytes, end);
    let start = blank(bytes, end, line);
    let stop = bytes[start..line]
        .iter()
        .position(|b| matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'`'))
        .map_or(line, |i| start + i);
    (stop > start).then(|| Span::new(start, stop))
}

/// Where a shell word that the link ends goes on, on the next line: a line
/// continuation right after the link (a POSIX shell's `\⏎`, cmd's `^⏎`,
/// PowerShell's `` `⏎ ``) and no blank first on the next line (a blank
/// there starts another word). The start of that line.
fn word_goes_on(bytes: &[u8], raw: &RawLink) -> Option<usize> {
    let Context::ShellWord { escapes } = raw.context else {
        return None;
    };
    let at = raw.span.end;
    let c = *bytes.get(at)?;
    if !(if escapes {
        c == b'\\'
    } else {
        c == b'^' || c == b'`'
    }) {
        return None;
    }
    let next = past_line_break(bytes, at + 1);
    match bytes.get(next) {
        _ if next == at + 1 => None,
        Some(b' ' | b'\t' | b'\n' | b'\r') | None => None,
        Some(_) => Some(next),
    }
}

/// The pieces of a shell word carried on over lines after the link (see
/// [`word_goes_on`]): each line's part of the word, up to a blank, an
/// operator that ends the word, or a line continuation again.
fn word_pieces(bytes: &[u8], raw: &RawLink) -> Vec<Span> {
    let Some(mut next) = word_goes_on(bytes, raw) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for _ in 0..8 {
        let end = line_end(bytes, next);
        let stop = bytes[next..end]
            .iter()
            .position(|b| matches!(b, b' ' | b'\t' | b';' | b'|' | b'<' | b'>' | b'(' | b')'))
            .map_or(end, |i| next + i);
        out.push(Span::new(next, stop));
        // The word goes on again: a continuation ends this line.
        let continued = stop == end
            && end > next
            && end < bytes.len()
            && matches!(bytes[end - 1], b'\\' | b'^' | b'`')
            && !matches!(
                bytes.get(past_line_break(bytes, end)),
                Some(b' ' | b'\t') | None
            );
        if !continued {
            break;
        }
        // This piece without its continuation character.
        if let Some(last) = out.last_mut() {
            *last = Span::new(last.start, last.end - 1);
        }
        next = past_line_break(bytes, end);
    }
    out
}

/// Does the code join the string that the link ends to a string on the
/// next line (`"…" +⏎ "…"`, `"…"\⏎"…"`)? What a rule finds of the link
/// (its secrets, whether `encrypt=1` follows) then depends on that line
/// too (see [`appended_literals`]).
pub fn joins_next_line(source: &str, raw: &RawLink) -> bool {
    joined(source, raw).1
}

/// The literal the code joins right after `at` on its line (past an
/// operator or a shell's escaped quote, `'…'\''…'`): its opening quote
/// and its end (its closing quote, or `end`, the line's end).
fn next_literal(bytes: &[u8], raw: &RawLink, at: usize, end: usize) -> Option<(usize, usize)> {
    let mut k = blank(bytes, at, end);
    if let Some(op) = JUNCTIONS.iter().find(|op| bytes[k..end].starts_with(op)) {
        k = blank(bytes, k + op.len(), end);
    }
    // A shell's escaped quote between two quoted parts (`'…'\''…'`): a
    // quote of the same word.
    if bytes[k..end].starts_with(b"\\'") || bytes[k..end].starts_with(b"\\\"") {
        k += 2;
    }
    // A literal, with its prefix (`r"`, `f'`, `b"`, C#'s `@"`, `$@"`).
    let prefix = bytes[k..end]
        .iter()
        .take_while(|b| b.is_ascii_alphabetic() || matches!(b, b'@' | b'$'))
        .count();
    let open = k + prefix;
    if prefix > 3 || open >= end || !matches!(bytes[open], b'"' | b'\'' | b'`') {
        return None;
    }
    let q = bytes[open];
    // JavaScript in an HTML attribute: the attribute's quote ends it.
    if matches!(raw.context, Context::ScriptString { attr_quote: Some(a), .. } if a == q) {
        return None;
    }
    // Its end: the same quote not escaped, or the line's end.
    let mut e = open + 1;
    while e < end && bytes[e] != q {
        e += if bytes[e] == b'\\' { 2 } else { 1 };
    }
    Some((open, e.min(end)))
}

/// The contents of the string literals the program appends to the string
/// the link ends (`"…" + "…"`, PHP's and Perl's `.`, Ruby's `<<`, Lua's
/// `..`, or a literal right after it that the scan did not join), in
/// order: the pieces up to the first that is not a literal. A line that
/// ends with a junction goes on with the next (`"…" +⏎ "…"`, a shell's
/// `"…"\⏎"…"`).
pub fn appended_literals(source: &str, raw: &RawLink) -> Vec<Span> {
    joined(source, raw).0
}

/// [`appended_literals`], and whether their reading went on past a line
/// end ([`joins_next_line`]): a junction at a line's end was met, whatever
/// follows it.
fn joined(source: &str, raw: &RawLink) -> (Vec<Span>, bool) {
    let bytes = source.as_bytes();
    if matches!(raw.context, Context::ShellWord { .. }) {
        let pieces = word_pieces(bytes, raw);
        let goes_on = !pieces.is_empty();
        return (pieces, goes_on);
    }
    if let Some(piece) = continued_string(bytes, raw) {
        return (vec![piece], true);
    }
    let (Context::StringLiteral { quote, .. } | Context::ScriptString { quote, .. }) = raw.context
    else {
        return (Vec::new(), false);
    };
    if quote == b'\n'
        || bytes.get(raw.span.end) != Some(&quote)
        || closed_by_doubled_quote(bytes, raw, quote)
    {
        return (Vec::new(), false);
    }
    let mut out = Vec::new();
    let mut goes_on = false;
    let mut at = raw.span.end + 1;
    // At most a few pieces: `"…" + "…" + "…"`.
    for _ in 0..8 {
        if let Some((next, flush)) = junction_at_line_end(bytes, at) {
            goes_on = true;
            // After a shell's line continuation, blanks start another word.
            if flush && matches!(bytes.get(next), Some(b' ' | b'\t')) {
                break;
            }
            at = next;
        }
        let end = line_end(bytes, at);
        let Some((open, e)) = next_literal(bytes, raw, at, end) else {
            break;
        };
        out.push(Span::new(open + 1, e));
        if e >= end {
            break;
        }
        at = e + 1;
    }
    (out, goes_on)
}

/// The secrets in what the program appends to a link whose last parameter
/// is a password key (`"…&password=" + "hunter2"`, `"…&password=hun" +
/// "ter2&encrypt=1"`): the appended literals' text up to the first `&` or
/// `#`, where the password ends. A probe saw it in `--diff`'s context
/// lines and in excerpts.
pub fn appended_secrets(source: &str, raw: &RawLink, link: &Link<'_>) -> Vec<Span> {
    let text = link.text;
    let ends_with_password_key = link.params.last().is_some_and(|p| {
        p.span.end == text.len() && p.value.is_some() && uri::is_secret_key(&link.value(p.key))
    });
    if !ends_with_password_key {
        return Vec::new();
    }
    let mut out = Vec::new();
    let word = matches!(raw.context, Context::ShellWord { .. });
    for piece in appended_literals(source, raw) {
        let s = &source[piece.range()];
        let end = s.find(['&', '#']);
        let mut len = end.unwrap_or(s.len());
        // A shell word's escape of the `&` (`\&`, `^&`) is not the
        // password's.
        if word && end.is_some() && len > 0 && matches!(s.as_bytes()[len - 1], b'\\' | b'^' | b'`')
        {
            len -= 1;
        }
        if len > 0 {
            out.push(Span::new(piece.start, piece.start + len));
        }
        if end.is_some() {
            break;
        }
    }
    out
}

/// Does the first of the `appended` literals ([`appended_literals`]) go on
/// with the link's last value (it starts with neither `&` nor `#`)?
pub fn continues_value(source: &str, appended: &[Span]) -> bool {
    appended.first().is_some_and(|s| {
        !source[s.range()].is_empty() && !source[s.range()].starts_with(['&', '#'])
    })
}
