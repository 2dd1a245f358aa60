//! Link templates: completion right after `trueconf:` (or `visicall:`,
//! which is offered in the `trueconf:` form) lists the actions of the
//! vendor's article as snippets with tab stops (plain text for clients
//! without snippets), written in the syntax of the place they go to:
//! `&amp;` in HTML, `\\c\\` in a string literal whose backslashes are
//! escapes.

use tower_lsp_server::ls_types as lsp;

use super::document::Linted;
use crate::scan::{Context, Decode, DocKind, RawLink, encode};
use crate::text::Span;

/// A piece of a template: text, or a placeholder with its tab stop.
#[derive(Clone, Copy, Debug)]
enum Piece {
    Text(&'static str),
    Hole(u32, &'static str),
}

use Piece::{Hole, Text};

/// One action: its label, what it does, and the link body after
/// `trueconf:`.
struct Template {
    label: &'static str,
    does: &'static str,
    body: &'static [Piece],
}

/// The actions of the vendor's article. Sign-in templates carry no
/// password: a password in a link is readable by whoever sees the link
/// (TC004), and the app asks for it.
const TEMPLATES: &[Template] = &[
    Template {
        label: "launch the app",
        does: "Starts the TrueConf app.",
        body: &[],
    },
    Template {
        label: "sign in",
        does: "Signs in as a user (the app asks for the password); `force=1` signs in even if someone else is signed in.",
        body: &[Text("login="), Hole(1, "login"), Text("&force=1")],
    },
    Template {
        label: "sign in on a server",
        does: "Connects to a server and signs in there as a user (the app asks for the password).",
        body: &[
            Text("h="),
            Hole(1, "server"),
            Text("&login="),
            Hole(2, "login"),
            Text("&force=1"),
        ],
    },
    Template {
        label: "call a user",
        does: "Calls a user of the server the app is signed in to (any call string works).",
        body: &[Hole(1, "user")],
    },
    Template {
        label: "call a user on another server",
        does: "Calls a user of another TrueConf server.",
        body: &[Hole(1, "user"), Text("@"), Hole(2, "server")],
    },
    Template {
        label: "join a conference",
        does: "Joins a conference by its ID.",
        body: &[Text("\\c\\"), Hole(1, "conference-id")],
    },
    Template {
        label: "join a conference on another server",
        does: "Joins a conference hosted on another server (`%23vcs` is the encoded `#vcs`).",
        body: &[
            Text("\\c\\"),
            Hole(1, "conference-id"),
            Text("@"),
            Hole(2, "server"),
            Text("%23vcs"),
        ],
    },
    Template {
        label: "watch an RTSP stream",
        does: "Connects to an RTSP stream; every `/` of the address is written `%2f`.",
        body: &[
            Text("#rtsp:%2f%2f"),
            Hole(1, "camera-host"),
            Text("%2f"),
            Hole(2, "stream"),
        ],
    },
    Template {
        label: "call the conference a user moderates",
        does: "Calls the conference whose moderator is the user (hot query).",
        body: &[Hole(1, "user"), Text("&conftype=hotquery")],
    },
    Template {
        label: "open a user's profile",
        does: "Opens the user's profile.",
        body: &[Hole(1, "user"), Text("&do=profile")],
    },
    Template {
        label: "open a chat with a user",
        does: "Opens a chat with the user.",
        body: &[Hole(1, "user"), Text("&do=chat")],
    },
    Template {
        label: "join a conference, close the app after it",
        does: "Joins a conference; `autoclose=1` closes the app when it ends (only if the link started it).",
        body: &[
            Text("\\c\\"),
            Hole(1, "conference-id"),
            Text("&autoclose=1"),
        ],
    },
];

/// How text is written where the template goes: encoded for the host
/// (see [`encode`]), and quoted where the link stands as a bare word of a
/// command line (an unquoted `&` there would split the command, TC017).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Host {
    decode: Decode,
    quote: Option<char>,
}

impl Host {
    const RAW: Host = Host {
        decode: Decode::None,
        quote: None,
    };

    fn of(context: Context, decode: Decode) -> Host {
        match (context, decode) {
            // A bare word: quoted, as TC017's fix quotes it.
            (Context::ShellWord { .. }, Decode::Backslash | Decode::BackslashAny) => Host {
                decode: Decode::None,
                quote: Some('\''),
            },
            (Context::ShellWord { .. }, Decode::Batch { .. }) => Host {
                decode: Decode::Batch { word: false },
                quote: Some('"'),
            },
            (Context::ShellWord { .. }, _) => Host {
                decode: Decode::None,
                quote: Some('"'),
            },
            (Context::HtmlText | Context::HtmlAttribute { .. }, Decode::None) => Host {
                decode: Decode::Entities,
                quote: None,
            },
            _ => Host {
                decode,
                quote: None,
            },
        }
    }

