//! Link templates: completion right after `trueconf:` (or `visicall:`,
//! which is offered in the `trueconf:` form) lists the actions of the
//! vendor's article as snippets with tab stops (plain text for clients
//! without snippets), written in the syntax of the place they go to:
//! `&amp;` in HTML, `\\c\\` in a string literal whose backslashes are
//! escapes.

use tower_lsp_server::ls_types as lsp;

use super::document::Linted;
use crate::scan::{Context, Decode};
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

/// How text is written where the template goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Host {
    Raw,
    /// `&` as `&amp;`.
    Html,
    /// Backslashes doubled.
    Escapes,
}

impl Host {
    fn of(context: Context, decode: Decode) -> Host {
        match (context, decode) {
            (_, Decode::Entities) => Host::Html,
            (Context::HtmlText | Context::HtmlAttribute { .. }, _) => Host::Html,
            (Context::StringLiteral { escapes: true, .. }, _) => Host::Escapes,
            _ => Host::Raw,
        }
    }

    fn write(self, text: &str) -> String {
        match self {
            Host::Raw => text.to_string(),
            Host::Html => text.replace('&', "&amp;"),
            Host::Escapes => text.replace('\\', "\\\\"),
        }
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
    // A link the scanner found here: just the scheme, nothing after it.
    if let Some(raw) = linted.analysis.links.iter().find(|l| l.span.start == start) {
        return (raw.span.end == offset).then(|| (scheme, Host::of(raw.context, raw.decode)));
    }
    // In prose a bare scheme is no link yet: nothing may follow it.
    if text[offset..].chars().next().is_some_and(|c| {
        !c.is_whitespace() && !matches!(c, ')' | ']' | '>' | '<' | '"' | '\'' | '`')
    }) {
        return None;
    }
    let host = match linted.kind {
        crate::scan::DocKind::Html => Host::Html,
        _ => Host::Raw,
    };
    Some((scheme, host))
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
            let new_text = format!("trueconf:{}", render(t, host, snippets));
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

    /// A template written for `host`, with its placeholders filled.
    fn filled(t: &Template, host: Host) -> String {
        let mut out = String::from("trueconf:");
        for piece in t.body {
            match *piece {
                Text(s) => out.push_str(&host.write(s)),
                Hole(_, name) => out.push_str(fill(name)),
            }
        }
        out
    }

    /// Every template, filled in, lints clean in every kind of place, and
    /// the scanner reads it back whole, to the byte.
    #[test]
    fn every_template_lints_clean_where_it_is_inserted() {
        // (kind, before, after, host syntax, is a bare scheme a link there)
        let places: &[(DocKind, &str, &str, Host, bool)] = &[
            (DocKind::Markdown, "Join: ", " today.\n", Host::Raw, false),
            (DocKind::Markdown, "[join](", ")\n", Host::Raw, true),
            (
                DocKind::Html,
                "<a href=\"",
                "\">join</a>\n",
                Host::Html,
                true,
            ),
            (DocKind::Html, "<p>", "</p>\n", Host::Html, false),
            (
                DocKind::Code(Lang::JavaScript),
                "const l = '",
                "';\n",
                Host::Escapes,
                true,
            ),
            (
                DocKind::Code(Lang::Python),
                "link = \"",
                "\"\n",
                Host::Escapes,
                true,
            ),
            (
                DocKind::Code(Lang::Python),
                "link = r'",
                "'\n",
                Host::Raw,
                true,
            ),
            (DocKind::Plain, "Open ", "\n", Host::Raw, false),
        ];
        let config = Config::default();
        for t in TEMPLATES {
            for &(kind, before, after, host, bare_is_link) in places {
                let link = filled(t, host);
                let doc = format!("{before}{link}{after}");
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
                if t.body.is_empty() && !bare_is_link {
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
        assert_eq!(render(join, Host::Raw, true), "\\\\c\\\\${1:conference-id}");
        assert_eq!(
            render(join, Host::Escapes, true),
            "\\\\\\\\c\\\\\\\\${1:conference-id}"
        );
        assert_eq!(
            render(join, Host::Escapes, false),
            "\\\\c\\\\[conference-id]"
        );
        let sign_in = &TEMPLATES[2];
        assert_eq!(
            render(sign_in, Host::Html, true),
            "h=${1:server}&amp;login=${2:login}&amp;force=1"
        );
    }
}
