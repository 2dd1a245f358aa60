//! What the output formats share: the report they are given, the [`Emit`]
//! trait each implements, located findings, the summary and its wording.

use std::io::{self, Write};

use serde::Serialize;

use crate::project::checked::{Checked, Placed};
use crate::rules::{Diagnostic, Severity};
use crate::text::Span;

/// What every format is given.
pub struct Report<'a> {
    /// Every checked file, with or without diagnostics (JUnit lists them all).
    pub files: &'a [Checked],
    /// Every diagnostic, located, in path then position order ([`locate`]).
    pub found: &'a [Located<'a>],
    pub summary: Summary,
}

/// One output format: writes the whole report (for `full` and `concise`,
/// all but the summary lines, which [`summary_line`] and the notes add).
pub trait Emit {
    fn emit(&self, out: &mut dyn Write, report: &Report) -> io::Result<()>;
}

/// A diagnostic with its file and 1-based, character-counted positions.
pub struct Located<'a> {
    pub path: &'a str,
    /// The file's text, or the line the diagnostic stands on: empty
    /// unless the walk kept it ([`Checked::source_of`]).
    pub text: &'a str,
    /// `None` when `text` is the whole text; else `text` is the line the
    /// diagnostic stands on alone, and this the offset in the file of its
    /// first byte.
    pub text_start: Option<usize>,
    pub secrets: &'a [Span],
    pub diagnostic: &'a Diagnostic,
    /// Its positions.
    pub at: &'a Placed,
}

#[cfg(test)]
impl<'a> Located<'a> {
    /// A finding with no source text and no passwords, for the reports'
    /// tests.
    pub(crate) fn bare(path: &'a str, diagnostic: &'a Diagnostic, at: &'a Placed) -> Self {
        Located {
            path,
            text: "",
            text_start: None,
            secrets: &[],
            diagnostic,
            at,
        }
    }
}

/// Every diagnostic of `files`, located, in path then position order.
pub fn locate(files: &[Checked]) -> Vec<Located<'_>> {
    let mut out = Vec::new();
    for f in files {
        for (d, at) in f.analysis.diagnostics.iter().zip(&f.places) {
            let (text, text_start) = f.source_of(at.line);
            out.push(Located {
                path: &f.path,
                text,
                text_start,
                secrets: &f.analysis.secrets,
                at,
                diagnostic: d,
            });
        }
    }
    out
}

/// Findings per unit of work of [`write_in_parallel`]: small enough that
/// the first slices are written while the others are being rendered, large
/// enough that handing them over costs nothing.
pub const SLICE: usize = 256;

/// Rendered slices that may wait for the writer in [`write_in_parallel`]'s
/// channel.
const AHEAD: usize = 4;

/// Writes `found` as `render` gives each contiguous slice of it (the bytes
/// of its findings, in order), with `between` between two slices' bytes:
/// the slices are rendered on every core and this thread writes each as
/// soon as it and those before it are ready, so writing overlaps
/// rendering. `Ok(false)` when a renderer panicked (the scope then
/// re-raises it) and the output is short.
pub fn write_in_parallel(
    out: &mut dyn Write,
    found: &[Located],
    between: &[u8],
    render: impl Fn(&[Located]) -> Vec<u8> + Sync,
) -> io::Result<bool> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let slices: Vec<&[Located]> = found.chunks(SLICE).collect();
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(slices.len());
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| -> io::Result<bool> {
        // Bounded: a reader slower than the renderers (`| less`) holds them
        // back instead of having the whole report rendered into memory.
        let (done, ready) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(AHEAD);
        for _ in 0..threads {
            let (done, next, slices, render) = (done.clone(), &next, &slices, &render);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(slice) = slices.get(i) else { break };
                    // The receiver is gone when writing failed: stop.
                    if done.send((i, render(slice))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        let mut waiting = std::collections::BTreeMap::new();
        let mut written = 0;
        for (i, part) in ready {
            waiting.insert(i, part);
            while let Some(part) = waiting.remove(&written) {
                if written > 0 {
                    out.write_all(between)?;
                }
                out.write_all(&part)?;
                written += 1;
            }
        }
        Ok(written == slices.len())
    })
}

