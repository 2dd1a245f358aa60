//! Markdown, classified line by line: fenced code blocks (scanned as their
//! language when it is known), code spans, link destinations, autolinks,
//! reference definitions, raw HTML attributes and prose.

use std::sync::Arc;

use super::code::Lang;
use super::decode::Decode;
use super::html::{Html, is_link_attribute};
use super::place::{Context, Joins, Place, prose_place};
use super::rst::{Host, Sub, host_of};

#[derive(Clone, Copy, Debug)]
struct Fence {
    ch: u8,
    len: usize,
    host: Option<Host>,
    /// Offset where the block's content starts.
    content: usize,
}

/// The start of the first line starting at or after `from` that may open
/// or close a fence: up to three spaces, then ```` ``` ```` or `~~~` (what
/// the regex `(?m)^ {0,3}(?:```|~~~)` finds, by a search for the fence
/// characters instead, several times faster on big documents).
fn find_fence_line(text: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    while let Some(i) = memchr::memchr2(b'`', b'~', text.get(at..)?).map(|i| at + i) {
        let c = text[i];
        if text.get(i + 1) == Some(&c) && text.get(i + 2) == Some(&c) {
            let spaces = text[..i]
                .iter()
                .rev()
                .take(4)
                .take_while(|&&b| b == b' ')
                .count();
            let start = i - spaces;
            if spaces <= 3 && start >= from && (start == 0 || text[start - 1] == b'\n') {
                return Some(start);
            }
            // No fence line starts on this line before the run ends.
            at = i + 3;
            while text.get(at) == Some(&c) {
                at += 1;
            }
        } else {
            at = i + 1;
        }
    }
    None
}

/// End (before the break) and the start of the next line, for the line of
/// `text` holding `at`.
fn line_end_from(text: &str, at: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let end = memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i);
    let next = if end < bytes.len() && bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n') {
        end + 2
    } else {
        (end + 1).min(bytes.len())
    };
    (end, next)
}

pub struct Markdown<'t> {
    text: &'t str,
    /// Start and end (before the line break) of the line being looked at.
    line_start: usize,
    line_end: usize,
    /// Start of the next line.
    next_line: usize,
    /// The open fence, if the current line is inside one.
    fence: Option<Fence>,
    /// Whether the current line is a fence's opening or closing line.
    fence_line: bool,
    /// Start of the next line that may be a fence line, not yet applied.
    next_fence: Option<usize>,
    lexer: Option<(usize, Sub<'t>)>,
    /// Backticks counted on the current line up to `ticks_to`.
    ticks: usize,
    ticks_to: usize,
    /// On the current line, the first backtick at or after offset `.0` is
    /// at `.1` (`line_end` if none): code spans hold one search for it.
    next_tick: (usize, usize),
    /// The last `<!--` of the current line before `comment_to` (where it
    /// starts), and whether a `-->` closes it before `comment_to`.
    comment: Option<(usize, bool)>,
    comment_to: usize,
    /// The lines that may open or close a fence, when known (sorted):
    /// then they are not searched for.
    known_fences: Option<&'t [usize]>,
    /// The blocks those lines make, when known: then the fence lines
    /// between two lines read are not applied one by one.
    known_blocks: Option<&'t [(usize, usize)]>,
    /// Whether raw HTML's event handlers and `javascript:` URLs hold
    /// JavaScript (not in MDX, whose tags are JSX, with raw strings).
    html_scripts: bool,
    /// The HTML reader of the line starting at `.0`, if it has a tag, and
    /// the line's code spans.
    line_html: Option<(usize, LineHtml<'t>)>,
}

/// A line's HTML reader, its code spans, and the last tag asked about with
/// whether a backslash escapes its `<`.
type LineHtml<'t> = Option<(Box<Html<'t>>, Vec<(usize, usize)>, (usize, bool))>;

impl<'t> Markdown<'t> {
    pub fn new(text: &'t str) -> Self {
        Markdown::with_fences(text, None)
    }

