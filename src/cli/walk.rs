//! Finding the files to lint: a `.gitignore`-aware parallel walk, reading
//! each file and linting (and, with `--fix` or `--diff`, fixing in memory) on
//! the worker that found it.
//!
//! Symbolic links to files are checked through the link (and `--fix` writes
//! their target); symbolic links to folders are not followed.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkState;

use super::config_file::{ConfigError, Effective, Resolver};
use super::render::Pos;
use crate::fix::Applicability;
use crate::scan::DocKind;
use crate::text::{Cursor, Encoding, Span};
use crate::{Analysis, MAX_FIX_PASSES, analyze, fix_all_within};

/// How to walk.
pub struct WalkOptions {
    pub no_ignore: bool,
    pub hidden: bool,
    pub threads: usize,
    /// Fix in memory, applying fixes at or above this applicability.
    pub fix: Option<Applicability>,
    /// Keep the text of files with diagnostics (for reports that show
    /// source lines). Positions are computed on the worker either way.
    pub keep_text: bool,
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
    pub analysis: Analysis,
    /// Where each diagnostic of `analysis` stands, in the same order.
    pub places: Vec<Placed>,
    pub settings: Arc<Effective>,
    /// Set when fixing changed the text.
    pub fixed: Option<Fixed>,
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

/// Where each diagnostic of `analysis` stands in `text`: the offsets are
/// sorted and located in one forward pass.
pub fn place(text: &str, analysis: &Analysis) -> Vec<Placed> {
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
    let mut cursor = Cursor::new(text, Encoding::Utf32);
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
            self.text = f.original;
        }
    }
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

/// Everything a walk found.
#[derive(Default)]
pub struct Walked {
    /// Sorted by path.
    pub checked: Vec<Checked>,
    pub errors: Vec<FileError>,
    /// Configuration files that could not be used, sorted, without repeats.
    pub config_errors: Vec<ConfigError>,
}

