//! The command line: `--check`, `--explain`, `--decode`. Resolves the
//! configuration and walks the files through [`crate::project`], calls the
//! core, writes reports.

pub mod args;
pub mod diff;
pub mod fix_files;
pub mod format;
pub mod replace;
mod sink;
mod status;

use sink::{Sink, report_file};
pub use status::Status;
pub mod online;

use std::collections::HashMap;
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::fix::Applicability;
use crate::project::checked::{Checked, FileError, Outcome};
use crate::project::config::{Overrides, Resolver, printable};
use crate::project::read::{self, KeepText};
use crate::project::settings::Settings;
use crate::project::walk::{self, WalkOptions, Walked};
use crate::rules::Config;
use crate::rules::{Rule, Severity};
use crate::scan::DocKind;
use crate::uri::Link;
use args::{Args, FailOn, OutputFormat};
use clap::CommandFactory;
use format::color::{self, ColorEnv, Palette};

/// Runs the command line's `--check`, `--explain`, `--decode`,
/// `--list-rules` or a generator of completions or the man page. Called
/// once per process, by `main`: `--check` leaves its findings to the
/// process's exit instead of freeing them.
pub fn run(args: &Args, stdout: &mut dyn Write, stderr: &mut dyn Write) -> Status {
    let result = if let Some(shell) = args.generate_shell_completion {
        // Rendered whole first: clap_complete panics on a failed write.
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Args::command(), "trueconf-lsp", &mut script);
        stdout.write_all(&script).map(|()| Status::Success)
    } else if args.generate_man {
        let mut page = Vec::new();
        clap_mangen::Man::new(Args::command())
            .render(&mut page)
            .and_then(|()| stdout.write_all(&page))
            .map(|()| Status::Success)
    } else if args.list_rules {
        list_rules(args.output_format, stdout, palette(args, false))
    } else if let Some(code) = &args.explain {
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

/// The palette of the text output: colored as `--color`, `NO_COLOR`,
/// `CLICOLOR_FORCE` and `TERM` say ([`color::enabled`]). `to_file`: the
/// output goes to `-o FILE`, which `auto` never colors.
/// Refuses a run whose report file is one of the paths named to check
/// (or to rewrite): writing the report would destroy the file before it
/// is read.
fn refuse_report_as_input(args: &Args, err: &mut dyn Write) -> io::Result<bool> {
    let Some(report) = report_file(args) else {
        return Ok(false);
    };
    for path in &args.paths {
        if report.is(path, None) {
            write_escaped(
                err,
                "error",
                format_args!(
                    "{}: is also the report file (-o); refusing to overwrite a file to check",
                    walk::path_for_display(path)
                ),
            )?;
            return Ok(true);
        }
    }
    Ok(false)
}

fn palette(args: &Args, to_file: bool) -> Palette {
    let (no_color, force, term) = (
        std::env::var_os("NO_COLOR"),
        std::env::var_os("CLICOLOR_FORCE"),
        std::env::var_os("TERM"),
    );
    let env = ColorEnv {
        no_color: no_color.as_deref(),
        clicolor_force: force.as_deref(),
        term: term.as_deref(),
    };
    let terminal = !to_file && io::stdout().is_terminal();
    let choice = if to_file && args.color == args::ColorChoice::Auto {
        args::ColorChoice::Never
    } else {
        args.color
    };
    Palette::new(color::enabled(choice, env, terminal))
}

/// `--statistics`: findings per rule, most first (then by code), with the
/// number that have a fix; ruff's `--statistics` is the model. `[*]`: every
/// finding of the rule has a fix (safe or unsafe), `[-]`: some have.
fn statistics(
    format: OutputFormat,
    found: &[format::Located],
    out: &mut dyn Write,
    palette: Palette,
) -> io::Result<()> {
    let mut counts: Vec<(Rule, usize, usize)> = Vec::new();
    let mut at: HashMap<Rule, usize> = HashMap::new();
    for l in found {
        let d = l.diagnostic;
        let i = *at.entry(d.rule).or_insert_with(|| {
            counts.push((d.rule, 0, 0));
            counts.len() - 1
        });
        counts[i].1 += 1;
        counts[i].2 += usize::from(d.fix.is_some());
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.code().cmp(b.0.code())));
    if matches!(format, OutputFormat::Json | OutputFormat::JsonLines) {
        let list: Vec<serde_json::Value> = counts
            .iter()
            .map(|(r, n, fixable)| {
                serde_json::json!({
                    "code": r.code(),
                    "name": r.name(),
                    "count": n,
                    "fixable": fixable,
                })
            })
            .collect();
        format::safe_json::to_writer_pretty(&mut *out, &list)?;
        return writeln!(out);
    }
    let width = counts
        .iter()
        .map(|c| c.1.to_string().len())
        .max()
        .unwrap_or(1);
    for (r, n, fixable) in &counts {
        let mark = if *fixable == *n {
            "[*]"
        } else if *fixable > 0 {
            "[-]"
        } else {
            "   "
        };
        let severity = found
            .iter()
            .filter(|l| l.diagnostic.rule == *r)
            .map(|l| l.diagnostic.severity)
            .max()
            .unwrap_or(r.default_severity());
        writeln!(
            out,
            "{}  {}  {}  {}",
            palette.summary(format_args!("{n:>width$}")),
            palette.severity(severity, r.code()),
            palette.help(mark),
            r.name()
        )?;
    }
    Ok(())
}

