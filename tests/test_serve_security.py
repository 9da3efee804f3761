"""`workbench serve` attacked from a browser tab and a script.

A real ``workbench serve`` runs on loopback in a subprocess and is driven with a real
WebSocket client (aiohttp's, as textual-serve's page speaks it: ``["stdin", keys]``,
``["resize", {...}]``, ``["ping", ...]``); each browser session is a real app process.
Each test was seen failing on the textual-serve defaults (no token, any Origin, any
size, fonts from Google, the participant's name ignored, any file importable).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import aiohttp
import pytest
from browser_support import require_chromium

from workbench import operations
from workbench.store import Store
from workbench.ui import served as rules
from workbench.ui.serve import MAX_HEIGHT, MAX_WIDTH, clamp_size, clean_name

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parent.parent
SAMPLE_TOML = ROOT / "sample_project" / "support-assistant.toml"
EVIL = "http://evil.example"
SERVE = [sys.executable, "-m", "workbench", "serve"]
SECRET_HEADER = "s3cr3t-header-cell"

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts([HOST])]


# ------------------------------------------------------------------ the server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    """A running ``workbench serve``: its process, port, token and console output."""

    process: subprocess.Popen[bytes]
    port: int
    url: str  # as printed: http://127.0.0.1:PORT/?token=…
    token: str
    project: Path
    out: Path
    err: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def ws(self, **query: object) -> str:
        text = "&".join(f"{key}={quote(str(value))}" for key, value in query.items())
        return f"ws://{HOST}:{self.port}/ws" + (f"?{text}" if text else "")

    def stdout(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")

    def sessions(self) -> list[int]:
        """The app processes (one a browser session): the server's children."""
        pids: list[int] = []
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):  # (a thread that has just ended)
                pids += [int(pid) for pid in (task / "children").read_text().split()]
        return pids


def start(project: Path, logs: Path, *flags: str, host: str = HOST) -> Served:
    port = free_port()
    out, err = logs / f"serve-{port}.out", logs / f"serve-{port}.err"
    env = {**os.environ, "NO_COLOR": "1", "WORKBENCH_USER": "facilitator"}
    env.pop("WORKBENCH_DEBUG", None)
    with out.open("wb") as stdout, err.open("wb") as stderr:
        process = subprocess.Popen(
            [*SERVE, str(project), "--host", host, "--port", str(port), *flags],
            stdout=stdout,
            stderr=stderr,
            env=env,
        )
    deadline = time.monotonic() + 30
    while True:
        found = re.search(r"Open (http://\S+\?token=([\w-]+))", out.read_text())
        if found:
            return Served(process, port, found[1], found[2], project, out, err)
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"serve did not start: {out.read_text()} {err.read_text()}")
        time.sleep(0.1)


def stop(served: Served) -> None:
    served.process.send_signal(signal.SIGINT)
    try:
        served.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        served.process.kill()
        served.process.wait()
        pytest.fail("serve did not stop on ctrl+c within 15 s")


