//! HTML, classified locally around each offset: is it in text, an attribute
//! value (which one, how quoted), a comment or a script?
//!
//! No tree and no full tokenization: raw-text regions (`<script>`,
//! `<style>`, comments) are found with one search for their first two
//! bytes, and for every other offset the nearest `<` or `>` before it says
//! whether it is inside a tag, whose attributes are then read. Offsets are
//! asked in increasing order, and what was searched is remembered, so the
//! whole document costs one pass however many links it has and however deep
//! its nesting.

use super::code::{Lang, Lexer};
use super::decode::Decode;
use super::pairs;
use super::place::{Context, Joins, Place, prose_place};

/// The next opener of a raw-text region at or after `from`: `<script` or
/// `<style` in any case, or `<!--`; its start and end. Found with one
/// search for `<` followed by `s`, `S` or `!` (`<` alone is on every line
/// of a page, these pairs are rare).
fn find_opener(bytes: &[u8], mut from: usize) -> Option<(usize, usize)> {
    loop {
        let start = pairs::find(bytes, from, |a, b| {
            (a == b'<') & ((b | 0x20 == b's') | (b == b'!'))
        })?;
        for name in [&b"<script"[..], b"<style"] {
            if bytes[start..]
                .get(..name.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(name))
            {
                return Some((start, start + name.len()));
            }
        }
        if bytes[start..].starts_with(b"<!--") {
            return Some((start, start + 4));
        }
        // `<span`, `<strong>`, `<!DOCTYPE`…: look further.
        from = start + 1;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RawKind {
    Script,
    Style,
    Comment,
}

/// A `<script>`/`<style>` element or a comment: its opening tag (or `<!--`)
/// spans `start..body`, its content `body..end`, its closer starts at `end`.
#[derive(Clone, Copy, Debug)]
struct Raw {
    start: usize,
    body: usize,
    end: usize,
    kind: RawKind,
}

/// An attribute value of the tag being looked at.
#[derive(Clone, Copy, Debug)]
struct Value {
    start: usize,
    end: usize,
    quote: Option<u8>,
    explicit: bool,
    /// The value holds JavaScript from this offset on (an event handler, a
    /// framework binding, a `javascript:` URL).
    script: Option<usize>,
    /// A Svelte `{…}` expression (`on:click={…}`, `href={…}`): JavaScript
    /// that no HTML decoding touches, between the braces.
    braced: bool,
}

pub struct Html<'t> {
    text: &'t str,
    /// Where the HTML starts (0 but in a code block of another document).
    start: usize,
    /// The first raw region that ends after the last offset asked, if any.
    raw: Option<Raw>,
    /// Where the search for the next raw region resumes.
    raw_from: usize,
    /// Offsets before this were searched for `<` and `>`.
    angles_to: usize,
    /// The last `<` or `>` before `angles_to`, outside raw regions.
    last_angle: Option<(usize, u8)>,
    /// The tag starting at this `<`, read once: its attribute values and
    /// the offset where it ends.
    tag: Option<(usize, usize, Vec<Value>)>,
    /// The script region the lexer below belongs to, by start offset.
    script: Option<(usize, Lexer<'t>)>,
    /// The lexer of the script attribute value starting at `.0`.
    attr_script: Option<(usize, Lexer<'t>)>,
}

impl<'t> Html<'t> {
    pub fn new(text: &'t str) -> Self {
        let mut h = Html {
            text,
            start: 0,
            raw: None,
            raw_from: 0,
            angles_to: 0,
            last_angle: None,
            tag: None,
            script: None,
            attr_script: None,
        };
        h.next_raw();
        h
    }

    /// A reader of the HTML in `text[from..to]` (a code block of another
    /// document): offsets stay those of `text`, and nothing outside the
    /// range is looked at.
    pub fn ranged(text: &'t str, from: usize, to: usize) -> Self {
        let to = crate::text::floor_char_boundary(text, to.min(text.len()));
        let text = &text[..to];
        let from = from.min(to);
        let mut h = Html {
            text,
            start: from,
            raw: None,
            raw_from: from,
            angles_to: from,
            last_angle: None,
            tag: None,
            script: None,
            attr_script: None,
        };
        h.next_raw();
        h
    }

    /// Finds the next raw region at or after `raw_from`.
    fn next_raw(&mut self) {
        let bytes = self.text.as_bytes();
        self.raw = None;
        let mut from = self.raw_from;
        while let Some((start, m_end)) = find_opener(bytes, from) {
            let kind = match bytes[start + 1] {
                b'!' => RawKind::Comment,
                b's' | b'S' if bytes[start + 2].eq_ignore_ascii_case(&b'c') => RawKind::Script,
                _ => RawKind::Style,
            };
            if kind != RawKind::Comment {
                // `<scripts>` or `<style-x>` is another element.
                let after = bytes.get(m_end).copied().unwrap_or(b'>');
                if !(after.is_ascii_whitespace() || after == b'>' || after == b'/') {
                    from = m_end;
                    continue;
                }
            }
            let (body, end, close_len) = match kind {
                RawKind::Comment => {
                    let body = m_end;
                    let end = memchr::memmem::find(&bytes[body..], b"-->")
                        .map_or(bytes.len(), |i| body + i);
                    (body, end, 3)
                }
                _ => {
                    let (tag_end, values) = read_tag(self.text, start, bytes.len());
                    let self_closing = tag_end >= 2 && bytes[tag_end - 2] == b'/';
                    drop(values);
                    if self_closing {
                        (tag_end, tag_end, 0)
                    } else {
                        let close: &[u8] = if kind == RawKind::Script {
                            b"</script"
                        } else {
                            b"</style"
                        };
                        let end = crate::text::find_ascii_ci(&bytes[tag_end..], close)
                            .map_or(bytes.len(), |i| tag_end + i);
                        (tag_end, end, close.len())
                    }
                }
            };
            self.raw = Some(Raw {
                start,
                body,
                end,
                kind,
            });
            self.raw_from = (end + close_len).min(bytes.len());
            return;
        }
        self.raw_from = bytes.len();
    }

    /// The raw region holding `at`, if any.
    fn raw_at(&mut self, at: usize) -> Option<Raw> {
        while let Some(r) = self.raw {
            if at < r.start {
                return None;
            }
            // The closer (`</script>`, `-->`) belongs to the region too, so
            // an offset there is not read as text.
            let closer_end = self.raw_from;
            if at < closer_end.max(r.end) {
                return Some(r);
            }
            self.next_raw();
        }
        None
    }

    /// The last `<` or `>` before `at`.
    fn last_angle_before(&mut self, at: usize) -> Option<(usize, u8)> {
        if at > self.angles_to {
            let hay = &self.text.as_bytes()[self.angles_to..at];
            if let Some(i) = memchr::memrchr2(b'<', b'>', hay) {
                let pos = self.angles_to + i;
                self.last_angle = Some((pos, hay[i]));
            }
            self.angles_to = at;
        }
        self.last_angle
    }

    pub fn place(&mut self, at: usize) -> Option<Place> {
        if let Some(r) = self.raw_at(at) {
            return match r.kind {
                RawKind::Comment if at >= r.body && at < r.end => {
                    Some(prose_place(Context::Text, Decode::None, r.end, None))
                }
                RawKind::Comment => None,
                _ if at < r.body => self.in_tag(r.start, at),
                RawKind::Script if at < r.end => Some(self.script_lexer(r)?.place(at)),
                _ => None,
            };
        }
        match self.last_angle_before(at) {
            Some((t, b'<')) => {
                // A `<` inside a quoted value of an earlier tag
                // (`onclick="if (a<b) go('trueconf:…')"`) opens nothing.
                if let Some(place) = self.tag_around(t, at) {
                    return Some(place);
                }
                let next = self.text.as_bytes().get(t + 1).copied().unwrap_or(b' ');
                if next.is_ascii_alphabetic() {
                    self.in_tag(t, at)
                } else if self.text.as_bytes()[t..].starts_with(b"<![CDATA[") {
                    // Character data (XML's, or in HTML a bogus comment): text
                    // as written, no references, up to its `]]>`.
                    let bytes = self.text.as_bytes();
                    let end =
                        memchr::memmem::find(&bytes[t..], b"]]>").map_or(bytes.len(), |k| t + k);
                    (at < end).then(|| prose_place(Context::Text, Decode::None, end, None))
                } else if matches!(next, b'/' | b'!' | b'?') {
                    None
                } else {
                    // A lone `<` is text.
                    Some(self.text_place())
                }
            }
            Some((t, _)) => Some(self.tag_around(t, at).unwrap_or_else(|| self.text_place())),
            None => Some(self.text_place()),
        }
    }

    /// A `>` or `<` at `gt` before `at` may stand inside a quoted attribute
    /// value (`@click="() => open('trueconf:…')"`, `onclick="a<b && …"`):
    /// the tag opened by one of the last few `<` shortly before it, read
    /// past `gt`, tells where `at` stands if the tag holds it. The
    /// look-back is bounded, so each candidate costs a bounded read.
    fn tag_around(&mut self, gt: usize, at: usize) -> Option<Place> {
        const LOOK_BACK: usize = 512;
        const TAGS_BACK: usize = 4;
        if let Some((s, end, _)) = &self.tag
            && *s < gt
            && at < *end
        {
            let s = *s;
            return self.in_tag(s, at);
        }
        let bytes = self.text.as_bytes();
        let from = gt.saturating_sub(LOOK_BACK).max(self.start);
        // The nearest `<` may itself stand in the value (`a<b && c>d`): a
        // few are tried, nearest first.
        let mut before = gt;
        for _ in 0..TAGS_BACK {
            let lt = from + memchr::memrchr(b'<', &bytes[from..before])?;
            before = lt;
            if !bytes.get(lt + 1).is_some_and(u8::is_ascii_alphabetic) {
                continue;
            }
            let (end, values) = read_tag(self.text, lt, at + 1);
            // Only a `>` inside a quoted value of this tag keeps it open.
            let quoted = values
                .iter()
                .any(|v| (v.quote.is_some() || v.braced) && v.start <= gt && gt < v.end);
            if !quoted {
                continue;
            }
            if at >= end {
                return None;
            }
            self.tag = Some((lt, end, values));
            return self.in_tag(lt, at);
        }
        None
    }

    /// Where the tag or the raw element (`<script>…`) holding `at`, as the
    /// last [`Html::place`] of `at` read it, starts, and whether it is
    /// closed in the text read: a tag by its `>`, an element by its start
    /// tag's `>` and its end tag. `None` when `at` was read as text.
    pub(super) fn holder(&self, at: usize) -> Option<(usize, bool)> {
        let bytes = self.text.as_bytes();
        let closed = |end: usize| end > 0 && bytes.get(end - 1) == Some(&b'>');
        if let Some(r) = self.raw
            && r.start <= at
            && at < self.raw_from.max(r.end)
        {
            return Some((r.start, closed(r.body) && r.end < bytes.len()));
        }
        let (start, end, _) = self.tag.as_ref()?;
        (*start <= at && at < *end).then(|| (*start, closed(*end)))
    }

    fn text_place(&self) -> Place {
        prose_place(Context::HtmlText, Decode::Entities, self.text.len(), None)
    }

    /// Where `at` stands inside the tag that starts at `tag_start`.
    fn in_tag(&mut self, tag_start: usize, at: usize) -> Option<Place> {
        if self.tag.as_ref().is_none_or(|(s, _, _)| *s != tag_start) {
            // Offsets past the next `<` or `>` are never asked about this
            // tag (the nearest angle before them is another): reading
            // stops there, so that tags without a `>` are not each read to
            // the end of the document.
            let bytes = self.text.as_bytes();
            let stop = memchr::memchr2(b'<', b'>', &bytes[tag_start + 1..])
                .map_or(bytes.len(), |i| tag_start + 1 + i);
            let (end, values) = read_tag(self.text, tag_start, stop);
            self.tag = Some((tag_start, end, values));
        }
        let (_, end, values) = self.tag.as_ref()?;
        if at >= *end {
            return Some(self.text_place());
        }
        // Values are in order and do not overlap: the last one starting at
        // or before `at` is the only one that may hold it.
        let i = values.partition_point(|v| v.start <= at);
        let v = *values[..i].last().filter(|v| at < v.end)?;
        if v.braced {
            return Some(self.in_braced_value(v, at));
        }
        if let Some(from) = v.script
            && at >= from
        {
            return Some(self.in_script_value(v, from, at));
        }
        Some(Place {
            context: Context::HtmlAttribute { quote: v.quote },
            decode: Decode::Entities,
            limit: v.end,
            explicit: v.explicit,
            opened_by: None,
            joins: Joins::No,
            host: None,
        })
    }

    /// Where `at` stands in an attribute value that holds JavaScript: in a
    /// string literal of it (ending at its quote, inside the attribute), or
    /// in its code and comments (prose). The value is lexed on its source
    /// bytes: a quote written as a character reference is not seen.
    fn in_script_value(&mut self, v: Value, from: usize, at: usize) -> Place {
        if self.attr_script.as_ref().is_none_or(|(s, _)| *s != from) {
            self.attr_script = Some((
                from,
                Lexer::in_attribute(self.text, Lang::JavaScript, from, v.end),
            ));
        }
        let place = match self.attr_script.as_mut() {
            Some((_, lexer)) => lexer.place(at),
            None => return self.text_place(),
        };
        match place.context {
            Context::StringLiteral { quote, escapes } => Place {
                context: Context::ScriptString {
                    attr_quote: v.quote,
                    quote,
                    escapes,
                },
                decode: if escapes {
                    Decode::EntitiesThenBackslash
                } else {
                    Decode::Entities
                },
                limit: place.limit.min(v.end),
                explicit: false,
                opened_by: None,
                joins: Joins::No,
                host: None,
            },
            _ => prose_place(Context::Text, Decode::Entities, v.end, None),
        }
    }

    /// Where `at` stands in a Svelte `{…}` attribute expression: plain
    /// JavaScript (its strings end at their quotes, its escapes are
    /// JavaScript's), inside the braces.
    fn in_braced_value(&mut self, v: Value, at: usize) -> Place {
        if self.attr_script.as_ref().is_none_or(|(s, _)| *s != v.start) {
            self.attr_script = Some((
                v.start,
                Lexer::new(self.text, Lang::JavaScript, v.start, v.end),
            ));
        }
        let place = match self.attr_script.as_mut() {
            Some((_, lexer)) => lexer.place(at),
            None => return self.text_place(),
        };
        match place.context {
            Context::StringLiteral { .. } => Place {
                limit: place.limit.min(v.end),
                ..place
            },
            _ => prose_place(Context::Text, Decode::None, v.end, None),
        }
    }

    /// Is `at` inside a comment: `<!-- … -->`, or a comment of a script?
    /// Offsets must not decrease from one call to the next (shared with
    /// [`Html::place`]).
    pub fn in_comment(&mut self, at: usize) -> bool {
        match self.raw_at(at) {
            Some(r) if r.kind == RawKind::Comment => at >= r.body && at < r.end,
            Some(r) if r.kind == RawKind::Script && at >= r.body && at < r.end => {
                self.script_lexer(r).is_some_and(|l| l.in_comment(at))
            }
            _ => false,
        }
    }

    fn script_lexer(&mut self, r: Raw) -> Option<&mut Lexer<'t>> {
        if self.script.as_ref().is_none_or(|(s, _)| *s != r.body) {
            self.script = Some((
                r.body,
                Lexer::new(self.text, Lang::JavaScript, r.body, r.end),
            ));
        }
        self.script.as_mut().map(|(_, l)| l)
    }
}

/// Reads the start tag at `start` (`<name attr=value …>`): where it ends
/// (after its `>`) and its attribute values. Attributes that would start at
/// or after `stop` are not read (the tag is then said to end at `stop`),
/// and an unquoted value ends there.
fn read_tag(text: &str, start: usize, stop: usize) -> (usize, Vec<Value>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut values = Vec::new();
    let mut i = start + 1;
    while i < n && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/' {
        i += 1;
    }
    loop {
        while i < n && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        if i >= n {
            return (n, values);
        }
        if bytes[i] == b'>' {
            return (i + 1, values);
        }
        if i >= stop {
            return (stop, values);
        }
        let name_start = i;
        while i < n && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &text[name_start..i];
        let mut j = i;
        while j < n && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= n || bytes[j] != b'=' {
            if i == name_start {
                // A stray character (`=`): skip it.
                i += 1;
            }
            continue;
        }
        j += 1;
        while j < n && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        let mut explicit = is_link_attribute(name);
        let script_name = is_script_attribute(name);
        match bytes.get(j) {
            Some(b'{') => {
                let vstart = j + 1;
                let vend = braced_end(bytes, vstart);
                values.push(Value {
                    start: vstart,
                    end: vend,
                    quote: None,
                    explicit: false,
                    script: Some(vstart),
                    braced: true,
                });
                i = (vend + 1).min(n);
            }
            Some(&q @ (b'"' | b'\'')) => {
                let vstart = j + 1;
                let vend = memchr::memchr(q, &bytes[vstart..]).map_or(n, |k| vstart + k);
                let script = script_from(&text[vstart..vend], script_name).map(|k| vstart + k);
                explicit &= script.is_none();
                explicit |= is_refresh_url(name, &text[vstart..vend]);
                values.push(Value {
                    start: vstart,
                    end: vend,
                    quote: Some(q),
                    explicit,
                    script,
                    braced: false,
                });
                i = (vend + 1).min(n);
            }
            Some(_) => {
                let vstart = j;
                let mut vend = j;
                while vend < n.min(stop.max(vstart))
                    && !bytes[vend].is_ascii_whitespace()
                    && bytes[vend] != b'>'
                {
                    vend += 1;
                }
                let script = script_from(&text[vstart..vend], script_name).map(|k| vstart + k);
                explicit &= script.is_none();
                values.push(Value {
                    start: vstart,
                    end: vend,
                    quote: None,
                    explicit,
                    script,
                    braced: false,
                });
                i = vend;
            }
            None => i = j,
        }
    }
}

/// The offset of the `}` that closes a `{…}` expression whose content
/// starts at `from` (nested braces counted, JavaScript strings and template
/// literals skipped), or the end of the text.
fn braced_end(bytes: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut k = from;
    while k < bytes.len() {
        match bytes[k] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return k,
            b'}' => depth -= 1,
            q @ (b'"' | b'\'' | b'`') => {
                k += 1;
                while k < bytes.len() && bytes[k] != q {
                    if bytes[k] == b'\\' {
                        k += 1;
                    } else if q != b'`' && bytes[k] == b'\n' {
                        break;
                    }
                    k += 1;
                }
            }
            _ => {}
        }
        k += 1;
    }
    bytes.len()
}