    /// A reader of `text` whose fences are `fences` (its [`FenceMap`]), if
    /// given: then they are not searched for.
    pub fn with_fences(text: &'t str, fences: Option<&'t FenceMap>) -> Self {
        let mut m = Markdown {
            known_fences: fences.map(|f| &f.lines[..]),
            known_blocks: fences.map(|f| &f.blocks[..]),
            text,
            line_start: 0,
            line_end: 0,
            next_line: 0,
            fence: None,
            fence_line: false,
            next_fence: None,
            lexer: None,
            ticks: 0,
            ticks_to: 0,
            next_tick: (usize::MAX, 0),
            comment: None,
            comment_to: 0,
            html_scripts: true,
            line_html: None,
        };
        m.next_fence = m.find_fence(0);
        m.enter_line(0);
        m
    }

    fn find_fence(&self, from: usize) -> Option<usize> {
        match self.known_fences {
            Some(lines) => lines.get(lines.partition_point(|&l| l < from)).copied(),
            None => find_fence_line(self.text.as_bytes(), from),
        }
    }

    /// End (before the break) and the start of the next line, for the line
    /// holding `at`.
    fn line_end_from(&self, at: usize) -> (usize, usize) {
        line_end_from(self.text, at)
    }

    /// Makes the line starting at `start` the current one, applying every
    /// fence line before it (found by one literal search, not line by line).
    fn enter_line(&mut self, start: usize) {
        if let Some(blocks) = self.known_blocks {
            if self.next_fence.is_some_and(|f| f < start) {
                // Where the fence lines before `start` leave the reader:
                // inside the block holding `start` (past its opening line),
                // else outside any.
                self.fence = None;
                let i = blocks.partition_point(|&(s, _)| s < start);
                if let Some(&(s, e)) = i.checked_sub(1).map(|i| &blocks[i]) {
                    if start < e {
                        let (end, next) = self.line_end_from(s);
                        self.fence_transition(s, end, next);
                    }
                }
                self.next_fence = self.find_fence(start);
            }
        }
        while let Some(f) = self.next_fence.filter(|&f| f < start) {
            let (end, next) = self.line_end_from(f);
            self.fence_transition(f, end, next);
            self.next_fence = self.find_fence(next.max(f + 1));
        }
        let (end, next) = self.line_end_from(start);
        self.line_start = start;
        self.line_end = end;
        self.next_line = next;
        self.ticks = 0;
        self.ticks_to = start;
        self.next_tick = (usize::MAX, 0);
        self.comment = None;
        self.comment_to = start;
        self.fence_line = false;
        if self.next_fence == Some(start) {
            self.fence_line = self.fence_transition(start, end, next);
            self.next_fence = self.find_fence(next.max(start + 1));
        }
    }

    /// Applies the line `start..end` if it opens or closes a fence; says
    /// whether it did.
    fn fence_transition(&mut self, start: usize, end: usize, next: usize) -> bool {
        let line = &self.text[start..end];
        let indent = line.len() - line.trim_start_matches(' ').len();
        let trimmed = &line[indent..];
        if indent > 3 {
            return false;
        }
        let ch = match trimmed.as_bytes().first() {
            Some(&c @ (b'`' | b'~')) => c,
            _ => return false,
        };
        let run = trimmed.bytes().take_while(|&b| b == ch).count();
        if run < 3 {
            return false;
        }
        match self.fence {
            Some(f) if f.ch == ch && run >= f.len && trimmed[run..].trim().is_empty() => {
                self.fence = None;
                true
            }
            Some(_) => false,
            None => {
                let info = trimmed[run..].trim();
                if ch == b'`' && info.contains('`') {
                    return false;
                }
                self.fence = Some(Fence {
                    ch,
                    len: run,
                    host: fence_host(info),
                    content: next,
                });
                true
            }
        }
    }

