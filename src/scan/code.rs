//! A forward-only lexer that knows, for source code and data files, whether
//! an offset is inside a string literal (and which kind) or a comment.
//!
//! It is not a parser: it tracks quotes, escapes and comments, which is all a
//! link finder needs. A single-line string that is never closed ends at its
//! line, so one odd quote cannot flip the rest of a file.

use super::decode::Decode;
use super::place::{Context, Place, prose_place};

/// Source languages whose string literals the scanner understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lang {
    /// JavaScript and TypeScript, JSX and TSX.
    JavaScript,
    Python,
    Java,
    CSharp,
    Go,
    Rust,
    Json,
    Yaml,
    Toml,
    Lua,
    Shell,
}

impl Lang {
    pub fn from_extension(ext: &str) -> Option<Lang> {
        Some(match ext {
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "tsx" | "mts" | "cts" => Lang::JavaScript,
            "py" | "pyi" | "pyw" => Lang::Python,
            "java" => Lang::Java,
            // The C family and the JVM's other languages: the same double-
            // and single-quoted strings with backslash escapes, and `//` and
            // `/* */` comments, as Java's.
            "c" | "h" | "cc" | "cpp" | "cxx" | "c++" | "hh" | "hpp" | "hxx" | "m" | "mm" | "kt"
            | "kts" | "swift" | "dart" | "scala" | "groovy" | "gradle" => Lang::Java,
            "cs" => Lang::CSharp,
            "go" => Lang::Go,
            "rs" => Lang::Rust,
            "json" | "jsonc" | "json5" | "webmanifest" => Lang::Json,
            "yaml" | "yml" => Lang::Yaml,
            "toml" => Lang::Toml,
            "lua" => Lang::Lua,
            "sh" | "bash" | "zsh" | "ksh" => Lang::Shell,
            _ => return None,
        })
    }

    pub fn from_language_id(id: &str) -> Option<Lang> {
        Some(match id {
            "javascript" | "javascriptreact" | "typescript" | "typescriptreact" => Lang::JavaScript,
            "python" => Lang::Python,
            "java" => Lang::Java,
            "csharp" => Lang::CSharp,
            "go" => Lang::Go,
            "rust" => Lang::Rust,
            "json" | "jsonc" | "json5" => Lang::Json,
            "yaml" => Lang::Yaml,
            "toml" => Lang::Toml,
            "lua" => Lang::Lua,
            "shellscript" | "sh" | "bash" | "zsh" => Lang::Shell,
            _ => return None,
        })
    }

    /// The language of a Markdown fence's info string, if known.
    pub fn from_fence_info(info: &str) -> Option<Lang> {
        let word = info
            .trim_start_matches('{')
            .split(|c: char| c.is_whitespace() || c == ',' || c == '}')
            .next()
            .unwrap_or("")
            .trim_start_matches('.')
            .to_ascii_lowercase();
        match word.as_str() {
            "js" | "javascript" | "ts" | "typescript" | "jsx" | "tsx" => Some(Lang::JavaScript),
            "py" | "python" | "python3" => Some(Lang::Python),
            "cs" | "csharp" | "c#" => Some(Lang::CSharp),
            "rs" | "rust" => Some(Lang::Rust),
            "sh" | "bash" | "shell" | "zsh" | "console" => Some(Lang::Shell),
            "yml" | "yaml" => Some(Lang::Yaml),
            "golang" => Some(Lang::Go),
            "c++" | "kotlin" | "objc" | "objectivec" | "objective-c" => Some(Lang::Java),
            other => Lang::from_extension(other).or_else(|| Lang::from_language_id(other)),
        }
    }

    /// Line comment opener, as (open, close).
    pub fn comment_syntax(self) -> Option<(&'static str, &'static str)> {
        match self {
            Lang::JavaScript | Lang::Java | Lang::CSharp | Lang::Go | Lang::Rust => {
                Some(("//", ""))
            }
            Lang::Python | Lang::Yaml | Lang::Toml | Lang::Shell => Some(("#", "")),
            Lang::Lua => Some(("--", "")),
            Lang::Json => None,
        }
    }

