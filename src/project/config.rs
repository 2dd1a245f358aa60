//! Configuration files (README "Configuration"): discovery upward from each
//! checked file's folder, parsing with positions for error messages, and the
//! merge with command-line flags or the editor's settings. The command line
//! and the language server resolve files through this one [`Resolver`]:
//! strictly for `--check`, leniently for the editor ([`Strictness`]).
//!
//! - Names: `trueconf-lsp.toml`, then `.trueconf-lsp.toml`, in each folder
//!   from the file's own up to the file system root; the first found wins and
//!   nothing is merged from folders further up.
//! - `--config FILE` uses one file for every checked file; `--isolated` uses
//!   none.
//! - Command-line flags are laid over the file as ruff does: `--select`
//!   replaces the file's `select` and `ignore`; `--ignore` and
//!   `--extend-exclude` add to the file's; `--exclude` replaces the file's
//!   `exclude`; `--fail-on` replaces `fail-on`.
//! - `exclude` (the file's or `--exclude`) replaces the default excluded
//!   folders of the walk; `extend-exclude` adds to them (ruff's meaning).
//!   Globs are relative to the config file's folder (those of the command
//!   line to the current folder). A glob without `/` matches a file or
//!   folder name anywhere below; one with `/` matches the path from that
//!   folder. Paths named on the command line are checked whatever they
//!   match unless `--force-exclude` (the walk's business).
//! - The editor's settings are laid over each file's key by key; its
//!   `exclude` and `extend-exclude` globs are relative to the workspace
//!   root.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use toml::Spanned;

use super::settings::Settings;
use crate::rules::Config;
use crate::rules::Severity;
use crate::text::{Cursor, Encoding};

/// File names looked for in each folder, in order of preference.
pub const NAMES: [&str; 2] = ["trueconf-lsp.toml", ".trueconf-lsp.toml"];

/// How a configuration file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strictness {
    /// `--check`: an unknown key is an error, with its position.
    Strict,
    /// The editor: an unknown key is dropped with a warning.
    Lenient,
}

/// The longest configuration file read, by `--check` and the editor alike:
/// a longer one is an error, and no more than this (plus one byte) is ever
/// read. A configuration file must also be a regular file: a FIFO or a
/// device is never opened for blocking reads (`--config /dev/zero` fails at
/// once).
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A configuration file that cannot be used: where and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the error has no position (an unreadable file).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ConfigError {
    /// An error about `path` with no position in it.
    pub fn plain(path: impl Into<PathBuf>, message: String) -> ConfigError {
        ConfigError {
            path: path.into(),
            line: 0,
            column: 0,
            message,
        }
    }

    /// A TOML syntax error of `text`, at its position.
    fn toml(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
        let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message: e.message().trim_end().replace('\n', "; "),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The message may quote a value of the file, and the path names
        // folders of the checked tree: neither may put a control
        // character (a line break, an escape sequence) into a terminal or
        // a CI log.
        let message = redact_passwords(&self.message);
        let message = crate::text::escape_for_terminal(&message);
        let path = self.path.to_string_lossy();
        let path = crate::text::escape_for_terminal(&path);
        if self.line == 0 {
            write!(f, "{path}: {message}")
        } else {
            write!(f, "{path}:{}:{}: {message}", self.line, self.column)
        }
    }
}

/// `message` (which may quote a bad value) with passwords hidden: those of
/// any link in it, and any `user:password@` (`allowed-servers =
/// ["admin:pw@host"]`).
pub fn redact_passwords(message: &str) -> String {
    let mut spans = Vec::new();
    let b = message.as_bytes();
    // Every scheme, in any case and after any character (`TRUECONF:…`,
    // `dir/trueconf:…` given as a path), read as a link of its own.
    let lower = message.to_ascii_lowercase();
    for scheme in ["trueconf:", "visicall:"] {
        for (at, _) in lower.match_indices(scheme) {
            let end = b[at..]
                .iter()
                .position(|c| c.is_ascii_whitespace() || b"`'\"<>".contains(c))
                .map_or(b.len(), |i| at + i);
            let piece = format!("{scheme}{}", &message[at + scheme.len()..end]);
            let found = crate::analyze(
                &piece,
                crate::scan::DocKind::Plain,
                &crate::rules::Config::default(),
            );
            spans.extend(
                found
                    .secrets
                    .iter()
                    .map(|s| crate::text::Span::new(at + s.start, at + s.end)),
            );
        }
    }
    for (at, _) in message.match_indices('@') {
        let start = b[..at]
            .iter()
            .rposition(|c| c.is_ascii_whitespace() || b"`'\"/,[]<>(){}".contains(c))
            .map_or(0, |i| i + 1);
        if let Some(colon) = b[start..at].iter().rposition(|&c| c == b':')
            && start + colon + 1 < at
        {
            spans.push(crate::text::Span::new(start + colon + 1, at));
        }
    }
    crate::uri::redact(message, &crate::merge_spans(Vec::new(), &spans))
}

