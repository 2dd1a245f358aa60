//! Configuration files (interface.md §4): discovery upward from each checked
//! file's folder, parsing with positions for error messages, and the merge
//! with command-line flags.
//!
//! - Names: `trueconf-lsp.toml`, then `.trueconf-lsp.toml`, in each folder
//!   from the file's own up to the file system root; the first found wins and
//!   nothing is merged from folders further up.
//! - `--config FILE` uses one file for every checked file; `--isolated` uses
//!   none.
//! - Command-line flags are laid over the file as ruff does: `--select`
//!   replaces the file's `select` and `ignore`; `--ignore` and `--exclude`
//!   add to the file's; `--fail-on` replaces `fail-on`.
//! - `exclude` globs are relative to the config file's folder (those of
//!   `--exclude` to the current folder). A glob without `/` matches a file or
//!   folder name anywhere below; one with `/` matches the path from that
//!   folder. They apply to paths named on the command line too, so a
//!   pre-commit hook that passes file names honours them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::rules::Config;
use crate::rules::Severity;
use crate::settings::Settings;

/// File names looked for in each folder, in order of preference.
pub const NAMES: [&str; 2] = ["trueconf-lsp.toml", ".trueconf-lsp.toml"];

/// A configuration file that cannot be used: where and why.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the error has no position (an unreadable file).
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

/// The settings keys with the positions of their values, to point errors at
/// the offending value. Every key of [`Settings`] must be here too (a test
/// checks it).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct Positioned {
    fail_on: Option<Spanned<String>>,
    select: Option<Vec<Spanned<String>>>,
    ignore: Option<Vec<Spanned<String>>>,
    exclude: Option<Vec<Spanned<String>>>,
    #[serde(alias = "allowedServers")]
    allowed_servers: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
    #[serde(alias = "inlayHints")]
    #[allow(dead_code)]
    inlay_hints: Option<bool>,
    #[serde(alias = "maxDocumentBytes")]
    #[allow(dead_code)]
    max_document_bytes: Option<u64>,
}

/// 1-based line and character column of byte `offset` in `text`.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = crate::text::floor_char_boundary(text, offset.min(text.len()));
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// Parses and validates a configuration file's text. Errors carry the
/// position of the offending key or value.
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
    let settings: Settings = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        error(offset, e.message().trim_end().replace('\n', "; "))
    })?;
    let positioned: Positioned = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        error(offset, e.message().trim_end().replace('\n', "; "))
    })?;
    let check = |span: std::ops::Range<usize>, s: Settings| {
        s.to_config().map(|_| ()).map_err(|m| error(span.start, m))
    };
    if let Some(v) = &positioned.fail_on {
        check(
            v.span(),
            Settings {
                fail_on: Some(v.get_ref().clone()),
                ..Settings::default()
            },
        )?;
    }
    for (key, list) in [
        ("select", &positioned.select),
        ("ignore", &positioned.ignore),
    ] {
        for v in list.iter().flatten() {
            let one = Some(vec![v.get_ref().clone()]);
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
            check(v.span(), s)?;
        }
    }
    for v in positioned.allowed_servers.iter().flatten() {
        check(
            v.span(),
            Settings {
                allowed_servers: Some(vec![v.get_ref().clone()]),
                ..Settings::default()
            },
        )?;
    }
    for (k, v) in positioned.severity.iter().flatten() {
        let known = crate::rules::Rule::from_code(k.get_ref()).is_some();
        let span = if known { v.span() } else { k.span() };
        check(
            span,
            Settings {
                severity: Some(HashMap::from([(k.get_ref().clone(), v.get_ref().clone())])),
                ..Settings::default()
            },
        )?;
    }
    for v in positioned.exclude.iter().flatten() {
        Exclude::new(Path::new("/"), std::slice::from_ref(v.get_ref()))
            .map_err(|m| error(v.span().start, format!("exclude: {m}")))?;
    }
    // Every item is valid on its own; the whole must be too.
    settings.to_config().map_err(|m| error(0, m))?;
    Ok(settings)
}

/// Reads and parses the configuration file at `path`.
pub fn load(path: &Path) -> Result<Settings, ConfigError> {
    let bytes = std::fs::read(path).map_err(|e| ConfigError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("cannot be read: {e}"),
    })?;
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
    parse(path, text.strip_prefix('\u{feff}').unwrap_or(&text))
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
    pub exclude: Vec<String>,
}

/// The settings in force for one checked file.
#[derive(Debug)]
pub struct Effective {
    pub config: Config,
    pub fail_on: Severity,
    /// The configuration file used, if any.
    pub source: Option<PathBuf>,
    excludes: Vec<Exclude>,
}

