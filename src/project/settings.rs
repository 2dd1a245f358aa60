//! User settings as they arrive from a config file (TOML) or an editor
//! (JSON), and their validation into a [`Config`]. Shared by both shells.
//!
//! [`Settings`] is the one list of keys and of their spellings (the
//! editors' camelCase aliases included): the strict loader deserializes
//! into it, and the lenient one asks it which keys it knows
//! ([`Settings::is_key`]).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::rules::{AllowedServers, Config, RuleSet, is_valid_selector};
use crate::rules::{Rule, Severity};

/// The settings keys (README "Configuration"), all optional.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Settings {
    pub fail_on: Option<String>,
    pub select: Option<Vec<String>>,
    pub ignore: Option<Vec<String>>,
    /// Globs of paths not to check, instead of the default excludes.
    pub exclude: Option<Vec<String>>,
    /// Globs of paths not to check, besides the default excludes (or
    /// `exclude`).
    #[serde(alias = "extendExclude")]
    pub extend_exclude: Option<Vec<String>>,
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
    /// The rules' documentation (an http(s) address; the README's rule
    /// sections are its anchors): LSP `codeDescription` and SARIF
    /// `helpUri` link there.
    #[serde(alias = "docsUrl")]
    pub docs_url: Option<String>,
    /// Probe the links' servers (TC020); off by default.
    pub online: Option<bool>,
    /// Hosts never probed, as case-insensitive globs.
    #[serde(alias = "onlineExclude")]
    pub online_exclude: Option<Vec<String>>,
}

impl Settings {
    /// Is `key` one of the settings keys, in any of its spellings?
    pub fn is_key(key: &str) -> bool {
        let mut one = Map::new();
        one.insert(key.to_string(), Value::Null);
        serde_json::from_value::<Settings>(Value::Object(one)).is_ok()
    }

    /// These settings with every key that `top` sets laid over them: the
    /// editor's layers win key by key.
    pub fn over(&self, top: &Settings) -> Settings {
        fn pick<T: Clone>(base: &Option<T>, top: &Option<T>) -> Option<T> {
            top.as_ref().or(base.as_ref()).cloned()
        }
        Settings {
            fail_on: pick(&self.fail_on, &top.fail_on),
            select: pick(&self.select, &top.select),
            ignore: pick(&self.ignore, &top.ignore),
            exclude: pick(&self.exclude, &top.exclude),
            extend_exclude: pick(&self.extend_exclude, &top.extend_exclude),
            allowed_servers: pick(&self.allowed_servers, &top.allowed_servers),
            severity: pick(&self.severity, &top.severity),
            inlay_hints: pick(&self.inlay_hints, &top.inlay_hints),
            max_document_bytes: pick(&self.max_document_bytes, &top.max_document_bytes),
            docs_url: pick(&self.docs_url, &top.docs_url),
            online: pick(&self.online, &top.online),
            online_exclude: pick(&self.online_exclude, &top.online_exclude),
        }
    }

    /// Reads a settings object leniently: an unknown key is dropped with a
    /// warning, a `null` value counts as absent, a non-object counts as
    /// empty (with a warning unless it is `null`). When a key is given in
    /// two spellings, the later wins. A known key with a value of the wrong
    /// type is an error.
    pub fn lenient(value: &Value) -> Result<(Settings, Vec<String>), String> {
        let mut settings = Settings::default();
        let mut warnings = Vec::new();
        let Value::Object(map) = value else {
            if !value.is_null() {
                warnings.push("settings are not an object; ignored".to_string());
            }
            return Ok((settings, warnings));
        };
        for (key, v) in map {
            if !Settings::is_key(key) {
                warnings.push(format!("unknown setting `{key}` ignored"));
                continue;
            }
            if v.is_null() {
                continue;
            }
            let mut one = Map::new();
            one.insert(key.clone(), v.clone());
            let one: Settings =
                serde_json::from_value(Value::Object(one)).map_err(|e| e.to_string())?;
            settings = settings.over(&one);
        }
        Ok((settings, warnings))
    }

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
        if let Some(url) = &self.docs_url {
            check_docs_url(url).map_err(|e| format!("docs-url: {e}"))?;
        }
        self.online_exclude()?;
        Ok(config)
    }

    /// The `online-exclude` globs compiled (case-insensitive), if set.
    pub fn online_exclude(&self) -> Result<Option<globset::GlobSet>, String> {
        let Some(globs) = &self.online_exclude else {
            return Ok(None);
        };
        if globs.len() > crate::rules::MAX_ALLOWED_SERVERS {
            return Err(format!(
                "online-exclude: {} patterns; at most {} are allowed",
                globs.len(),
                crate::rules::MAX_ALLOWED_SERVERS
            ));
        }
        let mut builder = globset::GlobSetBuilder::new();
        for g in globs {
            let glob = globset::GlobBuilder::new(g)
                .case_insensitive(true)
                .build()
                .map_err(|e| format!("online-exclude: `{g}`: {e}"))?;
            builder.add(glob);
        }
        builder
            .build()
            .map(Some)
            .map_err(|e| format!("online-exclude: {e}"))
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

/// Is `url` an address `docs-url` may hold: `http://` or `https://`, a
/// host, no spaces or control characters, and no `#` (each rule's anchor
/// is appended)?
fn check_docs_url(url: &str) -> Result<(), String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let host = rest.and_then(|r| r.split(['/', '?']).next());
    if host.is_none_or(str::is_empty) {
        return Err(format!("`{url}` is no http:// or https:// address"));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{}` has spaces or control characters",
            url.escape_debug()
        ));
    }
    if url.contains('#') {
        return Err(format!(
            "`{url}` has a `#`; give the page, each rule's anchor is added"
        ));
    }
    Ok(())
}

