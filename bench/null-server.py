#!/usr/bin/env python3
"""A language server that does no work: the floor a latency driver measures.

Answers `initialize` (incremental sync) and `shutdown`, and after each
`didOpen`/`didChange` publishes, for that version, NDIAG diagnostics
(default 0) serialized once beforehand (only the version is written per
publish). Run the latency drivers against it to see what the client and the
pipe cost alone, e.g. with the 397 diagnostics of the 10 MiB document:

  NDIAG=397 python3 ../shared/bench/lsp-latency.py \\
      --server 'python3 bench/null-server.py' --file doc-10240.md --edits 500

Stdlib only.
"""
import json
import os
import re
import sys

N = int(os.environ.get("NDIAG", "0"))
DIAGS = [{"range": {"start": {"line": 138 + i, "character": 37},
                    "end": {"line": 138 + i, "character": 82}},
          "severity": 1, "code": "TC002", "source": "trueconf-lsp",
          "message": "password is sent without encrypt=1"} for i in range(N)]


def main():
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    template = None

    def send(body):
        out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        out.flush()

    def reply(msg, result):
        send(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}).encode())

    while True:
        length = None
        while True:
            line = inp.readline()
            if not line:
                return 0
            line = line.strip()
            if not line:
                break
            key, _, value = line.partition(b":")
            if key.lower() == b"content-length":
                length = int(value)
        body = inp.read(length)
        head = body[:300]
        if b'"initialize"' in head:
            reply(json.loads(body), {"capabilities": {"textDocumentSync": 2}})
        elif b'"shutdown"' in head:
            reply(json.loads(body), None)
        elif b'"exit"' in head:
            return 0
        elif b"didOpen" in head or b"didChange" in head:
            uri = re.search(rb'"uri": ?"([^"]*)"', head).group(1).decode()
            version = re.search(rb'"version": ?(\d+)', body[:2000]).group(1)
            if template is None:
                template = json.dumps(
                    {"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics",
                     "params": {"uri": uri, "version": 999999999, "diagnostics": DIAGS}},
                    separators=(",", ":")).encode()
            send(template.replace(b"999999999", version))


if __name__ == "__main__":
    sys.exit(main())