/// The first sentence of a rule's "Fix safety", on one line.
fn fix_safety(rule: Rule) -> String {
    let flat = rule
        .doc_section("Fix safety")
        .unwrap_or_default()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    match flat.find(". ") {
        Some(end) => flat[..=end].to_string(),
        None => flat,
    }
}

/// `--list-rules`: every rule, one line each, or a JSON array.
fn list_rules(format: OutputFormat, out: &mut dyn Write, palette: Palette) -> io::Result<Status> {
    let rows: Vec<(Rule, String)> = Rule::ALL.iter().map(|&r| (r, fix_safety(r))).collect();
    if matches!(format, OutputFormat::Json | OutputFormat::JsonLines) {
        let list: Vec<serde_json::Value> = rows
            .iter()
            .map(|(r, fix)| {
                serde_json::json!({
                    "code": r.code(),
                    "name": r.name(),
                    "severity": r.default_severity().as_str(),
                    "fix": fix,
                })
            })
            .collect();
        format::safe_json::to_writer_pretty(&mut *out, &list)?;
        writeln!(out)?;
    } else {
        let width = rows.iter().map(|(r, _)| r.name().len()).max().unwrap_or(0);
        for (r, fix) in &rows {
            let severity = r.default_severity();
            writeln!(
                out,
                "{}  {:width$}  {}  {fix}",
                palette.severity(severity, r.code()),
                r.name(),
                palette.severity(severity, format_args!("{:7}", severity.as_str()))
            )?;
        }
    }
    Ok(Status::Success)
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
            write_escaped(
                err,
                "error",
                format_args!("unknown rule `{code}`; rules are {}", Rule::code_ranges()),
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
    format::safe_json::to_writer_pretty(&mut *out, &report)?;
    writeln!(out)?;
    Ok(Status::Success)
}

/// The command line's rule selection, validated.
fn overrides_from_args(args: &Args) -> Result<Overrides, String> {
    let settings = Settings {
        select: (!args.select.is_empty()).then(|| args.select.clone()),
        ignore: (!args.ignore.is_empty()).then(|| args.ignore.clone()),
        ..Settings::default()
    };
    settings.to_config().map_err(|e| format!("--{e}"))?;
    Ok(Overrides {
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        fail_on: args.fail_on.map(|f| match f {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }),
        exclude: args.exclude.clone(),
        extend_exclude: args.extend_exclude.clone(),
        online: args.online,
    })
}

fn check(args: &Args, out: &mut dyn Write, err: &mut dyn Write) -> io::Result<Status> {
    let overrides = match overrides_from_args(args) {
        Ok(o) => o,
        Err(e) => {
            write_escaped(err, "error", e)?;
            return Ok(Status::Error);
        }
    };
    let cwd = std::env::current_dir()?;
    let resolver = match Resolver::new(cwd, args.config.as_deref(), args.isolated, overrides) {
        Ok(r) => r,
        Err(e) => {
            write_escaped(err, "error", e)?;
            return Ok(Status::Error);
        }
    };
    if refuse_report_as_input(args, err)? {
        return Ok(Status::Error);
    }
    if let Some(spec) = &args.replace_server {
        return replace::run(args, spec, &resolver, out, err);
    }
    let fix = (args.fix || args.diff).then_some(if args.unsafe_fixes {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    });
    let stdin = args.paths.len() == 1 && args.paths[0].as_os_str() == "-";
    // Only these reports show source lines; the others need positions.
    let keep_text = if matches!(
        args.output_format,
        OutputFormat::Full | OutputFormat::Gitlab
    ) {
        KeepText::WithDiagnostics
    } else {
        KeepText::No
    };
    if stdin && args.fix {
        writeln!(
            err,
            "error: --fix cannot write to standard input; use --diff to see the fixes"
        )?;
        return Ok(Status::Error);
    }
    let Walked {
        checked: mut files,
        mut errors,
        config_errors,
        ..
    } = if stdin {
        let mut bytes = Vec::new();
        io::stdin().read_to_end(&mut bytes)?;
        let name = args.stdin_filename.clone().unwrap_or_else(|| "-".into());
        let kind = DocKind::from_path(&name);
        match resolver.for_file(Path::new(&name)) {
            Err(e) => Walked {
                config_errors: vec![e],
                ..Walked::default()
            },
            // As ruff: an excluded --stdin-filename is skipped only with
            // --force-exclude.
            Ok(settings)
                if args.force_exclude
                    && args.stdin_filename.is_some()
                    && settings.excludes(&resolver.absolute(Path::new(&name))) =>
            {
                Walked::default()
            }
            Ok(settings) => {
                match read::check_bytes(
                    name.clone(),
                    None,
                    &bytes,
                    kind,
                    settings,
                    fix,
                    keep_text.into(),
                ) {
                    Outcome::Checked(c) => Walked {
                        checked: vec![c],
                        ..Walked::default()
                    },
                    Outcome::Skipped => Walked {
                        errors: vec![read::binary_error(name)],
                        ..Walked::default()
                    },
                    Outcome::Error(e) => Walked {
                        errors: vec![e],
                        ..Walked::default()
                    },
                    Outcome::CheckedWithError(c, e) => Walked {
                        checked: vec![c],
                        errors: vec![e],
                        ..Walked::default()
                    },
                }
            }
        }
    } else {
        let (roots, strip_dot) = if args.paths.is_empty() {
            (vec![PathBuf::from(".")], true)
        } else {
            (args.paths.clone(), false)
        };
        let opts = WalkOptions {
            no_ignore: args.no_ignore,
            hidden: args.hidden,
            threads: args
                .threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
            fix,
            keep_text,
            force_exclude: args.force_exclude,
            max_bytes: None,
            report: report_file(args),
            columns: crate::text::Encoding::Utf32,
        };
        let listing = walk::list(&roots, strip_dot, &opts, &resolver);
        if !listing.config_errors.is_empty() {
            for e in &listing.config_errors {
                write_escaped(err, "error", e)?;
            }
            return Ok(Status::Error);
        }
        // The report as the files are checked, unless it needs them all
        // first: fixes (written files, diffs), statistics, online probes,
        // and the formats written whole.
        if fix.is_none() && !args.statistics && !listing.online() {
            let sink = Sink::open(args, out)?;
            let palette = palette(args, matches!(sink, Sink::File(..)));
            if let Some(stream) = format::Stream::new(args.output_format, palette) {
                return stream_report(args, &listing, &opts, stream, sink, palette, err);
            }
        }
        walk::collect(&listing, &opts)
    };
    if !config_errors.is_empty() {
        for e in &config_errors {
            write_escaped(err, "error", e)?;
        }
        return Ok(Status::Error);
    }
    for f in files.iter().filter(|f| f.analysis.capped) {
        write_capped_warning(err, &f.path)?;
    }
    if args.diff {
        let status = print_diff(args, &files, &errors, out, err)?;
        return Ok(status);
    }
    let mut fixed = (0, 0);
    if args.fix {
        let inside = (!args.follow_links).then(|| fix_files::checked_roots(&args.paths));
        fixed = write_fixes(&mut files, &mut errors, inside.as_deref());
    }
    if files.iter().any(|f| !f.servers.is_empty()) {
        online::probe_files(args, &mut files, err)?;
    }
    write_file_errors(err, &errors)?;
    let found = format::locate(&files);
    let summary = format::Summary::new(files.len(), &found);
    let mut sink = Sink::open(args, out)?;
    let palette = palette(args, matches!(sink, Sink::File(..)));
    let w = sink.writer();
    let report = format::Report {
        files: &files,
        found: &found,
        summary,
    };
    if args.statistics {
        statistics(args.output_format, &found, w, palette)?;
    } else {
        format::write_styled(args.output_format, w, &report, palette)?;
    }
    let fixed_line = args.fix.then(|| format::fixed_line(fixed.0, fixed.1));
    let fixable = format::Fixable::of(&found);
    write_summary_lines(
        args,
        w,
        err,
        palette,
        &summary,
        errors.len(),
        fixable,
        fixed_line,
    )?;
    sink.finish()?;
    let failing = files.iter().any(failing);
    // The process exits after this ([`run`] is called once per process):
    // freeing every file's findings one by one, on this one thread, would
    // only delay the exit (by some 15 ms on 16,000 files).
    drop(found);
    std::mem::forget(files);
    Ok(exit_status(args, errors.len(), failing))
}

/// Whether `f` has a finding at or above its `fail-on` severity.
fn failing(f: &Checked) -> bool {
    f.analysis
        .diagnostics
        .iter()
        .any(|d| d.severity >= f.settings.fail_on)
}

fn exit_status(args: &Args, errors: usize, failing: bool) -> Status {
    if errors > 0 {
        Status::Error
    } else if failing && !args.exit_zero {
        Status::Failure
    } else {
        Status::Success
    }
}

/// After the findings of `full` and `concise`: the summary line, what
/// `--fix` did, and how many findings it could fix. Of the other formats,
/// only what `--fix` did, on standard error.
#[allow(clippy::too_many_arguments)]
fn write_summary_lines(
    args: &Args,
    w: &mut dyn Write,
    err: &mut dyn Write,
    palette: Palette,
    summary: &format::Summary,
    errors: usize,
    fixable: format::Fixable,
    fixed_line: Option<String>,
) -> io::Result<()> {
    let human = matches!(
        args.output_format,
        OutputFormat::Full | OutputFormat::Concise
    );
    if human {
        if summary.diagnostics > 0 {
            writeln!(w, "{}", palette.summary(format::summary_line(summary)))?;
        } else if errors == 0 {
            writeln!(w, "{}", palette.success(format::summary_line(summary)))?;
        } else {
            // Not "All checks passed": something could not be checked.
            writeln!(
                w,
                "{}",
                palette.summary(format_args!(
                    "No problems found in {} checked, but {} could not be checked (see above).",
                    format::plural(summary.files, "file", "files"),
                    format::plural(errors, "path", "paths")
                ))
            )?;
        }
        if let Some(line) = &fixed_line {
            writeln!(w, "{}", palette.success(line))?;
        }
        if let Some(note) = format::fixable_note(fixable, args.fix, args.unsafe_fixes) {
            writeln!(w, "{note}")?;
        }
    } else if let Some(line) = &fixed_line {
        writeln!(err, "{line}")?;
    }
    Ok(())
}

/// One file's share of a streamed report, made on the worker that checked
/// it.
#[derive(Default)]
struct Part {
    /// Its part of the report.
    bytes: Vec<u8>,
    summary: format::Summary,
    fixable: format::Fixable,
    failing: bool,
    /// Its path, when it has more findings than are reported.
    capped: Option<String>,
    error: Option<FileError>,
}

/// `--check` with a report written file by file, in path order, as the
/// files are checked ([`format::Stream`]): the same bytes on standard
/// output as the report written whole, and on standard error the same
/// lines in the same order: a warning about a file with too many findings
/// as its turn comes, the files that could not be checked after the
/// findings (just above the summary line that counts them), rather than
/// all before the report.
fn stream_report(
    args: &Args,
    listing: &walk::Listing,
    opts: &WalkOptions,
    stream: format::Stream,
    mut sink: Sink,
    palette: Palette,
    err: &mut dyn Write,
) -> io::Result<Status> {
    let mut summary = format::Summary::default();
    let mut fixable = format::Fixable::default();
    let mut errors = Vec::new();
    let mut failed = false;
    let mut writer = stream.writer(sink.writer());
    walk::check_in_order(
        &listing.entries,
        opts,
        |result| {
            let mut part = Part {
                error: result.error,
                ..Part::default()
            };
            if let Some(f) = result.checked {
                let files = std::slice::from_ref(&f);
                let found = format::locate(files);
                part.bytes = stream.render(&found);
                part.summary = format::Summary::new(1, &found);
                part.fixable = format::Fixable::of(&found);
                part.failing = failing(&f);
                part.capped = f.analysis.capped.then(|| f.path.clone());
            }
            part
        },
        |part| -> io::Result<()> {
            if let Some(path) = &part.capped {
                write_capped_warning(err, path)?;
            }
            errors.extend(part.error);
            summary.add(&part.summary);
            fixable.add(part.fixable);
            failed |= part.failing;
            writer.part(&part.bytes)
        },
    )?;
    writer.finish(summary)?;
    write_file_errors(err, &errors)?;
    let w = sink.writer();
    write_summary_lines(args, w, err, palette, &summary, errors.len(), fixable, None)?;
    sink.finish()?;
    Ok(exit_status(args, errors.len(), failed))
}

/// Writes every fixed file; a file that cannot be written is reported as
/// it is on disk. Returns (fixes applied, files written).
fn write_fixes(
    files: &mut [Checked],
    errors: &mut Vec<FileError>,
    inside: Option<&[PathBuf]>,
) -> (usize, usize) {
    let mut applied = 0;
    let mut written = 0;
    // A file reached twice (through a symbolic link) is written once.
    let mut done: HashMap<PathBuf, Vec<u8>> = HashMap::new();
    for f in files.iter_mut() {
        let (Some(fixed), Some(path)) = (&f.fixed, &f.fs_path) else {
            continue;
        };
        let n = fixed.applied;
        let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let new = f.fixed_bytes();
        // A link out of the checked tree is not written through unless
        // `--follow-links` says so (ruff and typos do not follow them).
        if fix_files::leaves_tree(path, &target, inside) {
            errors.push(FileError {
                path: f.path.clone(),
                message: "is a symbolic link to a file outside the checked paths; \
                          not fixed (use --follow-links to fix it)"
                    .into(),
            });
            f.revert();
            continue;
        }
        if let Some(previous) = done.get(&target) {
            if *previous != new {
                errors.push(FileError {
                    path: f.path.clone(),
                    message: "was already fixed differently through another path; not fixed".into(),
                });
                f.revert();
            }
            continue;
        }
        match fix_files::write_atomically(path, &f.original_bytes(), &new) {
            Ok(()) => {
                applied += n;
                written += 1;
                done.insert(target, new);
            }
            Err(message) => {
                errors.push(FileError {
                    path: f.path.clone(),
                    message,
                });
                f.revert();
            }
        }
    }
    errors.sort_by(|a, b| a.path.cmp(&b.path));
    (applied, written)
}

/// Writes `{level}: {message}`, the message escaped for the terminal: it
/// may quote what the user gave (an option's value, a configuration
/// file's), which must not put a control character (a line break, an
/// escape sequence) into a terminal or a CI log.
fn write_escaped(
    err: &mut dyn Write,
    level: &str,
    message: impl std::fmt::Display,
) -> io::Result<()> {
    // A link given where a path or a rule code was expected is quoted back.
    writeln!(err, "{level}: {}", printable(&message.to_string()))
}

/// One `error:` line per file error, its path and message escaped for the
/// terminal (a walk error without a path names the file in its message).
/// The warning about a file with more findings than are reported.
fn write_capped_warning(err: &mut dyn Write, path: &str) -> io::Result<()> {
    writeln!(
        err,
        "warning: {} has more than {max} findings; only the first {max} are reported",
        crate::text::path_for_terminal(path),
        max = crate::rules::MAX_FINDINGS
    )
}

fn write_file_errors(err: &mut dyn Write, errors: &[FileError]) -> io::Result<()> {
    for e in errors {
        let message = printable(&e.message);
        if e.path.is_empty() {
            writeln!(err, "error: {message}")?;
        } else {
            let path = crate::project::config::redact_passwords(&e.path);
            let path = crate::text::path_for_terminal(&path);
            writeln!(err, "error: {path} {message}")?;
        }
    }
    Ok(())
}

/// `--diff`: the unified diff of every file that fixing would change;
/// exit 1 when there is one.
fn print_diff(
    args: &Args,
    files: &[Checked],
    errors: &[FileError],
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> io::Result<Status> {
    write_file_errors(err, errors)?;
    let mut sink = Sink::open(args, out)?;
    let w = sink.writer();
    let (mut fixes, mut changed) = (0, 0);
    for f in files {
        let Some(fixed) = &f.fixed else { continue };
        // The byte-order mark is part of both sides, as in the file, so
        // that `patch` and `git apply` find the first line.
        let bom = if f.bom { "\u{feff}" } else { "" };
        let shift = |spans: &[crate::text::Span]| -> Vec<crate::text::Span> {
            spans
                .iter()
                .map(|s| crate::text::Span::new(s.start + bom.len(), s.end + bom.len()))
                .collect()
        };
        if let Some(d) = diff::unified(
            &f.path,
            &format!("{bom}{}", fixed.original),
            &format!("{bom}{}", f.text),
            &shift(&fixed.original_secrets),
            &shift(&f.analysis.secrets),
        ) {
            w.write_all(d.as_bytes())?;
            fixes += fixed.applied;
            changed += 1;
        }
    }
    sink.finish()?;
    if changed > 0 {
        writeln!(
            err,
            "Would fix {} in {}.",
            format::plural(fixes, "problem", "problems"),
            format::plural(changed, "file", "files")
        )?;
    } else {
        writeln!(err, "No fixes to apply.")?;
    }
    Ok(if !errors.is_empty() {
        Status::Error
    } else if changed > 0 && !args.exit_zero {
        Status::Failure
    } else {
        Status::Success
    })
}