    /// The start of the line that closes the fence `f` (or the end of the
    /// text).
    fn fence_close(&self, f: Fence) -> usize {
        let mut from = f.content;
        while let Some(line) = self.find_fence(from) {
            let (end, next) = self.line_end_from(line);
            let trimmed = self.text[line..end].trim_start_matches(' ');
            let run = trimmed.bytes().take_while(|&b| b == f.ch).count();
            if run >= f.len && trimmed[run..].trim().is_empty() {
                return line;
            }
            from = next.max(line + 1);
        }
        self.text.len()
    }

    /// Is `at` inside an HTML comment that opens on its line (`<!-- … -->`),
    /// outside code spans and fenced code? Offsets must not decrease from one
    /// call to the next (shared with [`Markdown::place`]).
    pub fn in_comment(&mut self, at: usize) -> bool {
        self.go_to(at);
        if self.fence_line || self.fence.is_some() {
            return false;
        }
        let bytes = self.text.as_bytes();
        self.ticks += memchr::memchr_iter(b'`', &bytes[self.ticks_to..at]).count();
        self.ticks_to = at;
        if self.ticks % 2 == 1 {
            return false;
        }
        self.comment_up_to(at);
        matches!(self.comment, Some((_, false)))
    }

    /// Brings `comment` up to date for the current line up to `at`, looking
    /// at each byte of the line a bounded number of times.
    fn comment_up_to(&mut self, at: usize) {
        if at <= self.comment_to {
            return;
        }
        let bytes = self.text.as_bytes();
        // A marker may straddle the previous end: look back three bytes.
        let from = self.comment_to.saturating_sub(3).max(self.line_start);
        let fresh = &bytes[from..at];
        if let Some(open) = memchr::memmem::rfind(fresh, b"<!--") {
            let open = from + open;
            let closed = memchr::memmem::find(&bytes[open + 4..at], b"-->").is_some();
            self.comment = Some((open, closed));
        } else if let Some((open, false)) = self.comment {
            let from = from.max(open + 4);
            let closed = memchr::memmem::find(&bytes[from..at], b"-->").is_some();
            self.comment = Some((open, closed));
        }
        self.comment_to = at;
    }

    /// The first backtick at or after `at` on the current line, or the
    /// line's end.
    fn next_tick(&mut self, at: usize) -> usize {
        let (from, found) = self.next_tick;
        if from <= at && at <= found {
            return found;
        }
        let bytes = self.text.as_bytes();
        let found =
            memchr::memchr(b'`', &bytes[at..self.line_end]).map_or(self.line_end, |i| at + i);
        self.next_tick = (at, found);
        found
    }

    fn go_to(&mut self, at: usize) {
        if at < self.next_line || self.next_line <= self.line_end {
            return;
        }
        // The line holding `at` starts after the last break before it.
        let bytes = self.text.as_bytes();
        let from = self.line_end;
        let start = memchr::memrchr2(b'\n', b'\r', &bytes[from..at]).map_or(from, |i| from + i + 1);
        self.enter_line(start.max(self.next_line));
    }

    /// The same reader for MDX, whose tags are JSX: their attribute strings
    /// are raw, never JavaScript.
    pub(super) fn without_html_scripts(mut self) -> Self {
        self.html_scripts = false;
        self
    }

    /// Is the line last looked at part of a fenced code block (MDX keeps
    /// its own reading out of them)?
    pub(super) fn in_fence(&self) -> bool {
        self.fence_line || self.fence.is_some()
    }

