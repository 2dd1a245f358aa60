//! Color for the human formats (`full`, `concise`, the summary lines,
//! `--statistics` and `--list-rules`): when to use it and the styles, in
//! ruff's manner: the path bold, the rule code in the severity's color, the
//! position dimmed, carets in the severity's color, the fix line and the
//! summary highlighted.
//!
//! Styles are ANSI SGR sequences written around a piece of text; the plain
//! palette writes nothing, so uncolored output is byte for byte what it is
//! without this module. The only escape sequences in colored output are
//! these: the text they wrap is what the uncolored output shows (source
//! lines with control characters replaced, passwords as `***`).

use std::ffi::OsStr;
use std::fmt;

use crate::cli::args::ColorChoice;
use crate::rules::Severity;

/// The environment variables that decide `--color auto`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ColorEnv<'a> {
    pub no_color: Option<&'a OsStr>,
    pub clicolor_force: Option<&'a OsStr>,
    pub term: Option<&'a OsStr>,
}

/// Whether to color: `--color always|never` wins over the environment;
/// with `auto`, `NO_COLOR` set and not empty disables color
/// (no-color.org), then `CLICOLOR_FORCE` set and not `0` enables it, then
/// color goes to a terminal only, and not when `TERM` is `dumb`.
pub fn enabled(choice: ColorChoice, env: ColorEnv, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            if env.no_color.is_some_and(|v| !v.is_empty()) {
                false
            } else if env.clicolor_force.is_some_and(|v| v != "0") {
                true
            } else {
                terminal && env.term.is_none_or(|t| t != "dumb")
            }
        }
    }
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[1;32m";
const YELLOW: &str = "\x1b[1;33m";
const BLUE: &str = "\x1b[1;34m";
const CYAN: &str = "\x1b[1;36m";

/// The styles of the human formats, or none.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Palette {
    on: bool,
}

/// `text` with a style around it, or as it is.
pub struct Painted<T> {
    style: Option<&'static str>,
    text: T,
}

impl<T: fmt::Display> fmt::Display for Painted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.style {
            Some(style) => write!(f, "{style}{}{RESET}", self.text),
            None => self.text.fmt(f),
        }
    }
}

impl Palette {
    /// No styles: the output as it always was.
    pub const PLAIN: Palette = Palette { on: false };
    /// ANSI colors.
    pub const COLOR: Palette = Palette { on: true };

    pub fn new(on: bool) -> Palette {
        Palette { on }
    }

    pub fn is_on(self) -> bool {
        self.on
    }

    fn paint<T>(self, style: &'static str, text: T) -> Painted<T> {
        Painted {
            style: self.on.then_some(style),
            text,
        }
    }

    /// A file's path.
    pub fn path<T>(self, text: T) -> Painted<T> {
        self.paint(BOLD, text)
    }

    /// `line:col`, and the separators around it.
    pub fn position<T>(self, text: T) -> Painted<T> {
        self.paint(DIM, text)
    }

    /// A rule code, the `[severity]` and the carets: the severity's color.
    pub fn severity<T>(self, severity: Severity, text: T) -> Painted<T> {
        let style = match severity {
            Severity::Error => RED,
            Severity::Warning => YELLOW,
            Severity::Info | Severity::Hint => BLUE,
        };
        self.paint(style, text)
    }

    /// The gutter of an excerpt: line numbers and `|`.
    pub fn gutter<T>(self, text: T) -> Painted<T> {
        self.paint(BLUE, text)
    }

    /// The `fix` of a fix line, and `help`-like notes.
    pub fn help<T>(self, text: T) -> Painted<T> {
        self.paint(CYAN, text)
    }

    /// A summary line that reports problems.
    pub fn summary<T>(self, text: T) -> Painted<T> {
        self.paint(BOLD, text)
    }

    /// A line that reports success (nothing found, fixes written).
    pub fn success<T>(self, text: T) -> Painted<T> {
        self.paint(GREEN, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choice_and_environment() {
        let os = |s: &'static str| Some(OsStr::new(s));
        let none = ColorEnv::default();
        assert!(enabled(ColorChoice::Auto, none, true));
        assert!(!enabled(ColorChoice::Auto, none, false));
        let no_color = ColorEnv {
            no_color: os("1"),
            ..none
        };
        assert!(!enabled(ColorChoice::Auto, no_color, true));
        // Empty NO_COLOR is as unset.
        let empty = ColorEnv {
            no_color: os(""),
            ..none
        };
        assert!(enabled(ColorChoice::Auto, empty, true));
        let force = ColorEnv {
            clicolor_force: os("1"),
            ..none
        };
        assert!(enabled(ColorChoice::Auto, force, false));
        let force_off = ColorEnv {
            clicolor_force: os("0"),
            ..none
        };
        assert!(!enabled(ColorChoice::Auto, force_off, false));
        let both = ColorEnv {
            no_color: os("1"),
            clicolor_force: os("1"),
            ..none
        };
        assert!(!enabled(ColorChoice::Auto, both, true));
        assert!(enabled(ColorChoice::Always, both, false));
        assert!(!enabled(ColorChoice::Never, force, true));
        let dumb = ColorEnv {
            term: os("dumb"),
            ..none
        };
        assert!(!enabled(ColorChoice::Auto, dumb, true));
    }

    #[test]
    fn plain_writes_no_escapes() {
        let p = Palette::PLAIN;
        assert_eq!(
            format!("{}{}", p.path("a.md"), p.severity(Severity::Error, "TC001")),
            "a.mdTC001"
        );
        let c = Palette::COLOR;
        assert_eq!(format!("{}", c.path("a.md")), "\x1b[1ma.md\x1b[0m");
    }
}
