//! Where a candidate link stands: the syntax around it, as the classifiers
//! of each document kind report it.

use super::decode::Decode;
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

/// Where adjacent string literals join into one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Joins {
    No,
    /// On one line, or over a backslash line continuation (Ruby: a bare
    /// line break ends the statement).
    OnLine,
    /// Also over one bare line break (Python inside brackets, the C
    /// family).
    AcrossLines,
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
