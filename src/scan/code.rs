//! A forward-only lexer that knows, for source code and data files, whether
//! an offset is inside a string literal (and which kind) or a comment.
//!
//! It is not a parser: it tracks quotes, escapes and comments, which is all a
//! link finder needs. A single-line string that is never closed ends at its
//! line, so one odd quote cannot flip the rest of a file.

use super::decode::Decode;
pub use super::lang::Lang;
use super::place::{CodeHost, Context, Joins, Place, prose_place};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Normal,
    LineComment,
    BlockComment {
        close: &'static [u8],
    },
    /// A Lua long comment `--[==[ … ]==]`, with its level (the `=` count).
    LuaComment {
        level: usize,
    },
    Str(Str),
    /// The body of a here-document (Ruby, PHP, Perl), up to the start of
    /// its closing line at `end`; the code goes on at `after`.
    Here {
        end: usize,
        after: usize,
        escapes: bool,
    },
    /// Ruby's and Perl's `__END__` (Perl's `__DATA__`): data to the end,
    /// read as prose.
    Data,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Str {
    /// The byte that closes the string (repeated `count` times).
    quote: u8,
    count: u8,
    escapes: bool,
    multiline: bool,
    /// A doubled quote stands for one quote (C# verbatim, YAML, TOML no).
    doubled: bool,
    /// `#`s after the closing quote (Rust raw strings).
    hashes: u8,
    /// A Lua long bracket's level: the string closes at `]`, this many `=`
    /// and `]` (`quote` is then `]`).
    long: Option<usize>,
    /// Only `\\` and an escaped quote are escapes (Ruby, PHP and Perl
    /// single quotes): the string is lexed with `escapes`, read as
    /// [`Decode::SingleQuoted`].
    single: bool,
    /// The opening byte of a delimiter pair (`%q(…)`, `q{…}`), which nests
    /// (`depth` opened and not closed); 0 when the delimiter is one byte.
    open: u8,
    depth: u16,
    /// Placeholders skipped whole, quotes and all: `#` for Ruby's `#{…}`,
    /// `{` for PHP's `{$…}` and `${…}`; 0 for none.
    interp: u8,
    /// Perl's `s/…/…/`, `tr/…/…/`: parts after this one.
    more: u8,
    /// A JSX attribute value (`<a href="…">`): no escapes, but HTML
    /// character references are decoded (`&amp;` is `&`), as in HTML.
    jsx: bool,
}

/// A here-document announced on the current line and not yet read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Heredoc {
    /// The delimiter word's bytes.
    start: usize,
    end: usize,
    /// Its closing line may be indented (`<<~`, `<<-`, PHP).
    indented: bool,
    escapes: bool,
}

