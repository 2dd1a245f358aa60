//! The rule registry: every rule's stable code, name and default severity.
//! The lowest file of [`crate::rules`]: the rule files, the rule set and the
//! configuration build on it, and it imports none of them.

/// How much a finding matters. Ordered `Hint < Info < Warning < Error`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        Some(match s {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            "hint" => Severity::Hint,
            _ => return None,
        })
    }
}

/// The one list of link rules: variant, code, name, default severity and
/// the file that implements it. Hands the list to the macro `$then`, so that
/// the registry (here) and the dispatch to the rule files (in `mod.rs`) are
/// generated from the same rows.
macro_rules! for_each_rule {
    ($then:ident) => {
        $then! {
            DeprecatedScheme => "TC001", "deprecated-scheme", Warning, deprecated_scheme;
            MissingEncrypt => "TC002", "missing-encrypt", Error, missing_encrypt;
            UnescapedRtspSlash => "TC003", "unescaped-rtsp-slash", Error, unescaped_rtsp_slash;
            PlaintextPassword => "TC004", "plaintext-password", Warning, plaintext_password;
            InvalidPercentEscape => "TC005", "invalid-percent-escape", Warning, invalid_percent_escape;
            UnknownParameter => "TC006", "unknown-parameter", Warning, unknown_parameter;
            InvalidParameterValue => "TC007", "invalid-parameter-value", Error, invalid_parameter_value;
            DuplicateParameter => "TC008", "duplicate-parameter", Warning, duplicate_parameter;
            RawFragment => "TC009", "raw-fragment", Warning, raw_fragment;
            NonstandardConferencePrefix => "TC010", "nonstandard-conference-prefix", Warning, nonstandard_conference_prefix;
            AuthoritySlashes => "TC011", "authority-slashes", Warning, authority_slashes;
            EmptySegment => "TC012", "empty-segment", Warning, empty_segment;
            QuerySeparator => "TC013", "query-separator", Warning, query_separator;
            EscapedBackslash => "TC014", "escaped-backslash", Error, escaped_backslash;
            RawAmpersandInHtml => "TC015", "raw-ampersand-in-html", Info, raw_ampersand_in_html;
            ServerNotAllowed => "TC016", "server-not-allowed", Error, server_not_allowed;
            UnquotedShellMetachar => "TC017", "unquoted-shell-metachar", Error, unquoted_shell_metachar;
            StartTitle => "TC018", "start-title", Error, start_title;
            BatchPercent => "TC019", "batch-percent", Error, batch_percent;
        }
    };
}
pub(crate) use for_each_rule;

macro_rules! define_registry {
    ($($variant:ident => $code:literal, $name:literal, $sev:ident, $module:ident;)*) => {
        /// Every rule. Codes are stable and never reused.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Rule { $($variant,)* ServerUnreachable, UnusedSuppression }

        impl Rule {
            /// Every rule, in code order; a rule's place here is its
            /// [`Rule::index`].
            pub const ALL: &'static [Rule] = &[$(Rule::$variant,)* Rule::ServerUnreachable, Rule::UnusedSuppression];

            /// The rules that judge links: all but TC020, which the
            /// project layer reports from network probes, and TC100, which
            /// the suppression machinery reports.
            pub const LINK_RULES: &'static [Rule] = &[$(Rule::$variant,)*];

            pub fn code(self) -> &'static str {
                match self { $(Rule::$variant => $code,)* Rule::ServerUnreachable => "TC020", Rule::UnusedSuppression => "TC100" }
            }

            pub fn name(self) -> &'static str {
                match self { $(Rule::$variant => $name,)* Rule::ServerUnreachable => "server-unreachable", Rule::UnusedSuppression => "unused-suppression" }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(Rule::$variant => Severity::$sev,)* Rule::ServerUnreachable => Severity::Warning, Rule::UnusedSuppression => Severity::Info }
            }
        }
    };
}

for_each_rule!(define_registry);

impl Rule {
    /// The rule's place in [`Rule::ALL`], in constant time.
    #[inline]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// Every code in words, for messages: `TC001–TC020 and TC100`.
    /// The link rules' codes are consecutive, and so is TC020 after them.
    pub fn code_ranges() -> String {
        let links = Rule::LINK_RULES;
        let (first, last) = (links[0].code(), links[links.len() - 1].code());
        let (online, unused) = (
            Rule::ServerUnreachable.code(),
            Rule::UnusedSuppression.code(),
        );
        let number = |code: &str| code[2..].parse::<u32>().ok();
        if number(last).map(|n| n + 1) == number(online) {
            format!("{first}–{online} and {unused}")
        } else {
            format!("{first}–{last}, {online} and {unused}")
        }
    }

    /// The rule with this code (`TC002`) or name (`missing-encrypt`).
    pub fn from_code(code: &str) -> Option<Rule> {
        let code = code.trim();
        Rule::ALL
            .iter()
            .copied()
            .find(|r| r.code().eq_ignore_ascii_case(code) || r.name() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_is_the_place_in_all() {
        for (i, r) in Rule::ALL.iter().enumerate() {
            assert_eq!(r.index(), i);
        }
        assert_eq!(Rule::LINK_RULES, &Rule::ALL[..Rule::ALL.len() - 2]);
        assert_eq!(Rule::from_code("tc002"), Some(Rule::MissingEncrypt));
        for (i, r) in Rule::LINK_RULES.iter().enumerate() {
            assert_eq!(r.code(), format!("TC{:03}", i + 1));
        }
        assert_eq!(Rule::code_ranges(), "TC001–TC020 and TC100");
        assert_eq!(Rule::from_code("TC020"), Some(Rule::ServerUnreachable));
        assert_eq!(
            Rule::from_code("unused-suppression"),
            Some(Rule::UnusedSuppression)
        );
    }
}
