//! Report formats of `--check`: each one parsed and checked; SARIF
//! validated against the SARIF 2.1.0 JSON schema shipped in
//! `tests/fixtures/`.

mod common;

use common::{run, tree};
use serde_json::Value;
use trueconf_lsp::rules::Rule;

const GUIDE: &str = "# Guide\n\
\n\
Join: [call](trueconf:\\c\\737734033583@video.example.com&h=video.example.com&login=guest&password=[password])\n\
Old: visicall:bob@video.example.com\n";

const INDEX: &str = "<p>Bob: <a href=\"trueconf:bob@video.example.com&do=chat\">chat</a></p>\n";

fn site() -> tempfile::TempDir {
    tree(&[
        ("docs/guide.md", GUIDE),
        ("docs/clean.md", "No links here.\n"),
        ("site/index.html", INDEX),
    ])
}

fn sarif_validator() -> jsonschema::Validator {
    let mut schema: Value =
        serde_json::from_str(include_str!("fixtures/sarif-2.1.0-rtm.5.json")).expect("schema");
    // The pattern of `language` (in `run` and `toolComponent`) is no valid
    // regular expression in this schema: it has an unbalanced `]`, which
    // later SARIF schemas fixed. The meta-schema checks `format: regex`, so
    // those two patterns are replaced by what they mean; nothing else is
    // touched.
    for def in ["run", "toolComponent"] {
        let language = &mut schema["definitions"][def]["properties"]["language"]["pattern"];
        assert_eq!(language, "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$");
        *language = Value::from("^[a-zA-Z]{2}(-[a-zA-Z]{2})?$");
    }
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn schema_errors(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn sarif_is_valid_and_complete() {
    let dir = site();
    let r = run(
        dir.path(),
        &["--check", "--output-format", "sarif", "docs", "site"],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let log: Value = serde_json::from_str(&r.stdout).expect("SARIF is JSON");
    let validator = sarif_validator();
    assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
    // The validator does reject a broken log.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!schema_errors(&validator, &broken).is_empty());

    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "trueconf-lsp");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    match trueconf_lsp::project::homepage() {
        Some(uri) => assert_eq!(driver["informationUri"], uri),
        None => assert!(driver.get("informationUri").is_none()),
    }
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Rule::ALL.len());
    for (rule, json) in Rule::ALL.iter().zip(rules) {
        assert_eq!(json["id"], rule.code());
        assert_eq!(json["name"], rule.name());
        assert_eq!(json["help"]["text"], rule.explain());
        assert!(
            !json["shortDescription"]["text"]
                .as_str()
                .unwrap()
                .is_empty()
        );
        assert!(!json["fullDescription"]["text"].as_str().unwrap().is_empty());
    }
    // `help` is what `--explain` prints.
    let explain = common::run(dir.path(), &["--explain", "TC002"]);
    assert!(
        explain
            .stdout
            .starts_with(rules[1]["help"]["text"].as_str().unwrap())
    );

    let results = run["results"].as_array().unwrap();
    let summary: Vec<String> = results
        .iter()
        .map(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            let reg = &loc["region"];
            format!(
                "{} {} {} {}:{}-{}:{}",
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                loc["artifactLocation"]["uri"].as_str().unwrap(),
                reg["startLine"],
                reg["startColumn"],
                reg["endLine"],
                reg["endColumn"]
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            "TC002 error docs/guide.md 3:14-3:108",
            "TC001 warning docs/guide.md 4:6-4:14",
            "TC015 note site/index.html 1:48-1:49",
        ]
    );
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
    }
    // The fix of TC002: insert `&encrypt=1` at the link's end.
    let fix = &results[0]["fixes"][0];
    assert_eq!(fix["description"]["text"], "Add encrypt=1");
    let rep = &fix["artifactChanges"][0]["replacements"][0];
    assert_eq!(rep["insertedContent"]["text"], "&encrypt=1");
    assert_eq!(rep["deletedRegion"]["startLine"], 3);
    assert_eq!(rep["deletedRegion"]["startColumn"], 108);
    assert_eq!(rep["deletedRegion"]["endColumn"], 108);
    // A clean run is valid SARIF too.
    let r = common::run(
        dir.path(),
        &["--check", "--output-format", "sarif", "docs/clean.md"],
    );
    assert_eq!(r.code, Some(0));
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(schema_errors(&validator, &log), Vec::<String>::new());
    assert_eq!(log["runs"][0]["results"], Value::Array(vec![]));
}

