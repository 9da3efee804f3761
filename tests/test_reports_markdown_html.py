"""The Markdown and HTML readiness reports: what a reader sees, and that typed text stays text."""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
from html.parser import HTMLParser

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markupsafe import escape

from workbench import operations
from workbench.catalog import CHECKLISTS_DIR, DEFAULT_TEMPLATE, default_template, new_project_data
from workbench.models import Decision, EscalationStep, Risk
from workbench.reports import build_report, render
from workbench.reports.html import CSP, environment, render_html, threshold_chart
from workbench.reports.markdown import (
    escape_md,
    escape_md_cell,
    render_markdown,
    reveal_invisible,
)
from workbench.reports.model import Report
from workbench.reports.wording import HISTORY_LIMIT, SECTIONS
from workbench.store import Store
from workbench.units import format_value

TEMPLATE_TEXT = (CHECKLISTS_DIR / f"{DEFAULT_TEMPLATE}.toml").read_text(encoding="utf-8")
BY = "dana"

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover="x'
LINK = "[x](javascript:alert(1))"
PIPE = "a | b"
BOLD = "**b**"
RICH_MARKUP = "[/]"
RTL_OVERRIDE = "\u202egnp.exe\u202c"
ZERO_WIDTH = "zero\u200bwidth\u2060joiner"
HOSTILE = " ".join([SCRIPT, ATTRIBUTE, LINK, PIPE, BOLD, RICH_MARKUP, RTL_OVERRIDE, ZERO_WIDTH])


