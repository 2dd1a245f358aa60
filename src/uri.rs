//! Parsing a link into its parts. Parsing never fails: a half-broken link
//! still has parts, and what is odd about it is recorded for the rules.
//!
//! The input is the link as its consumer sees it (HTML references and string
//! escapes already decoded, see [`crate::scan::DecodedText`]); every span here is
//! relative to the start of that text. Percent-escapes are *not* decoded:
//! [`Link::value`] decodes a part for judging.

use std::borrow::Cow;

use crate::text::{Span, find_ascii_ci};

/// The link's scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Trueconf,
    /// The obsolete name of the scheme.
    Visicall,
}

/// What the first segment of the link names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TargetKind {
    /// A user's TrueConf ID or any other call string.
    User,
    /// A conference ID after `\c\` (or a non-standard prefix).
    Conference,
    /// `#proto:address`: SIP, H.323, telephone, RTSP, or another protocol.
    External,
}

/// How a conference-server suffix is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum VcsForm {
    /// `%23vcs`: the documented, encoded form.
    Encoded,
    /// `#vcs`: a raw fragment.
    Raw,
    /// `%vcs`: as the vendor article prints it; not a valid escape.
    Broken,
}

/// The call target: everything of the first segment that is not a parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    pub span: Span,
    pub kind: TargetKind,
    /// `\c\`, or one of the non-standard `/c/`, `c/`, `///c/`.
    pub prefix: Option<Span>,
    /// Whether `prefix` is the documented `\c\`.
    pub prefix_standard: bool,
    /// For external targets, the protocol name (`sip`, `rtsp`, …).
    pub proto: Option<Span>,
    /// The user, conference ID or external address.
    pub id: Span,
    /// The server after `@`.
    pub server: Option<Span>,
    pub vcs: Option<(Span, VcsForm)>,
    /// `/instance` after the server (chat mentions).
    pub instance: Option<Span>,
}

/// One `key=value` segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The segment, without its separator.
    pub span: Span,
    /// The `&` or `?` before it, if any.
    pub separator: Option<Span>,
    pub key: Span,
    /// `None` when the segment has no `=`.
    pub value: Option<Span>,
}

/// A parsed link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Link<'a> {
    pub text: &'a str,
    pub scheme: Scheme,
    /// The scheme name, without its colon.
    pub scheme_span: Span,
    /// `//` right after the colon (`trueconf://…`).
    pub authority_slashes: Option<Span>,
    pub target: Option<Target>,
    /// A `?` used where `&` separates parameters.
    pub query_mark: Option<Span>,
    pub params: Vec<Param>,
    /// The `&` of each empty segment (`&&`, a trailing `&`, a leading `&`).
    pub empty_separators: Vec<Span>,
    /// Raw `#` characters after the start of the target.
    pub raw_hashes: Vec<usize>,
    /// `%` characters not followed by two hex digits.
    pub bad_percents: Vec<usize>,
    /// See [`Link::secrets`]; found once, at parse time.
    secrets: Vec<Span>,
    /// How the link's host writes placeholders.
    pub templating: Templating,
}

/// Where a link stands, as far as placeholders go (trueconf-uri.md §7,
/// "Boundaries in prose"): in prose only the forms of §4 are templates
/// (`[password]`, `<login>`, `${id}`, `{user_id}`, `%s`; not `$VAR`, as a
/// password may start with `$`); in a code
/// string (a string literal, a command line) so are `%NAME%` (cmd),
/// `$env:NAME` (PowerShell), `$NAME`, `${…}`, `$(…)`, `{{name}}`, Ruby's
/// `#{…}` and printf conversions (`%s %d %v %q %i %1$s`, when not a valid
/// two-hex-digit escape).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Templating {
    #[default]
    Prose,
    /// Prose inside code (a YAML plain scalar, a comment of a code file):
    /// the prose forms, and `$NAME` (a variable there, as in a compose file),
    /// but none of the other code forms.
    CodeText,
    Code,
}

/// The length of a code-string placeholder starting at byte `i` of `s`
/// ([`Templating::Code`]), if one does.
pub fn code_placeholder(s: &str, i: usize) -> Option<usize> {
    // A placeholder is short: looking no further keeps a value of many
    // unclosed `${` linear.
    let b = &s.as_bytes()[..s.len().min(i + 256)];
    let at = |k: usize| b.get(k).copied().unwrap_or(0);
    let ident = |from: usize| {
        (from..b.len())
            .take_while(|&k| b[k].is_ascii_alphanumeric() || b[k] == b'_')
            .count()
    };
    let closing = |from: usize, open: u8, close: u8| {
        let mut depth = 0usize;
        for (k, &c) in b.iter().enumerate().skip(from) {
            if c == open {
                depth += 1;
            } else if c == close {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(k + 1 - i);
                }
            }
        }
        None
    };
    match at(i) {
        b'%' => {
            // A valid escape is never a placeholder, nor is the vendor's
            // broken conference suffix `%vcs` (TC005 names it).
            if at(i + 1).is_ascii_hexdigit() && at(i + 2).is_ascii_hexdigit()
                || b.len() >= i + 4 && b[i + 1..i + 4].eq_ignore_ascii_case(b"vcs")
            {
                return None;
            }
            // `%NAME%`, `%NAME:~0,5%`, `%NAME:a=b%` (cmd), `%~1`, `%1`…`%9`
            // (batch arguments).
            if let Some(n) = batch_variable(&b[i..]) {
                return Some(n);
            }
            if matches!(at(i + 1), b'~' | b'*') {
                return batch_argument(&b[i..]);
            }
            // `%(name)s` (Python).
            if at(i + 1) == b'(' {
                let close = i + 2 + ident(i + 2);
                return (close > i + 2 && at(close) == b')' && is_verb(at(close + 1)))
                    .then_some(close + 2 - i);
            }
            // printf: `%[n$][flags][width][.precision][length]verb`.
            let mut k = i + 1;
            let digits = |k: usize| (k..b.len()).take_while(|&j| b[j].is_ascii_digit()).count();
            let d = digits(k);
            if d > 0 && at(k + d) == b'$' {
                k += d + 1;
            }
            while matches!(at(k), b'-' | b'+' | b' ' | b'#' | b'0' | b'\'') {
                k += 1;
            }
            k += digits(k);
            if at(k) == b'.' {
                k += 1 + digits(k + 1);
            }
            // A length modifier (`l`, `ll`, `h`…) before the verb.
            let mut m = k;
            while m < k + 2 && matches!(at(m), b'h' | b'l' | b'L' | b'q' | b'j' | b'z' | b't') {
                m += 1;
            }
            if m > k && is_verb(at(m)) {
                return Some(m + 1 - i);
            }
            if is_verb(at(k)) {
                return Some(k + 1 - i);
            }
            // `%1`…`%9`: a batch file's arguments.
            at(i + 1).is_ascii_digit().then_some(2)
        }
        b'$' => match at(i + 1) {
            b'{' => closing(i + 1, b'{', b'}'),
            b'(' => closing(i + 1, b'(', b')'),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let n = ident(i + 1);
                // `$env:NAME` (PowerShell).
                if s[i + 1..i + 1 + n].eq_ignore_ascii_case("env") && at(i + 1 + n) == b':' {
                    let m = ident(i + 2 + n);
                    if m > 0 {
                        return Some(n + 2 + m);
                    }
                }
                Some(n + 1)
            }
            c if c.is_ascii_digit() => Some(2),
            _ => None,
        },
        b'{' if at(i + 1) == b'{' => {
            let end = memchr::memmem::find(&b[i + 2..], b"}}")?;
            Some(end + 4)
        }
        // Ruby's (and CoffeeScript's, Elixir's) `#{…}`.
        b'#' if at(i + 1) == b'{' => closing(i + 1, b'{', b'}'),
        b'`' => memchr::memchr(b'`', &b[i + 1..]).map(|k| k + 2),
        _ => None,
    }
}

