#!/usr/bin/env bash
# End-to-end test of the VS Code extension in VS Code itself: code-server (the
# VS Code workbench served to a browser) with the extension's .vsix installed and
# `trueconf-lsp.path` set to the built server, driven in Debian's headless
# Chromium by puppeteer-core (e2e.cjs: squiggles, the Problems panel at the
# right UTF-16 columns, hover, a quick fix, completion). Screenshots are kept in
# <target>/vscode-e2e/*.png.
#
#   editors/vscode/e2e/run.sh
#
# Environment:
#   TRUECONF_LSP_BIN   server binary (default: <target>/debug/trueconf-lsp)
#   CARGO_TARGET_DIR   the target folder (default: <repo>/target); code-server,
#                      puppeteer-core and the .vsix are cached in <target>/vscode-e2e
#
# Installs what is missing, once (safe to run again): Debian packages (chromium,
# ripgrep, libkrb5-dev and a C++ toolchain for code-server's native modules) with
# apt-get as root or with sudo; code-server and puppeteer-core from npm. Needs
# Node.js 20 (code-server 4.100.x, the last line that runs on Node 20, refuses
# other versions). The network is used for those installs only: the session
# itself runs in a network namespace with only loopback when one can be made.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ext_dir="$(cd "$here/.." && pwd)"
repo_dir="$(cd "$ext_dir/../.." && pwd)"

die() {
  echo "vscode e2e: $*" >&2
  exit 1
}
say() { echo "vscode e2e: $*"; }

# ---- The session (run.sh re-runs itself with __session, maybe without network).
if [[ ${1:-} == __session ]]; then
  # shellcheck disable=SC2154 # exported by the outer run
  ws="$E2E_SCRATCH/workspace" user="$E2E_SCRATCH/user" exts="$E2E_SCRATCH/extensions"
  if [[ ${E2E_NETNS:-} == 1 ]]; then
    ip link set lo up || die "cannot bring loopback up in the network namespace"
  fi
  cs=(node "$E2E_CODE_SERVER/node_modules/code-server/out/node/entry.js")
  "${cs[@]}" --user-data-dir "$user" --extensions-dir "$exts" \
    --install-extension "$E2E_VSIX" >"$E2E_SCRATCH/install-extension.log" 2>&1 ||
    {
      cat "$E2E_SCRATCH/install-extension.log" >&2
      die "code-server --install-extension failed"
    }
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  # setsid: code-server and its children form one process group, ended by its id below.
  setsid "${cs[@]}" --auth none --bind-addr "127.0.0.1:$port" \
    --user-data-dir "$user" --extensions-dir "$exts" \
    --disable-telemetry --disable-update-check --disable-workspace-trust \
    --disable-getting-started-override "$ws" >"$E2E_SCRATCH/code-server.log" 2>&1 &
  cs_pid=$!
  trap 'kill -- -"$cs_pid" 2>/dev/null || true' EXIT
  for _ in $(seq 1 120); do
    if node -e 'require("http").get(process.argv[1],r=>process.exit(r.statusCode===200?0:1)).on("error",()=>process.exit(1))' \
      "http://127.0.0.1:$port/healthz"; then
      break
    fi
    kill -0 "$cs_pid" 2>/dev/null || {
      cat "$E2E_SCRATCH/code-server.log" >&2
      die "code-server exited"
    }
    sleep 0.5
  done
  E2E_URL="http://127.0.0.1:$port" E2E_WORKSPACE="$ws" timeout 600 node "$here/e2e.cjs"
  exit
fi

