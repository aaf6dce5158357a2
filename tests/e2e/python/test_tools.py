"""The official MCP Python SDK, as a real client, against `zscaler-mcp --demo`.

Every test runs over stdio and streamable HTTP, each with the initialize handshake
("legacy") and with the SDK's default negotiation ("auto"). Assertions are on what the
demo tenant returns, not only on the result being a success.
"""

from __future__ import annotations

import pytest
from mcp import MCPError
from mcp.types import Tool

from results import all_text, assert_readable_error, payload, records

pytestmark = pytest.mark.anyio

MIN_TOOLS = 40
NAMED_TOOLS = {
    "zia_list_rule_labels",
    "zpa_list_segment_groups",
    "zdx_list_devices",
    "zia_url_lookup",
    "zia_get_activation_status",
    "zins_get_web_traffic_by_location",
}


async def list_all_tools(client) -> list[Tool]:
    tools, cursor = [], None
    while True:
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if not cursor:
            return tools


async def test_connect_negotiates_a_version_and_advertises_tools(connect):
    async with connect() as client:
        assert client.protocol_version == connect.expected_version, (
            f"negotiated {client.protocol_version}, expected {connect.expected_version}"
        )
        assert client.server_capabilities.tools is not None, "server does not advertise the tools capability"
        if client.session.initialize_result is not None:  # the handshake era always names the server
            assert client.server_info is not None and client.server_info.name


async def test_tools_list_has_the_catalog_with_schemas_and_annotations(connect):
    async with connect() as client:
        tools = await list_all_tools(client)
    names = [t.name for t in tools]
    assert len(tools) >= MIN_TOOLS, f"only {len(tools)} tools listed"
    assert len(names) == len(set(names)), "duplicate tool names"
    assert NAMED_TOOLS <= set(names), f"missing: {sorted(NAMED_TOOLS - set(names))}"
    for tool in tools:
        assert isinstance(tool.input_schema, dict), tool.name
        assert tool.input_schema.get("type") == "object", f"{tool.name}: inputSchema type is {tool.input_schema.get('type')!r}"
        assert tool.annotations is not None, f"{tool.name} has no annotations"
        assert tool.description, f"{tool.name} has no description"
    # Read-only by default: without --enable-write-tools and an allowlist no write tool is listed.
    writes = [t.name for t in tools if t.annotations.read_only_hint is not True]
    assert not writes, f"write tools listed by default: {writes}"


async def test_zpa_segment_groups_are_records_with_id_and_name(connect):
    async with connect() as client:
        result = await client.call_tool("zpa_list_segment_groups", {})
    groups = records(payload(result))
    assert groups, "the demo tenant has segment groups, the tool returned none"
    for group in groups:
        assert group.get("id"), f"segment group without id: {group}"
        assert group.get("name"), f"segment group without name: {group}"


async def test_jmespath_query_projects_only_the_requested_keys(connect):
    async with connect() as client:
        result = await client.call_tool("zpa_list_segment_groups", {"query": "[].{id: id, name: name}"})
    groups = records(payload(result))
    assert groups, "projection returned no records"
    for group in groups:
        assert set(group) == {"id", "name"}, f"projection leaked keys: {sorted(group)}"


async def test_zia_rule_labels(connect):
    async with connect() as client:
        result = await client.call_tool("zia_list_rule_labels", {})
    labels = records(payload(result))
    assert labels, "the demo tenant has rule labels, the tool returned none"
    for label in labels:
        assert "id" in label and label.get("name"), f"rule label without id/name: {label}"


async def test_zdx_devices(connect):
    async with connect() as client:
        result = await client.call_tool("zdx_list_devices", {})
    devices = records(payload(result))
    assert devices, "the demo tenant has ZDX devices, the tool returned none"
    for device in devices:
        assert "id" in device and device.get("name"), f"device without id/name: {device}"


async def test_zia_url_lookup_reports_on_the_url_asked_for(connect):
    async with connect() as client:
        result = await client.call_tool("zia_url_lookup", {"urls": ["example.com"]})
    data = payload(result)
    assert "example.com" in all_text(result)
    found = records(data)
    assert any(r.get("url") == "example.com" for r in found), f"no classification for example.com: {data}"


async def test_zia_activation_status(connect):
    async with connect() as client:
        result = await client.call_tool("zia_get_activation_status", {})
    data = payload(result)
    assert isinstance(data, dict) and data.get("status") in {"ACTIVE", "PENDING", "INPROGRESS"}, data


async def test_zins_graphql_tool_returns_data(connect):
    async with connect() as client:
        result = await client.call_tool("zins_get_web_traffic_by_location", {})
    data = payload(result)
    assert data, f"empty web traffic report: {data!r}"


async def test_wrong_argument_type_is_a_tool_error_naming_the_argument(connect):
    async with connect() as client:
        result = await client.call_tool("zia_url_lookup", {"urls": 5})
    assert result.is_error, f"a number for `urls` was accepted: {all_text(result)[:300]}"
    assert "urls" in all_text(result), f"the error does not name the argument: {all_text(result)[:300]}"
    assert_readable_error(all_text(result))


async def test_missing_required_argument_is_a_tool_error(connect):
    async with connect() as client:
        result = await client.call_tool("zia_url_lookup", {})
    assert result.is_error, f"a call without the required `urls` succeeded: {all_text(result)[:300]}"
    assert "urls" in all_text(result), f"the error does not name the argument: {all_text(result)[:300]}"
    assert_readable_error(all_text(result))


async def test_bad_jmespath_query_is_a_tool_error_naming_query(connect):
    async with connect() as client:
        result = await client.call_tool("zpa_list_segment_groups", {"query": "[[["})
    assert result.is_error, f"an unparsable query succeeded: {all_text(result)[:300]}"
    assert "query" in all_text(result), f"the error does not name `query`: {all_text(result)[:300]}"
    assert_readable_error(all_text(result))


async def test_unknown_tool_is_an_error(connect):
    name = "zia_no_such_tool"
    async with connect() as client:
        try:
            result = await client.call_tool(name, {})
        except MCPError as err:  # a JSON-RPC error is a valid answer too
            message = err.error.message + str(err.error.data or "")
        else:
            assert result.is_error, f"unknown tool returned a success: {all_text(result)[:300]}"
            message = all_text(result)
    assert name in message, f"the error does not name the tool: {message[:300]}"


async def test_handshake_extras_ping_prompts_resources(connect):
    async with connect() as client:
        if client.session.initialize_result is not None:  # ping is gone from 2026-07-28
            await client.send_ping()
        caps = client.server_capabilities
        if caps.prompts is not None:
            await client.list_prompts()
        if caps.resources is not None:
            await client.list_resources()