def markdown_renderer() -> MarkdownIt:
    """CommonMark with GFM tables and strikethrough, as wikis and pull requests render it."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


# ------------------------------------------------------------------ projects


def new_store(name: str = "Support assistant", risk: Risk = "medium") -> Store:
    data = new_project_data(default_template(), name, risk, owner="Dana")
    return Store.memory(data, TEMPLATE_TEXT, by="creator")


def report_of(store: Store) -> Report:
    return build_report(
        store.load(), store.template(), store.history(), generated_at="2026-05-03T10:00:00+00:00"
    )


def fill(store: Store) -> None:
    """A project half-way through its workshop: some evidence, measurements, decisions."""
    operations.tick(
        store, "testing.edge-cases", "done", BY, evidence="Suite run: 48/50", owner="Sam"
    )
    operations.tick(store, "testing.bias-checked", "na", BY, reason="Internal users only")
    for metric, value, n in (("accuracy", 0.93, 400), ("hallucination_rate", 0.06, 400)):
        store.update("threshold", metric, {"reasoning": f"agreed for {metric}"}, BY)
        operations.measure(store, metric, value, BY, n=n, source="eval run 7")
    store.update("threshold", "response_time", {"reasoning": "agents wait on it"}, BY)
    operations.measure(store, "response_time", 2.1, BY)
    store.update("pattern", "shadow", {"chosen": True, "notes": "Two weeks on live tickets"}, BY)
    store.update("stage", 1, {"status": "passed"}, BY)
    store.update("rollback", "feature-flag", {"last_tested": dt.date(2026, 4, 30)}, BY)
    store.update("on_call", "Primary on-call", {"person": "Alex"}, BY)
    first = operations.decide(
        store, BY, title="Shadow for two weeks", decision="2 weeks", rationale="Build confidence"
    )
    operations.decide(
        store,
        BY,
        title="Shadow for one week",
        decision="1 week",
        rationale="Volume is high",
        supersedes=first.id,
    )
    operations.park_question(store, "Who signs off the bias waiver?", BY, step="testing")
    store.update("workshop", None, {"attendees": ["Dana", "Sam", "Alex"]}, BY)


def complete(store: Store) -> None:
    """Satisfy every readiness check, through the same edits the UI and the CLI make."""
    data = store.load()
    for item in data.checklist:
        operations.tick(store, item.id, "done", BY, evidence=f"evidence for {item.id}")
    good = {
        "accuracy": (0.97, 500),
        "hallucination_rate": (0.01, 500),
        "harmful_refusal_rate": (0.99, 500),
        "response_time": (1.2, None),
        "error_rate": (0.001, 2000),
    }
    for threshold in data.thresholds:
        store.update("threshold", threshold.metric, {"reasoning": "agreed in the workshop"}, BY)
        value, n = good[threshold.metric]
        operations.measure(store, threshold.metric, value, BY, n=n, source="eval run")
    minimum = operations.minimums(store.template())[data.project.risk]
    store.update("dataset", None, {"planned_size": minimum, "actual_size": minimum}, BY)
    store.update("pattern", "gradual-rollout", {"chosen": True}, BY)
    for alert in data.monitoring.alerts:
        store.update("alert", alert.id, {"owner": "ops"}, BY)
    operations.set_rollback_tested(
        store, BY, "feature-flag", dt.date(2026, 1, 5), "", "flag off in staging", seen=None
    )
    store.update("on_call", "Primary on-call", {"person": "Ana"}, BY)
    store.insert("escalation", EscalationStep(step=1, contact="Duty manager"), BY)
    for measure in data.oversight.measures:
        store.update("measure", measure.id, {"status": "in_place"}, BY)
    operations.decide(store, BY, title="Go live", decision="Ship it", rationale="All green")


def hostile(store: Store) -> None:
    """Hostile text wherever a person types: name, evidence, decisions, reasoning, and more."""
    store.update("project", None, {"name": HOSTILE, "system": HOSTILE + "\n# heading"}, BY)
    operations.tick(
        store, "testing.edge-cases", "done", BY, evidence=HOSTILE + "\n- item", owner=HOSTILE
    )
    operations.tick(store, "testing.bias-checked", "na", BY, reason=HOSTILE)
    store.update("threshold", "accuracy", {"reasoning": HOSTILE}, BY)
    operations.measure(store, "accuracy", 0.5, BY, n=10, source=HOSTILE)
    decision = operations.decide(store, BY, title=HOSTILE, decision=HOSTILE, rationale=HOSTILE)
    operations.decide(
        store, BY, title="Later " + HOSTILE, decision="x", rationale="y", supersedes=decision.id
    )
    operations.park_question(store, HOSTILE, BY, step=HOSTILE)
    store.update("workshop", None, {"attendees": [HOSTILE]}, BY)
    store.update("stage", 2, {"criterion": HOSTILE, "status": "failed"}, BY)
    store.update("alert", "error-rate", {"owner": HOSTILE, "response": HOSTILE}, BY)
    store.insert("escalation", EscalationStep(step=1, contact=HOSTILE, when=HOSTILE), BY)


@pytest.fixture
def filled() -> Report:
    store = new_store()
    fill(store)
    return report_of(store)


@pytest.fixture
def attacked() -> Report:
    store = new_store()
    hostile(store)
    return report_of(store)


# ------------------------------------------------------------- HTML checking


VOID = {"meta", "br", "hr", "img", "input", "link", "col", "area", "base", "wbr", "source"}


class CheckedPage(HTMLParser):
    """Parses a page and records what a strict reader would complain about."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.errors: list[str] = []
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.headings: list[int] = []
        self.svg_titles = 0
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_startendtag(tag, attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "title" and "svg" in self.stack:
            self.svg_titles += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes <{self.stack[-1] if self.stack else None}>")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def check_page(page: str) -> CheckedPage:
    parser = CheckedPage()
    parser.feed(page)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    return parser


# ------------------------------------------------------------------- escaping


@pytest.mark.parametrize(
    ("typed", "escaped"),
    [
        ("<script>", r"\<script\>"),
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
        ("**bold**", r"\*\*bold\*\*"),
        ("a | b", r"a \| b"),
        ("back\\slash", r"back\\slash"),
        (
            "`code` _em_ #tag !{x} ~~s~~ &amp; $x$",
            r"\`code\` \_em\_ \#tag \!\{x\} \~\~s\~\~ \&amp; \$x\$",
        ),
        ("- not a list", r"\- not a list"),
        ("+ not a list", r"\+ not a list"),
        ("1. not a list", r"1\. not a list"),
        ("2) not a list", r"2\) not a list"),
        ("2.1 seconds", "2.1 seconds"),
        ("> not a quote", r"\> not a quote"),
        ("    not code", "not code"),
        ("---", r"\---"),
    ],
)
def test_escape_md_examples(typed: str, escaped: str) -> None:
    assert escape_md(typed) == escaped
    assert escape_md_cell(typed) == escaped


def test_escape_md_keeps_lines_but_escapes_each() -> None:
    assert escape_md("first\n\n# second\n===\r\n3. third") == "first\n\\# second\n\\===\n3\\. third"


def test_escape_md_cell_puts_everything_on_one_line_without_html() -> None:
    cell = escape_md_cell("one\ntwo\r\nthree | four")
    assert cell == r"one two three \| four"
    assert "<br" not in cell


def test_invisible_characters_are_shown() -> None:
    assert reveal_invisible("a\u202eb\u200bc\x00d") == "a⟨U+202E⟩b⟨U+200B⟩c⟨U+0000⟩d"
    assert reveal_invisible("tab\tand\nnewline") == "tab\tand\nnewline"
    # Scripts and emoji that need joiners, and right-to-left letters, are left alone.
    for kept in ("👩\u200d💻", "می\u200cخواهم", "مساعد الدعم", "עברית"):
        assert reveal_invisible(kept) == kept


def test_every_format_and_control_character_is_revealed() -> None:
    import unicodedata

    kept = {"\t", "\n", "\r", "\u200c", "\u200d"}
    missed = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if unicodedata.category(ch := chr(code)) in ("Cc", "Cf", "Zl", "Zp")
        and ch not in kept
        and reveal_invisible(ch) == ch
    ]
    assert missed == []


