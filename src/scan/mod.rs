//! Finding `trueconf:` and `visicall:` links in a document, each with its
//! exact byte span and the syntax around it.
//!
//! Scanning is candidate-first: a case-insensitive literal search finds every
//! scheme, and a forward-only classifier for the document kind (HTML tags,
//! Markdown blocks, string literals of code) is advanced to each candidate to
//! say what syntax surrounds it. A document without candidates costs one
//! literal search; the classifiers together are linear in the document.

mod code;
mod decode;
mod html;
mod markdown;
mod place;

pub use code::Lang;
pub use decode::{Decode, DecodedText, decode, encode};
pub use place::Context;

use std::cell::Cell;

use memchr::memmem;

use place::{Place, prose_place};

use crate::text::{Span, floor_char_boundary};

/// The text every suppression marker (`trueconf-lsp-disable…`) starts with.
/// The scanner notes it in passing; [`crate::suppress`] reads the markers.
pub const MARKER_PREFIX: &str = "trueconf-lsp-";

/// Does `text` hold anything that may be a suppression marker? One literal
/// search.
pub fn has_marker(text: &str) -> bool {
    memmem::find(text.as_bytes(), MARKER_PREFIX.as_bytes()).is_some()
}

/// The kind of document, which decides how links are found in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DocKind {
    Plain,
    Markdown,
    Html,
    Code(Lang),
}

impl DocKind {
    /// The kind for a file name's extension; unknown extensions are plain text.
    pub fn from_path(path: &str) -> DocKind {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let ext = match name.rsplit_once('.') {
            Some((_, ext)) => ext.to_ascii_lowercase(),
            None => return DocKind::Plain,
        };
        match ext.as_str() {
            "md" | "markdown" | "mdown" | "mkd" | "mdx" => DocKind::Markdown,
            "html" | "htm" | "xhtml" | "vue" | "svelte" => DocKind::Html,
            _ => Lang::from_extension(&ext).map_or(DocKind::Plain, DocKind::Code),
        }
    }

    /// The kind for an LSP `languageId`.
    pub fn from_language_id(id: &str) -> DocKind {
        match id {
            "markdown" | "mdx" => DocKind::Markdown,
            "html" | "vue" | "svelte" | "xhtml" => DocKind::Html,
            _ => Lang::from_language_id(id).map_or(DocKind::Plain, DocKind::Code),
        }
    }

    /// How a comment is written in this kind of document, as (open, close);
    /// `None` where the syntax has no comments (JSON, plain text).
    pub fn comment_syntax(self) -> Option<(&'static str, &'static str)> {
        match self {
            DocKind::Plain => None,
            DocKind::Markdown | DocKind::Html => Some(("<!--", "-->")),
            DocKind::Code(lang) => lang.comment_syntax(),
        }
    }
}

/// A link found in a document, not yet interpreted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RawLink {
    /// The link's bytes in the source, scheme included.
    pub span: Span,
    pub context: Context,
    /// Escapes that the host syntax applies to the link's bytes.
    pub decode: Decode,
}

impl RawLink {
    /// The link as its consumer sees it, with a map back to the source.
    pub fn decoded<'t>(&self, source: &'t str) -> DecodedText<'t> {
        decode(&source[self.span.range()], self.decode)
    }
}

/// Every `trueconf:` and `visicall:` of `text`, in any ASCII case, as the
/// byte offsets of its start and of the end of its colon. Colons are found
/// with `memchr` and the eight bytes before each compared: cheaper per
/// candidate than a regex search, which counts on a line made of nothing
/// else. (Two candidates never overlap: each holds one colon, at its end.)
///
/// The same search looks for dashes, and sets `marker` when it passes a
/// suppression marker's prefix ([`MARKER_PREFIX`], whose ninth byte is a
/// dash): one pass over the text finds both, where a separate search for
/// markers would be another.
fn candidates<'t>(
    text: &'t str,
    marker: &'t Cell<bool>,
) -> impl Iterator<Item = (usize, usize)> + 't {
    const { assert!(MARKER_PREFIX.as_bytes()[8] == b'-') };
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b':', b'-', bytes).filter_map(move |at| {
        let start = at.checked_sub(8)?;
        if bytes[at] == b'-' {
            if bytes[start..].starts_with(MARKER_PREFIX.as_bytes()) {
                marker.set(true);
            }
            return None;
        }
        let word = &bytes[start..at];
        (word.eq_ignore_ascii_case(b"trueconf") || word.eq_ignore_ascii_case(b"visicall"))
            .then_some((start, at + 1))
    })
}