/// What the user gave (an argument, a path, a value a message quotes), as
/// it may be printed to a terminal or a CI log: passwords hidden
/// ([`redact_passwords`]) and control characters escaped
/// ([`crate::text::escape_for_terminal`]).
pub fn printable(s: &str) -> String {
    crate::text::escape_for_terminal(&redact_passwords(s)).into_owned()
}

type Span = std::ops::Range<usize>;

/// The values of a configuration file with their positions, by key, to
/// point errors at the offending value. Keys are told apart by
/// [`Settings`] itself, so every spelling it accepts is positioned.
#[derive(Default)]
struct Positions {
    fail_on: Option<(String, Span)>,
    select: Vec<(String, Span)>,
    ignore: Vec<(String, Span)>,
    exclude: Vec<(String, Span)>,
    extend_exclude: Vec<(String, Span)>,
    allowed_servers: Vec<(String, Span)>,
    docs_url: Option<(String, Span)>,
    /// Sorted by rule code.
    severity: Vec<((String, Span), (String, Span))>,
}

impl Positions {
    /// The positions in `text`, a file that [`Settings`] accepts.
    fn of(text: &str) -> Positions {
        let mut p = Positions::default();
        let (Ok(doc), Ok(table)) = (
            toml::de::DeTable::parse(text),
            toml::from_str::<toml::Table>(text),
        ) else {
            return p;
        };
        let string = |v: &Spanned<toml::de::DeValue>| {
            v.get_ref().as_str().map(|s| (s.to_string(), v.span()))
        };
        let strings = |v: &Spanned<toml::de::DeValue>| -> Vec<(String, Span)> {
            v.get_ref()
                .as_array()
                .map(|a| a.iter().filter_map(string).collect())
                .unwrap_or_default()
        };
        for (key, value) in doc.get_ref() {
            let Some(plain) = table.get(key.get_ref().as_ref()) else {
                continue;
            };
            let mut one = toml::Table::new();
            one.insert(key.get_ref().to_string(), plain.clone());
            // Which key this is, in whichever spelling.
            let Ok(one) = toml::Value::Table(one).try_into::<Settings>() else {
                continue;
            };
            if one.fail_on.is_some() {
                p.fail_on = string(value);
            } else if one.select.is_some() {
                p.select = strings(value);
            } else if one.ignore.is_some() {
                p.ignore = strings(value);
            } else if one.exclude.is_some() {
                p.exclude = strings(value);
            } else if one.extend_exclude.is_some() {
                p.extend_exclude = strings(value);
            } else if one.allowed_servers.is_some() {
                p.allowed_servers = strings(value);
            } else if one.docs_url.is_some() {
                p.docs_url = string(value);
            } else if one.severity.is_some()
                && let Some(t) = value.get_ref().as_table()
            {
                p.severity = t
                    .iter()
                    .filter_map(|(k, v)| Some(((k.get_ref().to_string(), k.span()), string(v)?)))
                    .collect();
                p.severity.sort_by(|a, b| a.0.0.cmp(&b.0.0));
            }
        }
        p
    }
}

/// 1-based line and character column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let lc = Cursor::new(text, Encoding::Utf32).line_col(offset);
    (lc.line as usize + 1, lc.col as usize + 1)
}