    /// Where no link was found at the scheme (a bare scheme in prose):
    /// by the document's kind.
    fn of_kind(kind: DocKind) -> Host {
        match kind {
            DocKind::Html => Host {
                decode: Decode::Entities,
                quote: None,
            },
            _ => Host::RAW,
        }
    }

    /// The host syntax for a template replacing the bare scheme that ends
    /// at `offset` of `text` (whose links are `links`). A bare scheme is not
    /// always a link (in prose, in some script strings): then the place is
    /// read from the text with one character typed after the scheme, as it
    /// will be once the template is in.
    fn at(text: &str, links: &[RawLink], kind: DocKind, offset: usize) -> Host {
        let start = offset - "trueconf:".len();
        if let Some(l) = links.iter().find(|l| l.span.start == start) {
            return Host::of(l.context, l.decode);
        }
        let probe = format!("{}x{}", &text[..offset], &text[offset..]);
        crate::scan::scan(&probe, kind)
            .iter()
            .find(|l| l.span.start == start)
            .map_or_else(|| Host::of_kind(kind), |l| Host::of(l.context, l.decode))
    }

    fn write(self, text: &str) -> String {
        encode(text, self.decode).into_owned()
    }
}

/// Escapes text for a snippet: `\`, `$` and `}` are syntax there.
fn snippet_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '\\' | '$' | '}') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The text a template inserts after the scheme: a snippet, or plain text
/// with the placeholders written `[name]`, as the vendor's article does.
fn render(t: &Template, host: Host, snippet: bool) -> String {
    let mut out = String::new();
    for piece in t.body {
        match *piece {
            Text(s) => {
                let written = host.write(s);
                if snippet {
                    out.push_str(&snippet_text(&written));
                } else {
                    out.push_str(&written);
                }
            }
            Hole(n, name) => {
                if snippet {
                    out.push_str(&format!("${{{n}:{name}}}"));
                } else {
                    out.push('[');
                    out.push_str(name);
                    out.push(']');
                }
            }
        }
    }
    out
}

/// The template as the article writes it: `trueconf:\c\[conference-id]`.
fn shown(t: &Template) -> String {
    let mut out = String::from("trueconf:");
    for piece in t.body {
        match *piece {
            Text(s) => out.push_str(s),
            Hole(_, name) => {
                out.push('[');
                out.push_str(name);
                out.push(']');
            }
        }
    }
    out
}

/// Where templates go: the scheme as typed, and the host syntax.
fn slot(linted: &Linted, offset: usize) -> Option<(Span, Host)> {
    let text = linted.text.as_str();
    let start = offset.checked_sub("trueconf:".len())?;
    if !text.is_char_boundary(start) || !text.is_char_boundary(offset) {
        return None;
    }
    let typed = &text[start..offset];
    if !typed.eq_ignore_ascii_case("trueconf:") && !typed.eq_ignore_ascii_case("visicall:") {
        return None;
    }
    if text[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '+'))
    {
        return None;
    }
    let scheme = Span::new(start, offset);
    let links = &linted.analysis.links;
    // A link the scanner found here: just the scheme, nothing after it.
    if let Some(raw) = links.iter().find(|l| l.span.start == start) {
        return (raw.span.end == offset).then(|| (scheme, Host::of(raw.context, raw.decode)));
    }
    // In prose a bare scheme is no link yet: nothing may follow it.
    if text[offset..].chars().next().is_some_and(|c| {
        !c.is_whitespace() && !matches!(c, ')' | ']' | '>' | '<' | '"' | '\'' | '`')
    }) {
        return None;
    }
    Some((scheme, Host::at(text, links, linted.kind, offset)))
}