/// Attributes whose value is JavaScript: `on*` event handlers, Vue `@x`,
/// `v-on:x`, `:x`, `v-bind:x`, Svelte `on:x`, Angular `(x)` and `[x]`.
fn is_script_attribute(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let handler = lower
        .strip_prefix("on")
        .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_alphabetic()));
    handler
        || ["@", ":", "v-on:", "v-bind:", "on:"]
            .iter()
            .any(|p| lower.len() > p.len() && lower.starts_with(p))
        || lower.len() > 2
            && (lower.starts_with('(') && lower.ends_with(')')
                || lower.starts_with('[') && lower.ends_with(']'))
}

/// Where JavaScript starts in an attribute value, if it holds any: at its
/// start for a script attribute, after the scheme of a `javascript:` URL.
fn script_from(value: &str, script_attribute: bool) -> Option<usize> {
    if script_attribute {
        return Some(0);
    }
    // The browser reads the URL after decoding character references, and
    // drops leading white space and control characters and every tab and
    // line break: `jav&#x61;script:`, `&#106;avascript:`,
    // `java&Tab;script&colon;` are all `javascript:` (§7).
    const WORD: &[u8] = b"javascript:";
    let mut matched = 0;
    let mut i = 0;
    while i < value.len() {
        // References as the browser reads them (numeric ones with or
        // without their `;`).
        let (c, len) = match super::decode::entity(&value[i..]) {
            Some(found) => found,
            None => {
                let c = value[i..].chars().next()?;
                (c, c.len_utf8())
            }
        };
        i += len;
        if matches!(c, '\t' | '\n' | '\r') || matched == 0 && c <= ' ' {
            continue;
        }
        if !c.eq_ignore_ascii_case(&char::from(WORD[matched])) {
            return None;
        }
        matched += 1;
        if matched == WORD.len() {
            return Some(i);
        }
    }
    None
}

