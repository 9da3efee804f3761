"""Properties of whole projects: any project survives the file, the TOML export and the reports.

Hypothesis builds projects with any Unicode text (no lone surrogates, which no
file can carry), numbers at the edges of what the models allow, and many items;
then checks that

* store → load gives the same project;
* export as TOML → ``workbench new --from`` → load gives the same project
  (its creation time aside);
* the HTML report shows no generated string containing ``<`` raw, and every
  string in the Markdown report leaves nothing Markdown or HTML could act on.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from core_support import TEMPLATE_PATH
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pydantic import ValidationError

from workbench import operations
from workbench.catalog import default_template
from workbench.export import export_reports
from workbench.models import (
    AREAS,
    COMPARATORS,
    DECISION_STATUSES,
    ITEM_STATUSES,
    MAX_WHOLE,
    OVERSIGHT_KINDS,
    RISKS,
    STAGE_STATUSES,
    ProjectData,
)
from workbench.reports import build_report
from workbench.reports.html import TEMPLATES_DIR, render_html
from workbench.reports.markdown import (
    escape_md,
    escape_md_cell,
    render_markdown,
    reveal_invisible,
)
from workbench.store import Store

T = TypeVar("T")
UNITS = ("rate", "seconds", "count", "score", "x baseline")
BIG = float(MAX_WHOLE)  # the largest value a project keeps in seconds, counts, scores

PROJECTS = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# ------------------------------------------------------------------ strategies

characters = st.characters(exclude_categories=["Cs"])


def text(max_size: int = 60, min_size: int = 0) -> st.SearchStrategy[str]:
    """Any text as a model keeps it (surrounding whitespace is trimmed on input)."""
    raw = st.text(alphabet=characters, max_size=max_size)
    kept = raw.map(str.strip)
    if min_size:
        kept = kept.filter(lambda s: len(s) >= min_size)
    return kept


slugs = st.from_regex(r"[a-z0-9][a-z0-9_.\-]{0,15}", fullmatch=True)
wholes = st.integers(min_value=0, max_value=MAX_WHOLE) | st.sampled_from([0, 1, MAX_WHOLE])
finite = st.floats(allow_nan=False, allow_infinity=False)


def value_for(unit: str) -> st.SearchStrategy[float]:
    if unit == "rate":
        return st.floats(0, 1) | st.sampled_from([0.0, 1.0, 5e-324])
    if unit == "score":
        return finite.filter(lambda v: abs(v) <= BIG) | st.sampled_from([-BIG, BIG, -0.0])
    return st.floats(0, BIG) | st.sampled_from([0.0, BIG, 5e-324])


def unique(
    draw: Callable[..., Any], keys: st.SearchStrategy[T], max_size: int, min_size: int = 0
) -> list[T]:
    return draw(st.lists(keys, min_size=min_size, max_size=max_size, unique=True))


def ordered(draw: Callable[..., Any], count: int, low: int, high: int) -> list[int]:
    """``count`` distinct whole numbers in [low, high], ascending (a list's stored order)."""
    edges = st.sampled_from([low, high]) | st.integers(low, high)
    found = draw(st.lists(edges, min_size=count, max_size=count, unique=True))
    return sorted(found)


@st.composite
def measurements(draw: Callable[..., Any], unit: str) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    value = draw(value_for(unit))
    measured: dict[str, Any] = {
        "value": value,
        "n": draw(st.none() | wholes),
        "source": draw(text(80)),
        "at": draw(text(30)),
    }
    if draw(st.booleans()):
        measured["ci_low"] = draw(st.floats(-BIG, value)) if value > -BIG else value
        measured["ci_high"] = draw(st.floats(value, BIG)) if value < BIG else value
    return measured


@st.composite
def projects(draw: Callable[..., Any]) -> ProjectData:
    item_ids = unique(draw, slugs, 40)
    item_positions = ordered(draw, len(item_ids), -MAX_WHOLE, MAX_WHOLE)
    checklist = []
    for item_id, position in zip(item_ids, item_positions, strict=True):
        status = draw(st.sampled_from(ITEM_STATUSES))
        checklist.append(
            {
                "id": item_id,
                "section": draw(slugs),
                "title": draw(text(80, 1)),
                "help": draw(text()),
                "area": draw(st.sampled_from(AREAS)),
                "status": status,
                "reason": draw(text(60, 1 if status == "na" else 0)),
                "owner": draw(text(40)),
                "evidence": draw(text(300)),
                "updated_by": draw(text(20)),
                "updated_at": draw(text(30)),
                "position": position,
            }
        )
    metrics = unique(draw, slugs, 8)
    thresholds = []
    for position, metric in zip(ordered(draw, len(metrics), 0, MAX_WHOLE), metrics, strict=True):
        unit = draw(st.sampled_from(UNITS))
        thresholds.append(
            {
                "metric": metric,
                "name": draw(text(60, 1)),
                "definition": draw(text()),
                "comparator": draw(st.sampled_from(COMPARATORS)),
                "target": draw(value_for(unit)),
                "unit": unit,
                "reasoning": draw(text(200)),
                "hint": draw(text()),
                "measured": draw(measurements(unit)),
                "position": position,
            }
        )
    categories = unique(draw, text(30, 1), 5)
    weeks = ordered(draw, draw(st.integers(0, 5)), 1, 520)
    pattern_ids = unique(draw, slugs, 4)
    alert_ids = unique(draw, slugs, 5)
    alerts = []
    for position, alert_id in zip(ordered(draw, len(alert_ids), 0, 9), alert_ids, strict=True):
        unit = draw(st.sampled_from(UNITS))
        alerts.append(
            {
                "id": alert_id,
                "signal": draw(text(40, 1)),
                "comparator": draw(st.sampled_from(COMPARATORS)),
                "value": draw(value_for(unit)),
                "unit": unit,
                "window_minutes": draw(wholes),
                "condition": draw(text(40)),
                "response": draw(text()),
                "owner": draw(text(30)),
                "enabled": draw(st.booleans()),
                "position": position,
            }
        )
    decision_ids = ordered(draw, draw(st.integers(0, 12)), 1, MAX_WHOLE)
    decisions = []
    for index, decision_id in enumerate(decision_ids):
        earlier = decision_ids[:index]
        decisions.append(
            {
                "id": decision_id,
                "title": draw(text(100, 1)),
                "context": draw(text()),
                "decision": draw(text()),
                "rationale": draw(text(200)),
                "alternatives": draw(text()),
                "owner": draw(text(30)),
                "date": draw(text(12)),
                "status": draw(st.sampled_from(DECISION_STATUSES)),
                "supersedes": draw(st.none() | st.sampled_from(earlier)) if earlier else None,
                "links": draw(
                    st.lists(
                        st.tuples(st.sampled_from(["threshold", "item"]), text(20, 1)).map(
                            ":".join
                        ),
                        max_size=3,
                    )
                ),
            }
        )
    question_ids = ordered(draw, draw(st.integers(0, 6)), 1, MAX_WHOLE)
    data = {
        "project": {
            "name": draw(text(100, 1)),
            "system": draw(text(300)),
            "use": draw(text()),
            "risk": draw(st.sampled_from(RISKS)),
            "owner": draw(text(40)),
            "template": draw(text(30)),
            "created_at": draw(text(30)),
        },
        "checklist": checklist,
        "thresholds": thresholds,
        "dataset": {
            "planned_size": draw(wholes),
            "actual_size": draw(wholes),
            "edge_cases": draw(wholes),
            "adversarial_cases": draw(wholes),
            "notes": draw(text()),
            "composition": [
                {"category": c, "planned": draw(wholes), "actual": draw(wholes)} for c in categories
            ],
            "max_group_gap": draw(st.floats(0, 1)),
        },
        "rollout": {
            "patterns": [
                {
                    "id": pattern_id,
                    "title": draw(text(40, 1)),
                    "summary": draw(text()),
                    "chosen": draw(st.booleans()),
                    "notes": draw(text()),
                    "position": position,
                }
                for position, pattern_id in zip(
                    ordered(draw, len(pattern_ids), 0, 9), pattern_ids, strict=True
                )
            ],
            "stages": [
                {
                    "week": week,
                    "traffic": draw(st.floats(0, 1, exclude_min=True)),
                    "criterion": draw(text()),
                    "status": draw(st.sampled_from(STAGE_STATUSES)),
                }
                for week in weeks
            ],
            "settings": {
                "shadow_weeks": draw(st.integers(0, 52)),
                "shadow_comparison": draw(text()),
                "hitl_approval_target": draw(st.floats(0, 1)),
                "hitl_notes": draw(text()),
                "flag_tool": draw(text(30)),
            },
        },
        "monitoring": {
            "alerts": alerts,
            "logging": {
                "always": draw(st.lists(text(40), max_size=4)),
                "optionally": draw(st.lists(text(40), max_size=4)),
                "never": draw(st.lists(text(40), max_size=4)),
                "retention_days": draw(st.integers(0, 36500)),
                "retention_note": draw(text()),
            },
        },
        "incident_response": {
            "severity_levels": [
                {
                    "id": level_id,
                    "title": draw(text(30, 1)),
                    "definition": draw(text()),
                    "response_minutes": draw(st.integers(1, MAX_WHOLE)),
                    "example": draw(text()),
                    "position": position,
                }
                for position, level_id in enumerate(unique(draw, slugs, 4))
            ],
            "playbook": [
                {
                    "id": phase_id,
                    "title": draw(text(30, 1)),
                    "window": draw(text(20)),
                    "steps": draw(st.lists(text(), max_size=4)),
                    "position": position,
                }
                for position, phase_id in enumerate(unique(draw, slugs, 3))
            ],
            "rollback_options": [
                {
                    "id": option_id,
                    "title": draw(text(30, 1)),
                    "description": draw(text()),
                    "speed": draw(text(20)),
                    "best_for": draw(text()),
                    "last_tested": draw(
                        st.none() | st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))
                    ),
                    "position": position,
                }
                for position, option_id in enumerate(unique(draw, slugs, 3))
            ],
            "on_call": [
                {"role": role, "person": draw(text(30))} for role in unique(draw, text(30, 1), 3)
            ],
            "escalation": [
                {"step": step, "contact": draw(text(30, 1)), "when": draw(text())}
                for step in ordered(draw, draw(st.integers(0, 4)), 1, MAX_WHOLE)
            ],
        },
        "oversight": {
            "measures": [
                {
                    "id": measure_id,
                    "kind": draw(st.sampled_from(OVERSIGHT_KINDS)),
                    "text": draw(text(80, 1)),
                    "status": draw(st.sampled_from(["planned", "in_place"])),
                    "notes": draw(text()),
                    "position": position,
                }
                for position, measure_id in enumerate(unique(draw, slugs, 5))
            ]
        },
        "decisions": decisions,
        "parking_lot": [
            {
                "id": question_id,
                "text": draw(text(80, 1)),
                "raised_by": draw(text(30)),
                "step": draw(text(20)),
                "resolved": draw(st.booleans()),
            }
            for question_id in question_ids
        ],
        "workshop": {
            "attendees": draw(st.lists(text(30), max_size=5)),
            "editor": draw(text(30)),
            "step": draw(text(20)),
        },
    }
    return ProjectData.model_validate(data)