/// The templates for a cursor right after `trueconf:` or `visicall:`.
pub fn complete(
    linted: &Linted,
    offset: usize,
    snippets: bool,
) -> Option<Vec<lsp::CompletionItem>> {
    let (scheme, host) = slot(linted, offset)?;
    let range = linted.lines().range(scheme);
    let typed = &linted.text[scheme.range()];
    let items = TEMPLATES
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let quote = host.quote.map(String::from).unwrap_or_default();
            let new_text = format!("{quote}trueconf:{}{quote}", render(t, host, snippets));
            lsp::CompletionItem {
                label: t.label.to_string(),
                kind: Some(lsp::CompletionItemKind::SNIPPET),
                detail: Some(shown(t)),
                documentation: Some(lsp::Documentation::MarkupContent(lsp::MarkupContent {
                    kind: lsp::MarkupKind::Markdown,
                    value: format!("{}\n\n`{}`", t.does, shown(t)),
                })),
                sort_text: Some(format!("{i:02}")),
                filter_text: Some(typed.to_string()),
                insert_text_format: Some(if snippets {
                    lsp::InsertTextFormat::SNIPPET
                } else {
                    lsp::InsertTextFormat::PLAIN_TEXT
                }),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(
                    range, new_text,
                ))),
                ..lsp::CompletionItem::default()
            }
        })
        .collect();
    Some(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Config;
    use crate::scan::{DocKind, Lang};

    /// Valid values for the placeholders.
    fn fill(name: &str) -> &'static str {
        match name {
            "login" | "user" => "anna",
            "server" => "video.example.com",
            "conference-id" => "0031213894212",
            "camera-host" => "cam.example.com",
            "stream" => "live",
            _ => panic!("no value for {name}"),
        }
    }

    /// A template written for `host`, with its placeholders filled: the
    /// link, and the text inserted (with quotes, when the host needs them).
    fn filled(t: &Template, host: Host) -> (String, String) {
        let mut link = String::from("trueconf:");
        for piece in t.body {
            match *piece {
                Text(s) => link.push_str(&host.write(s)),
                Hole(_, name) => link.push_str(fill(name)),
            }
        }
        let quote = host.quote.map(String::from).unwrap_or_default();
        (format!("{quote}{link}{quote}"), link)
    }

    /// Every template, inserted where a bare `trueconf:` was typed and
    /// filled in, lints clean, and the scanner reads the link back whole,
    /// to the byte. The host syntax comes from the scanner, as in the
    /// server.
    #[test]
    fn every_template_lints_clean_where_it_is_inserted() {
        let places: &[(DocKind, &str, &str)] = &[
            (DocKind::Markdown, "Join: ", " today.\n"),
            (DocKind::Markdown, "[join](", ")\n"),
            (DocKind::Html, "<a href=\"", "\">join</a>\n"),
            (DocKind::Html, "<p>", "</p>\n"),
            (
                DocKind::Html,
                "<button onclick=\"open('",
                "')\">x</button>\n",
            ),
            (DocKind::Code(Lang::JavaScript), "const l = '", "';\n"),
            (DocKind::Code(Lang::Python), "link = \"", "\"\n"),
            (DocKind::Code(Lang::Python), "link = r'", "'\n"),
            (DocKind::Code(Lang::Shell), "xdg-open ", "\n"),
            (DocKind::Cmd, "start \"\" \"", "\"\n"),
            (DocKind::Plain, "Open ", "\n"),
        ];
        let config = Config::default();
        for &(kind, before, after) in places {
            let bare = format!("{before}trueconf:{after}");
            let links = crate::scan::scan(&bare, kind);
            let host = Host::at(&bare, &links, kind, before.len() + "trueconf:".len());
            for t in TEMPLATES {
                let (inserted, link) = filled(t, host);
                let doc = format!("{before}{inserted}{after}");
                let analysis = crate::analyze(&doc, kind, &config);
                assert!(
                    analysis.diagnostics.is_empty(),
                    "{}: {doc:?}: {:?}",
                    t.label,
                    analysis.diagnostics
                );
                let spans: Vec<&str> = analysis
                    .links
                    .iter()
                    .map(|l| &doc[l.span.range()])
                    .collect();
                if t.body.is_empty() && links.is_empty() {
                    // A bare `trueconf:` in prose is no link.
                    assert!(spans.is_empty(), "{doc:?}");
                    continue;
                }
                assert_eq!(spans, vec![link.as_str()], "{}: {doc:?}", t.label);
            }
        }
    }

    #[test]
    fn snippets_escape_their_syntax() {
        let join = &TEMPLATES[5];
        let escapes = Host {
            decode: Decode::Backslash,
            quote: None,
        };
        let html = Host {
            decode: Decode::Entities,
            quote: None,
        };
        assert_eq!(render(join, Host::RAW, true), "\\\\c\\\\${1:conference-id}");
        assert_eq!(
            render(join, escapes, true),
            "\\\\\\\\c\\\\\\\\${1:conference-id}"
        );
        assert_eq!(render(join, escapes, false), "\\\\c\\\\[conference-id]");
        let sign_in = &TEMPLATES[2];
        assert_eq!(
            render(sign_in, html, true),
            "h=${1:server}&amp;login=${2:login}&amp;force=1"
        );
    }
}
