#!/usr/bin/env python3
"""Workspace diagnostics (LSP pull) against `--check` on the same folder.

Starts the server over stdio with FOLDER as its only workspace folder, the
client announcing pull diagnostics, and times `workspace/diagnostic`
requests, one at a time, each with the previous answer's result IDs as an
editor sends them, until the answer's last byte is read (the client's
parse of it is not timed). Alternates each request with a run of

  BIN --check --output-format json --exit-zero FOLDER

whose output goes to a temporary file (not /dev/null), after one warm-up of
each. Prints one line of JSON: the medians in ms, the median of the
per-pair ratios, the number of reports and of diagnostics in the last
answer, its size in bytes, and the server's peak RSS. Stdlib only.

  lsp-workspace.py --server BIN --folder CORPUS [-n 5] [--timeout 120] [--save FILE]
"""
import argparse
import json
import os
import queue
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time


class Server:
    """Content-Length framed JSON-RPC over the child's stdio."""

    def __init__(self, cmd):
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox = queue.Queue()
        self.ids = 0
        threading.Thread(target=self._reader, daemon=True).start()

    def _reader(self):
        out = self.proc.stdout
        while True:
            size = None
            while True:
                header = out.readline()
                if not header:
                    self.inbox.put(None)
                    return
                header = header.strip()
                if not header:
                    break
                name, _, value = header.partition(b":")
                if name.strip().lower() == b"content-length":
                    size = int(value)
            body = out.read(size)
            # When the answer was in, before the client's parse of it.
            self.inbox.put((time.perf_counter(), len(body), json.loads(body)))

    def write(self, msg):
        msg["jsonrpc"] = "2.0"
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def call(self, method, params, timeout):
        """The result of a request; the server's own requests are answered
        with null (one null per item for `workspace/configuration`).
        `self.received`: when the answer's last byte was read."""
        self.ids += 1
        rid = self.ids
        self.write({"id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            got = self.inbox.get(timeout=max(0.001, deadline - time.monotonic()))
            if got is None:
                raise RuntimeError("the server ended its output")
            self.received, self.size, msg = got
            if "id" in msg and "method" in msg:
                n = len(msg.get("params", {}).get("items", []))
                reply = [None] * n if msg["method"] == "workspace/configuration" else None
                self.write({"id": msg["id"], "result": reply})
            elif msg.get("id") == rid:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result")

    def notify(self, method, params):
        self.write({"method": method, "params": params})


def peak_rss_mib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True, help="the trueconf-lsp binary")
    ap.add_argument("--folder", required=True)
    ap.add_argument("-n", type=int, default=5, help="alternating pairs")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--save", help="write the last answer here (to compare two builds)")
    a = ap.parse_args()

    folder = os.path.abspath(a.folder)
    uri = "file://" + folder
    binary = shlex.split(a.server)
    srv = Server(binary)
    caps = {"general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"diagnostic": {"dynamicRegistration": False}},
            "workspace": {"diagnostics": {"refreshSupport": False},
                          "workspaceFolders": True}}
    srv.call("initialize", {"processId": os.getpid(), "rootUri": uri,
                            "workspaceFolders": [{"uri": uri, "name": "bench"}],
                            "capabilities": caps}, a.timeout)
    srv.notify("initialized", {})

    previous = []
    answer = {}

    def pull():
        nonlocal previous, answer
        t = time.perf_counter()
        answer = srv.call("workspace/diagnostic",
                          {"previousResultIds": previous}, a.timeout)
        elapsed = srv.received - t
        previous = [{"uri": i["uri"], "value": i["resultId"]}
                    for i in answer["items"] if i.get("resultId")]
        return elapsed

    out = tempfile.NamedTemporaryFile(prefix="lsp-workspace-", delete=False)
    out.close()
    check = binary + ["--check", "--output-format", "json", "--exit-zero", folder]

    def run_check():
        with open(out.name, "wb") as f:
            t = time.perf_counter()
            subprocess.run(check, stdout=f, stderr=subprocess.DEVNULL, check=False)
            return time.perf_counter() - t

    try:
        pull(), run_check()
        ws, cli, ratios = [], [], []
        for _ in range(a.n):
            x, y = pull(), run_check()
            ws.append(x)
            cli.append(y)
            ratios.append(x / y)
    finally:
        os.unlink(out.name)
    items = answer.get("items", [])
    if a.save:
        with open(a.save, "w") as f:
            json.dump(answer, f, indent=1, sort_keys=True)
    report = {
        "workspace_diagnostic_ms": round(statistics.median(ws) * 1000, 1),
        "check_json_ms": round(statistics.median(cli) * 1000, 1),
        "ratio": round(statistics.median(ratios), 2),
        "pairs": a.n,
        "reports": len(items),
        "diagnostics": sum(len(i.get("items", [])) for i in items),
        "answer_bytes": srv.size,
        "peak_rss_mib": peak_rss_mib(srv.proc.pid),
    }
    try:
        srv.call("shutdown", None, a.timeout)
        srv.notify("exit", None)
        srv.proc.wait(timeout=10)
    except Exception:  # noqa: BLE001 - the numbers are already measured
        srv.proc.kill()
    print(json.dumps(report))


if __name__ == "__main__":
    sys.exit(main())
