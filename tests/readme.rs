//! The README documents every rule exactly as `--explain` does.

use trueconf_lsp::rules::Rule;

#[test]
fn readme_has_every_rule_section() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    for rule in Rule::ALL {
        let heading = format!("### {} {}\n", rule.code(), rule.name());
        let at = readme
            .find(&heading)
            .unwrap_or_else(|| panic!("README lacks `{}`", heading.trim()));
        let body = rule
            .explain()
            .split_once('\n')
            .unwrap()
            .1
            .replace("\n## ", "\n#### ");
        assert!(
            readme[at + heading.len()..].starts_with(body.trim_end()),
            "README section of {} differs from --explain",
            rule.code()
        );
        let anchor = format!("(#{}-{})", rule.code().to_lowercase(), rule.name());
        assert!(readme.contains(&anchor), "rule table lacks a link {anchor}");
    }
}
