//! Command-line flags (clap). One binary: a language server by default,
//! a linter with `--check`.

use std::path::PathBuf;

use clap::{ArgAction, ArgGroup, Parser, ValueEnum};

const AFTER_HELP: &str = "\
Exit status with --check: 0 when nothing at or above --fail-on was found,
1 when something was, 2 when the run itself failed (bad usage, bad config,
unreadable or non-UTF-8 file, or a FIFO or device named on the command line).

At most 10000 findings are reported per file; past that a warning on stderr
says the rest were left out (and --fix fixes what it can see, pass by pass).

Configuration comes from the nearest trueconf-lsp.toml or .trueconf-lsp.toml
above each file (keys: fail-on, select, ignore, exclude, extend-exclude,
allowed-servers, docs-url, [severity]); --config picks one file for all,
--isolated ignores them.

Examples:
  trueconf-lsp --check docs/
  trueconf-lsp --check --output-format sarif -o report.sarif site/
  trueconf-lsp --check --diff docs/
  trueconf-lsp --check --fix docs/
  trueconf-lsp --replace-server old.example.com=video.example.com --diff docs/
  trueconf-lsp --check - --stdin-filename page.html < page.html
  trueconf-lsp --explain TC002
  trueconf-lsp --decode 'trueconf:\\c\\737734033583@video.example.com%23vcs'

Without --check, --replace-server, --explain, --decode, --list-rules or a
generator, trueconf-lsp is a language server speaking LSP over stdin and
stdout.";

/// Language server and CI linter for trueconf: links.
#[derive(Debug, Parser)]
#[command(name = "trueconf-lsp", version, about, after_help = AFTER_HELP)]
#[command(group(ArgGroup::new("files").args(["check", "replace_server"]).multiple(true)))]
#[command(group(ArgGroup::new("writes").args(["fix", "replace_server"]).multiple(true)))]
pub struct Args {
    /// Run the language server over stdin/stdout (the default).
    #[arg(long, conflicts_with_all = ["check", "explain", "decode"])]
    pub stdio: bool,

    /// Lint files and folders (default: the current folder); `-` reads
    /// standard input.
    #[arg(long)]
    pub check: bool,

    /// Files or folders to lint with --check (or to change with
    /// --replace-server).
    #[arg(value_name = "PATH", requires = "files")]
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

    /// Move every link from server OLD to server NEW (`@server` and `h=`),
    /// in the files and folders given: the host matches without regard to
    /// case, a link keeps its port unless NEW has one, and OLD with a port
    /// matches only links with that port. With --diff, print the changes
    /// and write nothing (exit 1 when something would change, unless `--exit-zero`).
    #[arg(
        long,
        value_name = "OLD=NEW",
        conflicts_with_all = ["fix", "explain", "decode", "list_rules", "statistics"]
    )]
    pub replace_server: Option<String>,

    /// Print a link's parts as JSON (the password shown as ***).
    #[arg(long, value_name = "LINK", conflicts_with = "check")]
    pub decode: Option<String>,

    /// How to print the findings.
    #[arg(long, value_enum, default_value_t = OutputFormat::Full, env = "TRUECONF_LSP_OUTPUT_FORMAT")]
    pub output_format: OutputFormat,

    /// Color `full`, `concise` and the other text output: `auto` colors a
    /// terminal unless NO_COLOR is set; CLICOLOR_FORCE colors a pipe too.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Write the report to this file instead of standard output (a folder
    /// walk leaves it out; naming it as a file to check is an error).
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

    /// With --fix or --replace-server: also write through symbolic links to
    /// files outside the checked paths (by default such files are reported
    /// and left alone).
    #[arg(long, requires = "writes")]
    pub follow_links: bool,

    /// Print the fixes (or the replacements of --replace-server) as a
    /// unified diff and write nothing; exit 1 when something would change, unless `--exit-zero`.
    #[arg(long, requires = "files")]
    pub diff: bool,

    /// Use this configuration file for every checked file (no discovery).
    #[arg(
        long,
        value_name = "FILE",
        requires = "files",
        conflicts_with = "isolated"
    )]
    pub config: Option<PathBuf>,

    /// Ignore every configuration file.
    #[arg(long, requires = "files")]
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

    /// Skip paths matching this glob (repeatable), instead of the default
    /// excluded folders and the configuration's `exclude`.
    #[arg(long, value_name = "GLOB", action = ArgAction::Append)]
    pub exclude: Vec<String>,

    /// Skip paths matching this glob too (repeatable), besides the default
    /// excluded folders and the configuration's `exclude`.
    #[arg(long, value_name = "GLOB", action = ArgAction::Append)]
    pub extend_exclude: Vec<String>,

    /// Apply the excludes to paths named on the command line too (as a
    /// pre-commit hook passes them); otherwise those are always checked.
    #[arg(long)]
    pub force_exclude: bool,

    /// Do not respect .gitignore, .ignore and similar files.
    #[arg(long)]
    pub no_ignore: bool,

    /// Also lint hidden files and folders.
    #[arg(long)]
    pub hidden: bool,

    /// Worker threads (default: all cores). Output order does not depend on it.
    #[arg(short = 'j', long, value_name = "N")]
    pub threads: Option<usize>,

    /// Probe each distinct server of the links (`@server`, `h=`) with a TCP
    /// connection to its port (4307 by default) and report those that do not
    /// answer (TC020). Nothing is sent. Without it (or `online = true` in a
    /// configuration file) no network call is made.
    #[arg(long, requires = "check")]
    pub online: bool,

    /// Seconds each probe may take, resolving included.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0, value_parser = parse_seconds)]
    pub online_timeout: f64,

    /// Probes running at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub online_concurrency: u16,

    /// Keep probe answers in this JSON file and reuse those younger than
    /// --online-cache-ttl (for CI: restore and save it between runs).
    #[arg(long, value_name = "FILE")]
    pub online_cache: Option<PathBuf>,

    /// How long a cached answer is reused: seconds, or a number with s, m,
    /// h or d (`30m`, `1d`).
    #[arg(long, value_name = "AGE", default_value = "1d", value_parser = parse_age)]
    pub online_cache_ttl: u64,

    /// Test hook (`testing` builds only): answer host names from a table,
    /// `name=127.0.0.1:PORT,name=nxdomain,name=hang`, never from the system.
    #[cfg(feature = "testing")]
    #[arg(long, value_name = "TABLE", hide = true)]
    pub online_test_resolver: Option<String>,
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v <= 3600.0 => Ok(v),
        _ => Err(format!("`{s}` is not a number of seconds from 0 to 3600")),
    }
}