def make_project(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "sample.sqlite"
    operations.create_project(path, name=None, risk=None, by="sample", from_toml=SAMPLE_TOML)
    # a file inside the project's folder that is not a results file: its header is "secret"
    (folder / "inside.csv").write_text(f"{SECRET_HEADER},other\n1,2\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server for most tests, at most two sessions at once."""
    folder = tmp_path_factory.mktemp("served")
    server = start(make_project(folder / "project"), folder, "--max-sessions", "2")
    yield server
    stop(server)


@pytest.fixture
def fresh(served: Served) -> Iterator[Served]:
    """The server with no session left over from the test before."""
    wait_until(lambda: not served.sessions(), 15, "the sessions before to end")
    yield served
    wait_until(lambda: not served.sessions(), 15, "this test's sessions to end")


def wait_until(condition, seconds: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


# ------------------------------------------------------------------ the client

ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b[()][0-9A-B]|\x1b[=>]")


def plain(data: bytes) -> str:
    return ANSI.sub("", data.decode("utf-8", "replace"))


class Browser:
    """One participant's tab: the WebSocket, and everything the app has drawn so far."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.raw = b""
        self.texts: list[object] = []

    @property
    def text(self) -> str:
        return plain(self.raw)

    async def read(self, until: str | None = None, seconds: float = 20.0) -> str:
        """Output until ``until`` is on screen (fails after ``seconds``), or for ``seconds``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while until is None or until not in self.text:
            left = deadline - loop.time()
            if left <= 0:
                if until is None:
                    return self.text
                pytest.fail(f"{until!r} not on screen after {seconds} s: {self.text[-2000:]!r}")
            try:  # (asyncio's own timeout: aiohttp's receive(timeout=…) once waited for ever)
                message = await asyncio.wait_for(self.ws.receive(), timeout=left)
            except TimeoutError:
                continue
            if message.type == aiohttp.WSMsgType.BINARY:
                self.raw += message.data
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.texts.append(json.loads(message.data))
            else:
                if until is None:
                    return self.text
                pytest.fail(f"the socket closed ({message.type}) before {until!r}")
        return self.text

    async def type_over(self, text: str) -> None:
        """Clear the focused field (ctrl+u) and type ``text``, each seen on screen before
        the next: a key sent at once after ctrl+u is sometimes taken before it."""
        self.raw = b""
        await self.keys("\x15")
        await self.read(until="relative to")  # (the empty field's placeholder)
        self.raw = b""
        await self.keys(text)
        await self.read(until=text)

    async def press_until(self, key: str, until: str, attempts: int = 3) -> str:
        """Press ``key`` until ``until`` is on screen: a key that arrives while a screen is
        still being switched to can be lost (the screen draws before its table has focus)."""
        for _attempt in range(attempts - 1):
            await self.keys(key)
            if until in await self.read(seconds=5.0):
                return self.text
        await self.keys(key)
        return await self.read(until=until)

    async def keys(self, *keys: str) -> None:
        for key in keys:
            await self.ws.send_str(json.dumps(["stdin", key]))
            await asyncio.sleep(0.15)


async def join(
    session: aiohttp.ClientSession, served: Served, name: str = "Ana", **query: object
) -> Browser:
    """A participant's tab, through the WebSocket with the token and the served Origin."""
    ws = await session.ws_connect(
        served.ws(token=served.token, name=name, width=120, height=40, **query),
        origin=served.base,
    )
    return Browser(ws)


async def refused(session: aiohttp.ClientSession, url: str, origin: str | None = None) -> int:
    """The HTTP status with which the WebSocket handshake was refused."""
    with pytest.raises(aiohttp.WSServerHandshakeError) as refusal:
        ws = await session.ws_connect(url, origin=origin)
        await ws.close()
    return refusal.value.status


def history_by(project: Path, name: str) -> list[tuple[str, str, str]]:
    store = Store.open(project)
    try:
        return [(e.entity, e.key, e.field) for e in store.history(by=name)]
    finally:
        store.close()


def history_count(project: Path) -> int:
    store = Store.open(project)
    try:
        return store.history_count()
    finally:
        store.close()


# ------------------------------------------------------------------ the token


async def test_the_page_needs_the_token(served: Served) -> None:
    async with aiohttp.ClientSession() as session:
        for url in (f"{served.base}/", f"{served.base}/?token=wrong", f"{served.base}/?token="):
            async with session.get(url) as response:
                assert response.status == 403, url
                text = await response.text()
                assert "URL printed by `workbench serve`" in text
                assert response.content_type == "text/plain"
                assert not response.cookies
        async with session.get(served.url) as response:  # as printed: the join form
            assert response.status == 200
            page = await response.text()
            assert 'name="name"' in page
            assert served.token in page  # (the form sends it on)


async def test_the_websocket_needs_the_token(served: Served) -> None:
    async with aiohttp.ClientSession() as session:
        assert await refused(session, served.ws(name="Ana"), served.base) == 403
        assert await refused(session, served.ws(token="wrong", name="Ana"), served.base) == 403
        # the token of another server (another port) is not this one's
        assert await refused(session, served.ws(token=served.token[:-1], name="x")) == 403
    assert not served.sessions()


async def test_the_start_message_says_where_and_who(served: Served) -> None:
    message = served.stdout()
    assert f"Open http://{HOST}:{served.port}/?token={served.token}" in message
    assert "only this machine" in message
    assert "at most 2 sessions" in message
    assert len(served.token) >= 32


# ------------------------------------------------------------------ the origin


async def test_a_foreign_origin_is_refused(served: Served) -> None:
    url = served.ws(token=served.token, name="Mallory")
    async with aiohttp.ClientSession() as session:
        for origin in (EVIL, f"http://{HOST}:{served.port + 1}", "null", f"https://{HOST}"):
            assert await refused(session, url, origin) == 403, origin
    assert not served.sessions()


async def test_a_foreign_host_is_refused_on_loopback(served: Served) -> None:
    """DNS rebinding: evil.example resolved to 127.0.0.1 sends Host: evil.example."""
    headers = {"Host": f"evil.example:{served.port}"}
    async with aiohttp.ClientSession() as session:
        async with session.get(served.url, headers=headers) as response:
            assert response.status == 403
        with pytest.raises(aiohttp.WSServerHandshakeError) as refusal:
            await session.ws_connect(
                served.ws(token=served.token, name="x"),
                headers=headers,
                origin=f"http://evil.example:{served.port}",
            )
        assert refusal.value.status == 403


async def test_the_served_origin_with_the_token_works(fresh: Served) -> None:
    async with aiohttp.ClientSession() as session:
        tab = await join(session, fresh, name="Ana")
        await tab.read(until="Overview")
        assert len(fresh.sessions()) == 1
        await tab.ws.close()


async def test_a_browser_joins_with_the_cookie_the_page_set(fresh: Served) -> None:
    """The page's own WebSocket URL has no token: the cookie from the page load carries it."""
    jar = aiohttp.CookieJar(unsafe=True)  # (cookies for an IP address)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(f"{fresh.url}&name=Ana") as response:
            assert response.status == 200
            page = await response.text()
            cookie = response.headers.getall("Set-Cookie")
        assert f'data-session-websocket-url="ws://{HOST}:{fresh.port}/ws"' in page
        assert any("HttpOnly" in c and "SameSite=Strict" in c for c in cookie)
        ws = await session.ws_connect(f"ws://{HOST}:{fresh.port}/ws", origin=fresh.base)
        tab = Browser(ws)
        await tab.read(until="Overview")
        await ws.close()
    async with aiohttp.ClientSession() as session:  # a missing Origin (not a browser) with it
        ws = await session.ws_connect(fresh.ws(token=fresh.token, name="script"))
        await Browser(ws).read(until="Overview")
        await ws.close()


# ------------------------------------------------------------------ resources


async def test_the_session_cap_holds(fresh: Served) -> None:
    async with aiohttp.ClientSession() as session:
        first = await join(session, fresh, name="one")
        second = await join(session, fresh, name="two")
        url = fresh.ws(token=fresh.token, name="three")
        assert await refused(session, url, fresh.base) == 503
        async with session.get(f"{fresh.url}&name=three") as response:
            assert response.status == 503
            assert "2 sessions" in await response.text()
        await first.read(until="Overview")
        assert len(fresh.sessions()) == 2
        await first.ws.close()
        wait_until(lambda: len(fresh.sessions()) < 2, 10, "the first session to end")
        third = await join(session, fresh, name="three")
        await third.read(until="Overview")
        await second.ws.close()
        await third.ws.close()


async def test_a_huge_terminal_is_clamped(fresh: Served) -> None:
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(
            fresh.ws(token=fresh.token, name="Big", width=10000, height=5000), origin=fresh.base
        )
        tab = Browser(ws)
        await tab.read(until="Overview")
        (pid,) = fresh.sessions()
        environ = dict(
            item.split("=", 1)
            for item in Path(f"/proc/{pid}/environ").read_text().split("\0")
            if "=" in item
        )
        assert (environ["COLUMNS"], environ["ROWS"]) == ("500", "200")
        await ws.send_str(json.dumps(["resize", {"width": 80, "height": 24}]))
        await tab.read(seconds=1.5)
        tab.raw = b""
        await ws.send_str(json.dumps(["resize", {"width": 10000, "height": 5000}]))
        await tab.read(seconds=3)
        rows = [int(row) for row, _col in re.findall(rb"\x1b\[(\d+);(\d+)H", tab.raw)]
        assert max(rows) == 200  # resized, to the largest size allowed
        status = Path(f"/proc/{pid}/status").read_text()
        rss_mb = int(re.search(r"VmRSS:\s+(\d+)", status)[1]) / 1024  # type: ignore[index]
        assert rss_mb < 400, rss_mb
        await ws.close()
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, "the app to end with its socket")


async def test_an_app_ends_with_its_socket(fresh: Served) -> None:
    async with aiohttp.ClientSession() as session:
        tab = await join(session, fresh)
        await tab.read(until="Overview")
        (pid,) = fresh.sessions()
    # the client is gone without a close frame (a closed laptop lid)
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, "the app to end with its socket")


async def test_an_app_that_does_not_quit_is_ended(fresh: Served) -> None:
    """An app too busy to quit (as one drawing a 10000x5000 terminal was) is ended."""
    async with aiohttp.ClientSession() as session:
        tab = await join(session, fresh)
        await tab.read(until="Overview")
        (pid,) = fresh.sessions()
        os.kill(pid, signal.SIGSTOP)  # it reads nothing more, not even "quit"
        await tab.ws.close()
    wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, "the stuck app to be ended")