    pub fn place(&mut self, at: usize) -> Option<Place> {
        self.go_to(at);
        let line_end = self.line_end;
        if self.fence_line {
            return None;
        }
        if let Some(f) = self.fence {
            let Some(host) = f.host else {
                return Some(prose_place(
                    Context::MarkdownCode,
                    Decode::None,
                    line_end,
                    None,
                ));
            };
            if self.lexer.as_ref().is_none_or(|(s, _)| *s != f.content) {
                // The HTML reader looks ahead (for `<script>`, comments):
                // it stops at the fence's closing line.
                let to = match host {
                    Host::Html | Host::Code(Lang::Php) => self.fence_close(f),
                    _ => self.text.len(),
                };
                self.lexer = Some((f.content, Sub::new(self.text, host, f.content, to)));
            }
            let (_, lexer) = self.lexer.as_mut()?;
            let mut place = lexer.place(at)?;
            // A string that a line continuation carries on (JavaScript,
            // Python, double-quoted YAML …) may go on to the next lines of
            // the block, never past its closing fence.
            place.limit = if place.limit > line_end {
                place.limit.min(self.fence_close(f))
            } else {
                place.limit.min(line_end)
            };
            return Some(place);
        }
        let bytes = self.text.as_bytes();
        self.ticks += memchr::memchr_iter(b'`', &bytes[self.ticks_to..at]).count();
        self.ticks_to = at;
        // Raw HTML first: a tag that starts outside a code span holds its
        // backticks (`onclick="go(`trueconf:…`)"`).
        let raw = bytes.get(at..at + 9).is_some_and(|w| {
            w[8] == b':'
                && (w[..8].eq_ignore_ascii_case(b"trueconf")
                    || w[..8].eq_ignore_ascii_case(b"visicall"))
        });
        if let Some(place) = self.html_place(at, !raw) {
            return Some(place);
        }
        let bytes = self.text.as_bytes();
        if self.ticks % 2 == 1 {
            let limit = self.next_tick(at);
            return Some(prose_place(
                Context::MarkdownCode,
                Decode::None,
                limit,
                None,
            ));
        }
        let before = &bytes[self.line_start..at];
        let prev = before.last().copied();
        let prev2 = before.len().checked_sub(2).map(|i| before[i]);
        let explicit = |context| Place {
            context,
            decode: Decode::Markdown,
            limit: line_end,
            explicit: true,
            opened_by: None,
            joins: Joins::No,
            host: None,
        };
        if is_reference_definition_prefix(&self.text[self.line_start..at]) {
            return Some(explicit(if prev == Some(b'<') {
                Context::MarkdownAngleDestination
            } else {
                Context::MarkdownDestination
            }));
        }
        match (prev2, prev) {
            (Some(b']'), Some(b'(')) => return Some(explicit(Context::MarkdownDestination)),
            (Some(b'('), Some(b'<')) if before.len() >= 3 && before[before.len() - 3] == b']' => {
                return Some(explicit(Context::MarkdownAngleDestination));
            }
            (_, Some(b'<')) => {
                let mut p = explicit(Context::MarkdownAutolink);
                p.decode = Decode::None;
                return Some(p);
            }
            (Some(b'='), Some(q @ (b'"' | b'\''))) => {
                let name_end = before.len() - 2;
                let name_start = before[..name_end]
                    .iter()
                    .rposition(|b| b.is_ascii_whitespace() || *b == b'<')
                    .map_or(0, |i| i + 1);
                let name = &self.text[self.line_start + name_start..self.line_start + name_end];
                let limit = memchr::memchr(q, &bytes[at..line_end]).map_or(line_end, |i| at + i);
                return Some(Place {
                    context: Context::HtmlAttribute { quote: Some(q) },
                    decode: Decode::Entities,
                    limit,
                    explicit: is_link_attribute(name),
                    opened_by: None,
                    joins: Joins::No,
                    host: None,
                });
            }
            _ => {}
        }
        Some(prose_place(Context::Text, Decode::Markdown, line_end, None))
    }
}

