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
use super::read::{
    Keep, KeepText, binary_error, check_bytes, open_regular, read_into, special_error, special_kind,
};
use crate::fix::Applicability;
use crate::scan::DocKind;
use crate::text::Encoding;

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
    /// The unit of the positions' columns ([`Keep::columns`]).
    pub columns: Encoding,
    /// Apply the excludes to the roots too (`--force-exclude`): a path named
    /// on the command line is otherwise checked whatever it matches.
    pub force_exclude: bool,
    /// The language server's document size cap, for workspace diagnostics,
    /// unless a file's settings set `max-document-bytes`: a file over it is
    /// not linted (nor read past the cap) but listed in
    /// [`Walked::too_large`]. `None` for the command line.
    pub max_bytes: Option<u64>,
}

/// Everything a walk found.
#[derive(Default)]
pub struct Walked {
    /// Sorted by path.
    pub checked: Vec<Checked>,
    pub errors: Vec<FileError>,
    /// Configuration files that could not be used, sorted, without repeats.
    pub config_errors: Vec<ConfigError>,
    /// With [`WalkOptions::max_bytes`]: the files over their cap, as
    /// (path, size, cap); the size is at least the cap + 1 (the file is
    /// never read further). Sorted by path.
    pub too_large: Vec<(String, u64, u64)>,
}

thread_local! {
    /// Each worker reads files into one reused buffer.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// `path` as reports show it: non-UTF-8 bytes as `\xff` (two names that
/// differ only there must not both read `\u{fffd}`).
pub fn path_for_display(path: &Path) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        crate::text::bytes_for_display(path.as_os_str().as_bytes())
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned()
    }
}

fn display(path: &Path, strip_dot: bool) -> String {
    let s = path_for_display(path);
    match s.strip_prefix("./") {
        Some(rest) if strip_dot => rest.to_string(),
        _ => s,
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

/// `checked` in path order, as a stable sort would leave it. The files
/// are sorted as indices and then moved once each: a `Checked` is large,
/// and sorting thousands of them in place spent more time moving them
/// than comparing paths.
fn sorted_by_path(checked: Vec<Checked>) -> Vec<Checked> {
    let mut order: Vec<usize> = (0..checked.len()).collect();
    order.sort_unstable_by(|&a, &b| checked[a].path.cmp(&checked[b].path).then(a.cmp(&b)));
    let mut slots: Vec<Option<Checked>> = checked.into_iter().map(Some).collect();
    order
        .into_iter()
        .map(|i| slots[i].take().expect("each index once"))
        .collect()
}

pub fn walk(roots: &[PathBuf], strip_dot: bool, opts: &WalkOptions, resolver: &Resolver) -> Walked {
    let mut errors = Vec::new();
    let mut existing = Vec::new();
    for root in roots {
        if std::fs::symlink_metadata(root).is_err() {
            errors.push(FileError {
                path: path_for_display(root),
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
    let too_large = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let (checked, failed, bad_configs, too_large) =
            (&checked, &failed, &bad_configs, &too_large);
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
            // What a symbolic link leads to, else the entry itself.
            let target_type = if file_type.is_symlink() {
                entry.path().metadata().ok().map(|m| m.file_type())
            } else {
                Some(file_type)
            };
            let is_file = target_type.is_some_and(|t| t.is_file());
            // A FIFO, device or socket named on the command line is reported,
            // never read; in a folder, it is skipped quietly.
            if let Some(what) = target_type.and_then(special_kind) {
                if entry.depth() == 0 {
                    let path = display(entry.path(), strip_dot);
                    failed.lock().expect("lock").push(special_error(path, what));
                }
                return WalkState::Continue;
            }
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
            let read = BUFFER.with_borrow_mut(|buf| -> std::io::Result<Option<Outcome>> {
                let (file, meta) = match open_regular(entry.path())? {
                    Ok(opened) => opened,
                    // Replaced by a special file since the walk saw it.
                    Err(what) if entry.depth() == 0 => {
                        return Ok(Some(Outcome::Error(special_error(path.clone(), what))));
                    }
                    Err(_) => return Ok(None),
                };
                let cap = opts.max_bytes.map(|default| {
                    settings
                        .max_document_bytes
                        .map_or(default, |n| u64::try_from(n).unwrap_or(u64::MAX))
                });
                let len = match cap {
                    Some(cap) if meta.len() > cap => {
                        let size = meta.len();
                        too_large
                            .lock()
                            .expect("lock")
                            .push((path.clone(), size, cap));
                        return Ok(None);
                    }
                    Some(cap) => {
                        let len = read_into(std::io::Read::take(file, cap.saturating_add(1)), buf)?;
                        if len as u64 > cap {
                            let size = len as u64;
                            too_large
                                .lock()
                                .expect("lock")
                                .push((path.clone(), size, cap));
                            return Ok(None);
                        }
                        len
                    }
                    None => read_into(file, buf)?,
                };
                Ok(Some(check_bytes(
                    path.clone(),
                    Some(entry.path().to_path_buf()),
                    &buf[..len],
                    kind,
                    settings,
                    opts.fix,
                    Keep {
                        text: opts.keep_text,
                        columns: opts.columns,
                    },
                )))
            });
            match read {
                Ok(None) => {}
                Ok(Some(outcome)) => match outcome {
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
    let checked = sorted_by_path(checked.into_inner().expect("lock"));
    errors.extend(failed.into_inner().expect("lock"));
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    let mut config_errors = bad_configs.into_inner().expect("lock");
    config_errors.sort();
    config_errors.dedup();
    let mut too_large = too_large.into_inner().expect("lock");
    too_large.sort();
    Walked {
        checked,
        errors,
        config_errors,
        too_large,
    }
}
