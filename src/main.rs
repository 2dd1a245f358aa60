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