/// Counts for the summary line and the JSON summary.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub diagnostics: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub fixable: usize,
}

impl Summary {
    pub fn new(files: usize, found: &[Located]) -> Summary {
        let mut s = Summary {
            files,
            diagnostics: found.len(),
            ..Summary::default()
        };
        for l in found {
            match l.diagnostic.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info | Severity::Hint => s.infos += 1,
            }
            if l.diagnostic.fix.is_some() {
                s.fixable += 1;
            }
        }
        s
    }

    /// Adds `other`'s counts (a report written part by part).
    pub fn add(&mut self, other: &Summary) {
        self.files += other.files;
        self.diagnostics += other.diagnostics;
        self.errors += other.errors;
        self.warnings += other.warnings;
        self.infos += other.infos;
        self.fixable += other.fixable;
    }
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The closing line of the human formats.
pub fn summary_line(s: &Summary) -> String {
    if s.diagnostics == 0 {
        return format!(
            "All checks passed ({} checked).",
            plural(s.files, "file", "files")
        );
    }
    let mut kinds = Vec::new();
    if s.errors > 0 {
        kinds.push(plural(s.errors, "error", "errors"));
    }
    if s.warnings > 0 {
        kinds.push(plural(s.warnings, "warning", "warnings"));
    }
    if s.infos > 0 {
        kinds.push(plural(s.infos, "info", "infos"));
    }
    format!(
        "Found {} ({}) in {} checked.",
        plural(s.diagnostics, "problem", "problems"),
        kinds.join(", "),
        plural(s.files, "file", "files")
    )
}

/// `Fixed N problems in M files.`
pub fn fixed_line(fixes: usize, files: usize) -> String {
    format!(
        "Fixed {} in {}.",
        plural(fixes, "problem", "problems"),
        plural(files, "file", "files")
    )
}

/// How many findings have a fix `--fix` applies, and how many more one
/// that needs `--unsafe-fixes`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Fixable {
    pub safe: usize,
    pub unsafe_only: usize,
}

impl Fixable {
    pub fn of(found: &[Located]) -> Fixable {
        use crate::fix::Applicability;
        let count = |min: Applicability| {
            found
                .iter()
                .filter(|l| l.diagnostic.fix.as_ref().is_some_and(|f| f.applies(min)))
                .count()
        };
        let safe = count(Applicability::Safe);
        Fixable {
            safe,
            unsafe_only: count(Applicability::Unsafe) - safe,
        }
    }

    /// Adds `other`'s counts.
    pub fn add(&mut self, other: Fixable) {
        self.safe += other.safe;
        self.unsafe_only += other.unsafe_only;
    }
}

/// The hint after the summary of the human formats: how many findings
/// `--fix` (or `--fix --unsafe-fixes`) would repair.
pub fn fixable_note(fixable: Fixable, fixing: bool, unsafe_fixes: bool) -> Option<String> {
    let Fixable { safe, unsafe_only } = fixable;
    let mut parts = Vec::new();
    if safe > 0 && !fixing {
        parts.push(format!("{safe} fixable with `--fix`."));
    }
    if unsafe_only > 0 && !(fixing && unsafe_fixes) {
        let more = if parts.is_empty() { "" } else { " more" };
        parts.push(format!(
            "{unsafe_only}{more} fixable with `--fix --unsafe-fixes`."
        ));
    }
    (!parts.is_empty()).then(|| parts.join(" "))
}

/// A path as CI platforms match it against the repository: `./docs/a.md`
/// is `docs/a.md`.
pub fn ci_path(path: &str) -> &str {
    let mut p = path;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.trim_start_matches('/');
    }
    p
}

#[cfg(test)]
mod tests {
    use crate::cli::format::color::Palette;