/// Is there any candidate link in `text`? Cheaper than [`scan`].
pub fn has_candidate(text: &str) -> bool {
    candidates(text, &Cell::new(false)).next().is_some()
}

/// Finds every link in `text`.
pub fn scan(text: &str, kind: DocKind) -> Vec<RawLink> {
    scan_with_markers(text, kind).0
}

/// Finds every link in `text`, and tells whether it holds anything that
/// may be a suppression marker (as [`has_marker`] does),
/// in the same pass.
pub fn scan_with_markers(text: &str, kind: DocKind) -> (Vec<RawLink>, bool) {
    match scan_with_markers_until(text, kind, &|| false) {
        Some(found) => found,
        None => unreachable!("a scan that is never stopped finishes"),
    }
}

/// [`scan_with_markers`], asking `stop` now and then whether the result is
/// still wanted: `None` when it said no.
pub fn scan_with_markers_until(
    text: &str,
    kind: DocKind,
    stop: &dyn Fn() -> bool,
) -> Option<(Vec<RawLink>, bool)> {
    let mut out = Vec::new();
    let marker = Cell::new(false);
    let mut candidates = candidates(text, &marker).peekable();
    if candidates.peek().is_none() {
        return Some((out, marker.get()));
    }
    let mut classifier = Classifier::new(kind, text);
    let mut last_end = 0;
    for (n, (start, scheme_end)) in candidates.enumerate() {
        if n % STOP_EVERY == STOP_EVERY - 1 && stop() {
            return None;
        }
        if start < last_end || !left_boundary_ok(text, start) {
            continue;
        }
        let Some(place) = classifier.place(start) else {
            continue;
        };
        let scheme = &text[start..scheme_end - 1];
        let lowercase = scheme == "trueconf" || scheme == "visicall";
        if !lowercase && !place.explicit {
            continue;
        }
        if let Some(link) = finish_link(text, start, scheme_end, place) {
            last_end = link.span.end;
            out.push(link);
        }
    }
    Some((out, marker.get()))
}

/// How many candidates or links a stoppable pass handles between two
/// questions to its `stop`.
pub const STOP_EVERY: usize = 256;

/// Tells, for offsets that never decrease, whether each is inside a comment
/// of the document's own syntax: `<!-- … -->` in HTML and Markdown (opening on
/// the same line in Markdown, and outside code), the language's comments in
/// source code. Plain text has no comments: every offset counts as one.
pub struct Comments<'t>(Classifier<'t>);

impl<'t> Comments<'t> {
    pub fn new(text: &'t str, kind: DocKind) -> Self {
        Comments(Classifier::new(kind, text))
    }

    pub fn contains(&mut self, at: usize) -> bool {
        match &mut self.0 {
            Classifier::Plain => true,
            Classifier::Html(h) => h.in_comment(at),
            Classifier::Markdown(m) => m.in_comment(at),
            Classifier::Code(c) => c.in_comment(at),
        }
    }
}