/// Is the code-string placeholder at byte `i` of `s` a printf conversion
/// (`%s`, `%-5d`, `%1$s`, `%(name)s`), as opposed to the other forms that
/// start with `%` (`%NAME%`, batch arguments)?
pub fn is_printf_conversion(s: &str, i: usize) -> bool {
    s.as_bytes().get(i) == Some(&b'%')
        && code_placeholder(s, i).is_some_and(|n| n >= 2 && is_verb(s.as_bytes()[i + n - 1]))
}

/// Conversion letters of printf-style format strings (C, Go, Python, Java).
fn is_verb(b: u8) -> bool {
    matches!(
        b,
        b's' | b'd'
            | b'i'
            | b'u'
            | b'v'
            | b'q'
            | b'f'
            | b'F'
            | b'e'
            | b'E'
            | b'g'
            | b'G'
            | b'x'
            | b'X'
            | b'o'
            | b'c'
            | b'b'
            | b'p'
            | b'T'
            | b't'
            | b'w'
            | b'n'
    )
}

/// Is all of `v` one or more code-string placeholders ([`code_placeholder`])?
fn all_code_placeholders(v: &str) -> bool {
    let mut i = 0;
    while i < v.len() {
        match code_placeholder(v, i) {
            Some(n) => i += n,
            None => return false,
        }
    }
    !v.is_empty()
}

/// Does `v` hold a code-string placeholder anywhere?
fn has_code_placeholder(v: &str) -> bool {
    // Past a few misses, stop: a value of many unclosed `${` stays linear.
    let mut misses = 0;
    v.char_indices().any(|(i, c)| {
        if misses > 8 || !matches!(c, '%' | '$' | '{' | '`') {
            return false;
        }
        let found = code_placeholder(v, i).is_some();
        misses += usize::from(!found);
        found
    })
}

/// Parameters TrueConf documents, with what each does.
pub const KNOWN_PARAMS: &[(&str, &str)] = &[
    (
        "h",
        "server to connect and sign in to (IP address or host name, optional :port)",
    ),
    ("login", "TrueConf ID to sign in with"),
    ("password", "password, in clear text inside the link"),
    (
        "encrypt",
        "1: the client encrypts the password before sending it (required with a password); 0: the password is already encrypted",
    ),
    ("force", "1: sign in even if another user is signed in"),
    (
        "autoclose",
        "1: close the app after the call (only if it was not running before)",
    ),
    (
        "conftype",
        "hotquery: call the conference the target user moderates",
    ),
    (
        "do",
        "profile: open the user's profile; chat: open a chat with the user",
    ),
];

/// The values a parameter accepts, where it has a fixed set.
pub fn allowed_values(key: &str) -> Option<&'static [&'static str]> {
    Some(match key {
        "encrypt" => &["1", "0"],
        "force" | "autoclose" => &["1"],
        "conftype" => &["hotquery"],
        "do" => &["profile", "chat"],
        _ => return None,
    })
}

pub fn is_known_param(key: &str) -> bool {
    KNOWN_PARAMS.iter().any(|(k, _)| *k == key)
}

/// `key=` at the start of `s`, as the first-segment rule of the grammar
/// spells it: `^[A-Za-z_][A-Za-z0-9_]*=`.
fn starts_with_param(s: &str) -> bool {
    let b = s.as_bytes();
    if !b
        .first()
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return false;
    }
    let n = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    b.get(n) == Some(&b'=')
}

impl<'a> Link<'a> {
    /// Parses `text`, which starts with `trueconf:` or `visicall:` in any case.
    pub fn parse(text: &'a str) -> Link<'a> {
        Link::parse_in(text, Templating::Prose)
    }

    /// Parses `text` written where `templating` says how placeholders look.
    pub fn parse_in(text: &'a str, templating: Templating) -> Link<'a> {
        let colon = memchr::memchr(b':', text.as_bytes()).unwrap_or(text.len());
        let scheme = if text[..colon].eq_ignore_ascii_case("visicall") {
            Scheme::Visicall
        } else {
            Scheme::Trueconf
        };
        let mut link = Link {
            text,
            scheme,
            scheme_span: Span::new(0, colon),
            authority_slashes: None,
            target: None,
            query_mark: None,
            params: Vec::new(),
            empty_separators: Vec::new(),
            raw_hashes: Vec::new(),
            bad_percents: Vec::new(),
            secrets: Vec::new(),
            templating,
        };
        let mut body = (colon + 1).min(text.len());
        // `trueconf://…`: the whole run of leading slashes, except that
        // `///c/` is a conference prefix (TC010), and the slash of a `/c/`
        // after the run belongs to that prefix.
        let run = text.as_bytes()[body..]
            .iter()
            .take_while(|&&b| b == b'/')
            .count();
        if run >= 2 && !starts_ci(&text[body..], "///c/") {
            let after = &text[body + run..];
            let n = if starts_ci(after, "c/") { run - 1 } else { run };
            if n >= 2 {
                link.authority_slashes = Some(Span::new(body, body + n));
                body += n;
            }
        }
        link.scan_escapes(body);

        // Segments, split at '&'.
        let mut seg_start = body;
        let mut separator: Option<Span> = None;
        let mut first = true;
        loop {
            let seg_end = memchr::memchr(b'&', &text.as_bytes()[seg_start..])
                .map_or(text.len(), |i| seg_start + i);
            let seg = Span::new(seg_start, seg_end);
            if first {
                link.first_segment(seg);
            } else if seg.is_empty() {
                if let Some(sep) = separator {
                    link.empty_separators.push(sep);
                }
            } else {
                link.push_param(seg, separator);
            }
            first = false;
            if seg_end >= text.len() {
                break;
            }
            separator = Some(Span::new(seg_end, seg_end + 1));
            seg_start = seg_end + 1;
        }
        link.secrets = link.find_secrets();
        link
    }

    fn scan_escapes(&mut self, body: usize) {
        let b = self.text.as_bytes();
        let mut skip_to = 0;
        for i in body..b.len() {
            if i < skip_to {
                continue;
            }
            if self.templating == Templating::Code
                && matches!(b[i], b'%' | b'#')
                && let Some(n) = code_placeholder(self.text, i)
            {
                skip_to = i + n;
                continue;
            }
            match b[i] {
                b'#' if i > body => self.raw_hashes.push(i),
                b'%' if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)) =>
                {
                    self.bad_percents.push(i)
                }
                _ => {}
            }
        }
    }

    fn push_param(&mut self, seg: Span, separator: Option<Span>) {
        let s = &self.text[seg.range()];
        let (key, value) = match memchr::memchr(b'=', s.as_bytes()) {
            Some(eq) => (
                Span::new(seg.start, seg.start + eq),
                Some(Span::new(seg.start + eq + 1, seg.end)),
            ),
            None => (seg, None),
        };
        self.params.push(Param {
            span: seg,
            separator,
            key,
            value,
        });
    }

