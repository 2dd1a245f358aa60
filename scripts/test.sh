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

# apt_install: Debian/Ubuntu packages, as root or with sudo.
. scripts/apt-install.sh

# strace: tests/adversarial.rs traces a language-server session with it
# (reliability item 24) and fails without it.
if ! command -v strace >/dev/null; then
  apt_install strace
fi

step "cargo test: build"
cargo test --locked --all-targets --no-run

# The suite runs once, in a network namespace with no interface but a
# down loopback (reliability item 24): a test or a server that reaches for
# the network fails. As root `unshare -n`; otherwise `unshare -rn` (a user
# namespace) where the kernel allows it. Without either, the suite runs
# with the network, after a notice.
netns=()
if unshare -n true 2>/dev/null; then
  netns=(unshare -n)
elif unshare -rn true 2>/dev/null; then
  netns=(unshare -rn)
fi
if [ ${#netns[@]} -gt 0 ]; then
  # The namespace's loopback is brought up (only inside it, where root or
  # the user namespace may): the --online tests (tests/online.rs) probe
  # listeners on 127.0.0.1, and nothing beyond the loopback is reachable
  # either way. Without `ip`, those tests say SKIPPED on stderr and pass.
  lo_up=':'
  if command -v ip >/dev/null; then
    lo_up='ip link set lo up'
  fi
  step "cargo test, without network but the loopback (${netns[*]})"
  "${netns[@]}" sh -c "$lo_up && exec cargo test --locked --offline --all-targets"
  step "CLI run on the sample docs, without network (${netns[*]})"
  status=0
  "${netns[@]}" cargo run --locked --offline -q -- --check examples/sample-docs >/dev/null || status=$?
  if [ "$status" != 1 ]; then
    echo "the sample docs gave exit $status; expected 1 (they have problems)" >&2
    exit 1
  fi
else
  echo "notice: no network namespace here (unshare -n and unshare -rn both failed);" \
    "the tests run with the network" >&2
  step "cargo test"
  cargo test --locked --all-targets
fi

# The debug binary the tests built.
target_dir=${CARGO_TARGET_DIR:-target}
case $target_dir in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
bin="$target_dir/debug/trueconf-lsp"

# Pull/push gating with real editors' client capabilities (reliability
# item 12), from pytest-lsp, in a virtual environment under the target
# folder. Installing needs the network; the test runs without it, as above.
step "pytest-lsp: pull/push gating with real editors' capabilities"
if ! command -v python3 >/dev/null; then
  apt_install python3 python3-venv
fi
venv="$target_dir/pytest-venv"
if [ ! -x "$venv/bin/python" ]; then
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv (ensurepip) separately.
    rm -rf "$venv"
    apt_install python3-venv
    python3 -m venv "$venv"
  fi
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check -r tests/pytest/requirements.txt
cargo build --locked -q
TRUECONF_LSP_BIN="$bin" ${netns[@]+"${netns[@]}"} "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/pytest

if [ -x editors/vscode/test.sh ]; then
  step "VS Code extension: build, unit tests, package"
  editors/vscode/test.sh
fi

if [ -x editors/nvim/test/run.sh ]; then
  step "Neovim: plugin and end-to-end test against the real server"
  cargo build --locked
  TRUECONF_LSP_BIN="$bin" editors/nvim/test/run.sh
fi

# Real Emacs (Debian's emacs-nox + elpa-eglot + elpa-markdown-mode) running the
# README's eglot snippet. Installing needs the network; the test does not.
if [ -x editors/emacs/test/run.sh ]; then
  step "Emacs + eglot: the README's configuration, end to end against the real server"
  cargo build --locked
  TRUECONF_LSP_BIN="$bin" editors/emacs/test/run.sh
fi

# VS Code itself: code-server with the built .vsix, in headless Chromium.
# Installs (Debian packages, code-server and puppeteer-core from npm) are cached
# under the target folder; the session runs in a network namespace when it can.
if [ -x editors/vscode/e2e/run.sh ]; then
  step "VS Code (code-server + Chromium): the extension, end to end against the real server"
  cargo build --locked
  TRUECONF_LSP_BIN="$bin" editors/vscode/e2e/run.sh
fi

step "packaging: pre-commit hooks, Python wheel, GitHub Action, cargo package"
# Outside the network namespace: pip installs pre-commit and maturin, and
# pre-commit installs the hook from this repository with pip.
bash scripts/test-packaging.sh

step "fuzz smoke: 30 s per target (scan, uri, fix, document)"
if ! command -v cargo-fuzz >/dev/null; then
  cargo install --locked cargo-fuzz@0.13.2 >/dev/null 2>&1
fi
fuzz_tmp=$(mktemp -d)
for target in scan uri fix document; do
  mkdir -p "$fuzz_tmp/$target" "fuzz/corpus/$target"
  # New inputs go to the temporary folder; the committed seeds stay as they are.
  if ! RUSTC_BOOTSTRAP=1 cargo fuzz run "$target" -s none "$fuzz_tmp/$target" "fuzz/corpus/$target" \
    -- -max_total_time=30 -timeout=5 -rss_limit_mb=2048 >"$fuzz_tmp/$target.log" 2>&1; then
    tail -n 60 "$fuzz_tmp/$target.log"
    echo "fuzz target $target failed" >&2
    exit 1
  fi
  grep -a -E '^Done [0-9]+ runs' "$fuzz_tmp/$target.log" | sed "s/^/$target: /"
done
rm -rf "$fuzz_tmp"

step "all tests passed"
