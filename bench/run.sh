#!/usr/bin/env bash
# Measures trueconf-lsp against ripgrep on the shared benchmark corpus, and
# the language server's latency on large documents. Prints a table.
#
#   bench/run.sh            # everything (about 3 minutes on 2 cores)
#   BENCH_8X=1 bench/run.sh # also the 8x corpus (16,000 files, 814 MB)
#   PAIRS=9 bench/run.sh    # more alternating pairs
#
# Needs: cargo, python3, rg (ripgrep). Uses ../shared/bench (beside the repo)
# or $SHARED_BENCH for make-corpus.py and lsp-latency.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SHARED=${SHARED_BENCH:-$ROOT/../shared/bench}
WORK=${BENCH_DIR:-${TMPDIR:-/tmp}/trueconf-lsp-bench}
PAIRS=${PAIRS:-5}
mkdir -p "$WORK"
command -v rg >/dev/null || { echo "bench/run.sh needs ripgrep (rg)" >&2; exit 2; }

cargo build --release --locked -q
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/trueconf-lsp

[ -d "$WORK/corpus" ] || python3 "$SHARED/make-corpus.py" "$WORK/corpus"
[ -d "$WORK/corpus-quarter" ] || python3 "$SHARED/make-corpus.py" "$WORK/corpus-quarter" --files 500
if [ -n "${BENCH_8X:-}" ] && [ ! -d "$WORK/corpus-8x" ]; then
  python3 "$SHARED/make-corpus.py" "$WORK/corpus-8x" --files 16000
fi
for kib in 1024 10240 2560; do
  [ -f "$WORK/doc-$kib.md" ] || python3 "$SHARED/make-corpus.py" "$WORK/doc-$kib.md" --single --kib "$kib"
done

# Median wall time of N alternating runs of two commands, after a warm-up.
python3 - "$BIN" "$WORK" "$PAIRS" <<'PY'
import os, statistics, subprocess, sys, tempfile, time
bin_, work, pairs = sys.argv[1], sys.argv[2], int(sys.argv[3])
# Output to a file, never /dev/null: ripgrep sees /dev/null and stops each
# file at its first match, which would time less than it does.
out = tempfile.NamedTemporaryFile(prefix="trueconf-lsp-bench-", delete=False)
out.close()
def timed(cmd):
    with open(out.name, "wb") as f:
        t = time.perf_counter()
        subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL, check=False)
        return time.perf_counter() - t
def compare(corpus):
    ours = [bin_, "--check", "--output-format", "json", "--exit-zero", corpus]
    rg = ["rg", "-c", "-i", "trueconf:|visicall:", corpus]
    timed(ours); timed(rg)
    a, b, ratios = [], [], []
    for _ in range(pairs):
        x, y = timed(ours), timed(rg)
        a.append(x); b.append(y); ratios.append(x / y)
    return statistics.median(a), statistics.median(b), statistics.median(ratios)
full = compare(f"{work}/corpus")
quarter = compare(f"{work}/corpus-quarter")
print(f"check corpus (2000 files, ~100 MB): trueconf-lsp {full[0]*1000:.0f} ms, rg {full[1]*1000:.0f} ms, ratio {full[2]:.2f}x (median of {pairs} pairs)")
print(f"check corpus (500 files):            trueconf-lsp {quarter[0]*1000:.0f} ms, rg {quarter[1]*1000:.0f} ms, ratio {quarter[2]:.2f}x")
print(f"linearity (4x input): {full[0]/quarter[0]:.2f}x time")
if os.environ.get("BENCH_8X"):
    eight = compare(f"{work}/corpus-8x")
    print(f"check corpus (16000 files, ~814 MB): trueconf-lsp {eight[0]*1000:.0f} ms, rg {eight[1]*1000:.0f} ms, ratio {eight[2]:.2f}x")
os.unlink(out.name)
PY

# Workspace diagnostics (LSP pull) over the corpus, against --check on it.
printf 'lsp workspace/diagnostic, 2000 files: '
python3 "$ROOT/bench/lsp-workspace.py" --server "$BIN" --folder "$WORK/corpus" -n "$PAIRS"

for kib in 1024 2560 10240; do
  printf 'lsp %5d KiB: ' "$kib"
  python3 "$SHARED/lsp-latency.py" --server "$BIN" --file "$WORK/doc-$kib.md" --edits 200
done

# Hover, completion and code actions on the 10 MiB document.
printf 'lsp requests, 10240 KiB: '
python3 "$ROOT/bench/lsp-requests.py" --server "$BIN" --file "$WORK/doc-10240.md" -n 200
