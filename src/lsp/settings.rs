//! Settings as the editor sends them: JSON, in
//! `initializationOptions.settings` and `workspace/configuration` section
//! `trueconf-lsp`. Read leniently (unknown keys are dropped with a
//! warning); the keys and their spellings are those of
//! [`crate::project::settings::Settings`], and configuration files are
//! found and read by [`crate::project::config::Resolver`], as `--check`
//! finds them. The editor's settings are laid over each file's key by key.

use serde_json::Value;

use tracing::warn;

use crate::project::config::{Resolver, redact_passwords};
use crate::project::settings::Settings;

/// The configuration section the server asks the editor for.
pub const SECTION: &str = "trueconf-lsp";

/// Reads the editor's settings object. Returns the settings and one warning
/// per key dropped, or an error for a value of the wrong type.
pub fn from_editor(value: &Value) -> Result<(Settings, Vec<String>), String> {
    Settings::lenient(value).map_err(invalid)
}

/// Logs what the resolver noted while reading configuration files: unknown
/// keys dropped, and files that cannot be used (skipped as if absent).
/// Control characters from a key or a path are written escaped.
pub fn log_notes(resolver: &Resolver) {
    let (warnings, errors) = resolver.take_notes();
    log_warnings(warnings);
    for e in errors {
        warn!(
            "{}; the config file is ignored",
            escape_controls(&e.to_string())
        );
    }
}

/// Logs warnings about settings (keys dropped, files skipped), which may
/// quote a key or a value: passwords hidden, control characters escaped.
pub fn log_warnings(warnings: impl IntoIterator<Item = String>) {
    for w in warnings {
        warn!("{}", escape_controls(&redact_passwords(&w)));
    }
}

/// `s` with control characters written as escapes (`\r`, `\u{1b}`).
fn escape_controls(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// An error about the editor's settings, as shown to the user (a value it
/// quotes shown without the password of a link in it).
pub fn invalid(e: String) -> String {
    format!("invalid trueconf-lsp settings: {}", redact_passwords(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_notes_escape_control_characters() {
        assert_eq!(
            escape_controls("unknown setting `a\rb\u{1b}[2J` ignored"),
            "unknown setting `a\\rb\\u{1b}[2J` ignored"
        );
        assert_eq!(escape_controls("dé 😀"), "dé 😀");
    }

    /// A link given as a setting's value is quoted back without its
    /// password.
    #[test]
    fn invalid_settings_hide_passwords() {
        let (settings, _) =
            from_editor(&json!({"select": ["trueconf:login=a&password=Hunter2x"]})).unwrap();
        let Err(e) = Resolver::editor("/".into(), settings).map_err(invalid) else {
            panic!("a link is no rule selector");
        };
        assert!(e.contains("trueconf:login=a&password="), "{e}");
        assert!(!e.contains("Hunter2"), "{e}");
    }
    use crate::rules::{Rule, Severity};
    use serde_json::json;

    #[test]
    fn editor_settings_over_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(
            root.join("trueconf-lsp.toml"),
            "select = [\"TC\"]\ncolour = 1\n[severity]\nTC004 = \"error\"\n",
        )
        .unwrap();
        let (editor, warnings) = from_editor(&json!({"severity": {"TC004": "info"}})).unwrap();
        assert!(warnings.is_empty());
        let r = Resolver::editor(root.clone(), editor).unwrap();
        let e = r.for_file(&root.join("a.md")).unwrap();
        assert_eq!(
            e.config.severity_override(Rule::PlaintextPassword),
            Some(Severity::Info)
        );
        assert!(e.inlay_hints);
        let (warnings, errors) = r.take_notes();
        assert!(errors.is_empty());
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].ends_with("unknown setting `colour` ignored"));
    }

    #[test]
    fn bad_values_are_errors() {
        let (bad, _) = from_editor(&json!({"severity": {"TC002": "loud"}})).unwrap();
        let e = Resolver::editor("/".into(), bad).err().unwrap();
        assert!(e.contains("loud"), "{e}");
        assert!(from_editor(&json!({"select": "TC002"})).is_err());
        for v in [json!(-1), json!("8MiB"), json!(1.5)] {
            assert!(
                from_editor(&json!({ "max-document-bytes": v })).is_err(),
                "{v}"
            );
        }
        let (s, _) = from_editor(&json!({"maxDocumentBytes": 1000})).unwrap();
        let r = Resolver::editor("/".into(), s).unwrap();
        assert_eq!(r.fallback().max_document_bytes, Some(1000));
    }
}