    fn first_segment(&mut self, seg: Span) {
        let s = &self.text[seg.range()];
        if s.is_empty() {
            // `trueconf:` alone launches the app; `trueconf:&x=1` has an
            // empty first segment, reported with the separator after it.
            if seg.end < self.text.len() {
                self.empty_separators.push(Span::new(seg.end, seg.end + 1));
            }
            return;
        }
        if starts_with_param(s) {
            self.push_param(seg, None);
            return;
        }
        if let Some(rest) = s.strip_prefix('?')
            && starts_with_param(rest)
        {
            self.query_mark = Some(Span::new(seg.start, seg.start + 1));
            self.push_param(
                Span::new(seg.start + 1, seg.end),
                Some(Span::new(seg.start, seg.start + 1)),
            );
            return;
        }
        // `user?h=…`: a '?' where '&' belongs.
        let mut target_end = seg.end;
        if !s.starts_with('#')
            && let Some(q) = s.find('?')
            && starts_with_param(&s[q + 1..])
        {
            target_end = seg.start + q;
            let mark = Span::new(target_end, target_end + 1);
            self.query_mark = Some(mark);
            self.push_param(Span::new(target_end + 1, seg.end), Some(mark));
        }
        self.target = Some(self.parse_target(Span::new(seg.start, target_end)));
    }

    fn parse_target(&self, span: Span) -> Target {
        let s = &self.text[span.range()];
        let mut t = Target {
            span,
            kind: TargetKind::User,
            prefix: None,
            prefix_standard: false,
            proto: None,
            id: span,
            server: None,
            vcs: None,
            instance: None,
        };
        if let Some(rest) = s.strip_prefix('#') {
            t.kind = TargetKind::External;
            match rest.find(':') {
                Some(c) => {
                    t.proto = Some(Span::new(span.start + 1, span.start + 1 + c));
                    t.id = Span::new(span.start + 2 + c, span.end);
                }
                None => t.id = Span::new(span.start + 1, span.end),
            }
            return t;
        }
        let mut rest_start = span.start;
        for (prefix, standard) in [
            ("\\c\\", true),
            ("///c/", false),
            ("/c/", false),
            ("c/", false),
        ] {
            if starts_ci(s, prefix) && (standard || s.len() > prefix.len()) {
                t.kind = TargetKind::Conference;
                t.prefix = Some(Span::new(span.start, span.start + prefix.len()));
                t.prefix_standard = standard;
                rest_start = span.start + prefix.len();
                break;
            }
        }
        let rest = &self.text[rest_start..span.end];
        let Some(at) = rest.find('@') else {
            t.id = Span::new(rest_start, span.end);
            if let Some((vcs, form)) = find_vcs(rest) {
                t.id = Span::new(rest_start, rest_start + vcs);
                t.vcs = Some((Span::new(rest_start + vcs, span.end), form));
            }
            return t;
        };
        t.id = Span::new(rest_start, rest_start + at);
        let server_start = rest_start + at + 1;
        let after = &self.text[server_start..span.end];
        let mut server_end = span.end;
        if let Some((vcs, form)) = find_vcs(after) {
            server_end = server_start + vcs;
            t.vcs = Some((Span::new(server_end, span.end), form));
        } else if let Some(slash) = after.find('/') {
            server_end = server_start + slash;
            t.instance = Some(Span::new(server_end + 1, span.end));
        }
        t.server = Some(Span::new(server_start, server_end));
        t
    }

