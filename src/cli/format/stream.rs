//! Reports written file by file while the check goes on: each file's part
//! rendered on the worker that checked it (whose findings are then freed),
//! and written in path order as soon as the files before it are. The bytes
//! are those of the whole report written at once ([`super::write_styled`]):
//! each format's part of a file is its rendering of a slice of the found
//! diagnostics, as the whole report's is of each of its slices.
//!
//! `sarif`, `junit` and `gitlab` are written whole: they list the rules
//! used, count the findings before listing them, or number equal
//! fingerprints across the report.

use std::io::{self, Write};

use super::color::Palette;
use super::common::{Located, Summary};
use super::{concise, full, github, json, json_lines};
use crate::cli::args::OutputFormat;

/// A format that can be written file by file.
#[derive(Clone, Copy)]
pub struct Stream {
    format: OutputFormat,
    palette: Palette,
}

impl Stream {
    /// `None` for the formats written whole.
    pub fn new(format: OutputFormat, palette: Palette) -> Option<Stream> {
        matches!(
            format,
            OutputFormat::Full
                | OutputFormat::Concise
                | OutputFormat::Json
                | OutputFormat::JsonLines
                | OutputFormat::Github
        )
        .then_some(Stream { format, palette })
    }

    /// One file's part of the report: its diagnostics, in order (nothing
    /// when it has none).
    pub fn render(&self, found: &[Located]) -> Vec<u8> {
        if found.is_empty() {
            return Vec::new();
        }
        match self.format {
            OutputFormat::Full => full::render(found, self.palette),
            OutputFormat::Concise => concise::render(found, self.palette),
            OutputFormat::Json => json::json_elements(found),
            OutputFormat::JsonLines => json_lines::render(found),
            OutputFormat::Github => github::render(found),
            OutputFormat::Sarif | OutputFormat::Junit | OutputFormat::Gitlab => {
                unreachable!("not streamed")
            }
        }
    }

    /// Writes the parts, in order, to `out`.
    pub fn writer<'w>(&self, out: &'w mut dyn Write) -> StreamWriter<'w> {
        StreamWriter {
            json: matches!(self.format, OutputFormat::Json),
            out,
            parts: 0,
        }
    }
}

/// Writes a [`Stream`]'s parts and what comes around them.
pub struct StreamWriter<'w> {
    json: bool,
    out: &'w mut dyn Write,
    parts: usize,
}

impl StreamWriter<'_> {
    /// The next file's part.
    pub fn part(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.json {
            self.out.write_all(if self.parts == 0 {
                json::HEAD
            } else {
                json::BETWEEN
            })?;
        }
        self.parts += 1;
        self.out.write_all(bytes)
    }

    /// The end of the report (for `json`, the summary). For `full` and
    /// `concise`, the summary lines are the caller's, as for the whole
    /// report.
    pub fn finish(self, summary: Summary) -> io::Result<()> {
        match (self.json, self.parts) {
            (false, _) => Ok(()),
            (true, 0) => json::write_empty(self.out, summary),
            (true, _) => json::write_tail(self.out, summary),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::format::{Report, locate, write_styled};
    use crate::project::checked::{Checked, Outcome};
    use crate::project::config::{Overrides, Resolver};
    use crate::project::read::{KeepText, check_bytes};

    /// Every fixture file of the rules and the scanner, checked as `--check`
    /// checks them, in path order.
    fn fixture_files() -> Vec<Checked> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let resolver = Resolver::new(root.clone(), None, true, Overrides::default()).unwrap();
        let mut paths = Vec::new();
        for dir in ["rules", "scan"] {
            for entry in std::fs::read_dir(root.join(dir)).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    paths.push(path);
                }
            }
        }
        paths.sort();
        let files: Vec<Checked> = paths
            .iter()
            .filter_map(|path| {
                let name = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                let bytes = std::fs::read(path).unwrap();
                let kind = crate::scan::DocKind::from_path(&name);
                let settings = resolver.for_file(path).unwrap();
                match check_bytes(
                    name,
                    None,
                    &bytes,
                    kind,
                    settings,
                    None,
                    KeepText::WithDiagnostics.into(),
                ) {
                    Outcome::Checked(c) | Outcome::CheckedWithError(c, _) => Some(c),
                    Outcome::Skipped | Outcome::Error(_) => None,
                }
            })
            .collect();
        assert!(files.len() > 50, "{}", files.len());
        files
    }

    fn whole(format: OutputFormat, palette: Palette, files: &[Checked]) -> String {
        let found = locate(files);
        let report = Report {
            files,
            found: &found,
            summary: Summary::new(files.len(), &found),
        };
        let mut out = Vec::new();
        write_styled(format, &mut out, &report, palette).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn streamed(stream: Stream, files: &[Checked]) -> String {
        let mut out = Vec::new();
        let mut writer = stream.writer(&mut out);
        let mut summary = Summary::default();
        for f in files {
            let found = locate(std::slice::from_ref(f));
            summary.add(&Summary::new(1, &found));
            writer.part(&stream.render(&found)).unwrap();
        }
        writer.finish(summary).unwrap();
        String::from_utf8(out).unwrap()
    }

    /// Written file by file, every streamed format gives the bytes of the
    /// report written whole: on every fixture file (hundreds of findings,
    /// files without any between them), on none, on clean files only, and
    /// on one file; plain and in color.
    #[test]
    fn streamed_reports_equal_the_whole_report() {
        let files = fixture_files();
        let clean: Vec<Checked> = fixture_files()
            .into_iter()
            .filter(|f| f.analysis.diagnostics.is_empty())
            .collect();
        assert!(!clean.is_empty());
        let with = files
            .iter()
            .filter(|f| !f.analysis.diagnostics.is_empty())
            .count();
        assert!(with > 40 && with < files.len(), "{with} of {}", files.len());
        let one = &files[..1];
        for format in [
            OutputFormat::Full,
            OutputFormat::Concise,
            OutputFormat::Json,
            OutputFormat::JsonLines,
            OutputFormat::Github,
        ] {
            for palette in [Palette::PLAIN, Palette::COLOR] {
                let stream = Stream::new(format, palette).unwrap();
                for (what, set) in [
                    ("all", &files[..]),
                    ("none", &[][..]),
                    ("clean", &clean[..]),
                    ("one", one),
                ] {
                    let expected = whole(format, palette, set);
                    if what == "all" {
                        assert!(expected.len() > 10_000, "{format:?}");
                    }
                    assert_eq!(
                        streamed(stream, set),
                        expected,
                        "{format:?} {what} {palette:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn formats_written_whole_are_not_streamed() {
        for format in [
            OutputFormat::Sarif,
            OutputFormat::Junit,
            OutputFormat::Gitlab,
        ] {
            assert!(Stream::new(format, Palette::PLAIN).is_none());
        }
    }
}
