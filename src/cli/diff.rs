//! `--diff`: the fixes as a unified diff, with every password shown as `***`
//! on both sides and control characters (but tabs and line ends) escaped
//! as `\u{1b}`: no file name or line can drive the terminal or the CI log
//! it is shown in. A hunk with either is a view, not a patch.

use std::borrow::Cow;
use std::fmt::Write as _;

use similar::udiff::UnifiedHunkHeader;
use similar::{Algorithm, ChangeTag, DiffOp, DiffableStr, capture_diff_slices, group_diff_ops};

use crate::text::Span;

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// Byte offset of each of `lines` in the text they were cut from.
fn offsets(lines: &[&str]) -> Vec<usize> {
    let mut out = Vec::with_capacity(lines.len());
    let mut at = 0;
    for l in lines {
        out.push(at);
        at += l.len();
    }
    out
}

/// `line`, which starts at byte `base` of its text, with the parts inside
/// `secrets` replaced by `***`.
pub fn redact<'a>(line: &'a str, base: usize, secrets: &[Span]) -> Cow<'a, str> {
    let end = base + line.len();
    let mut hits: Vec<Span> = secrets
        .iter()
        .filter(|s| s.start < end && s.end > base && !s.is_empty())
        .copied()
        .collect();
    if hits.is_empty() {
        return Cow::Borrowed(line);
    }
    hits.sort();
    // A secret that runs on to the next line (a string continued with a
    // backslash) is cut at this line's end: the line break stays.
    let body = line
        .strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .unwrap_or(line)
        .len();
    let mut out = String::with_capacity(line.len());
    let mut last = 0;
    for s in hits {
        let a = crate::text::floor_char_boundary(line, s.start.saturating_sub(base)).min(body);
        let b = s.end.saturating_sub(base).min(body).max(a);
        if a < last {
            last = last.max(b);
            continue;
        }
        out.push_str(&line[last..a]);
        out.push_str("***");
        last = b;
        while !line.is_char_boundary(last) {
            last += 1;
        }
    }
    out.push_str(&line[last..]);
    Cow::Owned(out)
}

