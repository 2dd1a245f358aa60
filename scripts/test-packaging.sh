#!/usr/bin/env bash
# Packaging tests: the pre-commit hooks (the real pre-commit from PyPI:
# validate-manifest, then `try-repo` on a sample repository), the Python
# wheel (maturin, `bindings = "bin"`) installed in a fresh virtual
# environment, and the composite GitHub Action run locally
# (scripts/run-action.py). Installs pre-commit and maturin with pip in a
# virtual environment under the target folder (idempotent); only the pip
# installs use the network. The release builds share the target folder
# (CARGO_TARGET_DIR), so the dependencies are compiled once.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

step() { printf '\n==> %s\n' "$*"; }
fail() {
  echo "test-packaging: $*" >&2
  exit 1
}

target_dir=${CARGO_TARGET_DIR:-target}
case $target_dir in /*) ;; *) target_dir="$repo/$target_dir" ;; esac
export CARGO_TARGET_DIR=$target_dir
out="$target_dir/packaging"
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)

step "packaging: pre-commit and maturin in $out/venv"
venv="$out/venv"
if [ ! -x "$venv/bin/python" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install -q --disable-pip-version-check pre-commit==4.7.0 maturin==1.16.0
"$venv/bin/pre-commit" --version
"$venv/bin/maturin" --version

step "packaging: pre-commit validate-manifest .pre-commit-hooks.yaml"
"$venv/bin/pre-commit" validate-manifest .pre-commit-hooks.yaml

step "packaging: the wheel (maturin build --release), installed in a fresh venv"
rm -rf "$out/wheels" "$out/wheel-venv"
"$venv/bin/maturin" build --release --locked -o "$out/wheels" 2>&1 | tail -n 3
wheels=("$out"/wheels/trueconf_lsp-"$version"-*.whl)
[ ${#wheels[@]} = 1 ] && [ -f "${wheels[0]}" ] || fail "expected one wheel of $version in $out/wheels"
python3 -m venv "$out/wheel-venv"
# The wheel has no dependencies: no index needed.
"$out/wheel-venv/bin/python" -m pip install -q --disable-pip-version-check --no-index "${wheels[0]}"
[ -x "$out/wheel-venv/bin/trueconf-lsp" ] || fail "the wheel put no trueconf-lsp in the venv's bin"
got=$(env PATH="$out/wheel-venv/bin:/usr/bin:/bin" trueconf-lsp --version)
[ "$got" = "trueconf-lsp $version" ] || fail "trueconf-lsp --version from the wheel printed '$got'"
echo "$got"
status=0
env PATH="$out/wheel-venv/bin:/usr/bin:/bin" trueconf-lsp --check examples/sample-docs >"$work/wheel-check.txt" || status=$?
[ "$status" = 1 ] || fail "the wheel's --check examples/sample-docs exited $status; expected 1"
tail -n 1 "$work/wheel-check.txt"

# A small git repository: docs/guide.md, clean or with a broken link.
sample_repo() { # DIR broken|clean
  mkdir -p "$1/docs"
  git -C "$1" init -q
  {
    echo '# Guide'
    echo
    echo 'Join the team call: [join](trueconf:team@video.example.org&encrypt=1).'
    if [ "$2" = broken ]; then
      echo
      echo 'Old link: [call](visicall:bob@video.example.org&login=qa&password=Hunter2xQ).'
    fi
  } >"$1/docs/guide.md"
  git -C "$1" add docs/guide.md
  git -C "$1" -c user.name=test -c user.email=test@localhost commit -q -m sample
}

step "packaging: pre-commit try-repo (the hook installs this repository with pip)"
if [ -n "$(git status --porcelain -- .pre-commit-hooks.yaml pyproject.toml Cargo.toml Cargo.lock src)" ]; then
  echo "note: try-repo takes tracked files with their uncommitted changes, not new untracked files" >&2
fi
export PRE_COMMIT_HOME="$out/pre-commit-home"
for case in broken clean; do
  sample_repo "$work/$case" "$case"
  status=0
  (cd "$work/$case" && "$venv/bin/pre-commit" try-repo "$repo" trueconf-lsp --all-files --verbose) \
    >"$work/try-repo-$case.txt" 2>&1 || status=$?
  if grep -q Hunter2xQ "$work/try-repo-$case.txt"; then
    fail "try-repo ($case): the password appears in the hook's output"
  fi
  want=0
  [ "$case" = broken ] && want=1
  if [ "$status" != "$want" ]; then
    cat "$work/try-repo-$case.txt"
    fail "try-repo on the $case sample exited $status; expected $want"
  fi
  if [ "$case" = broken ]; then
    grep -q 'docs/guide.md:5:.*TC001' "$work/try-repo-$case.txt" ||
      { cat "$work/try-repo-$case.txt"; fail "try-repo (broken): no TC001 at docs/guide.md:5"; }
  fi
  grep -E '^trueconf-lsp\.+(Passed|Failed)' "$work/try-repo-$case.txt" | sed "s/^/$case: /"
done

step "packaging: action.yml run locally (scripts/run-action.py)"
for case in broken clean; do
  mkdir -p "$work/ws-$case"
  sample_repo "$work/ws-$case" "$case"
  status=0
  "$venv/bin/python" scripts/run-action.py "$repo" "$work/ws-$case" "$work/action-$case.json" \
    install=cargo paths=docs sarif-file=trueconf-lsp.sarif >"$work/action-$case.out" 2>"$work/action-$case.err" || status=$?
  want=0
  [ "$case" = broken ] && want=1
  if [ "$status" != "$want" ]; then
    cat "$work/action-$case.out" "$work/action-$case.err"
    fail "action.yml on the $case sample exited $status; expected $want"
  fi
  "$venv/bin/python" - "$case" "$work/action-$case.json" "$work/ws-$case/trueconf-lsp.sarif" "$version" <<'PY'
import json, sys
case, result_file, sarif_file, version = sys.argv[1:]
result = json.load(open(result_file))
steps = result["steps"]
assert [s["exit"] for s in steps] == [0, 1 if case == "broken" else 0], steps
check = steps[1]["stdout"].splitlines()
assert check[0] == f"trueconf-lsp {version}", check
annotations = check[1:]
assert all(l.startswith(("::error ", "::warning ", "::notice ")) for l in annotations), annotations
assert result["outputs"] == {"exit-code": "1" if case == "broken" else "0"}, result["outputs"]
sarif = json.load(open(sarif_file))
assert sarif["version"] == "2.1.0", sarif["version"]
results = sarif["runs"][0]["results"]
if case == "broken":
    assert any(l.startswith("::") and "file=docs/guide.md,line=5," in l and "TC001" in l for l in annotations), annotations
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"docs/guide.md"}, uris
    assert any(r["ruleId"] == "TC001" for r in results), results
else:
    assert annotations == [] and results == [], (annotations, results)
summary = result["summary"]
assert summary.startswith("### trueconf-lsp\n```text\n"), summary
everything = json.dumps(result) + json.dumps(sarif)
assert "Hunter2xQ" not in everything, "password in the action's output"
print(f"{case}: exit-code {result['outputs']['exit-code']}, {len(annotations)} annotations, {len(results)} SARIF results")
PY
done
status=0
"$venv/bin/python" scripts/run-action.py "$repo" "$work/ws-clean" "$work/action-bad.json" install=brew \
  >"$work/action-bad.out" 2>&1 || status=$?
[ "$status" = 2 ] && grep -q '^::error title=trueconf-lsp::install must be' "$work/action-bad.out" ||
  fail "action.yml with install=brew: exit $status, expected 2 and an error annotation"

step "packaging: cargo package --list ships only the crate's files"
cargo package --list --locked --allow-dirty 2>/dev/null >"$work/package-list.txt"
if grep -v -E '^(src/.*\.rs|Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|README\.md|LICENSE-MIT|LICENSE-APACHE|\.cargo_vcs_info\.json)$' "$work/package-list.txt"; then
  fail "cargo package would ship the files above"
fi
echo "$(wc -l <"$work/package-list.txt") files"
