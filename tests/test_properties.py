"""Properties: any text a person types survives the store, the TOML export and the JSON report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from core_support import memory_store
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workbench import operations
from workbench.catalog import default_template
from workbench.reports.json import render_json
from workbench.reports.model import build_report
from workbench.reports.toml import content_toml
from workbench.store import Store

ITEM = "testing.edge-cases"

# Any Unicode text except lone surrogates (which no file or terminal can carry).
any_text = st.text(alphabet=st.characters(exclude_categories=["Cs"]))
# Text as the models keep it: surrounding whitespace is trimmed on input, so leave none.
kept_text = any_text.filter(lambda s: s == s.strip())
title_text = st.text(
    alphabet=st.characters(exclude_categories=["Cs"]), min_size=1, max_size=200
).filter(lambda s: s == s.strip() and s != "")

PROPERTY = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.fixture(scope="module")
def shared_store() -> Iterator[Store]:
    s = memory_store()
    yield s
    s.close()


@pytest.fixture(scope="module")
def toml_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("toml") / "project.toml"


def through_toml(store: Store, toml_file: Path) -> None:
    """Store → TOML file → ProjectData gives back exactly what the store holds."""
    data = store.load()
    toml_file.write_text(content_toml(data), encoding="utf-8")
    assert operations.read_project_toml(toml_file) == data


@PROPERTY
@given(evidence=kept_text)
@example(evidence="pasted on Windows\r\nsecond line")
@example(evidence="x\x00y \"\"\" ''' \\ \u2028 \ufeff \x1b[31m")
def test_any_evidence_survives_store_and_toml(
    shared_store: Store, toml_file: Path, evidence: str
) -> None:
    operations.tick(shared_store, ITEM, "done", "ana", evidence=evidence)
    assert shared_store.get("item", ITEM).evidence == evidence
    assert next(i for i in shared_store.load().checklist if i.id == ITEM).evidence == evidence
    through_toml(shared_store, toml_file)


@PROPERTY
@given(title=title_text, rationale=any_text.map(str.strip))
@example(title="[/] <b>&amp;</b> | `x`", rationale="a\r\nb")
def test_any_decision_title_survives_store_toml_and_json(
    shared_store: Store, toml_file: Path, title: str, rationale: str
) -> None:
    record = operations.decide(shared_store, "ana", title=title, decision="d", rationale=rationale)
    saved = shared_store.get("decision", record.id)
    assert (saved.title, saved.rationale) == (title, rationale)
    through_toml(shared_store, toml_file)
    report = build_report(shared_store.load(), default_template(), [])
    decisions = json.loads(render_json(report))["decisions"]
    assert next(d for d in decisions if d["id"] == record.id)["title"] == title


@PROPERTY
@given(
    core=kept_text,
    before=st.sampled_from(["", " ", "\n", "\t "]),
    after=st.sampled_from(["", " ", "\n", " \r\n"]),
)
def test_surrounding_whitespace_is_trimmed_and_nothing_else(
    shared_store: Store, core: str, before: str, after: str
) -> None:
    operations.tick(shared_store, ITEM, "done", "ana", evidence=before + core + after)
    assert shared_store.get("item", ITEM).evidence == core


@settings(max_examples=25, deadline=None)
@given(evidence=kept_text)
def test_any_evidence_survives_a_real_file(
    evidence: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("file") / "p.sqlite"
    operations.create_project(path, name="P", risk="low", by="ana").close()
    with Store.open(path) as store:
        operations.tick(store, ITEM, "done", "ana", evidence=evidence)
    with Store.open(path) as store:
        assert store.get("item", ITEM).evidence == evidence
