"""``workbench serve``: the same app in a browser, through textual-serve, safe in a meeting.

Each browser tab that joins starts ``python -m workbench open PATH`` in a new process;
all of them edit the one project file (the store serialises the writes and the app
notices changes made elsewhere). What textual-serve leaves open is closed here:

- a secret token, new at each start, is needed for the page and the WebSocket
  (``?token=`` in the URL printed at start; the page then sets an HttpOnly,
  SameSite=Strict cookie, which the page's own WebSocket carries);
- the WebSocket accepts only the Origin the page was served from; a request with no
  Origin at all is not a browser's (browsers always send one) and needs the token
  like any other; on loopback the Host must be a loopback name (DNS rebinding);
- at most ``max_sessions`` sessions at once (503 for one more);
- the terminal size a browser asks for is clamped to MAX_WIDTH x MAX_HEIGHT, and an
  app that does not quit when its socket closes is ended;
- a malformed request gets a status code; the console gets one line, no traceback
  (and no access log: the URLs carry the token);
- nothing is loaded from outside the machine (own page, local font, CSP 'self');
- each participant gives a name, passed to their app as WORKBENCH_USER, and with
  ``read_only`` every app refuses edits (see ``workbench.ui.served``).
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import json
import logging
import math
import os
import re
import secrets
import shlex
import signal
import socket
import sys
import unicodedata
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, unquote

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from workbench.errors import WorkbenchError
from workbench.ui import serve_pages, served

log = logging.getLogger("workbench.serve")

WILDCARD_HOSTS = ("0.0.0.0", "::", "")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_WIDTH, MAX_HEIGHT = 500, 200  # a browser's terminal: at most this many cells
MIN_WIDTH, MIN_HEIGHT = 10, 4
DEFAULT_MAX_SESSIONS = 8
LONGEST_NAME = 40
MAX_MESSAGE = 1024 * 1024  # one WebSocket message (a paste)
QUIT_SECONDS = 3.0  # an app that has not quit this long after its socket closed is ended
TOKEN_BYTES = 32

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class ServeError(WorkbenchError):
    """``workbench serve`` cannot start (the port is taken, the address is not ours)."""


def app_command(path: Path) -> str:
    """The command each browser session runs: this interpreter, this project."""
    return shlex.join([sys.executable, "-m", "workbench", "open", str(Path(path).absolute())])


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


# ------------------------------------------------------------------ checks


def clamp_size(width: object, height: object) -> tuple[int, int] | None:
    """A terminal size a browser asked for, within limits; None if it is not one."""
    values = []
    for value in (width, height):
        if isinstance(value, str):
            value = value.strip()
            value = int(value) if value.isascii() and value.isdigit() and len(value) < 8 else None
        if isinstance(value, bool) or not isinstance(value, int | float):
            return None
        if isinstance(value, float) and not math.isfinite(value):
            return None
        values.append(int(value))
    return (
        min(max(values[0], MIN_WIDTH), MAX_WIDTH),
        min(max(values[1], MIN_HEIGHT), MAX_HEIGHT),
    )


def clean_name(text: str | None) -> str | None:
    """A participant's name as given, or None if it is empty, too long or has control
    characters (it goes into the project history and onto everyone's screen)."""
    if text is None:
        return None
    name = " ".join(unicodedata.normalize("NFC", text).split())
    if not name or len(name) > LONGEST_NAME:
        return None
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Co", "Cn") for c in name):
        return None
    return name


def _host_name(host_header: str) -> str:
    """The host of a Host header, without the port: ``[::1]:80`` -> ``::1``."""
    if host_header.startswith("["):
        return host_header[1:].partition("]")[0]
    return host_header.rpartition(":")[0] if host_header.count(":") == 1 else host_header


def _text(status: int, text: str, **headers: str) -> web.Response:
    return web.Response(status=status, text=text, content_type="text/plain", headers=headers)


# ------------------------------------------------------------------ one line a problem


class OneLine(logging.Formatter):
    """A log record as one line: no traceback, no locals (textual-serve's rich handler
    printed a request's headers and the traceback of a plain GET /ws)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            message += f" ({type(error).__name__}: {error})"
        message = " ".join(message.split())
        return f"workbench serve: {message[:300]}"

    def formatException(self, ei: Any) -> str:  # (logging's name for it)
        return ""


# ------------------------------------------------------------------ one session


class WorkbenchAppService(AppService):
    """One browser tab's app process: its participant's name in its environment, its
    size clamped, no shell between, and ended for sure when its socket is gone."""

    def __init__(self, command: str, *, participant: str, read_only: bool, **kwargs: Any):
        super().__init__(command, **kwargs)
        self.participant = participant
        self.read_only = read_only

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        width, height = clamp_size(width, height) or (80, 24)
        environment = super()._build_environment(width=width, height=height)
        environment.pop(served.READ_ONLY, None)  # (--read-only alone decides, not our shell)
        environment.update(served.environment(self.participant, self.read_only))
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        environment = self._build_environment(width=width, height=height)
        self._process = process = await asyncio.create_subprocess_exec(
            *shlex.split(self.command),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=environment,
            start_new_session=True,  # its own process group, ended with it
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def set_terminal_size(self, width: int, height: int) -> None:
        size = clamp_size(width, height)
        if size is not None:
            await super().set_terminal_size(*size)

    async def stop(self) -> None:
        """Ask the app to quit; end it (and anything it started) if it has not soon."""
        if self._task is not None:
            stopping = asyncio.ensure_future(super().stop())
            done, _ = await asyncio.wait({stopping}, timeout=QUIT_SECONDS)
            if not done:
                self.kill()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(stopping, QUIT_SECONDS)
            self._task = None
        self.kill()
        if self._process is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._process.wait(), QUIT_SECONDS)

    def kill(self) -> None:
        process = self._process
        if process is not None and process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                if hasattr(os, "killpg"):
                    os.killpg(process.pid, signal.SIGKILL)  # (its own group: see above)
                else:
                    process.kill()


# ------------------------------------------------------------------ the server


class WorkbenchServer(Server):
    """textual-serve's server, with a token, an Origin check, a session cap, clamped
    sizes, quiet errors, local resources and named participants."""

    def __init__(
        self,
        command: str,
        host: str,
        port: int,
        title: str,
        *,
        max_sessions: int = DEFAULT_MAX_SESSIONS,
        read_only: bool = False,
        token: str | None = None,
    ) -> None:
        super().__init__(
            command,
            host=host,
            port=port,
            title=title,
            public_url=f"http://{_url_host(host or '0.0.0.0')}:{port}",
        )
        self.wildcard = host in WILDCARD_HOSTS
        self.loopback = host in LOOPBACK_HOSTS
        self.max_sessions = max_sessions
        self.read_only = read_only
        self.token = token or secrets.token_urlsafe(TOKEN_BYTES)
        self.token_cookie = f"workbench-token-{port}"  # (cookies ignore the port)
        self.name_cookie = f"workbench-name-{port}"
        self.sessions = 0
        self.websockets: set[web.WebSocketResponse] = set()

    # -------------------------------------------------------------- start

    def initialize_logging(self) -> None:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(OneLine())
        root = logging.getLogger()
        root.handlers[:] = [handler]
        root.setLevel(logging.DEBUG if self.debug else logging.WARNING)

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[self.quiet_errors, self.guard])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.get("/static/css/xterm.css", self.handle_xterm_css),
                web.static("/static", self.statics_path, show_index=False, name="static"),
            ]
        )
        app.on_shutdown.append(self.on_shutdown)
        return app

    def serve(self, debug: bool = False, out: TextIO | None = None) -> None:
        """Serve until ctrl+c (or SIGTERM); ServeError if it cannot listen."""
        self.debug = debug
        self.initialize_logging()
        asyncio.run(self._serve(out or sys.stdout))

    async def _serve(self, out: TextIO) -> None:
        loop = asyncio.get_running_loop()
        stopping = asyncio.Event()
        for signal_number in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(signal_number, stopping.set)
        runner = web.AppRunner(await self._make_app(), access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, self.host or None, self.port, shutdown_timeout=2.0)
        try:
            await site.start()
        except OSError as error:
            await runner.cleanup()
            raise ServeError(self.cannot_listen(error)) from None
        print(self.start_message(), file=out, flush=True)
        try:
            await stopping.wait()
        finally:
            await runner.cleanup()

    def cannot_listen(self, error: OSError) -> str:
        where = f"{_url_host(self.host or '0.0.0.0')}:{self.port}"
        if error.errno == errno.EADDRINUSE:
            return f"port {self.port} is in use on {self.host}; choose another with --port"
        if error.errno == errno.EACCES:
            return f"not allowed to listen on {where}; choose a port from 1024 with --port"
        if isinstance(error, socket.gaierror):
            return f"cannot listen on {self.host!r}: no such host name (see --host)"
        if error.errno == errno.EADDRNOTAVAIL:
            return f"cannot listen on {self.host!r}: not an address of this machine (see --host)"
        return f"cannot listen on {where} ({error.strerror or error})"

    def start_message(self) -> str:
        """What the facilitator reads on start: the URL to share, and who can use it."""
        query = f"/?token={self.token}"
        listening = _url_host(self.host or "0.0.0.0")
        if self.wildcard:
            lines = [
                f"Open http://127.0.0.1:{self.port}{query} on this machine; from another, "
                f"http://{socket.gethostname()}:{self.port}{query} (or this machine's address).",
                "Who can join: anyone on your network who has the URL with its token "
                f"(listening on {listening}).",
            ]
        elif self.loopback:
            lines = [
                f"Open http://{listening}:{self.port}{query}",
                f"Who can join: only this machine (listening on {listening}), with the URL "
                "and its token; --host 0.0.0.0 opens it to your network.",
            ]
        else:
            lines = [
                f"Open http://{listening}:{self.port}{query}",
                f"Who can join: anyone who can reach {listening} and has the URL with its token.",
            ]
        lines.append(
            "Each participant gives a name, and the history records their edits under it; "
            f"at most {self.max_sessions} sessions at once (--max-sessions)."
        )
        if self.read_only:
            lines.append("Read-only: observers cannot edit.")
        lines.append("The token is new at each start. Press ctrl+c to stop.")
        return "\n".join(lines)

    async def on_startup(self, app: web.Application) -> None:
        """(textual-serve's banner is replaced by ``start_message``.)"""

    async def on_shutdown(self, app: web.Application) -> None:
        for websocket in list(self.websockets):
            with contextlib.suppress(Exception):
                await websocket.close(code=1001, message=b"workbench serve stopped")

    # -------------------------------------------------------------- every request

    @web.middleware
    async def quiet_errors(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """A bug or a broken request is a status code and one line, never a traceback."""
        try:
            return await handler(request)
        except web.HTTPException:
            raise
        except (asyncio.CancelledError, ConnectionError):
            raise
        except Exception as error:
            log.warning(
                "%s %s failed (%s: %s)", request.method, request.path, type(error).__name__, error
            )
            return _text(500, "500 Internal Server Error: see the console of workbench serve.\n")

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The Host (on loopback) and the token, before any page or socket."""
        if self.loopback and _host_name(request.host).lower() not in LOOPBACK_HOSTS:
            return _text(403, serve_pages.NOT_ALLOWED_HERE)
        route = request.match_info.route.name
        if route in ("index", "websocket", "download") and not self.has_token(request):
            return _text(403, serve_pages.FORBIDDEN)
        response = await handler(request)
        if not response.prepared:
            self.protect(response, request)
        return response

    def has_token(self, request: web.Request) -> bool:
        given = request.query.get("token")
        if given is None:
            given = request.cookies.get(self.token_cookie, "")
        return secrets.compare_digest(given.encode("utf-8"), self.token.encode("utf-8"))

    def protect(self, response: web.StreamResponse, request: web.Request) -> None:
        """Headers that keep the page to this server: nothing loaded from elsewhere, not
        framed by another page, the URL (with its token) never sent as a Referer."""
        socket_url = f"ws://{request.host}"
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self' 'unsafe-inline'; "
            "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
            f"connect-src 'self' {socket_url}; frame-ancestors 'none'; form-action 'self'; "
            "base-uri 'none'",
        )
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.match_info.route.name == "index":
            response.headers.setdefault("Cache-Control", "no-store")

    # -------------------------------------------------------------- the pages

    def participant(self, request: web.Request) -> str | None:
        if "name" in request.query:
            return clean_name(request.query["name"])
        cookie = request.cookies.get(self.name_cookie)
        return clean_name(unquote(cookie)) if cookie else None

    async def handle_index(self, request: web.Request) -> web.Response:
        """The join form, or (with a name) the app's page; both set the token cookie."""
        name = self.participant(request)
        if name is None:
            given = request.query.get("name")
            problem = ""
            if given is not None:
                problem = f"Give a name of 1 to {LONGEST_NAME} letters, without control characters."
            page = serve_pages.render(
                serve_pages.JOIN,
                title=self.title,
                token=self.token,
                name=(given or "")[:LONGEST_NAME],
                problem=problem,
                longest=LONGEST_NAME,
                read_only=self.read_only,
            )
            response = web.Response(text=page, content_type="text/html")
        elif self.sessions >= self.max_sessions:
            return _text(503, serve_pages.full(self.max_sessions))
        else:
            font_size = request.query.get("fontsize", "16")
            page = serve_pages.render(
                serve_pages.APP,
                title=self.title,
                name=name,
                read_only=self.read_only,
                websocket_url=f"ws://{request.host}/ws",
                font_size=min(int(font_size), 64) if re.fullmatch(r"[0-9]{1,3}", font_size) else 16,
            )
            response = web.Response(text=page, content_type="text/html")
            response.set_cookie(
                self.name_cookie, quote(name), httponly=True, samesite="Strict", path="/"
            )
        response.set_cookie(
            self.token_cookie, self.token, httponly=True, samesite="Strict", path="/"
        )
        return response

    async def handle_xterm_css(self, request: web.Request) -> web.Response:
        """xterm.js's style sheet, its licence comment's web addresses without their
        scheme: the served page and styles name no address but this server's."""
        css = (self.statics_path / "css" / "xterm.css").read_text(encoding="utf-8")
        css = re.sub(
            r"/\*.*?\*/",
            lambda m: re.sub(r"https?://", "", m[0]),
            css,
            flags=re.DOTALL,
        )
        return web.Response(text=css, content_type="text/css")

    # -------------------------------------------------------------- the socket

    def origin_refusal(self, request: web.Request) -> web.Response | None:
        """A browser's WebSocket from another page (its Origin is not this page's) is
        refused. No Origin at all is a script, not a browser: the token suffices."""
        origin = request.headers.get("Origin")
        if origin is None or origin.lower() == f"http://{request.host}".lower():
            return None
        return _text(403, "403 Forbidden: a WebSocket from another page (Origin) is refused.\n")

    async def handle_websocket(  # type: ignore[override]
        self, request: web.Request
    ) -> web.StreamResponse:  # (a refusal is a plain response, not a WebSocket)
        refusal = self.origin_refusal(request)
        if refusal is not None:
            return refusal
        websocket = web.WebSocketResponse(heartbeat=15, max_msg_size=MAX_MESSAGE)
        if not websocket.can_prepare(request).ok:
            return _text(400, "400 Bad Request: this address is the page's WebSocket.\n")
        name = self.participant(request)
        if name is None:
            return _text(400, "400 Bad Request: give your name (?name=…) to join.\n")
        if self.sessions >= self.max_sessions:
            return _text(503, serve_pages.full(self.max_sessions))
        size = clamp_size(request.query.get("width", "80"), request.query.get("height", "24"))
        width, height = size or (80, 24)
        self.sessions += 1  # (taken before the first await: the cap holds under a rush)
        app_service: WorkbenchAppService | None = None
        try:
            await websocket.prepare(request)
            self.websockets.add(websocket)
            app_service = WorkbenchAppService(
                self.command,
                participant=name,
                read_only=self.read_only,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            await app_service.start(width, height)
            await self._process_messages(websocket, app_service)
        except ConnectionError:
            pass
        except Exception as error:
            log.warning("a session of %s ended (%s: %s)", name, type(error).__name__, error)
        finally:
            self.websockets.discard(websocket)
            try:
                if app_service is not None:
                    await asyncio.shield(app_service.stop())
            finally:
                if app_service is not None:
                    app_service.kill()
                self.sessions -= 1
                with contextlib.suppress(Exception):
                    await websocket.close()
        return websocket

    async def _process_messages(
        self, websocket: web.WebSocketResponse, app_service: AppService
    ) -> None:
        """textual-serve's messages, read as data that may be anything: what is not one
        of them is ignored, never a traceback."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = json.loads(message.data)
            except ValueError:
                continue
            if not isinstance(envelope, list) or not envelope:
                continue
            kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
            if kind == "stdin" and isinstance(data, str):
                await app_service.send_bytes(data.encode("utf-8", "replace"))
            elif kind == "resize" and isinstance(data, dict):
                size = clamp_size(data.get("width"), data.get("height"))
                if size is not None:
                    await app_service.set_terminal_size(*size)
            elif kind == "ping" and isinstance(data, str) and len(data) <= 64:
                await websocket.send_json(["pong", data])
            elif kind == "blur":
                await app_service.blur()
            elif kind == "focus":
                await app_service.focus()


def serve(
    path: Path,
    host: str = "127.0.0.1",
    port: int = 8000,
    *,
    max_sessions: int = DEFAULT_MAX_SESSIONS,
    read_only: bool = False,
) -> None:
    """Serve the workshop app for ``path`` on ``host:port`` until interrupted (ctrl+c)."""
    server = WorkbenchServer(
        app_command(path),
        host=host,
        port=port,
        title=f"workbench · {Path(path).name}",
        max_sessions=max_sessions,
        read_only=read_only,
    )
    server.serve()
