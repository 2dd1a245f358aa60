//! Finding the files to lint: a `.gitignore`-aware parallel walk, reading
//! each file and linting (and, with `--fix` or `--diff`, fixing in memory) on
//! the worker that found it.
//!
//! Symbolic links to files are checked through the link (and `--fix` writes
//! their target); symbolic links to folders are not followed.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkState;

use super::checked::{Checked, FileError, Outcome};
use super::config::{ConfigError, Effective, Resolver};
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
    /// The report file being written (`-o`), which a walk leaves out: a
    /// folder checked with its report inside it must not read the report.
    pub report: Option<ReportFile>,
}

/// A file known by what it is, not by its name: its device and inode
/// (where those exist), so that a link or another path to it is the same.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFile {
    #[cfg(unix)]
    id: (u64, u64),
    #[cfg(not(unix))]
    canonical: PathBuf,
}

impl ReportFile {
    /// The file at `path`, if there is one.
    pub fn of(path: &Path) -> Option<ReportFile> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            Some(ReportFile {
                id: (m.dev(), m.ino()),
            })
        }
        #[cfg(not(unix))]
        {
            Some(ReportFile {
                canonical: std::fs::canonicalize(path).ok()?,
            })
        }
    }

    /// Is `path` this file? `ino`, when known, is checked first (a walk
    /// knows it without another system call).
    pub fn is(&self, path: &Path, ino: Option<u64>) -> bool {
        #[cfg(unix)]
        {
            if ino.is_some_and(|i| i != self.id.1) {
                return false;
            }
        }
        #[cfg(not(unix))]
        let _ = ino;
        ReportFile::of(path).is_some_and(|f| f == *self)
    }
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

/// One entry of a [`Listing`]: a file to read and check, or a path that
/// could not be used, in its place in path order.
pub enum Listed {
    File(ListedFile),
    Error(FileError),
}

impl Listed {
    fn path(&self) -> &str {
        match self {
            Listed::File(f) => &f.path,
            Listed::Error(e) => &e.path,
        }
    }
}

/// A file the walk found, not read yet.
pub struct ListedFile {
    /// As reports show it.
    pub path: String,
    /// Where to read it.
    pub fs_path: PathBuf,
    pub settings: Arc<Effective>,
    /// Named on the command line (a binary or special file is then an
    /// error, not skipped).
    pub named: bool,
}

/// What a walk finds before reading any file.
#[derive(Default)]
pub struct Listing {
    /// Sorted by path (stably: a path given twice is listed twice).
    pub entries: Vec<Listed>,
    /// Configuration files that could not be used, sorted, without repeats.
    pub config_errors: Vec<ConfigError>,
}

impl Listing {
    /// Whether some listed file asks for `--online` probes (which need
    /// every file's servers before any report).
    pub fn online(&self) -> bool {
        self.entries
            .iter()
            .any(|e| matches!(e, Listed::File(f) if f.settings.online))
    }
}

/// What checking one listed file gave.
#[derive(Default)]
pub struct FileResult {
    pub checked: Option<Checked>,
    pub error: Option<FileError>,
    /// With [`WalkOptions::max_bytes`]: (path, size, cap) of a file over its
    /// cap, which is then neither read further nor linted.
    pub too_large: Option<(String, u64, u64)>,
}