impl Markdown<'_> {
    /// A link at `at` in a JavaScript string of raw HTML on its line (an
    /// event handler, a `javascript:` URL, a framework binding, a
    /// `<script>` element opened and closed on the line), or in an
    /// attribute value when its scheme is written with character
    /// references: placed as the HTML reader, reading the line, places it
    /// (§7, the innermost host decides). Raw HTML is a tag closed on the
    /// line, starting outside code spans, not escaped (`\<`), on a line
    /// that is not indented code. `None` elsewhere: the line's own reading
    /// stands.
    fn html_place(&mut self, at: usize, by_reference: bool) -> Option<Place> {
        if !self.html_scripts {
            return None;
        }
        let bytes = self.text.as_bytes();
        if self
            .line_html
            .as_ref()
            .is_none_or(|(s, _)| *s != self.line_start)
        {
            // One reader per line, and only for a line with a tag, not
            // indented as code (four spaces or a tab).
            let line = &bytes[self.line_start..self.line_end];
            let indent = line.iter().take_while(|&&b| b == b' ').count();
            let code = indent >= 4 || line.get(indent) == Some(&b'\t');
            let has_tag = !code
                && memchr::memchr_iter(b'<', line)
                    .any(|i| line.get(i + 1).is_some_and(u8::is_ascii_alphabetic));
            // A backtick run the line does not close may close a code span
            // of the line before, or open one that goes on: the line's
            // tags may all be code, so none is read.
            let spans = has_tag.then(|| code_spans(line, self.line_start)).flatten();
            let reader = spans.map(|spans| {
                let html = Html::ranged(self.text, self.line_start, self.line_end);
                (Box::new(html), spans, (usize::MAX, false))
            });
            self.line_html = Some((self.line_start, reader));
        }
        let (html, spans, escaped_tag) = self.line_html.as_mut()?.1.as_mut()?;
        let place = html.place(at)?;
        let wanted = match place.context {
            Context::ScriptString { .. } => true,
            Context::StringLiteral { quote, .. } => quote != b'\n',
            Context::HtmlAttribute { .. } => by_reference,
            _ => false,
        };
        if !wanted {
            return None;
        }
        let (tag, closed) = html.holder(at)?;
        // Counted once per tag (a run of backslashes before a tag that
        // holds many links is not counted again for each).
        let escaped = match *escaped_tag {
            (t, escaped) if t == tag => escaped,
            _ => {
                let run = bytes[self.line_start..tag]
                    .iter()
                    .rev()
                    .take_while(|&&b| b == b'\\')
                    .count();
                *escaped_tag = (tag, run % 2 == 1);
                run % 2 == 1
            }
        };
        let i = spans.partition_point(|&(start, _)| start <= tag);
        let in_span = i > 0 && tag < spans[i - 1].1;
        (closed && !escaped && !in_span).then_some(place)
    }
}

/// The code spans of a line (CommonMark: a run of backticks opens one that
/// the next run of the same length closes), as offsets from `base`, in
/// order; `None` when a run is left unclosed (on the line alone it would be
/// literal, but it may belong to a span that a line before or after opens
/// or closes).
fn code_spans(line: &[u8], base: usize) -> Option<Vec<(usize, usize)>> {
    let mut runs = Vec::new();
    let mut at = 0;
    while let Some(i) = memchr::memchr(b'`', &line[at..]) {
        let start = at + i;
        let len = line[start..].iter().take_while(|&&b| b == b'`').count();
        runs.push((start, len));
        at = start + len;
    }
    // For each run, the next run of the same length.
    let mut next_same = vec![usize::MAX; runs.len()];
    let mut last_of_len: std::collections::HashMap<usize, usize> = Default::default();
    for (i, &(_, len)) in runs.iter().enumerate().rev() {
        if let Some(&j) = last_of_len.get(&len) {
            next_same[i] = j;
        }
        last_of_len.insert(len, i);
    }
    let mut spans = Vec::new();
    let mut i = 0;
    while i < runs.len() {
        match next_same[i] {
            usize::MAX => return None,
            j => {
                let (close, len) = runs[j];
                spans.push((base + runs[i].0, base + close + len));
                i = j + 1;
            }
        }
    }
    Some(spans)
}

/// What decides whether a line that may open or close a fence does (see
/// [`Markdown::fence_transition`]), read once from the line so that the
/// blocks can be worked out again after an edit without reading the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FenceShape {
    /// The fence character, `0` when the line is no fence line at all.
    ch: u8,
    /// How many of it open the line (after up to three spaces).
    run: usize,
    /// Nothing but white space follows the run: it may close a fence.
    bare: bool,
    /// No backtick in the info string of a backtick fence: it may open one.
    opens: bool,
    /// From the line's start to the start of the next line.
    len: usize,
}