    /// `full` and `gitlab` show the same source from the kept lines as
    /// from the whole text: findings on first, middle and last lines, on a
    /// line without a line break, several on one line, passwords, tabs,
    /// controls, wide characters and a long line.
    #[test]
    fn kept_lines_show_what_the_whole_text_shows() {
        use crate::cli::args::OutputFormat;
        use crate::project::checked::Outcome;
        use crate::project::config::{Overrides, Resolver};
        use crate::project::read::{KeepText, check_bytes};
        let dir = tempfile::tempdir().unwrap();
        let resolver =
            Resolver::new(dir.path().to_path_buf(), None, true, Overrides::default()).unwrap();
        let long = format!(
            "{}trueconf:c@h?password=p3{}",
            "w ".repeat(400),
            " z".repeat(400)
        );
        let text = format!(
            "visicall:a@h\r\n\tnothing\n<a href=\"trueconf:b@h?password=p1&x=1\">\u{1b}中 \
             trueconf:bob?password=p2</a>\n\n{long}\nlast trueconf:d@h&p=1"
        );
        // Passwords that run past the end of their line, on the first line
        // (whose kept copy starts at offset 0) and on a later one.
        let js = "x = `trueconf:bob@h?password=ab${\n1}cd&x=1`;\ny = `trueconf:c@h?password=q${\r\n2}r`;\n";
        let sh = "echo \"trueconf:bob@h?password=ab$(\necho)cd&x=1\"\n";
        for (name, kind, text, at_least) in [
            ("a.html", crate::scan::DocKind::Html, &text[..], 6),
            ("a.js", crate::scan::DocKind::from_path("a.js"), js, 2),
            ("a.sh", crate::scan::DocKind::from_path("a.sh"), sh, 1),
        ] {
            let settings = resolver.for_file(std::path::Path::new(name)).unwrap();
            let checked = |keep: KeepText| match check_bytes(
                name.into(),
                None,
                text.as_bytes(),
                kind,
                settings.clone(),
                None,
                keep.into(),
            ) {
                Outcome::Checked(c) => c,
                _ => panic!("not checked"),
            };
            let (lines, whole) = (
                checked(KeepText::WithDiagnostics),
                checked(KeepText::WithLinks),
            );
            assert!(lines.text.is_empty() && !lines.lines.is_empty(), "{name}");
            assert!(whole.lines.is_empty() && !whole.text.is_empty(), "{name}");
            assert!(whole.analysis.diagnostics.len() >= at_least, "{name}");
            for format in [OutputFormat::Full, OutputFormat::Gitlab] {
                let render = |c: &Checked| {
                    let files = std::slice::from_ref(c);
                    let found = locate(files);
                    let report = Report {
                        files,
                        found: &found,
                        summary: Summary::new(1, &found),
                    };
                    let mut out = Vec::new();
                    crate::cli::format::write(format, &mut out, &report).unwrap();
                    String::from_utf8(out).unwrap()
                };
                let shown = render(&lines);
                assert_eq!(shown, render(&whole), "{name} {format:?}");
                for password in ["p1", "p2", "p3", "ab", "cd"] {
                    assert!(!shown.contains(&format!("={password}")), "{name}: {shown}");
                }
            }
        }
    }

