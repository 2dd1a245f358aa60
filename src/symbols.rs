//! The parts of links that name things shared across documents: servers,
//! conference IDs and users. References, rename, the outline and
//! `--replace-server` are built on them.
//!
//! Spans index the source bytes (HTML references and string escapes inside
//! a part are mapped back through [`crate::scan::DecodedText`]); names are
//! decoded, for matching. A part that holds a password, or touches one, is
//! never a symbol.

use std::borrow::Cow;

use crate::scan::RawLink;
use crate::text::Span;
use crate::uri::{Link, TargetKind};

/// What a symbol names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SymbolKind {
    /// A server: the host of `@server` or of `h=`.
    Server,
    /// A conference ID after `\c\`.
    Conference,
    /// A user: the target of a call, or `login=`.
    User,
}

impl SymbolKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SymbolKind::Server => "server",
            SymbolKind::Conference => "conference ID",
            SymbolKind::User => "user",
        }
    }

    /// Whether rename is offered for this kind: a server host or a
    /// conference ID. A user's ID is their account; it is not renamed
    /// from links.
    pub fn renamable(self) -> bool {
        matches!(self, SymbolKind::Server | SymbolKind::Conference)
    }
}

/// One named part of one link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub kind: SymbolKind,
    /// The part's source span: for a server, the host without its port.
    pub span: Span,
    /// For a server, the source span of its `:port`, colon included.
    pub port: Option<Span>,
    /// The name, percent-decoded; a server's host in lowercase (IPv6
    /// literals keep their brackets).
    pub name: String,
    /// The port as written, for a server that has one.
    pub port_number: Option<String>,
    /// The index of the link in the scanned links.
    pub link: usize,
}

impl Symbol {
    /// Does this symbol name the same thing as `other` (same kind, same
    /// name; servers are compared without their ports)?
    pub fn same_as(&self, kind: SymbolKind, name: &str) -> bool {
        self.kind == kind && self.name == normalize(kind, name)
    }

    /// The source span of the host and its port.
    pub fn span_with_port(&self) -> Span {
        match self.port {
            Some(p) => Span::new(self.span.start, p.end),
            None => self.span,
        }
    }
}

/// A name as symbols hold it: servers in lowercase.
pub fn normalize(kind: SymbolKind, name: &str) -> String {
    match kind {
        SymbolKind::Server => name.to_ascii_lowercase(),
        _ => name.to_string(),
    }
}

/// Splits a server as written (`host`, `host:port`, `[v6]`, `[v6]:port`)
/// into the host's length and the port's offset, if there is one.
pub fn split_port(server: &str) -> (usize, Option<usize>) {
    if server.starts_with('[') {
        if let Some(close) = server.find(']') {
            let rest = &server[close + 1..];
            return match rest.strip_prefix(':') {
                Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                    (close + 1, Some(close + 1))
                }
                _ => (server.len(), None),
            };
        }
        return (server.len(), None);
    }
    match server.rfind(':') {
        // One colon, digits after it: a port. More colons: a bare IPv6
        // address, all host.
        Some(c)
            if server[..c].find(':').is_none()
                && c + 1 < server.len()
                && server[c + 1..].bytes().all(|b| b.is_ascii_digit()) =>
        {
            (c, Some(c))
        }
        _ => (server.len(), None),
    }
}