/// Lists the files under `roots` that a check reads: a `.gitignore`-aware
/// parallel walk that reads no file, with each folder's settings and its
/// excludes applied, sorted by path.
pub fn list(
    roots: &[PathBuf],
    strip_dot: bool,
    opts: &WalkOptions,
    resolver: &Resolver,
) -> Listing {
    let mut entries = Vec::new();
    let mut existing = Vec::new();
    for root in roots {
        if std::fs::symlink_metadata(root).is_err() {
            entries.push(Listed::Error(FileError {
                path: path_for_display(root),
                message: "no such file or folder".into(),
            }));
        } else {
            existing.push(root.clone());
        }
    }
    let Some((first, rest)) = existing.split_first() else {
        return Listing {
            entries,
            ..Listing::default()
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
    let found = Mutex::new(Vec::new());
    let bad_configs = Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let (found, bad_configs) = (&found, &bad_configs);
        // Each walker thread collects its own entries: one lock per thread,
        // not one per file.
        let mut mine = Batch(Vec::new(), found);
        // The last folder this thread saw: (as walked, absolute, its
        // settings). A folder's entries come one after another, and
        // making a path absolute and looking its folder up cost more than
        // the rest of listing it.
        let mut last: Option<(PathBuf, PathBuf, Arc<Effective>)> = None;
        Box::new(move |entry| {
            let entry = match entry {
                Ok(e) => e,
                Err(e) => {
                    mine.0.push(Listed::Error(FileError {
                        path: String::new(),
                        message: e.to_string(),
                    }));
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
                    mine.0.push(Listed::Error(special_error(path, what)));
                }
                return WalkState::Continue;
            }
            // Paths named on the command line are checked whatever they
            // are, unless --force-exclude.
            let excludable = entry.depth() > 0 || opts.force_exclude;
            // Below a root, `absolute(folder/name)` is `absolute(folder)/name`.
            let cached = match (&last, entry.path().parent(), entry.path().file_name()) {
                (Some((walked, abs, settings)), Some(parent), Some(name))
                    if entry.depth() > 0 && walked == parent =>
                {
                    Some((abs, name, settings.clone()))
                }
                _ => None,
            };
            let (settings, excluded) = match cached {
                Some((abs_folder, name, settings)) => {
                    let excluded =
                        settings.has_excludes() && settings.excludes(&abs_folder.join(name));
                    (settings, excluded)
                }
                None => {
                    let abs = resolver.absolute(entry.path());
                    let folder = abs.parent().unwrap_or(Path::new("/"));
                    let settings = match resolver.for_folder(folder) {
                        Ok(s) => s,
                        Err(e) => {
                            bad_configs.lock().expect("lock").push(e);
                            return WalkState::Skip;
                        }
                    };
                    if entry.depth() > 0
                        && let Some(parent) = entry.path().parent()
                    {
                        last = Some((parent.to_path_buf(), folder.to_path_buf(), settings.clone()));
                    }
                    let excluded = settings.excludes(&abs);
                    (settings, excluded)
                }
            };
            if excludable
                && (excluded
                    || !opts.no_ignore
                        && settings.default_excludes
                        && default_excluded(entry.path(), file_type.is_dir()))
            {
                return WalkState::Skip;
            }
            // A symbolic link's own inode is not its target's.
            #[cfg(unix)]
            let ino = entry.ino().filter(|_| !file_type.is_symlink());
            #[cfg(not(unix))]
            let ino = None;
            if is_file
                && entry.depth() > 0
                && opts
                    .report
                    .as_ref()
                    .is_some_and(|r| r.is(entry.path(), ino))
            {
                return WalkState::Continue;
            }
            if is_file {
                mine.0.push(Listed::File(ListedFile {
                    path: display(entry.path(), strip_dot),
                    named: entry.depth() == 0,
                    fs_path: entry.into_path(),
                    settings,
                }));
            }
            WalkState::Continue
        })
    });
    entries.extend(found.into_inner().expect("lock"));
    // Stable, and linear on the walker threads' sorted runs.
    entries.sort_by(|a, b| a.path().cmp(b.path()));
    let mut config_errors = bad_configs.into_inner().expect("lock");
    config_errors.sort();
    config_errors.dedup();
    Listing {
        entries,
        config_errors,
    }
}

/// A walker thread's entries, added to the listing when the thread is done.
struct Batch<'a>(Vec<Listed>, &'a Mutex<Vec<Listed>>);

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        let mut mine = std::mem::take(&mut self.0);
        // Sorted here, on the walker threads at once: the listing's sort
        // then merges sorted runs.
        mine.sort_by(|a, b| a.path().cmp(b.path()));
        // A poisoned lock means a walker panicked; the walk re-raises it.
        if let Ok(mut all) = self.1.lock() {
            all.extend(mine);
        }
    }
}