def _unescaped(text: str, char: str) -> bool:
    """Whether ``char`` occurs in ``text`` without a backslash escaping it."""
    backslashes = 0
    for ch in text:
        if ch == char and backslashes % 2 == 0:
            return True
        backslashes = backslashes + 1 if ch == "\\" else 0
    return False


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_md_leaves_nothing_markdown_could_act_on(text: str) -> None:
    for escaper in (escape_md, escape_md_cell):
        out = escaper(text)
        for char in "<>[]|*_`#!{}&":
            assert not _unescaped(out, char), (escaper.__name__, char, out)
    assert "\n" not in escape_md_cell(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escaped_cell_renders_exactly_as_typed(text: str) -> None:
    shown = markdown_renderer().renderInline(escape_md_cell(text))
    assert "<" not in shown  # no tag at all: no link, no emphasis, no HTML
    assert html.unescape(shown) == " ".join(reveal_invisible(text).split())


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_escaped_text_renders_as_one_plain_paragraph(text: str) -> None:
    shown = markdown_renderer().render(f"- item: {escape_md(text)}\n")
    tags = set(re.findall(r"</?([a-z0-9]+)", shown))
    assert tags <= {"ul", "li"}


@functools.cache
def _half_filled() -> Report:
    store = new_store()
    fill(store)
    return report_of(store)


def _with_decision(title: str) -> tuple[Decision, str]:
    """The decision as stored, and the page with it as the only decision."""
    decision = Decision(id=99, title=title, decision="d", rationale="r", status="accepted")
    base = _half_filled()
    data = base.content.model_copy(update={"decisions": [decision]})
    report = build_report(data, default_template(), [], generated_at=base.generated_at)
    return decision, render_html(report)


@settings(max_examples=100, deadline=None)
@given(title=st.text(min_size=1, max_size=300).filter(lambda t: t.strip()))
@example(title="<")
@example(title=SCRIPT)
@example(title="</h3><h1>x</h1><h3>")
@example(title="<!-- x")
def test_any_decision_title_is_escaped_everywhere(title: str) -> None:
    out = escape_md(title)
    for char in "<[|*":
        assert not _unescaped(out, char)
    assert "<" not in markdown_renderer().renderInline(escape_md_cell(title))

    decision, page = _with_decision(title)
    plain_page = _with_decision("plain")[1]
    assert f"<h3>Decision 99: {escape(reveal_invisible(decision.title))}</h3>" in page
    if "<" in title:
        assert f"Decision 99: {decision.title}" not in page
        if title not in plain_page:  # ("<" alone is in every page, as part of its tags)
            assert title not in page
    # The title changes no tag: the page has the same structure as with a plain title.
    plain = check_page(plain_page)
    assert [tag for tag, _ in check_page(page).tags] == [tag for tag, _ in plain.tags]


# ---------------------------------------------------------------- Markdown


def test_markdown_has_verdict_blockers_and_every_section(filled: Report) -> None:
    md = render_markdown(filled)
    assert md.startswith("# Readiness report: Support assistant\n")
    assert "**Verdict: NO-GO**" in md
    for blocker in filled.readiness.blockers:
        assert escape_md_cell(blocker.reason) in md
    for _, title in SECTIONS:
        assert f"\n## {title}\n" in md
    for section in filled.checklist_sections:
        assert f"\n### {section.title} (" in md
    assert render(filled, "md") == md


def test_markdown_shows_measured_value_with_n_and_interval(filled: Report) -> None:
    md = render_markdown(filled)
    accuracy = next(t for t in filled.thresholds if t.metric == "accuracy")
    m = accuracy.measured
    assert m.ci_low is not None and m.ci_high is not None
    interval = f"95% CI {format_value(m.ci_low, 'rate')} to {format_value(m.ci_high, 'rate')}"
    row = next(line for line in md.splitlines() if line.startswith("| Accuracy |"))
    assert escape_md_cell(f"{format_value(0.93, 'rate')} (n = 400; {interval})") in row
    assert "Met with confidence" in row
    assert "agreed for accuracy" in row
    assert escape_md_cell("> 90%") in row
    # Measured without n: the value alone.
    assert "| 2.1 s |" in md


def test_markdown_tables_keep_their_columns(filled: Report, attacked: Report) -> None:
    for report in (filled, attacked):
        shown = markdown_renderer().render(render_markdown(report))
        for table in re.findall(r"<table>.*?</table>", shown, flags=re.S):
            header = len(re.findall(r"<th[ >]", table.split("</thead>")[0]))
            for row in re.findall(r"<tbody>.*?</tbody>", table, flags=re.S)[0].split("</tr>")[:-1]:
                assert len(re.findall(r"<td[ >]", row)) == header


def test_markdown_sections_content(filled: Report) -> None:
    md = render_markdown(filled)
    assert "### Decision 1: Shadow for two weeks (superseded by decision 2)" in md
    assert "| Disable the feature flag |" in md and "last tested — → 2026-04-30 |" in md
    assert "| Week 1 | 5% | No critical issues have appeared | Passed |" in md
    assert "- **Shadow mode**: Two weeks on live tickets" in md
    assert "**Q1:** Who signs off the bias waiver?" in md
    assert "- Sam\n" in md
    assert "| Bias testing done | Not applicable | — | — | Internal users only |" in md
    assert "- **Never log:** Passwords or credentials" in md
    assert "#### Immediate (first 15 minutes)" in md
    assert "| Primary on-call | Alex |" in md


def test_markdown_escapes_hostile_text(attacked: Report) -> None:
    md = render_markdown(attacked)
    assert "<script>" not in md and "**b**" not in md and "[x](" not in md
    assert "\u202e" not in md and "\u200b" not in md
    assert escape_md_cell(HOSTILE) in md
    assert f"# Readiness report: {escape_md_cell(HOSTILE)}\n" in md
    shown = markdown_renderer().render(md)
    assert "<script" not in shown
    assert "<a " not in shown
    assert "<strong>b</strong>" not in shown
    assert "<h1>" in shown and shown.count("<h1>") == 1  # "# heading" in a field is text
    assert html.escape(SCRIPT, quote=False) in shown
    assert "[x](javascript:alert(1))" in html.unescape(shown)
    assert "⟨U+202E⟩" in shown and "⟨U+200B⟩" in shown


def test_markdown_history_is_the_latest_50(filled: Report) -> None:
    store = new_store()
    fill(store)
    for n in range(HISTORY_LIMIT):
        store.update("dataset", None, {"planned_size": n + 1}, BY)
    report = report_of(store)
    md = render_markdown(report)
    assert f"The latest {HISTORY_LIMIT} changes, newest first." in md
    assert f"| test-set plan: planned size {HISTORY_LIMIT - 1} → {HISTORY_LIMIT} |" in md
    assert "created project" not in md
    history_rows = md.split("## History")[1].count("\n| 2")
    assert history_rows == HISTORY_LIMIT


# -------------------------------------------------------------------- HTML


def test_html_is_one_self_contained_page(filled: Report) -> None:
    page = render_html(filled)
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">\n<head>\n')
    head = page.split("<head>", 1)[1]
    assert head.lstrip().startswith(f'<meta http-equiv="Content-Security-Policy" content="{CSP}">')
    assert '<meta charset="utf-8">' in page[:1024]
    assert "<script" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert "@import" not in page and "url(" not in page
    parsed = check_page(page)
    names = [tag for tag, _ in parsed.tags]
    assert names.count("style") == 1
    assert not {"script", "link", "img", "iframe", "object", "embed", "form"} & set(names)
    for _, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs)
        assert attrs.get("href") is None or (attrs["href"] or "").startswith("#")
    assert render(filled, "html") == page
    assert environment().autoescape is True