impl FenceShape {
    fn read(text: &str, start: usize) -> FenceShape {
        let (end, next) = line_end_from(text, start);
        let line = &text[start..end];
        let indent = line.len() - line.trim_start_matches(' ').len();
        let trimmed = &line[indent..];
        let ch = match trimmed.as_bytes().first() {
            Some(&c @ (b'`' | b'~')) if indent <= 3 => c,
            _ => 0,
        };
        let run = trimmed.bytes().take_while(|&b| b == ch).count();
        let rest = trimmed[run..].trim();
        FenceShape {
            ch: if run < 3 { 0 } else { ch },
            run,
            bare: rest.is_empty(),
            opens: !(ch == b'`' && rest.contains('`')),
            len: next - start,
        }
    }
}

/// Where the fenced code blocks of a Markdown text are, for re-scanning
/// part of it: outside these blocks every line is classified on its own,
/// and a block is classified from its opening line on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FenceMap {
    /// The start of every line that may open or close a fence (what
    /// [`find_fence_line`] finds), whether it does or not.
    pub lines: Vec<usize>,
    /// Each block as (start of its opening line, start of the line after
    /// its closing line); a block left open ends with the text, whatever
    /// its length: `usize::MAX`.
    pub blocks: Vec<(usize, usize)>,
    /// What each of `lines` is (shared: an edit off the fence lines moves
    /// the lines, not what they are).
    shapes: Arc<[FenceShape]>,
}

impl FenceMap {
    /// The fences of `text`, found as [`Markdown`] finds them.
    pub fn new(text: &str) -> FenceMap {
        let mut lines = Vec::new();
        let mut at = 0;
        while let Some(f) = find_fence_line(text.as_bytes(), at) {
            lines.push(f);
            let (_, next) = line_end_from(text, f);
            at = next.max(f + 1);
        }
        FenceMap::from_lines(text, lines)
    }

    /// The fences of `text` whose lines that may open or close a fence are
    /// `lines` (sorted, as [`find_fence_line`] finds them).
    pub fn from_lines(text: &str, lines: Vec<usize>) -> FenceMap {
        let shapes = lines.iter().map(|&l| FenceShape::read(text, l)).collect();
        FenceMap::from_shapes(lines, shapes)
    }

    /// The blocks the fence lines make, as [`Markdown::fence_transition`]
    /// opens and closes them one line after the other.
    fn from_shapes(lines: Vec<usize>, shapes: Arc<[FenceShape]>) -> FenceMap {
        let mut blocks = Vec::new();
        // The open block: where it starts, its character and run.
        let mut open: Option<(usize, u8, usize)> = None;
        for (&f, shape) in lines.iter().zip(shapes.iter()) {
            if shape.ch == 0 {
                continue;
            }
            match open {
                Some((start, ch, run)) if shape.ch == ch && shape.run >= run && shape.bare => {
                    blocks.push((start, f + shape.len));
                    open = None;
                }
                None if shape.opens => open = Some((f, shape.ch, shape.run)),
                _ => {}
            }
        }
        if let Some((start, _, _)) = open {
            blocks.push((start, usize::MAX));
        }
        FenceMap {
            lines,
            blocks,
            shapes,
        }
    }

    /// The fences of `text`, an edited version of the text this map is of:
    /// its lines `from..to` (`from` a line start, `to` one or the end) were
    /// replaced by lines holding the fence lines `found` (offsets into
    /// `text`), and what followed moved by `shift` bytes. The lines off the
    /// edit are not read again.
    pub fn edited(
        &self,
        text: &str,
        from: usize,
        to: usize,
        found: &[usize],
        shift: isize,
    ) -> FenceMap {
        let before = self.lines.partition_point(|&l| l < from);
        let after = self.lines.partition_point(|&l| l < to);
        let n = before + found.len() + self.lines.len() - after;
        let mut lines = Vec::with_capacity(n);
        let mut shapes = Vec::with_capacity(n);
        lines.extend_from_slice(&self.lines[..before]);
        shapes.extend_from_slice(&self.shapes[..before]);
        for &l in found {
            lines.push(l);
            shapes.push(FenceShape::read(text, l));
        }
        lines.extend(
            self.lines[after..]
                .iter()
                .map(|&l| l.wrapping_add_signed(shift)),
        );
        shapes.extend_from_slice(&self.shapes[after..]);
        FenceMap::from_shapes(lines, shapes.into())
    }