/// `docs-url` gives SARIF the tool's `informationUri` and each rule's
/// `helpUri` (its README section); a bad one is a configuration error.
#[test]
fn sarif_links_rules_to_the_docs_url() {
    let docs = "https://docs.example.com/trueconf-lsp/";
    let dir = tree(&[
        ("docs/guide.md", GUIDE),
        ("trueconf-lsp.toml", &format!("docs-url = \"{docs}\"\n")),
    ]);
    let r = run(dir.path(), &["--check", "--output-format", "sarif", "docs"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        schema_errors(&sarif_validator(), &log),
        Vec::<String>::new()
    );
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["informationUri"], docs);
    for (rule, entry) in Rule::ALL.iter().zip(driver["rules"].as_array().unwrap()) {
        assert_eq!(
            entry["helpUri"],
            format!(
                "{docs}#{}-{}",
                rule.code().to_ascii_lowercase(),
                rule.name()
            )
        );
    }
    assert_eq!(
        driver["rules"][1]["helpUri"],
        format!("{docs}#tc002-missing-encrypt")
    );

    for bad in [
        "ftp://docs.example.com/",
        "docs.example.com",
        "https://x.example/#a",
    ] {
        let dir = tree(&[
            ("a.md", "x\n"),
            ("trueconf-lsp.toml", &format!("\n docs-url = \"{bad}\"\n")),
        ]);
        let r = run(dir.path(), &["--check", "a.md"]);
        assert_eq!(r.code, Some(2), "{bad}");
        assert!(
            r.stderr.contains("trueconf-lsp.toml:2:13: docs-url: "),
            "{bad}: {}",
            r.stderr
        );
    }
}

#[test]
fn sarif_uris_are_encoded() {
    let dir = tree(&[("my docs/a#b.md", "visicall:bob\n")]);
    let r = run(dir.path(), &["--check", "--output-format", "sarif"]);
    let log: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20docs/a%23b.md"
    );
    assert_eq!(
        schema_errors(&sarif_validator(), &log),
        Vec::<String>::new()
    );
}

#[test]
fn github_workflow_commands() {
    let dir = site();
    let r = run(dir.path(), &["--check", "--output-format", "github"]);
    assert_eq!(r.code, Some(1));
    assert_eq!(
        r.stdout,
        "::error file=docs/guide.md,line=3,col=14,endLine=3,endColumn=108,title=TC002 missing-encrypt::password is sent without encrypt=1\n\
         ::warning file=docs/guide.md,line=4,col=6,endLine=4,endColumn=14,title=TC001 deprecated-scheme::`visicall:` is obsolete; use `trueconf:`\n\
         ::notice file=site/index.html,line=1,col=48,endLine=1,endColumn=49,title=TC015 raw-ampersand-in-html::raw `&` inside an HTML attribute; write `&amp;`\n"
    );
    // Properties escape `:` and `,`; messages escape `%`.
    let dir = tree(&[("we,ird:name.md", "trueconf:bob&login=100%\n")]);
    let r = run(dir.path(), &["--check", "--output-format", "github"]);
    let line = r.stdout.lines().next().unwrap();
    assert!(
        line.starts_with("::warning file=we%2Cird%3Aname.md,line=1,"),
        "{line}"
    );
    assert!(
        line.contains("a literal `%25` is written `%2525`"),
        "{line}"
    );
}

#[test]
fn junit_has_one_test_case_per_file() {
    let dir = site();
    let r = run(dir.path(), &["--check", "--output-format", "junit"]);
    assert_eq!(r.code, Some(1));
    let doc = roxmltree::Document::parse(&r.stdout).expect("JUnit is XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suite = root
        .children()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("3"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    let cases: Vec<_> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attribute("name").unwrap()).collect();
    assert_eq!(names, ["docs/clean.md", "docs/guide.md", "site/index.html"]);
    assert_eq!(cases[0].children().filter(|n| n.is_element()).count(), 0);
    let failure = cases[1]
        .children()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert_eq!(failure.attribute("type"), Some("TC002"));
    assert_eq!(
        failure.attribute("message"),
        Some(
            "2 problems; first: docs/guide.md:3:14: TC002 [error] password is sent without encrypt=1"
        )
    );
    assert_eq!(
        failure.text(),
        Some(
            "docs/guide.md:3:14: TC002 [error] password is sent without encrypt=1\n\
             docs/guide.md:4:6: TC001 [warning] `visicall:` is obsolete; use `trueconf:`"
        )
    );
    // An info finding below --fail-on is listed, not failed.
    assert!(!cases[2].children().any(|n| n.has_tag_name("failure")));
    let out = cases[2]
        .children()
        .find(|n| n.has_tag_name("system-out"))
        .unwrap();
    assert!(out.text().unwrap().contains("TC015 [info]"));
    // --fail-on info makes it a failure.
    let r = run(
        dir.path(),
        &["--check", "--output-format", "junit", "--fail-on", "info"],
    );
    let doc = roxmltree::Document::parse(&r.stdout).unwrap();
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, 2);
}

