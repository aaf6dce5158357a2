"""Reading tool results the way a model would: the JSON text a tool returned, and the records in it."""

from __future__ import annotations

import json
import re
from typing import Any

from mcp.types import CallToolResult, TextContent


def texts(result: CallToolResult) -> list[str]:
    return [block.text for block in result.content if isinstance(block, TextContent)]


def all_text(result: CallToolResult) -> str:
    return "\n".join(texts(result))


def payload(result: CallToolResult) -> Any:
    """The tool's JSON data: the first text that parses as JSON.

    Labels may surround the data, as their own text blocks or as leading and trailing lines
    of the same block (`[UNTRUSTED CONTENT: ...]` above externally-authored records and its
    `[END UNTRUSTED CONTENT: ...]` line below them).
    """
    assert not result.is_error, f"tool returned isError: {all_text(result)[:500]}"
    for text in texts(result):
        lines = text.split("\n")
        for start in range(len(lines)):
            for end in range(len(lines), start, -1):
                try:
                    return json.loads("\n".join(lines[start:end]))
                except ValueError:
                    continue
    raise AssertionError(f"no JSON in the result: {all_text(result)[:500]}")


# Keys under which the Zscaler APIs wrap a page of records (ZPA `list`, ZDX `devices`, ...).
_WRAPPERS = ("list", "items", "data", "devices", "records", "results", "entries")


def records(data: Any) -> list[dict[str, Any]]:
    """The records of a list tool's payload: a bare JSON array, or the API's page wrapper."""
    if isinstance(data, dict):
        wrapped = [data[k] for k in _WRAPPERS if isinstance(data.get(k), list)]
        assert len(wrapped) == 1, f"expected one record list in {sorted(data)}"
        data = wrapped[0]
    assert isinstance(data, list), f"expected a list of records, got {type(data).__name__}: {str(data)[:300]}"
    assert all(isinstance(r, dict) for r in data), f"records must be objects: {str(data)[:300]}"
    return data


# A prefix of ten or more characters ending in ": " that comes twice in a row.
_STUTTER = re.compile(r"(.{10,}?: )\1")


def assert_readable_error(message: str) -> None:
    """An error a person can act on: not empty, and no layer repeating the layer above it."""
    assert message.strip(), "empty error message"
    stutter = _STUTTER.search(message)
    assert stutter is None, f"error message repeats {stutter.group(1)!r}: {message[:300]}"
