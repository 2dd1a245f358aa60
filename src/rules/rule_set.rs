//! Sets of rules as a bit set over the registry, and rule selection
//! (`select`, `ignore`, suppression codes) resolved into one.

use std::fmt;

use super::registry::Rule;

/// A set of [`Rule`]s: bit `i` stands for `Rule::ALL[i]`. Copying, testing
/// a rule and combining sets are single machine-word operations, so a
/// selection is resolved once (see [`RuleSet::from_selectors`]) and then
/// consulted per link for free.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RuleSet(u64);

const _: () = assert!(Rule::ALL.len() <= u64::BITS as usize);

impl RuleSet {
    /// No rule.
    pub const EMPTY: RuleSet = RuleSet(0);

    /// Every rule of [`Rule::ALL`], TC100 included.
    pub const ALL: RuleSet = RuleSet(u64::MAX >> (u64::BITS as usize - Rule::ALL.len()));

    /// The set holding `rule` alone.
    #[inline]
    pub const fn from_rule(rule: Rule) -> RuleSet {
        RuleSet(1 << rule.index())
    }

    /// The set holding `rules`.
    pub const fn from_rules(rules: &[Rule]) -> RuleSet {
        let mut bits = 0;
        let mut i = 0;
        while i < rules.len() {
            bits |= 1 << rules[i].index();
            i += 1;
        }
        RuleSet(bits)
    }

    #[inline]
    pub const fn contains(self, rule: Rule) -> bool {
        self.0 & (1 << rule.index()) != 0
    }

    #[inline]
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub const fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    #[inline]
    pub const fn union(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 | other.0)
    }

    #[inline]
    pub const fn intersection(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 & other.0)
    }

    /// The rules of `self` that are not in `other`.
    #[inline]
    pub const fn subtract(self, other: RuleSet) -> RuleSet {
        RuleSet(self.0 & !other.0)
    }

    pub fn insert(&mut self, rule: Rule) {
        *self = self.union(RuleSet::from_rule(rule));
    }

    pub fn remove(&mut self, rule: Rule) {
        *self = self.subtract(RuleSet::from_rule(rule));
    }

    /// The rules of the set, in [`Rule::ALL`] order.
    #[inline]
    pub fn iter(self) -> Iter {
        Iter(self.0)
    }

    /// The rules a selector (`TC`, `TC00`, `TC002`, `ALL`, or a rule name)
    /// names; empty when it names none.
    pub fn matching(selector: &str) -> RuleSet {
        Rule::ALL
            .iter()
            .filter(|r| matches_selector(selector, **r))
            .copied()
            .collect()
    }

    /// The rules that run under `select` and `ignore`: the most specific
    /// matching entry wins, as in ruff, and an empty `select` selects every
    /// rule. Selectors that name no rule select nothing.
    pub fn from_selectors<S: AsRef<str>>(select: &[S], ignore: &[S]) -> RuleSet {
        let best = |list: &[S], rule: Rule| -> Option<usize> {
            list.iter()
                .map(AsRef::as_ref)
                .filter(|p| matches_selector(p, rule))
                .map(str::len)
                .max()
        };
        Rule::ALL
            .iter()
            .copied()
            .filter(|&rule| {
                let selected = if select.is_empty() {
                    Some(0)
                } else {
                    best(select, rule)
                };
                match (selected, best(ignore, rule)) {
                    (None, _) => false,
                    (Some(_), None) => true,
                    (Some(s), Some(i)) => s > i,
                }
            })
            .collect()
    }
}

impl FromIterator<Rule> for RuleSet {
    fn from_iter<I: IntoIterator<Item = Rule>>(rules: I) -> RuleSet {
        rules
            .into_iter()
            .fold(RuleSet::EMPTY, |set, r| set.union(RuleSet::from_rule(r)))
    }
}

impl IntoIterator for RuleSet {
    type Item = Rule;
    type IntoIter = Iter;

    fn into_iter(self) -> Iter {
        self.iter()
    }
}

impl fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Rule::code)).finish()
    }
}

/// The rules of a [`RuleSet`], lowest index first.
#[derive(Clone, Debug)]
pub struct Iter(u64);

impl Iterator for Iter {
    type Item = Rule;

    #[inline]
    fn next(&mut self) -> Option<Rule> {
        if self.0 == 0 {
            return None;
        }
        let i = self.0.trailing_zeros() as usize;
        self.0 &= self.0 - 1;
        Some(Rule::ALL[i])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.0.count_ones() as usize;
        (n, Some(n))
    }
}

impl ExactSizeIterator for Iter {}

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
        let c = RuleSet::from_selectors(&["TC00"], &["TC0", "TC004"]);
        assert!(c.contains(Rule::MissingEncrypt));
        assert!(!c.contains(Rule::PlaintextPassword));
        assert!(!c.contains(Rule::RawAmpersandInHtml));
        let c = RuleSet::from_selectors(&[], &["missing-encrypt"]);
        assert!(!c.contains(Rule::MissingEncrypt));
        assert!(c.contains(Rule::DeprecatedScheme));
        assert_eq!(RuleSet::from_selectors::<&str>(&[], &[]), RuleSet::ALL);
        assert!(is_valid_selector("TC01") && !is_valid_selector("XY"));
    }

    #[test]
    fn set_operations() {
        assert_eq!(RuleSet::ALL.len(), Rule::ALL.len());
        assert!(Rule::ALL.iter().all(|r| RuleSet::ALL.contains(*r)));
        assert_eq!(RuleSet::ALL.iter().collect::<Vec<_>>(), Rule::ALL);
        let links = RuleSet::from_rules(Rule::LINK_RULES);
        assert_eq!(
            links
                .union(RuleSet::from_rule(Rule::ServerUnreachable))
                .union(RuleSet::from_rule(Rule::UnusedSuppression)),
            RuleSet::ALL
        );
        assert_eq!(
            RuleSet::ALL.subtract(links).iter().collect::<Vec<_>>(),
            [Rule::ServerUnreachable, Rule::UnusedSuppression]
        );
        let tc00 = RuleSet::matching("tc00");
        assert_eq!(tc00.len(), 9);
        assert!(tc00.intersection(RuleSet::matching("TC01")).is_empty());
        assert!(RuleSet::matching("XY12").is_empty());
        let mut s = RuleSet::EMPTY;
        s.insert(Rule::RawFragment);
        assert_eq!(format!("{s:?}"), r#"{"TC009"}"#);
        s.remove(Rule::RawFragment);
        assert!(s.is_empty());
    }
}