# ---- Installs (network).
target_dir="${CARGO_TARGET_DIR:-$repo_dir/target}"
case $target_dir in /*) ;; *) target_dir="$PWD/$target_dir" ;; esac
cache="$target_dir/vscode-e2e"
mkdir -p "$cache"

# shellcheck source=../../../scripts/apt-install.sh
. "$repo_dir/scripts/apt-install.sh"

missing=()
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
[[ -e /usr/include/gssapi/gssapi.h ]] || missing+=(libkrb5-dev) # code-server's kerberos module
if ((${#missing[@]} > 0)); then
  apt_install "${missing[@]}" || die "cannot install ${missing[*]}"
fi
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major == 20)) || die "code-server $CODE_SERVER_VERSION needs Node.js 20; this is $(node --version)"
# Native modules are built against the installed Node's headers, not downloaded ones.
nodedir=/usr
[[ -e /usr/include/node/node.h ]] || nodedir="$(dirname "$(dirname "$(command -v node)")")"
[[ -e $nodedir/include/node/node.h ]] || die "no Node.js headers (include/node/node.h) next to $(command -v node)"

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# code-server, once per version.
cs_dir="$cache/code-server-$CODE_SERVER_VERSION"
if [[ ! -e $cs_dir/.installed ]]; then
  say "installing code-server $CODE_SERVER_VERSION (npm) into $cs_dir"
  rm -rf "$cs_dir"
  mkdir -p "$cs_dir/tmp"
  # @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless its cache
  # ($TMPDIR/vscode-ripgrep-cache-<version>/ripgrep-<tag>-<target>.tar.gz) holds
  # it: put Debian's rg there, under the names the versions in code-server ask for.
  case "$(node -p process.arch)" in
    x64) rg_target=x86_64-unknown-linux-musl ;;
    arm64) rg_target=aarch64-unknown-linux-musl ;;
    *) die "no ripgrep target known for $(node -p process.arch)" ;;
  esac
  for rg_pkg in 1.15.11; do
    mkdir -p "$cs_dir/tmp/vscode-ripgrep-cache-$rg_pkg"
    tar czf "$cs_dir/tmp/vscode-ripgrep-cache-$rg_pkg/ripgrep-v13.0.0-10-$rg_target.tar.gz" -C "$(dirname "$(command -v rg)")" rg
  done
  # npm 11 rejects --unsafe-perm on the command line; code-server's postinstall
  # checks the environment variable. npx (node-pty's postinstall runs `npx
  # node-gyp`) asks before installing unless npm_config_yes is set, and there is
  # no TTY to answer it.
  if ! (cd "$cs_dir" && echo '{"private":true}' >package.json &&
    TMPDIR="$cs_dir/tmp" npm_config_unsafe_perm=true npm_config_yes=true npm_config_nodedir="$nodedir" \
      npm install --no-save --loglevel=error "code-server@$CODE_SERVER_VERSION" >"$cs_dir/install.log" 2>&1); then
    grep -v 'npm error npm error   ' "$cs_dir/install.log" | tail -n 40 >&2
    die "npm install code-server@$CODE_SERVER_VERSION failed (log: $cs_dir/install.log)"
  fi
  [[ -x $cs_dir/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/rg ]] ||
    die "code-server installed without ripgrep"
  touch "$cs_dir/.installed"
fi

# puppeteer-core, pinned by e2e/package-lock.json.
driver="$cache/driver"
if ! cmp -s "$here/package-lock.json" "$driver/package-lock.json" || [[ ! -d $driver/node_modules/puppeteer-core ]]; then
  say "installing puppeteer-core (npm) into $driver"
  rm -rf "$driver"
  mkdir -p "$driver"
  cp "$here/package.json" "$here/package-lock.json" "$driver/"
  (cd "$driver" && npm ci --loglevel=error >/dev/null) || die "npm ci (puppeteer-core) failed"
fi

# The extension's .vsix, without a server inside: the server is the one
# `trueconf-lsp.path` names.
say "packaging the extension"
[[ -d $ext_dir/node_modules ]] || (cd "$ext_dir" && npm ci --loglevel=error >/dev/null) || die "npm ci failed in $ext_dir"
vsix="$cache/trueconf-lsp.vsix"
(cd "$ext_dir" && npm run --silent package -- --out "$vsix" >/dev/null) || die "packaging the .vsix failed"

bin="${TRUECONF_LSP_BIN:-$target_dir/debug/trueconf-lsp}"
[[ -x $bin ]] || die "no server at $bin (build it with 'cargo build', or set TRUECONF_LSP_BIN)"
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

# ---- The workspace and settings.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
ws="$scratch/workspace"
mkdir -p "$ws" "$scratch/user/User" "$scratch/extensions"
secret=Sup3rSecret-e2e
printf 'ignore = ["TC015"]\nallowed-servers = ["video.example.com"]\n' >"$ws/trueconf-lsp.toml"
# Line 3: two emoji (two UTF-16 units each) and CJK before the links.
printf '# Rooms\n\nCall 🙂 我们的 🎉 [room](trueconf:login=alice&password=%s&force=1) or [old](visicall:bob@video.example.com)\n\ntrueconf:c4/join?confid=room&\n' \
  "$secret" >"$ws/doc.md"
# TC014 in <script> exists only when the file is checked as HTML.
printf '<!doctype html>\n<p>é 🙂 我们 <a href="trueconf:bob@video.example.com&amp;password=%s">x</a></p>\n<script>\n  const room = "trueconf:\\c\\737734033583";\n</script>\n' \
  "$secret" >"$ws/page.html"
cat >"$scratch/user/User/settings.json" <<EOF
{
  "trueconf-lsp.path": "$bin",
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.autoUpdate": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "chat.commandCenter.enabled": false,
  "editor.quickSuggestions": {"other": false, "comments": false, "strings": false},
  "editor.hover.delay": 100
}
EOF
status=0
expected="$(cd "$ws" && "$bin" --check --output-format json doc.md page.html)" || status=$?
((status == 1)) || die "trueconf-lsp --check on the test workspace exited $status (expected 1)"

shots="$cache"
rm -f "$shots"/*.png

netns=()
if unshare -n true 2>/dev/null && command -v ip >/dev/null 2>&1; then
  netns=(unshare -n)
  say "session without network (unshare -n, loopback only)"
else
  say "notice: no network namespace here; the session runs with the network"
fi
status=0
E2E_SCRATCH="$scratch" E2E_NETNS=$((${#netns[@]} > 0)) E2E_CODE_SERVER="$cs_dir" E2E_VSIX="$vsix" \
  E2E_DRIVER="$driver" E2E_SHOTS="$shots" E2E_CHROMIUM="$(command -v chromium)" E2E_SECRET="$secret" \
  E2E_EXPECTED="$expected" TRUECONF_LSP_BIN="$bin" \
  ${netns[@]+"${netns[@]}"} "$here/run.sh" __session || status=$?
if ((status != 0)); then
  if [[ -s $scratch/code-server.log ]]; then
    echo "vscode e2e: code-server's log:" >&2
    tail -n 40 "$scratch/code-server.log" | sed 's/^/  /' >&2
  fi
  die "FAILED (exit $status); screenshot: $(ls "$shots"/*.png 2>/dev/null | tr '\n' ' ')"
fi
say "all passed; screenshot: $shots/final.png"