    /// The map of `text[from..to]`, where `from` starts a line outside any
    /// block: its lines and blocks, as offsets into that part.
    pub fn part(&self, from: usize, to: usize) -> FenceMap {
        let (a, b) = (
            self.lines.partition_point(|&l| l < from),
            self.lines.partition_point(|&l| l < to),
        );
        let (c, d) = (
            self.blocks.partition_point(|&(s, _)| s < from),
            self.blocks.partition_point(|&(s, _)| s < to),
        );
        let local = |x: usize| if x == usize::MAX { x } else { x - from };
        FenceMap {
            lines: self.lines[a..b].iter().map(|&l| l - from).collect(),
            blocks: self.blocks[c..d]
                .iter()
                .map(|&(s, e)| (s - from, local(e)))
                .collect(),
            shapes: self.shapes[a..b].into(),
        }
    }

    /// The lines that may open or close a fence in `text` (which starts at
    /// a line start), as offsets into it.
    pub fn lines_in(text: &str) -> Vec<usize> {
        FenceMap::new(text).lines
    }

    /// Does any line that may open or close a fence start in `from..to`?
    pub fn has_line_in(&self, from: usize, to: usize) -> bool {
        let i = self.lines.partition_point(|&l| l < from);
        self.lines.get(i).is_some_and(|&l| l < to)
    }

    /// The block whose lines hold the offset `at`, if any.
    pub fn block_at(&self, at: usize) -> Option<(usize, usize)> {
        let i = self.blocks.partition_point(|&(start, _)| start <= at);
        let &(start, end) = self.blocks.get(i.checked_sub(1)?)?;
        (at < end).then_some((start, end))
    }

    /// Moves what follows an edit that ended at `from` by `by` bytes: the
    /// lines and blocks starting at or after it, and the ends of blocks
    /// after it (a block that ends where the edit starts ends before it).
    pub fn shift(&mut self, from: usize, by: isize) {
        let moved = |x: usize| x.wrapping_add_signed(by);
        for l in &mut self.lines {
            if *l >= from {
                *l = moved(*l);
            }
        }
        for (start, end) in &mut self.blocks {
            if *start >= from {
                *start = moved(*start);
            }
            if *end > from && *end != usize::MAX {
                *end = moved(*end);
            }
        }
    }
}

/// Does a line of `text` that may open or close a fence start in it
/// (`text` starting at a line start)?
pub fn has_fence_line(text: &str) -> bool {
    find_fence_line(text.as_bytes(), 0).is_some()
}

/// `[label]: ` (up to three spaces of indent), optionally followed by `<`.
fn is_reference_definition_prefix(prefix: &str) -> bool {
    if prefix.len() > 1024 {
        return false;
    }
    let indent = prefix.len() - prefix.trim_start_matches(' ').len();
    let rest = &prefix[indent..];
    if indent > 3 || !rest.starts_with('[') {
        return false;
    }
    let Some(close) = rest.find("]:") else {
        return false;
    };
    let label = &rest[1..close];
    let tail = rest[close + 2..].trim_start_matches([' ', '\t']);
    !label.is_empty() && !label.contains(']') && (tail.is_empty() || tail == "<")
}

/// The syntax a fence's info string names (its first word, as
/// [`super::code::Lang::from_fence_info`] reads it): a command language (`sh`, `bat`,
/// `powershell` …) is read as a command line, as in reStructuredText.
fn fence_host(info: &str) -> Option<Host> {
    let word = info
        .trim_start_matches('{')
        .split(|c: char| c.is_whitespace() || c == ',' || c == '}')
        .next()
        .unwrap_or("")
        .trim_start_matches('.');
    host_of(word)
}

