//! The `trueconf-lsp` binary: a language server by default, a linter with
//! `--check`. Wiring only.

use std::io::Write;
use std::process::ExitCode;

use trueconf_lsp::cli::{self, args::Args};

fn main() -> ExitCode {
    let args = Args::parse_escaped();
    if args.check
        || args.replace_server.is_some()
        || args.list_rules
        || args.generate_man
        || args.generate_shell_completion.is_some()
        || args.explain.is_some()
        || args.decode.is_some()
    {
        // A pipe or a file: written in large blocks, not a line at a time
        // (the standard output's line buffering split a JSON report of
        // tens of megabytes into a write per line break between its parts).
        let mut out: Box<dyn Write> = match report_file() {
            Some(file) => Box::new(std::io::BufWriter::with_capacity(1 << 16, file)),
            None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        };
        let mut err = std::io::stderr();
        let status = cli::run(&args, &mut out, &mut err);
        let _ = out.flush();
        return status.into();
    }
    // No mode flag, or `--stdio`: the language server.
    trueconf_lsp::lsp::run()
}

/// The standard output as a file of its own, when it is not a terminal
/// (nothing else of the process writes to it in the CLI modes).
#[cfg(unix)]
fn report_file() -> Option<std::fs::File> {
    use std::io::IsTerminal;
    use std::os::fd::AsFd;
    let stdout = std::io::stdout();
    if stdout.is_terminal() {
        return None;
    }
    let fd = stdout.as_fd().try_clone_to_owned().ok()?;
    Some(std::fs::File::from(fd))
}

#[cfg(not(unix))]
fn report_file() -> Option<std::fs::File> {
    None
}
