//! The `trueconf-lsp` binary: a language server by default, a linter with
//! `--check`. Wiring only.

use std::io::Write;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use trueconf_lsp::cli::{self, args::Args};

fn main() -> ExitCode {
    let args = Args::parse();
    if let Some(shell) = args.generate_shell_completion {
        let mut command = Args::command();
        clap_complete::generate(shell, &mut command, "trueconf-lsp", &mut std::io::stdout());
        return ExitCode::SUCCESS;
    }
    if args.generate_man {
        let man = clap_mangen::Man::new(Args::command());
        return match man.render(&mut std::io::stdout()) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::from(2)
            }
        };
    }
    if args.check || args.list_rules || args.explain.is_some() || args.decode.is_some() {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        let mut err = std::io::stderr();
        let status = cli::run(&args, &mut out, &mut err);
        let _ = out.flush();
        return status.into();
    }
    // No mode flag, or `--stdio`: the language server.
    trueconf_lsp::lsp::run()
}