enum Classifier<'t> {
    Plain,
    Html(html::Html<'t>),
    Markdown(markdown::Markdown<'t>),
    Code(code::Lexer<'t>),
}

impl<'t> Classifier<'t> {
    fn new(kind: DocKind, text: &'t str) -> Self {
        match kind {
            DocKind::Plain => Classifier::Plain,
            DocKind::Html => Classifier::Html(html::Html::new(text)),
            DocKind::Markdown => Classifier::Markdown(markdown::Markdown::new(text)),
            DocKind::Code(lang) => Classifier::Code(code::Lexer::new(text, lang, 0, text.len())),
        }
    }

    fn place(&mut self, at: usize) -> Option<Place> {
        match self {
            Classifier::Plain => Some(prose_place(Context::Text, Decode::None, usize::MAX, None)),
            Classifier::Html(h) => h.place(at),
            Classifier::Markdown(m) => m.place(at),
            Classifier::Code(c) => Some(c.place(at)),
        }
    }
}

/// A link needs a boundary on its left: the start of the text, white space,
/// or a character that opens a link position. A letter, digit, `.`, `_` or
/// `-` right before the scheme makes it part of a longer word.
fn left_boundary_ok(text: &str, start: usize) -> bool {
    let Some(c) = text[..start].chars().next_back() else {
        return true;
    };
    !(c.is_alphanumeric()
        || matches!(
            c,
            '.' | '_' | '-' | '/' | '\\' | '@' | ':' | '%' | '&' | '#' | '$'
        ))
}

/// Source bytes one decoded character can stand for, with room to spare:
/// an HTML character reference reads at most 13, a backslash escape 6.
const ESCAPE_REACH: usize = 16;

/// Decides where the link starting at `start` ends, or that it is no link.
///
/// Most candidates are decided within a few bytes of their scheme, but the
/// first pass alone runs to the context's next hard terminator, which on a
/// long line without white space is far away. If every candidate of such a
/// line did that (each one rejected, or cut short at a bracket), the scan
/// would be quadratic. So the decision is made on a window after the
/// scheme first, widened only while the window cannot decide it.
fn finish_link(text: &str, start: usize, scheme_end: usize, place: Place) -> Option<RawLink> {
    let limit = place.limit.min(text.len());
    let mut window = 256usize;
    loop {
        let bound = floor_char_boundary(text, scheme_end.saturating_add(window));
        if bound >= limit {
            return finish_within(text, start, scheme_end, place, limit, false).flatten();
        }
        if let Some(decided) = finish_within(text, start, scheme_end, place, bound, true) {
            return decided;
        }
        window = window.saturating_mul(4);
    }
}

/// [`finish_link`] with the link's bytes ending at `limit` at the latest.
/// When `windowed`, `limit` is not where the context ends but a window's
/// end; then the answer is `None` unless the bytes before the window's end
/// already decide it (a terminator, or a namespaced key) exactly as the
/// whole text would.
fn finish_within(
    text: &str,
    start: usize,
    scheme_end: usize,
    place: Place,
    limit: usize,
    windowed: bool,
) -> Option<Option<RawLink>> {
    let bytes = text.as_bytes();
    let opened_by = place
        .opened_by
        .or_else(|| (start > 0 && bytes[start - 1] == b'\'').then_some(b'\''));
    // First pass, on source bytes: the hard terminators of the context.
    let mut end = scheme_end;
    while end < limit {
        let b = bytes[end];
        let stop = match place.context {
            Context::StringLiteral { quote, escapes } => {
                if escapes && b == b'\\' {
                    match bytes.get(end + 1) {
                        // \n, \r, \t are white space once the string is read.
                        Some(b'n' | b'r' | b't') => true,
                        Some(_) => {
                            // Skip the backslash and the whole character it escapes.
                            let escaped = text[end + 1..].chars().next().map_or(1, char::len_utf8);
                            end += 1 + escaped;
                            continue;
                        }
                        None => true,
                    }
                } else {
                    b == quote || b.is_ascii_whitespace() || b == b'"' && quote != b'\''
                }
            }
            Context::HtmlAttribute { quote: Some(q) } => b == q || b.is_ascii_whitespace(),
            Context::HtmlAttribute { quote: None } => b.is_ascii_whitespace() || b == b'>',
            Context::MarkdownAutolink => b.is_ascii_whitespace() || b == b'>' || b == b'<',
            Context::MarkdownDestination => b.is_ascii_whitespace() || b == b'>' || b == b'<',
            Context::MarkdownCode => b.is_ascii_whitespace() || b == b'`',
            Context::Text | Context::HtmlText => {
                b.is_ascii_whitespace()
                    || matches!(b, b'<' | b'>' | b'"' | b'`')
                    || Some(b) == opened_by
            }
        };
        if stop {
            break;
        }
        // Step a whole character; stop at Unicode white space too.
        let c = text[end..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            break;
        }
        end += c.len_utf8();
    }
    let end = end.min(limit);
    // Cut off by the window rather than by the syntax: a decoded character
    // is the one the whole text has only if its escape ends before `end`.
    let known = (windowed && end >= limit).then(|| (end - start).saturating_sub(ESCAPE_REACH));
    // Second pass, on the decoded view: what a decoded character ends, the
    // unbalanced closing bracket and trailing punctuation of prose.
    let mut decoded = decode(&text[start..end], place.decode);
    let scheme_len = scheme_end - start;
    let mut cut = decoded.text.len();
    let mut stopped = false;
    let mut depth_paren = 0i32;
    let mut depth_bracket = 0i32;
    let prose = place.context.is_prose_like();
    let bracketed = prose || place.context == Context::MarkdownDestination;
    for (i, c) in decoded.text.char_indices().skip(scheme_len) {
        if known.is_some_and(|k| decoded.to_source(i) > k) {
            // Undecided past here; a namespaced key before here is one in
            // the whole text too (no terminator or trailing punctuation
            // can cut it).
            return is_namespaced_key(&decoded.text[scheme_len..i], false).then_some(None);
        }
        let stop = match c {
            c if c.is_whitespace() => true,
            '<' | '>' if place.decode == Decode::Entities => true,
            '"' if place.decode == Decode::Entities && prose => true,
            '(' => {
                depth_paren += 1;
                false
            }
            ')' if bracketed => {
                depth_paren -= 1;
                depth_paren < 0
            }
            '[' => {
                depth_bracket += 1;
                false
            }
            ']' if prose => {
                depth_bracket -= 1;
                depth_bracket < 0
            }
            _ => false,
        };
        if stop {
            cut = i;
            stopped = true;
            break;
        }
    }
    if known.is_some() && !stopped {
        return is_namespaced_key(&decoded.text[scheme_len..], false).then_some(None);
    }
    if prose {
        let body = &decoded.text[scheme_len..cut];
        let trimmed = body.trim_end_matches(['.', ',', ';', ':', '!', '?', '»', '”']);
        cut = scheme_len + trimmed.len();
    }
    decoded.truncate(cut);
    let body = &decoded.text[scheme_len..];
    // `TrueConf: error`, `trueconf:` at the end of a sentence: no link.
    if body.is_empty() && !place.explicit && place.context.is_prose_like() {
        return Some(None);
    }
    if is_namespaced_key(body, true) {
        return Some(None);
    }
    let end = start + decoded.to_source(decoded.text.len());
    Some(Some(RawLink {
        span: Span::new(start, end),
        context: place.context,
        decode: place.decode,
    }))
}

/// `trueconf:notification:{id}`, `trueconf:settings:theme`: a word followed by
/// a colon and a letter or brace is a namespaced key, not a call string,
/// unless an `@` follows in the same part (`trueconf:user:pw@server`).
/// With `complete` false, `body` is a prefix and an undecided end says no.
fn is_namespaced_key(body: &str, complete: bool) -> bool {
    let word = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    if word == 0 || body.as_bytes().get(word) != Some(&b':') {
        return false;
    }
    let has_letter = body.as_bytes()[..word].iter().any(u8::is_ascii_alphabetic);
    let next = body.as_bytes().get(word + 1).copied();
    // `trueconf:user:password@server` is a call with a password, not a key.
    let rest = &body.as_bytes()[word + 1..];
    let userinfo = match rest
        .iter()
        .position(|b| matches!(b, b'@' | b'&' | b'?' | b'#' | b'/' | b':'))
    {
        Some(i) => rest[i] == b'@',
        None => !complete,
    };
    has_letter && !userinfo && matches!(next, Some(b'a'..=b'z' | b'A'..=b'Z' | b'{' | b'$'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn links(text: &str, kind: DocKind) -> Vec<&str> {
        scan(text, kind)
            .iter()
            .map(|l| &text[l.span.range()])
            .collect()
    }

    #[test]
    fn prose_boundaries() {
        let cases: &[(&str, &[&str])] = &[
            ("call trueconf:bob.", &["trueconf:bob"]),
            ("(see trueconf:bob)", &["trueconf:bob"]),
            ("trueconf:a(b)c, then", &["trueconf:a(b)c"]),
            ("'trueconf:bob' and", &["trueconf:bob"]),
            ("«trueconf:bob»", &["trueconf:bob"]),
            ("TrueConf: error", &[]),
            ("trueconf: error", &[]),
            ("channels.trueconf:x xtrueconf:y a_trueconf:z", &[]),
            ("\"TrueConf:Enabled\"", &[]),
            ("key trueconf:notification:{id}", &[]),
            ("x trueconf:admin:PW@host y", &["trueconf:admin:PW@host"]),
            (
                "trueconf:login=[login]&password=[password]",
                &["trueconf:login=[login]&password=[password]"],
            ),
            ("[x trueconf:bob] y", &["trueconf:bob"]),
            (
                "trueconf:bob\tvisicall:ann",
                &["trueconf:bob", "visicall:ann"],
            ),
            ("TRUECONF:bob", &[]),
            (
                "a trueconf:#rtsp:%2f%2fh:554.",
                &["trueconf:#rtsp:%2f%2fh:554"],
            ),
        ];
        for (text, want) in cases {
            assert_eq!(links(text, DocKind::Plain), *want, "{text:?}");
        }
    }

    #[test]
    fn kinds_from_paths_and_ids() {
        assert_eq!(DocKind::from_path("docs/a.MD"), DocKind::Markdown);
        assert_eq!(DocKind::from_path("x/index.htm"), DocKind::Html);
        assert_eq!(
            DocKind::from_path("app.tsx"),
            DocKind::Code(Lang::JavaScript)
        );
        assert_eq!(DocKind::from_path("README"), DocKind::Plain);
        assert_eq!(DocKind::from_path("notes.txt"), DocKind::Plain);
        assert_eq!(
            DocKind::from_language_id("python"),
            DocKind::Code(Lang::Python)
        );
        assert_eq!(DocKind::from_language_id("plaintext"), DocKind::Plain);
    }

    /// The pattern candidates were first found with.
    static SCHEME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::RegexBuilder::new(r"(?i)(?:trueconf|visicall):")
            .unicode(false)
            .build()
            .unwrap()
    });

    /// The candidates are those of the regex, in texts with schemes in
    /// every case, split by colons, next to multi-byte characters.
    #[test]
    fn candidates_match_the_scheme_regex() {
        let re = &*SCHEME;
        let pieces = [
            "trueconf:",
            "TrueConf:",
            "TRUECONF",
            "visicall:",
            "VisiCall",
            ":",
            "::",
            "true",
            "conf:",
            "-lsp-",
            "trueconf-",
            "-",
            "lsp-",
            "é",
            "😀",
            "K",
            "\u{212a}",
            "x",
            " ",
            "\n",
        ];
        let mut rng = crate::test_rng::Rng::new(0x853c_49e6_748f_ea9b);
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..12 {
                text.push_str(pieces[rng.below(pieces.len())]);
            }
            let want: Vec<(usize, usize)> =
                re.find_iter(&text).map(|m| (m.start(), m.end())).collect();
            let marker = Cell::new(false);
            assert_eq!(
                candidates(&text, &marker).collect::<Vec<_>>(),
                want,
                "{text:?}"
            );
            assert_eq!(marker.get(), has_marker(&text), "{text:?}");
            assert_eq!(has_candidate(&text), re.is_match(&text));
        }
    }

    /// [`scan`] deciding every candidate on the whole text, as it first did.
    fn scan_unwindowed(text: &str, kind: DocKind) -> Vec<RawLink> {
        let mut out = Vec::new();
        let mut classifier = Classifier::new(kind, text);
        let mut last_end = 0;
        for m in SCHEME.find_iter(text) {
            let start = m.start();
            if start < last_end || !left_boundary_ok(text, start) {
                continue;
            }
            let Some(place) = classifier.place(start) else {
                continue;
            };
            let scheme = &text[start..m.end() - 1];
            let lowercase = scheme == "trueconf" || scheme == "visicall";
            if !lowercase && !place.explicit {
                continue;
            }
            let limit = place.limit.min(text.len());
            if let Some(link) = finish_within(text, start, m.end(), place, limit, false).flatten() {
                last_end = link.span.end;
                out.push(link);
            }
        }
        out
    }

    /// Windowed decisions are those of the whole text, for links that end
    /// or are rejected near, at or far past a window's end, through escapes.
    #[test]
    fn windowed_decisions_match_the_whole_text() {
        const PIECES: &[&str] = &[
            "trueconf:",
            "TrueConf:",
            "visicall:",
            "a",
            "b:c",
            ":",
            "&amp;",
            "&#58;",
            "&colon;",
            "\\",
            "\\\"",
            "\\u003a",
            "(",
            ")",
            "[",
            "]",
            ".",
            ",",
            "+",
            "'",
            "\"",
            "`",
            "<",
            ">",
            " ",
            "\n",
            "é",
            "😀",
            "=\"",
            "](",
            "<!--",
            "-->",
            "<a href=\"",
            "x=",
        ];
        let mut rng = crate::test_rng::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut below = |n: usize| rng.below(n);
        let kinds = [
            DocKind::Plain,
            DocKind::Markdown,
            DocKind::Html,
            DocKind::Code(Lang::Python),
            DocKind::Code(Lang::Json),
        ];
        for round in 0..400 {
            let mut text = String::new();
            while text.len() < 200 + round * 8 {
                match below(8) {
                    // Runs that carry a decision across a window's end.
                    0 => text.push_str(&"a".repeat(below(600))),
                    1 => text.push_str(&"&amp;".repeat(below(200))),
                    _ => text.push_str(PIECES[below(PIECES.len())]),
                }
            }
            for kind in kinds {
                assert_eq!(
                    scan(&text, kind),
                    scan_unwindowed(&text, kind),
                    "{kind:?} {text:?}"
                );
            }
        }
    }
}