/// `line` (with its line end) onto `out`, every character
/// [`crate::text::is_unsafe_to_print`] but a tab and a `\n` or `\r\n` line
/// end escaped (a lone CR too: a terminal would return over the line).
fn push_escaped(out: &mut String, line: &str) {
    let body = line
        .strip_suffix("\r\n")
        .or_else(|| line.strip_suffix('\n'))
        .unwrap_or(line);
    for c in body.chars() {
        if c != '\t' && crate::text::is_unsafe_to_print(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out.push_str(&line[body.len()..]);
}

/// The line diff of `old` and `new`. Fixes change lines in place: when
/// both have as many lines, line `i` of one is line `i` of the other, and
/// the diff is read off in one pass (Myers' diff of 5,000 changed lines
/// took 35 s in a debug build: its cost grows with the lines times the
/// changes). Otherwise, Myers' diff as `similar` makes it.
fn line_ops(old: &[&str], new: &[&str]) -> Vec<DiffOp> {
    if old.len() != new.len() {
        return capture_diff_slices(Algorithm::Myers, old, new);
    }
    let mut ops = Vec::new();
    let mut i = 0;
    while i < old.len() {
        let start = i;
        let same = old[i] == new[i];
        while i < old.len() && (old[i] == new[i]) == same {
            i += 1;
        }
        ops.push(if same {
            DiffOp::Equal {
                old_index: start,
                new_index: start,
                len: i - start,
            }
        } else {
            DiffOp::Replace {
                old_index: start,
                old_len: i - start,
                new_index: start,
                new_len: i - start,
            }
        });
    }
    ops
}

/// The unified diff from `old` to `new` of the file shown as `path`, or
/// `None` when they are equal. `old_secrets` and `new_secrets` are the
/// password spans of each text.
pub fn unified(
    path: &str,
    old: &str,
    new: &str,
    old_secrets: &[Span],
    new_secrets: &[Span],
) -> Option<String> {
    if old == new {
        return None;
    }
    // In order and apart, so each line looks only at the secrets near it
    // (a file of many lines with passwords was quadratic).
    let old_secrets = crate::merge_spans(Vec::new(), old_secrets);
    let new_secrets = crate::merge_spans(Vec::new(), new_secrets);
    let near = |secrets: &[Span], base: usize, len: usize| -> std::ops::Range<usize> {
        let lo = secrets.partition_point(|s| s.end <= base);
        let hi = secrets.partition_point(|s| s.start < base + len);
        lo..hi.max(lo)
    };
    let old_lines = old.tokenize_lines();
    let new_lines = new.tokenize_lines();
    let old_at = offsets(&old_lines);
    let new_at = offsets(&new_lines);
    let mut out = String::new();
    let path = crate::text::path_for_terminal(path);
    let _ = writeln!(out, "--- {path}\n+++ {path}");
    for group in group_diff_ops(line_ops(&old_lines, &new_lines), CONTEXT) {
        let _ = writeln!(out, "{}", UnifiedHunkHeader::new(&group));
        for change in group
            .iter()
            .flat_map(|op| op.iter_changes(&old_lines[..], &new_lines[..]))
        {
            let (sign, line) = match change.tag() {
                ChangeTag::Equal => (' ', change.value()),
                ChangeTag::Delete => ('-', change.value()),
                ChangeTag::Insert => ('+', change.value()),
            };
            let shown = match change.tag() {
                ChangeTag::Insert => {
                    let i = change.new_index().unwrap_or(0);
                    let r = near(&new_secrets, new_at[i], line.len());
                    redact(line, new_at[i], &new_secrets[r])
                }
                _ => {
                    let i = change.old_index().unwrap_or(0);
                    let r = near(&old_secrets, old_at[i], line.len());
                    redact(line, old_at[i], &old_secrets[r])
                }
            };
            out.push(sign);
            push_escaped(&mut out, &shown);
            if shown.ends_with('\r') {
                // A line that ends in a lone CR (shown escaped): a line of
                // the diff all the same, rather than one a terminal would
                // overwrite with the next.
                out.push('\n');
            } else if !shown.ends_with('\n') {
                out.push_str("\n\\ No newline at end of file\n");
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_both_sides_and_keeps_line_ends() {
        let old = "a\r\ntrueconf:x&password=hunter2\r\nb";
        let new = "a\r\ntrueconf:x&password=hunter2&encrypt=1\r\nb";
        let pw_old = old.find("hunter2").unwrap();
        let pw_new = new.find("hunter2").unwrap();
        let d = unified(
            "f.md",
            old,
            new,
            &[Span::new(pw_old, pw_old + 7)],
            &[Span::new(pw_new, pw_new + 7)],
        )
        .unwrap();
        assert_eq!(
            d,
            "--- f.md\n+++ f.md\n@@ -1,3 +1,3 @@\n a\r\n\
             -trueconf:x&password=***\r\n+trueconf:x&password=***&encrypt=1\r\n \
             b\n\\ No newline at end of file\n"
        );
        assert!(!d.contains("hunter2"));
        assert_eq!(unified("f", "x", "x", &[], &[]), None);
    }

    #[test]
    fn controls_are_escaped_but_tabs_and_line_ends() {
        let old = "\tk\x1b[2J\u{202e}\rx trueconf:x&&h=1\r\nend\n";
        let new = "\tk\x1b[2J\u{202e}\rx trueconf:x&h=1\r\nend\n";
        let d = unified("\x1b]0;t\x07\n::error file=a::b", old, new, &[], &[]).unwrap();
        assert_eq!(
            d,
            "--- \\u{1b}]0;t\\u{7}\\u{a}::error file=a::b\n\
             +++ \\u{1b}]0;t\\u{7}\\u{a}::error file=a::b\n\
             @@ -1,3 +1,3 @@\n \
             \tk\\u{1b}[2J\\u{202e}\\u{d}\n\
             -x trueconf:x&&h=1\r\n\
             +x trueconf:x&h=1\r\n \
             end\n"
        );
    }

    #[test]
    fn redact_handles_several_and_overlapping_spans() {
        let line = "p=ab q=cd\n";
        let base = 100;
        let spans = [
            Span::new(102, 104),
            Span::new(103, 104),
            Span::new(107, 109),
        ];
        assert_eq!(redact(line, base, &spans), "p=*** q=***\n");
        assert_eq!(redact(line, base, &[Span::new(5, 9)]), line);
        // A secret running on past the line's end keeps the line break.
        assert_eq!(redact("a=pw\\\n", 10, &[Span::new(12, 30)]), "a=***\n");
        assert_eq!(redact("a=pw\\\r\n", 10, &[Span::new(12, 30)]), "a=***\r\n");
        assert_eq!(redact("pw&b=1\n", 10, &[Span::new(2, 12)]), "***&b=1\n");
    }
}