/// Parses and validates a configuration file's text strictly. Errors carry
/// the position of the offending key or value.
pub fn parse(path: &Path, text: &str) -> Result<Settings, ConfigError> {
    let error = |offset: usize, message: String| {
        let (line, column) = line_col(text, offset);
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message,
        }
    };
    let settings: Settings = toml::from_str(text).map_err(|e| ConfigError::toml(path, text, &e))?;
    let positioned = Positions::of(text);
    let check = |span: std::ops::Range<usize>, s: Settings| {
        s.to_config().map(|_| ()).map_err(|m| error(span.start, m))
    };
    if let Some((v, span)) = &positioned.fail_on {
        check(
            span.clone(),
            Settings {
                fail_on: Some(v.clone()),
                ..Settings::default()
            },
        )?;
    }
    for (key, list) in [
        ("select", &positioned.select),
        ("ignore", &positioned.ignore),
    ] {
        for (v, span) in list {
            let one = Some(vec![v.clone()]);
            let s = if key == "select" {
                Settings {
                    select: one,
                    ..Settings::default()
                }
            } else {
                Settings {
                    ignore: one,
                    ..Settings::default()
                }
            };
            check(span.clone(), s)?;
        }
    }
    if let Some((v, span)) = &positioned.docs_url {
        check(
            span.clone(),
            Settings {
                docs_url: Some(v.clone()),
                ..Settings::default()
            },
        )?;
    }
    for (v, span) in &positioned.allowed_servers {
        check(
            span.clone(),
            Settings {
                allowed_servers: Some(vec![v.clone()]),
                ..Settings::default()
            },
        )?;
    }
    for ((k, k_span), (v, v_span)) in &positioned.severity {
        let known = crate::rules::Rule::from_code(k).is_some();
        let span = if known { v_span } else { k_span };
        check(
            span.clone(),
            Settings {
                severity: Some(HashMap::from([(k.clone(), v.clone())])),
                ..Settings::default()
            },
        )?;
    }
    for (key, list) in [
        ("exclude", &positioned.exclude),
        ("extend-exclude", &positioned.extend_exclude),
    ] {
        for (v, span) in list {
            Exclude::new(Path::new("/"), std::slice::from_ref(v))
                .map_err(|m| error(span.start, format!("{key}: {m}")))?;
        }
    }
    // Every item is valid on its own; the whole must be too.
    settings.to_config().map_err(|m| error(0, m))?;
    Ok(settings)
}

/// Parses a configuration file's text leniently: unknown keys are dropped,
/// with one warning each. Returns the settings and the warnings.
fn parse_lenient(path: &Path, text: &str) -> Result<(Settings, Vec<String>), ConfigError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| ConfigError::toml(path, text, &e))?;
    if table.keys().all(|k| Settings::is_key(k)) {
        // The strict reading, with its positions.
        return parse(path, text).map(|s| (s, Vec::new()));
    }
    let plain = |message: String| ConfigError::plain(path, message);
    let value = serde_json::to_value(table).map_err(|e| plain(e.to_string()))?;
    let (settings, warnings) = Settings::lenient(&value).map_err(plain)?;
    settings.to_config().map_err(plain)?;
    for (key, globs) in [
        ("exclude", &settings.exclude),
        ("extend-exclude", &settings.extend_exclude),
    ] {
        if let Some(globs) = globs {
            Exclude::new(Path::new("/"), globs).map_err(|m| plain(format!("{key}: {m}")))?;
        }
    }
    let warnings = warnings
        .into_iter()
        .map(|w| format!("{}: {w}", path.display()))
        .collect();
    Ok((settings, warnings))
}

/// Reads and parses the configuration file at `path`. Returns the settings
/// and, when lenient, warnings about the keys dropped.
pub fn load(path: &Path, strictness: Strictness) -> Result<(Settings, Vec<String>), ConfigError> {
    let plain = |message: String| ConfigError::plain(path, message);
    let too_large = || {
        plain(format!(
            "is larger than {} KiB; not read",
            MAX_CONFIG_BYTES / 1024
        ))
    };
    let (file, meta) = match super::open::open_regular(path) {
        Ok(Ok(opened)) => opened,
        Ok(Err(what)) => return Err(plain(format!("is {what}, not a regular file; not read"))),
        Err(e) => return Err(plain(format!("cannot be read: {e}"))),
    };
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| plain(format!("cannot be read: {e}")))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(too_large());
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
        let (line, column) = line_col(&text, e.utf8_error().valid_up_to());
        ConfigError {
            path: path.to_path_buf(),
            line,
            column,
            message: "is not valid UTF-8".into(),
        }
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    match strictness {
        Strictness::Strict => parse(path, text).map(|s| (s, Vec::new())),
        Strictness::Lenient => parse_lenient(path, text),
    }
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved by name
/// (symbolic links are not followed).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    out
}

