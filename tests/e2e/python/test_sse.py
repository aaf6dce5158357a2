"""Legacy SSE (`GET /sse` + `POST /messages`) with the official SDK's SSE client, both on
`--transport sse` (at /sse and /mcp) and at /sse beside `/mcp` on `--transport streamable-http`."""

from __future__ import annotations

import pytest

from conftest import sse_factory
from results import payload, records

pytestmark = pytest.mark.anyio


# (server fixture, path): `--transport sse` serves the stream at /sse and, like the Python
# server, at its MCP path /mcp; streamable HTTP keeps /sse beside /mcp for old clients.
ENDPOINTS = {
    "sse-transport-/sse": ("sse_server", "/sse"),
    "sse-transport-/mcp": ("sse_server", "/mcp"),
    "streamable-http-transport-/sse": ("http_server", "/sse"),
}


@pytest.fixture(params=sorted(ENDPOINTS))
def sse_url(request: pytest.FixtureRequest) -> str:
    fixture, path = ENDPOINTS[request.param]
    return f"{request.getfixturevalue(fixture).base_url}{path}"


async def test_sse_initialize_list_and_call(sse_url):
    async with sse_factory(sse_url)() as client:
        assert client.server_info is not None and client.server_info.name
        assert client.server_capabilities.tools is not None
        listed = await client.list_tools()
        names = {t.name for t in listed.tools}
        assert "zia_list_rule_labels" in names
        result = await client.call_tool("zia_list_rule_labels", {})
    labels = records(payload(result))
    assert labels and all(label.get("name") for label in labels), labels
