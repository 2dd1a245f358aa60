//! Settings as the editor sends them: JSON, in
//! `initializationOptions.settings` and `workspace/configuration` section
//! `trueconf-lsp`. Read leniently (unknown keys are dropped with a
//! warning); the keys and their spellings are those of
//! [`crate::project::settings::Settings`], and configuration files are
//! found and read by [`crate::project::config::Resolver`], as `--check`
//! finds them. The editor's settings are laid over each file's key by key.

use serde_json::Value;

use crate::project::settings::Settings;

/// The configuration section the server asks the editor for.
pub const SECTION: &str = "trueconf-lsp";

/// Reads the editor's settings object. Returns the settings and one warning
/// per key dropped, or an error for a value of the wrong type.
pub fn from_editor(value: &Value) -> Result<(Settings, Vec<String>), String> {
    Settings::lenient(value).map_err(invalid)
}

/// An error about the editor's settings, as shown to the user.
pub fn invalid(e: String) -> String {
    format!("invalid trueconf-lsp settings: {e}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::config::Resolver;
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
