"""Reports can't harm their reader: hostile text stays text, in a real browser too.

A project is filled with hostile strings wherever a person types (and in its
checklist template), exported with ``workbench export``, and opened in a real
headless Chromium. Each script payload, if it ever ran, would leave a mark on
the page (an attribute ``data-pwned-NAME`` on ``<html>``, or a new title), and
each remote load would show in Chromium's network log. The dumped DOM shows no
mark, no request, the same elements as a report with plain strings in the same
places, and every hostile string as text.

Two control pages show the test can see an attack: the same report rendered with
escaping switched off still runs nothing (the Content-Security-Policy alone stops
it), and with the policy removed too, Chromium does run the payloads.

Chromium is Debian's ``chromium`` package (``make browser`` installs it). Without
it these tests are skipped with the reason in pytest's summary; under CI they fail.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import tomli_w
from browser_support import require_chromium
from core_support import TEMPLATE_PATH, Runner
from markdown_it import MarkdownIt

from workbench import operations
from workbench.catalog import new_project_data, parse_template
from workbench.models import EscalationStep
from workbench.reports import html as html_report
from workbench.reports.html import CSP
from workbench.reports.markdown import reveal_invisible
from workbench.store import Store

BY = "mallory"


def mark(name: str) -> str:
    """JavaScript that leaves a visible mark on the page if it ever runs."""
    return f"document.documentElement.setAttribute('data-pwned-{name}','1')"


# Each is typed somewhere in the project. Script payloads carry a mark; the others
# try to change the page's structure, load something remote, or fool the reader.
HOSTILE: dict[str, str] = {
    "script": f"<script>{mark('script')}</script>",
    "img": f'<img src=x onerror="{mark("img")}">',
    "svg": f'<svg onload="{mark("svg")}"></svg>',
    "svg-animate": f'<svg><animate onbegin="{mark("animate")}" attributeName=x dur=1s>',
    "body": f'<body onload="{mark("body")}" data-injected="body">',
    "double-quote": f'" onmouseover="{mark("attribute")}" data-injected="',
    "single-quote": f"' onfocus='{mark('single')}' autofocus data-injected='",
    "js-link": f'<a href="javascript:{mark("link")}" data-injected="a">click me</a>',
    "md-link": f"[click me](javascript:{mark('md_link')})",
    "md-image": "![pixel](https://example.invalid/md-pixel.png)",
    "autolink": f"<javascript:{mark('autolink')}>",
    "iframe": f'<iframe srcdoc="<script>parent.{mark("iframe")}</script>"></iframe>',
    "object": f'<object data="data:text/html,<script>{mark("object")}</script>"></object>',
    "details": f'<details open ontoggle="{mark("details")}">',
    "input": f'<input autofocus onfocus="{mark("focus")}">',
    "video": f'<video><source onerror="{mark("video")}"></video>',
    "timer": f"<script>setTimeout(function(){{{mark('timer')}}},300)</script>",
    "title-breakout": "</title><script>document.title='pwned'</script>",
    "breakout": f"</textarea></style></svg></table></h3><script>{mark('breakout')}</script>",
    "comment": f"<!-- <script>{mark('comment')}</script> -->",
    "cdata": f"<![CDATA[<script>{mark('cdata')}</script>]]>",
    "mxss": f'<math><mtext><table><mglyph><style><img src=x onerror="{mark("mxss")}">',
    "style": "<style>body{display:none}</style>",
    "meta-refresh": f'<meta http-equiv="refresh" content="0;url=javascript:{mark("meta")}">',
    "base": '<base href="https://example.invalid/">',
    "stylesheet": '<link rel="stylesheet" href="https://example.invalid/remote.css">',
    "remote-img": '<img src="https://example.invalid/pixel.png">',
    "form": '<form action="https://example.invalid/"><button>send</button></form>',
    "template-syntax": "{{ 7*7 }} {% raw %} ${7*7} #{7*7}",
    "entities": "&lt;script&gt; &amp; &#60;b&#62; &#x3C;i&#x3E;",
    "markdown": "**bold** _em_ `code` # heading | a | b | ~~strike~~ > quote",
    "rtl-override": "\u202eexe.tnemucod\u202c right-to-left override",
    "zero-width": "zero\u200bwidth\u2060joiner\ufeffbom\u00adsoft",
    "isolates": "\u2066isolate\u2069 \u200fmarks\u200e \u061calm",
    "controls": "null\x00byte escape\x1b[31m bell\x07",
    "bare-js": f"javascript:{mark('bare')}",
    "data-url": "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
}
# 100 KB of script tags, as a pasted log might be.
BIG = (f"<script>{mark('big')}</script> <b onclick=x>" * 2000)[:100_000].strip()
MARKS = {m for m in re.findall(r"data-pwned-(\w+)", " ".join(HOSTILE.values()) + BIG)}
ATTRIBUTE_PAYLOADS = ("double-quote", "single-quote")
REMOTE_HOST = "example.invalid"


# ------------------------------------------------------------------ projects


def hostile_template(title: Callable[[str], str]) -> str:
    """The shipped template with a hostile section title and guide title."""
    raw = tomllib.loads(TEMPLATE_PATH.read_text(encoding="utf-8"))
    raw["title"] = title("svg")[:200]
    raw["sections"][0]["title"] = title("double-quote")[:200]
    text = tomli_w.dumps(raw)
    parse_template(text)
    return text


def build_project(path: Path, text: Callable[[str], str], big: str) -> Store:
    """A project with ``text(name)`` wherever a person types, made through the operations."""
    template_text = hostile_template(text)
    template = parse_template(template_text)
    data = new_project_data(
        template,
        text("title-breakout"),
        "medium",
        owner=text("double-quote"),
        system="\n".join(text(name) for name in HOSTILE),
    )
    store = Store.create(path, data, template_text, BY)
    items = [i.id for i in data.checklist]
    operations.tick(store, items[0], "done", BY, evidence=big, owner=text("single-quote"))
    operations.tick(store, items[1], "na", BY, reason=text("markdown"))
    for index, name in enumerate(HOSTILE):
        item = items[2 + index % (len(items) - 2)]
        operations.tick(store, item, "done", BY, evidence=text(name), owner=text("isolates"))
        operations.decide(store, BY, title=text(name), decision=text(name), rationale=text(name))
        operations.park_question(store, text(name), BY, step="testing")
    store.update("threshold", "accuracy", {"reasoning": "\n".join(map(text, HOSTILE))}, BY)
    operations.measure(store, "accuracy", 0.5, BY, n=10, source=text("js-link")[:500])
    for index, name in enumerate(ATTRIBUTE_PAYLOADS, 1):  # names land in SVG aria-labels
        operations.add_threshold(
            store,
            BY,
            metric=f"custom-{index}",
            name=text(name)[:200],
            comparator=">=",
            target=3,
            unit="score",
            reasoning=text("entities"),
            definition=text("mxss"),
        )
    store.update("alert", "error-rate", {"owner": text("img"), "response": text("iframe")}, BY)
    store.update("workshop", None, {"attendees": [text(n) for n in ("script", "rtl-override")]}, BY)
    store.update("stage", 2, {"criterion": text("breakout"), "status": "failed"}, BY)
    store.update("logging", None, {"always": [text("style"), text("base")]}, BY)
    store.insert("escalation", EscalationStep(step=1, contact=text("form"), when=text("cdata")), BY)
    store.update("pattern", "shadow", {"chosen": True, "notes": text("meta-refresh")}, BY)
    return store


def benign(name: str) -> str:
    return f"plain text {name}"


@dataclass
class Exported:
    """One project exported as HTML and Markdown, and what was typed into it."""

    folder: Path
    html: Path
    md: Path
    store: Store
    typed: list[str]  # every string as the project keeps it


def export(cli: Runner, folder: Path, text: Callable[[str], str], big: str) -> Exported:
    folder.mkdir()
    path = folder / "project.sqlite"
    store = build_project(path, text, big)
    result = cli("export", path, "--format", "html", "--format", "md", "--output-dir", folder)
    assert result.code == 0, result.err
    data = store.load()
    typed = [data.project.name, *(d.title for d in data.decisions), data.checklist[0].evidence]
    return Exported(
        folder, folder / "project-readiness.html", folder / "project-readiness.md", store, typed
    )


@pytest.fixture(scope="module")
def module_cli() -> Iterator[Runner]:
    """The in-process CLI, for module-scoped fixtures (the ``cli`` fixture is per test)."""
    from core_support import Result

    from workbench.cli import main

    def run(*args: object) -> Result:
        import contextlib
        import io

        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main([str(a) for a in args])
        return Result(code, out.getvalue(), err.getvalue())

    yield run


@pytest.fixture(scope="module")
def attacked(module_cli: Runner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    exported = export(
        module_cli, tmp_path_factory.mktemp("hostile") / "p", HOSTILE.__getitem__, BIG
    )
    yield exported
    exported.store.close()


@pytest.fixture(scope="module")
def plain(module_cli: Runner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    exported = export(module_cli, tmp_path_factory.mktemp("plain") / "p", benign, "plain big")
    yield exported
    exported.store.close()


# ------------------------------------------------------------- reading pages


@dataclass
class Page:
    """A page as a reader gets it: its elements in order, its text and its title."""

    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    title: str = ""

    def shape(self) -> list[tuple[str, tuple[str, ...]]]:
        """Each element with the names of its attributes (values aside)."""
        return [(tag, tuple(sorted(attrs))) for tag, attrs in self.elements]

    def marks(self) -> set[str]:
        return {
            name[len("data-pwned-") :]
            for _, attrs in self.elements
            for name in attrs
            if name.startswith("data-pwned-")
        }

    def shows(self, text: str) -> bool:
        return any(text in node for node in self.texts)


VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}


class PageReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.elements.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.page.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.open:
            while self.open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        where = self.open[-1] if self.open else ""
        if where in ("style", "script"):
            return
        if where == "title" and "svg" not in self.open:
            self.page.title += data
        self.page.texts.append(data)


def read_page(source: str) -> Page:
    reader = PageReader()
    reader.feed(source)
    reader.close()
    return reader.page


# ------------------------------------------------------------------ Chromium

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing a page asks for can leave the machine
    "--virtual-time-budget=2000",  # timers and load events run before the DOM is dumped
)


@dataclass
class Opened:
    dom: Page
    requested: list[str]  # every URL Chromium's network log mentions


class Browser:
    def __init__(self, executable: str, scratch: Path) -> None:
        self.executable = executable
        self.scratch = scratch
        self.runs = 0

    def open(self, page: Path) -> Opened:
        self.runs += 1
        run = self.scratch / f"run-{self.runs}"
        run.mkdir()
        net_log = run / "net-log.json"
        done = subprocess.run(
            [
                self.executable,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={run / 'profile'}",
                f"--log-net-log={net_log}",
                "--dump-dom",
                page.resolve().as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
        log = net_log.read_text(encoding="utf-8", errors="replace") if net_log.exists() else ""
        return Opened(read_page(done.stdout), re.findall(r'"url":"([^"]*)"', log))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Browser:
    return Browser(require_chromium(), tmp_path_factory.mktemp("chromium"))


@pytest.fixture(scope="module")
def in_browser(browser: Browser, attacked: Exported, plain: Exported) -> tuple[Opened, Opened]:
    return browser.open(attacked.html), browser.open(plain.html)


def unescaped_page(
    report_folder: Exported, keep_csp: bool, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The same report rendered with escaping off (and, if asked, without its policy)."""
    from workbench.operations import project_state
    from workbench.reports import build_report

    unsafe = html_report.environment().overlay(autoescape=False)
    monkeypatch.setattr(html_report, "environment", lambda: unsafe)
    store = report_folder.store
    data, evidence, _ = project_state(store)
    # (no history: its lines cut long values, and a payload cut inside an attribute, a
    # meta refresh whose quote is gone, sends an unescaped page somewhere else before it
    # can be looked at; the escaped report's history is checked with everything else)
    report = build_report(data, store.template(), [], evidence=evidence)
    page = html_report.render_html(report)
    monkeypatch.undo()
    assert "<script>" in page  # the escaping really is off
    name = "unescaped-with-csp.html"
    if not keep_csp:
        page = page.replace(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">', "")
        assert "Content-Security-Policy" not in page
        name = "unescaped-without-csp.html"
    path = report_folder.folder / name
    path.write_text(page, encoding="utf-8")
    return path


def remote(urls: list[str]) -> list[str]:
    return sorted({url for url in urls if REMOTE_HOST in url})


# ---------------------------------------------------------- in the browser


def test_no_script_runs_and_nothing_loads(in_browser: tuple[Opened, Opened]) -> None:
    hostile, _ = in_browser
    assert hostile.dom.marks() == set()
    assert not any(name.startswith("on") for _, a in hostile.dom.elements for name in a)
    assert not any("data-injected" in attrs for _, attrs in hostile.dom.elements)
    body = next(attrs for tag, attrs in hostile.dom.elements if tag == "body")
    assert body == {}
    assert remote(hostile.requested) == []


def test_title_is_the_typed_name(in_browser: tuple[Opened, Opened], attacked: Exported) -> None:
    hostile, _ = in_browser
    name = reveal_invisible(attacked.store.load().project.name)
    assert hostile.dom.title == f"Readiness report: {name} (NO-GO)"
    assert "pwned" not in hostile.dom.title.replace(name, "")


def test_hostile_text_changes_no_element(in_browser: tuple[Opened, Opened]) -> None:
    """The page has exactly the elements and attributes of one with plain text instead."""
    hostile, benign_page = in_browser
    assert hostile.dom.shape() == benign_page.dom.shape()
    for _, attrs in hostile.dom.elements:
        href = attrs.get("href")
        assert href is None or href.startswith("#"), href
        assert "src" not in attrs


def test_every_hostile_string_is_shown_as_text(
    in_browser: tuple[Opened, Opened], attacked: Exported
) -> None:
    hostile, _ = in_browser
    missing = [t[:80] for t in attacked.typed if not hostile.dom.shows(reveal_invisible(t))]
    assert missing == []
    assert hostile.dom.shows(reveal_invisible(BIG))  # the 100 KB string, whole
    # Hidden characters are shown, not obeyed.
    assert hostile.dom.shows("⟨U+202E⟩exe.tnemucod⟨U+202C⟩")
    assert hostile.dom.shows("zero⟨U+200B⟩width⟨U+2060⟩joiner⟨U+FEFF⟩bom⟨U+00AD⟩soft")
    assert hostile.dom.shows("null⟨U+0000⟩byte escape⟨U+001B⟩[31m bell⟨U+0007⟩")
    assert not any(ch in node for node in hostile.dom.texts for ch in "\u202e\u200b\x00\x1b")
    # Attribute payloads stay inside the attribute (the charts' accessible labels).
    labels = [a.get("aria-label", "") for _, a in hostile.dom.elements]
    for name in ATTRIBUTE_PAYLOADS:
        assert any(HOSTILE[name][:200] in label for label in labels), name


def test_the_policy_alone_stops_scripts_in_the_browser(
    browser: Browser, attacked: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even if escaping failed, the Content-Security-Policy would stop every payload."""
    opened = browser.open(unescaped_page(attacked, keep_csp=True, monkeypatch=monkeypatch))
    assert any("data-injected" in attrs for _, attrs in opened.dom.elements)  # markup got in
    assert opened.dom.marks() == set()  # but nothing ran
    assert "pwned" not in opened.dom.title
    assert remote(opened.requested) == []  # and nothing was fetched


def test_control_without_escaping_or_policy_the_payloads_run(
    browser: Browser, attacked: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shows the checks above can see an attack: here Chromium runs the payloads."""
    opened = browser.open(unescaped_page(attacked, keep_csp=False, monkeypatch=monkeypatch))
    assert {"script", "img", "timer"} <= opened.dom.marks()
    assert opened.dom.marks() <= MARKS
    assert remote(opened.requested) != []


# ------------------------------------------------------------- the policy


def parse_policy(page: str) -> dict[str, list[str]]:
    """The page's Content-Security-Policy, from its <meta>, as directive → sources."""
    metas = [
        attrs
        for tag, attrs in read_page(page).elements
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "content-security-policy"
    ]
    assert len(metas) == 1
    policy: dict[str, list[str]] = {}
    for part in metas[0]["content"].split(";"):
        words = part.split()
        if words:
            assert words[0].lower() not in policy, f"{words[0]} given twice"
            policy[words[0].lower()] = words[1:]
    return policy


FETCH_DIRECTIVES = (
    "script-src",
    "script-src-elem",
    "script-src-attr",
    "connect-src",
    "img-src",
    "style-src",
    "font-src",
    "frame-src",
    "child-src",
    "object-src",
    "media-src",
    "worker-src",
    "manifest-src",
)


def effective(policy: dict[str, list[str]], directive: str) -> list[str]:
    """The sources that apply to ``directive`` (falling back as browsers do)."""
    fallbacks = {
        "script-src-elem": "script-src",
        "script-src-attr": "script-src",
        "frame-src": "child-src",
        "worker-src": "child-src",
    }
    while directive not in policy and directive in fallbacks:
        directive = fallbacks[directive]
    return policy.get(directive, policy.get("default-src", []))


def test_policy_forbids_scripts_and_remote_loads(attacked: Exported) -> None:
    page = attacked.html.read_text(encoding="utf-8")
    head = page.split("<head>", 1)[1]
    assert head.lstrip().startswith('<meta http-equiv="Content-Security-Policy"')  # first
    policy = parse_policy(page)
    assert policy["default-src"] == ["'none'"]
    for directive in ("script-src", "script-src-elem", "script-src-attr", "object-src"):
        assert effective(policy, directive) == ["'none'"], directive
    for directive in FETCH_DIRECTIVES:
        for source in effective(policy, directive):
            # No host, no scheme that reaches out, no wildcard, no way to run inline code.
            assert source in ("'none'", "'unsafe-inline'", "data:"), (directive, source)
            if source == "'unsafe-inline'":
                assert directive == "style-src"
            if source == "data:":
                assert directive == "img-src"
    assert policy["base-uri"] == ["'none'"]
    assert policy["form-action"] == ["'none'"]


def test_exported_file_has_no_raw_hostile_markup(attacked: Exported) -> None:
    page = attacked.html.read_text(encoding="utf-8")
    for name, text in HOSTILE.items():
        if "<" in text or '"' in text:
            assert text not in page, name
    assert "<script" not in page.lower()
    assert BIG[:200] not in page


# ----------------------------------------------------------------- Markdown


def lax_markdown() -> MarkdownIt:
    """CommonMark with raw HTML on and every link scheme allowed: the least safe renderer."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True
    return md


def test_markdown_export_escapes_everything(attacked: Exported, plain: Exported) -> None:
    shown = lax_markdown().render(attacked.md.read_text(encoding="utf-8"))
    benign_shown = lax_markdown().render(plain.md.read_text(encoding="utf-8"))
    page = read_page(shown)
    # The same elements as the report with plain text: no tag, link or image got in.
    assert page.shape() == read_page(benign_shown).shape()
    tags = {tag for tag, _ in page.elements}
    assert not tags & {"script", "img", "a", "iframe", "svg", "style", "object", "form", "base"}
    assert "javascript:" not in " ".join(v for _, a in page.elements for v in a.values())
    # Every typed string reads as typed (Markdown joins a line break into a space).
    text = " ".join(" ".join(page.texts).split())  # (the parser has decoded entities)
    missing = [t[:80] for t in attacked.typed if " ".join(reveal_invisible(t).split()) not in text]
    assert missing == []