/// The project's documentation address, from Cargo.toml's `homepage` or
/// `repository`; `None` while neither is set. Reports and the language
/// server link to rule documentation only through this or the `docs-url`
/// setting ([`Effective::docs_url`](super::config::Effective::docs_url)), never to an invented address.
pub fn homepage() -> Option<&'static str> {
    [env!("CARGO_PKG_HOMEPAGE"), env!("CARGO_PKG_REPOSITORY")]
        .into_iter()
        .find(|s| !s.is_empty())
}

/// The address of `rule`'s documentation under `base`: its README section's
/// anchor as GitHub spells it (`### TC002 missing-encrypt` is
/// `#tc002-missing-encrypt`).
pub fn rule_docs(base: &str, rule: crate::rules::Rule) -> String {
    format!(
        "{base}#{}-{}",
        rule.code().to_ascii_lowercase(),
        rule.name()
    )
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

    #[test]
    fn keys_in_every_spelling() {
        for key in [
            "fail-on",
            "select",
            "ignore",
            "exclude",
            "extend-exclude",
            "extendExclude",
            "allowed-servers",
            "allowedServers",
            "severity",
            "inlay-hints",
            "inlayHints",
            "max-document-bytes",
            "maxDocumentBytes",
            "docs-url",
            "docsUrl",
            "online",
            "online-exclude",
            "onlineExclude",
        ] {
            assert!(Settings::is_key(key), "{key}");
        }
        for key in ["selct", "fail_on", "allowed_servers", "docs_url", ""] {
            assert!(!Settings::is_key(key), "{key}");
        }
    }

    #[test]
    fn lenient_drops_unknown_keys_and_layers_key_by_key() {
        let (s, warnings) = Settings::lenient(&serde_json::json!({
            "select": ["TC00"],
            "allowedServers": ["*.example.com"],
            "inlayHints": false,
            "colour": "red",
            "ignore": null,
        }))
        .unwrap();
        assert_eq!(warnings, ["unknown setting `colour` ignored"]);
        assert_eq!(
            s,
            Settings {
                select: Some(vec!["TC00".into()]),
                allowed_servers: Some(vec!["*.example.com".into()]),
                inlay_hints: Some(false),
                ..Settings::default()
            }
        );
        let top = Settings {
            select: Some(vec!["TC002".into()]),
            ..Settings::default()
        };
        let both = s.over(&top);
        assert_eq!(both.select, top.select);
        assert_eq!(both.allowed_servers, s.allowed_servers);
        assert!(Settings::lenient(&serde_json::json!({"select": "TC002"})).is_err());
        let (_, w) = Settings::lenient(&serde_json::json!([1])).unwrap();
        assert_eq!(w, ["settings are not an object; ignored"]);
    }

    #[test]
    fn docs_url_is_an_http_address_without_a_fragment() {
        let with = |url: &str| Settings {
            docs_url: Some(url.into()),
            ..Settings::default()
        };
        for good in [
            "https://docs.example.com/trueconf-lsp/",
            "HTTP://docs.example.com",
            "https://docs.example.com/README.md?plain=1",
        ] {
            assert!(with(good).to_config().is_ok(), "{good}");
        }
        for bad in [
            "ftp://docs.example.com",
            "https://",
            "docs.example.com",
            "file:///README.md",
            "javascript:alert(1)",
            "https://docs.example.com/a b",
            "https://docs.example.com/#rules",
        ] {
            let e = with(bad).to_config().unwrap_err();
            assert!(e.starts_with("docs-url: "), "{bad}: {e}");
        }
    }
}
