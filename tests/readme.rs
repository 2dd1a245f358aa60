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

/// The `[text](target)` targets of a Markdown text, outside code blocks
/// and code spans.
fn link_targets(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    // The length of the open fence's backtick run, if one is open.
    let mut fence: Option<usize> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        let run = trimmed.len() - trimmed.trim_start_matches('`').len();
        let info = &trimmed[run..];
        match fence {
            // A backtick fence's info string has no backtick.
            None if run >= 3 && !info.contains('`') => {
                fence = Some(run);
                continue;
            }
            Some(open) if run >= open && info.trim().is_empty() => {
                fence = None;
                continue;
            }
            Some(_) => continue,
            None => {}
        }
        // Drop code spans: `](x)` inside backticks is not a link.
        let mut prose = String::new();
        for (i, part) in line.split('`').enumerate() {
            if i % 2 == 0 {
                prose.push_str(part);
            }
        }
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest.find(')').unwrap_or(rest.len());
            out.push(rest[..end].trim().to_string());
            rest = &rest[end..];
        }
    }
    out
}

/// GitHub's anchor of a heading: lower case, spaces to `-`, other
/// punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

#[test]
fn relative_links_resolve() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md"), root.join("editors/README.md")];
    for e in std::fs::read_dir(root.join("docs")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            files.push(p);
        }
    }
    let mut broken = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let anchors: Vec<String> = text
            .lines()
            .filter(|l| l.starts_with('#'))
            .map(|l| anchor(l.trim_start_matches('#')))
            .collect();
        let targets = link_targets(&text);
        for target in &targets {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
            let ok = if path.is_empty() {
                anchors.iter().any(|a| a == fragment)
            } else {
                file.parent().unwrap().join(path).exists()
            };
            if !ok {
                broken.push(format!("{}: {target}", file.display()));
            }
        }
        if file.ends_with("README.md") && file.parent() == Some(root) {
            assert!(targets.len() >= 20, "{} links found", targets.len());
        }
        assert!(!text.contains("interface.md"), "{}", file.display());
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}
