//! reStructuredText (trueconf-uri.md §7): `` `text <trueconf:…>`_ `` (the
//! link ends at `>`), targets `.. _name: trueconf:…`, bare links as prose,
//! `.. code-block:: LANG` and `::` literal blocks scanned as LANG (or as
//! prose when there is none), and comments: the `..` blocks that are no
//! directive, target, substitution or footnote.
//!
//! Line-based and forward-only: a block's end is found when its first line
//! is met, and each line is looked at once.

use super::code::{self, Lang};
use super::decode::Decode;
use super::html::Html;
use super::php::Php;
use super::place::{Context, Joins, Place, prose_place};
use super::shell::{Dialect, Shell};

/// The syntax of a code block's content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Host {
    Code(Lang),
    Shell(Dialect),
    /// HTML or XML, read as in a `.html` file (attributes, character
    /// references, scripts in `on*` handlers and `<script>`).
    Html,
}

/// The host language a code block's language name (`bash`, `python`,
/// `bat`, `powershell` …) names, if it is known.
pub(super) fn host_of(name: &str) -> Option<Host> {
    let word = name.trim().to_ascii_lowercase();
    Some(match word.as_str() {
        "bat" | "batch" | "cmd" | "doscon" | "batchfile" => Host::Shell(Dialect::Cmd),
        "powershell" | "ps1" | "pwsh" | "ps1con" | "posh" => Host::Shell(Dialect::PowerShell),
        "html" | "htm" | "xhtml" | "xml" | "svg" | "vue" | "svelte" | "html+php" => Host::Html,
        "" => return None,
        _ => match Lang::from_fence_info(&word)? {
            Lang::Shell => Host::Shell(Dialect::Posix),
            lang => Host::Code(lang),
        },
    })
}