    /// The text of a span of this link.
    pub fn str(&self, span: Span) -> &'a str {
        &self.text[span.range()]
    }

    /// A part percent-decoded, for judging.
    pub fn value(&self, span: Span) -> Cow<'a, str> {
        percent_encoding::percent_decode_str(self.str(span)).decode_utf8_lossy()
    }

    /// The first parameter with this key (case-sensitive: keys are
    /// lowercase).
    pub fn param(&self, key: &str) -> Option<&Param> {
        self.params.iter().find(|p| self.str(p.key) == key)
    }

    pub fn key(&self, p: &Param) -> &'a str {
        self.str(p.key)
    }

    /// The parameter's decoded value; `None` when it has no `=`.
    pub fn param_value(&self, p: &Param) -> Option<Cow<'a, str>> {
        p.value.map(|v| self.value(v))
    }

    /// Spans of secret values that must never be shown, in order: the
    /// values of password keys, and the password of a `user:password@`
    /// userinfo wherever one can stand: in an external address
    /// (`#rtsp://admin:pw@cam`), in the target (`bob:pw@server`,
    /// `bob@admin:pw@server`), and in any other parameter's value (`h=`)
    /// or key.
    pub fn secrets(&self) -> &[Span] {
        &self.secrets
    }

    fn find_secrets(&self) -> Vec<Span> {
        let mut out = Vec::new();
        for p in &self.params {
            // `password:hunter2`, `pwd%3Ahunter2`: a password key typed
            // with a colon for its `=`.
            if p.value.is_none()
                && let Some(v) = self.colon_value(p.key)
            {
                out.push(v);
                continue;
            }
            // Judged decoded, as the app reads it: `p%61ssword=` is
            // `password=`.
            if is_secret_key(&self.value(p.key)) {
                if let Some(v) = p.value
                    && !v.is_empty()
                    && !self.names_a_password(&self.value(v))
                {
                    out.push(v);
                }
                continue;
            }
            out.extend(self.userinfo_password(p.key));
            out.extend(p.value.and_then(|v| self.userinfo_password(v)));
            if let Some(v) = p.value {
                self.embedded_secrets(v, &mut out);
            }
        }
        if let Some(t) = &self.target {
            let span = match t.kind {
                TargetKind::External => t.id,
                _ => Span::new(t.id.start, t.server.map_or(t.id.end, |s| s.end)),
            };
            out.extend(self.userinfo_password(span));
            self.embedded_secrets(span, &mut out);
        }
        out.sort();
        // In order and apart: a secret inside another value may overlap a
        // `user:password@` read in the same value.
        out.dedup_by(|next, kept| {
            if next.start < kept.end {
                kept.end = kept.end.max(next.end);
                true
            } else {
                false
            }
        });
        out
    }

    /// The values of password keys written inside `span` after a separator
    /// the app does not split parameters at: `;` (`force=1;password=…`), a
    /// second `?` (`login=bob?password=…`), a raw `#` (`bob#password=…`), or
    /// an encoded `&`, `?` or `;`
    /// (an RTSP address's own query: `%3fuser%3dadmin%26password%3d…`). The
    /// app reads them as part of another value, which messages, hovers and
    /// decodings show: they are secrets all the same.
    fn embedded_secrets(&self, span: Span, out: &mut Vec<Span>) {
        let s = &self.text[span.range()];
        let b = s.as_bytes();
        if memchr::memchr3(b';', b'?', b'%', b).is_none() && memchr::memchr(b'#', b).is_none() {
            return;
        }
        // A value with an `@` reads as a `user:password@` (see
        // [`userinfo_password`]): one reading only, so that no password
        // changes how the rest of the value is read. Only what follows the
        // last raw `@` is read here (the server's `bob@srv#password=…`).
        if find_ascii_ci(b, b"%40").is_some() {
            return;
        }
        let after_at = memchr::memrchr(b'@', b).map(|k| k + 1);
        // The length of a separator at `i`, if one stands there.
        let separator = |i: usize| match b[i] {
            // A raw `#` starts a fragment, which the app may still read
            // parameters from (TC009 names them).
            b';' | b'?' | b'&' | b'#' => Some(1),
            b'%' if b.len() >= i + 3
                && (b[i + 1..i + 3].eq_ignore_ascii_case(b"26")
                    || b[i + 1..i + 3].eq_ignore_ascii_case(b"3f")
                    || b[i + 1..i + 3].eq_ignore_ascii_case(b"3b")) =>
            {
                Some(3)
            }
            _ => None,
        };
        let mut i = after_at.unwrap_or(0);
        while i < b.len() {
            let Some(n) = separator(i) else {
                i += 1;
                continue;
            };
            let key_start = i + n;
            let mut k = key_start;
            while k < b.len()
                && (b[k].is_ascii_alphanumeric() || matches!(b[k], b'_' | b'-' | b'.'))
            {
                k += 1;
            }
            let eq = if b.get(k) == Some(&b'=') {
                1
            } else if b.len() >= k + 3 && b[k..k + 3].eq_ignore_ascii_case(b"%3d") {
                3
            } else {
                0
            };
            i = key_start;
            if eq == 0 || k == key_start || !is_secret_key(&s[key_start..k]) {
                continue;
            }
            let value_start = k + eq;
            let mut e = value_start;
            while e < b.len()
                && separator(e).is_none()
                && b[e] != b'#'
                && !b[e..].starts_with(b"%23")
            {
                e += 1;
            }
            let value = &s[value_start..e];
            if !value.is_empty() && !self.names_a_password(value) {
                out.push(Span::new(span.start + value_start, span.start + e));
            }
            i = e;
        }
    }

    /// The part after the colon (`:` or `%3A`) of a segment without `=`
    /// whose name before it is a password key (`password:hunter2`), unless
    /// it is empty or a placeholder.
    pub fn colon_value(&self, key: Span) -> Option<Span> {
        let s = &self.text[key.range()];
        // A percent-encoded `=` (`password%3Dhunter2`) separates no
        // parameter, but the value is a password all the same.
        let (at, len) = find_any(s, &[':'], &["%3a", "%3d"])?;
        let value = &s[at + len..];
        let name = percent_encoding::percent_decode_str(&s[..at]).decode_utf8_lossy();
        (at > 0 && is_secret_key(&name) && !value.is_empty() && !self.names_a_password(value))
            .then(|| Span::new(key.start + at + len, key.end))
    }

    /// [`userinfo_password`], in a code string without the placeholders'
    /// colons (`$env:USER@server` names no password) and without a
    /// password that is a placeholder (`%USER%:%PASS%@server`).
    fn userinfo_password(&self, span: Span) -> Option<Span> {
        if self.templating != Templating::Code {
            // `rtsp://admin:[password]@cam` shows where a password goes.
            return userinfo_password(self.text, span)
                .filter(|&p| !self.names_a_password(&self.value(p)));
        }
        let s = &self.text[span.range()];
        if !s.contains(['$', '%', '{', '`', '#']) {
            return userinfo_password(self.text, span);
        }
        // The same text with each placeholder's bytes made inert.
        let mut masked = String::with_capacity(s.len());
        let mut i = 0;
        let mut misses = 0;
        while i < s.len() {
            let special =
                matches!(s.as_bytes()[i], b'$' | b'%' | b'{' | b'`' | b'#') && misses <= 8;
            let found = if special {
                code_placeholder(s, i)
            } else {
                None
            };
            misses += usize::from(special && found.is_none());
            match found {
                Some(n) => {
                    masked.extend(std::iter::repeat_n('x', n));
                    i += n;
                }
                _ => {
                    let c = s[i..].chars().next().unwrap_or('x');
                    masked.push(c);
                    i += c.len_utf8();
                }
            }
        }
        let found = userinfo_password(&masked, Span::new(0, masked.len()))?;
        let password = &s[found.range()];
        (!self.names_a_password(password))
            .then(|| Span::new(span.start + found.start, span.start + found.end))
    }

    /// Is `v` (a value) a placeholder where this link stands: one of §4's
    /// forms anywhere, and in a code string also one or more of the code
    /// placeholders ([`code_placeholder`]).
    pub fn is_template(&self, v: &str) -> bool {
        match self.templating {
            // `$NAME` names a variable in code only: in prose it is text, as
            // a password may start with `$` (§7).
            Templating::Prose => is_placeholder(v) && !is_dollar_name(v),
            Templating::CodeText => is_placeholder(v),
            Templating::Code => is_placeholder(v) || all_code_placeholders(v.trim()),
        }
    }

    /// Is `v`, a password's value, a placeholder that only names the
    /// password the program fills in ([`Link::is_template`]), and so no
    /// secret? One that quotes a string (`${"hunter2"}`, `${ok ? "pw" :
    /// ""}`, `{{ 'pw' }}`) writes the password itself.
    pub fn names_a_password(&self, v: &str) -> bool {
        self.is_template(v) && !v.contains(['"', '\'', '`'])
    }

    /// Does `v` (a value) hold a placeholder where this link stands, so
    /// that its value cannot be judged (`do=%s`, `h=${host}:4307`)?
    pub fn has_template(&self, v: &str) -> bool {
        self.is_template(v) || self.templating == Templating::Code && has_code_placeholder(v)
    }

    /// The link's text with every secret replaced by `***`.
    pub fn redacted(&self) -> String {
        redact(self.text, &self.secrets)
    }

    /// The text of `span` (of this link, as written: not decoded) with the
    /// secrets inside it replaced by `***`. A span that cuts through a
    /// secret is shown as `***` whole.
    pub fn redacted_part(&self, span: Span) -> String {
        let mut inside = Vec::new();
        // The secrets are in order and apart: only those that can touch
        // `span` are looked at.
        let first = self.secrets.partition_point(|s| s.end <= span.start);
        for s in self.secrets[first..]
            .iter()
            .take_while(|s| s.start < span.end)
        {
            if span.start <= s.start && s.end <= span.end {
                inside.push(Span::new(s.start - span.start, s.end - span.start));
            } else if s.overlaps(span) {
                return "***".to_string();
            }
        }
        redact(self.str(span), &inside)
    }

    /// [`Link::redacted_part`], percent-decoded for display.
    pub fn shown(&self, span: Span) -> String {
        percent_encoding::percent_decode_str(&self.redacted_part(span))
            .decode_utf8_lossy()
            .into_owned()
    }
}

/// Keys whose values are treated as passwords: `password` and anything that
/// looks like a misspelling of it (`pasword`, `passwd`, `pwd`).
pub fn is_secret_key(key: &str) -> bool {
    let has = |part: &[u8]| {
        key.as_bytes()
            .windows(part.len())
            .any(|w| w.eq_ignore_ascii_case(part))
    };
    if has(b"pass") || has(b"pwd") || has(b"pswd") {
        return true;
    }
    // Within two edits of the 8 characters of `password`: 6 to 10
    // characters (so at most 40 bytes), lowercased on the stack.
    if !(6..=10).contains(&key.chars().count()) {
        return false;
    }
    let mut buf = [0u8; 40];
    let lower = &mut buf[..key.len()];
    lower.copy_from_slice(key.as_bytes());
    lower.make_ascii_lowercase();
    std::str::from_utf8(lower).is_ok_and(|k| edit_distance(k, "password") <= 2)
}

/// Whether `a` and `b` are at most `max` edits apart ([`edit_distance`]).
/// The distance is at least the difference of their lengths in chars, so
/// most pairs are told apart without the table walk.
pub fn within_edits(a: &str, b: &str, max: usize) -> bool {
    a.chars().count().abs_diff(b.chars().count()) <= max && edit_distance(a, b) <= max
}

/// Levenshtein distance, for did-you-mean suggestions on short keys. Exact
/// up to 64; a larger distance may be given as any number over 64, so a
/// 10 MB key costs no 10 MB × `b` table walk.
pub fn edit_distance(a: &str, b: &str) -> usize {
    // Each char is at most 4 bytes: the distance is at least the difference
    // of the lengths in chars.
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    let floor = (long.len() / 4).saturating_sub(short.len());
    if floor > 64 {
        return floor;
    }
    // The row of the table, on the stack for a short `b` (every key that is
    // compared); `b`'s chars are read again for each char of `a`.
    let n = b.chars().count();
    let mut stack = [0usize; 33];
    let mut heap = Vec::new();
    let row: &mut [usize] = if n < stack.len() {
        &mut stack[..=n]
    } else {
        heap.resize(n + 1, 0);
        &mut heap
    };
    for (j, r) in row.iter_mut().enumerate() {
        *r = j;
    }
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.chars().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == cb {
                prev
            } else {
                1 + prev.min(row[j]).min(row[j + 1])
            };
            prev = cur;
        }
    }
    row[n]
}

