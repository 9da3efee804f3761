"""The shipped template carries the guide's figures; a malformed template is refused clearly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from core_support import TEMPLATE_PATH, Runner

from workbench.catalog import default_template, load_template
from workbench.errors import TemplateError
from workbench.store import Store


def test_template_has_four_sections_of_five_items() -> None:
    template = default_template()
    assert [s.title for s in template.sections] == [
        "Testing",
        "Infrastructure",
        "Process",
        "Documentation",
    ]
    assert [len(s.items) for s in template.sections] == [5, 5, 5, 5]
    ids = [i.id for s in template.sections for i in s.items]
    assert len(set(ids)) == 20
    assert "testing.dataset-documented" in ids
    assert all(i.help for s in template.sections for i in s.items)


def test_test_set_minimums_by_risk() -> None:
    template = default_template()
    assert {r.id: r.min_test_cases for r in template.risk_levels} == {
        "low": 50,
        "medium": 200,
        "high": 500,
    }


def test_default_thresholds_match_the_guide() -> None:
    thresholds = {t.metric: (t.comparator, t.target, t.unit) for t in default_template().thresholds}
    assert thresholds == {
        "accuracy": (">", 0.90, "rate"),
        "hallucination_rate": ("<", 0.05, "rate"),
        "harmful_refusal_rate": (">", 0.95, "rate"),
        "response_time": ("<", 3.0, "seconds"),
        "error_rate": ("<", 0.01, "rate"),
    }


def test_rollout_stages_are_five_twenty_fifty_hundred_percent_by_week() -> None:
    stages = default_template().rollout_stages
    assert [(s.week, s.traffic) for s in stages] == [(1, 0.05), (2, 0.20), (3, 0.50), (4, 1.00)]
    assert all(s.criterion for s in stages)


def test_patterns_include_shadow_hitl_gradual_and_flags() -> None:
    template = default_template()
    assert [p.id for p in template.patterns] == [
        "shadow",
        "human-in-the-loop",
        "gradual-rollout",
        "feature-flags",
    ]
    shadow = template.pattern("shadow")
    assert shadow is not None and shadow.duration == "2-4 weeks"
    hitl = template.pattern("human-in-the-loop")
    assert hitl is not None
    assert any("95%" in criterion for criterion in hitl.remove_human_when)


def test_five_default_alerts_with_responses() -> None:
    alerts = {
        (a.id, a.comparator, a.value, a.unit, a.window_minutes) for a in default_template().alerts
    }
    assert alerts == {
        ("error-rate", ">", 0.05, "rate", 15),
        ("latency", ">", 10.0, "seconds", 0),
        ("user-complaints", ">", 3.0, "count", 60),
        ("cost-spike", ">", 2.0, "x baseline", 0),
        ("confidence-drop", "<", 0.7, "score", 0),
    }
    assert all(a.response for a in default_template().alerts)


def test_severity_levels_and_response_times() -> None:
    levels = [(s.id, s.response_minutes) for s in default_template().severity_levels]
    assert levels == [("critical", 15), ("high", 60), ("medium", 240), ("low", 1440)]


def test_three_rollback_options_and_four_playbook_phases() -> None:
    template = default_template()
    assert [r.id for r in template.rollback_options] == [
        "feature-flag",
        "version-rollback",
        "full-disable",
    ]
    assert all(r.speed and r.best_for for r in template.rollback_options)
    assert [p.window for p in template.playbook] == [
        "first 15 minutes",
        "first hour",
        "first day",
        "first week",
    ]


def test_testing_kinds_logging_and_oversight_are_present() -> None:
    template = default_template()
    assert [k.id for k in template.testing_kinds] == [
        "functional",
        "accuracy",
        "robustness",
        "bias",
    ]
    robustness = next(k for k in template.testing_kinds if k.id == "robustness")
    assert len(robustness.checks) == 4
    assert len(template.test_set.steps) == 5
    assert template.logging.always and template.logging.optionally and template.logging.never
    assert template.oversight.review_interface and template.oversight.reviewer_training
    assert template.oversight.fatigue


# ------------------------------------------------------------ malformed templates


def assert_refused(cli: Runner, tmp_path: Path, template: Path) -> str:
    """`workbench new --checklist` refuses: exit 2, one line, no traceback, no project file."""
    target = tmp_path / "p.sqlite"
    result = cli("new", target, "--name", "X", "--checklist", template)
    assert result.code == 2
    assert result.out == ""
    assert len(result.err.splitlines()) == 1
    assert "Traceback" not in result.err
    assert not target.exists()
    assert list(tmp_path.glob("p.sqlite*")) == []
    return result.err.strip()


def test_toml_syntax_error_names_the_file_and_the_line(cli: Runner, tmp_path: Path) -> None:
    lines = TEMPLATE_PATH.read_text(encoding="utf-8").splitlines()
    broken_line = next(i for i, line in enumerate(lines) if line.startswith("title = "))
    lines[broken_line] = 'title = "unterminated'
    bad = tmp_path / "bad.toml"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    message = assert_refused(cli, tmp_path, bad)
    assert str(bad) in message
    assert re.search(rf"\bline {broken_line + 1}\b", message), message


def test_missing_field_names_the_file_and_the_field(cli: Runner, tmp_path: Path) -> None:
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    bad_text = text.replace('  title = "Feature flags working"\n', "", 1)
    assert bad_text != text
    bad = tmp_path / "missing.toml"
    bad.write_text(bad_text, encoding="utf-8")
    message = assert_refused(cli, tmp_path, bad)
    assert str(bad) in message
    assert "sections[2].items[4].title" in message
    assert "required" in message.lower()


def test_wrong_type_names_the_file_and_the_field(cli: Runner, tmp_path: Path) -> None:
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    bad_text = text.replace("response_minutes = 60", 'response_minutes = "an hour"', 1)
    assert bad_text != text
    bad = tmp_path / "wrongtype.toml"
    bad.write_text(bad_text, encoding="utf-8")
    message = assert_refused(cli, tmp_path, bad)
    assert str(bad) in message
    assert "severity_levels[2].response_minutes" in message


def test_missing_template_file_is_refused(cli: Runner, tmp_path: Path) -> None:
    message = assert_refused(cli, tmp_path, tmp_path / "nope.toml")
    assert "nope.toml" in message


def test_template_that_is_not_utf8_is_refused(cli: Runner, tmp_path: Path) -> None:
    bad = tmp_path / "latin1.toml"
    bad.write_bytes('title = "caf\u00e9"\n'.encode("latin-1"))
    message = assert_refused(cli, tmp_path, bad)
    assert "UTF-8" in message


def test_load_template_raises_template_error(tmp_path: Path) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text('schema = 1\nid = "x"\ntitle = "X"\nsections = []\n', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"t\.toml: sections"):
        load_template(bad)


def test_copied_and_edited_template_starts_a_project(cli: Runner, tmp_path: Path) -> None:
    text = TEMPLATE_PATH.read_text(encoding="utf-8")
    mine = tmp_path / "ours.toml"
    mine.write_text(
        text.replace('title = "Bias testing done"', 'title = "Fairness review by our panel"', 1),
        encoding="utf-8",
    )
    target = tmp_path / "p.sqlite"
    result = cli("new", target, "--name", "Ours", "--risk", "low", "--checklist", mine)
    assert result.code == 0, result.err
    assert "20 checklist items" in result.out
    listing = cli("items", target)
    assert listing.code == 0
    assert "testing.bias-checked" in listing.out
    assert "Fairness review by our panel" in listing.out
    assert "Bias testing done" not in listing.out
    with Store.open(target) as store:
        # The project keeps its own template, so the edited copy can be deleted afterwards.
        titles = [i.title for s in store.template().sections for i in s.items]
    assert "Fairness review by our panel" in titles
    mine.unlink()
    assert cli("status", target).code == 0