#[test]
fn gitlab_code_quality() {
    let dir = site();
    let r = run(dir.path(), &["--check", "--output-format", "gitlab"]);
    assert_eq!(r.code, Some(1));
    let issues: Vec<Value> = serde_json::from_str(&r.stdout).expect("JSON array");
    let got: Vec<String> = issues
        .iter()
        .map(|i| {
            format!(
                "{} {} {}:{} {}",
                i["check_name"].as_str().unwrap(),
                i["severity"].as_str().unwrap(),
                i["location"]["path"].as_str().unwrap(),
                i["location"]["lines"]["begin"],
                i["description"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "TC002 critical docs/guide.md:3 TC002 missing-encrypt: password is sent without encrypt=1",
            "TC001 major docs/guide.md:4 TC001 deprecated-scheme: `visicall:` is obsolete; use `trueconf:`",
            "TC015 minor site/index.html:1 TC015 raw-ampersand-in-html: raw `&` inside an HTML attribute; write `&amp;`",
        ]
    );
    let prints: Vec<&str> = issues
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    for p in &prints {
        assert_eq!(p.len(), 32);
        assert!(p.bytes().all(|b| b.is_ascii_hexdigit()));
    }
    let mut unique = prints.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prints.len());
    // Fingerprints survive lines added above and identical lines differ.
    common::write(
        dir.path(),
        "docs/guide.md",
        format!("Intro.\n\n{GUIDE}Old: visicall:bob@video.example.com\n").as_bytes(),
    );
    let r = run(dir.path(), &["--check", "--output-format", "gitlab"]);
    let again: Vec<Value> = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(again.len(), 4);
    let again_prints: Vec<&str> = again
        .iter()
        .map(|i| i["fingerprint"].as_str().unwrap())
        .collect();
    assert_eq!(again_prints[0], prints[0]);
    assert_eq!(again_prints[1], prints[1]);
    assert_ne!(again_prints[2], again_prints[1]);
    assert_eq!(again_prints[3], prints[2]);
}

#[test]
fn json_lines_match_the_json_report() {
    let dir = site();
    let lines = run(dir.path(), &["--check", "--output-format", "json-lines"]);
    let json = run(dir.path(), &["--check", "--output-format", "json"]);
    assert_eq!(lines.code, Some(1));
    let report: Value = serde_json::from_str(&json.stdout).unwrap();
    let each: Vec<Value> = lines
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one object per line"))
        .collect();
    assert_eq!(Value::Array(each), report["diagnostics"]);
    assert_eq!(report["summary"]["fixable"], 3);
}

#[test]
fn output_file_holds_the_report() {
    let dir = site();
    for (format, name) in [
        ("sarif", "out/report.sarif"),
        ("json", "report.json"),
        ("junit", "reports/junit.xml"),
        ("gitlab", "gl-code-quality.json"),
        ("github", "annotations.txt"),
        ("concise", "concise.txt"),
    ] {
        let r = run(
            dir.path(),
            &[
                "--check",
                "--output-format",
                format,
                "-o",
                name,
                "docs",
                "site",
            ],
        );
        assert_eq!(r.code, Some(1), "{format}: {}", r.stderr);
        assert_eq!(r.stdout, "", "{format}");
        let written = String::from_utf8(common::read(dir.path(), name)).unwrap();
        let direct = run(
            dir.path(),
            &["--check", "--output-format", format, "docs", "site"],
        );
        assert_eq!(written, direct.stdout, "{format}");
    }
    let env = common::run_env(
        dir.path(),
        &["--check", "docs"],
        &[
            ("TRUECONF_LSP_OUTPUT_FORMAT", "json-lines"),
            ("TRUECONF_LSP_OUTPUT_FILE", "env.jsonl"),
        ],
    );
    assert_eq!(env.stdout, "");
    assert_eq!(
        String::from_utf8(common::read(dir.path(), "env.jsonl"))
            .unwrap()
            .lines()
            .count(),
        2
    );
}

#[test]
fn human_summary_counts_fixable_findings() {
    let dir = site();
    let r = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert_eq!(
        r.stdout,
        "docs/guide.md:3:14: TC002 [error] password is sent without encrypt=1\n\
         docs/guide.md:4:6: TC001 [warning] `visicall:` is obsolete; use `trueconf:`\n\
         site/index.html:1:48: TC015 [info] raw `&` inside an HTML attribute; write `&amp;`\n\
         Found 3 problems (1 error, 1 warning, 1 info) in 3 files checked.\n\
         3 fixable with `--fix`.\n"
    );
    let dir = tree(&[("a.md", "trueconf://bob\n")]);
    let r = run(dir.path(), &["--check", "--output-format", "concise"]);
    assert!(
        r.stdout
            .ends_with("1 fixable with `--fix --unsafe-fixes`.\n"),
        "{}",
        r.stdout
    );
}