/// `text` with each span replaced by `***`.
pub fn redact(text: &str, secrets: &[Span]) -> String {
    let mut spans = secrets.to_vec();
    spans.sort();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for s in spans {
        if s.start < last || s.end > text.len() {
            continue;
        }
        out.push_str(&text[last..s.start]);
        out.push_str("***");
        last = s.end;
    }
    out.push_str(&text[last..]);
    out
}

/// The first of `chars` or of their percent-escapes in `s`: its offset and
/// length.
fn find_any(s: &str, chars: &[char], escapes: &[&str]) -> Option<(usize, usize)> {
    let raw = s.find(chars).map(|i| (i, 1));
    let escaped = escapes
        .iter()
        .filter_map(|e| find_ascii_ci(s.as_bytes(), e.as_bytes()).map(|i| (i, 3)))
        .min();
    raw.into_iter().chain(escaped).min()
}

/// The password of a `user:password@` userinfo at the start of `span`:
/// `//user:password@host/…`, `scheme://user:password@host`, or
/// `user:password@host`. The `:`, `@` and `/` may be percent-encoded.
/// The host is after the last `@` before the first `/`.
fn userinfo_password(text: &str, span: Span) -> Option<Span> {
    let s = &text[span.range()];
    // Without an `@` (raw or `%40`) there is no userinfo: most parts of a
    // link are answered here, before any copy is made.
    if memchr::memchr(b'@', s.as_bytes()).is_none()
        && memchr::memmem::find(s.as_bytes(), b"%40").is_none()
    {
        return None;
    }
    userinfo_password_read(text, span)
}

/// [`userinfo_password`] without its screen.
fn userinfo_password_read(text: &str, span: Span) -> Option<Span> {
    let s = &text[span.range()];
    let lower = s.to_ascii_lowercase();
    // `/` or `%2f` at `i`: its length.
    let slash = |i: usize| {
        if lower[i..].starts_with('/') {
            Some(1)
        } else {
            lower[i..].starts_with("%2f").then_some(3)
        }
    };
    // The slashes at `i`, each written either way (`//`, `%2f%2f`, `/%2f`…),
    // as many as there are: `rtsp:/admin:pw@cam` and `rtsp:///admin:pw@cam`
    // are mistyped, but a player may read a password there all the same.
    let slashes = |mut i: usize| {
        let from = i;
        while let Some(n) = slash(i) {
            i += n;
        }
        (i > from).then_some(i - from)
    };
    // A scheme (`rtsp:`, `https%3a`) is skipped only when a slash follows it.
    let scheme_len = s
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')))
        .filter(|&n| n > 0 && s.as_bytes()[0].is_ascii_alphabetic())
        .and_then(|n| {
            let colon = if lower[n..].starts_with(':') {
                1
            } else if lower[n..].starts_with("%3a") {
                3
            } else {
                return None;
            };
            slashes(n + colon).map(|_| n + colon)
        })
        .unwrap_or(0);
    let auth_start = scheme_len + slashes(scheme_len).unwrap_or(0);
    let rest = &s[auth_start..];
    let auth_len = find_any(rest, &['/'], &["%2f"]).map_or(rest.len(), |(i, _)| i);
    let authority = &rest[..auth_len];
    // The last `@` (raw or `%40`) ends the userinfo.
    let at = [
        authority.rfind('@').map(|i| (i, 1)),
        authority.to_ascii_lowercase().rfind("%40").map(|i| (i, 3)),
    ]
    .into_iter()
    .flatten()
    .max()?;
    let (colon, colon_len) = find_any(&authority[..at.0], &[':'], &["%3a"])?;
    let start = span.start + auth_start + colon + colon_len;
    let end = span.start + auth_start + at.0;
    (end > start).then_some(Span::new(start, end))
}

/// The length of a batch file's reference to its arguments at the start
/// of `b`: `%*`, `%1`…`%9`, `%~1`, `%~dp0`, `%~$PATH:1`. A digit followed
/// by a hex digit (`%23`, `%2f`) is not one: that is a percent-escape,
/// which cmd would read as an argument all the same (TC019).
/// The length of a cmd variable reference at the start of `b`: `%NAME%`,
/// with a substring (`%NAME:~0,5%`, `%NAME:~-3%`) or a substitution
/// (`%NAME:old=new%`, `%NAME:*old=new%`) when it has one.
pub fn batch_variable(b: &[u8]) -> Option<usize> {
    if b.first() != Some(&b'%')
        || !b
            .get(1)
            .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_')
    {
        return None;
    }
    let mut k = 2;
    while k < b.len() && (b[k].is_ascii_alphanumeric() || b[k] == b'_') {
        k += 1;
    }
    match *b.get(k)? {
        b'%' => Some(k + 1),
        b':' => {
            let window = &b[k + 1..b.len().min(k + 1 + 256)];
            let close = window
                .iter()
                .position(|&c| matches!(c, b'%' | b'\n' | b'\r'))?;
            let inside = &window[..close];
            if window[close] != b'%' {
                return None;
            }
            let substring = inside.strip_prefix(b"~").is_some_and(|r| {
                let number = |s: &[u8]| {
                    let s = s.strip_prefix(b"-").unwrap_or(s);
                    !s.is_empty() && s.iter().all(u8::is_ascii_digit)
                };
                match r.iter().position(|&c| c == b',') {
                    Some(comma) => number(&r[..comma]) && number(&r[comma + 1..]),
                    None => number(r),
                }
            });
            (substring || inside.contains(&b'=')).then_some(k + 1 + close + 1)
        }
        _ => None,
    }
}

pub fn batch_argument(b: &[u8]) -> Option<usize> {
    match *b.get(1)? {
        b'*' => Some(2),
        d if d.is_ascii_digit() => (!b.get(2).is_some_and(u8::is_ascii_hexdigit)).then_some(2),
        b'~' => {
            // The modifiers, an optional `$NAME:`, then the digit.
            let mut k = 2;
            while b
                .get(k)
                .is_some_and(|c| b"fdpnxsatz".contains(&c.to_ascii_lowercase()))
            {
                k += 1;
            }
            if b.get(k) == Some(&b'$') {
                k += 2 + b[k + 1..].iter().position(|&c| c == b':')?;
            }
            b.get(k).is_some_and(u8::is_ascii_digit).then_some(k + 1)
        }
        _ => None,
    }
}

fn find_vcs(s: &str) -> Option<(usize, VcsForm)> {
    [
        (&b"%23vcs"[..], VcsForm::Encoded),
        (b"#vcs", VcsForm::Raw),
        (b"%vcs", VcsForm::Broken),
    ]
    .into_iter()
    .find_map(|(pat, form)| Some((find_ascii_ci(s.as_bytes(), pat)?, form)))
}

fn starts_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// Is this value a template placeholder (`[password]`, `<login>`, `${id}`,
/// `{user_id}`, `{{x}}`, `$VAR`, `%s`, `***`) rather than a real value?
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    if v.is_empty() {
        return false;
    }
    let wrapped = |open: &str, close: &str| {
        v.len() > open.len() + close.len() - 1 && v.starts_with(open) && v.ends_with(close)
    };
    wrapped("[", "]")
        || wrapped("<", ">")
        || wrapped("${", "}")
        || wrapped("{", "}")
        || wrapped("%(", ")s")
        || wrapped("__", "__")
        || v == "%s"
        || v.chars()
            .all(|c| c == '*' || c == '.' || c == 'x' || c == 'X')
            && v.len() >= 3
        || is_dollar_name(v)
}

