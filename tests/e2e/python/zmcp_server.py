"""Starts and stops a real `zscaler-mcp --demo` process for the end-to-end suites.

The binary is `target/debug/zscaler-mcp` unless ZSCALER_MCP_BIN names another. Servers
bind 127.0.0.1 only. Every started process is killed on exit (also on SIGTERM), and its
PID is appended to $ZMCP_E2E_PIDFILE when set, so that the calling shell's EXIT trap can
kill it even if Python itself dies.
"""

from __future__ import annotations

import atexit
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
BINARY = Path(os.environ.get("ZSCALER_MCP_BIN", REPO / "target" / "debug" / "zscaler-mcp"))
HOST = "127.0.0.1"
START_TIMEOUT_S = 30.0

# `Starting streamable-http transport on http://127.0.0.1:41234 (path=/mcp, ...)`
_START_LINE = re.compile(r"Starting (\S+) transport on http://([^\s:/]+|\[[^\]]+\]):(\d+)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

_live: list[subprocess.Popen[bytes]] = []


def free_port() -> int:
    """A port that was free a moment ago (for callers that must pass an explicit --port)."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class ServerProcess:
    """One `zscaler-mcp --demo --transport <t>` child with its stderr captured."""

    def __init__(self, transport: str, *, port: int = 0, env: dict[str, str] | None = None):
        self.transport = transport
        self.requested_port = port
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None
        self.port: int | None = None
        self.log: list[str] = []
        self._port_seen = threading.Event()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> "ServerProcess":
        if not BINARY.is_file():
            raise RuntimeError(f"server binary not found: {BINARY} (run `cargo build -p zscaler-mcp`)")
        argv = [str(BINARY), "--demo", "--transport", self.transport, "--host", HOST, "--port", str(self.requested_port)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=self.env)
        _live.append(self.proc)
        _record_pid(self.proc.pid)
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        self._wait_until_healthy()
        return self

    def _drain_stderr(self) -> None:
        assert self.proc is not None and self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = _ANSI.sub("", raw.decode("utf-8", "replace")).rstrip("\n")
            self.log.append(line)
            m = _START_LINE.search(line)
            if m and not self._port_seen.is_set():
                self.port = int(m.group(3))
                self._port_seen.set()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self._port_seen.wait(0.05):
            self._fail_if_exited()
            if time.monotonic() > deadline:
                self._give_up("no `Starting <transport> transport on http://HOST:PORT` line on stderr")
        while True:
            self._fail_if_exited()
            try:
                with urllib.request.urlopen(f"{self.base_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            if time.monotonic() > deadline:
                self._give_up("GET /health never answered 200")
            time.sleep(0.05)

    def _fail_if_exited(self) -> None:
        if self.proc is not None and self.proc.poll() is not None:
            time.sleep(0.1)  # let the drain thread collect the last lines
            self._give_up(f"server exited with status {self.proc.returncode}")

    def _give_up(self, why: str) -> None:
        log = self.log_text()
        self.stop()
        raise RuntimeError(f"{why}\n--- server stderr ---\n{log}")

    def log_text(self, last: int = 60) -> str:
        return "\n".join(self.log[-last:])

    def stop(self) -> None:
        if self.proc is not None:
            _kill(self.proc)

    def __enter__(self) -> "ServerProcess":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _record_pid(pid: int) -> None:
    pidfile = os.environ.get("ZMCP_E2E_PIDFILE")
    if pidfile:
        with open(pidfile, "a", encoding="utf-8") as f:
            f.write(f"{pid}\n")


def _kill_all() -> None:
    for proc in _live:
        _kill(proc)


atexit.register(_kill_all)


def _on_sigterm(signum: int, _frame: object) -> None:
    _kill_all()
    sys.exit(128 + signum)


signal.signal(signal.SIGTERM, _on_sigterm)
