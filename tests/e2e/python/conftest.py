"""Shared fixtures: one demo HTTP server per session, MCP clients over each transport,
and the closing `N passed, N failed` line that scripts/test reads."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.sse import sse_client
from mcp.client.stdio import stdio_client

from zmcp_server import BINARY, ServerProcess

READ_TIMEOUT_S = 60.0
_servers: list[ServerProcess] = []


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def start_server(transport: str, **kwargs: Any) -> ServerProcess:
    server = ServerProcess(transport, **kwargs)
    _servers.append(server)
    return server.start()


@pytest.fixture(scope="session")
def http_server() -> Any:
    """`zscaler-mcp --demo --transport streamable-http --port 0` for the whole session."""
    server = start_server("streamable-http")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sse_server() -> Any:
    """`zscaler-mcp --demo --transport sse --port 0` for the whole session."""
    server = start_server("sse")
    yield server
    server.stop()


ClientFactory = Callable[[], contextlib.AbstractAsyncContextManager[Client]]


def stdio_factory(mode: str) -> ClientFactory:
    @contextlib.asynccontextmanager
    async def open_client() -> AsyncIterator[Client]:
        # The server's stderr goes to a real file: pytest's captured sys.stderr has no fd.
        with tempfile.TemporaryFile("w+") as errlog:
            params = StdioServerParameters(command=str(BINARY), args=["--demo"])
            try:
                async with Client(stdio_client(params, errlog=errlog), mode=mode, read_timeout_seconds=READ_TIMEOUT_S) as client:
                    yield client
            except BaseException:
                errlog.seek(0)
                print("--- stdio server stderr ---\n" + errlog.read()[-8000:])
                raise

    return open_client


def http_factory(url: str, mode: str) -> ClientFactory:
    return lambda: Client(url, mode=mode, read_timeout_seconds=READ_TIMEOUT_S)


def sse_factory(url: str) -> ClientFactory:
    # Legacy SSE predates 2026-07-28, so the initialize handshake is the only way in.
    return lambda: Client(sse_client(url), mode="legacy", read_timeout_seconds=READ_TIMEOUT_S)


# Each transport twice: "legacy" = the initialize handshake (2025-11-25 era clients),
# "auto" = what the current SDK does by default (probe server/discover, then fall back).
CONNECTIONS = ["stdio-legacy", "stdio-auto", "http-legacy", "http-auto"]


# The revision each mode must end up on: the newest handshake revision, or the newest one.
NEGOTIATED = {"legacy": "2025-11-25", "auto": "2026-07-28"}


@pytest.fixture(params=CONNECTIONS)
def connect(request: pytest.FixtureRequest) -> ClientFactory:
    transport, mode = request.param.split("-")
    if transport == "stdio":
        factory = stdio_factory(mode)
    else:
        server: ServerProcess = request.getfixturevalue("http_server")
        factory = http_factory(f"{server.base_url}/mcp", mode)
    factory.expected_version = NEGOTIATED[mode]  # type: ignore[attr-defined]
    return factory


_counts = {"passed": 0, "failed": 0}


def pytest_terminal_summary(terminalreporter: Any) -> None:
    stats = terminalreporter.stats
    _counts["passed"] = len(stats.get("passed", []))
    _counts["failed"] = len(stats.get("failed", [])) + len(stats.get("error", []))
    if _counts["failed"]:
        for server in _servers:
            terminalreporter.write_line(f"--- {server.transport} server stderr (last lines) ---")
            terminalreporter.write_line(server.log_text())


def pytest_unconfigure(config: pytest.Config) -> None:
    # Printed last, after pytest's own summary, in the one format every suite shares.
    print(f"{_counts['passed']} passed, {_counts['failed']} failed", flush=True)
