#!/usr/bin/env bash
# Installs, builds, unit-tests and packages the VS Code extension, then checks
# the .vsix. Safe to run again; needs Node.js >= 20 with npm, and the npm registry.
#
#   editors/vscode/test.sh
#
# The server binary bundled into the test package is $TRUECONF_LSP_BIN, else
# ../../target/debug/trueconf-lsp when it exists; without one the universal
# package (no server inside) is built and checked instead.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

die() {
  echo "vscode tests: $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || die "node is not installed (Node.js 20 or newer is needed)"
command -v npm >/dev/null 2>&1 || die "npm is not installed"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
((node_major >= 20)) || die "Node.js $(node --version) is too old; 20 or newer is needed"

export npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

echo "vscode tests: npm ci"
npm ci --loglevel=error >/dev/null

echo "vscode tests: build"
npm run --silent build

echo "vscode tests: unit tests"
npm test --silent

server="${TRUECONF_LSP_BIN:-$here/../../target/debug/trueconf-lsp}"
version="$(node -p 'require("./package.json").version')"
workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT
vsix="$workdir/trueconf-lsp.vsix"
if [[ -f $server ]]; then
  echo "vscode tests: package with server $server"
  npm run --silent package -- --server "$server" --out "$vsix"
  bundled=1
else
  echo "vscode tests: package without a server (none at $server)"
  npm run --silent package -- --out "$vsix"
  bundled=0
fi

# The .vsix is a zip: check that it holds the bundle, the manifest and the docs,
# no sources or node_modules, and an executable server when one was bundled.
python3 - "$vsix" "$bundled" "$version" <<'EOF'
import json, sys, zipfile

path, bundled, version = sys.argv[1], sys.argv[2] == "1", sys.argv[3]
z = zipfile.ZipFile(path)
names = set(z.namelist())
problems = []
for need in ["extension/package.json", "extension/dist/extension.js", "extension/readme.md",
             "extension/LICENSE.txt", "extension.vsixmanifest"]:
    if need not in names:
        problems.append(f"missing {need}")
for name in names:
    if name.startswith(("extension/node_modules/", "extension/src/", "extension/out/")) or name.endswith(".map"):
        problems.append(f"should not be packaged: {name}")
manifest = json.loads(z.read("extension/package.json"))
if manifest.get("version") != version or manifest.get("main") != "./dist/extension.js":
    problems.append("packaged package.json does not match")
server = "extension/bundled/trueconf-lsp"
if bundled:
    if server not in names:
        problems.append(f"missing {server}")
    elif (z.getinfo(server).external_attr >> 16) & 0o111 != 0o111:
        problems.append(f"{server} is not executable in the archive")
    if 'TargetPlatform="' not in z.read("extension.vsixmanifest").decode():
        problems.append("a package with a server must name its target platform")
elif any(n.startswith("extension/bundled/") for n in names):
    problems.append("unexpected bundled/ content")
if problems:
    print("vscode tests: bad .vsix:\n  " + "\n  ".join(problems), file=sys.stderr)
    sys.exit(1)
print(f"vscode tests: .vsix ok ({len(names)} files, server {'bundled' if bundled else 'not bundled'})")
EOF
echo "vscode tests: all passed"