TEMPLATE_TEXT = TEMPLATE_PATH.read_text(encoding="utf-8")


def strings_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


# ------------------------------------------------------------------ properties


@PROJECTS
@given(data=projects())
def test_store_then_load_gives_the_same_project(data: ProjectData) -> None:
    with Store.memory(data, TEMPLATE_TEXT) as store:
        assert store.load() == data


@PROJECTS
@given(data=projects())
def test_a_real_file_gives_the_same_project(
    data: ProjectData, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("file") / "p.sqlite"
    Store.create(path, data, TEMPLATE_TEXT, "creator").close()
    with Store.open(path) as store:
        assert store.load() == data


@PROJECTS
@given(data=projects())
def test_toml_export_then_new_from_gives_the_same_project(
    data: ProjectData, tmp_path_factory: pytest.TempPathFactory
) -> None:
    folder = tmp_path_factory.mktemp("toml")
    with Store.create(folder / "p.sqlite", data, TEMPLATE_TEXT, "creator") as store:
        [(_, exported)] = export_reports(store, ["toml"], output=folder / "p.toml")
    again = operations.create_project(
        folder / "again.sqlite", name=None, risk=None, by="importer", from_toml=exported
    )
    with again:
        loaded = again.load()
    created = data.project.created_at or loaded.project.created_at  # filled in when empty
    assert loaded == data.model_copy(
        update={"project": data.project.model_copy(update={"created_at": created})}
    )


def _unescaped(text: str, char: str) -> bool:
    backslashes = 0
    for ch in text:
        if ch == char and backslashes % 2 == 0:
            return True
        backslashes = backslashes + 1 if ch == "\\" else 0
    return False


TEMPLATE_SOURCE = "".join(
    path.read_text(encoding="utf-8") for path in sorted(TEMPLATES_DIR.iterdir())
)
TEMPLATE_TAGS = set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", TEMPLATE_SOURCE))
RAW_LT = re.compile(r"<(?=[^a-zA-Z/!])")  # a "<" followed by what starts no tag
# What the Markdown report itself is made of, once rendered (raw HTML on: the least safe way).
MARKDOWN_TAGS = {"h1", "h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "em", "hr"} | {
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def lax_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True
    return md


@PROJECTS
@given(data=projects())
def test_reports_escape_every_string(data: ProjectData) -> None:
    report = build_report(data, default_template(), [], generated_at="2026-01-01T00:00:00+00:00")
    page = render_html(report)
    strings = strings_in(data.model_dump(mode="json"))
    # Every "<" in the page starts one of the template's own tags: none comes from the data.
    assert RAW_LT.search(page) is None
    assert set(re.findall(r"</?([a-zA-Z][a-zA-Z0-9]*)", page)) <= TEMPLATE_TAGS
    for string in strings:
        if RAW_LT.search(string):  # it could not be mistaken for the page's own markup
            assert string not in page, string[:80]
    for string in strings:
        for escaped in (escape_md(string), escape_md_cell(string)):
            for char in "<>[]|*_`#!{}&~$":
                assert not _unescaped(escaped, char), (char, escaped[:80])
    shown = lax_markdown().render(render_markdown(report))
    heading = html.unescape(shown.split("<h1>", 1)[1].split("</h1>", 1)[0])
    assert heading == "Readiness report: " + " ".join(reveal_invisible(data.project.name).split())
    assert set(re.findall(r"<([a-zA-Z][a-zA-Z0-9]*)", shown)) <= MARKDOWN_TAGS


@pytest.mark.parametrize(
    ("where", "twice"),
    [
        ("incident_response", {"on_call": [{"role": "Primary"}, {"role": "Primary"}]}),
        (
            "incident_response",
            {"escalation": [{"step": 1, "contact": "A"}, {"step": 1, "contact": "B"}]},
        ),
        (None, {"parking_lot": [{"id": 1, "text": "a?"}, {"id": 1, "text": "b?"}]}),
    ],
    ids=["on-call role", "escalation step", "parked question"],
)
def test_a_key_the_file_keeps_once_cannot_be_given_twice(
    where: str | None, twice: dict[str, Any]
) -> None:
    """(Found by the properties above: the second one used to replace the first, silently.)"""
    raw: dict[str, Any] = {"project": {"name": "P"}, **({where: twice} if where else twice)}
    with pytest.raises(ValidationError, match="appears twice"):
        ProjectData.model_validate(raw)