/// Reads all of `file` into the start of `buf`, growing it as needed, and
/// returns the length read. Unlike `read_to_end`, asks the file system for
/// no size (no `statx` and `lseek` per file): a docs tree's files fit the
/// buffer after the first few.
fn read_into(mut file: std::fs::File, buf: &mut Vec<u8>) -> std::io::Result<usize> {
    const START: usize = 64 * 1024;
    if buf.len() < START {
        buf.resize(START, 0);
    }
    let mut filled = 0;
    loop {
        if filled == buf.len() {
            buf.resize(buf.len() * 2, 0);
        }
        match file.read(&mut buf[filled..]) {
            Ok(0) => return Ok(filled),
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

thread_local! {
    /// Each worker reads files into one reused buffer.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Bytes at the start of a file that decide it is binary.
const BINARY_PROBE: usize = 8192;

/// The error for a binary file the user asked for by name (or on standard
/// input): it is not linted, and the run exits 2.
pub fn binary_error(path: String) -> FileError {
    FileError {
        path,
        message: "is a binary file (NUL byte in the first 8 KiB); skipped".into(),
    }
}

/// Lints (and with `fix`, fixes in memory) one file's bytes.
pub fn check_bytes(
    path: String,
    fs_path: Option<PathBuf>,
    bytes: &[u8],
    kind: DocKind,
    settings: Arc<Effective>,
    fix: Option<Applicability>,
    keep_text: bool,
) -> Outcome {
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if probe.starts_with(&[0xFF, 0xFE]) || probe.starts_with(&[0xFE, 0xFF]) {
        return Outcome::Error(FileError {
            path,
            message: "is UTF-16, not UTF-8; skipped".into(),
        });
    }
    if memchr::memchr(0, probe).is_some() {
        // NUL bytes: not a text file.
        return Outcome::Skipped;
    }
    // SIMD validation first; the standard library's tells where it fails.
    let valid = simdutf8::basic::from_utf8(bytes).map_err(|_| std::str::from_utf8(bytes));
    let text = match valid {
        Ok(text) => text,
        Err(Ok(text)) => text,
        Err(Err(e)) => {
            return Outcome::Error(FileError {
                path,
                message: format!("is not valid UTF-8 (byte {}); skipped", e.valid_up_to()),
            });
        }
    };
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut checked = Checked {
        path,
        fs_path,
        kind,
        bom,
        text: String::new(),
        analysis: Analysis::default(),
        places: Vec::new(),
        settings,
        fixed: None,
    };
    // A text without candidates or markers costs `analyze` one search.
    let config = &checked.settings.config;
    let analysis = analyze(text, kind, config);
    let fixable = |a: &Analysis, min| {
        a.diagnostics
            .iter()
            .any(|d| d.fix.as_ref().is_some_and(|f| f.applies(min)))
    };
    if let Some(min) = fix
        && fixable(&analysis, min)
    {
        let limit = max_fix_passes();
        let result = fix_all_within(text, kind, config, min, limit);
        if !result.converged {
            let error = FileError {
                path: checked.path.clone(),
                message: format!(
                    "fixes did not converge after {limit} {}; not fixed \
                     (please report this as a bug)",
                    if limit == 1 { "pass" } else { "passes" }
                ),
            };
            checked.places = place(text, &analysis);
            checked.text = text.to_string();
            checked.analysis = analysis;
            return Outcome::CheckedWithError(checked, error);
        }
        if result.text != text {
            let after = analyze(&result.text, kind, config);
            checked.fixed = Some(Fixed {
                original: text.to_string(),
                original_secrets: analysis.secrets,
                applied: result.applied,
            });
            checked.places = place(&result.text, &after);
            checked.text = result.text;
            checked.analysis = after;
            return Outcome::Checked(checked);
        }
    }
    checked.places = place(text, &analysis);
    if keep_text && !analysis.diagnostics.is_empty() {
        checked.text = text.to_string();
    }
    checked.analysis = analysis;
    Outcome::Checked(checked)
}

/// Test hook, `testing` feature only: a lower bound on fixing passes, to see a
/// file whose fixes do not converge fail loudly.
#[cfg(feature = "testing")]
pub const MAX_FIX_PASSES_VAR: &str = "TRUECONF_LSP_TEST_MAX_FIX_PASSES";

fn max_fix_passes() -> usize {
    #[cfg(feature = "testing")]
    if let Some(n) = std::env::var(MAX_FIX_PASSES_VAR)
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    MAX_FIX_PASSES
}

fn display(path: &Path, strip_dot: bool) -> String {
    let s = path.to_string_lossy();
    match s.strip_prefix("./") {
        Some(rest) if strip_dot => rest.to_string(),
        _ => s.into_owned(),
    }
}

/// Walks `roots` and lints every file found. Results come back sorted by path.
pub fn walk(roots: &[PathBuf], strip_dot: bool, opts: &WalkOptions, resolver: &Resolver) -> Walked {
    let mut errors = Vec::new();
    let mut existing = Vec::new();
    for root in roots {
        if std::fs::symlink_metadata(root).is_err() {
            errors.push(FileError {
                path: root.to_string_lossy().into_owned(),
                message: "no such file or folder".into(),
            });
        } else {
            existing.push(root.clone());
        }
    }
    let Some((first, rest)) = existing.split_first() else {
        return Walked {
            errors,
            ..Walked::default()
        };
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    builder
        .hidden(!opts.hidden)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .threads(opts.threads);
    let checked = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    let bad_configs = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let (checked, failed, bad_configs) = (&checked, &failed, &bad_configs);
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    failed.lock().expect("lock").push(FileError {
                        path: String::new(),
                        message: e.to_string(),
                    });
                    return WalkState::Continue;
                }
            };
            let Some(file_type) = entry.file_type() else {
                return WalkState::Continue;
            };
            let is_file = file_type.is_file()
                || file_type.is_symlink() && entry.path().metadata().is_ok_and(|m| m.is_file());
            let abs = resolver.absolute(entry.path());
            let folder = abs.parent().unwrap_or(Path::new("/"));
            let settings = match resolver.for_folder(folder) {
                Ok(s) => s,
                Err(e) => {
                    bad_configs.lock().expect("lock").push(e);
                    return WalkState::Skip;
                }
            };
            if settings.excludes(&abs) {
                return WalkState::Skip;
            }
            if !is_file {
                return WalkState::Continue;
            }
            let path = display(entry.path(), strip_dot);
            let kind = DocKind::from_path(&path);
            let read = BUFFER.with_borrow_mut(|buf| {
                std::fs::File::open(entry.path())
                    .and_then(|f| read_into(f, buf))
                    .map(|len| {
                        check_bytes(
                            path.clone(),
                            Some(entry.path().to_path_buf()),
                            &buf[..len],
                            kind,
                            settings,
                            opts.fix,
                            opts.keep_text,
                        )
                    })
            });
            match read {
                Ok(outcome) => match outcome {
                    Outcome::Checked(c) => checked.lock().expect("lock").push(c),
                    // A path named on the command line is the walk's root.
                    Outcome::Skipped if entry.depth() == 0 => {
                        failed.lock().expect("lock").push(binary_error(path));
                    }
                    Outcome::Skipped => {}
                    Outcome::Error(e) => failed.lock().expect("lock").push(e),
                    Outcome::CheckedWithError(c, e) => {
                        checked.lock().expect("lock").push(c);
                        failed.lock().expect("lock").push(e);
                    }
                },
                Err(e) => failed.lock().expect("lock").push(FileError {
                    path,
                    message: format!("cannot be read: {e}"),
                }),
            }
            WalkState::Continue
        })
    });
    let mut checked = checked.into_inner().expect("lock");
    checked.sort_by(|a, b| a.path.cmp(&b.path));
    errors.extend(failed.into_inner().expect("lock"));
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    let mut config_errors = bad_configs.into_inner().expect("lock");
    config_errors.sort();
    config_errors.dedup();
    Walked {
        checked,
        errors,
        config_errors,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_into_reads_whole_files_of_any_size_into_a_reused_buffer() {
        let dir = tempfile::tempdir().unwrap();
        let mut buf = Vec::new();
        // Larger than the buffer twice over, then smaller, then empty: what
        // a previous file left in the buffer never leaks into the next.
        for len in [300_000, 70_000, 5, 0] {
            let bytes: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
            let path = dir.path().join(format!("f{len}"));
            std::fs::write(&path, &bytes).unwrap();
            let n = read_into(std::fs::File::open(&path).unwrap(), &mut buf).unwrap();
            assert_eq!(&buf[..n], &bytes[..]);
        }
    }
}