async def test_malformed_requests_get_a_status_not_a_traceback(fresh: Served) -> None:
    async with aiohttp.ClientSession() as session:
        for url, status in (
            (f"{fresh.base}/ws?token={fresh.token}", 400),  # curl /ws: no upgrade
            (f"{fresh.base}/ws", 403),
            (f"{fresh.base}/download/nothing?token={fresh.token}", 404),
            (f"{fresh.base}/static/", 403),  # no folder listings
            (f"{fresh.base}/static/../../../etc/passwd", 404),
        ):
            async with session.get(url) as response:
                assert response.status == status, url
        upgrade = {"Upgrade": "websocket", "Connection": "Upgrade"}  # no Sec-WebSocket-Key
        async with session.get(f"{fresh.base}/ws?token={fresh.token}", headers=upgrade) as r:
            assert r.status == 400
        async with session.post(f"{fresh.url}", data=b"x") as response:
            assert response.status == 405
        tab = await join(session, fresh, name="Fuzz")
        await tab.read(until="Overview")
        for junk in (
            "not json",
            "[]",
            "{}",
            "null",
            '["resize"]',
            '["resize", null]',
            '["resize", {"width": "wide", "height": []}]',
            '["resize", {"width": 1e308, "height": -5}]',
            '["stdin", 5]',
            '["stdin", "\\ud800"]',
            '["ping", {"a": 1}]',
            '[5, "x"]',
        ):
            await tab.ws.send_str(junk)
        await tab.ws.send_bytes(b"\x00\xff")
        await tab.ws.send_str('["ping", "still-there"]')
        await tab.read(seconds=2)
        assert ["pong", "still-there"] in tab.texts
        await tab.ws.close()
    reader, writer = await asyncio.open_connection(HOST, fresh.port)
    writer.write(b"\x16\x03\x01\x02\x00 not http at all\r\n\r\n")  # a TLS hello, and worse
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(100), 5)
    assert answer == b"" or re.match(rb"HTTP/1\.[01] 400 ", answer), answer
    writer.close()
    await asyncio.sleep(0.3)
    console = fresh.stdout() + fresh.stderr()  # (the apps' own errors go to stdout)
    assert "Traceback" not in console
    assert fresh.token not in fresh.stderr()  # (no access log with the URL in it)
    assert fresh.process.poll() is None


