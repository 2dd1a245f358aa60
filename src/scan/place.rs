//! Where a candidate link stands: the syntax around it, as the classifiers
//! of each document kind report it.

use super::decode::{Decode, JoinRules};
use super::lang::Lang;

/// The syntax a link was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    /// Prose: plain text, comments, Markdown paragraphs, YAML plain scalars.
    Text,
    /// Text of an HTML element.
    HtmlText,
    /// An HTML attribute value, with its quote (`None` when unquoted).
    HtmlAttribute { quote: Option<u8> },
    /// A Markdown link destination or reference definition.
    MarkdownDestination,
    /// A Markdown link destination or reference definition written in
    /// angle brackets (`[x](<trueconf:…>)`, `[x]: <trueconf:…>`): as
    /// CommonMark reads it, it ends at the first `>` that is not
    /// backslash-escaped, and may hold spaces and parentheses.
    MarkdownAngleDestination,
    /// A Markdown autolink `<trueconf:…>`.
    MarkdownAutolink,
    /// A Markdown code span or fenced code block in no known language.
    MarkdownCode,
    /// A string literal of source code or data, with its quote and whether
    /// backslashes are escapes in it. The quote of a here-document's body
    /// (Ruby, PHP, Perl) is `\n`: its text is read as prose, and its escapes
    /// as the language's.
    StringLiteral { quote: u8, escapes: bool },
    /// A JavaScript string literal inside an HTML attribute that holds
    /// script (`on*` handlers, `javascript:` URLs, Vue `@x`/`:x`/`v-on:`/
    /// `v-bind:`, Svelte `on:x`, Angular `(x)`/`[x]`): the attribute's quote,
    /// the string's quote and whether backslashes are escapes in it. The
    /// link ends at the string's quote; a fix writes JavaScript inside HTML.
    ScriptString {
        attr_quote: Option<u8>,
        quote: u8,
        escapes: bool,
    },
    /// An unquoted word of a shell, cmd or PowerShell command line; the
    /// word's end is the place's limit. `escapes`: backslashes escape in it
    /// (POSIX shells).
    ShellWord { escapes: bool },
    /// A link position of a markup language that ends at `close` or white
    /// space: reStructuredText `<trueconf:…>`, AsciiDoc `trueconf:…[text]`.
    /// Where the place decodes with [`super::Decode::NoSpace`], white space
    /// does not end it, and a `close` of `\n` (a reStructuredText target)
    /// stands for the end of the target's block, the place's limit.
    Delimited { close: u8 },
}

impl Context {
    /// Does a link in this context end at the first unbalanced `)` and lose
    /// trailing punctuation, as links in prose do?
    pub(crate) fn is_prose_like(self) -> bool {
        matches!(
            self,
            Context::Text
                | Context::HtmlText
                | Context::MarkdownCode
                | Context::StringLiteral { quote: b'\n', .. }
        )
    }

    pub fn is_html(self) -> bool {
        matches!(
            self,
            Context::HtmlText | Context::HtmlAttribute { .. } | Context::ScriptString { .. }
        )
    }
}

/// Where the classifier says a candidate stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Place {
    pub context: Context,
    pub decode: Decode,
    /// The link cannot extend past this offset (end of an attribute value,
    /// of a code span, of a line inside a string).
    pub limit: usize,
    /// Any spelling of the scheme is a link here (href, Markdown destination).
    pub explicit: bool,
    /// The quote character that opened the surrounding prose, if any.
    pub opened_by: Option<u8>,
    /// Whether an adjacent string literal continues this one (Python, the
    /// C family, Ruby: `"trueconf:…&" "password=…"` is one string): the
    /// link goes on over the junction (see [`super::decode::junction`]).
    pub joins: Joins,
    /// The kind of the innermost code host around the place (a fenced or
    /// directive code block's language, a script's dialect), by which the
    /// rules that depend on a language judge the link; `None`: the
    /// document's own kind.
    pub host: Option<CodeHost>,
}

/// A code host a place can stand in, as a kind of document (see
/// `DocKind`): a language, or a command language without one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodeHost {
    Code(Lang),
    Cmd,
    PowerShell,
}

/// Where adjacent string literals join into one, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Joins {
    No,
    /// Python: also over one bare line break inside brackets.
    Python,
    /// The C family: also over one bare line break, but not out of a
    /// preprocessor directive's line.
    C,
    /// Ruby: on a line, or over a backslash line continuation (a bare line
    /// break ends the statement).
    Ruby,
    /// No junctions, but a doubled quote inside the literal stands for one
    /// quote (YAML single-quoted scalars, C# verbatim strings): the string,
    /// and the link, go on over it.
    Doubled,
}

impl Joins {
    pub(crate) fn rules(self) -> Option<JoinRules> {
        match self {
            Joins::No | Joins::Doubled => None,
            Joins::Python => Some(JoinRules::PYTHON),
            Joins::C => Some(JoinRules::C),
            Joins::Ruby => Some(JoinRules::RUBY),
        }
    }

    /// May a bare line break join the literal whose opening quote is at
    /// `open` to the next one? In Python only inside brackets: its line
    /// holds nothing before it, or opens a bracket it does not close
    /// there (a string right after a statement's last string is another
    /// statement); in C, not from a directive's line (`#define`).
    pub(crate) fn over_line(self, bytes: &[u8], open: usize) -> bool {
        let line = memchr::memrchr2(b'\n', b'\r', &bytes[..open]).map_or(0, |i| i + 1);
        // Without the literal's prefix (`u"`, `L"`).
        let before = bytes[line..open].trim_ascii_end();
        let before = &before[..before.len()
            - before
                .iter()
                .rev()
                .take_while(|b| b.is_ascii_alphanumeric())
                .count()];
        match self {
            Joins::Python => {
                let depth = before.iter().fold(0i32, |d, b| match b {
                    b'(' | b'[' | b'{' => d + 1,
                    b')' | b']' | b'}' => d - 1,
                    _ => d,
                });
                before.trim_ascii().is_empty() || depth > 0
            }
            Joins::C => !before.trim_ascii_start().starts_with(b"#"),
            Joins::No | Joins::Ruby | Joins::Doubled => false,
        }
    }
}

/// A place in prose: the link may end early, at an unbalanced `)` or
/// trailing punctuation.
pub(crate) fn prose_place(
    context: Context,
    decode: Decode,
    limit: usize,
    opened_by: Option<u8>,
) -> Place {
    Place {
        context,
        decode,
        limit,
        explicit: false,
        opened_by,
        joins: Joins::No,
        host: None,
    }
}
