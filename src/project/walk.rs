//! Finding the files to lint: a `.gitignore`-aware parallel walk, reading
//! each file and linting (and, with `--fix` or `--diff`, fixing in memory) on
//! the worker that found it.
//!
//! Symbolic links to files are checked through the link (and `--fix` writes
//! their target); symbolic links to folders are not followed.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::WalkState;

use super::checked::{Checked, FileError, Outcome};
use super::config::{ConfigError, Resolver};
use super::read::{KeepText, binary_error, check_bytes, read_into};
use crate::fix::Applicability;
use crate::scan::DocKind;

/// How to walk.
pub struct WalkOptions {
    pub no_ignore: bool,
    pub hidden: bool,
    pub threads: usize,
    /// Fix in memory, applying fixes at or above this applicability.
    pub fix: Option<Applicability>,
    /// Which texts to keep (for reports that show source lines, or for
    /// references). Positions are computed on the worker either way.
    pub keep_text: KeepText,
    /// Apply the excludes to the roots too (`--force-exclude`): a path named
    /// on the command line is otherwise checked whatever it matches.
    pub force_exclude: bool,
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

thread_local! {
    /// Each worker reads files into one reused buffer.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn display(path: &Path, strip_dot: bool) -> String {
    let s = path.to_string_lossy();
    match s.strip_prefix("./") {
        Some(rest) if strip_dot => rest.to_string(),
        _ => s.into_owned(),
    }
}

/// Walks `roots` and lints every file found. Results come back sorted by path.
/// Folders a walk never enters: version control and dependency folders,
/// ruff's default `exclude` list without the folders built docs live in
/// (`_build`, `dist`, `site`): checking a built docs site is what many
/// users run this for.
const DEFAULT_EXCLUDED_FOLDERS: &[&str] = &[
    ".bzr",
    ".direnv",
    ".eggs",
    ".git",
    ".git-rewrite",
    ".hg",
    ".ipynb_checkpoints",
    ".mypy_cache",
    ".nox",
    ".pants.d",
    ".pyenv",
    ".pytest_cache",
    ".pytype",
    ".ruff_cache",
    ".svn",
    ".tox",
    ".venv",
    ".vscode",
    "__pypackages__",
    "buck-out",
    "node_modules",
    "site-packages",
    "venv",
];

/// Is this entry of a walk one of the [`DEFAULT_EXCLUDED_FOLDERS`] (which a
/// configured `exclude` replaces), or a generated search index (MkDocs'
/// `search/search_index.json`, Sphinx's `searchindex.js`), which repeats
/// every page's text?
fn default_excluded(path: &Path, is_dir: bool) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    if is_dir {
        return DEFAULT_EXCLUDED_FOLDERS.contains(&name);
    }
    name == "searchindex.js"
        || name == "search_index.json"
            && path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|p| p == "search")
}

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
            // Paths named on the command line are checked whatever they
            // are, unless --force-exclude.
            let excludable = entry.depth() > 0 || opts.force_exclude;
            let abs = resolver.absolute(entry.path());
            let folder = abs.parent().unwrap_or(Path::new("/"));
            let settings = match resolver.for_folder(folder) {
                Ok(s) => s,
                Err(e) => {
                    bad_configs.lock().expect("lock").push(e);
                    return WalkState::Skip;
                }
            };
            if excludable
                && (settings.excludes(&abs)
                    || !opts.no_ignore
                        && settings.default_excludes
                        && default_excluded(entry.path(), file_type.is_dir()))
            {
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