/// Compiled `exclude` globs and the folder they are relative to.
#[derive(Clone, Debug)]
pub struct Exclude {
    base: PathBuf,
    /// Globs without `/`: matched against each name.
    names: GlobSet,
    /// Globs with `/`: matched against the path from `base`.
    paths: GlobSet,
    empty: bool,
}

impl Exclude {
    pub fn new(base: &Path, patterns: &[String]) -> Result<Exclude, String> {
        let mut names = GlobSetBuilder::new();
        let mut paths = GlobSetBuilder::new();
        for p in patterns {
            if p.len() > 1024 {
                return Err(format!("pattern longer than 1024 bytes: {:.40}…", p));
            }
            let pattern = p.trim_end_matches('/');
            let pattern = pattern.strip_prefix("./").unwrap_or(pattern);
            let glob = GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("`{p}` is no valid glob: {}", e.kind()))?;
            if pattern.contains('/') {
                paths.add(glob);
            } else {
                names.add(glob);
            }
        }
        Ok(Exclude {
            base: base.to_path_buf(),
            names: names.build().map_err(|e| e.to_string())?,
            paths: paths.build().map_err(|e| e.to_string())?,
            empty: patterns.is_empty(),
        })
    }

    /// Does a glob match the absolute path `abs`, or a folder holding it
    /// below the base?
    pub fn matches(&self, abs: &Path) -> bool {
        if self.empty {
            return false;
        }
        match abs.strip_prefix(&self.base) {
            Ok(rel) => {
                let mut prefix = PathBuf::new();
                for c in rel.components() {
                    prefix.push(c);
                    if self.names.is_match(c.as_os_str()) || self.paths.is_match(&prefix) {
                        return true;
                    }
                }
                false
            }
            Err(_) => abs.file_name().is_some_and(|n| self.names.is_match(n)),
        }
    }
}

/// What the command line says, laid over each file's configuration.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    /// `--exclude`: when given, replaces every `exclude` and the default
    /// excludes.
    pub exclude: Vec<String>,
    /// `--extend-exclude`: added to every file's excludes.
    pub extend_exclude: Vec<String>,
    /// `--online`: probe servers whatever the files say.
    pub online: bool,
}

/// The excludes of the command line or of the editor, laid over each
/// file's: `exclude` replaces the file's `exclude` and the default
/// excludes; `extend-exclude` adds.
#[derive(Clone, Debug)]
struct OuterExcludes {
    replace: Option<Exclude>,
    extend: Exclude,
}

impl OuterExcludes {
    fn new(base: &Path, replace: Option<&[String]>, extend: &[String]) -> Result<Self, String> {
        Ok(OuterExcludes {
            replace: replace.map(|g| Exclude::new(base, g)).transpose()?,
            extend: Exclude::new(base, extend)?,
        })
    }
}

/// The settings in force for one file, in both shells.
#[derive(Debug)]
pub struct Effective {
    pub config: Config,
    pub fail_on: Severity,
    /// The configuration file used, if any.
    pub source: Option<PathBuf>,
    /// Language server: show inlay hints naming each link's action.
    pub inlay_hints: bool,
    /// Language server: the document size cap, when the settings set one.
    pub max_document_bytes: Option<usize>,
    /// Where the rules' documentation is: the `docs-url` setting, else the
    /// package's [`homepage`](super::settings::homepage), else `None`.
    pub docs_url: Option<String>,
    /// Whether the walk skips its default excluded folders: no `exclude`
    /// replaced them.
    pub default_excludes: bool,
    /// Probe the links' servers (`online`, `--online`; TC020 enabled).
    pub online: bool,
    /// Hosts never probed (`online-exclude`).
    pub online_exclude: Option<globset::GlobSet>,
    excludes: Vec<Exclude>,
}