impl Effective {
    fn new(
        file: Option<(&Path, &Settings)>,
        overrides: &Overrides,
        cli_exclude: &Exclude,
    ) -> Result<Effective, String> {
        let mut settings = file.map(|(_, s)| s.clone()).unwrap_or_default();
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
        let mut excludes = vec![cli_exclude.clone()];
        if let Some((path, s)) = file
            && let Some(globs) = &s.exclude
        {
            let base = path.parent().unwrap_or(Path::new("/"));
            excludes.push(Exclude::new(base, globs)?);
        }
        Ok(Effective {
            config,
            fail_on,
            source: file.map(|(p, _)| p.to_path_buf()),
            excludes,
        })
    }

    /// Is the absolute path `abs` excluded by the file's or the command
    /// line's `exclude`?
    pub fn excludes(&self, abs: &Path) -> bool {
        self.excludes.iter().any(|e| e.matches(abs))
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
    overrides: Overrides,
    cli_exclude: Exclude,
    mode: Mode,
}

impl Resolver {
    /// `config`: `--config FILE`; `isolated`: `--isolated`.
    pub fn new(
        cwd: PathBuf,
        config: Option<&Path>,
        isolated: bool,
        overrides: Overrides,
    ) -> Result<Resolver, ConfigError> {
        let cli_exclude = Exclude::new(&cwd, &overrides.exclude).map_err(|m| ConfigError {
            path: PathBuf::from("--exclude"),
            line: 0,
            column: 0,
            message: m,
        })?;
        let plain = |message: String| ConfigError {
            path: PathBuf::from("command line"),
            line: 0,
            column: 0,
            message,
        };
        let mode = if let Some(path) = config {
            let settings = load(path)?;
            let abs = absolute(&cwd, path);
            let eff =
                Effective::new(Some((&abs, &settings)), &overrides, &cli_exclude).map_err(|m| {
                    ConfigError {
                        path: path.to_path_buf(),
                        line: 0,
                        column: 0,
                        message: m,
                    }
                })?;
            Mode::Explicit(Arc::new(eff))
        } else {
            let default = Arc::new(Effective::new(None, &overrides, &cli_exclude).map_err(plain)?);
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
            overrides,
            cli_exclude,
            mode,
        })
    }

    /// A resolver that gives every file the same, ready configuration: the
    /// language server's settings, with `exclude` globs relative to `cwd`.
    pub fn fixed(
        cwd: PathBuf,
        config: Config,
        exclude: &[String],
    ) -> Result<Resolver, ConfigError> {
        let overrides = Overrides::default();
        let cli_exclude = Exclude::new(&cwd, exclude).map_err(|m| ConfigError {
            path: PathBuf::from("exclude"),
            line: 0,
            column: 0,
            message: m,
        })?;
        let effective = Effective {
            config,
            fail_on: Severity::Warning,
            source: None,
            excludes: vec![cli_exclude.clone()],
        };
        Ok(Resolver {
            cwd,
            overrides,
            cli_exclude,
            mode: Mode::Explicit(Arc::new(effective)),
        })
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
                let result = match found {
                    Some(file) => self.effective_for(files, &file),
                    None => match folder.parent() {
                        Some(parent) => self.for_folder(parent),
                        None => Ok(default.clone()),
                    },
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
        let result = load(file)
            .map_err(|mut e| {
                e.path = shown.clone();
                e
            })
            .and_then(|settings| {
                Effective::new(Some((file, &settings)), &self.overrides, &self.cli_exclude)
                    .map(Arc::new)
                    .map_err(|m| ConfigError {
                        path: shown,
                        line: 0,
                        column: 0,
                        message: m,
                    })
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
    fn positioned_keys_match_settings() {
        // Every key Settings accepts is accepted (and positioned) here.
        let text = "fail-on='error'\nselect=[]\nignore=[]\nexclude=[]\nallowed-servers=[]\n\
                    allowedServers=[]\ninlay-hints=true\n[severity]\n";
        for line in text.lines() {
            let one = if line.starts_with('[') {
                line.to_string()
            } else {
                format!("{line}\n")
            };
            let a = toml::from_str::<Settings>(&one).is_ok();
            let b = toml::from_str::<Positioned>(&one).is_ok();
            assert_eq!(a, b, "{one}");
            assert!(a, "{one}");
        }
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
        let none = Exclude::new(Path::new("/"), &[]).unwrap();
        let p = Path::new("/x/trueconf-lsp.toml");
        let e = Effective::new(
            Some((p, &file)),
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
