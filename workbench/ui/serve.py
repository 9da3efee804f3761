"""``workbench serve``: the same app in a browser, through textual-serve.

Each browser tab that connects starts ``python -m workbench open PATH`` in a
new process; all of them edit the one project file (the store serialises the
writes and the app notices changes made elsewhere). It listens on loopback
unless told otherwise.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path
from typing import Any

from textual_serve.server import Server

WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def app_command(path: Path) -> str:
    """The command each browser session runs: this interpreter, this project."""
    return shlex.join([sys.executable, "-m", "workbench", "open", str(Path(path).absolute())])


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class WorkbenchServer(Server):
    """textual-serve's server, with page links that work when it listens on every address.

    textual-serve writes its own address into the page (for the websocket); on
    0.0.0.0 that address is useless to a browser, so the address the browser
    used is taken instead.
    """

    def __init__(self, command: str, host: str, port: int, title: str) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            public_url=f"http://{_url_host(host or '0.0.0.0')}:{port}",
        )
        self.wildcard = host in WILDCARD_HOSTS

    async def handle_index(self, request: Any) -> Any:
        if self.wildcard and request.host:
            self.public_url = f"{request.scheme}://{request.host}"
        return await super().handle_index(request)


def serve(path: Path, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the workshop app for ``path`` on ``host:port`` until interrupted (ctrl+c)."""
    server = WorkbenchServer(
        app_command(path), host=host, port=port, title=f"workbench · {Path(path).name}"
    )
    server.serve()