    /// Do backslashes escape in this language's ordinary strings? This is the
    /// set of languages TC014 speaks of.
    pub fn name(self) -> &'static str {
        match self {
            Lang::JavaScript => "JavaScript",
            Lang::Python => "Python",
            Lang::Java => "Java",
            Lang::CSharp => "C#",
            Lang::Go => "Go",
            Lang::Rust => "Rust",
            Lang::Json => "JSON",
            Lang::Yaml => "YAML",
            Lang::Toml => "TOML",
            Lang::Lua => "Lua",
            Lang::Shell => "shell",
        }
    }
}

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
}

/// Lexer state over `text[from..to]`, advanced monotonically.
pub struct Lexer<'t> {
    text: &'t [u8],
    lang: Lang,
    pos: usize,
    to: usize,
    state: State,
    /// The end of the line holding offset `.0` is `.1` (a line break or
    /// `to`): candidates on one long line share one search for it.
    eol: (usize, usize),
    /// The code is an HTML attribute value: character references are
    /// decoded before the language reads it, so `&quot;` opens and closes
    /// a string as `"` does.
    refs: bool,
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str, lang: Lang, from: usize, to: usize) -> Self {
        Lexer {
            text: text.as_bytes(),
            lang,
            pos: from,
            to: to.min(text.len()),
            state: State::Normal,
            eol: (usize::MAX, 0),
            refs: false,
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
        self.advance(at);
        match self.state {
            State::Str(s) => {
                let limit = if s.multiline {
                    self.to
                } else {
                    self.line_end(at)
                };
                Place {
                    context: Context::StringLiteral {
                        quote: s.quote,
                        escapes: s.escapes,
                    },
                    decode: if self.lang == Lang::Shell && s.quote == b'"' {
                        // Only `\$ \` \" \\` and a newline escape there.
                        Decode::ShellDouble
                    } else if s.escapes {
                        Decode::Backslash
                    } else {
                        Decode::None
                    },
                    limit,
                    explicit: false,
                    opened_by: None,
                }
            }
            _ => prose_place(Context::Text, Decode::None, self.to, None),
        }
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
                State::BlockComment { .. } | State::LuaComment { .. } => false,
            }
            && let Some(k) = memchr::memrchr2(b'\n', b'\r', &self.text[self.pos..until])
        {
            self.pos += k + 1;
            self.state = State::Normal;
        }
        while self.pos < until {
            let i = self.pos;
            // Skip, in bulk, the bytes that cannot change the state.
            let skip = match self.state {
                State::Normal => self.text[i..until]
                    .iter()
                    .position(|&b| SPECIAL[b as usize] || self.refs && b == b'&'),
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
            }
        }
    }

    fn string(&mut self, i: usize, b: u8, s: Str) {
        if s.escapes && b == b'\\' {
            self.pos = i + 2;
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
        let c_comments = matches!(lang, JavaScript | Java | CSharp | Go | Rust | Json);
        let plain = Str {
            quote: b,
            count: 1,
            escapes: true,
            multiline: false,
            doubled: false,
            hashes: 0,
            long: None,
        };
        match b {
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
    /// the same or a recent line, with no `>`, `;`, `{` or `}` between.
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
        if k == i - 1 || k == 0 || !self.text[k - 1].is_ascii_whitespace() {
            return false;
        }
        let from = k.saturating_sub(512);
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
static SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    let bytes = b"\"'`/#-[";
    while i < bytes.len() {
        t[bytes[i] as usize] = true;
        i += 1;
    }
    t
};

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
            (
                "<a\n  href=\"trueconf:a\">x</a>",
                JavaScript,
                string(b'"', false),
            ),
            (
                "x = <A title=\"t\" href='trueconf:a' />",
                JavaScript,
                string(b'\'', false),
            ),
            ("a.href=\"trueconf:a\"", JavaScript, string(b'"', true)),
            (
                "if (a < b) x = \"trueconf:a\"",
                JavaScript,
                string(b'"', true),
            ),
            ("-- 'trueconf:a'", Lua, Context::Text),
            ("echo 'trueconf:a'", Shell, string(b'\'', false)),
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
