//! Finding the files to lint: a `.gitignore`-aware parallel walk, reading
//! each file and linting it on the worker that found it.

use std::cell::RefCell;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::WalkState;
use ignore::overrides::OverrideBuilder;

use crate::config::Config;
use crate::scan::{DocKind, has_candidate};
use crate::{Analysis, analyze};

thread_local! {
    /// Each worker reads files into one reused buffer.
    static BUFFER: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// How to walk.
pub struct WalkOptions {
    pub exclude: Vec<String>,
    pub no_ignore: bool,
    pub hidden: bool,
    pub threads: usize,
}

/// One linted file.
pub struct Checked {
    /// The path as reached from the command line.
    pub path: String,
    /// The file's text, kept only when it has diagnostics (for excerpts).
    pub text: String,
    pub analysis: Analysis,
}

/// What went wrong with one path; the run goes on and exits 2.
pub struct FileError {
    pub path: String,
    pub message: String,
}

/// Outcome of linting a file's bytes.
pub enum Outcome {
    Checked(Checked),
    /// Binary: skipped quietly.
    Skipped,
    Error(FileError),
}

/// Bytes at the start of a file that decide it is binary.
const BINARY_PROBE: usize = 8192;

/// Lints one file's bytes.
pub fn check_bytes(path: String, bytes: &[u8], kind: DocKind, config: &Config) -> Outcome {
    let probe = &bytes[..bytes.len().min(BINARY_PROBE)];
    if memchr::memchr(0, probe).is_some()
        || probe.starts_with(&[0xFF, 0xFE])
        || probe.starts_with(&[0xFE, 0xFF])
    {
        // NUL bytes or a UTF-16 byte-order mark: not a text file we read.
        if probe.starts_with(&[0xFF, 0xFE]) || probe.starts_with(&[0xFE, 0xFF]) {
            return Outcome::Error(FileError {
                path,
                message: "is UTF-16, not UTF-8; skipped".into(),
            });
        }
        return Outcome::Skipped;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            return Outcome::Error(FileError {
                path,
                message: format!("is not valid UTF-8 (byte {}); skipped", e.valid_up_to()),
            });
        }
    };
    if !has_candidate(text) {
        return Outcome::Checked(Checked {
            path,
            text: String::new(),
            analysis: Analysis::default(),
        });
    }
    let analysis = analyze(text, kind, config);
    let text = if analysis.diagnostics.is_empty() {
        String::new()
    } else {
        text.to_string()
    };
    Outcome::Checked(Checked {
        path,
        text,
        analysis,
    })
}

fn display(path: &Path, strip_dot: bool) -> String {
    let s = path.to_string_lossy();
    match s.strip_prefix("./") {
        Some(rest) if strip_dot => rest.to_string(),
        _ => s.into_owned(),
    }
}

/// Walks `roots` and lints every file found. Results come back sorted by path.
pub fn walk(
    roots: &[PathBuf],
    strip_dot: bool,
    opts: &WalkOptions,
    config: &Config,
) -> Result<(Vec<Checked>, Vec<FileError>), String> {
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
        return Ok((Vec::new(), errors));
    };
    let mut builder = ignore::WalkBuilder::new(first);
    for r in rest {
        builder.add(r);
    }
    let mut overrides = OverrideBuilder::new(".");
    for glob in &opts.exclude {
        overrides
            .add(&format!("!{glob}"))
            .map_err(|e| format!("--exclude `{glob}`: {e}"))?;
    }
    let overrides = overrides.build().map_err(|e| e.to_string())?;
    builder
        .hidden(!opts.hidden)
        .git_ignore(!opts.no_ignore)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .ignore(!opts.no_ignore)
        .parents(!opts.no_ignore)
        .require_git(false)
        .overrides(overrides)
        .threads(opts.threads);
    let checked = Mutex::new(Vec::new());
    let failed = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let checked = &checked;
        let failed = &failed;
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
            if !entry.file_type().is_some_and(|t| t.is_file()) {
                return WalkState::Continue;
            }
            let path = display(entry.path(), strip_dot);
            let kind = DocKind::from_path(&path);
            let read = BUFFER.with_borrow_mut(|buf| {
                buf.clear();
                std::fs::File::open(entry.path())
                    .and_then(|mut f| f.read_to_end(buf))
                    .map(|_| check_bytes(path.clone(), buf, kind, config))
            });
            match read {
                Ok(outcome) => match outcome {
                    Outcome::Checked(c) => checked.lock().expect("lock").push(c),
                    Outcome::Skipped => {}
                    Outcome::Error(e) => failed.lock().expect("lock").push(e),
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
    Ok((checked, errors))
}
