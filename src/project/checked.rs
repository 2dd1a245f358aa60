//! A linted file and where its diagnostics stand: what the walker hands
//! to the reports.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Serialize;

use super::config::Effective;
use super::online::{self, Answer, ServerRef, Target};
use crate::scan::DocKind;
use crate::text::{Cursor, Encoding, Span};
use crate::{Analysis, analyze};

/// A 1-based position; its column counts characters (UTF-32 units) unless
/// the walk was asked for another unit ([`Keep::columns`]).
///
/// [`Keep::columns`]: super::read::Keep::columns
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

/// One linted file.
pub struct Checked {
    /// The path as reached from the command line.
    pub path: String,
    /// Where to read and write it; `None` for standard input.
    pub fs_path: Option<PathBuf>,
    pub kind: DocKind,
    /// Whether the file starts with a UTF-8 byte-order mark, which is not
    /// part of `text`.
    pub bom: bool,
    /// The file's text after fixing, kept only when it was fixed, or has
    /// diagnostics and the text was asked for ([`WalkOptions::keep_text`]).
    pub text: String,
    /// In place of `text` for the reports that show source lines, when the
    /// file was not fixed ([`KeepText::WithDiagnostics`]): the lines its
    /// diagnostics and servers stand on, as (the line's offset in the file's
    /// text, the line), in order, each once. A report of a large tree kept
    /// every text with a finding (600 MB for 814 MB of files).
    ///
    /// [`KeepText::WithDiagnostics`]: super::read::KeepText::WithDiagnostics
    pub lines: Vec<(usize, String)>,
    pub analysis: Analysis,
    /// Where each diagnostic of `analysis` stands, in the same order.
    pub places: Vec<Placed>,
    pub settings: Arc<Effective>,
    /// Set when fixing changed the text.
    pub fixed: Option<Fixed>,
    /// With `online`: the servers the links name, to probe, each with where
    /// its value stands (for a TC020 finding).
    pub servers: Vec<(ServerRef, Placed)>,
}

/// A diagnostic's 1-based, character-counted positions, and those of its
/// fix's edits, with the byte span of its first line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    pub start: Pos,
    pub end: Pos,
    pub line: Span,
    pub edits: Vec<(Pos, Pos)>,
}

/// Where each diagnostic of `analysis` stands in `text`, columns counted in
/// characters: the offsets are sorted and located in one forward pass.
pub fn place(text: &str, analysis: &Analysis) -> Vec<Placed> {
    place_in(text, analysis, Encoding::Utf32)
}

/// [`place`] with columns counted in `columns`' units (the language
/// server's negotiated encoding).
pub fn place_in(text: &str, analysis: &Analysis, columns: Encoding) -> Vec<Placed> {
    if analysis.diagnostics.is_empty() {
        return Vec::new();
    }
    let mut offsets: Vec<usize> = Vec::new();
    for d in &analysis.diagnostics {
        offsets.extend([d.span.start, d.span.end]);
        if let Some(f) = &d.fix {
            offsets.extend(f.edits.iter().flat_map(|e| [e.span.start, e.span.end]));
        }
    }
    offsets.sort_unstable();
    offsets.dedup();
    let mut cursor = Cursor::new(text, columns);
    let located: Vec<(Pos, Span)> = offsets
        .iter()
        .map(|&o| {
            let lc = cursor.line_col(o);
            let pos = Pos {
                line: lc.line + 1,
                column: lc.col + 1,
            };
            (pos, cursor.line_span())
        })
        .collect();
    let at = |o: usize| located[offsets.binary_search(&o).unwrap_or(0)];
    analysis
        .diagnostics
        .iter()
        .map(|d| {
            let (start, line) = at(d.span.start);
            Placed {
                start,
                end: at(d.span.end).0,
                line,
                edits: d.fix.as_ref().map_or_else(Vec::new, |f| {
                    f.edits
                        .iter()
                        .map(|e| (at(e.span.start).0, at(e.span.end).0))
                        .collect()
                }),
            }
        })
        .collect()
}

/// The lines of `text` that `places` and `servers` stand on (their first
/// lines), as [`Checked::lines`] holds them.
pub fn kept_lines(
    text: &str,
    places: &[Placed],
    servers: &[(ServerRef, Placed)],
) -> Vec<(usize, String)> {
    let mut spans: Vec<Span> = places
        .iter()
        .chain(servers.iter().map(|(_, p)| p))
        .map(|p| p.line)
        .collect();
    spans.sort_unstable_by_key(|s| (s.start, s.end));
    spans.dedup_by_key(|s| s.start);
    spans
        .into_iter()
        .map(|s| (s.start, text[s.range()].to_string()))
        .collect()
}

