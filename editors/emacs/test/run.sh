#!/usr/bin/env bash
# End-to-end test of the eglot configuration in editors/README.md, in real
# Emacs (batch) against the real server: test/e2e.el evaluates the README's
# "Emacs (eglot)" snippets as written, opens a Markdown and an HTML file in one
# session and checks diagnostics (at the CLI's positions), hover, a quick fix,
# completion and the README's fix-all command.
#
#   editors/emacs/test/run.sh
#
# Environment:
#   TRUECONF_LSP_BIN   server binary (default: <repo>/target/debug/trueconf-lsp)
#
# Needs Emacs 28+ with eglot and markdown-mode; when any is missing, installs
# Debian's emacs-nox, elpa-eglot and elpa-markdown-mode with apt-get (as root,
# or with sudo). Safe to run again.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$here/../../.." && pwd)"

die() {
  echo "emacs tests: $*" >&2
  exit 1
}

packages=(emacs-nox elpa-eglot elpa-markdown-mode)

# True when `emacs` runs and finds eglot and markdown-mode (Debian's elpa-*
# packages are activated by package-initialize).
emacs_ready() {
  command -v emacs >/dev/null 2>&1 &&
    emacs --batch --eval '(progn (package-initialize) (require (quote eglot)) (require (quote markdown-mode)))' \
      >/dev/null 2>&1
}

if ! emacs_ready; then
  # shellcheck source=../../../scripts/apt-install.sh
  . "$repo_dir/scripts/apt-install.sh"
  apt_install "${packages[@]}" || die "Emacs with eglot and markdown-mode is missing: install ${packages[*]}"
  emacs_ready || die "after installing ${packages[*]}, emacs still cannot load eglot and markdown-mode"
fi

bin="${TRUECONF_LSP_BIN:-$repo_dir/target/debug/trueconf-lsp}"
[[ -x $bin ]] || die "no server at $bin (build it with 'cargo build', or set TRUECONF_LSP_BIN)"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

echo "emacs tests: $(emacs --version | head -n 1)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
# HOME is a scratch folder so a user's init files and eglot state stay out.
TRUECONF_LSP_BIN="$bin" HOME="$scratch" timeout 300 \
  emacs --batch -l "$here/e2e.el" </dev/null >"$scratch/log" 2>&1 || status=$?
if ((status == 0)); then
  grep -v -e '^\[eglot\]' -e '^\[jsonrpc\]' -e '^Loading ' "$scratch/log" | sed 's/^/  /'
else
  sed 's/^/  /' "$scratch/log"
  ((status == 124)) && die "timed out after 300 s"
  die "FAILED (exit $status); Emacs's output is above"
fi
echo "emacs tests: all passed"