/// Reads and checks one listed file on this thread.
fn check_listed(file: &ListedFile, opts: &WalkOptions) -> FileResult {
    let kind = DocKind::from_path(&file.path);
    let path = &file.path;
    let mut result = FileResult::default();
    let read = BUFFER.with_borrow_mut(|buf| -> std::io::Result<Option<Outcome>> {
        let (handle, meta) = match open_regular(&file.fs_path)? {
            Ok(opened) => opened,
            // Replaced by a special file since the walk saw it.
            Err(what) if file.named => {
                return Ok(Some(Outcome::Error(special_error(path.clone(), what))));
            }
            Err(_) => return Ok(None),
        };
        let cap = opts.max_bytes.map(|default| {
            file.settings
                .max_document_bytes
                .map_or(default, |n| u64::try_from(n).unwrap_or(u64::MAX))
        });
        let len = match cap {
            Some(cap) if meta.len() > cap => {
                result.too_large = Some((path.clone(), meta.len(), cap));
                return Ok(None);
            }
            Some(cap) => {
                let len = read_into(std::io::Read::take(handle, cap.saturating_add(1)), buf)?;
                if len as u64 > cap {
                    result.too_large = Some((path.clone(), len as u64, cap));
                    return Ok(None);
                }
                len
            }
            None => read_into(handle, buf)?,
        };
        Ok(Some(check_bytes(
            path.clone(),
            Some(file.fs_path.clone()),
            &buf[..len],
            kind,
            file.settings.clone(),
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
            Outcome::Checked(c) => result.checked = Some(c),
            // A path named on the command line is the walk's root.
            Outcome::Skipped if file.named => result.error = Some(binary_error(path.clone())),
            Outcome::Skipped => {}
            Outcome::Error(e) => result.error = Some(e),
            Outcome::CheckedWithError(c, e) => {
                result.checked = Some(c);
                result.error = Some(e);
            }
        },
        Err(e) => {
            result.error = Some(FileError {
                path: path.clone(),
                message: format!("cannot be read: {e}"),
            })
        }
    }
    result
}

/// Results that may wait in [`check_in_order`]'s channel per worker: the
/// workers stop when the reader falls this far behind (a report piped to
/// `less`), so memory stays bounded.
const AHEAD_PER_WORKER: usize = 64;

/// Reads and checks every file of `entries` on `opts.threads` threads (this
/// one among them), handing each result to `work` on the thread that
/// checked it, and each value `work` gives to `take` on this thread, in the
/// entries' order, as soon as it and those before it are done. A
/// [`Listed::Error`] comes through as a result with only its error. When
/// `take` fails, the workers stop and the error is returned.
///
/// This thread checks files too and hands over what is ready between two of
/// them, waiting only at the end: a reader woken for each file (16,000
/// files, 16,000 wake-ups) cost more than the checks it waited for.
pub fn check_in_order<T: Send, E>(
    entries: &[Listed],
    opts: &WalkOptions,
    work: impl Fn(FileResult) -> T + Sync,
    mut take: impl FnMut(T) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = opts.threads.clamp(1, entries.len().max(1));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // How many entries have been taken, and how far beyond them a file may
    // be checked: a file slow to check (or a reader that takes slowly)
    // holds the others back, so the results waiting stay bounded.
    let delivered = AtomicUsize::new(0);
    let window = (threads - 1) * AHEAD_PER_WORKER + 1;
    let wait = || std::thread::sleep(std::time::Duration::from_micros(100));
    let one = |i: usize| match entries.get(i)? {
        Listed::File(f) => Some(check_listed(f, opts)),
        Listed::Error(e) => Some(FileResult {
            error: Some(e.clone()),
            ..FileResult::default()
        }),
    };
    std::thread::scope(|scope| {
        let (done, ready) =
            std::sync::mpsc::sync_channel::<(usize, T)>((threads - 1) * AHEAD_PER_WORKER);
        for _ in 1..threads {
            let (done, next, stop, work, one) = (done.clone(), &next, &stop, &work, &one);
            let (delivered, wait) = (&delivered, &wait);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= entries.len() {
                        break;
                    }
                    while i >= delivered.load(Ordering::Relaxed) + window {
                        if stop.load(Ordering::Relaxed) {
                            return;
                        }
                        wait();
                    }
                    let Some(result) = one(i) else { break };
                    // The receiver is gone when `take` failed: stop.
                    if done.send((i, work(result))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(done);
        // Values that came before those ahead of them, by index.
        let mut waiting = std::collections::BTreeMap::new();
        let mut taken = 0;
        let mut deliver = |i: usize, value: T| -> Result<(), E> {
            if i != taken {
                waiting.insert(i, value);
                return Ok(());
            }
            take(value)?;
            taken += 1;
            while let Some(value) = waiting.remove(&taken) {
                take(value)?;
                taken += 1;
            }
            delivered.store(taken, Ordering::Relaxed);
            Ok(())
        };
        let mut run = || -> Result<(), E> {
            loop {
                while let Ok((i, value)) = ready.try_recv() {
                    deliver(i, value)?;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= entries.len() {
                    break;
                }
                // This thread, too, stays within the window: what comes
                // before `i` is on the workers, whose results it takes.
                while i >= delivered.load(Ordering::Relaxed) + window {
                    match ready.recv_timeout(std::time::Duration::from_millis(1)) {
                        Ok((j, value)) => deliver(j, value)?,
                        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
                    }
                }
                let Some(result) = one(i) else { break };
                deliver(i, work(result))?;
            }
            for (i, value) in &ready {
                deliver(i, value)?;
            }
            Ok(())
        };
        let outcome = run();
        if outcome.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        // Unblocks the workers waiting to send; they then stop.
        drop(ready);
        outcome
    })
}

/// Walks `roots` and lints every file found: [`list`], then [`collect`].
pub fn walk(roots: &[PathBuf], strip_dot: bool, opts: &WalkOptions, resolver: &Resolver) -> Walked {
    let listing = list(roots, strip_dot, opts, resolver);
    let mut walked = collect(&listing, opts);
    walked.config_errors = listing.config_errors;
    walked
}

/// Checks every file of `listing` ([`check_in_order`]) and keeps every
/// result, sorted by path (without the listing's configuration errors).
pub fn collect(listing: &Listing, opts: &WalkOptions) -> Walked {
    let mut walked = Walked::default();
    let collected = check_in_order(
        &listing.entries,
        opts,
        |result| result,
        |result| -> Result<(), std::convert::Infallible> {
            walked.checked.extend(result.checked);
            walked.errors.extend(result.error);
            walked.too_large.extend(result.too_large);
            Ok(())
        },
    );
    let Ok(()) = collected;
    walked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::config::{Overrides, Resolver};

    /// A folder of `n` files, `f000.md`…, each with `i % 3` findings, and
    /// its listing.
    fn folder(n: usize) -> (tempfile::TempDir, Listing) {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..n {
            let text = "visicall:bob@h\n".repeat(i % 3);
            std::fs::write(dir.path().join(format!("f{i:03}.md")), text).unwrap();
        }
        // A file that cannot be checked, listed among the others.
        std::fs::write(dir.path().join("f050-bad.md"), b"\xff\xfe\x00u").unwrap();
        let resolver =
            Resolver::new(dir.path().to_path_buf(), None, true, Overrides::default()).unwrap();
        let listing = list(&[dir.path().to_path_buf()], false, &options(4), &resolver);
        assert!(listing.config_errors.is_empty());
        (dir, listing)
    }

    fn options(threads: usize) -> WalkOptions {
        WalkOptions {
            no_ignore: false,
            hidden: false,
            threads,
            fix: None,
            keep_text: KeepText::No,
            columns: Encoding::Utf32,
            force_exclude: false,
            max_bytes: None,
            report: None,
        }
    }

    fn name(path: &str) -> String {
        Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }

    /// Checked on several threads, the results come in the listing's
    /// order, every one once, each with what its file holds.
    #[test]
    fn results_come_in_path_order() {
        let (_dir, listing) = folder(300);
        let listed: Vec<String> = listing.entries.iter().map(|e| name(e.path())).collect();
        assert_eq!(listed.len(), 301);
        assert!(listed.windows(2).all(|w| w[0] < w[1]), "{listed:?}");
        for threads in [1, 2, 4] {
            let mut seen = Vec::new();
            let done = check_in_order(
                &listing.entries,
                &options(threads),
                |result| {
                    let path = result
                        .checked
                        .as_ref()
                        .map(|c| c.path.clone())
                        .or(result.error.as_ref().map(|e| e.path.clone()))
                        .unwrap();
                    let found = result.checked.map(|c| c.analysis.diagnostics.len());
                    (name(&path), found)
                },
                |value| -> Result<(), ()> {
                    seen.push(value);
                    Ok(())
                },
            );
            assert_eq!(done, Ok(()));
            let names: Vec<&String> = seen.iter().map(|(n, _)| n).collect();
            assert_eq!(
                names,
                listed.iter().collect::<Vec<_>>(),
                "{threads} threads"
            );
            for (n, found) in &seen {
                match n.strip_suffix(".md").unwrap().strip_prefix('f').unwrap() {
                    "050-bad" => assert_eq!(*found, None),
                    i => assert_eq!(*found, Some(i.parse::<usize>().unwrap() % 3), "{n}"),
                }
            }
        }
    }

    /// When the taker fails, its error is returned, nothing more is taken,
    /// and the workers stop well before the end.
    #[test]
    fn a_failing_taker_stops_the_check() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let (_dir, listing) = folder(2_000);
        let checked = AtomicUsize::new(0);
        let mut taken = 0;
        let done = check_in_order(
            &listing.entries,
            &options(4),
            |_| {
                checked.fetch_add(1, Ordering::Relaxed);
            },
            |()| {
                taken += 1;
                if taken == 10 { Err("full") } else { Ok(()) }
            },
        );
        assert_eq!(done, Err("full"));
        assert_eq!(taken, 10);
        let checked = checked.into_inner();
        // At most what the channel holds, and what each worker has in hand.
        assert!(checked < 10 + 3 * AHEAD_PER_WORKER + 8, "{checked}");
    }
}