/// A lexer over one code block.
pub(super) enum Sub<'t> {
    Code(code::Lexer<'t>),
    Shell(Shell<'t>),
    Html(Box<Html<'t>>),
    Php(Box<Php<'t>>),
}

impl<'t> Sub<'t> {
    pub(super) fn new(text: &'t str, host: Host, from: usize, to: usize) -> Self {
        match host {
            // PHP with its opening tag is a PHP file: HTML around the code.
            Host::Code(Lang::Php) if Php::has_open_tag(text, from, to) => {
                Sub::Php(Box::new(Php::ranged(text, from, to)))
            }
            Host::Code(lang) => Sub::Code(code::Lexer::new(text, lang, from, to)),
            Host::Shell(dialect) => Sub::Shell(Shell::new(text, dialect, from, to)),
            Host::Html => Sub::Html(Box::new(Html::ranged(text, from, to))),
        }
    }

    pub(super) fn place(&mut self, at: usize) -> Option<Place> {
        match self {
            Sub::Code(c) => Some(c.place(at)),
            Sub::Shell(s) => s.place(at),
            Sub::Html(h) => h.place(at),
            Sub::Php(p) => p.place(at),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Comment,
    /// A code block in a known language.
    Code(Host),
    /// A literal block, or a code block in no known language: prose.
    Literal,
}

/// The offsets of the line starting at `start`: its end (before the line
/// break) and the start of the next line.
pub(super) fn line_at(bytes: &[u8], start: usize) -> (usize, usize) {
    match memchr::memchr2(b'\n', b'\r', &bytes[start..]) {
        Some(k) => {
            let end = start + k;
            let next = if bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
                end + 2
            } else {
                end + 1
            };
            (end, next)
        }
        None => (bytes.len(), bytes.len()),
    }
}

/// The indentation of `line` in columns, as docutils counts it: a tab
/// goes to the next multiple of 8, a vertical tab or form feed is a space.
fn indent_of(line: &str) -> usize {
    let mut col = 0;
    for b in line.bytes() {
        match b {
            b' ' | b'\x0b' | b'\x0c' => col += 1,
            b'\t' => col = (col / 8 + 1) * 8,
            _ => break,
        }
    }
    col
}

/// Is `content` a section title's adornment: one punctuation character
/// repeated (`=====`, `-----`)?
fn is_adornment(content: &str) -> bool {
    let mut bytes = content.bytes();
    bytes.next().is_some_and(|first| {
        first.is_ascii_punctuation() && content.len() >= 2 && bytes.all(|b| b == first)
    })
}

/// The length of a list item's or a field's marker that starts `content`
/// (`- `, `* `, `+ `, `1. `, `#. `, `(a) `, `:name: `), or 0.
fn marker_len(content: &str) -> usize {
    let bytes = content.as_bytes();
    let spaced = |n: usize| matches!(bytes.get(n), Some(b' ' | b'\t') | None).then_some(n + 1);
    let marker = match bytes.first() {
        Some(b'-' | b'*' | b'+') => spaced(1),
        Some(b':') => content[1..].find(": ").map(|i| i + 3),
        Some(b'(') => {
            let n = bytes[1..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
                .count();
            (n > 0 && bytes.get(1 + n) == Some(&b')'))
                .then(|| spaced(n + 2))
                .flatten()
        }
        Some(_) => {
            let n = bytes
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'#')
                .count();
            (n > 0 && matches!(bytes.get(n), Some(b'.' | b')')))
                .then(|| spaced(n + 1))
                .flatten()
        }
        None => None,
    };
    marker.unwrap_or(0)
}

/// The kind of the line before the one being read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Prev {
    Blank,
    /// Explicit markup (`..`, `__`), indented this much.
    Explicit(usize),
    /// Other text, indented this much.
    Text(usize),
}

/// How a hyperlink target's line (its content, without indentation)
/// starts, and where what follows the marker begins in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TargetStart {
    /// `.. _name: uri` (`.. __: uri` too): the name's offset.
    Named(usize),
    /// `__ uri`.
    Anonymous(usize),
    /// `:target: uri`, an `image` or `figure` option.
    Option(usize),
}

fn target_start(content: &str) -> Option<TargetStart> {
    let space = |s: &str| s.starts_with([' ', '\t', '\x0b', '\x0c']);
    if let Some(rest) = content.strip_prefix("..").filter(|r| space(r)) {
        let name = rest.trim_start_matches([' ', '\t', '\x0b', '\x0c']);
        let name = name.strip_prefix('_')?;
        return Some(TargetStart::Named(content.len() - name.len()));
    }
    if let Some(rest) = content.strip_prefix("__") {
        return (rest.is_empty() || space(rest)).then_some(TargetStart::Anonymous(2));
    }
    content
        .strip_prefix(":target:")
        .filter(|r| r.is_empty() || space(r))
        .map(|_| TargetStart::Option(":target:".len()))
}

pub struct Rst<'t> {
    text: &'t str,
    /// The start of the next line not yet looked at.
    line: usize,
    /// The block being read: kind, start, end.
    block: Option<(Kind, usize, usize)>,
    sub: Option<Sub<'t>>,
    /// Offsets of the line last looked at (start, end).
    current: (usize, usize),
    /// The hyperlink target last met (`.. _name: …`, `.. __: …`, `__ …`):
    /// where its URI starts (`None`: it has none) and where its block of
    /// lines ends (at a blank line or a line indented no deeper than it).
    target: Option<(Option<usize>, usize)>,
    /// What the line before the one being read was.
    prev: Prev,
    /// The indentation of the `image` or `figure` directive whose options
    /// are being read.
    figure: Option<usize>,
    /// The next `>` at or after an offset: `(from, at)`.
    next_close: (usize, usize),
    /// The next blank line at or after an offset: `(from, at)`.
    next_blank: (usize, usize),
}

impl<'t> Rst<'t> {
    pub fn new(text: &'t str) -> Self {
        Rst {
            text,
            line: 0,
            block: None,
            sub: None,
            current: (0, 0),
            target: None,
            prev: Prev::Blank,
            figure: None,
            next_close: (usize::MAX, 0),
            next_blank: (usize::MAX, 0),
        }
    }

    /// The end of a hyperlink target's block that starts on the line ending
    /// at `next`, indented by `indent`: the start of the first line after
    /// it that is blank or indented no deeper (docutils reads the lines up
    /// to a blank one).
    fn target_end(&self, next: usize, indent: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut at = next;
        while at < bytes.len() {
            let (e, after) = line_at(bytes, at);
            let line = &self.text[at..e];
            if line.trim().is_empty() || indent_of(line) <= indent {
                break;
            }
            at = after;
        }
        at.max(next).min(bytes.len())
    }

    /// Where the URI of the hyperlink target (or `:target:` option) whose
    /// line starts at `start` begins, if it has one: the first character
    /// after the target's name and its colon that is not white space,
    /// before `end`.
    fn target_uri(&self, start: usize, end: usize) -> Option<usize> {
        let line = &self.text[start..line_at(self.text.as_bytes(), start).0];
        let content = line.trim_start();
        let from = start + (line.len() - content.len());
        let after_name = match target_start(content)? {
            TargetStart::Anonymous(n) | TargetStart::Option(n) => from + n,
            TargetStart::Named(n) => {
                let name = &content[n..];
                let colon = if let Some(quoted) = name.strip_prefix('`') {
                    // `.. _`name: with colons`: uri`
                    1 + quoted.find("`:")? + 1
                } else {
                    // The name ends at a colon followed by white space (or
                    // the line's end); a colon can be escaped.
                    let bytes = name.as_bytes();
                    let mut i = 0;
                    loop {
                        match bytes.get(i)? {
                            b'\\' => i += 2,
                            b':' if bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace()) => {
                                break i;
                            }
                            _ => i += 1,
                        }
                    }
                };
                from + n + colon + 1
            }
        };
        let rest = self.text.get(after_name..end)?;
        let uri = after_name + (rest.len() - rest.trim_start().len());
        (uri < end).then_some(uri)
    }

    /// The `>` that closes a reference's embedded URI opened right before
    /// `at`, followed by the reference's closing backquote, in the same
    /// paragraph (before a blank line); `None` when there is none.
    fn embedded_close(&mut self, at: usize) -> Option<usize> {
        let bytes = self.text.as_bytes();
        let (from, close) = self.next_close;
        let close = if from <= at && at <= close {
            close
        } else {
            // A `>` escaped with a backslash does not close it.
            let mut close = at;
            loop {
                close = memchr::memchr(b'>', &bytes[close..]).map_or(bytes.len(), |i| close + i);
                let escapes = bytes[at..close].iter().rev().take_while(|&&b| b == b'\\');
                if close == bytes.len() || escapes.count() % 2 == 0 {
                    break;
                }
                close += 1;
            }
            self.next_close = (at, close);
            close
        };
        let (from, blank) = self.next_blank;
        let blank = if from <= at && at <= blank {
            blank
        } else {
            // The start of the first blank line after the line of `at`.
            let mut line = line_at(bytes, at).1;
            while line < bytes.len() {
                let (e, next) = line_at(bytes, line);
                if self.text[line..e].trim().is_empty() {
                    break;
                }
                line = next;
            }
            self.next_blank = (at, line);
            line
        };
        (close < blank && bytes.get(close + 1) == Some(&b'`')).then_some(close)
    }

    /// The end of the block of lines from `from` that are blank or indented
    /// more than `indent`: the start of the first line that is neither.
    fn indented_end(&self, from: usize, indent: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut at = from;
        let mut end = from;
        while at < bytes.len() {
            let (e, next) = line_at(bytes, at);
            let line = &self.text[at..e];
            if !line.trim().is_empty() {
                if indent_of(line) <= indent {
                    break;
                }
                end = next;
            }
            at = next;
        }
        end
    }

    /// Reads lines until the one holding `at`, entering the blocks met.
    fn advance(&mut self, at: usize) {
        if let Some((_, _, end)) = self.block {
            if at < end {
                return;
            }
            self.block = None;
            self.sub = None;
            self.line = self.line.max(end);
        }
        let bytes = self.text.as_bytes();
        while self.line <= at && self.line < bytes.len() {
            let start = self.line;
            let (end, next) = line_at(bytes, start);
            self.current = (start, end);
            self.line = next;
            let line = &self.text[start..end];
            if let Some((_, target_end)) = self.target
                && start < target_end
            {
                // A line of a hyperlink target's block: part of its URI.
                continue;
            }
            let indent = indent_of(line);
            let content = line.trim();
            let prev = self.prev;
            // Explicit markup starts a body element: on a paragraph's next
            // line, at its indentation, it is the paragraph's text.
            self.prev = if content.is_empty() {
                Prev::Blank
            } else if (content.starts_with("..") || content.starts_with("__"))
                && prev != Prev::Text(indent)
            {
                // Before the underline test: `__` alone is an anonymous
                // target whose URI is on the next lines.
                Prev::Explicit(indent)
            } else if is_adornment(content) {
                // A section title's underline: the next line starts a
                // body element.
                Prev::Blank
            } else {
                // A list item's or a field's text stands after its marker.
                Prev::Text(indent + marker_len(content))
            };
            let option = match self.figure {
                Some(directive) if indent > directive => true,
                Some(_) if !content.is_empty() => {
                    self.figure = None;
                    false
                }
                _ => false,
            };
            let target = target_start(content).filter(|t| match t {
                // A directive's `:target:` option (`image`, `figure`).
                TargetStart::Option(_) => option,
                _ => self.prev == Prev::Explicit(indent),
            });
            if target.is_some() {
                let block_end = self.target_end(next, indent);
                let uri = self.target_uri(start, block_end);
                self.target = Some((uri, block_end));
            } else if let Some(rest) = content
                .strip_prefix("..")
                .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
            {
                let rest = rest.trim_start();
                if let Some((name, args)) = directive(rest) {
                    if matches!(name, "image" | "figure") {
                        self.figure = Some(indent);
                    }
                    if matches!(name, "code-block" | "code" | "sourcecode") {
                        let block_end = self.indented_end(next, indent);
                        let kind = host_of(args).map_or(Kind::Literal, Kind::Code);
                        self.enter(kind, next, block_end, at);
                    }
                } else if !(rest.starts_with('_') || rest.starts_with('|') || rest.starts_with('['))
                {
                    let block_end = self.indented_end(next, indent).max(next);
                    self.enter(Kind::Comment, start, block_end, at);
                }
            } else if content.ends_with("::") {
                let block_end = self.indented_end(next, indent);
                self.enter(Kind::Literal, next, block_end, at);
            }
            if self.block.is_some() {
                self.prev = Prev::Blank;
                return;
            }
        }
    }

    /// Enters a block of lines (or skips it, when it ends before `at`):
    /// the line after it starts a body element.
    fn enter(&mut self, kind: Kind, start: usize, end: usize, at: usize) {
        self.prev = Prev::Blank;
        if end <= start {
            return;
        }
        self.block = Some((kind, start, end));
        self.sub = match kind {
            Kind::Code(host) => Some(Sub::new(self.text, host, start, end)),
            _ => None,
        };
        if at >= end {
            // The block ends before `at`: skip it.
            self.block = None;
            self.sub = None;
            self.line = end;
        } else if at >= start {
            self.line = end;
        }
    }

    pub(crate) fn place(&mut self, at: usize) -> Option<Place> {
        self.advance(at);
        if let Some((kind, start, end)) = self.block
            && at >= start
        {
            return match kind {
                Kind::Code(_) => self.sub.as_mut()?.place(at),
                Kind::Comment | Kind::Literal => {
                    Some(prose_place(Context::Text, Decode::None, end, None))
                }
            };
        }
        let (line_start, line_end) = self.current;
        // A bounded look back keeps a long line of candidates linear.
        let mut from = line_start.min(at).max(at.saturating_sub(LOOK_BACK));
        while !self.text.is_char_boundary(from) {
            from += 1;
        }
        let before = &self.text[from..at];
        let bytes = self.text.as_bytes();
        // `text <trueconf:…>`_: the URI may go on over the paragraph's
        // lines; docutils drops its white space.
        let close = (at > 0 && bytes[at - 1] == b'<')
            .then(|| self.embedded_close(at))
            .flatten();
        // (The reference's opening backquote may stand on an earlier line
        // of the paragraph.)
        if at > 0 && bytes[at - 1] == b'<' && (before.contains('`') || close.is_some()) {
            let (decode, limit) = match close {
                Some(close) => (Decode::NoSpace, close),
                None => (Decode::None, line_end),
            };
            return Some(Place {
                context: Context::Delimited { close: b'>' },
                decode,
                limit,
                explicit: true,
                opened_by: None,
                joins: Joins::No,
                host: None,
            });
        }
        // .. _name: trueconf:… (its URI may start on the next line and go
        // on over the target's indented lines; docutils drops its white
        // space).
        if let Some((Some(uri), end)) = self.target
            && uri == at
        {
            return Some(Place {
                context: Context::Delimited { close: b'\n' },
                decode: Decode::NoSpace,
                limit: end,
                explicit: true,
                opened_by: None,
                joins: Joins::No,
                host: None,
            });
        }
        Some(prose_place(Context::Text, Decode::None, line_end, None))
    }

    pub fn in_comment(&mut self, at: usize) -> bool {
        self.advance(at);
        matches!(self.block, Some((Kind::Comment, start, _)) if at >= start)
    }
}

