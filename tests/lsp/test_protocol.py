"""`kqlint lsp` through pytest-lsp, with the client capabilities of real editors (VS Code and Neovim snapshots
shipped by pytest-lsp): hover and completion on the seed rule, in YAML positions."""

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as t
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from conftest import kqlint_path, seed_yaml

TIMEOUT = 20


@pytest_lsp.fixture(params=["visual-studio-code", "neovim"], config=ClientServerConfig(server_command=[kqlint_path(), "lsp"]))
async def client(request, lsp_client: LanguageClient):
    # The VS Code capabilities allow dynamic registration (the server registers its config-file watchers on
    # `initialized`); accept it as VS Code does, or pygls answers "method not found" and the error surfaces
    # in whichever request is in flight.
    @lsp_client.feature(t.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params):
        return None

    await asyncio.wait_for(lsp_client.initialize_session(t.InitializeParams(
        capabilities=client_capabilities(request.param),
        initialization_options={"configPath": None, "schemaDirs": []})), TIMEOUT)
    yield
    await asyncio.wait_for(lsp_client.shutdown_session(), TIMEOUT)


def open_doc(client: LanguageClient, path: Path, text: str, language: str) -> str:
    uri = path.as_uri()
    client.text_document_did_open(t.DidOpenTextDocumentParams(
        text_document=t.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)))
    return uri


def position_of(text: str, needle: str, after: int = 0) -> t.Position:
    """The LSP position (UTF-16) of `needle` plus `after` characters."""
    i = text.index(needle) + after
    line = text.count("\n", 0, i)
    col = i - (text.rfind("\n", 0, i) + 1)
    return t.Position(line=line, character=len(text[i - col:i].encode("utf-16-le")) // 2)


def items(result) -> list[t.CompletionItem]:
    return result.items if isinstance(result, t.CompletionList) else list(result or [])


async def complete(client: LanguageClient, uri: str, pos: t.Position) -> list[t.CompletionItem]:
    r = await asyncio.wait_for(client.text_document_completion_async(t.CompletionParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=pos)), TIMEOUT)
    return items(r)


async def hover(client: LanguageClient, uri: str, pos: t.Position) -> str:
    r = await asyncio.wait_for(client.text_document_hover_async(t.HoverParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=pos)), TIMEOUT)
    assert r is not None, f"no hover at {pos}"
    c = r.contents
    return c.value if isinstance(c, t.MarkupContent) else str(c)


async def test_hover_in_the_seed_rule(client: LanguageClient, tmp_path: Path):
    text = seed_yaml(0)
    uri = open_doc(client, tmp_path / "Network footprint.yaml", text, "yaml")
    table = await hover(client, uri, position_of(text, "\n  DeviceNetworkEvents", 5))
    assert "DeviceNetworkEvents" in table and "MicrosoftThreatProtection" in table, table
    column = await hover(client, uri, position_of(text, "RemoteUrl endswith", 3))
    assert "RemoteUrl" in column and "string" in column, column
    assert "ConnectionSuccess" in column, "which ActionTypes fill RemoteUrl"
    function_text = text.replace("| project Timestamp", "| extend n = strlen(RemoteUrl)\n  | project Timestamp")
    uri2 = open_doc(client, tmp_path / "with-function.yaml", function_text, "yaml")
    f = await hover(client, uri2, position_of(function_text, "strlen(", 2))
    assert "strlen(" in f and "long" in f, f
    # the `let` of the placeholder: go to its definition from its use
    d = await asyncio.wait_for(client.text_document_definition_async(t.DefinitionParams(
        text_document=t.TextDocumentIdentifier(uri=uri), position=position_of(text, "== IP or", 3))), TIMEOUT)
    loc = d if isinstance(d, t.Location) else d[0]
    assert loc.range.start == position_of(text, "let IP", 4)


async def test_completion_of_columns_after_where_and_of_action_types(client: LanguageClient, tmp_path: Path):
    text = seed_yaml(0).replace(
        "  | where (RemoteIP == IP", "  | where \n  | where (RemoteIP == IP")
    assert "| where \n" in text
    uri = open_doc(client, tmp_path / "r.yaml", text, "yaml")
    got = await complete(client, uri, position_of(text, "| where \n", 8))
    by_label = {i.label: i for i in got}
    for column in ["RemoteIP", "RemoteUrl", "RemotePort", "ActionType", "InitiatingProcessFileName", "Timestamp"]:
        assert column in by_label, f"{column} not offered: {sorted(by_label)[:20]}"
    assert by_label["RemotePort"].kind == t.CompletionItemKind.Field
    assert by_label["RemotePort"].detail == "int"

    text2 = text.replace("| where \n", '| where ActionType == "\n')
    uri2 = open_doc(client, tmp_path / "r2.yaml", text2, "yaml")
    got = await complete(client, uri2, position_of(text2, 'ActionType == "', 15))
    labels = [i.label for i in got]
    assert {"ConnectionSuccess", "ConnectionFailed", "InboundConnectionAccepted", "ListeningConnectionCreated"} <= set(labels), labels
    assert all(i.kind == t.CompletionItemKind.EnumMember for i in got)

    text3 = "DeviceNetworkEvents\n| "
    uri3 = open_doc(client, tmp_path / "q.kql", text3, "kql")
    ops = [i.label for i in await complete(client, uri3, t.Position(line=1, character=2))]
    assert "where" in ops and "summarize" in ops and "project" in ops