/// Lexer state over `text[from..to]`, advanced monotonically.
pub struct Lexer<'t> {
    text: &'t [u8],
    lang: Lang,
    /// Where the code starts: nothing before it is the code's (a look-back
    /// stops here, or it would read the prose or markup around a block).
    from: usize,
    pos: usize,
    to: usize,
    state: State,
    /// The end of the line holding offset `.0` is `.1` (a line break or
    /// `to`): candidates on one long line share one search for it.
    eol: (usize, usize),
    /// [`Lexer::continued_line_end`]'s answer for offset `.0`: `.1`.
    continued_eol: (usize, usize),
    /// The code is an HTML attribute value: character references are
    /// decoded before the language reads it, so `&quot;` opens and closes
    /// a string as `"` does.
    refs: bool,
    /// Bytes that may change the state in code of this language.
    special: &'static [bool; 256],
    /// Here-documents announced on the current line, in order.
    pending: std::collections::VecDeque<Heredoc>,
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str, lang: Lang, from: usize, to: usize) -> Self {
        Lexer {
            text: text.as_bytes(),
            lang,
            from,
            pos: from,
            to: to.min(text.len()),
            state: State::Normal,
            eol: (usize::MAX, 0),
            continued_eol: (usize::MAX, 0),
            refs: false,
            special: match lang {
                Lang::Ruby | Lang::Php => &SPECIAL_RUBY_PHP,
                Lang::Perl => &SPECIAL_PERL,
                _ => &SPECIAL,
            },
            pending: std::collections::VecDeque::new(),
        }
    }

    /// A lexer of code inside an HTML attribute value, read after its
    /// character references are decoded.
    pub fn in_attribute(text: &'t str, lang: Lang, from: usize, to: usize) -> Self {
        Lexer {
            refs: true,
            ..Lexer::new(text, lang, from, to)
        }
    }

    /// The quote a character reference at `i` stands for, and the
    /// reference's length, when the code is an attribute value.
    fn quote_reference(&self, i: usize) -> Option<(u8, usize)> {
        if !self.refs || self.text[i] != b'&' {
            return None;
        }
        let end = (i + 16).min(self.to);
        let s = std::str::from_utf8(&self.text[i..end]).ok().or_else(|| {
            // Cut inside a character: the reference itself is ASCII.
            let ascii = self.text[i..end]
                .iter()
                .take_while(|b| b.is_ascii())
                .count();
            std::str::from_utf8(&self.text[i..i + ascii]).ok()
        })?;
        match super::decode::entity(s)? {
            (c @ ('"' | '\'' | '`'), len) => Some((c as u8, len)),
            _ => None,
        }
    }

    /// Where `at` stands: in a string literal or in prose (comments, code).
    pub fn place(&mut self, at: usize) -> Place {
        Place {
            host: Some(CodeHost::Code(self.lang)),
            ..self.place_in(at)
        }
    }

    fn place_in(&mut self, at: usize) -> Place {
        self.advance(at);
        match self.state {
            // A JSX attribute value reads as an HTML one: references are
            // decoded, and a fix writes `&amp;`.
            State::Str(s) if s.jsx => Place {
                context: Context::HtmlAttribute {
                    quote: Some(s.quote),
                },
                decode: Decode::Entities,
                limit: self.to,
                explicit: false,
                opened_by: None,
                joins: Joins::No,
                host: None,
            },
            State::Str(s) => {
                let limit = if s.multiline {
                    self.to
                } else if s.escapes && !s.single && self.lang.continues_strings() {
                    self.continued_line_end(at)
                } else {
                    self.line_end(at)
                };
                Place {
                    context: Context::StringLiteral {
                        quote: s.quote,
                        escapes: s.escapes && !s.single,
                    },
                    decode: if self.lang == Lang::Shell && s.quote == b'"' {
                        // Only `\$ \` \" \\` and a newline escape there.
                        Decode::ShellDouble
                    } else if s.single {
                        Decode::SingleQuoted
                    } else if s.escapes && self.trims_continuations(s) {
                        Decode::BackslashTrim
                    } else if s.escapes && self.lang == Lang::Lua {
                        Decode::BackslashDecimal
                    } else if s.escapes {
                        Decode::Backslash
                    } else {
                        Decode::None
                    },
                    limit,
                    explicit: false,
                    opened_by: None,
                    joins: self.joins(s),
                    host: None,
                }
            }
            State::Here { end, escapes, .. } => Place {
                // A here-document's body: a string that ends at its
                // closing line, so a link in it ends at white space.
                context: Context::StringLiteral {
                    quote: b'\n',
                    escapes,
                },
                decode: if escapes {
                    Decode::Backslash
                } else {
                    Decode::None
                },
                limit: end,
                explicit: false,
                opened_by: None,
                joins: Joins::No,
                host: None,
            },
            State::Normal if self.lang == Lang::Yaml => {
                prose_place(Context::Text, Decode::None, self.yaml_flow_end(at), None)
            }
            _ => prose_place(Context::Text, Decode::None, self.to, None),
        }
    }

    /// Where a YAML plain scalar at `at` ends at the latest: inside a flow
    /// collection opened earlier on its line (`[trueconf:a,b]`,
    /// `{k: trueconf:a,x: 1}`), at the first `,`, `[`, `]`, `{` or `}`,
    /// which a plain scalar cannot hold there (YAML 1.2, `ns-plain-safe-in`);
    /// elsewhere, `to`.
    fn yaml_flow_end(&self, at: usize) -> usize {
        let text = &self.text[..self.to];
        let line = memchr::memrchr2(b'\n', b'\r', &text[..at]).map_or(0, |k| k + 1);
        let mut depth = 0usize;
        let mut quote = None;
        for &b in &text[line..at] {
            match (quote, b) {
                (Some(q), _) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'[' | b'{') => depth += 1,
                (None, b']' | b'}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        if depth == 0 {
            return self.to;
        }
        text[at..]
            .iter()
            .position(|b| matches!(b, b',' | b'[' | b']' | b'{' | b'}' | b'\n' | b'\r'))
            .map_or(self.to, |k| at + k)
    }

    /// The offset of the first line break at or after `at`, or `to`.
    fn line_end(&mut self, at: usize) -> usize {
        let (from, end) = self.eol;
        if from <= at && at <= end {
            return end;
        }
        let at = at.min(self.to);
        let end =
            memchr::memchr2(b'\n', b'\r', &self.text[at..self.to]).map_or(self.to, |i| at + i);
        self.eol = (at, end);
        end
    }

    /// Does a line continuation in string `s` also stand for the next
    /// line's indentation: in Rust strings and TOML's `"""` strings? (Not
    /// in Java's text blocks, which keep what is beyond the block's common
    /// indentation.)
    fn trims_continuations(&self, s: Str) -> bool {
        match self.lang {
            // YAML's double-quoted scalars: an escaped line break joins the
            // next line without its leading white space.
            Lang::Rust | Lang::Yaml => true,
            Lang::Toml => s.count == 3,
            _ => false,
        }
    }

    /// Does an adjacent literal continue string `s` (`"a" "b"` is `"ab"`)?
    /// In Python and Ruby, and in the C family (read as [`Lang::Java`]:
    /// Java has no adjacent literals, so reading them as C does changes
    /// nothing there), for a literal of one quote that escapes.
    fn joins(&self, s: Str) -> Joins {
        let one_literal = s.escapes
            && !s.single
            && !s.doubled
            && s.count == 1
            && s.hashes == 0
            && s.open == 0
            && s.long.is_none()
            && matches!(s.quote, b'"' | b'\'');
        match self.lang {
            _ if s.doubled && s.count == 1 => Joins::Doubled,
            _ if !one_literal => Joins::No,
            // Python: across lines inside brackets (a bare string statement
            // right after a line ending in a string is taken as joined).
            Lang::Python => Joins::Python,
            Lang::Java => Joins::C,
            Lang::Ruby => Joins::Ruby,
            _ => Joins::No,
        }
    }

    /// The end of the line holding `at`, or of the line it continues on:
    /// in a string that escapes, a backslash right before a line break (an
    /// odd run of them) joins the next line to the string's value.
    fn continued_line_end(&mut self, at: usize) -> usize {
        let (from, end) = self.continued_eol;
        if from <= at && at <= end {
            return end;
        }
        let mut end = self.line_end(at);
        while end < self.to {
            let run = self.text[at..end]
                .iter()
                .rev()
                .take_while(|&&b| b == b'\\')
                .count();
            if run % 2 == 0 {
                break;
            }
            let next = if self.text[end] == b'\r' && self.at(end + 1) == b'\n' {
                end + 2
            } else {
                end + 1
            };
            end = memchr::memchr2(b'\n', b'\r', &self.text[next..self.to])
                .map_or(self.to, |i| next + i);
        }
        self.continued_eol = (at, end);
        end
    }

    /// Is `at` inside a comment (line or block)? Offsets must not decrease
    /// from one call to the next (shared with [`Lexer::place`]).
    pub fn in_comment(&mut self, at: usize) -> bool {
        if at >= self.to {
            return false;
        }
        self.advance(at);
        matches!(
            self.state,
            State::LineComment | State::BlockComment { .. } | State::LuaComment { .. }
        )
    }

    fn at(&self, i: usize) -> u8 {
        if i < self.to { self.text[i] } else { 0 }
    }

    fn starts(&self, i: usize, s: &[u8]) -> bool {
        self.text[..self.to].get(i..i + s.len()) == Some(s)
    }

    fn advance(&mut self, until: usize) {
        let until = until.min(self.to);
        // Data languages have no construct that spans lines (but JSONC's
        // block comments): jump to the line of `until` instead of lexing
        // every line before it.
        if matches!(self.lang, Lang::Json | Lang::Yaml)
            && self.pos < until
            && match self.state {
                State::Normal | State::LineComment => true,
                State::Str(s) => !s.multiline,
                State::BlockComment { .. }
                | State::LuaComment { .. }
                | State::Here { .. }
                | State::Data => false,
            }
            && let Some(k) = memchr::memrchr2(b'\n', b'\r', &self.text[self.pos..until])
        {
            self.pos += k + 1;
            self.state = State::Normal;
        }
        while self.pos < until {
            let i = self.pos;
            // Skip, in bulk, the bytes that cannot change the state.
            let here = !self.pending.is_empty();
            let skip = match self.state {
                State::Normal => self.text[i..until].iter().position(|&b| {
                    self.special[b as usize] || self.refs && b == b'&' || here && b == b'\n'
                }),
                State::Str(s) if s.open != 0 || s.interp != 0 => {
                    self.text[i..until].iter().position(|&b| {
                        b == s.quote
                            || b == b'\\'
                            || s.open != 0 && b == s.open
                            || s.interp != 0 && matches!(b, b'#' | b'{' | b'$')
                            || !s.multiline && (b == b'\n' || b == b'\r')
                    })
                }
                State::Here { end, after, .. } => {
                    if until < end {
                        None
                    } else {
                        self.pos = after.max(i + 1).min(self.to);
                        self.state = State::Normal;
                        continue;
                    }
                }
                State::Data => None,
                State::Str(s) => {
                    let hay = &self.text[i..until];
                    let stop = memchr::memchr3(s.quote, b'\\', b'\n', hay);
                    let stop = if s.multiline {
                        stop
                    } else {
                        let lim = stop.unwrap_or(hay.len());
                        memchr::memchr(b'\r', &hay[..lim]).or(stop)
                    };
                    if self.refs {
                        let lim = stop.unwrap_or(hay.len());
                        memchr::memchr(b'&', &hay[..lim]).or(stop)
                    } else {
                        stop
                    }
                }
                State::BlockComment { close } => memchr::memchr(close[0], &self.text[i..until]),
                State::LuaComment { .. } => memchr::memchr(b']', &self.text[i..until]),
                State::LineComment => Some(0),
            };
            match skip {
                Some(0) => {}
                Some(k) => {
                    self.pos = i + k;
                    continue;
                }
                None => {
                    self.pos = until;
                    break;
                }
            }
            let b = self.text[i];
            match self.state {
                State::Normal => self.normal(i, b),
                State::LineComment => match memchr::memchr2(b'\n', b'\r', &self.text[i..until]) {
                    // A here-document announced before the comment starts
                    // after its line break, which the code state reads.
                    Some(k) if here => {
                        let k =
                            memchr::memchr(b'\n', &self.text[i + k..until]).map_or(k, |j| k + j);
                        self.pos = i + k;
                        self.state = State::Normal;
                    }
                    Some(k) => {
                        self.pos = i + k + 1;
                        self.state = State::Normal;
                    }
                    None => self.pos = until,
                },
                State::BlockComment { close } => {
                    if self.starts(i, close) {
                        self.pos = i + close.len();
                        self.state = State::Normal;
                    } else {
                        self.pos = i + 1;
                    }
                }
                State::LuaComment { level } => {
                    if self.closes_long_bracket(i, level) {
                        self.pos = i + level + 2;
                        self.state = State::Normal;
                    } else {
                        self.pos = i + 1;
                    }
                }
                State::Str(s) => self.string(i, b, s),
                State::Here { .. } | State::Data => self.pos = i + 1,
            }
        }
    }

    fn string(&mut self, i: usize, b: u8, s: Str) {
        if s.escapes && b == b'\\' {
            // `\` and a CRLF line break: one escape (a line continuation).
            self.pos = if self.at(i + 1) == b'\r' && self.at(i + 2) == b'\n' {
                i + 3
            } else {
                i + 2
            };
            return;
        }
        if s.interp != 0 {
            let open = match (s.interp, b, self.at(i + 1)) {
                (b'#', b'#', b'{') | (b'{', b'$', b'{') => Some(i + 1),
                (b'{', b'{', b'$') => Some(i),
                _ => None,
            };
            if let Some(end) = open.and_then(|o| self.braces_end(o)) {
                self.pos = end;
                return;
            }
        }
        if s.open != 0 && b == s.open {
            self.state = State::Str(Str {
                depth: s.depth.saturating_add(1),
                ..s
            });
            self.pos = i + 1;
            return;
        }
        if s.open != 0 && b == s.quote && s.depth > 0 {
            self.state = State::Str(Str {
                depth: s.depth - 1,
                ..s
            });
            self.pos = i + 1;
            return;
        }
        if !s.multiline && (b == b'\n' || b == b'\r') {
            self.state = State::Normal;
            self.pos = i + 1;
            return;
        }
        if let Some((q, len)) = self.quote_reference(i)
            && q == s.quote
            && s.count == 1
            && s.long.is_none()
        {
            self.pos = i + len;
            self.state = State::Normal;
            return;
        }
        if let Some(level) = s.long {
            if self.closes_long_bracket(i, level) {
                self.pos = i + level + 2;
                self.state = State::Normal;
            } else {
                self.pos = i + 1;
            }
            return;
        }
        if b == s.quote {
            let n = s.count as usize;
            if (0..n).all(|k| self.at(i + k) == s.quote) {
                if s.doubled && n == 1 && self.at(i + 1) == s.quote {
                    self.pos = i + 2;
                    return;
                }
                let h = s.hashes as usize;
                if (0..h).all(|k| self.at(i + n + k) == b'#') {
                    self.pos = i + n + h;
                    self.state = State::Normal;
                    if s.more > 0 {
                        self.next_part(i + 1, s);
                    }
                    return;
                }
            }
        }
        self.pos = i + 1;
    }

    fn open(&mut self, at: usize, len: usize, s: Str) {
        self.pos = at + len;
        self.state = State::Str(s);
    }

    fn normal(&mut self, i: usize, b: u8) {
        use Lang::*;
        let lang = self.lang;
        let c_comments = matches!(lang, JavaScript | Java | CSharp | Go | Rust | Json | Php);
        let plain = Str {
            quote: b,
            count: 1,
            escapes: true,
            multiline: false,
            doubled: false,
            hashes: 0,
            long: None,
            single: false,
            open: 0,
            depth: 0,
            interp: 0,
            more: 0,
            jsx: false,
        };
        let script = matches!(lang, Ruby | Php | Perl);
        match b {
            b'\n' if !self.pending.is_empty() => self.start_heredoc(i + 1),
            b'<' if script && self.at(i + 1) == b'<' => match self.heredoc_at(i) {
                Some((len, h)) => {
                    self.pending.push_back(h);
                    self.pos = i + len;
                }
                None => self.pos = i + 2,
            },
            b'=' if matches!(lang, Ruby | Perl) && self.line_start(i) => {
                let rest = &self.text[i + 1..self.to];
                if lang == Ruby
                    && rest.starts_with(b"begin")
                    && rest.get(5).is_none_or(u8::is_ascii_whitespace)
                {
                    self.state = State::BlockComment { close: b"\n=end" };
                    self.pos = i + 6;
                } else if lang == Perl && rest.first().is_some_and(u8::is_ascii_alphabetic) {
                    // POD, to its `=cut` line.
                    self.state = State::BlockComment { close: b"\n=cut" };
                    self.pos = i + 1;
                } else {
                    self.pos = i + 1;
                }
            }
            b'_' if matches!(lang, Ruby | Perl) && self.line_start(i) => {
                let rest = &self.text[i..self.to];
                let word = if rest.starts_with(b"__END__") {
                    7
                } else if lang == Perl && rest.starts_with(b"__DATA__") {
                    8
                } else {
                    0
                };
                if word > 0 && rest.get(word).is_none_or(u8::is_ascii_whitespace) {
                    self.state = State::Data;
                }
                self.pos = i + 1;
            }
            b'#' if lang == Php && self.at(i + 1) != b'[' || lang == Ruby => {
                self.state = State::LineComment;
                self.pos = i + 1;
            }
            b'#' if lang == Perl && (i == 0 || self.text[i - 1] != b'$') => {
                self.state = State::LineComment;
                self.pos = i + 1;
            }
            b'/' if matches!(lang, Ruby | Perl) && self.regex_start(i) => self.open(
                i,
                1,
                Str {
                    single: true,
                    interp: if lang == Ruby { b'#' } else { 0 },
                    ..plain
                },
            ),
            b'%' if lang == Ruby => self.ruby_percent(i, plain),
            b'q' | b'm' | b's' | b't' | b'y' if lang == Perl => self.perl_quote_like(i, plain),
            b'/' if c_comments && self.at(i + 1) == b'/' => {
                self.state = State::LineComment;
                self.pos = i + 2;
            }
            b'/' if c_comments && self.at(i + 1) == b'*' => {
                self.state = State::BlockComment { close: b"*/" };
                self.pos = i + 2;
            }
            b'#' if matches!(lang, Python | Toml)
                || matches!(lang, Yaml | Shell) && self.word_start(i) =>
            {
                self.state = State::LineComment;
                self.pos = i + 1;
            }
            b'-' if lang == Lua && self.at(i + 1) == b'-' => {
                if let Some(len) = self.lua_long_bracket(i + 2) {
                    self.state = State::LuaComment { level: len - 2 };
                    self.pos = i + 2 + len;
                } else {
                    self.state = State::LineComment;
                    self.pos = i + 2;
                }
            }
            b'[' if lang == Lua => match self.lua_long_bracket(i) {
                Some(len) => self.open(
                    i,
                    len,
                    Str {
                        quote: b']',
                        count: 2,
                        escapes: false,
                        multiline: true,
                        long: Some(len - 2),
                        ..plain
                    },
                ),
                None => self.pos = i + 1,
            },
            b'"' | b'\'' | b'`' => self.quote(i, b, plain),
            b'&' => match self.quote_reference(i) {
                // `&quot;…&quot;` in an event handler: a string whose
                // quote is written as a character reference.
                Some((q, len)) if lang == JavaScript => self.open(
                    i,
                    len,
                    Str {
                        quote: q,
                        multiline: q == b'`',
                        ..plain
                    },
                ),
                _ => self.pos = i + 1,
            },
            _ => self.pos = i + 1,
        }
    }

    fn quote(&mut self, i: usize, b: u8, plain: Str) {
        use Lang::*;
        let triple = self.at(i + 1) == b && self.at(i + 2) == b;
        match (self.lang, b) {
            (JavaScript, b'`') => self.open(
                i,
                1,
                Str {
                    multiline: true,
                    escapes: !self.text[..i].ends_with(b"String.raw"),
                    ..plain
                },
            ),
            (JavaScript, _) if self.jsx_attribute(i) => self.open(
                i,
                1,
                Str {
                    escapes: false,
                    multiline: true,
                    jsx: true,
                    ..plain
                },
            ),
            (JavaScript, _) | (Json, b'"') => self.open(i, 1, plain),
            (Python, _) if b != b'`' => {
                let raw = self
                    .prefix_letters(i)
                    .iter()
                    .any(|&c| c == b'r' || c == b'R');
                let s = Str {
                    escapes: !raw,
                    ..plain
                };
                if triple {
                    self.open(
                        i,
                        3,
                        Str {
                            count: 3,
                            multiline: true,
                            ..s
                        },
                    );
                } else {
                    self.open(i, 1, s);
                }
            }
            (Java, b'"') if triple => self.open(
                i,
                3,
                Str {
                    count: 3,
                    multiline: true,
                    ..plain
                },
            ),
            (Java, _) | (Go, b'"') if b != b'`' => self.open(i, 1, plain),
            (Go, b'`') => self.open(
                i,
                1,
                Str {
                    escapes: false,
                    multiline: true,
                    ..plain
                },
            ),
            (Go, b'\'') => self.open(i, 1, plain),
            (CSharp, b'"') => {
                let prefix = self.prefix_letters_sym(i);
                if triple {
                    self.open(
                        i,
                        3,
                        Str {
                            count: 3,
                            escapes: false,
                            multiline: true,
                            ..plain
                        },
                    );
                } else if prefix.contains(&b'@') {
                    self.open(
                        i,
                        1,
                        Str {
                            escapes: false,
                            multiline: true,
                            doubled: true,
                            ..plain
                        },
                    );
                } else {
                    self.open(i, 1, plain);
                }
            }
            (CSharp, b'\'') => self.open(i, 1, plain),
            (Rust, b'"') => {
                // r"…", r#"…"#, br"…": count the hashes before the quote.
                let mut k = i;
                while k > 0 && self.text[k - 1] == b'#' {
                    k -= 1;
                }
                let hashes = (i - k) as u8;
                let raw = k > 0
                    && self.text[k - 1] == b'r'
                    && (k < 2 || !is_ident(self.text[k - 2]) || self.text[k - 2] == b'b');
                if raw {
                    self.open(
                        i,
                        1,
                        Str {
                            escapes: false,
                            multiline: true,
                            hashes,
                            ..plain
                        },
                    );
                } else {
                    self.open(
                        i,
                        1,
                        Str {
                            multiline: true,
                            ..plain
                        },
                    );
                }
            }
            (Rust, b'\'') => {
                // A char literal ('x', '\n'), not a lifetime ('a).
                if self.at(i + 1) == b'\\' || self.at(i + 2) == b'\'' {
                    self.open(i, 1, plain);
                } else {
                    self.pos = i + 1;
                }
            }
            (Yaml, b'"' | b'\'') if self.yaml_scalar_start(i) => self.open(
                i,
                1,
                Str {
                    escapes: b == b'"',
                    // Quoted scalars may fold lines, but rarely do in
                    // practice; lexing line by line keeps data files fast.
                    multiline: false,
                    doubled: b == b'\'',
                    ..plain
                },
            ),
            (Toml, b'"' | b'\'') => {
                let s = Str {
                    escapes: b == b'"',
                    ..plain
                };
                if triple {
                    self.open(
                        i,
                        3,
                        Str {
                            count: 3,
                            multiline: true,
                            ..s
                        },
                    );
                } else {
                    self.open(i, 1, s);
                }
            }
            (Lua, b'"' | b'\'') => self.open(i, 1, plain),
            // `$'`, `$"`, `` $` ``: Perl's and Ruby's special variables.
            (Ruby | Perl, _) if i > 0 && self.text[i - 1] == b'$' => self.pos = i + 1,
            (Ruby | Php | Perl, b'\'') => self.open(
                i,
                1,
                Str {
                    single: true,
                    multiline: true,
                    ..plain
                },
            ),
            (Ruby | Php | Perl, _) => self.open(
                i,
                1,
                Str {
                    multiline: true,
                    interp: match self.lang {
                        Ruby => b'#',
                        Php => b'{',
                        _ => 0,
                    },
                    ..plain
                },
            ),
            (Shell, b'"') => self.open(
                i,
                1,
                Str {
                    multiline: true,
                    ..plain
                },
            ),
            (Shell, b'\'') if self.word_start(i) || self.at(i.wrapping_sub(1)) == b'=' => self
                .open(
                    i,
                    1,
                    Str {
                        escapes: false,
                        multiline: true,
                        ..plain
                    },
                ),
            _ => self.pos = i + 1,
        }
    }

    /// Is `i` at the start of a line?
    fn line_start(&self, i: usize) -> bool {
        i == 0 || self.text[i - 1] == b'\n'
    }

    /// The offset after the `}` that closes the `{` at `open` (nested
    /// braces and quoted strings skipped), looking no further than a
    /// placeholder's length.
    fn braces_end(&self, open: usize) -> Option<usize> {
        let end = self.to.min(open + 1024);
        let mut depth = 0usize;
        let mut k = open;
        while k < end {
            match self.text[k] {
                b'{' => depth += 1,
                b'}' => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(k + 1);
                    }
                }
                q @ (b'"' | b'\'') => {
                    k += 1;
                    while k < end && self.text[k] != q {
                        k += 1 + usize::from(self.text[k] == b'\\');
                    }
                }
                _ => {}
            }
            k += 1;
        }
        None
    }

    /// After the part of a Perl `s/…/…/` or `tr/…/…/` that closed at
    /// `after - 1`: the next part opens with the same delimiter, or, after
    /// a pair (`s{…}{…}`), with any delimiter after white space.
    fn next_part(&mut self, after: usize, s: Str) {
        let next = Str {
            more: s.more - 1,
            depth: 0,
            ..s
        };
        if s.open == 0 {
            self.open(after - 1, 1, next);
            return;
        }
        let mut k = after;
        while self.at(k).is_ascii_whitespace() {
            k += 1;
        }
        let d = self.at(k);
        if let Some(close) = delimiter_close(d) {
            self.open(
                k,
                1,
                Str {
                    quote: close,
                    open: if close == d { 0 } else { d },
                    ..next
                },
            );
        }
    }

    /// A here-document opener at `i` (`<<~EOS`, `<<-'EOS'`, `<<EOS` in Ruby
    /// and Perl; `<<<EOT`, `<<<'EOT'` in PHP): its length and the document.
    fn heredoc_at(&self, i: usize) -> Option<(usize, Heredoc)> {
        let php = self.lang == Lang::Php;
        let mut k = i + 2;
        if php {
            if self.at(k) != b'<' {
                return None;
            }
            k += 1;
            while matches!(self.at(k), b' ' | b'\t') {
                k += 1;
            }
        } else if i > 0 && self.text[i - 1] == b'<' {
            return None;
        }
        let mut indented = php;
        if !php && (self.at(k) == b'~' || self.lang == Lang::Ruby && self.at(k) == b'-') {
            indented = true;
            k += 1;
        }
        if self.lang == Lang::Perl {
            // `<< "EOS"`: Perl allows spaces before a quoted delimiter.
            let mut j = k;
            while self.at(j) == b' ' {
                j += 1;
            }
            if matches!(self.at(j), b'\'' | b'"') {
                k = j;
            }
        }
        let quote = matches!(self.at(k), b'\'' | b'"' | b'`').then(|| self.at(k));
        if quote.is_some() {
            k += 1;
        }
        let start = k;
        let first = self.at(k);
        // `a <<b` is a shift: a bare word must look like a delimiter.
        let word_start = if quote.is_some() || php || indented {
            first.is_ascii_alphabetic() || first == b'_'
        } else {
            first.is_ascii_uppercase() || first == b'_'
        };
        if !word_start {
            return None;
        }
        while is_ident(self.at(k)) {
            k += 1;
        }
        let end = k;
        if let Some(q) = quote {
            if self.at(k) != q {
                return None;
            }
            k += 1;
        }
        Some((
            k - i,
            Heredoc {
                start,
                end,
                indented,
                escapes: quote != Some(b'\''),
            },
        ))
    }

    /// Reads the body of the first pending here-document, which starts at
    /// `body` (the start of a line).
    fn start_heredoc(&mut self, body: usize) {
        let Some(h) = self.pending.pop_front() else {
            self.pos = body;
            return;
        };
        let delim = &self.text[h.start..h.end];
        let mut line = body;
        let (mut end, mut after) = (self.to, self.to);
        while line < self.to {
            let line_end =
                memchr::memchr(b'\n', &self.text[line..self.to]).map_or(self.to, |k| line + k);
            let mut k = line;
            if h.indented {
                while k < line_end && matches!(self.text[k], b' ' | b'\t') {
                    k += 1;
                }
            }
            if self.text[k..line_end].starts_with(delim) && !is_ident(self.at(k + delim.len())) {
                end = line;
                after = k + delim.len();
                break;
            }
            line = line_end + 1;
        }
        self.state = State::Here {
            end,
            after,
            escapes: h.escapes,
        };
        self.pos = body.min(self.to);
    }

    /// Does a `/` at `i` open a regular expression (Ruby, Perl) rather
    /// than divide? After an operator, an opening bracket, a comma or at
    /// the start of a line.
    fn regex_start(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && matches!(self.text[k - 1], b' ' | b'\t') {
            k -= 1;
        }
        k == 0
            || matches!(
                self.text[k - 1],
                b'\n' | b'(' | b',' | b'=' | b'~' | b'!' | b'|' | b'&' | b'{' | b'[' | b';' | b'?'
            )
    }

    /// Ruby's `%q(…)`, `%Q[…]`, `%w{…}`, `%(…)` … at `i`.
    fn ruby_percent(&mut self, i: usize, plain: Str) {
        let c1 = self.at(i + 1);
        let (kind, d) = if b"qQwWiIrsx".contains(&c1) && delimiter_close(self.at(i + 2)).is_some() {
            (c1, i + 2)
        } else if matches!(c1, b'(' | b'[' | b'{' | b'<' | b'|' | b'!')
            && (i == 0
                || matches!(
                    self.text[i - 1],
                    b' ' | b'\t' | b'\n' | b'\r' | b'(' | b',' | b'=' | b'[' | b'{'
                ))
        {
            (b'Q', i + 1)
        } else {
            self.pos = i + 1;
            return;
        };
        let open = self.at(d);
        let Some(close) = delimiter_close(open) else {
            self.pos = i + 1;
            return;
        };
        let single = matches!(kind, b'q' | b'w' | b'i' | b's');
        self.open(
            d,
            1,
            Str {
                quote: close,
                multiline: true,
                single,
                interp: if single { 0 } else { b'#' },
                open: if close == open { 0 } else { open },
                ..plain
            },
        );
    }

    /// Perl's quote-like operators at `i`: `q{…}`, `qq(…)`, `qw[…]`,
    /// `qx!…!`, `m/…/`, `qr{…}`, `s/…/…/`, `tr/…/…/`, `y/…/…/`.
    fn perl_quote_like(&mut self, i: usize, plain: Str) {
        let before = if i > 0 { self.text[i - 1] } else { b' ' };
        if is_ident(before)
            || matches!(
                before,
                b'$' | b'@' | b'%' | b'&' | b'*' | b'-' | b':' | b'>'
            )
        {
            self.pos = i + 1;
            return;
        }
        let mut k = i;
        while self.at(k).is_ascii_lowercase() {
            k += 1;
        }
        let word = &self.text[i..k];
        let (single, more) = match word {
            b"q" | b"qw" | b"m" | b"qr" => (true, 0),
            b"qq" | b"qx" => (false, 0),
            b"s" | b"tr" | b"y" => (true, 1),
            _ => {
                self.pos = k.max(i + 1);
                return;
            }
        };
        let open = self.at(k);
        let close = match delimiter_close(open) {
            Some(c) if !matches!(open, b',' | b';' | b'=' | b'-' | b'.' | b'_') => c,
            _ => {
                self.pos = k;
                return;
            }
        };
        self.open(
            k,
            1,
            Str {
                quote: close,
                multiline: true,
                single,
                open: if close == open { 0 } else { open },
                more,
                ..plain
            },
        );
    }

    /// The identifier letters right before `i` (string prefixes like `rb`).
    fn prefix_letters(&self, i: usize) -> &[u8] {
        let mut k = i;
        while k > 0 && self.text[k - 1].is_ascii_alphabetic() {
            k -= 1;
        }
        if k > 0 && is_ident(self.text[k - 1]) {
            return &[];
        }
        &self.text[k..i]
    }

    /// C# prefixes: `@`, `$`, `$@`, `@$`.
    fn prefix_letters_sym(&self, i: usize) -> &[u8] {
        let mut k = i;
        while k > 0 && matches!(self.text[k - 1], b'@' | b'$') {
            k -= 1;
        }
        &self.text[k..i]
    }

    /// Is the quote at `i` a JSX attribute value (`<a href="…">`), where
    /// backslashes are no escapes? It follows `name=`, with white space
    /// before the name, inside a tag opened by `<` and a letter earlier on
    /// the same or a recent line, with no `>`, `;`, `{` or `}` between, all
    /// of it in the code (not in the Markdown or HTML around a block).
    fn jsx_attribute(&self, i: usize) -> bool {
        if i < 2 || self.text[i - 1] != b'=' {
            return false;
        }
        let mut k = i - 1;
        while k > 0
            && (self.text[k - 1].is_ascii_alphanumeric()
                || matches!(self.text[k - 1], b'-' | b':' | b'_'))
        {
            k -= 1;
        }
        if k == i - 1 || k <= self.from || !self.text[k - 1].is_ascii_whitespace() {
            return false;
        }
        let from = k.saturating_sub(512).max(self.from);
        let before = &self.text[from..k];
        let Some(lt) = memchr::memrchr(b'<', before) else {
            return false;
        };
        before.get(lt + 1).is_some_and(u8::is_ascii_alphabetic)
            && !before[lt..]
                .iter()
                .any(|b| matches!(b, b'>' | b';' | b'{' | b'}' | b'(' | b')'))
    }

    fn word_start(&self, i: usize) -> bool {
        i == 0 || self.text[i - 1].is_ascii_whitespace()
    }

    fn yaml_scalar_start(&self, i: usize) -> bool {
        i == 0
            || matches!(
                self.text[i - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b':' | b'-' | b'[' | b'{' | b','
            )
    }

    /// Length of a Lua long bracket `[[`, `[=[`, `[==[` at `i`.
    fn lua_long_bracket(&self, i: usize) -> Option<usize> {
        if self.at(i) != b'[' {
            return None;
        }
        let mut k = i + 1;
        while self.at(k) == b'=' {
            k += 1;
        }
        (self.at(k) == b'[').then_some(k + 1 - i)
    }

    /// Does a Lua long bracket of `level` close at `i` (`]`, `=`s, `]`)?
    fn closes_long_bracket(&self, i: usize, level: usize) -> bool {
        self.at(i) == b']'
            && (1..=level).all(|k| self.at(i + k) == b'=')
            && self.at(i + level + 1) == b']'
    }
}