async def test_the_page_loads_nothing_from_outside(fresh: Served) -> None:
    seen: dict[str, str] = {}
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        for url in (fresh.url, f"{fresh.url}&name=Ana"):
            async with session.get(url) as response:
                assert response.status == 200
                seen[url] = await response.text()
                policy = response.headers["Content-Security-Policy"]
                assert "default-src 'self'" in policy
                assert response.headers["Referrer-Policy"] == "no-referrer"
        page = seen[f"{fresh.url}&name=Ana"]
        links = re.findall(r'(?:href|src)="([^"]+)"', page)
        assert any(link.endswith(".css") for link in links)
        assert any(link.endswith(".js") for link in links)
        resources = [*links, *re.findall(r'url\("?([^")]+)"?\)', page)]
        for link in resources:
            assert link.startswith("/"), link  # from this server
            async with session.get(f"{fresh.base}{link}") as response:
                assert response.status == 200, link
                body = await response.read()
                seen[link] = body.decode("utf-8", "replace")
                if link.endswith(".css"):
                    resources += re.findall(r'url\("?([^")]+)"?\)', seen[link])
        assert any(link.endswith(".ttf") for link in resources)  # the font, from here
    for where, text in seen.items():
        if where.endswith(".ttf"):
            continue
        for url in re.findall(r"https?://[^\s\"'<>)]*", text):
            assert url.startswith(fresh.base), (where, url)
        assert "fonts.googleapis" not in text


