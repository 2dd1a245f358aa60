//! Settings as the server receives them: from the editor (JSON, in
//! `initializationOptions.settings` and `workspace/configuration` section
//! `trueconf-lsp`) and from a `trueconf-lsp.toml` at the workspace root.
//! Parsed leniently: unknown keys are dropped with a warning, and editor
//! values override file values key by key.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::rules::Config;
use crate::settings::Settings;

/// The configuration section the server asks the editor for.
pub const SECTION: &str = "trueconf-lsp";

/// Config file names looked for in a workspace root, first found wins.
pub const FILE_NAMES: &[&str] = &["trueconf-lsp.toml", ".trueconf-lsp.toml"];

/// Settings keys, and the spellings editors may use for them.
const KEYS: &[(&str, &str)] = &[
    ("fail-on", "fail-on"),
    ("failOn", "fail-on"),
    ("select", "select"),
    ("ignore", "ignore"),
    ("exclude", "exclude"),
    ("allowed-servers", "allowed-servers"),
    ("allowedServers", "allowed-servers"),
    ("severity", "severity"),
    ("inlay-hints", "inlay-hints"),
    ("inlayHints", "inlay-hints"),
    ("max-document-bytes", "max-document-bytes"),
    ("maxDocumentBytes", "max-document-bytes"),
];

/// The lint configuration and server switches in force.
#[derive(Clone, Debug, Default)]
pub struct Effective {
    pub config: Config,
    /// Show inlay hints naming each link's action (default on).
    pub inlay_hints: bool,
    /// Globs of files the workspace diagnostics skip.
    pub exclude: Vec<String>,
    /// The size cap, when the settings set one (else the server's
    /// [`super::Options::max_document_bytes`]).
    pub max_document_bytes: Option<usize>,
}

impl Effective {
    pub fn defaults() -> Self {
        Effective {
            config: Config::default(),
            inlay_hints: true,
            exclude: Vec::new(),
            max_document_bytes: None,
        }
    }
}

/// Keeps the known keys of a settings object under their kebab-case names.
/// Returns the kept keys and one warning per dropped key. `null` values
/// count as absent; a non-object is treated as empty.
pub fn known_keys(value: &Value) -> (Map<String, Value>, Vec<String>) {
    let mut kept = Map::new();
    let mut warnings = Vec::new();
    let Value::Object(map) = value else {
        if !value.is_null() {
            warnings.push("settings are not an object; ignored".to_string());
        }
        return (kept, warnings);
    };
    for (key, v) in map {
        match KEYS.iter().find(|(k, _)| k == key) {
            Some((_, canonical)) if !v.is_null() => {
                kept.insert((*canonical).to_string(), v.clone());
            }
            Some(_) => {}
            None => warnings.push(format!("unknown setting `{key}` ignored")),
        }
    }
    (kept, warnings)
}

/// `base` with every key of `over` put over it.
pub fn merge(base: &Map<String, Value>, over: &Map<String, Value>) -> Map<String, Value> {
    let mut out = base.clone();
    for (k, v) in over {
        out.insert(k.clone(), v.clone());
    }
    out
}

/// Validates merged settings.
pub fn effective(map: &Map<String, Value>) -> Result<Effective, String> {
    let settings: Settings = serde_json::from_value(Value::Object(map.clone()))
        .map_err(|e| format!("invalid trueconf-lsp settings: {e}"))?;
    let config = settings
        .to_config()
        .map_err(|e| format!("invalid trueconf-lsp settings: {e}"))?;
    Ok(Effective {
        config,
        inlay_hints: settings.inlay_hints.unwrap_or(true),
        exclude: settings.exclude.clone().unwrap_or_default(),
        max_document_bytes: settings
            .max_document_bytes
            .map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
    })
}

/// The config file in `root`, if there is one.
pub fn find_file(root: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|name| root.join(name))
        .find(|p| p.is_file())
}

/// Reads a config file into settings keys. `Ok(None)` when there is no file.
pub fn read_file(path: &Path) -> Result<(Map<String, Value>, Vec<String>), String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "{} is larger than {} KiB",
            path.display(),
            MAX_FILE_BYTES / 1024
        ));
    }
    parse_toml(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A config file longer than this is not read: opening a folder must not
/// make the server read a file of any size.
const MAX_FILE_BYTES: u64 = 1024 * 1024;

pub fn parse_toml(text: &str) -> Result<(Map<String, Value>, Vec<String>), String> {
    let table: toml::Table = toml::from_str(text).map_err(|e| e.message().to_string())?;
    let value = serde_json::to_value(table).map_err(|e| e.to_string())?;
    Ok(known_keys(&value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::{Rule, Severity};
    use serde_json::json;

    #[test]
    fn unknown_keys_warn_and_aliases_normalise() {
        let (kept, warnings) = known_keys(&json!({
            "select": ["TC00"],
            "allowedServers": ["*.example.com"],
            "inlayHints": false,
            "colour": "red",
            "ignore": null,
        }));
        assert_eq!(warnings, ["unknown setting `colour` ignored"]);
        assert_eq!(
            Value::Object(kept.clone()),
            json!({"select": ["TC00"], "allowed-servers": ["*.example.com"], "inlay-hints": false})
        );
        let e = effective(&kept).unwrap();
        assert!(!e.inlay_hints);
        assert_eq!(e.max_document_bytes, None);
        let (kept, _) = known_keys(&json!({"maxDocumentBytes": 1000}));
        assert_eq!(effective(&kept).unwrap().max_document_bytes, Some(1000));
        assert!(!e.config.is_enabled(Rule::RawAmpersandInHtml));
    }

    #[test]
    fn editor_overrides_file() {
        let (file, _) = parse_toml("select = [\"TC\"]\n[severity]\nTC004 = \"error\"\n").unwrap();
        let (editor, _) = known_keys(&json!({"severity": {"TC004": "info"}}));
        let e = effective(&merge(&file, &editor)).unwrap();
        assert_eq!(
            e.config.severity_override(Rule::PlaintextPassword),
            Some(Severity::Info)
        );
        assert!(e.inlay_hints);
    }

    #[test]
    fn bad_values_are_errors() {
        let (bad, _) = known_keys(&json!({"select": "TC002"}));
        assert!(effective(&bad).is_err());
        let (bad, _) = known_keys(&json!({"severity": {"TC002": "loud"}}));
        assert!(effective(&bad).unwrap_err().contains("loud"));
        for v in [json!(-1), json!("8MiB"), json!(1.5)] {
            let (bad, _) = known_keys(&json!({ "max-document-bytes": v }));
            assert!(effective(&bad).is_err(), "{v}");
        }
    }
}
