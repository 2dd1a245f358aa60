"""Pull/push gating with the client capabilities of real editors
(reliability.md §8 item 12).

pytest-lsp ships the capabilities that real editors sent in `initialize`.
The server under test is the real binary: $TRUECONF_LSP_BIN, or
target/debug/trueconf-lsp under $CARGO_TARGET_DIR or the repository.

- A client that advertises `textDocument.diagnostic` pulls: the server
  advertises `diagnosticProvider`, answers `textDocument/diagnostic` with
  the findings, and sends no `textDocument/publishDiagnostics` at all.
- A client without it gets pushes only, each stamped with the version of
  the document that was linted, and no `diagnosticProvider`.

Among the bundled sets, Neovim 0.10 and 0.11 pull; VS Code 1.65.2, Neovim
0.9.1 and Emacs 29.1 do not. No bundled VS Code set pulls, so one pull case
is VS Code 1.65.2 with `textDocument.diagnostic` added, and one push case is
Neovim 0.11 with it removed: the same editor on both sides of the gate.
"""

from __future__ import annotations

import asyncio
import copy
import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

REPO = pathlib.Path(__file__).resolve().parents[2]
# Seconds any one answer may take.
TIMEOUT = 10


def server_binary() -> str:
    if "TRUECONF_LSP_BIN" in os.environ:
        return os.environ["TRUECONF_LSP_BIN"]
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    if not target.is_absolute():
        target = REPO / target
    return str(target / "debug" / "trueconf-lsp")


def make_client() -> LanguageClient:
    """pytest-lsp's client, also recording every publish with its version,
    and accepting dynamic registrations (VS Code and Emacs advertise them,
    and the server registers for them), as those editors do."""
    client = LanguageClient()
    client.published = []

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams):
        client.published.append(params)
        client.diagnostics[params.uri] = params.diagnostics

    def register(client: LanguageClient, params: types.RegistrationParams):
        return None

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            types.CLIENT_REGISTER_CAPABILITY: register,
        },
    )
    return client


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[server_binary()],
        client_factory=make_client,
        server_env={**os.environ, "TRUECONF_LOG": "warn"},
    )
)
async def client(lsp_client: LanguageClient):
    yield
    try:
        await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)
    finally:
        # pytest-lsp's stop() waits for the server; never let it hang.
        server = lsp_client._server
        if server is not None and server.returncode is None:
            server.kill()


def with_pull(spec: str) -> types.ClientCapabilities:
    caps = copy.deepcopy(pytest_lsp.client_capabilities(spec))
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(
        dynamic_registration=False
    )
    return caps


def without_pull(spec: str) -> types.ClientCapabilities:
    caps = copy.deepcopy(pytest_lsp.client_capabilities(spec))
    assert caps.text_document.diagnostic is not None, f"{spec} does not pull"
    caps.text_document.diagnostic = None
    return caps


def bundled(spec: str, pulls: bool) -> types.ClientCapabilities:
    caps = pytest_lsp.client_capabilities(spec)
    assert (caps.text_document.diagnostic is not None) == pulls, spec
    return caps


PULL = {
    "neovim@v0.11.0": lambda: bundled("neovim@v0.11.0", True),
    "neovim@v0.10.0": lambda: bundled("neovim@v0.10.0", True),
    "visual_studio_code@v1.65.2+diagnostic": lambda: with_pull(
        "visual_studio_code@v1.65.2"
    ),
}
PUSH = {
    "visual_studio_code@v1.65.2": lambda: bundled("visual_studio_code@v1.65.2", False),
    "neovim@v0.9.1": lambda: bundled("neovim@v0.9.1", False),
    "emacs@v29.1": lambda: bundled("emacs@v29.1", False),
    "neovim@v0.11.0-diagnostic": lambda: without_pull("neovim@v0.11.0"),
}

URI = (REPO / "target" / "pytest-doc.md").as_uri()
# TC001 (deprecated scheme) on line 1; after the edit, also on line 2.
TEXT_V1 = "Call [bob](visicall:bob@video.example.com).\n"
TEXT_V2 = TEXT_V1 + "Or ann: visicall:ann@video.example.com\n"


async def start(client: LanguageClient, caps: types.ClientCapabilities):
    result = await asyncio.wait_for(client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            root_uri=REPO.as_uri(),
            workspace_folders=[types.WorkspaceFolder(uri=REPO.as_uri(), name="repo")],
        )
    ), TIMEOUT)
    return result.capabilities


def open_doc(client: LanguageClient):
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=URI, language_id="markdown", version=1, text=TEXT_V1
            )
        )
    )


def edit_doc(client: LanguageClient):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=URI, version=2),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=TEXT_V2)],
        )
    )


def findings(diagnostics) -> list[tuple[int, str]]:
    return sorted((d.range.start.line, str(d.code)) for d in diagnostics)


async def pull(client: LanguageClient):
    report = await asyncio.wait_for(
        client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=URI)
            )
        ),
        TIMEOUT,
    )
    return findings(report.items)


@pytest.mark.parametrize("spec", list(PULL))
async def test_a_pull_client_gets_a_provider_and_no_publish(
    client: LanguageClient, spec
):
    server = await start(client, PULL[spec]())
    assert server.diagnostic_provider is not None

    open_doc(client)
    assert await pull(client) == [(0, "TC001")]
    edit_doc(client)
    assert await pull(client) == [(0, "TC001"), (1, "TC001")]
    # Linting is not debounced; any publish would follow the lint at once.
    await asyncio.sleep(1.0)
    assert client.published == []


async def wait_for_publish(client: LanguageClient, version: int):
    for _ in range(TIMEOUT * 20):
        for p in client.published:
            if p.version == version:
                return p
        await asyncio.sleep(0.05)
    raise AssertionError(f"no publish for version {version}: {client.published}")


@pytest.mark.parametrize("spec", list(PUSH))
async def test_a_push_client_gets_versioned_publishes_and_no_provider(
    client: LanguageClient, spec
):
    server = await start(client, PUSH[spec]())
    assert server.diagnostic_provider is None

    open_doc(client)
    first = await wait_for_publish(client, 1)
    assert first.uri == URI
    assert findings(first.diagnostics) == [(0, "TC001")]
    edit_doc(client)
    second = await wait_for_publish(client, 2)
    assert findings(second.diagnostics) == [(0, "TC001"), (1, "TC001")]
    # Every publish is for this document and carries a version it had.
    assert all(p.uri == URI and p.version in (1, 2) for p in client.published)