impl Effective {
    /// The file's settings (if any), the editor's laid over them key by key,
    /// then the command line's. `outer` holds the excludes of the command
    /// line or of the editor; theirs replace the file's key by key.
    fn new(
        file: Option<(&Path, &Settings)>,
        editor: &Settings,
        overrides: &Overrides,
        outer: &OuterExcludes,
    ) -> Result<Effective, String> {
        let mut settings = file
            .map(|(_, s)| s.clone())
            .unwrap_or_default()
            .over(editor);
        if !overrides.select.is_empty() {
            settings.select = Some(overrides.select.clone());
            settings.ignore = Some(overrides.ignore.clone());
        } else if !overrides.ignore.is_empty() {
            let mut ignore = settings.ignore.take().unwrap_or_default();
            ignore.extend(overrides.ignore.iter().cloned());
            settings.ignore = Some(ignore);
        }
        let config = settings.to_config()?;
        let fail_on = match overrides.fail_on {
            Some(f) => f,
            None => settings.fail_on()?.unwrap_or(Severity::Warning),
        };
        let mut excludes = vec![outer.extend.clone()];
        let mut default_excludes = true;
        let folder = file.map(|(path, s)| (path.parent().unwrap_or(Path::new("/")), s));
        if let Some(replace) = &outer.replace {
            excludes.push(replace.clone());
            default_excludes = false;
        } else if let Some((base, s)) = folder
            && let Some(globs) = &s.exclude
        {
            excludes.push(Exclude::new(base, globs)?);
            default_excludes = false;
        }
        if let Some((base, s)) = folder
            && let Some(globs) = &s.extend_exclude
            && editor.extend_exclude.is_none()
        {
            excludes.push(Exclude::new(base, globs)?);
        }
        Ok(Effective {
            fail_on,
            source: file.map(|(p, _)| p.to_path_buf()),
            inlay_hints: settings.inlay_hints.unwrap_or(true),
            max_document_bytes: settings
                .max_document_bytes
                .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            docs_url: settings
                .docs_url
                .clone()
                .or_else(|| super::settings::homepage().map(str::to_string)),
            default_excludes,
            online: (overrides.online || settings.online.unwrap_or(false))
                && config.is_enabled(crate::rules::Rule::ServerUnreachable),
            online_exclude: settings.online_exclude()?,
            config,
            excludes,
        })
    }

    /// Whether `host` is to be probed: `online` is on and no
    /// `online-exclude` glob matches it.
    pub fn probes(&self, host: &str) -> bool {
        self.online
            && !self
                .online_exclude
                .as_ref()
                .is_some_and(|g| g.is_match(host))
    }

    /// The address of `rule`'s documentation, when one is known.
    pub fn rule_docs(&self, rule: crate::rules::Rule) -> Option<String> {
        self.docs_url
            .as_deref()
            .map(|b| super::settings::rule_docs(b, rule))
    }

    /// Is the absolute path `abs` excluded by the file's or the command
    /// line's `exclude`?
    pub fn excludes(&self, abs: &Path) -> bool {
        self.excludes.iter().any(|e| e.matches(abs))
    }

    /// Whether [`Effective::excludes`] can exclude anything (some
    /// `exclude` has a pattern).
    pub fn has_excludes(&self) -> bool {
        self.excludes.iter().any(|e| !e.empty)
    }
}

enum Mode {
    Isolated(Arc<Effective>),
    Explicit(Arc<Effective>),
    Discover {
        /// Per folder: the settings found there or above.
        folders: Mutex<HashMap<PathBuf, Result<Arc<Effective>, ConfigError>>>,
        /// Per configuration file, so folders share one [`Effective`].
        files: Mutex<HashMap<PathBuf, Result<Arc<Effective>, ConfigError>>>,
        default: Arc<Effective>,
    },
}

