//! The command line: `--check`, `--explain`, `--decode`. Reads files, calls
//! the core, writes reports; the only part of the crate besides `lsp` that
//! does I/O.

pub mod args;
pub mod render;
pub mod walk;

use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;

use crate::config::Config;
use crate::rules::{Rule, Severity};
use crate::scan::DocKind;
use crate::settings::Settings;
use crate::uri::Link;
use args::{Args, FailOn, OutputFormat};
use walk::{Outcome, WalkOptions};

/// Exit statuses, as ruff and ripgrep use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing at or above `--fail-on`.
    Success = 0,
    /// Findings at or above `--fail-on`.
    Failure = 1,
    /// The run itself failed.
    Error = 2,
}

impl From<Status> for ExitCode {
    fn from(s: Status) -> ExitCode {
        ExitCode::from(s as u8)
    }
}

/// Runs the command line's `--check`, `--explain` or `--decode`.
pub fn run(args: &Args, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Status {
    let result = if let Some(code) = &args.explain {
        explain(code, stdout, stderr)
    } else if let Some(link) = &args.decode {
        decode(link, stdout, stderr)
    } else {
        check(args, stdout, stderr)
    };
    result.unwrap_or_else(|e| {
        // A closed pipe (`| head`) is not a failure of the run.
        if e.kind() == io::ErrorKind::BrokenPipe {
            Status::Success
        } else {
            let _ = writeln!(stderr, "error: {e}");
            Status::Error
        }
    })
}

fn explain(code: &str, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    match Rule::from_code(code) {
        Some(rule) => {
            write!(out, "{}", rule.explain())?;
            writeln!(
                out,
                "\nCode: {}  Name: {}  Default severity: {}",
                rule.code(),
                rule.name(),
                rule.default_severity().as_str()
            )?;
            Ok(Status::Success)
        }
        None => {
            writeln!(
                err,
                "error: unknown rule `{code}`; rules are TC001–TC016 and TC100"
            )?;
            Ok(Status::Error)
        }
    }
}

#[derive(Serialize)]
struct Decoded<'a> {
    link: String,
    scheme: &'static str,
    action: &'static str,
    summary: String,
    steps: Vec<String>,
    parts: Vec<DecodedPart>,
    diagnostics: Vec<DecodedDiagnostic<'a>>,
}

#[derive(Serialize)]
struct DecodedPart {
    part: String,
    value: String,
    meaning: String,
}

#[derive(Serialize)]
struct DecodedDiagnostic<'a> {
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
}

fn decode(input: &str, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let text = input.trim();
    let lower = text.to_ascii_lowercase();
    if !(lower.starts_with("trueconf:") || lower.starts_with("visicall:")) {
        writeln!(err, "error: not a trueconf: or visicall: link")?;
        return Ok(Status::Error);
    }
    let link = Link::parse(text);
    let description = crate::describe::describe(&link);
    let analysis = crate::analyze(text, DocKind::Plain, &Config::default());
    let report = Decoded {
        link: link.redacted(),
        scheme: match link.scheme {
            crate::uri::Scheme::Trueconf => "trueconf",
            crate::uri::Scheme::Visicall => "visicall",
        },
        action: description.action,
        summary: description.summary,
        steps: description.steps,
        parts: description
            .parts
            .into_iter()
            .map(|p| DecodedPart {
                part: p.name,
                value: p.value,
                meaning: p.meaning,
            })
            .collect(),
        diagnostics: analysis
            .diagnostics
            .iter()
            .map(|d| DecodedDiagnostic {
                code: d.rule.code(),
                name: d.rule.name(),
                severity: d.severity.as_str(),
                message: &d.message,
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)?;
    Ok(Status::Success)
}

fn config_from_args(args: &Args) -> Result<Config, String> {
    let settings = Settings {
        select: (!args.select.is_empty()).then(|| args.select.clone()),
        ignore: (!args.ignore.is_empty()).then(|| args.ignore.clone()),
        ..Settings::default()
    };
    settings.to_config().map_err(|e| format!("--{e}"))
}

fn check(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let config = match config_from_args(args) {
        Ok(c) => c,
        Err(e) => {
            writeln!(err, "error: {e}")?;
            return Ok(Status::Error);
        }
    };
    let fail_on = match args.fail_on {
        Some(FailOn::Error) => Severity::Error,
        Some(FailOn::Info) => Severity::Info,
        Some(FailOn::Warning) | None => Severity::Warning,
    };
    let stdin = args.paths.len() == 1 && args.paths[0].as_os_str() == "-";
    let (files, errors) = if stdin {
        let mut bytes = Vec::new();
        io::stdin().read_to_end(&mut bytes)?;
        let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
        let kind = DocKind::from_path(&name);
        match walk::check_bytes(name, &bytes, kind, &config) {
            Outcome::Checked(c) => (vec![c], vec![]),
            Outcome::Skipped => (vec![], vec![]),
            Outcome::Error(e) => (vec![], vec![e]),
        }
    } else {
        let (roots, strip_dot) = if args.paths.is_empty() {
            (vec![PathBuf::from(".")], true)
        } else {
            (args.paths.clone(), false)
        };
        let opts = WalkOptions {
            exclude: args.exclude.clone(),
            no_ignore: args.no_ignore,
            hidden: args.hidden,
            threads: args
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        };
        match walk::walk(&roots, strip_dot, &opts, &config) {
            Ok(r) => r,
            Err(e) => {
                writeln!(err, "error: {e}")?;
                return Ok(Status::Error);
            }
        }
    };
    for e in &errors {
        if e.path.is_empty() {
            writeln!(err, "error: {}", e.message)?;
        } else {
            writeln!(err, "error: {} {}", e.path, e.message)?;
        }
    }
    let found = render::locate(&files);
    let summary = render::Summary::new(files.len(), &found);
    match args.output_format {
        OutputFormat::Full => {
            render::full(out, &found)?;
            writeln!(out, "{}", render::summary_line(&summary))?;
        }
        OutputFormat::Concise => {
            render::concise(out, &found)?;
            writeln!(out, "{}", render::summary_line(&summary))?;
        }
        OutputFormat::Json => render::json(out, &found, summary)?,
    }
    out.flush()?;
    let failing = found.iter().any(|l| l.diagnostic.severity >= fail_on);
    Ok(if !errors.is_empty() {
        Status::Error
    } else if failing && !args.exit_zero {
        Status::Failure
    } else {
        Status::Success
    })
}