def test_html_accessibility(filled: Report) -> None:
    parsed = check_page(render_html(filled))
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1
    for before, after in zip(parsed.headings, parsed.headings[1:], strict=False):
        assert after <= before + 1, parsed.headings
    for tag, attrs in parsed.tags:
        if tag == "th":
            assert attrs.get("scope") in ("col", "row")
        if tag == "svg":
            assert attrs.get("role") == "img"
            assert attrs.get("aria-label")
    svgs = [attrs for tag, attrs in parsed.tags if tag == "svg"]
    assert len(svgs) == 2 + len(filled.thresholds)
    assert parsed.svg_titles == len(svgs)
    html_tag = next(attrs for tag, attrs in parsed.tags if tag == "html")
    assert html_tag["lang"] == "en"


def test_html_has_verdict_blockers_and_every_section(filled: Report) -> None:
    page = render_html(filled)
    parsed = check_page(page)
    text = " ".join(" ".join(parsed.text).split())
    assert "NO-GO" in text
    assert 'class="verdict verdict-no_go"' in page
    for blocker in filled.readiness.blockers:
        assert html.escape(blocker.reason) in page
    ids = {attrs.get("id") for _, attrs in parsed.tags}
    for anchor, title in SECTIONS:
        assert anchor in ids
        assert f'<h2 id="{anchor}-h">{html.escape(title)}' in page
    for section in filled.checklist_sections:
        assert f"<h3>{section.title} " in page
    assert "Decision 1: Shadow for two weeks" in text
    assert "Superseded by decision 2" in text
    assert "2026-04-30" in text
    assert "Who signs off the bias waiver?" in text


