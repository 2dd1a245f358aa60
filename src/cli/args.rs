//! Command-line flags (clap). One binary: a language server by default,
//! a linter with `--check`.

use std::path::PathBuf;

use clap::{ArgAction, Parser, ValueEnum};

const AFTER_HELP: &str = "\
Exit status with --check: 0 when nothing at or above --fail-on was found,
1 when something was, 2 when the run itself failed (bad usage, bad config,
unreadable or non-UTF-8 file, or a FIFO or device named on the command line).

At most 10000 findings are reported per file; past that a warning on stderr
says the rest were left out (and --fix fixes what it can see, pass by pass).

Configuration comes from the nearest trueconf-lsp.toml or .trueconf-lsp.toml
above each file (keys: fail-on, select, ignore, exclude, allowed-servers,
[severity]); --config picks one file for all, --isolated ignores them.

Examples:
  trueconf-lsp --check docs/
  trueconf-lsp --check --output-format sarif -o report.sarif site/
  trueconf-lsp --check --diff docs/
  trueconf-lsp --check --fix docs/
  trueconf-lsp --check - --stdin-filename page.html < page.html
  trueconf-lsp --explain TC002
  trueconf-lsp --decode 'trueconf:\\c\\737734033583@video.example.com%23vcs'

Without --check, --explain or --decode, trueconf-lsp is a language server
speaking LSP over stdin and stdout.";

/// Language server and CI linter for trueconf: links.
#[derive(Debug, Parser)]
#[command(name = "trueconf-lsp", version, about, after_help = AFTER_HELP)]
pub struct Args {
    /// Run the language server over stdin/stdout (the default).
    #[arg(long, conflicts_with_all = ["check", "explain", "decode"])]
    pub stdio: bool,

    /// Lint files and folders (default: the current folder); `-` reads
    /// standard input.
    #[arg(long)]
    pub check: bool,

    /// Files or folders to lint with --check.
    #[arg(value_name = "PATH", requires = "check")]
    pub paths: Vec<PathBuf>,

    /// Print a rule's documentation (e.g. TC002 or missing-encrypt).
    #[arg(long, value_name = "CODE", conflicts_with_all = ["check", "decode"])]
    pub explain: Option<String>,

    /// With --check: print how many findings each rule has instead of the
    /// findings (as a JSON array with `--output-format json`).
    #[arg(long, requires = "check")]
    pub statistics: bool,

    /// Print a completion script for this shell to standard output.
    #[arg(long, value_name = "SHELL", exclusive = true)]
    pub generate_shell_completion: Option<clap_complete::Shell>,

    /// Print the manual page (roff) to standard output.
    #[arg(long, exclusive = true)]
    pub generate_man: bool,

    /// List every rule: code, name, default severity and fix safety
    /// (`--output-format json` for JSON).
    #[arg(long, conflicts_with_all = ["check", "explain", "decode"])]
    pub list_rules: bool,

    /// Print a link's parts as JSON (the password shown as ***).
    #[arg(long, value_name = "LINK", conflicts_with = "check")]
    pub decode: Option<String>,

    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full, env = "TRUECONF_LSP_OUTPUT_FORMAT")]
    pub output_format: OutputFormat,

    /// Write the report to this file instead of standard output.
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        env = "TRUECONF_LSP_OUTPUT_FILE"
    )]
    pub output_file: Option<PathBuf>,

    /// Apply safe fixes in place, then report what remains.
    #[arg(long, requires = "check", conflicts_with = "diff")]
    pub fix: bool,

    /// With --fix or --diff: apply unsafe fixes too.
    #[arg(long, requires = "check")]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff and write nothing; exit 1 when
    /// something would change.
    #[arg(long, requires = "check")]
    pub diff: bool,

    /// Use this configuration file for every checked file (no discovery).
    #[arg(
        long,
        value_name = "FILE",
        requires = "check",
        conflicts_with = "isolated"
    )]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long, requires = "check")]
    pub isolated: bool,

    /// The file name to report for standard input; its extension picks the
    /// document kind (.md, .html, .js, …).
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,

    /// Rules to run: comma-separated codes, prefixes or names (default: all).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub select: Vec<String>,

    /// Rules not to run: comma-separated codes, prefixes or names.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub ignore: Vec<String>,

    /// Lowest severity that makes the run fail (exit 1).
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,

    /// Exit 0 even when problems are found (2 still means the run failed).
    #[arg(long)]
    pub exit_zero: bool,

    /// Skip paths matching this glob (repeatable).
    #[arg(long, value_name = "GLOB", action = ArgAction::Append)]
    pub exclude: Vec<String>,

    /// Do not respect .gitignore, .ignore and similar files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Also lint hidden files and folders.
    #[arg(long)]
    pub hidden: bool,

    /// Worker threads (default: all cores). Output order does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// `path:line:col: CODE [severity] message`, the source line and carets.
    Full,
    /// One line per finding.
    Concise,
    /// One JSON document with a summary.
    Json,
    /// One JSON object per finding and line, no summary.
    JsonLines,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// JUnit XML: one test case per checked file.
    Junit,
    /// GitLab Code Quality report.
    Gitlab,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}
