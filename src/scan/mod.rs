//! Finding `trueconf:` and `visicall:` links in a document, each with its
//! exact byte span and the syntax around it.
//!
//! Scanning is candidate-first: a case-insensitive literal search finds every
//! scheme, and a forward-only classifier for the document kind (HTML tags,
//! Markdown blocks, string literals of code) is advanced to each candidate to
//! say what syntax surrounds it. A document without candidates costs one
//! literal search; the classifiers together are linear in the document.

mod asciidoc;
mod code;
mod decode;
mod html;
mod lang;
mod markdown;
mod mdx;
mod pairs;
mod php;
mod place;
mod rst;
mod shell;

pub use code::Lang;
pub use decode::{Decode, DecodedText, JoinRules, decode, encode, junction, trim_space_end};
pub use markdown::{FenceMap, has_fence_line};
pub use place::Context;
pub use shell::Dialect;

use std::cell::Cell;

use memchr::memmem;

use place::{CodeHost, Joins, Place, prose_place};

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
    /// reStructuredText.
    Rst,
    /// AsciiDoc.
    AsciiDoc,
    /// A cmd batch file (`.bat`, `.cmd`).
    Cmd,
    /// A PowerShell script.
    PowerShell,
    /// MDX: Markdown with JavaScript and JSX.
    Mdx,
}

impl DocKind {
    /// The kind for a file name's extension; unknown extensions are plain text.
    pub fn from_path(path: &str) -> DocKind {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        let ext = match name.rsplit_once('.') {
            Some((_, ext)) => ext.to_ascii_lowercase(),
            // Ruby files known by name.
            None if matches!(name, "Gemfile" | "Rakefile" | "Guardfile" | "Podfile") => {
                return DocKind::Code(Lang::Ruby);
            }
            None => return DocKind::Plain,
        };
        match ext.as_str() {
            "md" | "markdown" | "mdown" | "mkd" => DocKind::Markdown,
            "mdx" => DocKind::Mdx,
            "html" | "htm" | "xhtml" | "vue" | "svelte" => DocKind::Html,
            // XML: the same tags, attribute values and character references
            // (`&amp;` in a link there is `&`).
            "xml" | "svg" | "xaml" | "plist" | "rss" | "atom" => DocKind::Html,
            "rst" => DocKind::Rst,
            "adoc" | "asciidoc" | "asc" => DocKind::AsciiDoc,
            "bat" | "cmd" => DocKind::Cmd,
            "ps1" | "psm1" => DocKind::PowerShell,
            _ => Lang::from_extension(&ext).map_or(DocKind::Plain, DocKind::Code),
        }
    }

    /// The kind for an LSP `languageId`.
    pub fn from_language_id(id: &str) -> DocKind {
        match id {
            "markdown" => DocKind::Markdown,
            "mdx" => DocKind::Mdx,
            "html" | "vue" | "svelte" | "xhtml" | "xml" | "svg" => DocKind::Html,
            "restructuredtext" | "rst" => DocKind::Rst,
            "asciidoc" => DocKind::AsciiDoc,
            "bat" | "batch" | "cmd" => DocKind::Cmd,
            "powershell" | "ps1" => DocKind::PowerShell,
            _ => Lang::from_language_id(id).map_or(DocKind::Plain, DocKind::Code),
        }
    }

    /// How a comment is written in this kind of document, as (open, close);
    /// `None` where the syntax has no comments (JSON, plain text).
    pub fn comment_syntax(self) -> Option<(&'static str, &'static str)> {
        match self {
            DocKind::Plain => None,
            DocKind::Markdown | DocKind::Html => Some(("<!--", "-->")),
            // A `.php` file is HTML around its code: no one comment syntax
            // fits every line.
            DocKind::Code(Lang::Php) => None,
            DocKind::Code(lang) => lang.comment_syntax(),
            DocKind::PowerShell => Some(("#", "")),
            DocKind::Mdx => Some(("{/*", "*/}")),
            // No comment can follow text on its line.
            DocKind::Rst | DocKind::AsciiDoc | DocKind::Cmd => None,
        }
    }

    /// The kind of a file that [`DocKind::from_path`] calls plain text but
    /// whose name has no extension, by its `#!` line: a `sh`, `bash`, `zsh`,
    /// `dash` or `ksh` interpreter makes it a shell script, `ruby`, `perl`
    /// or `php` a script of that language.
    pub fn sniffed(self, path: &str, text: &str) -> DocKind {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        if self != DocKind::Plain || name.contains('.') {
            return self;
        }
        match shell::shebang(text) {
            Some(lang) => DocKind::Code(lang),
            None => self,
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
    /// The kind of the innermost code host around the link (a code
    /// block's language, a script's dialect, the language of a code
    /// file); `None` outside code, where the document's kind judges.
    pub host: Option<DocKind>,
}

impl RawLink {
    /// The link as its consumer sees it, with a map back to the source.
    pub fn decoded<'t>(&self, source: &'t str) -> DecodedText<'t> {
        let decoded = decode(&source[self.span.range()], self.decode);
        match self.context {
            // Only a link attribute's link holds white space (see
            // `finish_within`): the browser drops its tabs and line breaks.
            Context::HtmlAttribute { quote: Some(_) } => decoded.without_tabs_and_breaks(),
            _ => decoded,
        }
    }
}

/// Every `trueconf:` and `visicall:` of `text`, in any ASCII case, as the
/// byte offsets of its start and of the end of its colon. With
/// `references`, also every `trueconf` or `visicall` followed by a
/// character reference that stands for a colon (`&#58;`, `&#x3a;`,
/// `&colon;`), with the end of the reference: inside an HTML attribute
/// value the reference is decoded before the browser looks for the scheme,
/// so `href="trueconf&#58;bob@…"` is a link (§7). Candidates never overlap
/// (each holds one colon, at its end) and come in order.
///
/// One search finds the last letter of a scheme word (`f`, `l`) followed by
/// `:`, `&` or `-`, and the eight bytes before that are compared: a pair is
/// rarer than any of its bytes, and one pass finds all three kinds. The
/// dash is there for `marker`, set when the search passes a suppression
/// marker's prefix ([`MARKER_PREFIX`], whose ninth byte is a dash), so
/// that markers cost no search of their own.
fn candidates<'t>(
    text: &'t str,
    references: bool,
    marker: &'t Cell<bool>,
) -> impl Iterator<Item = (usize, usize)> + 't {
    const { assert!(MARKER_PREFIX.as_bytes()[8] == b'-') };
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let at = 1 + if references {
                next_pair::<true>(bytes, from)
            } else {
                next_pair::<false>(bytes, from)
            }?;
            from = at;
            let Some(start) = at.checked_sub(8) else {
                continue;
            };
            let word = &bytes[start..at];
            match bytes[at] {
                b'-' if bytes[start..].starts_with(MARKER_PREFIX.as_bytes()) => marker.set(true),
                b':' if is_scheme_word(word) => return Some((start, at + 1)),
                b'&' if references && is_scheme_word(word) => {
                    if let Some((':', len)) = decode::entity(&text[at..]) {
                        return Some((start, at + len));
                    }
                }
                b':' | b'&' if references => {
                    // Letters of the scheme written as references
                    // (`vis&#105;call:`), decoded before the scheme is
                    // looked for, as a colon written as one is.
                    let Some(start) = scheme_by_reference(text, at) else {
                        continue;
                    };
                    if bytes[at] == b':' {
                        return Some((start, at + 1));
                    }
                    if let Some((':', len)) = decode::entity(&text[at..]) {
                        return Some((start, at + len));
                    }
                }
                _ => {}
            }
        }
    })
}

