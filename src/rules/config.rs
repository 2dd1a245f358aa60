//! Which rules run and how loud they are: plain data, resolved once.
//! Reading it from files or from an editor's settings happens above the
//! core.

use std::collections::HashMap;

use super::diagnostic::Diagnostic;
use super::registry::{Rule, Severity};
use super::rule_set::RuleSet;

/// Settings that shape a lint run.
#[derive(Clone, Debug)]
pub struct Config {
    /// The rules that run, resolved once from `select` and `ignore` (see
    /// [`RuleSet::from_selectors`]); every rule by default.
    pub rules: RuleSet,
    /// Severity per rule, overriding the default.
    pub severity: HashMap<Rule, Severity>,
    /// Servers links may name (`@server` and `h=`), as case-insensitive
    /// globs; TC016 is off while this is `None`.
    pub allowed_servers: Option<AllowedServers>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            rules: RuleSet::ALL,
            severity: HashMap::new(),
            allowed_servers: None,
        }
    }
}

/// Compiled `allowed-servers` patterns.
#[derive(Clone, Debug)]
pub struct AllowedServers {
    patterns: Vec<String>,
    set: globset::GlobSet,
}

/// The most `allowed-servers` patterns a configuration may have.
pub const MAX_ALLOWED_SERVERS: usize = 256;

/// The most wildcards (`*`, `?`, `[`, `{`, `,`) one pattern may have.
pub const MAX_WILDCARDS: usize = 16;

impl AllowedServers {
    /// Compiles host patterns such as `video.example.com` or
    /// `*.corp.example.com`. A pattern is capped at 256 bytes and
    /// [`MAX_WILDCARDS`] wildcards, a list at [`MAX_ALLOWED_SERVERS`]
    /// patterns: compiling thousands of patterns full of wildcards takes
    /// seconds and hundreds of megabytes, and a config file must not be
    /// able to do that to an editor.
    pub fn new(patterns: &[String]) -> Result<Self, String> {
        if patterns.len() > MAX_ALLOWED_SERVERS {
            return Err(format!(
                "{} patterns; at most {MAX_ALLOWED_SERVERS} are allowed",
                patterns.len()
            ));
        }
        let mut builder = globset::GlobSetBuilder::new();
        for p in patterns {
            if p.len() > 256 {
                return Err(format!(
                    "allowed-servers pattern longer than 256 bytes: {:.40}…",
                    p
                ));
            }
            let wildcards = p
                .bytes()
                .filter(|b| matches!(b, b'*' | b'?' | b'[' | b'{' | b','))
                .count();
            if wildcards > MAX_WILDCARDS {
                return Err(format!(
                    "pattern with more than {MAX_WILDCARDS} wildcards: {:.40}…",
                    p
                ));
            }
            let glob = globset::GlobBuilder::new(p)
                .case_insensitive(true)
                .literal_separator(false)
                .build()
                .map_err(|e| format!("`{p}` is no valid host pattern: {}", e.kind()))?;
            builder.add(glob);
        }
        let set = builder.build().map_err(|e| e.to_string())?;
        Ok(AllowedServers {
            patterns: patterns.to_vec(),
            set,
        })
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    /// Is `host` (without port) allowed?
    pub fn allows(&self, host: &str) -> bool {
        self.set.is_match(host)
    }
}

impl Config {
    /// Is `rule` on?
    #[inline]
    pub fn is_enabled(&self, rule: Rule) -> bool {
        self.rules.contains(rule)
    }

    pub fn severity_override(&self, rule: Rule) -> Option<Severity> {
        self.severity.get(&rule).copied()
    }

    /// Gives `diagnostics` their configured severities: the one place where
    /// `severity` overrides are applied.
    pub fn apply_severities(&self, diagnostics: &mut [Diagnostic]) {
        if self.severity.is_empty() {
            return;
        }
        for d in diagnostics {
            if let Some(sev) = self.severity_override(d.rule) {
                d.severity = sev;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_servers_globs() {
        let a = AllowedServers::new(&["video.example.com".into(), "*.corp.example.com".into()])
            .unwrap();
        assert!(a.allows("VIDEO.example.com"));
        assert!(a.allows("a.b.corp.example.com"));
        assert!(!a.allows("corp.example.com.evil"));
        assert!(AllowedServers::new(&["[".into()]).is_err());
    }

    #[test]
    fn allowed_servers_limits() {
        let many: Vec<String> = (0..=MAX_ALLOWED_SERVERS)
            .map(|i| format!("h{i}.example.com"))
            .collect();
        let e = AllowedServers::new(&many).unwrap_err();
        assert_eq!(e, "257 patterns; at most 256 are allowed");
        assert!(AllowedServers::new(&many[..MAX_ALLOWED_SERVERS]).is_ok());
        let wild = format!("{}x", "*a".repeat(MAX_WILDCARDS + 1));
        assert!(
            AllowedServers::new(&[wild])
                .unwrap_err()
                .contains("wildcards")
        );
        let long = "a".repeat(257);
        assert!(
            AllowedServers::new(&[long])
                .unwrap_err()
                .contains("256 bytes")
        );
        // The most a configuration may ask for compiles at once.
        let worst: Vec<String> = (0..MAX_ALLOWED_SERVERS)
            .map(|i| format!("{}{i}", "*a".repeat(MAX_WILDCARDS)))
            .collect();
        let started = std::time::Instant::now();
        assert!(AllowedServers::new(&worst).is_ok());
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }
}
