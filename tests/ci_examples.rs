//! The CI examples of the README work: every `trueconf-lsp …` command of
//! the GitHub workflow, the GitLab job, the pre-commit hooks and the page
//! itself is run with the real binary against `examples/docs-site`, clean
//! and with broken links added, and its output is parsed.

mod common;

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn text(rel: &str) -> String {
    fs::read_to_string(repo().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The fenced blocks of `lang` in a Markdown text.
fn blocks(markdown: &str, lang: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        match &mut current {
            None if line.trim() == format!("```{lang}") => current = Some(String::new()),
            Some(body) if line.trim() == "```" => {
                out.push(std::mem::take(body));
                current = None;
            }
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

/// Where a command comes from and its words.
struct Cmd {
    origin: &'static str,
    words: Vec<String>,
    /// pre-commit hooks get the names of the files.
    takes_files: bool,
}

fn words_after(line: &str, marker: &str) -> Option<Vec<String>> {
    let at = line.find(marker)?;
    let cmd = &line[at + marker.len()..];
    let cmd = cmd.trim().trim_start_matches("- ").trim();
    if !cmd.starts_with("trueconf-lsp ") {
        return None;
    }
    assert!(
        !cmd.contains(['"', '\'', '$', '|', '>', '<']),
        "keep example commands free of shell syntax: {cmd}"
    );
    Some(cmd.split_whitespace().map(str::to_string).collect())
}

/// The one YAML document of a file, parsed.
fn yaml(rel: &str) -> Yaml {
    let mut docs = YamlLoader::load_from_str(&text(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(docs.len(), 1, "{rel}: one YAML document");
    docs.remove(0)
}

fn seq<'a>(y: &'a Yaml, what: &str) -> &'a [Yaml] {
    y.as_vec()
        .unwrap_or_else(|| panic!("{what}: not a list: {y:?}"))
}

fn string<'a>(y: &'a Yaml, what: &str) -> &'a str {
    y.as_str()
        .unwrap_or_else(|| panic!("{what}: not a string: {y:?}"))
}

/// The `trueconf-lsp …` lines of a shell script (a `run:` or a `script:` entry).
fn script_commands(script: &str, origin: &'static str, out: &mut Vec<Cmd>) {
    for line in script.lines() {
        if let Some(words) = words_after(line, "") {
            out.push(Cmd {
                origin,
                words,
                takes_files: false,
            });
        }
    }
}

fn commands() -> Vec<Cmd> {
    let mut out = Vec::new();
    let workflow = yaml("examples/ci/github-workflow.yml");
    for (_, job) in workflow["jobs"].as_hash().expect("jobs") {
        for step in seq(&job["steps"], "steps") {
            if let Some(run) = step["run"].as_str() {
                script_commands(run, "github-workflow.yml", &mut out);
            }
        }
    }
    let gitlab = yaml("examples/ci/gitlab-ci.yml");
    for (_, job) in gitlab.as_hash().expect("jobs") {
        for key in ["before_script", "script"] {
            if let Some(lines) = job[key].as_vec() {
                for line in lines {
                    script_commands(string(line, key), "gitlab-ci.yml", &mut out);
                }
            }
        }
    }
    let config = yaml("examples/ci/pre-commit-config.yaml");
    let hooks = seq(&config["repos"], "repos")
        .iter()
        .flat_map(|repo| seq(&repo["hooks"], "hooks"))
        .map(|h| (h, "pre-commit-config.yaml"));
    let manifest = yaml(".pre-commit-hooks.yaml");
    let offered = seq(&manifest, ".pre-commit-hooks.yaml")
        .iter()
        .map(|h| (h, ".pre-commit-hooks.yaml"));
    for (hook, origin) in offered.chain(hooks) {
        let entry = string(&hook["entry"], "entry");
        out.push(Cmd {
            origin,
            words: words_after(entry, "").expect("a trueconf-lsp entry"),
            takes_files: true,
        });
    }
    for block in blocks(&text("README.md"), "sh") {
        for line in block.lines() {
            if let Some(w) = words_after(line, "").filter(|w| w.iter().any(|x| x == "--check")) {
                out.push(Cmd {
                    origin: "README.md",
                    words: w,
                    takes_files: false,
                });
            }
        }
    }
    out
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &target);
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

/// Files of the site pre-commit would pass (its `types_or`), relative.
fn staged_files(root: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// A copy of the example site, with broken links added when `broken`.
fn site(broken: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("examples/docs-site"), dir.path());
    if broken {
        let add = |rel: &str, line: &str| {
            let p = dir.path().join(rel);
            let mut t = fs::read_to_string(&p).unwrap();
            t.push_str(line);
            fs::write(&p, t).unwrap();
        };
        add(
            "src/join.md",
            "\nTest server: trueconf:bob@video.example.org&login=qa&password=Hunter2xQ\n",
        );
        add(
            "site/join/index.html",
            "<p><a href=\"trueconf:bob@video.example.org&amp;login=qa&amp;password=Hunter2xQ\">test</a></p>\n",
        );
    }
    dir
}

/// Checks a command's output for its format; returns the number of
/// findings it reports.
fn check_output(cmd: &Cmd, dir: &Path, stdout: &str) -> usize {
    let w = &cmd.words;
    let flag = |name: &str| w.iter().position(|x| x == name).map(|i| w[i + 1].clone());
    let format = flag("--output-format").unwrap_or_else(|| "full".into());
    let report = match flag("-o") {
        Some(file) => {
            assert_eq!(stdout, "", "{}: -o leaves stdout empty", cmd.origin);
            fs::read_to_string(dir.join(file)).expect("report file written")
        }
        None => stdout.to_string(),
    };
    assert!(
        !report.contains("Hunter2xQ"),
        "{}: password in the report",
        cmd.origin
    );
    match format.as_str() {
        "github" => {
            assert!(report.lines().all(|l| l.starts_with("::")), "{report}");
            report.lines().count()
        }
        "sarif" => {
            let v: Value = serde_json::from_str(&report).unwrap();
            assert_eq!(v["version"], "2.1.0");
            v["runs"][0]["results"].as_array().unwrap().len()
        }
        "gitlab" => {
            let v: Vec<Value> = serde_json::from_str(&report).unwrap();
            for i in &v {
                assert!(i["fingerprint"].is_string() && i["check_name"].is_string());
            }
            v.len()
        }
        "junit" => {
            let doc = roxmltree::Document::parse(&report).unwrap();
            let cases = doc
                .descendants()
                .filter(|n| n.has_tag_name("testcase"))
                .count();
            assert!(cases >= 6, "{report}");
            doc.descendants()
                .filter(|n| n.has_tag_name("failure"))
                .count()
        }
        "full" | "concise" => {
            let last = report
                .lines()
                .rev()
                .find(|l| l.starts_with("All checks") || l.starts_with("Found"));
            assert!(last.is_some(), "{}: no summary in\n{report}", cmd.origin);
            report.lines().filter(|l| l.contains(": TC")).count()
        }
        other => panic!("unexpected format {other}"),
    }
}

fn run(cmd: &Cmd, dir: &Path) -> (Option<i32>, usize) {
    let mut c = common::command(dir);
    c.args(&cmd.words[1..]);
    if cmd.takes_files {
        c.args(staged_files(dir));
    }
    let r = common::run_with(c);
    assert!(!r.stderr.contains("Hunter2xQ"), "{}", cmd.origin);
    assert_ne!(
        r.code,
        Some(2),
        "{}: {:?}: {}",
        cmd.origin,
        cmd.words,
        r.stderr
    );
    (r.code, check_output(cmd, dir, &r.stdout))
}

#[test]
fn every_ci_command_passes_on_the_site_and_fails_on_broken_links() {
    let cmds = commands();
    let origins: std::collections::BTreeSet<&str> = cmds.iter().map(|c| c.origin).collect();
    assert_eq!(
        origins.into_iter().collect::<Vec<_>>(),
        [
            ".pre-commit-hooks.yaml",
            "README.md",
            "github-workflow.yml",
            "gitlab-ci.yml",
            "pre-commit-config.yaml"
        ]
    );
    assert!(cmds.len() >= 8, "{}", cmds.len());
    for cmd in &cmds {
        let exit_zero = cmd.words.iter().any(|w| w == "--exit-zero");
        let clean = site(false);
        let (code, found) = run(cmd, clean.path());
        assert_eq!(
            (code, found),
            (Some(0), 0),
            "{}: {:?}",
            cmd.origin,
            cmd.words
        );

        let broken = site(true);
        let (code, found) = run(cmd, broken.path());
        let want = if exit_zero { 0 } else { 1 };
        assert_eq!(code, Some(want), "{}: {:?}", cmd.origin, cmd.words);
        assert!(found >= 2, "{}: {:?} found {found}", cmd.origin, cmd.words);
    }
}

#[test]
fn the_page_shows_the_example_files_as_they_are() {
    let page = text("README.md");
    let yaml = blocks(&page, "yaml");
    for file in [
        "examples/ci/github-workflow.yml",
        "examples/ci/gitlab-ci.yml",
        "examples/ci/pre-commit-config.yaml",
    ] {
        assert!(
            yaml.contains(&text(file)),
            "README.md does not show {file} as it is"
        );
    }
    assert!(page.contains("\n## Validate links in CI\n"));
}

/// The file types pre-commit passes to a hook (`types_or`), as written.
fn types_or(hook: &Yaml) -> Vec<&str> {
    seq(&hook["types_or"], "types_or")
        .iter()
        .map(|t| string(t, "a type"))
        .collect()
}

#[test]
fn pre_commit_hooks_are_declared() {
    // `pre-commit validate-manifest` itself runs in scripts/test-packaging.sh.
    let manifest = yaml(".pre-commit-hooks.yaml");
    let hooks = seq(&manifest, ".pre-commit-hooks.yaml");
    let got: Vec<(&str, &str, &str)> = hooks
        .iter()
        .map(|h| {
            (
                string(&h["id"], "id"),
                string(&h["entry"], "entry"),
                string(&h["language"], "language"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "trueconf-lsp",
                "trueconf-lsp --check --force-exclude",
                "python"
            ),
            (
                "trueconf-lsp-fix",
                "trueconf-lsp --check --force-exclude --fix",
                "python"
            ),
        ]
    );
    let local = yaml("examples/ci/pre-commit-config.yaml");
    let local_hook = &local["repos"][0]["hooks"][0];
    for hook in hooks {
        for key in ["name", "description"] {
            assert!(string(&hook[key], key).contains("trueconf"), "{key}");
        }
        assert_eq!(types_or(hook), types_or(local_hook));
    }
    assert!(types_or(local_hook).starts_with(&["markdown", "mdx", "html"]));
    // `language: python` installs this repository with pip: the wheel.
    assert!(text("pyproject.toml").contains("\nbindings = \"bin\"\n"));
}

#[test]
fn the_action_runs_the_check_with_github_annotations() {
    // scripts/test-packaging.sh runs its steps (scripts/run-action.py).
    let action = yaml("action.yml");
    assert_eq!(string(&action["runs"]["using"], "using"), "composite");
    let inputs: Vec<&str> = action["inputs"]
        .as_hash()
        .expect("inputs")
        .keys()
        .map(|k| string(k, "input"))
        .collect();
    assert_eq!(inputs, ["paths", "args", "install", "sarif-file"]);
    let steps = seq(&action["runs"]["steps"], "steps");
    let runs: Vec<&str> = steps.iter().map(|s| string(&s["run"], "run")).collect();
    for step in steps {
        assert_eq!(string(&step["shell"], "shell"), "bash");
    }
    assert!(
        runs[0].contains("cargo install --locked --root \"$root\" --path \"$GITHUB_ACTION_PATH\"")
    );
    assert!(runs[1].contains("trueconf-lsp --check --output-format github "));
    assert!(
        runs[1]
            .contains("trueconf-lsp --check --output-format sarif -o \"$SARIF_FILE\" --exit-zero ")
    );
    // Inputs reach the scripts through `env:`, never pasted into them.
    assert!(runs.iter().all(|r| !r.contains("${{")));
}

#[test]
fn the_fix_hook_repairs_what_it_can() {
    let dir = site(true);
    let cmd = Cmd {
        origin: "trueconf-lsp-fix",
        words: "trueconf-lsp --check --fix --output-format concise"
            .split(' ')
            .map(str::to_string)
            .collect(),
        takes_files: true,
    };
    let (code, _) = run(&cmd, dir.path());
    assert_eq!(code, Some(1));
    // TC002 was fixed (encrypt=1 added); TC016 and TC004 need a person.
    let md = fs::read_to_string(dir.path().join("src/join.md")).unwrap();
    assert!(md.contains("password=Hunter2xQ&encrypt=1"), "{md}");
    let r = common::run(
        dir.path(),
        &["--check", "--output-format", "concise", "src", "site"],
    );
    let codes: Vec<&str> = r
        .stdout
        .lines()
        .filter_map(|l| l.split(": ").nth(1))
        .filter_map(|l| l.split(' ').next())
        .collect();
    assert_eq!(codes, ["TC016", "TC004", "TC016", "TC004"]);
}