/// `<meta http-equiv="refresh" content="0;url=…">`: a `content` value of
/// the refresh form, whose part after `url=` is a link.
fn is_refresh_url(name: &str, value: &str) -> bool {
    if !name.eq_ignore_ascii_case("content") {
        return false;
    }
    let v = value
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let Some(v) = v.trim_start().strip_prefix([';', ',']) else {
        return false;
    };
    let v = v.trim_start().as_bytes();
    v.len() >= 4
        && v[..3].eq_ignore_ascii_case(b"url")
        && v[3..].trim_ascii_start().starts_with(b"=")
}

/// Attributes that hold a URL, where any spelling of the scheme is a link.
pub(super) fn is_link_attribute(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "href"
            | "src"
            | "action"
            | "formaction"
            | "cite"
            | "data"
            | "poster"
            | "background"
            | "xlink:href"
    ) || name.ends_with("href")
        || name.ends_with("url")
        || name.ends_with("-src")
        || name.ends_with("-link")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(src: &str, needle: &str) -> Option<Place> {
        let at = src.find(needle).expect("needle");
        Html::new(src).place(at)
    }

    #[test]
    fn contexts() {
        let p = place(r#"<p class=x><a href="trueconf:a">"#, "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlAttribute { quote: Some(b'"') });
        assert!(p.explicit);
        let p = place("<a title='x' href=trueconf:a>", "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlAttribute { quote: None });
        let p = place("<p>call trueconf:a</p>", "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlText);
        let p = place("<!-- trueconf:a -->", "trueconf:").unwrap();
        assert_eq!(p.context, Context::Text);
        let p = place("<script>let u = 'trueconf:a';</script>", "trueconf:").unwrap();
        assert_eq!(
            p.context,
            Context::StringLiteral {
                quote: b'\'',
                escapes: true
            }
        );
        assert!(place("<style>a::after{content:'trueconf:a'}</style>", "trueconf:").is_none());
        let p = place("<div data-title=\"trueconf:a\">", "trueconf:").unwrap();
        assert!(!p.explicit);
    }

    /// Tags that never close, and one tag with very many attributes, are
    /// each read once: 100 000 of them classify in well under a second
    /// (read to the end of the document each, they took minutes).
    #[test]
    fn raw_region_openers_in_any_case_among_other_tags() {
        let text =
            "<span><strong>x</strong><s>y</s><scripts><SCRIPT>a</SCRIPT><Style >b</style><!--c-->";
        let mut found = Vec::new();
        let mut from = 0;
        while let Some((start, end)) = find_opener(text.as_bytes(), from) {
            found.push(&text[start..end]);
            from = end;
        }
        // `<scripts>` is found here and rejected by the caller, which
        // checks the byte after the name.
        assert_eq!(found, ["<script", "<SCRIPT", "<Style", "<!--"]);
        for (src, hidden) in [
            (
                "<span>trueconf:a</span><SCRIPT>// trueconf:b\n</SCRIPT>",
                "trueconf:b",
            ),
            (
                "<sup>1</sup><Style>a{b:url(trueconf:c)}</Style>",
                "trueconf:c",
            ),
            ("<s>x</s><!-- <a href=\"trueconf:d\"> -->", "trueconf:d"),
        ] {
            let at = src.find(hidden).unwrap();
            let mut html = Html::new(src);
            let p = html.place(at);
            assert!(p.is_none_or(|p| p.context == Context::Text), "{src}: {p:?}");
        }
    }

    #[test]
    fn unclosed_tags_and_long_tags_are_linear() {
        let started = std::time::Instant::now();
        let unclosed = "<a trueconf:x ".repeat(100_000) + "<a x=y<a href=\"trueconf:a\">";
        let mut html = Html::new(&unclosed);
        let mut last = None;
        for (at, _) in unclosed.match_indices("trueconf:") {
            last = html.place(at);
        }
        let p = last.unwrap();
        assert_eq!(p.context, Context::HtmlAttribute { quote: Some(b'"') });
        assert!(p.explicit);
        let long = format!("<a {}>", "x=trueconf:x ".repeat(100_000));
        let mut html = Html::new(&long);
        for (at, _) in long.match_indices("trueconf:") {
            let p = html.place(at).unwrap();
            assert_eq!(p.context, Context::HtmlAttribute { quote: None });
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn deep_nesting_is_linear() {
        let mut src = "<div>".repeat(50_000);
        src.push_str("<a href=\"trueconf:a\">");
        let p = place(&src, "trueconf:").unwrap();
        assert_eq!(p.context, Context::HtmlAttribute { quote: Some(b'"') });
    }
}