/// The next `i >= from` where a scheme word may end at `i + 1`: a scheme's
/// last letter, or with `REFERENCES` a `;` (the end of a reference for that
/// letter), before `:`, `&` or `-`.
#[inline(always)]
fn next_pair<const REFERENCES: bool>(bytes: &[u8], from: usize) -> Option<usize> {
    pairs::find(bytes, from, |a, b| {
        let l = a | 0x20;
        ((l == b'f') | (l == b'l') | (REFERENCES & (a == b';')))
            & ((b == b':') | (b == b'&') | (b == b'-'))
    })
}

/// How far before its end a character reference may start for
/// [`scheme_by_reference`] to read it (a reference for a letter, padded
/// with zeros or not: `&#105;`, `&#x00069;`).
const REFERENCE_REACH: usize = 40;

/// The start of the scheme word (`trueconf` or `visicall`, in any ASCII
/// case) that ends at `end`, some of whose letters are written as HTML
/// character references (`vis&#105;call`, `&#116;rueconf`): inside an
/// attribute value a browser decodes them before it looks for the scheme
/// (§7). Read backwards, each letter is the reference ending right there,
/// if one does (as a forward reading would take it), else the byte.
fn scheme_by_reference(text: &str, end: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let letter_before = |end: usize| -> Option<(u8, usize)> {
        if let Some((c, amp)) = reference_ending_at(text, end) {
            return c.is_ascii().then_some((c as u8, amp));
        }
        let at = end.checked_sub(1)?;
        Some((bytes[at], at))
    };
    'words: for word in [b"trueconf", b"visicall"] {
        let mut at = end;
        for &want in word.iter().rev() {
            match letter_before(at) {
                Some((c, from)) if c.to_ascii_lowercase() == want => at = from,
                _ => continue 'words,
            }
        }
        return Some(at);
    }
    None
}

/// Is a candidate's scheme (`trueconf:`, `visicall:`, parts of it written
/// as character references) in lowercase once decoded?
fn is_lowercase_scheme(scheme: &str) -> bool {
    if scheme.starts_with("trueconf") || scheme.starts_with("visicall") {
        return true;
    }
    let decoded = decode(scheme, Decode::Entities);
    decoded.text == "trueconf:" || decoded.text == "visicall:"
}

/// The character reference that ends right at `end`, if one does (as a
/// forward reading takes it): the character it stands for and its start.
fn reference_ending_at(text: &str, end: usize) -> Option<(char, usize)> {
    let bytes = text.as_bytes();
    let floor = end.saturating_sub(REFERENCE_REACH);
    let amp = floor + memchr::memrchr(b'&', &bytes[floor..end])?;
    let (c, len) = decode::entity(&text[amp..])?;
    (amp + len == end).then_some((c, amp))
}

/// In a place that reads character references, is the character before a
/// link's start (decoded, if a reference ends there) one a link may start
/// after? `&#120;trueconf:` and `&amp;trueconf:` are no links.
fn decoded_boundary_ok(text: &str, start: usize, decode: Decode) -> bool {
    // Of the bytes a reference may end with, only `;` passes the raw
    // boundary test before this one: most links need no look-back.
    if start == 0 || text.as_bytes()[start - 1] != b';' {
        return true;
    }
    let Some((c, amp)) = reference_ending_at(text, start) else {
        return true;
    };
    // In Markdown `\&` is a literal `&`: no reference starts there.
    let escaped = decode == Decode::Markdown
        && text.as_bytes()[..amp]
            .iter()
            .rev()
            .take_while(|&&b| b == b'\\')
            .count()
            % 2
            == 1;
    escaped || is_left_boundary(c)
}

/// `trueconf` or `visicall`, in any ASCII case.
fn is_scheme_word(word: &[u8]) -> bool {
    word.eq_ignore_ascii_case(b"trueconf") || word.eq_ignore_ascii_case(b"visicall")
}

/// Kinds whose documents hold HTML attribute values, where a scheme may be
/// written with a character reference for its colon.
fn has_attributes(kind: DocKind) -> bool {
    matches!(
        kind,
        DocKind::Html
            | DocKind::Markdown
            | DocKind::Mdx
            | DocKind::Code(Lang::Php)
            | DocKind::Rst
            | DocKind::AsciiDoc
    )
}

/// Is the place one where a scheme written with character references is
/// read (an attribute value, decoded before its scheme is looked for; a
/// Markdown link destination, which CommonMark decodes into the `href`)?
fn reads_references(place: &Place) -> bool {
    match place.context {
        Context::HtmlAttribute { .. } | Context::ScriptString { .. } => matches!(
            place.decode,
            Decode::Entities | Decode::EntitiesThenBackslash
        ),
        Context::MarkdownDestination | Context::MarkdownAngleDestination => {
            place.decode == Decode::Markdown
        }
        _ => false,
    }
}

/// Does the place decode character references (so that one right before
/// a link is read as the character it stands for)?
fn decodes_references(place: &Place) -> bool {
    matches!(
        place.decode,
        Decode::Entities | Decode::EntitiesThenBackslash | Decode::Markdown
    )
}

/// Is there any candidate link in `text`? Cheaper than [`scan`].
pub fn has_candidate(text: &str) -> bool {
    candidates(text, false, &Cell::new(false)).next().is_some()
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
    let marker = Cell::new(false);
    let mut candidates = candidates(text, has_attributes(kind), &marker).peekable();
    if candidates.peek().is_none() {
        return Some((Vec::new(), marker.get()));
    }
    let links = scan_candidates(text, kind, Classifier::new(kind, text), candidates, stop)?;
    Some((links, marker.get()))
}

/// Every candidate link of `text`, a document of `kind` (the start of its
/// scheme and the end of its colon, see [`scan_known_until`]), and whether
/// `text` holds anything that may be a suppression marker (as
/// [`has_marker`] does).
pub fn candidate_spans(text: &str, kind: DocKind) -> (Vec<(usize, usize)>, bool) {
    let marker = Cell::new(false);
    let found = candidates(text, has_attributes(kind), &marker).collect();
    (found, marker.get())
}

/// [`scan_with_markers_until`]'s links, from the candidates
/// [`candidate_spans`] found in `text` (sorted) instead of a search; in
/// Markdown, its fences may be given too (`fences`, the text's
/// [`FenceMap`]).
pub fn scan_known_until(
    text: &str,
    kind: DocKind,
    candidates: &[(usize, usize)],
    fences: Option<&FenceMap>,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<RawLink>> {
    if candidates.is_empty() {
        return Some(Vec::new());
    }
    let classifier = match kind {
        DocKind::Markdown => Classifier::Markdown(markdown::Markdown::with_fences(text, fences)),
        _ => Classifier::new(kind, text),
    };
    scan_candidates(text, kind, classifier, candidates.iter().copied(), stop)
}

/// The links of `text` at `candidates`, each classified by `classifier`.
fn scan_candidates(
    text: &str,
    kind: DocKind,
    mut classifier: Classifier<'_>,
    candidates: impl Iterator<Item = (usize, usize)>,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<RawLink>> {
    let mut out = Vec::new();
    let mut last_end = 0;
    for (n, (start, scheme_end)) in candidates.enumerate() {
        if n % STOP_EVERY == STOP_EVERY - 1 && stop() {
            return None;
        }
        if start < last_end {
            continue;
        }
        let raw_boundary = left_boundary_ok(text, start) || asciidoc_link(text, kind, start);
        if !raw_boundary && !may_end_an_escape(text, start) {
            continue;
        }
        let Some(place) = classifier.place(start) else {
            continue;
        };
        if !raw_boundary && !escaped_boundary_ok(text, start, place.decode) {
            continue;
        }
        let by_reference = scheme_end - start != "trueconf:".len();
        if by_reference && !reads_references(&place)
            || decodes_references(&place) && !decoded_boundary_ok(text, start, place.decode)
        {
            continue;
        }
        if !place.explicit && !is_lowercase_scheme(&text[start..scheme_end]) {
            continue;
        }
        if let Some(link) = finish_link(text, start, scheme_end, place) {
            last_end = link.span.end;
            out.push(link);
        }
    }
    Some(out)
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
            Classifier::Shell(s) => s.in_comment(at),
            Classifier::Rst(r) => r.in_comment(at),
            Classifier::AsciiDoc(a) => a.in_comment(at),
            Classifier::Mdx(m) => m.in_comment(at),
            Classifier::Php(p) => p.in_comment(at),
        }
    }
}