/// `$NAME`: a shell's or a template's variable.
fn is_dollar_name(v: &str) -> bool {
    let v = v.trim();
    v.len() > 1
        && v.starts_with('$')
        && v[1..]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Up to `max` of `atoms`, chosen at random.
    fn word(rng: &mut crate::test_rng::Rng, atoms: &[&str], max: usize) -> String {
        let n = rng.below(max + 1);
        (0..n).map(|_| atoms[rng.below(atoms.len())]).collect()
    }

    /// The length screen of `within_edits` answers as the distance does,
    /// on keys of every length with multi-byte characters.
    #[test]
    fn within_edits_agrees_with_the_distance() {
        let atoms = ["a", "b", "p", "é", "中", "😀", "ss", "ß"];
        let mut rng = crate::test_rng::Rng::new(0xed17);
        for _ in 0..20_000 {
            let (a, b) = (word(&mut rng, &atoms, 8), word(&mut rng, &atoms, 8));
            for max in 0..4 {
                assert_eq!(
                    within_edits(&a, &b, max),
                    edit_distance(&a, &b) <= max,
                    "{a:?} {b:?} {max}"
                );
            }
        }
    }

    /// The distance is Levenshtein's, on chars, whether the row is held on
    /// the stack (up to 32 chars) or not: compared with the textbook table
    /// on generated words of 0 to 48 chars.
    #[test]
    fn edit_distance_is_the_textbook_one() {
        fn textbook(a: &str, b: &str) -> usize {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
            for (i, row) in d.iter_mut().enumerate() {
                row[0] = i;
            }
            for (j, cell) in d[0].iter_mut().enumerate() {
                *cell = j;
            }
            for i in 1..=a.len() {
                for j in 1..=b.len() {
                    let swap = d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
                    d[i][j] = swap.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
                }
            }
            d[a.len()][b.len()]
        }
        let atoms = ["a", "b", "p", "é", "中", "😀", "s"];
        let mut rng = crate::test_rng::Rng::new(0xd157);
        for _ in 0..3_000 {
            let (a, b) = (word(&mut rng, &atoms, 48), word(&mut rng, &atoms, 48));
            assert_eq!(edit_distance(&a, &b), textbook(&a, &b), "{a:?} {b:?}");
        }
    }

    /// The screens before the copies (`is_secret_key` without an
    /// allocation, `userinfo_password` only where an `@` is) answer as the
    /// plain definitions do, on generated keys and parts of links.
    #[test]
    fn secret_screens_agree_with_the_plain_definitions() {
        fn plain_secret_key(key: &str) -> bool {
            let k = key.to_ascii_lowercase();
            k.contains("pass")
                || k.contains("pwd")
                || k.contains("pswd")
                || (k.len() >= 5 && edit_distance(&k, "password") <= 2)
        }
        let atoms = [
            "p", "a", "s", "w", "o", "r", "d", "P", "A", "S", "W", "D", "x", "é", "中", "ß", ":",
            "%3a", "%3A", "@", "%40", "/", "%2f", "//", "rtsp", "://", "pass", "pwd", "pswd",
        ];
        let mut rng = crate::test_rng::Rng::new(0x5ec2e7);
        for _ in 0..60_000 {
            let n = 1 + rng.below(9);
            let s: String = (0..n).map(|_| atoms[rng.below(atoms.len())]).collect();
            assert_eq!(is_secret_key(&s), plain_secret_key(&s), "{s:?}");
            let whole = Span::new(0, s.len());
            assert_eq!(
                userinfo_password(&s, whole),
                userinfo_password_read(&s, whole),
                "{s:?}"
            );
        }
        for key in [
            "password", "Passwort", "pasword", "PASSWD", "paswrd", "secret", "encrypt",
        ] {
            assert_eq!(is_secret_key(key), plain_secret_key(key), "{key}");
        }
    }

    /// A compact rendering of a parse, one part per word.
    fn show(text: &str) -> String {
        let l = Link::parse(text);
        let mut out = vec![format!("{:?}", l.scheme)];
        if l.authority_slashes.is_some() {
            out.push("slashes".into());
        }
        if let Some(t) = &l.target {
            out.push(format!("{:?}", t.kind));
            if let Some(p) = t.prefix {
                out.push(format!(
                    "prefix={}{}",
                    l.str(p),
                    if t.prefix_standard { "" } else { "(!)" }
                ));
            }
            if let Some(p) = t.proto {
                out.push(format!("proto={}", l.str(p)));
            }
            out.push(format!("id={}", l.str(t.id)));
            if let Some(s) = t.server {
                out.push(format!("server={}", l.str(s)));
            }
            if let Some((v, f)) = t.vcs {
                out.push(format!("vcs={}:{f:?}", l.str(v)));
            }
            if let Some(i) = t.instance {
                out.push(format!("instance={}", l.str(i)));
            }
        }
        if l.query_mark.is_some() {
            out.push("?".into());
        }
        for p in &l.params {
            match p.value {
                Some(v) => out.push(format!("{}={}", l.str(p.key), l.str(v))),
                None => out.push(format!("{}(no=)", l.str(p.key))),
            }
        }
        if !l.empty_separators.is_empty() {
            out.push(format!(
                "empty@{:?}",
                l.empty_separators
                    .iter()
                    .map(|s| s.start)
                    .collect::<Vec<_>>()
            ));
        }
        if !l.raw_hashes.is_empty() {
            out.push(format!("hash@{:?}", l.raw_hashes));
        }
        if !l.bad_percents.is_empty() {
            out.push(format!("pct@{:?}", l.bad_percents));
        }
        out.join(" ")
    }

    #[test]
    fn every_form_of_the_spec() {
        let table: &[(&str, &str)] = &[
            ("trueconf:", "Trueconf"),
            (
                "trueconf:login=L&password=P&encrypt=1&force=1",
                "Trueconf login=L password=P encrypt=1 force=1",
            ),
            (
                "trueconf:h=SERVER&login=L&password=P&encrypt=1&force=1",
                "Trueconf h=SERVER login=L password=P encrypt=1 force=1",
            ),
            ("trueconf:USER", "Trueconf User id=USER"),
            (
                "trueconf:USER@SERVER",
                "Trueconf User id=USER server=SERVER",
            ),
            (
                "trueconf:#rtsp:%2f%2fhost:554%2fpath",
                "Trueconf External proto=rtsp id=%2f%2fhost:554%2fpath",
            ),
            (
                "trueconf:\\c\\CID",
                "Trueconf Conference prefix=\\c\\ id=CID",
            ),
            (
                "trueconf:\\c\\CID@SERVER%23vcs",
                "Trueconf Conference prefix=\\c\\ id=CID server=SERVER vcs=%23vcs:Encoded",
            ),
            (
                "trueconf:\\c\\CID@SERVER%vcs",
                "Trueconf Conference prefix=\\c\\ id=CID server=SERVER vcs=%vcs:Broken pct@[22]",
            ),
            (
                "trueconf:USER&conftype=hotquery",
                "Trueconf User id=USER conftype=hotquery",
            ),
            (
                "trueconf:USER@SERVER&do=profile",
                "Trueconf User id=USER server=SERVER do=profile",
            ),
            (
                "trueconf:USER@SERVER&do=chat&autoclose=1",
                "Trueconf User id=USER server=SERVER do=chat autoclose=1",
            ),
            ("visicall:bob", "Visicall User id=bob"),
            ("VISICALL:bob", "Visicall User id=bob"),
            (
                "trueconf:#sip:user@host",
                "Trueconf External proto=sip id=user@host",
            ),
            (
                "trueconf:#sip:@10.0.0.1",
                "Trueconf External proto=sip id=@10.0.0.1",
            ),
            (
                "trueconf:#tel:89261112233",
                "Trueconf External proto=tel id=89261112233",
            ),
            (
                "trueconf:#h323:\\e\\123",
                "Trueconf External proto=h323 id=\\e\\123",
            ),
            (
                "trueconf:#sip:u@h;transport=udp",
                "Trueconf External proto=sip id=u@h;transport=udp",
            ),
            ("trueconf:\\C\\1", "Trueconf Conference prefix=\\C\\ id=1"),
            (
                "trueconf:bob@host/inst",
                "Trueconf User id=bob server=host instance=inst",
            ),
        ];
        for (input, want) in table {
            assert_eq!(show(input), *want, "{input}");
        }
    }

    #[test]
    fn every_example_seen_in_public_material() {
        let table: &[(&str, &str)] = &[
            (
                "trueconf:login=user&password=pswd&encrypt=1&force=1",
                "Trueconf login=user password=pswd encrypt=1 force=1",
            ),
            (
                "trueconf:h=192.168.12.123&login=user&password=pswd&encrypt=1",
                "Trueconf h=192.168.12.123 login=user password=pswd encrypt=1",
            ),
            (
                "trueconf:john@conf.company.com",
                "Trueconf User id=john server=conf.company.com",
            ),
            (
                "trueconf:#rtsp:%2f%2fdomainn.company.com:554",
                "Trueconf External proto=rtsp id=%2f%2fdomainn.company.com:554",
            ),
            (
                "trueconf:\\c\\737734033583@video.example.com%23vcs&h=truevideo.example.com&login=user&password=pswd&encrypt=1&force=1",
                "Trueconf Conference prefix=\\c\\ id=737734033583 server=video.example.com vcs=%23vcs:Encoded h=truevideo.example.com login=user password=pswd encrypt=1 force=1",
            ),
            (
                "trueconf:chester&h=10.110.2.240&login=joe_smith&password=12345678&encrypt=1&force=1",
                "Trueconf User id=chester h=10.110.2.240 login=joe_smith password=12345678 encrypt=1 force=1",
            ),
            (
                "trueconf:john_doe@video.example.com",
                "Trueconf User id=john_doe server=video.example.com",
            ),
            (
                "trueconf:anton@example.net&do=profile",
                "Trueconf User id=anton server=example.net do=profile",
            ),
            (
                "trueconf:///c/0031213894212@s3.trueconf.rt.ru#vcs&h=s3.trueconf.rt.ru",
                "Trueconf Conference prefix=///c/(!) id=0031213894212 server=s3.trueconf.rt.ru vcs=#vcs:Raw h=s3.trueconf.rt.ru hash@[45]",
            ),
            (
                "trueconf:c/2381734096@tc.example.ru",
                "Trueconf Conference prefix=c/(!) id=2381734096 server=tc.example.ru",
            ),
        ];
        for (input, want) in table {
            assert_eq!(show(input), *want, "{input}");
        }
    }

    #[test]
    fn odd_shapes_are_data() {
        let table: &[(&str, &str)] = &[
            (
                "trueconf://bob@host",
                "Trueconf slashes User id=bob server=host",
            ),
            (
                "trueconf:bob?h=x&login=y",
                "Trueconf User id=bob ? h=x login=y",
            ),
            ("trueconf:?login=y", "Trueconf ? login=y"),
            (
                "trueconf:bob&&h=x&",
                "Trueconf User id=bob h=x empty@[12, 17]",
            ),
            ("trueconf:&login=a", "Trueconf login=a empty@[9]"),
            (
                "trueconf:bob&autoclose&force=",
                "Trueconf User id=bob autoclose(no=) force=",
            ),
            (
                "trueconf:bob&password=a%zz%2",
                "Trueconf User id=bob password=a%zz%2 pct@[23, 26]",
            ),
            (
                "trueconf:/c/123",
                "Trueconf Conference prefix=/c/(!) id=123",
            ),
            ("trueconf:c/", "Trueconf User id=c/"),
            (
                "trueconf:#rtsp://cam/live",
                "Trueconf External proto=rtsp id=//cam/live",
            ),
            ("trueconf:Login=x", "Trueconf Login=x"),
            ("trueconf:user name", "Trueconf User id=user name"),
        ];
        for (input, want) in table {
            assert_eq!(show(input), *want, "{input}");
        }
    }

    #[test]
    fn secrets_and_redaction() {
        let l = Link::parse("trueconf:login=a&password=s3cr%26t&encrypt=1");
        assert_eq!(l.redacted(), "trueconf:login=a&password=***&encrypt=1");
        let l = Link::parse("trueconf:#rtsp:%2f%2fadmin:hunter2@cam%2flive");
        assert_eq!(l.redacted(), "trueconf:#rtsp:%2f%2fadmin:***@cam%2flive");
        let l = Link::parse("trueconf:#rtsp://admin:hunter2@cam/live");
        assert_eq!(l.redacted(), "trueconf:#rtsp://admin:***@cam/live");
        assert_eq!(Link::parse("trueconf:bob&password=").secrets(), vec![]);
        // A userinfo password anywhere a server can stand.
        for (link, want) in [
            (
                "trueconf:bob&h=admin:hunter2@tv:4307",
                "trueconf:bob&h=admin:***@tv:4307",
            ),
            (
                "trueconf:bob&h=https://admin:hunter2@tv/x",
                "trueconf:bob&h=https://admin:***@tv/x",
            ),
            (
                "trueconf:bob&h=admin%3Ahunter2%40tv",
                "trueconf:bob&h=admin%3A***%40tv",
            ),
            // Slashes written raw, encoded, or one of each.
            (
                "trueconf:#rtsp:/%2fadmin:hunter2@cam",
                "trueconf:#rtsp:/%2fadmin:***@cam",
            ),
            (
                "trueconf:#rtsp:%2F/admin:hunter2@cam",
                "trueconf:#rtsp:%2F/admin:***@cam",
            ),
            // One slash or three: mistyped, but a password all the same.
            (
                "trueconf:#rtsp:/admin:hunter2@cam/live",
                "trueconf:#rtsp:/admin:***@cam/live",
            ),
            (
                "trueconf:#rtsp:///admin:hunter2@cam",
                "trueconf:#rtsp:///admin:***@cam",
            ),
            (
                "trueconf:#rtsp:%2fadmin:hunter2@cam",
                "trueconf:#rtsp:%2fadmin:***@cam",
            ),
            (
                "trueconf:bob&h=https:/admin:hunter2@tv/x",
                "trueconf:bob&h=https:/admin:***@tv/x",
            ),
            (
                "trueconf:bob&h=http:%2f%2fadmin:hunter2@cam",
                "trueconf:bob&h=http:%2f%2fadmin:***@cam",
            ),
            (
                "trueconf:bob&h=http%3A/%2Fadmin%3Ahunter2%40cam",
                "trueconf:bob&h=http%3A/%2Fadmin%3A***%40cam",
            ),
            (
                "trueconf:bob&h=a:p@ss@tv&login=u:hunter2@x",
                "trueconf:bob&h=a:***@tv&login=u:***@x",
            ),
            ("trueconf:bob@admin:hunter2@tv", "trueconf:bob@admin:***@tv"),
            ("trueconf:bob:hunter2@tv%23vcs", "trueconf:bob:***@tv%23vcs"),
            (
                "trueconf:\\c\\1@a:hunter2@tv&x&u:hunter2@y",
                "trueconf:\\c\\1@a:***@tv&x&u:***@y",
            ),
            (
                "trueconf:#sip:u:hunter2@pbx&password=hunter2",
                "trueconf:#sip:u:***@pbx&password=***",
            ),
            // No userinfo: nothing hidden.
            (
                "trueconf:bob@tv:4307&h=[::1]:4307",
                "trueconf:bob@tv:4307&h=[::1]:4307",
            ),
            (
                "trueconf:bob&h=u@tv&login=a:b",
                "trueconf:bob&h=u@tv&login=a:b",
            ),
            ("trueconf:bob&h=tv/a:b@c", "trueconf:bob&h=tv/a:b@c"),
        ] {
            let l = Link::parse(link);
            assert_eq!(l.redacted(), want, "{link}");
            let spans = l.secrets();
            assert!(spans.windows(2).all(|w| w[0].end <= w[1].start), "{link}");
        }
        let l = Link::parse("trueconf:bob&h=admin:hunter2%40tv:4307");
        let h = l.param("h").unwrap().value.unwrap();
        assert_eq!(l.redacted_part(h), "admin:***%40tv:4307");
        assert_eq!(l.shown(h), "admin:***@tv:4307");
        assert_eq!(l.redacted_part(Span::new(h.start, h.start + 8)), "***");
    }

    #[test]
    fn a_password_key_typed_with_a_colon_holds_a_secret() {
        for (link, want) in [
            ("trueconf:bob&password:hunter2", "trueconf:bob&password:***"),
            (
                "trueconf:bob&pwd%3Ahunter2&x=1",
                "trueconf:bob&pwd%3A***&x=1",
            ),
            ("trueconf:bob&pasword:[pw]", "trueconf:bob&pasword:[pw]"),
            ("trueconf:bob&note:hunter2", "trueconf:bob&note:hunter2"),
            ("trueconf:bob&password:", "trueconf:bob&password:"),
        ] {
            assert_eq!(Link::parse(link).redacted(), want, "{link}");
        }
    }

    /// A key is judged as the app reads it, percent-decoded: an encoded
    /// letter or `=` hides no password.
    #[test]
    fn percent_encoded_password_keys_hold_secrets() {
        for (link, want) in [
            (
                "trueconf:login=u&p%61ssword=Hx9Qz17&encrypt=1",
                "trueconf:login=u&p%61ssword=***&encrypt=1",
            ),
            (
                "trueconf:login=u&p%77d=Hx9Qz1",
                "trueconf:login=u&p%77d=***",
            ),
            ("trueconf:login=u&P%41SS=Hx9", "trueconf:login=u&P%41SS=***"),
            (
                "trueconf:login=u&password%3DHx9Qz9",
                "trueconf:login=u&password%3D***",
            ),
            ("trueconf:u&p%61ss%3dHx9&x=1", "trueconf:u&p%61ss%3d***&x=1"),
            ("trueconf:u&note%3Dhello", "trueconf:u&note%3Dhello"),
            ("trueconf:u&n%6Fte=hello", "trueconf:u&n%6Fte=hello"),
        ] {
            assert_eq!(Link::parse(link).redacted(), want, "{link}");
        }
    }

    #[test]
    fn code_placeholders() {
        for (s, want) in [
            ("%s@x", Some(2)),
            ("%d", Some(2)),
            ("%v&", Some(2)),
            ("%q", Some(2)),
            ("%1$s", Some(4)),
            ("%-08.3f", Some(7)),
            ("%lld", Some(4)),
            ("%(user)s", Some(8)),
            ("%USER%@", Some(6)),
            ("%~1", Some(3)),
            ("%~dp0x", Some(5)),
            ("%~DP0\"", Some(5)),
            ("%~dpNX1", Some(7)),
            ("%~$PATH:1@", Some(9)),
            ("%*\"", Some(2)),
            ("%~q", None),
            ("%1@", Some(2)),
            ("$env:TC_PASS&", Some(12)),
            ("$USER@", Some(5)),
            ("${a + {b}}x", Some(10)),
            ("$(id -un)@", Some(9)),
            ("{{ name }}&", Some(10)),
            ("`whoami`@", Some(8)),
            ("#{user.name}@", Some(12)),
            ("#{h[\"k\"]}&", Some(9)),
            ("#x", None),
            ("#{x", None),
            ("%23vcs", None),
            ("%da", None),
            ("%vcs", None),
            ("%zz", None),
            ("50%", None),
            ("$", None),
        ] {
            let at = if s.starts_with("50") { 2 } else { 0 };
            assert_eq!(code_placeholder(s, at), want, "{s}");
        }
        let code = |t| Link::parse_in(t, Templating::Code);
        let l = code("trueconf:%USER%@srv&password=%PASS%&encrypt=1");
        assert!(l.bad_percents.is_empty());
        assert!(l.secrets().is_empty());
        let l = code("trueconf:$env:USERNAME@srv&password=$env:TC_PASS&encrypt=1");
        assert!(l.secrets().is_empty(), "{:?}", l.secrets());
        let l = code("trueconf:bob:hunter2@srv&password=50%off&pwd=%s");
        assert_eq!(l.redacted(), "trueconf:bob:***@srv&password=***&pwd=%s");
        let l = code("trueconf:bob@srv%vcs&x=%s");
        assert_eq!(l.bad_percents, [16]);
        // Ruby's interpolation is no fragment, and no password.
        let l = code("trueconf:#{user}@#{srv}&do=#{action}&password=#{pw}");
        assert!(l.raw_hashes.is_empty(), "{:?}", l.raw_hashes);
        assert!(l.secrets().is_empty(), "{:?}", l.secrets());
        assert_eq!(code("trueconf:bob@srv#x").raw_hashes, [16]);
        // In prose the code forms are text.
        let l = Link::parse("trueconf:%USER%@srv&password=%PASS%");
        assert_eq!(l.bad_percents.len(), 4);
        assert_eq!(l.redacted(), "trueconf:%USER%@srv&password=***");
    }

    #[test]
    fn secrets_inside_other_values_are_apart() {
        let l = Link::parse("trueconf:bob@srv&force=1;password=hunter2;encrypt=1");
        assert_eq!(
            l.redacted(),
            "trueconf:bob@srv&force=1;password=***;encrypt=1"
        );
        let l = Link::parse("trueconf:login=bob?pwd=hunter2&encrypt=1");
        assert_eq!(l.redacted(), "trueconf:login=bob?pwd=***&encrypt=1");
        let l = Link::parse("trueconf:#rtsp:%2f%2fcam%2fx%3fuser%3da%26password%3dhunter2");
        assert_eq!(
            l.redacted(),
            "trueconf:#rtsp:%2f%2fcam%2fx%3fuser%3da%26password%3d***"
        );
        // A value with an `@` reads as a `user:password@` only: one
        // secret, not two overlapping (a fuzz run found redaction slicing
        // backwards), and none whose text changes how the rest reads.
        let l = Link::parse("trueconf:bob@srv&x=a;password=u:pw@h");
        assert_eq!(l.secrets().len(), 1, "{:?}", l.secrets());
        assert_eq!(l.redacted(), "trueconf:bob@srv&x=a;password=u:***@h");
        // Placeholders are no secrets.
        let l = Link::parse("trueconf:bob@srv&x=a;password=[password]");
        assert!(l.secrets().is_empty());
    }

    #[test]
    fn placeholders() {
        for v in [
            "[password]",
            "<login>",
            "${id}",
            "{user_id}",
            "{{ pw }}",
            "$PASSWORD",
            "%s",
            "***",
            "xxx",
        ] {
            assert!(is_placeholder(v), "{v}");
        }
        for v in ["pswd", "12345678", "[", "$", "p[1]"] {
            assert!(!is_placeholder(v), "{v}");
        }
    }
}
