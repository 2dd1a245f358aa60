//! Code written inside a link in a code string, which no rule judges and
//! no fix edits (trueconf-uri.md §7: every edit stays inside the link's
//! innermost host).
//!
//! A link in a string literal or a command line may hold the program's own
//! code: an interpolation (`${a/b}`, `#{ok ? x : y}`, `$(basename /a/b)`,
//! Swift's `\(x)`, C#'s `{x}`), whose `/`, `#` and `&&` are operators, not
//! the link's syntax: a probe's safe fixes rewrote `${a/b}` as `${a%2fb}`
//! (a syntax error) and `${ok&&chat ? … : …}` as `${ok&chat …}` (another
//! value). Such an interpolation may also go on past where the link's
//! reading stopped (at a space or a quote inside it): an opener the link
//! does not close makes all of the link after it code.
//!
//! And in a printf format string (the link holds a conversion such as `%s`
//! or `%(name)s`), a `%` that a fix writes (`/` → `%2f`) would be read as
//! a conversion (`%2f` prints a float): such fixes are not offered there.

use crate::fix::Edit;
use crate::scan::DocKind;
use crate::text::Span;
use crate::uri;

use super::context::LinkCtx;
use super::diagnostic::{Diagnostic, Findings};

/// Spans of the decoded link `text` that are code: from an opener (`${`,
/// `$(`, `#{`, `\(`, `{`, `` ` ``) to after its matching closer, or to
/// `None` (the link's end) when the link does not close it.
pub fn code_regions(text: &str) -> Vec<(usize, Option<usize>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let next = b.get(i + 1).copied();
        let (open, close, from) = match (b[i], next) {
            (b'$', Some(b'{')) | (b'#', Some(b'{')) => (b'{', b'}', i + 1),
            (b'$', Some(b'(')) | (b'\\', Some(b'(')) => (b'(', b')', i + 1),
            (b'{', _) => (b'{', b'}', i),
            (b'`', _) => (b'`', b'`', i),
            _ => {
                i += 1;
                continue;
            }
        };
        let end = if open == close {
            memchr::memchr(close, &b[from + 1..]).map(|k| from + 1 + k + 1)
        } else {
            let mut depth = 0usize;
            let mut end = None;
            for (k, &c) in b.iter().enumerate().skip(from) {
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(k + 1);
                        break;
                    }
                }
            }
            end
        };
        out.push((i, end));
        match end {
            Some(e) => i = e,
            None => break,
        }
    }
    out
}

/// Does the decoded link `text` hold a printf conversion (`%s`, `%-5d`,
/// `%1$s`, `%(name)s`), so that the string is a format whose `%` must be
/// written `%%`?
pub fn has_printf_conversion(text: &str) -> bool {
    memchr::memchr_iter(b'%', text.as_bytes()).any(|i| uri::is_printf_conversion(text, i))
}

/// Keeps the findings a link's rules made (those after `mark`) out of its
/// code: a finding that lies in code is dropped, and a fix that would edit
/// code, or write a `%` into a printf format, is taken from its finding.
pub fn guard(ctx: &LinkCtx<'_>, mark: usize, out: &mut Findings) {
    let text: &str = &ctx.decoded.text;
    let printf = ctx.kind != DocKind::Cmd && has_printf_conversion(text);
    let regions = code_regions(text);
    if regions.is_empty() && !printf {
        return;
    }
    let base = ctx.raw.span.start;
    let link_end = ctx.raw.span.end;
    // In source offsets: start, end, and whether the link closes it.
    let regions: Vec<(usize, usize, bool)> = regions
        .iter()
        .map(|&(s, e)| {
            let start = base + ctx.decoded.to_source(s);
            match e {
                Some(e) => (start, base + ctx.decoded.to_source(e), true),
                None => (start, link_end, false),
            }
        })
        .collect();
    let in_code = |s: Span| {
        regions
            .iter()
            .any(|&(a, b, _)| a <= s.start && s.end <= b && s.start < b)
    };
    let edits_code = |e: &Edit| {
        regions.iter().any(|&(a, b, closed)| {
            if e.span.is_empty() {
                // An insertion: inside, or at the end of code the link
                // does not close.
                a < e.span.start && (e.span.start < b || !closed && e.span.start == b)
            } else {
                e.span.start < b && a < e.span.end
            }
        })
    };
    out.retain_since(mark, |d: &mut Diagnostic| {
        if in_code(d.span) {
            return false;
        }
        if let Some(fix) = &d.fix
            && fix
                .edits
                .iter()
                .any(|e| edits_code(e) || printf && e.content.contains('%'))
        {
            d.fix = None;
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_close_or_run_to_the_end() {
        assert_eq!(code_regions("trueconf:#rtsp:${a/b}x"), [(15, Some(21))]);
        assert_eq!(code_regions("a${x{y}}b#{c}"), [(1, Some(8)), (9, Some(13))]);
        assert_eq!(code_regions("bob@srv${ok&&chat?"), [(7, None)]);
        assert_eq!(code_regions("srv$(basename"), [(3, None)]);
        assert_eq!(code_regions("a\\(x/y)b"), [(1, Some(7))]);
        assert_eq!(code_regions("a`id`b{c"), [(1, Some(5)), (6, None)]);
        assert!(code_regions("trueconf:bob@srv&do=chat#x$HOME%s").is_empty());
    }

    #[test]
    fn printf_formats() {
        for s in ["x%sy", "%-5d", "%1$s", "%(host)s", "%v", "%lld"] {
            assert!(has_printf_conversion(s), "{s}");
        }
        for s in [
            "%2f", "%23vcs", "%USER%", "%~dp0", "%1", "50%", "%vcs", "%%",
        ] {
            assert!(!has_printf_conversion(s), "{s}");
        }
    }
}
