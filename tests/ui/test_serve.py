"""`workbench serve`: the app answers a browser on loopback through textual-serve."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from workbench.ui.serve import app_command

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def fetch(url: str, timeout: float = 20.0) -> str:
    """The page at ``url``, retried until the server is up (or the time runs out)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode("utf-8")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def printed_url(log: Path, timeout: float = 20.0) -> str:
    """The URL (with its token) that `workbench serve` prints on start."""
    deadline = time.monotonic() + timeout
    while not (found := re.search(r"Open (http://\S+\?token=[\w-]+)", log.read_text())):
        if time.monotonic() > deadline:
            raise AssertionError(f"no URL printed: {log.read_text()}")
        time.sleep(0.1)
    return found[1]


def test_the_command_runs_this_interpreter_on_the_project(tmp_path: Path) -> None:
    command = app_command(tmp_path / "my project.sqlite")
    assert command.startswith(sys.executable)
    assert "-m workbench open" in command
    assert "'" + str(tmp_path / "my project.sqlite") + "'" in command


@pytest.mark.enable_socket
@pytest.mark.allow_hosts([HOST])
def test_serve_answers_a_browser_on_loopback(sample_path: Path, tmp_path: Path) -> None:
    port = free_port()
    code = (
        "import sys; from pathlib import Path; from workbench.ui.serve import serve; "
        "serve(Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]))"
    )
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-c", code, str(sample_path), HOST, str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1"},
    )
    try:
        url = printed_url(tmp_path / "serve.log")
        page = fetch(f"{url}&name=tester")
        assert "workbench" in page
        assert sample_path.name in page
        assert f"ws://{HOST}:{port}/ws" in page
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert server.returncode is not None