#[cfg(test)]
mod tests {
    /// The search finds what the regex it replaces finds, from any offset.
    #[test]
    fn fence_search_matches_the_regex() {
        let re = regex::bytes::RegexBuilder::new(r"(?m)^ {0,3}(?:```|~~~)")
            .unicode(false)
            .build()
            .unwrap();
        let pieces: [&[u8]; 9] = [
            b" ",
            b"`",
            b"~",
            b"\n",
            b"\r",
            b"a",
            b"``",
            b"~~",
            b"\xc3\xa9",
        ];
        let mut rng = crate::test_rng::Rng::new(0x9e37_79b9_7f4a_7c15u64);
        let mut next = |n: usize| rng.below(n);
        for _ in 0..3000 {
            let mut text = Vec::new();
            for _ in 0..next(40) {
                text.extend_from_slice(pieces[next(pieces.len())]);
            }
            for from in 0..=text.len() {
                assert_eq!(
                    super::find_fence_line(&text, from),
                    re.find_at(&text, from).map(|m| m.start()),
                    "{:?} from {from}",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    use super::*;

    fn ctx(src: &str, needle: &str) -> Option<Context> {
        let at = src.find(needle).expect("needle");
        Markdown::new(src).place(at).map(|p| p.context)
    }

    /// A block's code is read from its first line: an unclosed tag in the
    /// prose before it (`<a href="`) does not make a string of the block a
    /// JSX attribute value (the reading a re-lint of the block alone gives).
    #[test]
    fn a_fence_is_not_read_into_the_prose_before_it() {
        let string = Some(Context::StringLiteral {
            quote: b'"',
            escapes: true,
        });
        for before in [
            "",
            "a\n",
            "a <a href=\"\n",
            "a <a href=\"\r\n\n",
            "<b c=\"\n",
        ] {
            let src = format!("{before}```js\nx=\"trueconf:bob\n```\n");
            assert_eq!(ctx(&src, "trueconf:"), string, "{src:?}");
        }
        // In the block, a tag opened on an earlier line of the block is JSX.
        assert_eq!(
            ctx("```jsx\n<a\n  href=\"trueconf:bob\">\n```\n", "trueconf:"),
            Some(Context::HtmlAttribute { quote: Some(b'"') })
        );
    }

    #[test]
    fn contexts() {
        let dest = Some(Context::MarkdownDestination);
        let angle = Some(Context::MarkdownAngleDestination);
        assert_eq!(ctx("see [x](trueconf:a)", "trueconf:"), dest);
        assert_eq!(ctx("see [x](<trueconf:a>)", "trueconf:"), angle);
        assert_eq!(ctx("[ref]: trueconf:a", "trueconf:"), dest);
        assert_eq!(ctx("  [ref]: <trueconf:a>", "trueconf:"), angle);
        assert_eq!(
            ctx("see <trueconf:a>", "trueconf:"),
            Some(Context::MarkdownAutolink)
        );
        assert_eq!(
            ctx("see `trueconf:a`", "trueconf:"),
            Some(Context::MarkdownCode)
        );
        assert_eq!(ctx("`x` see trueconf:a", "trueconf:"), Some(Context::Text));
        assert_eq!(
            ctx("```\ntrueconf:a\n```", "trueconf:"),
            Some(Context::MarkdownCode)
        );
        assert_eq!(
            ctx("```js\nlet x = \"trueconf:a\";\n```", "trueconf:"),
            Some(Context::StringLiteral {
                quote: b'"',
                escapes: true
            })
        );
        assert_eq!(
            ctx("```\nx\n```\ntrueconf:a", "trueconf:"),
            Some(Context::Text)
        );
        assert_eq!(
            ctx("<a href=\"trueconf:a\">", "trueconf:"),
            Some(Context::HtmlAttribute { quote: Some(b'"') })
        );
    }
}
