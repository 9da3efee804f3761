"""Helpers shared by the core tests (the fixtures that use them live in conftest.py)."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from workbench import operations
from workbench.catalog import CHECKLISTS_DIR, DEFAULT_TEMPLATE, default_template, new_project_data
from workbench.models import EscalationStep, Risk
from workbench.store import Store

TEMPLATE_PATH = CHECKLISTS_DIR / f"{DEFAULT_TEMPLATE}.toml"
SAMPLE_TOML = Path(__file__).resolve().parent.parent / "sample_project" / "support-assistant.toml"


@dataclass
class Result:
    """What a person sees after running one command."""

    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


Runner = Callable[..., Result]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def memory_store(risk: Risk = "medium", name: str = "Demo") -> Store:
    """A fresh project in memory, started from the shipped template."""
    data = new_project_data(default_template(), name, risk)
    return Store.memory(data, TEMPLATE_PATH.read_text(encoding="utf-8"), by="creator")


def sign_everything(store: Store, by: str = "signer") -> None:
    """Every sign-off the project's risk level needs, of the content as it is now."""
    risk = store.get("project").risk
    for role in operations.required_signoffs(store.template(), risk):
        operations.sign_off(store, role, f"{by} ({role})")


def fill_everything(store: Store, by: str = "filler", sign: bool = True) -> None:
    """Satisfy every readiness check through the same edits the UI and the CLI make
    (with ``sign``, the required sign-offs last, so they are of the content as filled)."""
    data = store.load()
    for item in data.checklist:
        operations.tick(store, item.id, "done", by, evidence=f"evidence for {item.id}")
    good = {
        "accuracy": (0.97, 500),
        "hallucination_rate": (0.01, 500),
        "harmful_refusal_rate": (0.99, 500),
        "response_time": (1.2, None),
        "error_rate": (0.001, 2000),
    }
    for threshold in data.thresholds:
        store.update("threshold", threshold.metric, {"reasoning": "agreed in the workshop"}, by)
        value, n = good[threshold.metric]
        operations.measure(store, threshold.metric, value, by, n=n, source="eval run")
    minimum = operations.minimums(store.template())[data.project.risk]
    store.update("dataset", None, {"planned_size": minimum, "actual_size": minimum}, by)
    store.update("pattern", "gradual-rollout", {"chosen": True}, by)
    for alert in data.monitoring.alerts:
        store.update("alert", alert.id, {"owner": "ops"}, by)
    operations.set_rollback_tested(
        store, by, "feature-flag", dt.date(2026, 1, 5), "", "flag off in staging", seen=None
    )
    store.update("on_call", "Primary on-call", {"person": "Ana"}, by)
    store.insert("escalation", EscalationStep(step=1, contact="Duty manager"), by)
    for measure in data.oversight.measures:
        store.update("measure", measure.id, {"status": "in_place"}, by)
    operations.decide(store, by, title="Go live", decision="Ship it", rationale="All green")
    if sign:
        sign_everything(store)


def integrity(path: Path) -> str:
    """SQLite's integrity check of a file, opened read-only."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


@contextlib.contextmanager
def tmpfs(where: Path, size: str) -> Iterator[Path]:
    """A small file system of its own mounted at ``where`` (a full disk, a read-only
    mount); the test is skipped where mounting needs a root this machine does not give."""
    where.mkdir(exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=False)