/// What fixing a file changed.
pub struct Fixed {
    /// The text as read (without the byte-order mark).
    pub original: String,
    /// Password spans of `original`.
    pub original_secrets: Vec<Span>,
    /// Fixes applied, over all passes.
    pub applied: usize,
}

impl Checked {
    /// The kept source of the line spanning `line`: the whole text
    /// (`None`), or the kept line alone ([`Checked::lines`]) and the offset
    /// in the file's text of its first byte; an empty whole text if neither
    /// was kept.
    pub fn source_of(&self, line: Span) -> (&str, Option<usize>) {
        if self.lines.is_empty() {
            return (&self.text, None);
        }
        match self
            .lines
            .binary_search_by_key(&line.start, |(start, _)| *start)
        {
            Ok(i) => (&self.lines[i].1, Some(line.start)),
            Err(_) => ("", None),
        }
    }

    /// The file's bytes as read.
    pub fn original_bytes(&self) -> Vec<u8> {
        let text = self.fixed.as_ref().map_or(&self.text, |f| &f.original);
        with_bom(self.bom, text)
    }

    /// The file's bytes after fixing.
    pub fn fixed_bytes(&self) -> Vec<u8> {
        with_bom(self.bom, &self.text)
    }

    /// Forgets the fixes: the file is reported as it is on disk.
    pub fn revert(&mut self) {
        if let Some(f) = self.fixed.take() {
            self.analysis = analyze(&f.original, self.kind, &self.settings.config);
            self.places = place(&f.original, &self.analysis);
            self.servers = servers_placed(&f.original, &self.analysis, &self.settings);
            self.text = f.original;
        }
    }

    /// Adds a TC020 finding for each server whose probe failed, in source
    /// order, with the configured severity.
    pub fn merge_unreachable(&mut self, answers: &std::collections::HashMap<Target, Answer>) {
        let mut added = Vec::new();
        for (server, placed) in &self.servers {
            let Some(answer) = answers.get(&server.target).filter(|a| !a.ok) else {
                continue;
            };
            let shown = server.target.to_string();
            let d = crate::rules::unreachable(server.span, server.what, &shown, &answer.reason);
            added.push((d, placed.clone()));
        }
        if added.is_empty() {
            return;
        }
        let mut all: Vec<_> = std::mem::take(&mut self.analysis.diagnostics)
            .into_iter()
            .zip(std::mem::take(&mut self.places))
            .chain(added.into_iter().map(|(mut d, p)| {
                if let Some(sev) = self.settings.config.severity_override(d.rule) {
                    d.severity = sev;
                }
                (d, p)
            }))
            .collect();
        all.sort_by_key(|(d, _)| (d.span.start, d.span.end, d.rule));
        (self.analysis.diagnostics, self.places) = all.into_iter().unzip();
    }
}

/// With `online` on for the file: the servers its links name and where
/// their values stand.
pub fn servers_placed(
    text: &str,
    analysis: &Analysis,
    settings: &Effective,
) -> Vec<(ServerRef, Placed)> {
    if !settings.online || analysis.links.is_empty() {
        return Vec::new();
    }
    let found = online::servers(text, &analysis.links, &|h| !settings.probes(h));
    let spans = Analysis {
        diagnostics: found
            .iter()
            .map(|s| {
                crate::rules::Diagnostic::new(crate::rules::Rule::ServerUnreachable, s.span, "")
            })
            .collect(),
        ..Analysis::default()
    };
    found.into_iter().zip(place(text, &spans)).collect()
}

fn with_bom(bom: bool, text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 3);
    if bom {
        out.extend_from_slice("\u{feff}".as_bytes());
    }
    out.extend_from_slice(text.as_bytes());
    out
}

/// What went wrong with one path; the run goes on and exits 2.
#[derive(Clone, Debug)]
pub struct FileError {
    pub path: String,
    pub message: String,
}

/// Outcome of linting a file's bytes.
pub enum Outcome {
    Checked(Checked),
    /// Binary (a NUL byte in the first 8 KiB). Skipped quietly when the
    /// walk of a folder found it; an error ([`binary_error`]) when it was
    /// named on the command line or came on standard input.
    Skipped,
    Error(FileError),
    /// Checked, but something went wrong too (fixes that did not converge).
    CheckedWithError(Checked, FileError),
}
