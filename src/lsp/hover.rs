//! Hover on a link: what it does step by step, a table of its parts, and
//! the problems found on it, as Markdown. Passwords appear only as `***`.

use tower_lsp_server::ls_types as lsp;

use super::document::Linted;
use crate::describe::{Description, SHOWN_CHARS, clip, describe};
use crate::rules::Diagnostic;
use crate::scan::RawLink;
use crate::uri::Link;

/// The link of `linted` under `offset`, if any.
pub fn link_at(linted: &Linted, offset: usize) -> Option<&RawLink> {
    linted
        .analysis
        .links
        .iter()
        .find(|l| l.span.start <= offset && offset < l.span.end)
}

/// Diagnostics of `linted` that lie on `link`.
pub fn problems_on<'a>(linted: &'a Linted, link: &RawLink) -> Vec<&'a Diagnostic> {
    linted
        .analysis
        .diagnostics
        .iter()
        .filter(|d| {
            d.span.overlaps(link.span)
                || (link.span.start <= d.span.start && d.span.start <= link.span.end)
        })
        .collect()
}

pub fn hover(linted: &Linted, offset: usize) -> Option<lsp::Hover> {
    let raw = link_at(linted, offset)?;
    let decoded = raw.decoded(&linted.text);
    let link = Link::parse(&decoded.text);
    let description = describe(&link);
    let problems = problems_on(linted, raw);
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: render(&description, &problems),
        }),
        range: Some(linted.lines().range(raw.span)),
    })
}

/// The most rows of the parts table a hover shows.
pub const MAX_PARTS: usize = 50;

/// The most problems a hover lists.
pub const MAX_PROBLEMS: usize = 20;

/// The hover text. A long link's hover stays short: each value is cut
/// after [`SHOWN_CHARS`] characters, the table after [`MAX_PARTS`] rows
/// and the problems after [`MAX_PROBLEMS`], saying how many were left out.
pub fn render(d: &Description, problems: &[&Diagnostic]) -> String {
    let mut out = String::new();
    out.push_str("**trueconf: link**: ");
    out.push_str(&text(&clip(&d.summary, SHOWN_CHARS)));
    out.push_str("\n\n");
    if !d.steps.is_empty() {
        out.push_str("**What it does**\n\n");
        for (i, step) in d.steps.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", i + 1, text(&clip(step, SHOWN_CHARS))));
        }
        out.push('\n');
    }
    out.push_str("| Part | Value | Meaning |\n| --- | --- | --- |\n");
    for p in d.parts.iter().take(MAX_PARTS) {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&clip(&p.name, SHOWN_CHARS)),
            code_cell(&clip(&p.value, SHOWN_CHARS)),
            cell(&p.meaning)
        ));
    }
    if let Some(more) = d.parts.len().checked_sub(MAX_PARTS).filter(|&n| n > 0) {
        out.push_str(&format!("| … | | {more} more parts not shown |\n"));
    }
    if !problems.is_empty() {
        out.push_str("\n**Problems**\n\n");
        for p in problems.iter().take(MAX_PROBLEMS) {
            out.push_str(&format!(
                "- {} {} ({}): {}\n",
                p.rule.code(),
                p.rule.name(),
                p.severity.as_str(),
                text(&clip(&p.message, SHOWN_CHARS))
            ));
        }
        if let Some(more) = problems.len().checked_sub(MAX_PROBLEMS).filter(|&n| n > 0) {
            out.push_str(&format!("- … and {more} more\n"));
        }
    }
    out
}

/// Escapes Markdown in running text; the redaction marker `***` is shown as
/// code so it reads literally.
pub fn text(s: &str) -> String {
    s.split("***").map(escape).collect::<Vec<_>>().join("`***`")
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '#' | '&' | '!' | '('
            | ')' | '{' | '}' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            // A control character or a bidi override from the link is
            // shown as its code, as the diagnostics show it.
            c if crate::text::is_unsafe_to_print(c) => {
                out.push_str(&crate::text::escape_for_terminal(
                    c.encode_utf8(&mut [0; 4]),
                ));
            }
            c => out.push(c),
        }
    }
    out
}

fn cell(s: &str) -> String {
    text(s)
}

/// A table cell showing `s` literally, as a code span. Pipes stay escaped
/// (GFM splits cells before reading code spans).
fn code_cell(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let s: String = s
        .chars()
        .map(|c| match c {
            '\n' | '\r' => " ".to_string(),
            c if crate::text::is_unsafe_to_print(c) => {
                crate::text::escape_for_terminal(c.encode_utf8(&mut [0; 4])).into_owned()
            }
            c => c.to_string(),
        })
        .collect();
    let s = s.replace('|', "\\|");
    let longest = s.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    let pad = if s.starts_with('`') || s.ends_with('`') || s.starts_with(' ') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{s}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(text("a *b* [c](d) ***"), "a \\*b\\* \\[c\\]\\(d\\) `***`");
        assert_eq!(code_cell("a|b"), "`a\\|b`");
        assert_eq!(code_cell("x`y"), "``x`y``");
        assert_eq!(code_cell("`x"), "`` `x ``");
    }

    #[test]
    fn render_has_steps_table_and_no_password() {
        let link = Link::parse(
            "trueconf:\\c\\1@v%23vcs&h=tv&login=user&password=hunter2&encrypt=1&autoclose=1",
        );
        let out = render(&describe(&link), &[]);
        assert!(out.contains("1. connect to server tv"), "{out}");
        assert!(
            out.contains("2. sign in as user with password `***`"),
            "{out}"
        );
        assert!(out.contains("| password= | `***` |"), "{out}");
        assert!(!out.contains("hunter2"));
    }

    /// A link of thousands of parameters, or of a megabyte-long value,
    /// gets a hover of a few kilobytes that says what it left out.
    #[test]
    fn long_links_get_short_hovers() {
        let many = format!("trueconf:c{}", "&b=1".repeat(5000));
        let out = render(&describe(&Link::parse(&many)), &[]);
        // The scheme, the target and the user, then the parameters.
        assert_eq!(out.matches("| b= |").count(), MAX_PARTS - 3, "{out}");
        assert!(out.contains("| … | | 4953 more parts not shown |"), "{out}");
        assert!(out.len() < 8_000, "{}", out.len());
        let long = format!("trueconf:\\\\c\\\\{}", "7".repeat(1_000_000));
        let out = render(&describe(&Link::parse(&long)), &[]);
        assert!(out.contains(&format!("{}…", "7".repeat(100))), "{out}");
        assert!(!out.contains(&"7".repeat(SHOWN_CHARS + 1)), "{out}");
        assert!(out.len() < 4_000, "{}", out.len());
    }
}