enum Classifier<'t> {
    Plain,
    Html(html::Html<'t>),
    Markdown(markdown::Markdown<'t>),
    Code(code::Lexer<'t>),
    Shell(shell::Shell<'t>),
    Rst(rst::Rst<'t>),
    AsciiDoc(asciidoc::AsciiDoc<'t>),
    Mdx(mdx::Mdx<'t>),
    Php(php::Php<'t>),
}

impl<'t> Classifier<'t> {
    fn new(kind: DocKind, text: &'t str) -> Self {
        match kind {
            DocKind::Plain => Classifier::Plain,
            DocKind::Html => Classifier::Html(html::Html::new(text)),
            DocKind::Markdown => Classifier::Markdown(markdown::Markdown::new(text)),
            DocKind::Code(Lang::Shell) => {
                Classifier::Shell(shell::Shell::new(text, Dialect::Posix, 0, text.len()))
            }
            DocKind::Code(Lang::Php) => Classifier::Php(php::Php::new(text)),
            DocKind::Code(lang) => Classifier::Code(code::Lexer::new(text, lang, 0, text.len())),
            DocKind::Cmd => Classifier::Shell(shell::Shell::new(text, Dialect::Cmd, 0, text.len())),
            DocKind::PowerShell => {
                Classifier::Shell(shell::Shell::new(text, Dialect::PowerShell, 0, text.len()))
            }
            DocKind::Rst => Classifier::Rst(rst::Rst::new(text)),
            DocKind::AsciiDoc => Classifier::AsciiDoc(asciidoc::AsciiDoc::new(text)),
            DocKind::Mdx => Classifier::Mdx(mdx::Mdx::new(text)),
        }
    }

    fn place(&mut self, at: usize) -> Option<Place> {
        match self {
            Classifier::Plain => Some(prose_place(Context::Text, Decode::None, usize::MAX, None)),
            Classifier::Html(h) => h.place(at),
            Classifier::Markdown(m) => m.place(at),
            Classifier::Code(c) => Some(c.place(at)),
            Classifier::Shell(s) => s.place(at),
            Classifier::Rst(r) => r.place(at),
            Classifier::AsciiDoc(a) => a.place(at),
            Classifier::Mdx(m) => m.place(at),
            Classifier::Php(p) => p.place(at),
        }
    }
}

/// A link needs a boundary on its left (§7): the start of the text, white
/// space, or any character that is not an ASCII letter or digit and not one
/// of `. _ - + : / \ @ % & # $`. So `**trueconf:`, `«trueconf:`, a CSV
/// comma, a table's `|`, an emoji or CJK text start a link; `x.trueconf:`,
/// `my_trueconf:` and `link:trueconf:` do not.
fn left_boundary_ok(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_none_or(is_left_boundary)
}

/// Could the letter or digit before `start` be the end of an escape or a
/// reference (`\ntrueconf:`, `\u0020trueconf:`, `` `ttrueconf: ``,
/// `&#34trueconf:`)? A cheap test before the place is known.
fn may_end_an_escape(text: &str, start: usize) -> bool {
    let bytes = text.as_bytes();
    start > 0
        && bytes[start - 1].is_ascii_alphanumeric()
        && memchr::memrchr3(
            b'\\',
            b'`',
            b'&',
            &bytes[start.saturating_sub(ESCAPE_REACH)..start],
        )
        .is_some()
}

/// Longest run of backslashes or backticks read back from before a link
/// to decode the character before it (a longer one: no link).
const MAX_ESCAPE_RUN: usize = 64;

/// Is the character before `start`, as the place decodes its bytes
/// (a string's escapes, character references), a left boundary? In code the
/// link is judged on the string's value (§7): `"Call:\ntrueconf:…"` holds a
/// link after a line break.
fn escaped_boundary_ok(text: &str, start: usize, decode_mode: Decode) -> bool {
    let bytes = text.as_bytes();
    let from = start.saturating_sub(ESCAPE_REACH);
    let Some(i) = memchr::memrchr3(b'\\', b'`', b'&', &bytes[from..start]) else {
        return false;
    };
    // From the first of a run of backslashes (or backticks): whether the
    // last one escapes depends on how many there are.
    let mut at = from + i;
    let opener = bytes[at];
    let mut run = 1;
    while opener != b'&' && at > 0 && bytes[at - 1] == opener {
        at -= 1;
        run += 1;
        if run > MAX_ESCAPE_RUN {
            return false;
        }
    }
    // An escape of a control character (`\n`, `\t`, PowerShell's `` `n ``):
    // white space or a control once the string is read, which the view
    // keeps as written (the link's end is decided on such escapes too).
    let control = |escape: u8| match decode_mode {
        Decode::Backslash
        | Decode::BackslashTrim
        | Decode::BackslashDecimal
        | Decode::BackslashJoined { .. }
        | Decode::EntitiesThenBackslash => escape == b'\\',
        Decode::Backtick => escape == b'`',
        _ => false,
    };
    if run % 2 == 1
        && at + run + 1 == start
        && control(opener)
        && matches!(
            bytes[start - 1],
            b'0' | b'a' | b'b' | b'e' | b'f' | b'n' | b'r' | b't' | b'v'
        )
    {
        return true;
    }
    decode(&text[at..start], decode_mode)
        .text
        .chars()
        .next_back()
        .is_some_and(is_left_boundary)
}

/// May a link start right after `c`?
fn is_left_boundary(c: char) -> bool {
    c.is_whitespace()
        || !(c.is_ascii_alphanumeric()
            || matches!(
                c,
                '.' | '_' | '-' | '+' | '/' | '\\' | '@' | ':' | '%' | '&' | '#' | '$'
            ))
}

/// CJK ideographs, kana, hangul and fullwidth forms: a link in prose ends
/// before one (text written without spaces).
fn is_cjk(c: char) -> bool {
    matches!(
        c,
        '\u{3000}'..='\u{9FFF}'
            | '\u{AC00}'..='\u{D7AF}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FF00}'..='\u{FFEF}'
    )
}

/// Punctuation of Unicode categories Po, Pe and Pf that is not part of a
/// link at its end in prose, but for the characters a link's syntax ends
/// with (`/ % # & = @ \`) and the brackets, which [`trim_trailing`] keeps
/// when balanced. A table of the characters prose uses, not all of Unicode.
fn is_trailing_punctuation(c: char) -> bool {
    matches!(
        c,
        '!' | '"' | '\'' | '*' | ',' | '.' | ':' | ';' | '?'
            | '\u{A1}' | '\u{A7}' | '\u{B6}' | '\u{B7}' | '\u{BB}' | '\u{BF}'
            | '\u{2016}'..='\u{2017}'
            | '\u{2019}'
            | '\u{201D}'
            | '\u{2020}'..='\u{2027}'
            | '\u{2030}'..='\u{2038}'
            | '\u{203A}'..='\u{203E}'
            | '\u{2041}'..='\u{2043}'
            | '\u{2046}'..='\u{2051}'
            | '\u{2053}'
            | '\u{2055}'..='\u{205E}'
            | '\u{3001}'..='\u{3003}'
            | '\u{FF01}'..='\u{FF0F}'
            | '\u{FF1A}'..='\u{FF1F}'
            | '\u{FF3D}'
            | '\u{FF5D}'
            | '\u{FF60}'..='\u{FF65}'
    ) && !matches!(
        c,
        '\u{FF04}' | '\u{FF08}' | '\u{FF0B}' | '\u{FF0D}' | '\u{FF1C}'..='\u{FF1E}'
    )
}

/// Is the backslash before `at` (a line break) a CommonMark hard line
/// break: on a line that is no heading and no indented code, followed by a
/// line that goes on with the paragraph (not blank, not indented code, and
/// not a heading, a fence, a setext underline or thematic break, a quote,
/// a list item or HTML)? Anything else keeps the backslash as text.
fn hard_line_break(text: &str, at: usize) -> bool {
    let bytes = text.as_bytes();
    let next = match bytes.get(at..) {
        Some([b'\r', b'\n', ..]) => at + 2,
        Some([b'\n' | b'\r', ..]) => at + 1,
        _ => return false,
    };
    let line_start = memchr::memrchr2(b'\n', b'\r', &bytes[..at]).map_or(0, |i| i + 1);
    let line = &text[line_start..at];
    let next_end = memchr::memchr2(b'\n', b'\r', &bytes[next..]).map_or(bytes.len(), |i| next + i);
    let following = &text[next..next_end];
    let indent = |s: &str| s.len() - s.trim_start_matches(' ').len();
    let block_start = |s: &str| {
        let t = s.trim_start_matches(' ');
        t.is_empty()
            || indent(s) >= 4
            || s.starts_with('\t')
            || t.starts_with(['#', '>', '<', '|'])
            || t.starts_with("```")
            || t.starts_with("~~~")
            || t.trim_end()
                .chars()
                .all(|c| matches!(c, '-' | '=' | '*' | '_' | ' '))
            || t.starts_with(['-', '*', '+']) && t[1..].starts_with([' ', '\t'])
            || {
                let digits = t.bytes().take_while(u8::is_ascii_digit).count();
                (1..=9).contains(&digits)
                    && t[digits..].starts_with(['.', ')'])
                    && t[digits + 1..].starts_with([' ', '\t'])
            }
    };
    let heading = line.trim_start_matches(' ').starts_with('#');
    !heading && indent(line) < 4 && !line.starts_with('\t') && !block_start(following)
}

/// The body of a link in prose without its trailing punctuation (§7):
/// [`is_trailing_punctuation`], an unbalanced `)`, `]` or `}`, and Markdown
/// emphasis (`*`, `_`, `~`) that also stands right before the link
/// (`**trueconf:bob**`) or that the line opened before it
/// ([`emphasis_opened`]). A run of `*` right after `=` is a placeholder
/// (`password=***`) and stays.
fn trim_trailing<'b>(body: &'b str, before: &str) -> &'b str {
    let mut s = body;
    while let Some(c) = s.chars().next_back() {
        let count = |x: char| s.chars().filter(|&y| y == x).count();
        let drop = match c {
            ')' => count('(') < count(')'),
            ']' => count('[') < count(']'),
            '}' => count('{') < count('}'),
            '*' if s.trim_end_matches('*').ends_with('=') => false,
            '*' | '_' | '~' if before.ends_with(c) => true,
            '_' | '~' => emphasis_opened(before, c as u8),
            c => is_trailing_punctuation(c),
        };
        if !drop {
            break;
        }
        s = &s[..s.len() - c.len_utf8()];
    }
    s
}

/// Does the line before a link open emphasis with `mark` (`_` or `~`) that
/// a run of it after the link closes (`_see trueconf:bob_`, `~~old
/// trueconf:bob~~`): a `mark` at the start of the line or after a byte
/// that is no letter or digit, followed by something other than white
/// space? `trueconf:joe_` in `my_notes trueconf:joe_` keeps its `_`.
fn emphasis_opened(before: &str, mark: u8) -> bool {
    // Emphasis spans a few words: the bytes just before the link are
    // looked at, so that many links on one long line stay linear.
    let near = &before.as_bytes()[before.len().saturating_sub(EMPHASIS_REACH)..];
    let line = &near[memchr::memrchr(b'\n', near).map_or(0, |i| i + 1)..];
    // An opener on the line, unless a closer follows it (`_this_ then
    // trueconf:team_`: the `_` after the link opens nothing).
    let opens = |i: usize| {
        line[i] == mark
            && (i == 0 || !line[i - 1].is_ascii_alphanumeric())
            && line.get(i + 1).is_some_and(|n| !n.is_ascii_whitespace())
    };
    let closes = |i: usize| {
        line[i] == mark
            && i > 0
            && !line[i - 1].is_ascii_whitespace()
            && line[i - 1] != mark
            && !line.get(i + 1).is_some_and(u8::is_ascii_alphanumeric)
    };
    // Marks inside a code span or escaped (`\_`) are text, and a link in
    // a code span is in no emphasis.
    let mut open = false;
    let mut code = false;
    for i in 0..line.len() {
        let escaped = i > 0 && line[i - 1] == b'\\';
        if line[i] == b'`' {
            code = !code;
        } else if !code && !escaped && opens(i) {
            open = true;
        } else if !code && !escaped && closes(i) {
            open = false;
        }
    }
    open && !code
}

/// How far before a link [`emphasis_opened`] looks for its opener.
const EMPHASIS_REACH: usize = 256;

/// The length of a placeholder `<name>` at the start of `s`, `name` being
/// `[A-Za-z_][A-Za-z0-9_.-]*`.
fn angle_placeholder(s: &[u8]) -> Option<usize> {
    if s.first() != Some(&b'<')
        || !s
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_')
    {
        return None;
    }
    let n = s[2..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        .count();
    (s.get(2 + n) == Some(&b'>')).then_some(n + 3)
}

/// Does a placeholder `<name>` at `i` of `s` belong to the link (§7): right
/// after `=`, `:`, `@` or `\c\`?
fn placeholder_at(s: &[u8], i: usize) -> Option<usize> {
    let after = i > 0 && matches!(s[i - 1], b'=' | b':' | b'@')
        || i >= 3 && s[i - 3] == b'\\' && s[i - 2].eq_ignore_ascii_case(&b'c') && s[i - 1] == b'\\';
    if !after {
        return None;
    }
    angle_placeholder(&s[i..])
}

/// Placeholders of a string that a link continues across (§7): a
/// JavaScript template literal's `${…}`, a shell's `$(…)`, `${…}` and
/// backticks inside double quotes, PowerShell's `$(…)` and `${…}`, and in
/// the string literals of other code the interpolations and templates
/// written there (`{…}` of Python's f-strings, C#'s `$"…"` and format
/// strings, `#{…}` of Ruby, `${…}` of Kotlin, Dart and Groovy, `\(…)` of
/// Swift, `{{ … }}` of templates): white space inside one does not end the
/// link. Such a placeholder ends at the literal's own quote (`quote`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Holes {
    None,
    Template,
    Shell,
    PowerShell,
    Code { quote: u8 },
}

fn holes_of(place: &Place) -> Holes {
    match (place.context, place.decode) {
        (_, Decode::ShellDouble) => Holes::Shell,
        (_, Decode::Backtick) => Holes::PowerShell,
        (
            Context::StringLiteral { quote: b'`', .. } | Context::ScriptString { quote: b'`', .. },
            _,
        ) => Holes::Template,
        // Not a here-document's body (prose), nor a string whose
        // delimiter is a bracket (`%q{…}`, which nests).
        (Context::StringLiteral { quote, .. }, decode)
            if quote != b'\n' && nesting_open(place.context, decode).is_none() =>
        {
            Holes::Code { quote }
        }
        // JavaScript in an HTML attribute: its strings interpolate nothing
        // (templates are above), and a placeholder could run past the
        // attribute's quote.
        _ => Holes::None,
    }
}

/// May a placeholder of `holes` open at the byte `b`?
fn may_open_hole(b: u8, holes: Holes) -> bool {
    match holes {
        Holes::None => false,
        Holes::Code { .. } => matches!(b, b'$' | b'{' | b'#' | b'\\'),
        _ => matches!(b, b'$' | b'`'),
    }
}

/// The longest placeholder [`hole_len`] reads, in bytes.
pub const MAX_HOLE: usize = 256;

/// Unclosed placeholders a link's reading tries before it reads `$` and
/// backticks as text.
const MAX_MISSES: usize = 8;

/// Does a placeholder of `holes` open at `i` (closed or not)?
fn hole_opens(s: &[u8], i: usize, holes: Holes) -> bool {
    match (holes, s[i], s.get(i + 1)) {
        (Holes::None, ..) => false,
        (_, b'$', Some(b'{')) => true,
        (Holes::Code { .. }, b'{', _) | (Holes::Code { .. }, b'#', Some(b'{')) => true,
        (Holes::Code { .. }, b'\\', Some(b'(')) => true,
        (Holes::Shell | Holes::PowerShell, b'$', Some(b'(')) => true,
        (Holes::Shell, b'`', _) => true,
        _ => false,
    }
}

/// The length of the placeholder of `holes` at `i` of `s`, when it closes
/// within `s`: `${…}` and `$(…)` with nested brackets and quoted strings,
/// a shell's `` `…` ``.
fn hole_len(s: &[u8], i: usize, holes: Holes) -> Option<usize> {
    if !hole_opens(s, i, holes) {
        return None;
    }
    // A placeholder is short: looking no further keeps a string of many
    // unclosed `$(` linear.
    let s = &s[..s.len().min(i + MAX_HOLE)];
    if s[i] == b'`' {
        return memchr::memchr(b'`', &s[i + 1..]).map(|k| k + 2);
    }
    // The opening bracket: the byte itself (`{…}`) or the next one.
    let first = if s[i] == b'{' { i } else { i + 1 };
    let (open, close) = if s[first] == b'{' {
        (b'{', b'}')
    } else {
        (b'(', b')')
    };
    let mut depth = 0usize;
    let mut k = first;
    while k < s.len() {
        match s[k] {
            b if b == open => depth += 1,
            // A code string's placeholder does not run past the literal.
            q if matches!(holes, Holes::Code { quote } if quote == q) => return None,
            b if b == close => {
                depth -= 1;
                if depth == 0 {
                    return Some(k + 1 - i);
                }
            }
            b'\\' => k += 1,
            q @ (b'"' | b'\'' | b'`') if !matches!(holes, Holes::Code { .. }) => {
                k += 1;
                while k < s.len() && s[k] != q {
                    if s[k] == b'\\' && q != b'\'' {
                        k += 1;
                    }
                    k += 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

/// The bracket a string closed by `quote` nests, if it does: a Ruby
/// `%q(…)` or Perl `q{…}` string (`q{trueconf:{x}@srv}`) but not a Lua long
/// bracket (`]`, read raw).
fn nesting_open(context: Context, decode: Decode) -> Option<u8> {
    match (context, decode) {
        (Context::StringLiteral { quote: b')', .. }, _) => Some(b'('),
        (Context::StringLiteral { quote: b'}', .. }, _) => Some(b'{'),
        (Context::StringLiteral { quote: b'>', .. }, _) => Some(b'<'),
        (Context::StringLiteral { quote: b']', .. }, d) if d != Decode::None => Some(b'['),
        _ => None,
    }
}

/// The quote right before a link in an attribute value quoted by `attr`,
/// when it is another quote than the value's own.
fn value_quote(bytes: &[u8], start: usize, attr: Option<u8>) -> Option<u8> {
    let before = *bytes.get(start.checked_sub(1)?)?;
    (matches!(before, b'"' | b'\'') && Some(before) != attr).then_some(before)
}

/// The quote (`"` or `'`) that a character reference ending at `start`
/// stands for (`&apos;`, `&#39;`, `&quot;`, `&#x22;`).
fn quote_reference_before(text: &str, start: usize) -> Option<char> {
    reference_ending_at(text, start)
        .map(|(c, _)| c)
        .filter(|c| matches!(c, '"' | '\''))
}

/// Is the character reference at `at` the quote `opened` (see
/// [`quote_reference_before`])?
fn closes_reference_quote(text: &str, at: usize, opened: Option<char>) -> bool {
    opened.is_some_and(|q| decode::entity(&text[at..]).is_some_and(|(c, _)| c == q))
}

/// AsciiDoc's `link:` macro (`link:trueconf:…[text]`), and a passthrough
/// (`link:++trueconf:…++[text]`, `++trueconf:…++`, `+trueconf:…+`; see
/// [`asciidoc::passthrough`]).
fn asciidoc_link(text: &str, kind: DocKind, start: usize) -> bool {
    if kind != DocKind::AsciiDoc {
        return false;
    }
    let before = &text[..start];
    let plus = asciidoc::opening_plus(before);
    let before = &before[..before.len() - plus.min(2)];
    before.ends_with("link:") && left_boundary_ok(text, before.len() - "link:".len())
        || (1..=2).contains(&plus) && left_boundary_ok(text, before.len())
}

/// Source bytes one decoded character can stand for, with room to spare:
/// an HTML character reference reads at most 13, a backslash escape
/// [`decode::NAMED_REACH`] (`\N{LATIN CAPITAL LETTER A}`).
const ESCAPE_REACH: usize = decode::NAMED_REACH + 4;

/// How many junctions of adjacent string literals a link crosses at most
/// (see [`decode::junction`]).
const MAX_JUNCTIONS: usize = 32;

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
    mut place: Place,
    mut limit: usize,
    windowed: bool,
) -> Option<Option<RawLink>> {
    let bytes = text.as_bytes();
    let opened_by = place
        .opened_by
        .or_else(|| (start > 0 && bytes[start - 1] == b'\'').then_some(b'\''));
    // A command line inside a string literal (`'xdg-open "trueconf:…"'`,
    // `"start \"\" \"trueconf:…\""`): the inner quote that opened the link
    // ends it, written as it was before the link.
    let inner: Option<&[u8]> = match place.context {
        Context::StringLiteral { quote, escapes }
        | Context::ScriptString { quote, escapes, .. } => match bytes[..start] {
            [.., b'\\', q] if escapes && (q == b'"' || q == b'\'') => {
                Some(&bytes[start - 2..start])
            }
            // The literal's own quote, doubled (C# `@"…""…"`, YAML `'…''…'`,
            // PowerShell `"…""…"`) or escaped by a backtick (PowerShell
            // `` `" ``): a quote of the value, written as the literal
            // writes one.
            [.., a, q]
                if q == quote
                    && (a == q
                        && (place.joins == Joins::Doubled || place.decode == Decode::Backtick)
                        || a == b'`' && place.decode == Decode::Backtick) =>
            {
                Some(&bytes[start - 2..start])
            }
            [.., q] if (q == b'"' || q == b'\'') && q != quote => Some(&bytes[start - 1..start]),
            _ => None,
        },
        _ => None,
    };
    // First pass, on source bytes: the hard terminators of the context.
    let holes = holes_of(&place);
    // Placeholders that opened and did not close: past a few, `$` and
    // backticks are read as text, so a string of them stays linear.
    let mut misses = 0;
    // Junctions of adjacent literals crossed: past a few, a literal's
    // quote ends the link, so a chain of literals stays linear.
    let mut junctions = 0;
    // The quote that closes the literal the link is in (the next literal's
    // after a junction), and where that literal opened (when known).
    let mut closing = match place.context {
        Context::StringLiteral { quote, .. } => quote,
        _ => 0,
    };
    let mut literal_open = None;
    // Brackets of a nesting string's delimiter opened inside the link.
    let nesting = nesting_open(place.context, place.decode);
    let mut nested = 0usize;
    // White space is part of the link: in angle brackets of a Markdown
    // destination, and in a quoted link attribute (up to its last
    // character that is not white space).
    let spaced = place.context == Context::MarkdownAngleDestination
        || place.explicit && matches!(place.context, Context::HtmlAttribute { quote: Some(_) })
        || place.decode == Decode::NoSpace;
    // The bytes this context stops or turns at, beside white space and the
    // fixed punctuation of each arm below (and the quotes `value_quote`
    // gives). When none is a letter or a digit, letters and digits are part
    // of the link whatever the context, and are stepped over at once: they
    // are most of a link's bytes.
    let (quote, other_quote) = match place.context {
        Context::StringLiteral { quote, .. } => (Some(quote), None),
        Context::ScriptString {
            quote, attr_quote, ..
        } => (Some(quote), attr_quote),
        Context::HtmlAttribute { quote } => (quote, None),
        Context::Delimited { close } => (Some(close), None),
        _ => (None, None),
    };
    let alnum_plain = ![
        opened_by,
        inner.and_then(|q| q.first().copied()),
        nesting,
        quote,
        other_quote,
    ]
    .into_iter()
    .flatten()
    .any(|b| b.is_ascii_alphanumeric());
    // Strings whose `\N{…}` escapes the scan steps over whole.
    let string_escapes = match place.context {
        Context::StringLiteral { escapes, .. } => escapes,
        Context::ScriptString {
            escapes,
            attr_quote,
            ..
        } => escapes && attr_quote != Some(b'\\'),
        _ => false,
    };
    // A quote written as a character reference right before the link
    // (`content="0;url=&apos;trueconf:…&apos;"`): the value's quote that
    // opened the link, which the same quote ends.
    let reference_quote = match place.context {
        Context::HtmlAttribute { .. } => quote_reference_before(text, start),
        _ => None,
    };
    let mut end = scheme_end;
    while end < limit {
        let b = bytes[end];
        if alnum_plain && b.is_ascii_alphanumeric() {
            end += 1;
            continue;
        }
        if let Some(open) = nesting {
            if b == open {
                nested += 1;
            } else if nested > 0
                && Some(b) != inner.and_then(|q| q.first().copied())
                && matches!(place.context, Context::StringLiteral { quote, .. } if quote == b)
            {
                nested -= 1;
                end += 1;
                continue;
            }
        }
        // A template's `${…}`, a shell's `$(…)`: a placeholder that the
        // link continues after, whatever it holds.
        if may_open_hole(b, holes) && misses < MAX_MISSES {
            match hole_len(&bytes[..limit], end, holes) {
                Some(n) => {
                    end += n;
                    continue;
                }
                // Unclosed within a window: the whole text may close it.
                None if windowed && limit < end + MAX_HOLE && hole_opens(bytes, end, holes) => {
                    return None;
                }
                None if hole_opens(bytes, end, holes) => misses += 1,
                None => {}
            }
        }
        if inner.is_some_and(|q| bytes[end..].starts_with(q)) {
            break;
        }
        // `\N{NO-BREAK SPACE}` in a string that escapes: one character,
        // decided on the decoded view.
        if b == b'\\'
            && string_escapes
            && let Some((_, n)) = decode::named_escape(&text[end..])
        {
            if end + n <= limit {
                end += n;
                continue;
            }
            // Cut by a window's edge, the whole text decides; cut by the
            // context's end, the link stops before it.
            if windowed {
                return None;
            }
            break;
        }
        let stop = match place.context {
            // PowerShell: a backtick escapes the next character (a control
            // character for `n`, `r`, `t`, … which ends the link).
            Context::StringLiteral { .. } if place.decode == Decode::Backtick && b == b'`' => {
                match text[end + 1..limit].chars().next() {
                    Some('0' | 'a' | 'b' | 'e' | 'f' | 'n' | 'r' | 't' | 'v') | None => true,
                    Some(c) => {
                        end += 1 + c.len_utf8();
                        continue;
                    }
                }
            }
            // PowerShell: `""` is a quote inside the string.
            Context::StringLiteral { .. }
                if place.decode == Decode::Backtick
                    && b == b'"'
                    && end + 1 < limit
                    && bytes[end + 1] == b'"' =>
            {
                end += 2;
                continue;
            }
            // A doubled quote is one quote inside the string (YAML single
            // quotes, C# verbatim strings): the string goes on.
            Context::StringLiteral { .. }
                if place.joins == Joins::Doubled
                    && b == closing
                    && bytes.get(end + 1) == Some(&closing) =>
            {
                end += 2;
                continue;
            }
            // Single quotes that keep every backslash but before `\\` and
            // the quote (PHP, Perl, Ruby): `\'` is a quote inside.
            Context::StringLiteral { .. }
                if place.decode == Decode::SingleQuoted
                    && b == b'\\'
                    && matches!(bytes.get(end + 1), Some(&c) if c == b'\\' || c == closing) =>
            {
                end += 2;
                continue;
            }
            Context::StringLiteral { quote, escapes } => {
                if escapes && b == b'\\' {
                    match bytes.get(end + 1) {
                        // \n, \r, \t are white space once the string is read.
                        Some(b'n' | b'r' | b't') => true,
                        // A line continuation that also stands for the next
                        // line's indentation (Rust, TOML).
                        Some(b'\n' | b'\r' | b' ' | b'\t')
                            if place.decode == Decode::BackslashTrim
                                && let Some(n) = decode::continuation(bytes, end, place.decode) =>
                        {
                            end += n;
                            continue;
                        }
                        // A line continuation across a CRLF.
                        Some(b'\r') if bytes.get(end + 2) == Some(&b'\n') => {
                            end += 3;
                            continue;
                        }
                        Some(_) => {
                            // Skip the backslash and the whole character it escapes.
                            let escaped = text[end + 1..].chars().next().map_or(1, char::len_utf8);
                            end += 1 + escaped;
                            continue;
                        }
                        None => true,
                    }
                } else if b == closing
                    && junctions < MAX_JUNCTIONS
                    && let Some(rules) = place.joins.rules()
                    && let Some(j) = decode::junction(bytes, end, closing, rules)
                    && (!j.bare_break || {
                        // The opening quote of the literal the link is in.
                        let open = literal_open.unwrap_or_else(|| {
                            let line = memchr::memrchr2(b'\n', b'\r', &bytes[..start])
                                .map_or(0, |i| i + 1);
                            memchr::memrchr(quote, &bytes[line..start]).map_or(start, |i| line + i)
                        });
                        place.joins.over_line(bytes, open)
                    })
                {
                    // An adjacent literal continues the string (and the
                    // link), to its closing quote or white space. Past a
                    // window's end, the whole text decides.
                    if windowed && end + j.len >= limit {
                        return None;
                    }
                    end += j.len;
                    junctions += 1;
                    closing = j.quote;
                    literal_open = Some(end - 1);
                    place.decode = Decode::BackslashJoined { quote };
                    if !windowed {
                        limit = bytes.len();
                    }
                    continue;
                } else {
                    b == closing || b.is_ascii_whitespace() || b == b'"' && closing != b'\''
                }
            }
            Context::ScriptString {
                attr_quote,
                quote,
                escapes,
            } => {
                if escapes && b == b'\\' && Some(b'\\') != attr_quote {
                    match bytes.get(end + 1) {
                        Some(b'n' | b'r' | b't') => true,
                        Some(&next) if Some(next) != attr_quote => {
                            let escaped = text[end + 1..].chars().next().map_or(1, char::len_utf8);
                            end += 1 + escaped;
                            continue;
                        }
                        _ => true,
                    }
                } else {
                    b == quote
                        || b.is_ascii_whitespace()
                        || Some(b) == attr_quote
                        || attr_quote.is_none() && b == b'>'
                        // `&quot;` closes a string opened by `"` or by
                        // `&quot;`: the attribute is decoded first.
                        || b == b'&'
                            && decode::entity(&text[end..])
                                .is_some_and(|(c, _)| c.is_ascii() && c as u8 == quote)
                }
            }
            // A quote of the other kind right before the link opened it
            // inside the value (`content="0;url='trueconf:…'"`, `title="'…'"`)
            // and ends it.
            // In a quoted link attribute (`href`, `src`), white space is
            // part of the URL: the browser drops tabs and line breaks and
            // encodes spaces; only the quote ends it.
            Context::HtmlAttribute { quote: Some(q) } => {
                b == q
                    || !place.explicit && b.is_ascii_whitespace()
                    || Some(b) == value_quote(bytes, start, Some(q))
                    || b == b'&' && closes_reference_quote(text, end, reference_quote)
            }
            Context::HtmlAttribute { quote: None } => {
                b.is_ascii_whitespace()
                    || b == b'>'
                    || Some(b) == value_quote(bytes, start, None)
                    || b == b'&' && closes_reference_quote(text, end, reference_quote)
            }
            Context::MarkdownAutolink => b.is_ascii_whitespace() || b == b'>' || b == b'<',
            Context::MarkdownDestination => b.is_ascii_whitespace() || b == b'>' || b == b'<',
            // CommonMark: a backslash escapes the punctuation after it, so
            // `\>` does not end the destination; spaces do not either.
            Context::MarkdownAngleDestination => {
                if b == b'\\' && bytes.get(end + 1).is_some_and(u8::is_ascii_punctuation) {
                    end += 2;
                    continue;
                }
                matches!(b, b'>' | b'<' | b'\n' | b'\r')
            }
            Context::MarkdownCode => b.is_ascii_whitespace() || b == b'`',
            Context::ShellWord { .. } => b.is_ascii_whitespace(),
            // reStructuredText drops a URI's white space: only the close
            // (or the place's limit) ends it there.
            // A backslash escapes the character after it there (`\>`).
            Context::Delimited { .. } if spaced && b == b'\\' && end + 1 < limit => {
                end += 1 + text[end + 1..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            Context::Delimited { close } if spaced => close != b'\n' && b == close,
            Context::Delimited { close } => b.is_ascii_whitespace() || b == close,
            Context::Text => {
                if b == b'<'
                    && let Some(n) = placeholder_at(bytes, end)
                {
                    end = (end + n).min(limit);
                    continue;
                }
                b.is_ascii_whitespace()
                    || matches!(b, b'<' | b'>' | b'"' | b'`' | b'|')
                    || Some(b) == opened_by
            }
            Context::HtmlText => {
                b.is_ascii_whitespace()
                    || matches!(b, b'<' | b'>' | b'"' | b'`' | b'|')
                    || Some(b) == opened_by
            }
        };
        if stop {
            break;
        }
        // Step a whole character; stop at Unicode white space too (but
        // where spaces are part of the link).
        let c = text[end..].chars().next().unwrap_or(' ');
        if c.is_whitespace() && !spaced {
            break;
        }
        end += c.len_utf8();
    }
    let mut end = end.min(limit);
    if place.decode == Decode::NoSpace {
        // White space after a URI docutils drops is not the link's.
        end = start + decode::trim_space_end(&text[start..end]).len();
    }
    // A container that ends inside the scheme (an attribute value or a
    // string cut short): no link.
    if end < scheme_end {
        return Some(None);
    }
    // Cut off by the window rather than by the syntax: a decoded character
    // is the one the whole text has only if its escape ends before `end`.
    let known = (windowed && end >= limit).then(|| (end - start).saturating_sub(ESCAPE_REACH));
    // Second pass, on the decoded view: what a decoded character ends, the
    // unbalanced closing bracket and trailing punctuation of prose.
    let mut decoded = decode(&text[start..end], place.decode);
    // The decoded scheme: `trueconf:` or `visicall:`, whether its colon was
    // written as one or as a character reference.
    let scheme_len = "trueconf:".len();
    let mut cut = decoded.text.len();
    let mut stopped = false;
    let mut depth_paren = 0i32;
    let mut depth_bracket = 0i32;
    let prose = place.context.is_prose_like();
    let bracketed = prose || place.context == Context::MarkdownDestination;
    let angle = place.context == Context::MarkdownAngleDestination;
    let entities = matches!(place.decode, Decode::Entities | Decode::Markdown);
    // A destination's character written with a backslash escape (`\)`,
    // `\>`) is a literal one: it neither ends the link nor counts as a
    // bracket.
    let escaped = |i: usize| {
        matches!(
            place.context,
            Context::MarkdownDestination | Context::MarkdownAngleDestination
        ) && place.decode == Decode::Markdown
            && bytes[start + decoded.to_source(i)] == b'\\'
    };
    let mut skip_to = 0;
    let mut misses_decoded = 0;
    for (i, c) in decoded.text.char_indices().skip(scheme_len) {
        // A letter or a digit neither ends the link nor counts as a bracket;
        // only the window's edge, when there is one, is looked for at each.
        if i < skip_to || c.is_ascii_alphanumeric() && known.is_none() {
            continue;
        }
        if c.is_ascii() && may_open_hole(c as u8, holes) && misses_decoded < MAX_MISSES {
            match hole_len(decoded.text.as_bytes(), i, holes) {
                Some(n) => {
                    skip_to = i + n;
                    continue;
                }
                None if hole_opens(decoded.text.as_bytes(), i, holes) => misses_decoded += 1,
                None => {}
            }
        }
        if known.is_some_and(|k| decoded.to_source(i) > k) {
            // Undecided past here; a namespaced key before here is one in
            // the whole text too (no terminator or trailing punctuation
            // can cut it).
            return is_namespaced_key(&decoded.text[scheme_len..i], false).then_some(None);
        }
        let stop = match c {
            _ if escaped(i) => false,
            ' ' | '\t' if angle => false,
            c if c.is_whitespace() && spaced && !angle => false,
            c if c.is_whitespace() => true,
            '<' if place.context == Context::Text
                && placeholder_at(decoded.text.as_bytes(), i).is_some() =>
            {
                skip_to = i + placeholder_at(decoded.text.as_bytes(), i).unwrap_or(1);
                false
            }
            '<' | '>' if entities => true,
            '"' if entities && prose => true,
            c if prose && is_cjk(c) => true,
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
    if spaced {
        // The browser drops the white space at the end of a URL.
        cut = scheme_len.max(decoded.text[..cut].trim_end().len());
    }
    if prose {
        let body = &decoded.text[scheme_len..cut];
        cut = scheme_len + trim_trailing(body, &text[..start]).len();
        // Markdown's hard line break: a backslash written alone at the end
        // of a paragraph's line, with more of the paragraph after it, is
        // markup, not the link's (`\\` is a literal one, and so is a
        // backslash at the end of a paragraph or a heading).
        if place.decode == Decode::Markdown
            && cut > scheme_len
            && decoded.text.as_bytes()[cut - 1] == b'\\'
            && decoded.source_len(cut - 1, cut) == 1
            && hard_line_break(text, start + decoded.to_source(cut))
        {
            cut -= 1;
        }
    }
    decoded.truncate(cut);
    let body = &decoded.text[scheme_len..];
    // `trueconf::Client` is a path, never a link.
    if body.starts_with(':') {
        return Some(None);
    }
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
        host: place.host.map(|h| match h {
            CodeHost::Code(lang) => DocKind::Code(lang),
            CodeHost::Cmd => DocKind::Cmd,
            CodeHost::PowerShell => DocKind::PowerShell,
        }),
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
            (
                "**trueconf:bob**, ~~trueconf:ann~~",
                &["trueconf:bob", "trueconf:ann"],
            ),
            (
                "see trueconf:bob… and trueconf:ann。",
                &["trueconf:bob", "trueconf:ann"],
            ),
            ("请拨打trueconf:bob@srv进入", &["trueconf:bob@srv"]),
            (
                "a,trueconf:bob, b |trueconf:ann| 😀trueconf:x",
                &["trueconf:bob", "trueconf:ann", "trueconf:x"],
            ),
            (
                "trueconf:bob\u{a0}x trueconf:ann\u{2028}y",
                &["trueconf:bob", "trueconf:ann"],
            ),
            ("trueconf::Client x+trueconf:bob link:trueconf:a", &[]),
            (
                "trueconf:bob) trueconf:{{room}}.",
                &["trueconf:bob", "trueconf:{{room}}"],
            ),
            (
                "trueconf:login=<login>&password=<pw> x",
                &["trueconf:login=<login>&password=<pw>"],
            ),
            (
                "trueconf:\\c\\<cid>@<server>.",
                &["trueconf:\\c\\<cid>@<server>"],
            ),
            ("trueconf:bob<b>", &["trueconf:bob"]),
            (
                "trueconf:login=u&password=***",
                &["trueconf:login=u&password=***"],
            ),
            ("trueconf:john_doe@srv_", &["trueconf:john_doe@srv_"]),
        ];
        for (text, want) in cases {
            assert_eq!(links(text, DocKind::Plain), *want, "{text:?}");
        }
        let py = DocKind::Code(Lang::Python);
        let js = DocKind::Code(Lang::JavaScript);
        let cases: &[(&str, DocKind, &[&str])] = &[
            (
                r#"os.system('xdg-open "trueconf:bob@srv&do=chat" &')"#,
                py,
                &["trueconf:bob@srv&do=chat"],
            ),
            (
                r#"os.execute("start \"\" \"trueconf:bob@srv&do=chat\"")"#,
                js,
                &["trueconf:bob@srv&do=chat"],
            ),
            (r#"x = "it's trueconf:bob@srv""#, js, &["trueconf:bob@srv"]),
        ];
        for (text, kind, want) in cases {
            assert_eq!(links(text, *kind), *want, "{text:?}");
        }
        let cases: &[(&str, &[&str])] = &[
            ("", &[]),
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
        assert_eq!(DocKind::from_path("res/values/strings.xml"), DocKind::Html);
        assert_eq!(DocKind::from_language_id("xml"), DocKind::Html);
        assert_eq!(
            DocKind::from_path("app.tsx"),
            DocKind::Code(Lang::JavaScript)
        );
        assert_eq!(DocKind::from_path("README"), DocKind::Plain);
        assert_eq!(DocKind::from_path("app/Gemfile"), DocKind::Code(Lang::Ruby));
        assert_eq!(DocKind::from_path("tasks.rake"), DocKind::Code(Lang::Ruby));
        assert_eq!(DocKind::from_path("index.php"), DocKind::Code(Lang::Php));
        assert_eq!(DocKind::from_path("lib/X.pm"), DocKind::Code(Lang::Perl));
        assert_eq!(DocKind::from_language_id("perl"), DocKind::Code(Lang::Perl));
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
            "&#58;",
            "&#x3A;",
            "&colon;",
            "&amp;",
            "&",
            "visicall&#58",
            "vis",
            "vis&#105;",
            "&#116;rueconf",
            "&#105;",
            "&#x69",
            "call:",
            "&#116;",
            "&#X54;",
            "rueconf",
            "truecon",
            "&#x66;",
            ";",
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
                candidates(&text, false, &marker).collect::<Vec<_>>(),
                want,
                "{text:?}"
            );
            assert_eq!(marker.get(), has_marker(&text), "{text:?}");
            assert_eq!(has_candidate(&text), re.is_match(&text));
            // With references: the same and every scheme word whose colon
            // is a character reference.
            let with_references = merged(want.iter().copied(), reference_candidates(&text));
            let marker = Cell::new(false);
            assert_eq!(
                candidates(&text, true, &marker).collect::<Vec<_>>(),
                with_references,
                "{text:?}"
            );
            assert_eq!(marker.get(), has_marker(&text), "{text:?}");
        }
    }

    /// Every scheme word followed by a character reference for a colon,
    /// and every one with some of its letters written as references, found
    /// the plain way: a browser's forward reading from each byte.
    fn reference_candidates(text: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
        let bytes = text.as_bytes();
        // One character from `at`: a reference, else the byte.
        let unit = move |at: usize| -> Option<(char, usize)> {
            let &b = bytes.get(at)?;
            if b == b'&'
                && let Some((c, len)) = decode::entity(&text[at..])
            {
                return Some((c, at + len));
            }
            Some((b as char, at + 1))
        };
        (0..bytes.len())
            .filter(move |&s| text.is_char_boundary(s))
            .filter_map(move |start| {
                let (mut at, mut word) = (start, String::new());
                for _ in 0..9 {
                    let (c, next) = unit(at)?;
                    word.push(c);
                    at = next;
                }
                let raw = at - start == "trueconf:".len();
                (!raw && is_scheme_word(&word.as_bytes()[..8]) && word.ends_with(':'))
                    .then_some((start, at))
            })
    }

    /// Two ascending candidate lists as one.
    fn merged(
        a: impl Iterator<Item = (usize, usize)>,
        b: impl Iterator<Item = (usize, usize)>,
    ) -> Vec<(usize, usize)> {
        let mut all: Vec<_> = a.chain(b).collect();
        all.sort();
        all
    }

    /// [`scan`] deciding every candidate on the whole text, as it first did.
    fn scan_unwindowed(text: &str, kind: DocKind) -> Vec<RawLink> {
        let mut out = Vec::new();
        let mut classifier = Classifier::new(kind, text);
        let mut last_end = 0;
        let found = SCHEME.find_iter(text).map(|m| (m.start(), m.end()));
        let references = has_attributes(kind).then(|| reference_candidates(text));
        for (start, scheme_end) in merged(found, references.into_iter().flatten()) {
            if start < last_end {
                continue;
            }
            let raw_boundary = left_boundary_ok(text, start) || asciidoc_link(text, kind, start);
            if !raw_boundary && !may_end_an_escape(text, start) {
                continue;
            }
            let Some(place) = classifier.place(start) else {
                continue;
            };
            if !raw_boundary && !escaped_boundary_ok(text, start, place.decode) {
                continue;
            }
            if scheme_end - start != 9 && !reads_references(&place)
                || decodes_references(&place) && !decoded_boundary_ok(text, start, place.decode)
            {
                continue;
            }
            let scheme = decode(&text[start..scheme_end], Decode::Entities).text;
            let lowercase = scheme == "trueconf:" || scheme == "visicall:";
            if !lowercase && !place.explicit {
                continue;
            }
            let limit = place.limit.min(text.len());
            if let Some(link) =
                finish_within(text, start, scheme_end, place, limit, false).flatten()
            {
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
            "link:",
            "[t]",
            "{",
            "}",
            "&do=",
            "^&",
            "%%",
            "\n.. ",
            "\n.. code-block:: sh\n\n   ",
            "\n----\n",
            "\n[source,js]\n----\n",
            "<<E\n",
            "\nE\n",
            "\nrem ",
            "@'\n",
            "\n'@",
            "\nexport ",
            "${",
            "$(",
            "$",
            "`",
            "&quot;",
            "onclick=\"",
            "={",
            "<?php ",
            "?>",
            "<<~E\n",
            "<<<E\n",
            "q{",
            "%q(",
            "#{",
            "\n=begin\n",
            "\n=end\n",
            "\n```html\n",
            "\n```php\n<?php ",
            "\n[source,html]\n----\n",
            "jav&#x61;script:'",
            // Adjacent literals; a wrapped reStructuredText URI.
            "\" \"",
            "' '",
            "\"\n  \"",
            "\" \\\n \"",
            "\n.. _t: ",
            "\n   ",
            "`x <",
            ">`_",
        ];
        let mut rng = crate::test_rng::Rng::new(0x9e37_79b9_7f4a_7c15);
        let mut below = |n: usize| rng.below(n);
        let kinds = [
            DocKind::Plain,
            DocKind::Markdown,
            DocKind::Html,
            DocKind::Code(Lang::Python),
            DocKind::Code(Lang::Json),
            DocKind::Code(Lang::Shell),
            DocKind::Rst,
            DocKind::AsciiDoc,
            DocKind::Cmd,
            DocKind::PowerShell,
            DocKind::Mdx,
            DocKind::Code(Lang::Ruby),
            DocKind::Code(Lang::Php),
            DocKind::Code(Lang::Perl),
            DocKind::Code(Lang::Java),
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