/// How far back on its line a candidate looks for what opens it.
const LOOK_BACK: usize = 1024;

/// `name:: args` of a directive.
fn directive(rest: &str) -> Option<(&str, &str)> {
    let (name, args) = rest.split_once("::")?;
    (!name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'+' | b'.' | b':')))
    .then_some((name, args.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(src: &str, nth: usize) -> Place {
        let at = src.match_indices("trueconf:").nth(nth).unwrap().0;
        Rst::new(src).place(at).unwrap()
    }

    #[test]
    fn places() {
        let src = "See `call <trueconf:bob>`_.\n\n.. _bob: trueconf:bob\n\n.. a comment trueconf:x\n   still trueconf:y\n\n.. code-block:: python\n\n   x = \"trueconf:z\"\n\nExample::\n\n   trueconf:w\n\ntrueconf:v.\n";
        assert_eq!(place(src, 0).context, Context::Delimited { close: b'>' });
        assert_eq!(place(src, 1).context, Context::Delimited { close: b'\n' });
        let mut rst = Rst::new(src);
        let at = |n: usize| src.match_indices("trueconf:").nth(n).unwrap().0;
        assert!(!rst.in_comment(at(1)));
        assert!(rst.in_comment(at(2)));
        assert!(rst.in_comment(at(3)));
        assert!(!rst.in_comment(at(4)));
        assert_eq!(
            place(src, 4).context,
            Context::StringLiteral {
                quote: b'"',
                escapes: true
            }
        );
        assert_eq!(place(src, 5).context, Context::Text);
        assert_eq!(place(src, 6).context, Context::Text);
    }
}