/// Finds the settings for each checked file; shared by the walk's threads.
pub struct Resolver {
    cwd: PathBuf,
    strictness: Strictness,
    /// The editor's settings, laid over each file's.
    editor: Settings,
    overrides: Overrides,
    /// The command line's or the editor's `exclude`.
    cli_exclude: OuterExcludes,
    mode: Mode,
    /// Lenient: warnings about dropped keys, and the files that could not
    /// be used (and were skipped, as if absent), since the last
    /// [`Resolver::take_notes`].
    notes: Mutex<(Vec<String>, Vec<ConfigError>)>,
}

impl Resolver {
    /// `config`: `--config FILE`; `isolated`: `--isolated`.
    pub fn new(
        cwd: PathBuf,
        config: Option<&Path>,
        isolated: bool,
        overrides: Overrides,
    ) -> Result<Resolver, ConfigError> {
        Exclude::new(&cwd, &overrides.extend_exclude)
            .map_err(|m| ConfigError::plain("--extend-exclude", m))?;
        let cli_exclude = OuterExcludes::new(
            &cwd,
            (!overrides.exclude.is_empty()).then_some(&overrides.exclude[..]),
            &overrides.extend_exclude,
        )
        .map_err(|m| ConfigError::plain("--exclude", m))?;
        let plain = |message: String| ConfigError::plain("command line", message);
        let editor = Settings::default();
        let mode = if let Some(path) = config {
            let (settings, _) = load(path, Strictness::Strict)?;
            let abs = absolute(&cwd, path);
            let eff = Effective::new(Some((&abs, &settings)), &editor, &overrides, &cli_exclude)
                .map_err(|m| ConfigError::plain(path, m))?;
            Mode::Explicit(Arc::new(eff))
        } else {
            let default =
                Arc::new(Effective::new(None, &editor, &overrides, &cli_exclude).map_err(plain)?);
            if isolated {
                Mode::Isolated(default)
            } else {
                Mode::Discover {
                    folders: Mutex::new(HashMap::new()),
                    files: Mutex::new(HashMap::new()),
                    default,
                }
            }
        };
        Ok(Resolver {
            cwd,
            strictness: Strictness::Strict,
            editor,
            overrides,
            cli_exclude,
            mode,
            notes: Mutex::default(),
        })
    }

    /// The language server's resolver: configuration files are found as
    /// `--check` finds them (the nearest above each file) but read
    /// leniently, a file that cannot be used is skipped as if absent, and
    /// the editor's settings are laid over each file's key by key (its
    /// `exclude` globs relative to `root`). Errors are about the editor's
    /// settings.
    pub fn editor(root: PathBuf, editor: Settings) -> Result<Resolver, String> {
        let overrides = Overrides::default();
        let cli_exclude = OuterExcludes::new(
            &root,
            editor.exclude.as_deref(),
            editor.extend_exclude.as_deref().unwrap_or_default(),
        )
        .map_err(|m| format!("exclude: {m}"))?;
        let default = Arc::new(Effective::new(None, &editor, &overrides, &cli_exclude)?);
        Ok(Resolver {
            cwd: root,
            strictness: Strictness::Lenient,
            editor,
            overrides,
            cli_exclude,
            mode: Mode::Discover {
                folders: Mutex::new(HashMap::new()),
                files: Mutex::new(HashMap::new()),
                default,
            },
            notes: Mutex::default(),
        })
    }

    /// The settings of a file that has no folder (an unsaved document):
    /// those without a configuration file.
    pub fn fallback(&self) -> Arc<Effective> {
        match &self.mode {
            Mode::Isolated(e) | Mode::Explicit(e) => e.clone(),
            Mode::Discover { default, .. } => default.clone(),
        }
    }

    /// Lenient: the warnings and the skipped files noted since the last
    /// call, each once.
    pub fn take_notes(&self) -> (Vec<String>, Vec<ConfigError>) {
        let (mut warnings, mut errors) =
            std::mem::take(&mut *self.notes.lock().unwrap_or_else(|e| e.into_inner()));
        warnings.sort();
        warnings.dedup();
        errors.sort();
        errors.dedup();
        (warnings, errors)
    }

    /// The absolute form of a path as given.
    pub fn absolute(&self, path: &Path) -> PathBuf {
        absolute(&self.cwd, path)
    }

