//! Command lines: POSIX shell scripts, cmd batch files and PowerShell
//! scripts (trueconf-uri.md §7, "Documents kinds added").
//!
//! A forward-only lexer, like the one for source code, that knows for each
//! offset whether it stands in a quoted string (which kind), a comment, a
//! here-document or an unquoted word. Each construct's end is found when it
//! opens, so a link's place carries the exact end of its host:
//!
//! - POSIX: `'…'` (no escapes), `"…"` (only `\$ \` \" \\` and a newline are
//!   escapes, so `\c` stays), `$'…'` and unquoted words (backslashes are
//!   eaten), `<<WORD` here-documents (prose), `#` comments;
//! - cmd: `"…"` up to the line's end, unquoted words with `^` escapes, `%%`
//!   for `%` in a batch file, `rem` and `::` comments;
//! - PowerShell: `'…'` (`''` for a quote), `"…"` (backtick escapes),
//!   `@"…"@` / `@'…'@` here-strings (prose), `#` and `<# … #>` comments.
//!
//! An unquoted word ends at white space or at an unquoted `; | & < > ( )`,
//! except an `&` followed by more of the link (`&do=chat`, `&u:pw@host`),
//! which stays in the word so that TC017 can report the split it causes and
//! a password after it is redacted as part of the link.

use std::collections::VecDeque;

use super::code::Lang;
use super::decode::Decode;
use super::place::{CodeHost, Context, Joins, Place, prose_place};

/// The command language of a script.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// sh, bash, zsh.
    Posix,
    /// cmd.exe batch files.
    Cmd,
    /// PowerShell.
    PowerShell,
}

