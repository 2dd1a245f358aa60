//! Which rules run and how loud they are: plain data. Reading it from files
//! or from an editor's settings happens in the shells.

use std::collections::HashMap;

use crate::rules::{Rule, Severity};

/// Settings that shape a lint run.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Rule codes or code prefixes to run; empty means every rule.
    pub select: Vec<String>,
    /// Rule codes or code prefixes not to run.
    pub ignore: Vec<String>,
    /// Severity per rule, overriding the default.
    pub severity: HashMap<Rule, Severity>,
    /// Servers links may name (`@server` and `h=`), as case-insensitive
    /// globs; TC016 is off while this is `None`.
    pub allowed_servers: Option<AllowedServers>,
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
    /// Is `rule` on? The most specific matching `select` or `ignore` entry
    /// wins, as in ruff; with no `select`, every rule is selected.
    pub fn is_enabled(&self, rule: Rule) -> bool {
        let best = |list: &[String]| -> Option<usize> {
            list.iter()
                .filter(|p| matches_selector(p, rule))
                .map(|p| p.len())
                .max()
        };
        let selected = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (selected, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }

    pub fn severity_override(&self, rule: Rule) -> Option<Severity> {
        self.severity.get(&rule).copied()
    }
}

/// Does a selector (`TC`, `TC00`, `TC002`, `ALL`, or a rule name) match?
pub fn matches_selector(selector: &str, rule: Rule) -> bool {
    let s = selector.trim();
    s.eq_ignore_ascii_case("ALL")
        || s == rule.name()
        || (!s.is_empty()
            && rule.code().len() >= s.len()
            && rule.code()[..s.len()].eq_ignore_ascii_case(s))
}

/// Is `selector` a code, a code prefix or a name of some rule?
pub fn is_valid_selector(selector: &str) -> bool {
    Rule::ALL.iter().any(|r| matches_selector(selector, *r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn most_specific_selector_wins() {
        let c = Config {
            select: vec!["TC00".into()],
            ignore: vec!["TC0".into(), "TC004".into()],
            ..Config::default()
        };
        assert!(c.is_enabled(Rule::MissingEncrypt));
        assert!(!c.is_enabled(Rule::PlaintextPassword));
        assert!(!c.is_enabled(Rule::RawAmpersandInHtml));
        let c = Config {
            ignore: vec!["missing-encrypt".into()],
            ..Config::default()
        };
        assert!(!c.is_enabled(Rule::MissingEncrypt));
        assert!(c.is_enabled(Rule::DeprecatedScheme));
        assert!(is_valid_selector("TC01") && !is_valid_selector("XY"));
    }

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
