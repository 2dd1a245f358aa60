#!/usr/bin/env python3
"""`--check` of one or more builds against ripgrep and the read floor.

  vs-rg.py PAIRS CORPUS BIN [BIN2 ...]    (FMTS="json concise" by default)

Each round runs, in turn: `rg -c -i 'trueconf:|visicall:' CORPUS` (the
yardstick), `rg -c -F` of an absent literal (reading every byte, matching
nothing: the read floor), then each BIN as
`--check --output-format FMT --exit-zero CORPUS` for each FMT. Every
program's output goes to a temporary file, never /dev/null (ripgrep stops
each file at its first match when its output is /dev/null). One warm-up
round, then PAIRS rounds; prints per command the median and minimum wall
time and the median of its per-round ratios to the yardstick. Stdlib only.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    pairs, corpus, bins = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    out = tempfile.NamedTemporaryFile(prefix="vs-rg-", delete=False)
    out.close()

    def timed(cmd):
        with open(out.name, "wb") as f:
            t = time.perf_counter()
            subprocess.run(cmd, stdout=f, stderr=subprocess.DEVNULL, check=False)
            return time.perf_counter() - t

    cmds = {
        "rg -c -i": ["rg", "-c", "-i", "trueconf:|visicall:", corpus],
        "read floor": ["rg", "-c", "-F", "zzqqabsentliteral", corpus],
    }
    for i, b in enumerate(bins):
        for fmt in os.environ.get("FMTS", "json concise").split():
            cmds[f"bin{i} {fmt}"] = [b, "--check", "--output-format", fmt, "--exit-zero", corpus]
    try:
        for c in cmds.values():
            timed(c)
        times = {k: [] for k in cmds}
        for _ in range(pairs):
            for k, c in cmds.items():
                times[k].append(timed(c))
    finally:
        os.unlink(out.name)
    rg = times["rg -c -i"]
    for k, v in times.items():
        ratio = statistics.median([a / b for a, b in zip(v, rg)])
        print(f"{k:14s} median {statistics.median(v) * 1000:7.0f} ms  "
              f"min {min(v) * 1000:7.0f} ms  ratio to rg {ratio:.2f}x")


if __name__ == "__main__":
    main()
