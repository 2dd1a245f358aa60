#!/usr/bin/env bash
# Runs every test of trueconf-lsp: formatting, lints, the Rust test suite,
# the editor plugins' tests and the real-editor end-to-end test. Installs
# what is missing (idempotent), so it works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets --locked -- -D warnings

step "cargo test"
cargo test --locked --all-targets

if [ -x editors/vscode/test.sh ]; then
  step "VS Code extension: build, unit tests, package"
  editors/vscode/test.sh
fi

if [ -x editors/nvim/test/run.sh ]; then
  step "Neovim: plugin and end-to-end test against the real server"
  cargo build --locked
  TRUECONF_LSP_BIN="$PWD/target/debug/trueconf-lsp" editors/nvim/test/run.sh
fi

step "all tests passed"