/// Is `name` a host a rename can write into any document as it is: a DNS
/// name or an IPv4 address (letters, digits, `-`, `.`), or an IPv6 literal
/// in brackets, optionally with `:port`? Nothing in it needs escaping in
/// any host language.
pub fn valid_server(name: &str) -> bool {
    let (host_len, port) = split_port(name);
    let host = &name[..host_len];
    if let Some(p) = port {
        let digits = &name[p + 1..];
        if digits.len() > 5 || digits.parse::<u32>().map_or(true, |n| n == 0 || n > 65535) {
            return false;
        }
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return !inner.is_empty()
            && inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    }
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Is `id` a conference ID a rename can write into any document as it is
/// (letters, digits, `.`, `_`, `-`)?
pub fn valid_conference(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 256
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// Every symbol of the scanned `links` of `source`, in source order.
pub fn symbols(source: &str, links: &[RawLink]) -> Vec<Symbol> {
    let mut out = Vec::new();
    for (index, raw) in links.iter().enumerate() {
        link_symbols(source, raw, index, &mut out);
    }
    out
}

fn link_symbols(source: &str, raw: &RawLink, index: usize, out: &mut Vec<Symbol>) {
    let decoded = raw.decoded(source);
    let link = Link::parse(&decoded.text);
    let secrets = link.secrets();
    let base = raw.span.start;
    let to_source = |s: Span| decoded.source_span(source, base, raw.decode, s);
    let clean = |s: Span| !s.is_empty() && !secrets.iter().any(|x| x.overlaps(s));
    let push = |kind: SymbolKind, part: Span, out: &mut Vec<Symbol>| {
        if !clean(part) {
            return;
        }
        let written = link.str(part);
        let (name, port) = if kind == SymbolKind::Server {
            let (host_len, port) = split_port(written);
            (
                Span::new(part.start, part.start + host_len),
                port.map(|p| Span::new(part.start + p, part.end)),
            )
        } else {
            (part, None)
        };
        if name.is_empty() {
            return;
        }
        let decoded_name: Cow<str> = link.value(name);
        if decoded_name.is_empty() || decoded_name.chars().any(crate::text::is_unsafe_to_print) {
            return;
        }
        out.push(Symbol {
            kind,
            span: to_source(name),
            port: port.map(to_source),
            name: normalize(kind, &decoded_name),
            port_number: port.map(|p| link.str(Span::new(p.start + 1, p.end)).to_string()),
            link: index,
        });
    };
    let mut found = Vec::new();
    if let Some(t) = &link.target {
        match t.kind {
            TargetKind::Conference => push(SymbolKind::Conference, t.id, &mut found),
            TargetKind::User => push(SymbolKind::User, t.id, &mut found),
            TargetKind::External => {}
        }
        if t.kind != TargetKind::External
            && let Some(server) = t.server
        {
            push(SymbolKind::Server, server, &mut found);
        }
    }
    for p in &link.params {
        let Some(v) = p.value else { continue };
        match link.key(p).to_ascii_lowercase().as_str() {
            "h" => push(SymbolKind::Server, v, &mut found),
            "login" => push(SymbolKind::User, v, &mut found),
            _ => {}
        }
    }
    found.sort_by_key(|s| s.span.start);
    out.extend(found);
}

/// The symbol whose span holds `offset` (its end included, as a cursor
/// right after a name is on it).
pub fn at(symbols: &[Symbol], offset: usize) -> Option<&Symbol> {
    symbols
        .iter()
        .find(|s| s.span.start <= offset && offset <= s.span_with_port().end)
}

/// The edits that rename every symbol of `kind` named `old` among
/// `symbols` to `new`. A server keeps its port unless `new` has one.
/// Edits are in source order and do not overlap.
pub fn rename_edits(
    symbols: &[Symbol],
    kind: SymbolKind,
    old: &str,
    new: &str,
) -> Vec<(Span, String)> {
    let new_has_port = kind == SymbolKind::Server && split_port(new).1.is_some();
    let mut edits: Vec<(Span, String)> = symbols
        .iter()
        .filter(|s| s.same_as(kind, old))
        .map(|s| {
            let span = if new_has_port {
                s.span_with_port()
            } else {
                s.span
            };
            (span, new.to_string())
        })
        .collect();
    edits.sort_by_key(|(s, _)| s.start);
    edits.dedup_by_key(|(s, _)| s.start);
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{DocKind, Lang, scan};

    fn names(text: &str, kind: DocKind) -> Vec<(SymbolKind, String, String)> {
        let links = scan(text, kind);
        symbols(text, &links)
            .into_iter()
            .map(|s| (s.kind, s.name, text[s.span.range()].to_string()))
            .collect()
    }

    #[test]
    fn parts_of_links() {
        let got = names(
            "trueconf:\\c\\0031@Video.Example.com:4310&h=[2001:db8::5]:443&login=bob",
            DocKind::Plain,
        );
        assert_eq!(
            got,
            vec![
                (SymbolKind::Conference, "0031".into(), "0031".into()),
                (
                    SymbolKind::Server,
                    "video.example.com".into(),
                    "Video.Example.com".into()
                ),
                (
                    SymbolKind::Server,
                    "[2001:db8::5]".into(),
                    "[2001:db8::5]".into()
                ),
                (SymbolKind::User, "bob".into(), "bob".into()),
            ]
        );
    }

    #[test]
    fn spans_are_source_bytes_in_html_and_code() {
        let html = r#"<a href="trueconf:bob@srv.example&amp;h=srv.example">x</a>"#;
        let got = names(html, DocKind::Html);
        assert_eq!(got[1].2, "srv.example");
        assert_eq!(got[2].2, "srv.example");
        let js = r#"open('trueconf:\\c\\77@srv.example');"#;
        let got = names(js, DocKind::Code(Lang::JavaScript));
        assert_eq!(got[0], (SymbolKind::Conference, "77".into(), "77".into()));
        assert_eq!(got[1].2, "srv.example");
    }

    #[test]
    fn passwords_are_never_symbols() {
        let got = names("trueconf:bob:secret@srv.example", DocKind::Plain);
        assert!(
            got.iter()
                .all(|(_, n, w)| !n.contains("secret") && !w.contains("secret"))
        );
    }

    #[test]
    fn ports_and_validity() {
        assert_eq!(split_port("a.example:4307"), (9, Some(9)));
        assert_eq!(split_port("[::1]:4307"), (5, Some(5)));
        assert_eq!(split_port("[::1]"), (5, None));
        assert_eq!(split_port("2001:db8::5"), (11, None));
        assert!(valid_server("video.example.com"));
        assert!(valid_server("video.example.com:4310"));
        assert!(valid_server("[2001:db8::5]:443"));
        assert!(!valid_server("a b"));
        assert!(!valid_server("a&b"));
        assert!(!valid_server("host:0"));
        assert!(!valid_server("-bad.example"));
        assert!(valid_conference("0031213894212"));
        assert!(!valid_conference("12\"3"));
    }

    #[test]
    fn rename_keeps_ports_unless_given() {
        let text = "trueconf:bob@Old.example:4310 trueconf:\\c\\1@old.example&h=old.example";
        let links = scan(text, DocKind::Plain);
        let syms = symbols(text, &links);
        let apply = |edits: Vec<(Span, String)>| {
            let mut t = text.to_string();
            for (s, new) in edits.into_iter().rev() {
                t.replace_range(s.range(), &new);
            }
            t
        };
        assert_eq!(
            apply(rename_edits(
                &syms,
                SymbolKind::Server,
                "OLD.example",
                "new.example"
            )),
            "trueconf:bob@new.example:4310 trueconf:\\c\\1@new.example&h=new.example"
        );
        assert_eq!(
            apply(rename_edits(
                &syms,
                SymbolKind::Server,
                "old.example",
                "new.example:1"
            )),
            "trueconf:bob@new.example:1 trueconf:\\c\\1@new.example:1&h=new.example:1"
        );
    }
}