fn parse_age(s: &str) -> Result<u64, String> {
    let (num, unit) = match s.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = num
        .parse()
        .map_err(|_| format!("`{s}` is not an age such as 3600, 30m, 12h or 1d"))?;
    let unit = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86400,
        _ => return Err(format!("`{s}` is not an age such as 3600, 30m, 12h or 1d")),
    };
    n.checked_mul(unit)
        .ok_or_else(|| format!("`{s}` is too long an age"))
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

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when writing to a terminal, unless `NO_COLOR` is set (or
    /// `TERM` is `dumb`); `CLICOLOR_FORCE` colors output to a pipe too.
    #[default]
    Auto,
    /// Always color (even to a pipe or a file).
    Always,
    /// Never color.
    Never,
}

impl Args {
    /// The command line's arguments, as [`Parser::parse`] reads them. clap's
    /// message for a rejected argument quotes it as it was given: when some
    /// argument holds a control character or a link's password, the message
    /// is made from the arguments escaped (see
    /// [`crate::text::escape_for_terminal`]) and with passwords hidden
    /// instead, so that no argument can put a line break or an escape
    /// sequence into a terminal or a CI log, nor a password (`--decode LINK`
    /// with a mistyped option after it quotes the link).
    pub fn parse_escaped() -> Args {
        let raw: Vec<String> = std::env::args_os()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let e = match Args::try_parse_from(std::env::args_os()) {
            Ok(args) => return args,
            Err(e) => e,
        };
        let shown = |a: &String| crate::project::config::printable(a);
        // The options' environment variables (`TRUECONF_LSP_OUTPUT_FORMAT`)
        // whose value clap would quote unescaped.
        let command = <Args as clap::CommandFactory>::command();
        let unsafe_env: Vec<(std::ffi::OsString, String)> = command
            .get_arguments()
            .filter_map(|a| a.get_env())
            .filter_map(|name| {
                let value = std::env::var_os(name)?.to_string_lossy().into_owned();
                let printable = shown(&value);
                (printable != value).then(|| (name.to_os_string(), printable))
            })
            .collect();
        if !e.use_stderr() || raw.iter().all(|a| shown(a) == *a) && unsafe_env.is_empty() {
            e.exit();
        }
        for (name, printable) in unsafe_env {
            // SAFETY: no other thread runs yet (the arguments are parsed
            // first thing), so none reads the environment meanwhile.
            unsafe { std::env::set_var(name, printable) };
        }
        let escaped = raw.iter().map(shown);
        let message = match Args::try_parse_from(escaped) {
            Err(e) => e.render().to_string(),
            // Escaping made the arguments valid: say only what is wrong.
            Ok(_) => format!("error: {}\n", e.kind()),
        };
        let _ = std::io::Write::write_all(&mut std::io::stderr(), message.as_bytes());
        std::process::exit(e.exit_code());
    }
}
