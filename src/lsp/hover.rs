//! Hover on a link: what it does step by step, a table of its parts, and
//! the problems found on it, as Markdown. Passwords appear only as `***`.

use tower_lsp_server::ls_types as lsp;

use super::document::Linted;
use crate::describe::{Description, describe};
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

/// The hover text.
pub fn render(d: &Description, problems: &[&Diagnostic]) -> String {
    let mut out = String::new();
    out.push_str("**trueconf: link**: ");
    out.push_str(&text(&d.summary));
    out.push_str("\n\n");
    if !d.steps.is_empty() {
        out.push_str("**What it does**\n\n");
        for (i, step) in d.steps.iter().enumerate() {
            out.push_str(&format!("{}. {}\n", i + 1, text(step)));
        }
        out.push('\n');
    }
    out.push_str("| Part | Value | Meaning |\n| --- | --- | --- |\n");
    for p in &d.parts {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&p.name),
            code_cell(&p.value),
            cell(&p.meaning)
        ));
    }
    if !problems.is_empty() {
        out.push_str("\n**Problems**\n\n");
        for p in problems {
            out.push_str(&format!(
                "- {} {} ({}): {}\n",
                p.rule.code(),
                p.rule.name(),
                p.severity.as_str(),
                text(&p.message)
            ));
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
        .map(|c| if c == '\n' || c == '\r' { ' ' } else { c })
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
}