def test_html_shows_measured_value_with_n_and_interval(filled: Report) -> None:
    page = render_html(filled)
    text = " ".join(" ".join(check_page(page).text).split())
    accuracy = next(t for t in filled.thresholds if t.metric == "accuracy")
    m = accuracy.measured
    assert m.ci_low is not None and m.ci_high is not None
    interval = f"95% CI {format_value(m.ci_low, 'rate')} to {format_value(m.ci_high, 'rate')}"
    assert f"{format_value(0.93, 'rate')} n = 400 {interval}" in text
    assert "Met with confidence" in text
    label = (
        f"Accuracy: measured {format_value(0.93, 'rate')} (95% interval "
        f"{format_value(m.ci_low, 'rate')} to {format_value(m.ci_high, 'rate')}); "
        "target above 90%; met with confidence."
    )
    assert f'aria-label="{html.escape(label)}"' in page


@pytest.mark.parametrize(
    ("finish", "word", "css"),
    [
        ("none", "NO-GO", "no_go"),
        ("all", "GO", "go"),
        ("all but one item", "CONDITIONAL", "conditional"),
    ],
)
def test_verdict_badge_says_the_word(finish: str, word: str, css: str) -> None:
    store = new_store()
    if finish != "none":
        complete(store)
    if finish == "all but one item":
        operations.tick(store, "testing.edge-cases", "open", BY)
    report = report_of(store)
    page = render_html(report)
    assert f'class="verdict verdict-{css}"' in page
    assert re.search(rf'<span class="verdict-word">.*?</span> {word}</span>', page)
    assert f"**Verdict: {word}**" in render_markdown(report)