def test_a_real_browser_joins_and_loads_nothing_from_outside(fresh: Served) -> None:
    """Chromium opens the printed URL: the page's script runs under its CSP, its WebSocket
    (the token in the cookie, Chromium's own Origin) is accepted, the font comes from this
    server, and nothing had to be stopped by the policy."""
    chromium = require_chromium()
    run = fresh.out.parent / f"chromium-{time.monotonic_ns()}"
    done = subprocess.run(
        [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "--virtual-time-budget=5000",
            "--enable-logging=stderr",
            f"--user-data-dir={run / 'profile'}",
            f"--log-net-log={run / 'net-log.json'}",
            "--dump-dom",
            f"{fresh.url}&name=Chromium",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Content Security Policy" not in done.stderr  # nothing the policy had to stop
    body = re.search(r"<body[^>]*>", done.stdout)
    # textual.js ran, and its WebSocket's handshake was accepted (the "open" event)
    assert body and "-loaded" in body[0], done.stdout[:2000]
    urls = set(re.findall(r'"url":"([^"]*)"', (run / "net-log.json").read_text()))
    assert f"ws://{HOST}:{fresh.port}/ws?width=" in " ".join(urls)
    assert f"{fresh.base}/static/fonts/RobotoMono-VariableFont_wght.ttf" in urls
    assert not [url for url in urls if "fonts.g" in url]  # googleapis, gstatic


# ------------------------------------------------------------------ who edits what


async def test_a_participants_edit_is_recorded_under_their_name(fresh: Served) -> None:
    name = "Ana Participant"
    assert not history_by(fresh.project, name)
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        async with session.get(f"{fresh.url}&name={quote(name)}") as response:
            assert response.status == 200
        ws = await session.ws_connect(
            f"ws://{HOST}:{fresh.port}/ws?width=120&height=40", origin=fresh.base
        )
        tab = Browser(ws)
        await tab.read(until="Overview")
        await tab.keys("3")
        await tab.read(until="Done/open")
        await tab.press_until(" ", "Saved")
        await ws.close()
    entries = history_by(fresh.project, name)
    assert ("item", "status") in [(entity, field) for entity, _key, field in entries]
    assert not history_by(fresh.project, "Maria Okafor")  # (the workshop's editor in the TUI)


async def test_the_name_is_asked_for_and_checked(served: Served) -> None:
    async with aiohttp.ClientSession() as session:
        for bad in ("", "   ", "a\x1b[31mred", "x" * 200):
            async with session.get(f"{served.url}&name={quote(bad)}") as response:
                assert response.status == 200
                page = await response.text()
                assert 'name="name"' in page and "textual-terminal" not in page
        assert await refused(session, served.ws(token=served.token), served.base) == 400


async def test_the_import_dialog_reads_only_the_projects_folder(fresh: Served) -> None:
    async with aiohttp.ClientSession() as session:
        tab = await join(session, fresh, name="Remote")
        await tab.read(until="Overview")
        await tab.keys("E")
        await tab.read(until="Import results")
        await tab.keys("i")
        await tab.read(until="Results file")
        shown: list[str] = []
        for path in ("/etc/passwd", "../../../../../../../etc/passwd", "inside.csv"):
            await tab.type_over(path)
            tab.raw = b""
            await tab.keys("\x13")  # ctrl+s
            await tab.read(until="Not saved" if path != "inside.csv" else "Not imported")
            await tab.read(seconds=0.3)
            shown.append(tab.text)
        assert "project's folder" in shown[0] and "project's folder" in shown[1]
        assert not any("root:" in text for text in shown)
        assert SECRET_HEADER not in shown[2]
        assert "header has no '…' column (…)" in shown[2]
        await tab.ws.close()
    assert not history_by(fresh.project, "Remote")


# ------------------------------------------------------------------ read-only


async def test_read_only_refuses_an_edit(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project")
    before = history_count(project)
    server = start(project, tmp_path, "--read-only")
    try:
        assert "read-only" in server.stdout().lower()
        async with aiohttp.ClientSession() as session:
            tab = await join(session, server, name="Observer")
            await tab.read(until="read-only: observers cannot edit")
            await tab.keys("3")
            await tab.read(until="Done/open")
            await tab.press_until(" ", "Not saved")
            await tab.ws.close()
    finally:
        stop(server)
    assert history_count(project) == before


# ------------------------------------------------------------------ the command line


def test_a_port_out_of_range_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    for port in ("70000", "0"):
        done = subprocess.run(
            [sys.executable, "-m", "workbench", "serve", str(project), "--port", port],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.returncode == 2, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
        assert "port" in done.stderr and "Traceback" not in done.stderr


def test_a_port_in_use_is_one_line_and_exit_2(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    with socket.socket() as taken:
        taken.bind((HOST, 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "workbench", "serve", str(project), "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "in use" in done.stderr and "Traceback" not in done.stderr


def test_max_sessions_must_be_a_positive_number(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    done = subprocess.run(
        [sys.executable, "-m", "workbench", "serve", str(project), "--max-sessions", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1


async def test_every_address_still_needs_the_token(tmp_path: Path) -> None:
    server = start(make_project(tmp_path / "project"), tmp_path, host="0.0.0.0")
    try:
        message = server.stdout()
        assert "anyone on your network who has the URL with its token" in message
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{server.base}/") as response:
                assert response.status == 403
            async with session.get(server.url.replace("0.0.0.0", HOST)) as response:
                assert response.status == 200
            assert await refused(session, server.ws(name="x"), server.base) == 403
    finally:
        stop(server)


# ------------------------------------------------------------------ the rules, one by one


def test_sizes_are_clamped_and_junk_is_no_size() -> None:
    assert clamp_size(10000, 5000) == (MAX_WIDTH, MAX_HEIGHT) == (500, 200)
    assert clamp_size("120", "40") == (120, 40)
    assert clamp_size(0, -3) == (10, 4)
    for junk in (("wide", 40), (None, 40), (True, 40), (float("inf"), 40), ("9" * 5000, 40)):
        assert clamp_size(*junk) is None, junk


def test_names_are_checked() -> None:
    assert clean_name("  Ana   María ") == "Ana María"
    for bad in (None, "", "   ", "a\x1b[31m", "a\u202eb", "x" * 41):
        assert clean_name(bad) is None, bad


def test_a_link_out_of_the_folder_is_outside(tmp_path: Path) -> None:
    (tmp_path / "results.csv").write_text("id\n", encoding="utf-8")
    (tmp_path / "passwd.csv").symlink_to("/etc/passwd")
    assert rules.inside(tmp_path, tmp_path / "results.csv")
    assert rules.inside(tmp_path, tmp_path / "sub" / ".." / "results.csv")
    assert not rules.inside(tmp_path, tmp_path / "passwd.csv")
    assert not rules.inside(tmp_path, tmp_path / ".." / "elsewhere.csv")
    assert not rules.inside(tmp_path, Path("/etc/passwd"))


def test_error_messages_name_nothing_from_the_file() -> None:
    message = (
        "passwd: the header has no 'id' column (columns: root:x:0:0:root:/root:/bin/bash); "
        "map one with --map COLUMN=id · line 3: epoch: '-1' is not a whole number from 1"
    )
    shown = rules.without_file_contents(message)
    assert "root" not in shown and "-1" not in shown
    assert shown.startswith("passwd: the header has no '…' column (…); map one with --map")
