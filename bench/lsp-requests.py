#!/usr/bin/env python3
"""Latency of editor requests on one large document.

Starts the server over stdio, opens FILE (push diagnostics), waits for its
diagnostics, then times, each N times, one request at a time:

  hover       on a trueconf: link (cycling over the first links found);
  completion  right after an `&` inside a link;
  codeAction  over the range of a published diagnostic;
  codeActionAfterEdit
              the same, sent right after a didChange (a character added
              at the end of the document, or removed again), as an editor
              asks on every keystroke: the first request on each version;
  resolveFixAll
              (n/10 times, when the server sends fix-all without its edit)
              an edit, the code action, then `codeAction/resolve` of the
              fix-all action: what choosing "fix all" costs.

The client announces `codeAction/resolve` support for `edit`, as VS Code and
Neovim do; `--no-resolve` leaves it out (the server then computes fix-all
eagerly). Prints one line of JSON with p50/p95/max in ms per request kind,
and the open time. Stdlib only.

  lsp-requests.py --server BIN --file BIG.md [-n 200] [--timeout 30] [--no-resolve]
"""
import argparse
import json
import os
import queue
import re
import shlex
import subprocess
import sys
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
            self.inbox.put(json.loads(out.read(size)))

    def write(self, msg):
        msg["jsonrpc"] = "2.0"
        body = json.dumps(msg).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        self.proc.stdin.flush()

    def next(self, deadline):
        """The next message; server requests are answered with null."""
        while True:
            msg = self.inbox.get(timeout=max(0.001, deadline - time.monotonic()))
            if msg is None:
                raise RuntimeError("the server ended its output")
            if "id" in msg and "method" in msg:
                n = len(msg.get("params", {}).get("items", []))
                reply = [None] * n if msg["method"] == "workspace/configuration" else None
                self.write({"id": msg["id"], "result": reply})
                continue
            return msg

    def call(self, method, params, timeout):
        self.ids += 1
        rid = self.ids
        self.write({"id": rid, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while True:
            msg = self.next(deadline)
            if msg.get("id") == rid and "method" not in msg:
                if "error" in msg:
                    raise RuntimeError("%s: %s" % (method, msg["error"]))
                return msg.get("result")

    def notify(self, method, params):
        self.write({"method": method, "params": params})


def position(text, offset):
    """LSP position (UTF-16 columns) of a character offset."""
    line = text.count("\n", 0, offset)
    start = text.rfind("\n", 0, offset) + 1
    return {"line": line, "character": len(text[start:offset].encode("utf-16-le")) // 2}


def stats(samples):
    s = sorted(samples)
    pick = lambda p: round(s[min(len(s) - 1, int(p * len(s)))], 2)
    return {"p50_ms": pick(0.5), "p95_ms": pick(0.95), "max_ms": round(s[-1], 2), "n": len(s)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--server", required=True)
    ap.add_argument("--file", required=True)
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--language-id", default="markdown")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("--no-resolve", action="store_true",
                    help="do not announce codeAction/resolve support")
    a = ap.parse_args()

    text = open(a.file, encoding="utf-8").read()
    uri = "file://" + os.path.abspath(a.file)
    links = [m.start() for m in re.finditer(r"trueconf:", text)][:50]
    amps = [m.end() for m in re.finditer(r"trueconf:[^\s)\"'<>`]*?&", text)][:50]
    if not links or not amps:
        sys.exit("the document needs trueconf: links, some with `&`")

    srv = Server(shlex.split(a.server))
    caps = {"general": {"positionEncodings": ["utf-16"]},
            "textDocument": {"publishDiagnostics": {"versionSupport": True}},
            "workspace": {"workspaceEdit": {"documentChanges": True}}}
    if not a.no_resolve:
        caps["textDocument"]["codeAction"] = {
            "codeActionLiteralSupport": {"codeActionKind": {"valueSet": [
                "", "quickfix", "source", "source.fixAll"]}},
            "dataSupport": True,
            "resolveSupport": {"properties": ["edit"]}}
    srv.call("initialize", {"processId": os.getpid(), "rootUri": None, "capabilities": caps},
             a.timeout)
    srv.notify("initialized", {})
    sent = time.perf_counter()
    srv.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": a.language_id, "version": 1, "text": text}})
    deadline = time.monotonic() + a.timeout
    while True:
        msg = srv.next(deadline)
        if msg.get("method") == "textDocument/publishDiagnostics" and \
                msg["params"]["uri"] == uri:
            diagnostics = msg["params"]["diagnostics"]
            break
    open_ms = (time.perf_counter() - sent) * 1000
    if not diagnostics:
        sys.exit("the document has no diagnostics to ask code actions for")

    doc = {"uri": uri}
    kinds = {
        "hover": lambda i: ("textDocument/hover", {
            "textDocument": doc, "position": position(text, links[i % len(links)] + 3)}),
        "completion": lambda i: ("textDocument/completion", {
            "textDocument": doc, "position": position(text, amps[i % len(amps)])}),
        "codeAction": lambda i: ("textDocument/codeAction", {
            "textDocument": doc,
            "range": diagnostics[i % len(diagnostics)]["range"],
            "context": {"diagnostics": [diagnostics[i % len(diagnostics)]]}}),
    }
    report = {"open_ms": round(open_ms, 2), "diagnostics": len(diagnostics)}
    for name, make in kinds.items():
        samples, empty = [], 0
        for i in range(a.n):
            method, params = make(i)
            t = time.perf_counter()
            result = srv.call(method, params, a.timeout)
            samples.append((time.perf_counter() - t) * 1000)
            empty += not result
        report[name] = dict(stats(samples), empty=empty)

    # Edits at the end of the document: the diagnostics' ranges stay valid.
    end = position(text, len(text))
    after = {"line": end["line"], "character": end["character"] + 1}
    version = 1

    def edit():
        nonlocal version
        version += 1
        if version % 2 == 0:
            change = {"range": {"start": end, "end": end}, "text": "x"}
        else:
            change = {"range": {"start": end, "end": after}, "text": ""}
        srv.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [change]})

    samples, empty, resolve, lazy = [], 0, [], 0
    for i in range(a.n):
        edit()
        method, params = kinds["codeAction"](i)
        t = time.perf_counter()
        result = srv.call(method, params, a.timeout)
        samples.append((time.perf_counter() - t) * 1000)
        empty += not result
        fix_all = [x for x in result or [] if x.get("kind", "").startswith("source.fixAll")]
        lazy += any("edit" not in x for x in fix_all)
    report["codeActionAfterEdit"] = dict(stats(samples), empty=empty, fix_all_without_edit=lazy)
    for i in range(max(1, a.n // 10) if lazy else 0):
        edit()
        method, params = kinds["codeAction"](i)
        result = srv.call(method, params, a.timeout) or []
        fix_all = [x for x in result if x.get("kind", "").startswith("source.fixAll")]
        if not fix_all:
            continue
        t = time.perf_counter()
        resolved = srv.call("codeAction/resolve", fix_all[0], a.timeout)
        resolve.append((time.perf_counter() - t) * 1000)
        if "edit" not in resolved:
            sys.exit("codeAction/resolve gave no edit for the current version")
    if resolve:
        report["resolveFixAll"] = stats(resolve)

    try:
        srv.call("shutdown", None, 5)
        srv.notify("exit", None)
        srv.proc.wait(timeout=5)
    except Exception:
        srv.proc.kill()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