def test_html_escapes_hostile_text(attacked: Report) -> None:
    page = render_html(attacked)
    parsed = check_page(page)
    assert "<script" not in page.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert ATTRIBUTE not in page
    assert "&#34; onmouseover=&#34;x" in page
    assert "\u202e" not in page and "\u200b" not in page and "\u2060" not in page
    assert "⟨U+202E⟩gnp.exe⟨U+202C⟩" in page and "zero⟨U+200B⟩width" in page
    for _, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs)
        assert attrs.get("href") is None or (attrs["href"] or "").startswith("#")
    text = "".join(parsed.text)
    shown = reveal_invisible(HOSTILE)
    assert text.count(shown) >= 10  # name, evidence, decisions, reasoning, attendees, …
    assert f"<h1>{escape(shown)}</h1>" in page
    assert f"<title>Readiness report: {escape(shown)} (NO-GO)</title>" in page


def test_right_to_left_names_are_shown_as_typed() -> None:
    store = new_store(name="مساعد الدعم")
    page = render_html(report_of(store))
    assert "<h1>مساعد الدعم</h1>" in page
    assert "# Readiness report: مساعد الدعم" in render_markdown(report_of(store))


def test_threshold_scales() -> None:
    store = new_store()
    fill(store)
    report = report_of(store)
    by_metric = {t.metric: t for t in report.thresholds}
    rate = threshold_chart(by_metric["accuracy"])
    assert [t.text for t in rate.ticks] == ["0%", "25%", "50%", "75%", "100%"]
    assert rate.x0 < rate.target_x < rate.x1
    span = rate.x1 - rate.x0
    assert rate.target_x == pytest.approx(rate.x0 + 0.9 * span, abs=0.1)
    assert rate.value_x == pytest.approx(rate.x0 + 0.93 * span, abs=0.1)
    assert rate.ci_x is not None and rate.value_x is not None
    assert rate.ci_x < rate.value_x < rate.ci_x + rate.ci_width
    assert rate.pass_x == rate.target_x  # "> 90%": the passing side is to the right
    seconds = threshold_chart(by_metric["response_time"])
    assert seconds.ticks[-1].text == "4.5 s"  # max(3, 2.1) * 1.5
    assert seconds.pass_x == seconds.x0  # "< 3 s": the passing side is to the left
    assert seconds.ci_x is None
    unmeasured = threshold_chart(by_metric["error_rate"])
    assert unmeasured.value_x is None and unmeasured.status == "none"


def test_empty_project_renders() -> None:
    data = new_project_data(default_template(), "Bare", "low")
    bare = data.model_copy(
        update={
            "checklist": [],
            "thresholds": [],
            "rollout": data.rollout.model_copy(update={"patterns": [], "stages": []}),
        }
    )
    report = build_report(bare, default_template(), [], generated_at="not a date")
    md = render_markdown(report)
    assert "No thresholds defined." in md and "No changes recorded." in md
    check_page(render_html(report))


def test_multiline_text_keeps_its_lines_and_nothing_else() -> None:
    store = new_store()
    evidence = "Run 7: 48/50\n\n<b>second</b> line\x1cthird"
    operations.tick(store, "testing.edge-cases", "done", BY, evidence=evidence)
    report = report_of(store)
    page = render_html(report)
    assert "<td>Run 7: 48/50<br>&lt;b&gt;second&lt;/b&gt; line⟨U+001C⟩third</td>" in page
    row = next(line for line in render_markdown(report).splitlines() if "Run 7" in line)
    assert r"| Run 7: 48/50 \<b\>second\</b\> line⟨U+001C⟩third |" in row


def test_templates_never_switch_escaping_off() -> None:
    from workbench.reports.html import TEMPLATES_DIR

    for path in TEMPLATES_DIR.iterdir():
        source = path.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", "")
        assert "autoescape false" not in source
        assert "http://" not in source and "https://" not in source


def test_threshold_scale_survives_odd_numbers() -> None:
    store = new_store()
    report = report_of(store)
    odd = report.thresholds[0].model_copy(update={"unit": "count", "target": 0.0})
    chart = threshold_chart(odd)
    assert chart.ticks[-1].text == "1"  # nothing above zero: a 0 to 1 scale
    for value in (float("inf"), float("nan"), -5.0):
        chart = threshold_chart(odd.model_copy(update={"target": value}))
        for position in (chart.target_x, chart.pass_x, *(t.x for t in chart.ticks)):
            assert chart.x0 <= position <= chart.x1  # (False for NaN)
        assert 0 <= chart.pass_width <= chart.x1 - chart.x0