/// The language a `#!` line names: a POSIX shell, Ruby, Perl or PHP (a
/// version after the name, as in `perl5.36`, counts).
pub(crate) fn shebang(text: &str) -> Option<Lang> {
    let line = text.strip_prefix("#!")?.lines().next()?;
    let mut words = line.split_whitespace();
    let mut program = words.next()?.rsplit('/').next()?;
    if program == "env" {
        program = words.find(|w| !w.starts_with('-'))?;
    }
    match program.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.') {
        "sh" | "bash" | "zsh" | "dash" | "ksh" => Some(Lang::Shell),
        "ruby" => Some(Lang::Ruby),
        "perl" => Some(Lang::Perl),
        "php" => Some(Lang::Php),
        _ => None,
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Normal,
    /// A construct that ends at `end` (exclusive, its closing quote
    /// included); a link in it cannot reach `limit` (its closing quote).
    Inside {
        what: What,
        limit: usize,
        end: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum What {
    Comment,
    /// A quoted string: its quote, whether backslashes escape in it, how a
    /// link in it is decoded.
    Quoted {
        quote: u8,
        escapes: bool,
        decode: Decode,
    },
    /// A here-document or here-string: prose.
    Here,
}

/// A double-quoted string whose command substitution is being read: its
/// state, its substitutions after this one, and where it resumes.
type Outer = (State, VecDeque<(usize, usize)>, usize);

/// The lexer over `text[from..to]`, advanced monotonically.
pub struct Shell<'t> {
    src: &'t str,
    text: &'t [u8],
    dialect: Dialect,
    pos: usize,
    to: usize,
    state: State,
    /// Here-documents announced on the current line (`<<EOF`), as their
    /// delimiter and whether leading tabs are stripped (`<<-`).
    pending: Vec<(&'t str, bool)>,
    /// cmd: only white space and `@` so far on the current line.
    line_head: bool,
    /// Command substitutions (`$(…)`, `` `…` ``) of the double-quoted
    /// string being read, as (start of the command, its closing byte), in
    /// order: a command line nested in the string, read as one when asked
    /// about (the innermost host decides).
    holes: VecDeque<(usize, usize)>,
    /// The strings whose substitution is being read: each string's state
    /// and remaining substitutions, resumed at the substitution's end.
    outer: Vec<Outer>,
}

impl<'t> Shell<'t> {
    pub fn new(text: &'t str, dialect: Dialect, from: usize, to: usize) -> Self {
        Shell {
            src: text,
            text: text.as_bytes(),
            dialect,
            pos: from,
            to: to.min(text.len()),
            state: State::Normal,
            pending: Vec::new(),
            line_head: true,
            holes: VecDeque::new(),
            outer: Vec::new(),
        }
    }

    /// Where `at` stands.
    pub(crate) fn place(&mut self, at: usize) -> Option<Place> {
        let host = match self.dialect {
            Dialect::Posix => CodeHost::Code(Lang::Shell),
            Dialect::Cmd => CodeHost::Cmd,
            Dialect::PowerShell => CodeHost::PowerShell,
        };
        self.place_in(at).map(|p| Place {
            host: Some(host),
            ..p
        })
    }

    fn place_in(&mut self, at: usize) -> Option<Place> {
        self.advance(at);
        Some(match self.state {
            State::Inside {
                what: What::Comment | What::Here,
                limit,
                ..
            } => prose_place(Context::Text, Decode::None, limit, None),
            State::Inside {
                what:
                    What::Quoted {
                        quote,
                        escapes,
                        decode,
                    },
                limit,
                ..
            } => Place {
                context: Context::StringLiteral { quote, escapes },
                decode,
                limit,
                explicit: false,
                opened_by: None,
                joins: Joins::No,
                host: None,
            },
            State::Normal => Place {
                context: Context::ShellWord {
                    escapes: self.dialect == Dialect::Posix,
                },
                decode: match self.dialect {
                    Dialect::Posix => Decode::BackslashAny,
                    Dialect::Cmd => Decode::Batch { word: true },
                    Dialect::PowerShell => Decode::None,
                },
                limit: self.word_end(at),
                explicit: false,
                opened_by: None,
                joins: Joins::No,
                host: None,
            },
        })
    }

    /// Is `at` inside a comment? Offsets must not decrease (shared with
    /// [`Shell::place`]).
    pub fn in_comment(&mut self, at: usize) -> bool {
        if at >= self.to {
            return false;
        }
        self.advance(at);
        matches!(
            self.state,
            State::Inside {
                what: What::Comment,
                ..
            }
        )
    }

    fn at(&self, i: usize) -> u8 {
        if i < self.to { self.text[i] } else { 0 }
    }

    fn escape_char(&self) -> u8 {
        match self.dialect {
            Dialect::Posix => b'\\',
            Dialect::Cmd => b'^',
            Dialect::PowerShell => b'`',
        }
    }

    /// The end of the unquoted word holding `at`.
    fn word_end(&self, at: usize) -> usize {
        let esc = self.escape_char();
        let mut i = at;
        while i < self.to {
            let b = self.text[i];
            if b == esc {
                if matches!(self.at(i + 1), b'\n' | b'\r' | 0) {
                    break;
                }
                // The escape and the whole character it escapes.
                i += 1 + self.src[i + 1..].chars().next().map_or(1, char::len_utf8);
                continue;
            }
            match b {
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'<' | b'>' | b'(' | b')' => break,
                b'"' | b'\'' => break,
                b'`' if self.dialect == Dialect::Posix => break,
                b'&' if !self.link_follows(i + 1) => break,
                _ => {}
            }
            // Unicode white space ends a word for the reader, if not for
            // the shell.
            let c = self.src[i..].chars().next().unwrap_or(' ');
            if c.is_whitespace() {
                break;
            }
            i += c.len_utf8();
        }
        i
    }

    /// Does more of a link follow an `&` at `i - 1`: anything but white
    /// space, the end, another operator or a quote? (`&do=chat`, but also
    /// `&u:pw@host`, whose password must stay inside the link to be
    /// redacted; `& wait`, `&&`, `&>` end the word.)
    fn link_follows(&self, i: usize) -> bool {
        let b = self.at(i);
        !(b == 0
            || b.is_ascii_whitespace()
            || matches!(
                b,
                b'&' | b';' | b'|' | b'<' | b'>' | b'(' | b')' | b'\'' | b'"' | b'`'
            ))
    }

    fn line_end(&self, i: usize) -> usize {
        memchr::memchr2(b'\n', b'\r', &self.text[i.min(self.to)..self.to])
            .map_or(self.to, |k| i + k)
    }

    /// Is `i` the start of a word (after white space, an operator or the
    /// start of the text)?
    fn word_start(&self, i: usize) -> bool {
        i == 0
            || matches!(
                self.text[i - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'|' | b'&' | b'('
            )
    }

    fn advance(&mut self, until: usize) {
        let until = until.min(self.to);
        while self.pos < until {
            // The end of a substitution inside a double-quoted string: the
            // string goes on.
            if let Some(&(_, _, resume)) = self.outer.last()
                && self.pos >= resume
                && self.state == State::Normal
                && let Some((state, holes, resume)) = self.outer.pop()
            {
                self.state = state;
                self.holes = holes;
                self.pos = resume;
                continue;
            }
            if let State::Inside { end, .. } = self.state {
                // Skip the substitutions that end before `until`; enter the
                // one that holds it.
                while self.holes.front().is_some_and(|&(_, e)| e <= until) {
                    self.holes.pop_front();
                }
                if let Some(&(start, close)) = self.holes.front()
                    && start <= until
                {
                    self.holes.pop_front();
                    let rest = std::mem::take(&mut self.holes);
                    self.outer.push((self.state, rest, close));
                    self.state = State::Normal;
                    self.pos = start;
                    continue;
                }
                if until < end {
                    return;
                }
                self.holes.clear();
                self.pos = end.max(self.pos + 1).min(self.to);
                self.state = State::Normal;
                continue;
            }
            let i = self.pos;
            let b = self.text[i];
            match self.dialect {
                Dialect::Posix => self.posix(i, b),
                Dialect::Cmd => self.cmd(i, b),
                Dialect::PowerShell => self.powershell(i, b),
            }
        }
        if let State::Inside { end, .. } = self.state
            && until >= end
        {
            self.state = State::Normal;
        }
    }

    /// Enters a construct whose content starts at `start` and that ends
    /// at `limit`, plus its closing quote when `limit` holds `quote`.
    fn enter(&mut self, what: What, start: usize, limit: usize) {
        let end = match what {
            What::Quoted { quote, .. } if self.at(limit) == quote => limit + 1,
            _ => limit,
        };
        self.state = State::Inside { what, limit, end };
        self.pos = start;
    }

    /// The end of a quoted string opened at `open` by `quote`: the offset
    /// after its closing quote, or `to` (or the line's end when
    /// `one_line`). Bytes after `esc` are skipped; a doubled quote stays
    /// inside when `doubled`.
    fn close(
        &self,
        open: usize,
        quote: u8,
        esc: Option<u8>,
        doubled: bool,
        one_line: bool,
    ) -> usize {
        let mut k = open + 1;
        while k < self.to {
            let b = self.text[k];
            if Some(b) == esc {
                k += 2;
                continue;
            }
            if one_line && (b == b'\n' || b == b'\r') {
                return k;
            }
            if b == quote {
                if doubled && self.at(k + 1) == quote {
                    k += 2;
                    continue;
                }
                return k;
            }
            k += 1;
        }
        self.to
    }

    /// A newline: here-documents announced on the line start after it.
    fn newline(&mut self, i: usize) {
        let mut next = i + 1;
        if self.text[i] == b'\r' && self.at(next) == b'\n' {
            next += 1;
        }
        self.pos = next;
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let body_start = next;
        let mut line = next;
        let mut remaining = pending.len();
        let mut which = 0;
        while line < self.to && remaining > 0 {
            let end = self.line_end(line);
            let (delim, tabs) = pending[which];
            let mut content = &self.src[line..end];
            if tabs {
                content = content.trim_start_matches('\t');
            }
            let mut after = end;
            if self.at(after) == b'\r' {
                after += 1;
            }
            if self.at(after) == b'\n' {
                after += 1;
            }
            if content == delim {
                which += 1;
                remaining -= 1;
            }
            line = after;
        }
        let end = line.min(self.to);
        if end > body_start {
            self.enter(What::Here, body_start, end);
        }
    }

    fn posix(&mut self, i: usize, b: u8) {
        match b {
            b'\n' | b'\r' => self.newline(i),
            b'\\' => self.pos = (i + 2).min(self.to),
            b'#' if self.word_start(i) => {
                let end = self.line_end(i);
                self.enter(What::Comment, i, end);
            }
            b'\'' => {
                let ansi = i > 0 && self.text[i - 1] == b'$';
                let esc = ansi.then_some(b'\\');
                let close = self.close(i, b'\'', esc, false, false);
                self.enter(
                    What::Quoted {
                        quote: b'\'',
                        escapes: ansi,
                        decode: if ansi {
                            Decode::Backslash
                        } else {
                            Decode::None
                        },
                    },
                    i + 1,
                    close,
                );
            }
            b'"' => {
                let mut holes = VecDeque::new();
                let close = self.close_double(i, &mut holes);
                self.enter(
                    What::Quoted {
                        quote: b'"',
                        escapes: true,
                        decode: Decode::ShellDouble,
                    },
                    i + 1,
                    close,
                );
                self.holes = holes;
            }
            b'<' if self.at(i + 1) == b'<' && self.at(i + 2) != b'<' => {
                self.here_doc(i + 2);
            }
            _ => self.pos = i + 1,
        }
    }

    /// The closing quote of a POSIX double-quoted string opened at `open`
    /// (or `to`), past escapes and whole command substitutions (`$(…)`,
    /// `` `…` ``, whose quotes are their own) and `${…}`; the
    /// substitutions' commands go to `holes`.
    /// In PowerShell the backtick is the escape, `""` is a quote inside
    /// the string and `$(…)` its only substitution.
    fn close_double(&self, open: usize, holes: &mut VecDeque<(usize, usize)>) -> usize {
        let ps = self.dialect == Dialect::PowerShell;
        let esc = if ps { b'`' } else { b'\\' };
        let mut k = open + 1;
        while k < self.to {
            match self.text[k] {
                b if b == esc => k += 2,
                b'"' if ps && self.at(k + 1) == b'"' => k += 2,
                b'"' => return k,
                b'$' if self.at(k + 1) == b'(' => {
                    let close = self.substitution_end(k + 2);
                    holes.push_back((k + 2, close));
                    k = close + 1;
                }
                b'$' if self.at(k + 1) == b'{' => {
                    k = memchr::memchr2(b'}', b'"', &self.text[k..self.to]).map_or(self.to, |j| {
                        if self.text[k + j] == b'}' {
                            k + j + 1
                        } else {
                            k + j
                        }
                    });
                }
                b'`' if !ps => {
                    let close = self.backtick_end(k + 1);
                    holes.push_back((k + 1, close));
                    k = close + 1;
                }
                _ => k += 1,
            }
        }
        self.to
    }

    /// The `)` that closes a command substitution whose command starts at
    /// `from` (nested parentheses and quotes skipped), or `to`.
    fn substitution_end(&self, from: usize) -> usize {
        let ps = self.dialect == Dialect::PowerShell;
        let esc = if ps { b'`' } else { b'\\' };
        let mut depth = 0usize;
        let mut k = from;
        while k < self.to {
            match self.text[k] {
                b if b == esc => k += 1,
                b'(' => depth += 1,
                b')' if depth == 0 => return k,
                b')' => depth -= 1,
                b'\'' => {
                    k = memchr::memchr(b'\'', &self.text[k + 1..self.to])
                        .map_or(self.to, |j| k + 1 + j);
                }
                b'"' => k = self.close_double(k, &mut VecDeque::new()),
                b'`' if !ps => k = self.backtick_end(k + 1),
                _ => {}
            }
            k += 1;
        }
        self.to
    }

    /// The backtick that closes a `` `…` `` substitution whose command
    /// starts at `from`, or `to`.
    fn backtick_end(&self, from: usize) -> usize {
        let mut k = from;
        while k < self.to {
            match self.text[k] {
                b'\\' => k += 2,
                b'`' => return k,
                _ => k += 1,
            }
        }
        self.to
    }

    /// `<<WORD`, `<<-WORD`, `<<'WORD'`, `<<"WORD"` at `i` (after `<<`).
    fn here_doc(&mut self, mut i: usize) {
        let tabs = self.at(i) == b'-';
        if tabs {
            i += 1;
        }
        while matches!(self.at(i), b' ' | b'\t') {
            i += 1;
        }
        let quote = matches!(self.at(i), b'\'' | b'"').then(|| self.at(i));
        if quote.is_some() {
            i += 1;
        }
        let start = i;
        while self.at(i).is_ascii_alphanumeric() || matches!(self.at(i), b'_' | b'-' | b'.') {
            i += 1;
        }
        if i > start {
            self.pending.push((&self.src[start..i], tabs));
        }
        if let Some(q) = quote
            && self.at(i) == q
        {
            i += 1;
        }
        self.pos = i.max(start).min(self.to);
    }

    fn cmd(&mut self, i: usize, b: u8) {
        let head = self.line_head;
        self.line_head = head && matches!(b, b' ' | b'\t' | b'@');
        match b {
            b'\n' | b'\r' => {
                self.line_head = true;
                self.newline(i);
            }
            b'^' => self.pos = (i + 2).min(self.to),
            b'"' => {
                let close = self.close(i, b'"', None, false, true);
                self.enter(
                    What::Quoted {
                        quote: b'"',
                        escapes: false,
                        decode: Decode::Batch { word: false },
                    },
                    i + 1,
                    close,
                );
            }
            _ if head && self.cmd_comment_at(i) => {
                let end = self.line_end(i);
                self.enter(What::Comment, i, end);
            }
            _ => self.pos = i + 1,
        }
    }

    /// A `rem` or `::` comment starting at `i`, the first word of its line
    /// (the caller knows only white space and `@` precede it).
    fn cmd_comment_at(&self, i: usize) -> bool {
        let rest = &self.text[i..self.to];
        rest.starts_with(b"::")
            || rest.len() >= 3
                && rest[..3].eq_ignore_ascii_case(b"rem")
                && matches!(rest.get(3), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
    }

    fn powershell(&mut self, i: usize, b: u8) {
        match b {
            b'\n' | b'\r' => self.newline(i),
            b'`' => self.pos = (i + 2).min(self.to),
            b'<' if self.at(i + 1) == b'#' => {
                let end = memchr::memmem::find(&self.text[i + 2..self.to], b"#>")
                    .map_or(self.to, |k| i + 2 + k + 2);
                self.enter(What::Comment, i, end);
            }
            b'#' if self.word_start(i) => {
                let end = self.line_end(i);
                self.enter(What::Comment, i, end);
            }
            b'@' if matches!(self.at(i + 1), b'"' | b'\'')
                && matches!(self.at(i + 2), b'\n' | b'\r') =>
            {
                let close: &[u8] = if self.at(i + 1) == b'"' {
                    b"\"@"
                } else {
                    b"'@"
                };
                let body = i + 2;
                let mut line = body;
                let mut end = self.to;
                while line < self.to {
                    let e = self.line_end(line);
                    let content = &self.src[line..e];
                    if content.trim_start().as_bytes().starts_with(close) {
                        // After the closing `"@`.
                        end = line + (content.len() - content.trim_start().len()) + 2;
                        break;
                    }
                    line = e + 1;
                }
                self.enter(What::Here, body, end);
            }
            b'\'' => {
                let close = self.close(i, b'\'', None, true, false);
                self.enter(
                    What::Quoted {
                        quote: b'\'',
                        escapes: false,
                        decode: Decode::None,
                    },
                    i + 1,
                    close,
                );
            }
            b'"' => {
                // A `$(…)` subexpression is a command line of its own,
                // read as one when a link stands in it (the innermost host
                // decides), as a POSIX shell's `$(…)` is.
                let mut holes = VecDeque::new();
                let close = self.close_double(i, &mut holes);
                self.enter(
                    What::Quoted {
                        quote: b'"',
                        escapes: false,
                        decode: Decode::Backtick,
                    },
                    i + 1,
                    close,
                );
                self.holes = holes;
            }
            _ => self.pos = i + 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(src: &str, dialect: Dialect, needle: &str) -> (Context, usize) {
        let at = src.find(needle).expect("needle");
        let p = Shell::new(src, dialect, 0, src.len()).place(at).unwrap();
        (p.context, p.limit)
    }

    /// An escape before a character of several bytes escapes all of it:
    /// the word goes on after it (was a slice panic inside the character,
    /// found by tests/incremental.rs).
    #[test]
    fn escape_before_a_wide_character() {
        for (src, dialect) in [
            ("trueconf:bob`😀x y", Dialect::PowerShell),
            ("trueconf:bob^会x y", Dialect::Cmd),
            ("trueconf:bob\\é x", Dialect::Posix),
        ] {
            let (_, limit) = ctx(src, dialect, "trueconf:");
            assert_eq!(limit, src.find(' ').unwrap(), "{src:?}");
        }
        let ps = crate::scan::DocKind::PowerShell;
        assert_eq!(crate::scan::scan("trueconf:bob`😀", ps).len(), 1);
    }

    #[test]
    fn places() {
        use Dialect::*;
        let word = |escapes| Context::ShellWord { escapes };
        let s = |quote, escapes| Context::StringLiteral { quote, escapes };
        let cases: &[(&str, Dialect, Context, &str)] = &[
            ("xdg-open trueconf:a&do=chat x", Posix, word(true), " x"),
            ("xdg-open trueconf:a&x; y", Posix, word(true), "; y"),
            ("xdg-open trueconf:a&& y", Posix, word(true), "&& y"),
            ("xdg-open trueconf:a;y", Posix, word(true), ";y"),
            ("xdg-open 'trueconf:a' x", Posix, s(b'\'', false), "' x"),
            (
                "xdg-open \"trueconf:a\\\"\" x",
                Posix,
                s(b'"', true),
                "\" x",
            ),
            ("xdg-open $'trueconf:a' x", Posix, s(b'\'', true), "' x"),
            ("# trueconf:a\nx", Posix, Context::Text, "\nx"),
            ("cat <<EOF\ntrueconf:a\nEOF\nx", Posix, Context::Text, "x"),
            (
                "cat <<-'E'\n\ttrueconf:a\n\tE\nx",
                Posix,
                Context::Text,
                "x",
            ),
            ("start \"\" \"trueconf:a\" x", Cmd, s(b'"', false), "\" x"),
            ("start trueconf:a^&b x", Cmd, word(false), " x"),
            ("rem trueconf:a\nx", Cmd, Context::Text, "\nx"),
            ("  :: trueconf:a\nx", Cmd, Context::Text, "\nx"),
            (
                "Start-Process 'trueconf:a''b' x",
                PowerShell,
                s(b'\'', false),
                "' x",
            ),
            ("<# trueconf:a #> x", PowerShell, Context::Text, " x"),
            (
                "$s = @\"\ntrueconf:a\n\"@\nx",
                PowerShell,
                Context::Text,
                "\nx",
            ),
        ];
        for (src, dialect, want, limit_at) in cases {
            let (got, limit) = ctx(src, *dialect, "trueconf:");
            assert_eq!(got, *want, "{dialect:?}: {src:?}");
            assert_eq!(
                &src[limit..],
                &src[src.rfind(limit_at).unwrap()..],
                "{src:?}"
            );
        }
    }

    #[test]
    fn shebangs() {
        assert_eq!(shebang("#!/bin/sh\n"), Some(Lang::Shell));
        assert_eq!(shebang("#!/usr/bin/env -S bash -e\n"), Some(Lang::Shell));
        assert_eq!(shebang("#!/usr/bin/env python3\n"), None);
        assert_eq!(shebang("#!/usr/bin/perl -w\n"), Some(Lang::Perl));
        assert_eq!(shebang("#!/usr/bin/env ruby\n"), Some(Lang::Ruby));
        assert_eq!(shebang("#!/usr/bin/php8.2\n"), Some(Lang::Php));
        assert_eq!(shebang("echo\n"), None);
    }
}