/// Bytes that may open a string or a comment in some language.
static SPECIAL: [bool; 256] = table(b"\"'`/#-[");

/// [`SPECIAL`], and what opens Ruby's `%q(…)`, `=begin` and `__END__`, and
/// the here-documents of Ruby and PHP.
static SPECIAL_RUBY_PHP: [bool; 256] = table(b"\"'`/#-[%=<_");

/// [`SPECIAL_RUBY_PHP`], and the first letters of Perl's quote-like
/// operators (`q{…}`, `qq{…}`, `m/…/`, `s/…/…/`, `tr/…/…/`, `y/…/…/`).
static SPECIAL_PERL: [bool; 256] = table(b"\"'`/#-[%=<_qmsty");

const fn table(bytes: &[u8]) -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
}

/// The byte that closes a quote-like operator opened by `open`: the other
/// half of a bracket pair, or `open` itself; `None` when `open` cannot
/// delimit (a letter, a digit, white space).
fn delimiter_close(open: u8) -> Option<u8> {
    match open {
        b'(' => Some(b')'),
        b'[' => Some(b']'),
        b'{' => Some(b'}'),
        b'<' => Some(b'>'),
        b')' | b']' | b'}' | b'>' => None,
        b if b.is_ascii_punctuation() => Some(b),
        _ => None,
    }
}

fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(src: &str, lang: Lang, needle: &str) -> Context {
        let at = src.find(needle).expect("needle");
        Lexer::new(src, lang, 0, src.len()).place(at).context
    }

    fn string(quote: u8, escapes: bool) -> Context {
        Context::StringLiteral { quote, escapes }
    }

    #[test]
    fn string_kinds() {
        use Lang::*;
        let cases: &[(&str, Lang, Context)] = &[
            (r#"x = "trueconf:a""#, JavaScript, string(b'"', true)),
            ("x = `${y} trueconf:a`", JavaScript, string(b'`', true)),
            ("// trueconf:a", JavaScript, Context::Text),
            ("/* \"q\" */ 'trueconf:a'", JavaScript, string(b'\'', true)),
            (r#"x = r"trueconf:a""#, Python, string(b'"', false)),
            (r#"x = f"trueconf:a""#, Python, string(b'"', true)),
            ("x = '''\ntrueconf:a'''", Python, string(b'\'', true)),
            ("# 'trueconf:a'", Python, Context::Text),
            (r#"var s = @"trueconf:a""#, CSharp, string(b'"', false)),
            (r#"var s = "trueconf:a""#, CSharp, string(b'"', true)),
            ("s := `trueconf:a`", Go, string(b'`', false)),
            (r##"let s = r#"trueconf:a"#;"##, Rust, string(b'"', false)),
            (r#"fn f<'a>() { "trueconf:a" }"#, Rust, string(b'"', true)),
            (r#"{"k": "trueconf:a"}"#, Json, string(b'"', true)),
            ("k: 'trueconf:a'", Yaml, string(b'\'', false)),
            ("k: \"trueconf:a\"", Yaml, string(b'"', true)),
            ("k: trueconf:a # it's", Yaml, Context::Text),
            ("k: don't trueconf:a", Yaml, Context::Text),
            ("x = [[trueconf:a]]", Lua, string(b']', false)),
            ("x = [==[a]]trueconf:a]==]", Lua, string(b']', false)),
            ("x = [==[a]==] -- trueconf:a", Lua, Context::Text),
            (
                "--[===[ ]] ]==] ]===] x = 'trueconf:a'",
                Lua,
                string(b'\'', true),
            ),
            (
                "x = String.raw`trueconf:a`",
                JavaScript,
                string(b'`', false),
            ),
            // JSX attribute values read as HTML ones (references decoded).
            (
                "<a\n  href=\"trueconf:a\">x</a>",
                JavaScript,
                Context::HtmlAttribute { quote: Some(b'"') },
            ),
            (
                "x = <A title=\"t\" href='trueconf:a' />",
                JavaScript,
                Context::HtmlAttribute { quote: Some(b'\'') },
            ),
            ("a.href=\"trueconf:a\"", JavaScript, string(b'"', true)),
            (
                "if (a < b) x = \"trueconf:a\"",
                JavaScript,
                string(b'"', true),
            ),
            ("-- 'trueconf:a'", Lua, Context::Text),
            ("echo 'trueconf:a'", Shell, string(b'\'', false)),
            ("x = 'trueconf:a'", Ruby, string(b'\'', false)),
            ("x = \"#{h[\"k\"]} trueconf:a\"", Ruby, string(b'"', true)),
            ("x = %w[trueconf:a]", Ruby, string(b']', false)),
            ("x = %Q{trueconf:a}", Ruby, string(b'}', true)),
            ("x = y.sub(/'/, '') # trueconf:a", Ruby, Context::Text),
            ("=begin\n'\ntrueconf:a\n=end", Ruby, Context::Text),
            ("x = <<~E\n  trueconf:a\n  E\n", Ruby, string(b'\n', true)),
            (
                "x = <<~'E'\n  trueconf:a\n  E\n",
                Ruby,
                string(b'\n', false),
            ),
            (
                "x(<<~E, 'y') # z\n  trueconf:a\nE\n",
                Ruby,
                string(b'\n', true),
            ),
            ("x = a << b; y = 'trueconf:a'", Ruby, string(b'\'', false)),
            ("__END__\n'trueconf:a", Ruby, Context::Text),
            ("$x = \"{$a['k']} trueconf:a\";", Php, string(b'"', true)),
            ("#[A] $x = 'trueconf:a';", Php, string(b'\'', false)),
            ("# it's trueconf:a", Php, Context::Text),
            ("$x = <<<E\n  trueconf:a\n  E;\n", Php, string(b'\n', true)),
            ("$x = <<<'E'\ntrueconf:a\nE;\n", Php, string(b'\n', false)),
            ("$x = q{a{b}c trueconf:a};", Perl, string(b'}', false)),
            ("$x = qq(trueconf:a);", Perl, string(b')', true)),
            (
                "$x =~ s{'}{\"}g; $y = 'trueconf:a'",
                Perl,
                string(b'\'', false),
            ),
            ("$x =~ tr/'/\"/; # trueconf:a", Perl, Context::Text),
            ("print $#a, 'trueconf:a'", Perl, string(b'\'', false)),
            (
                "$f = $`; local $\" = ','; $x = 'trueconf:a'",
                Perl,
                string(b'\'', false),
            ),
            ("=head1 X\n'\ntrueconf:a\n=cut\n", Perl, Context::Text),
            (
                "print << \"E\";\nit's trueconf:a\nE\n",
                Perl,
                string(b'\n', true),
            ),
            ("$x = 1 << 2; $y = 'trueconf:a'", Perl, string(b'\'', false)),
            ("$s = 'x'; # trueconf:a", Perl, Context::Text),
        ];
        for (src, lang, want) in cases {
            assert_eq!(ctx(src, *lang, "trueconf:"), *want, "{lang:?}: {src}");
        }
    }

    #[test]
    fn an_unclosed_single_line_string_ends_at_its_line() {
        let src = "x = 'oops\ny = \"trueconf:a\"";
        assert_eq!(ctx(src, Lang::JavaScript, "trueconf:"), string(b'"', true));
    }
}