    /// A slow reader holds the renderers back: no more slices are ever
    /// rendered than written plus those in the channel and in the
    /// renderers' hands, and the bytes are those of the whole.
    #[test]
    fn a_slow_reader_bounds_what_is_rendered_ahead() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        struct Slow<'a> {
            rendered: &'a AtomicUsize,
            parts: usize,
            most_ahead: usize,
            out: Vec<u8>,
        }
        impl Write for Slow<'_> {
            fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
                std::thread::sleep(std::time::Duration::from_millis(2));
                self.parts += 1;
                let ahead = self
                    .rendered
                    .load(Ordering::SeqCst)
                    .saturating_sub(self.parts);
                self.most_ahead = self.most_ahead.max(ahead);
                self.out.extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> io::Result<()> {
                Ok(())
            }
        }
        let text = "trueconf:a?password=x\n".repeat(9000);
        let analysis = crate::analyze(&text, crate::scan::DocKind::Plain, &Default::default());
        let places = crate::project::checked::place(&text, &analysis);
        // Three times the capped findings of the text: over a hundred slices.
        let found: Vec<Located> = (0..3)
            .flat_map(|_| analysis.diagnostics.iter().zip(&places))
            .map(|(d, at)| Located::bare("a.md", d, at))
            .collect();
        let slices = found.len().div_ceil(SLICE);
        assert!(slices > 100, "{slices}");
        let rendered = AtomicUsize::new(0);
        let mut slow = Slow {
            rendered: &rendered,
            parts: 0,
            most_ahead: 0,
            out: Vec::new(),
        };
        // Rendering takes time too, so that one renderer cannot run far
        // ahead while the other is descheduled (which no bound prevents).
        let render = |slice: &[Located]| {
            rendered.fetch_add(1, Ordering::SeqCst);
            std::thread::sleep(std::time::Duration::from_millis(1));
            slice
                .iter()
                .map(|l| l.diagnostic.message.len() as u8)
                .collect()
        };
        assert!(write_in_parallel(&mut slow, &found, b"", render).unwrap());
        // Unbounded, all but the first were rendered during its write.
        assert!(
            slow.most_ahead <= slices / 4,
            "{} ahead, {slices} slices",
            slow.most_ahead
        );
        let whole: Vec<u8> = found
            .iter()
            .map(|l| l.diagnostic.message.len() as u8)
            .collect();
        assert_eq!(slow.out, whole);
    }

    /// The human formats, rendered in parallel slices, give the bytes of
    /// rendering every finding in turn on one thread: for no finding, one,
    /// a slice's worth and one more, and many slices from two files, in
    /// plain and in colored styles.
    #[test]
    fn parallel_human_reports_equal_sequential_rendering() {
        let text = "a trueconf:login=u&password=x&force=1 é visicall:bob@h\n".repeat(700);
        let analysis = crate::analyze(&text, crate::scan::DocKind::Plain, &Default::default());
        let places = crate::project::checked::place(&text, &analysis);
        let all = analysis.diagnostics.len();
        assert!(all > 4 * SLICE, "{all}");
        for n in [0, 1, SLICE, SLICE + 1, all] {
            let found: Vec<Located> = analysis.diagnostics[..n]
                .iter()
                .zip(&places)
                .enumerate()
                .map(|(i, (d, at))| Located {
                    path: if i < n / 2 { "a.md" } else { "b\u{1b}.md" },
                    text: &text,
                    text_start: None,
                    secrets: &analysis.secrets,
                    diagnostic: d,
                    at,
                })
                .collect();
            let report = Report {
                files: &[],
                found: &found,
                summary: Summary::new(1, &found),
            };
            for palette in [Palette::PLAIN, Palette::COLOR] {
                let mut concise = Vec::new();
                super::super::concise::emit_styled(&mut concise, &report, palette).unwrap();
                let mut want = String::new();
                for l in &found {
                    want.push_str(&super::super::concise::concise_line_styled(l, palette));
                    want.push('\n');
                }
                assert_eq!(String::from_utf8(concise).unwrap(), want, "{n}");
                let mut full = Vec::new();
                super::super::full::emit_styled(&mut full, &report, palette).unwrap();
                let mut want = Vec::new();
                super::super::full::emit_slice(&mut want, &found, palette).unwrap();
                assert_eq!(
                    String::from_utf8(full).unwrap(),
                    String::from_utf8(want).unwrap(),
                    "{n}"
                );
            }
        }
    }

    use super::*;

    #[test]
    fn ci_paths() {
        assert_eq!(ci_path("././/a.md"), "a.md");
        assert_eq!(ci_path("../a.md"), "../a.md");
    }
}