    /// The settings for the file at `path` (as given on the command line or
    /// found by the walk).
    pub fn for_file(&self, path: &Path) -> Result<Arc<Effective>, ConfigError> {
        let abs = self.absolute(path);
        let folder = abs.parent().unwrap_or(Path::new("/"));
        self.for_folder(folder)
    }

    /// The settings for files in the absolute folder `folder`.
    pub fn for_folder(&self, folder: &Path) -> Result<Arc<Effective>, ConfigError> {
        match &self.mode {
            Mode::Isolated(e) | Mode::Explicit(e) => Ok(e.clone()),
            Mode::Discover {
                folders,
                files,
                default,
            } => {
                if let Some(found) = folders.lock().expect("lock").get(folder) {
                    return found.clone();
                }
                let mut found = None;
                for name in NAMES {
                    let candidate = folder.join(name);
                    if candidate.is_file() {
                        found = Some(candidate);
                        break;
                    }
                }
                let above = || match folder.parent() {
                    Some(parent) => self.for_folder(parent),
                    None => Ok(default.clone()),
                };
                let result = match found {
                    Some(file) => match self.effective_for(files, &file) {
                        Err(e) if self.strictness == Strictness::Lenient => {
                            self.notes.lock().expect("lock").1.push(e);
                            above()
                        }
                        result => result,
                    },
                    None => above(),
                };
                folders
                    .lock()
                    .expect("lock")
                    .insert(folder.to_path_buf(), result.clone());
                result
            }
        }
    }

    fn effective_for(
        &self,
        files: &Mutex<HashMap<PathBuf, Result<Arc<Effective>, ConfigError>>>,
        file: &Path,
    ) -> Result<Arc<Effective>, ConfigError> {
        if let Some(e) = files.lock().expect("lock").get(file) {
            return e.clone();
        }
        let shown = self.shown(file);
        let result = load(file, self.strictness)
            .map_err(|mut e| {
                e.path = shown.clone();
                e
            })
            .and_then(|(settings, warnings)| {
                self.notes.lock().expect("lock").0.extend(warnings);
                Effective::new(
                    Some((file, &settings)),
                    &self.editor,
                    &self.overrides,
                    &self.cli_exclude,
                )
                .map(Arc::new)
                .map_err(|m| ConfigError::plain(shown, m))
            });
        files
            .lock()
            .expect("lock")
            .insert(file.to_path_buf(), result.clone());
        result
    }

