//! User settings as they arrive from a config file (TOML) or an editor
//! (JSON), and their validation into a [`Config`]. Shared by both shells.

use std::collections::HashMap;

use serde::Deserialize;

use crate::rules::{AllowedServers, Config, RuleSet, is_valid_selector};
use crate::rules::{Rule, Severity};

/// The settings keys of interface.md §4, all optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub fail_on: Option<String>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    #[serde(alias = "allowedServers")]
    pub allowed_servers: Option<Vec<String>>,
    pub severity: Option<HashMap<String, String>>,
    /// Language server only: show inlay hints naming each link's action.
    #[serde(alias = "inlayHints")]
    pub inlay_hints: Option<bool>,
    /// Language server only: documents longer than this many bytes are not
    /// linted (they get one "document too large" diagnostic).
    #[serde(alias = "maxDocumentBytes")]
    pub max_document_bytes: Option<u64>,
}

impl Settings {
    /// Validates the settings into a lint configuration. Errors name the key
    /// and the offending value.
    pub fn to_config(&self) -> Result<Config, String> {
        let mut config = Config::default();
        for (key, list) in [("select", &self.select), ("ignore", &self.ignore)] {
            for sel in list.iter().flatten() {
                if !is_valid_selector(sel) {
                    return Err(format!("{key}: `{sel}` is no rule code, prefix or name"));
                }
            }
        }
        config.rules = RuleSet::from_selectors(
            self.select.as_deref().unwrap_or_default(),
            self.ignore.as_deref().unwrap_or_default(),
        );
        for (code, sev) in self.severity.iter().flatten() {
            let rule = Rule::from_code(code)
                .ok_or_else(|| format!("severity: `{code}` is no rule code"))?;
            let sev = Severity::parse(sev).ok_or_else(|| {
                format!("severity.{code}: `{sev}` is not error, warning, info or hint")
            })?;
            config.severity.insert(rule, sev);
        }
        if let Some(servers) = &self.allowed_servers {
            config.allowed_servers =
                Some(AllowedServers::new(servers).map_err(|e| format!("allowed-servers: {e}"))?);
        }
        self.fail_on()?;
        Ok(config)
    }

    /// The `fail-on` level, if set.
    pub fn fail_on(&self) -> Result<Option<Severity>, String> {
        match &self.fail_on {
            None => Ok(None),
            Some(s) => Severity::parse(s)
                .filter(|s| *s != Severity::Hint)
                .map(Some)
                .ok_or_else(|| format!("fail-on: `{s}` is not error, warning or info")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_errors() {
        let s: Settings = serde_json::from_str(
            r#"{"select":["TC"],"ignore":["TC015"],"severity":{"TC004":"error"},"allowedServers":["*.example.com"],"inlay-hints":false}"#,
        )
        .unwrap();
        let c = s.to_config().unwrap();
        assert!(!c.is_enabled(Rule::RawAmpersandInHtml));
        assert_eq!(
            c.severity_override(Rule::PlaintextPassword),
            Some(Severity::Error)
        );
        assert_eq!(s.inlay_hints, Some(false));
        let bad = Settings {
            select: Some(vec!["XX1".into()]),
            ..Settings::default()
        };
        assert_eq!(
            bad.to_config().unwrap_err(),
            "select: `XX1` is no rule code, prefix or name"
        );
        assert!(serde_json::from_str::<Settings>(r#"{"selct":[]}"#).is_err());
    }
}