    /// A configuration file's path as shown in messages: relative to the
    /// current folder when below it.
    fn shown(&self, file: &Path) -> PathBuf {
        file.strip_prefix(&self.cwd)
            .map(Path::to_path_buf)
            .unwrap_or_else(|_| file.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Rule;

    fn err(text: &str) -> String {
        parse(Path::new("trueconf-lsp.toml"), text)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parses_every_key() {
        let text = r#"
fail-on = "error"
select = ["TC"]
ignore = ["TC015"]
exclude = ["vendor/**", "*.min.js"]
allowed-servers = ["video.example.com", "*.corp.example.com"]
inlay-hints = false

[severity]
TC004 = "error"
"#;
        let s = parse(Path::new("x.toml"), text).unwrap();
        let c = s.to_config().unwrap();
        assert!(!c.is_enabled(Rule::RawAmpersandInHtml));
        assert_eq!(
            c.severity_override(Rule::PlaintextPassword),
            Some(Severity::Error)
        );
        assert_eq!(s.fail_on().unwrap(), Some(Severity::Error));
        assert!(c.allowed_servers.unwrap().allows("a.corp.example.com"));
    }

    #[test]
    fn errors_point_at_the_value() {
        assert_eq!(
            err("select = [\"TC001\",\n  \"XX9\"]\n"),
            "trueconf-lsp.toml:2:3: select: `XX9` is no rule code, prefix or name"
        );
        assert_eq!(
            err("fail-on = \"loud\""),
            "trueconf-lsp.toml:1:11: fail-on: `loud` is not error, warning or info"
        );
        assert_eq!(
            err("[severity]\nTC004 = \"fatal\"\n"),
            "trueconf-lsp.toml:2:9: severity.TC004: `fatal` is not error, warning, info or hint"
        );
        assert_eq!(
            err("[severity]\nTC999 = \"error\"\n"),
            "trueconf-lsp.toml:2:1: severity: `TC999` is no rule code"
        );
        assert!(
            err("allowed-servers = [\"[\"]").starts_with(
                "trueconf-lsp.toml:1:20: allowed-servers: `[` is no valid host pattern"
            )
        );
        assert!(err("exclude = [\"a/[\"]").starts_with("trueconf-lsp.toml:1:12: exclude: `a/[`"));
        let unknown = err("selct = []\n");
        assert!(
            unknown.starts_with("trueconf-lsp.toml:1:1: unknown field `selct`"),
            "{unknown}"
        );
        let syntax = err("select = [\"TC\"\n");
        assert!(syntax.starts_with("trueconf-lsp.toml:"), "{syntax}");
        let wrong_type = err("select = \"TC\"\n");
        assert!(
            wrong_type.starts_with("trueconf-lsp.toml:1:10: "),
            "{wrong_type}"
        );
    }

    #[test]
    fn every_spelling_is_positioned() {
        assert_eq!(
            err("allowedServers = [\"a\", \"[\"]").get(..28),
            Some("trueconf-lsp.toml:1:24: allo")
        );
        assert_eq!(
            err("inlayHints = true\nselect = [\"XX9\"]\n"),
            "trueconf-lsp.toml:2:11: select: `XX9` is no rule code, prefix or name"
        );
        assert_eq!(
            err("[severity]\nTC004 = \"info\"\nTC002 = \"loud\"\nTC999 = \"x\"\n"),
            "trueconf-lsp.toml:3:9: severity.TC002: `loud` is not error, warning, info or hint"
        );
    }

    #[test]
    fn excludes_by_name_and_by_path() {
        let e = Exclude::new(
            Path::new("/site"),
            &["vendor".into(), "*.min.js".into(), "docs/draft/**".into()],
        )
        .unwrap();
        assert!(e.matches(Path::new("/site/a/vendor/x.md")));
        assert!(e.matches(Path::new("/site/js/app.min.js")));
        assert!(e.matches(Path::new("/site/docs/draft/a/b.md")));
        assert!(!e.matches(Path::new("/site/other/docs/draft/b.md")));
        assert!(!e.matches(Path::new("/site/docs/guide.md")));
        assert!(e.matches(Path::new("/elsewhere/app.min.js")));
        assert!(!e.matches(Path::new("/elsewhere/vendor/a.md")));
    }

    #[test]
    fn command_line_over_file() {
        let file = Settings {
            select: Some(vec!["TC0".into()]),
            ignore: Some(vec!["TC002".into()]),
            fail_on: Some("error".into()),
            ..Settings::default()
        };
        let none = OuterExcludes::new(Path::new("/"), None, &[]).unwrap();
        let p = Path::new("/x/trueconf-lsp.toml");
        let e = Effective::new(
            Some((p, &file)),
            &Settings::default(),
            &Overrides {
                ignore: vec!["TC004".into()],
                ..Overrides::default()
            },
            &none,
        )
        .unwrap();
        assert!(!e.config.is_enabled(Rule::MissingEncrypt));
        assert!(!e.config.is_enabled(Rule::PlaintextPassword));
        assert!(e.config.is_enabled(Rule::DeprecatedScheme));
        assert!(!e.config.is_enabled(Rule::UnusedSuppression));
        assert_eq!(e.fail_on, Severity::Error);
        let e = Effective::new(
            Some((p, &file)),
            &Settings::default(),
            &Overrides {
                select: vec!["TC002".into()],
                fail_on: Some(Severity::Info),
                ..Overrides::default()
            },
            &none,
        )
        .unwrap();
        assert!(e.config.is_enabled(Rule::MissingEncrypt));
        assert!(!e.config.is_enabled(Rule::DeprecatedScheme));
        assert_eq!(e.fail_on, Severity::Info);
    }

    #[test]
    fn absolute_resolves_dots_by_name() {
        assert_eq!(
            absolute(Path::new("/a/b"), Path::new("./c/../d/e.md")),
            PathBuf::from("/a/b/d/e.md")
        );
        assert_eq!(
            absolute(Path::new("/a/b"), Path::new("/x/./y")),
            PathBuf::from("/x/y")
        );
    }
}
