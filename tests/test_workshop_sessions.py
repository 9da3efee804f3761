"""Workshop sessions: when each started and ended, who led it and who came; what changed
since the last one; the history by date and by session; the report's list of sessions."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench import operations
from workbench.errors import InvalidValueError
from workbench.store import Store

ITEM = "testing.dataset-documented"


@pytest.fixture
def store(tmp_path: Path):
    with operations.create_project(
        tmp_path / "loans.sqlite", name="Loans", risk="high", by="ana"
    ) as store:
        yield store


def stamp(store: Store, change_at: str) -> None:
    """Put the newest change at ``change_at`` (the tests cannot wait for the clock)."""
    store.db.execute(
        "UPDATE changes SET at = ? WHERE id = (SELECT max(id) FROM changes)", [change_at]
    )


def test_a_session_records_its_start_end_facilitator_and_attendees(store: Store) -> None:
    operations.record_presence(store, "ana", seen=None, attendees=["Ana", "Ben"], editor="Ana")
    started = operations.start_session(store, "ana")
    assert (started.id, started.facilitator, started.attendees) == (1, "Ana", ["Ana", "Ben"])
    assert started.started_at and not started.ended_at
    operations.record_presence(store, "ana", seen=None, attendees=["Ana", "Ben", "Cleo"])
    ended = operations.end_session(store, "ana", note="thresholds agreed")
    assert ended.ended_at >= ended.started_at
    assert ended.attendees == ["Ana", "Ben", "Cleo"]  # who came during it counts
    assert ended.note == "thresholds agreed"
    summaries = [e for e in store.history(entity="session")]
    assert {e.field for e in summaries} >= {"*", "ended_at"}
    assert [s.id for s in store.load().sessions] == [1]


def test_one_session_at_a_time_and_ending_needs_one(store: Store) -> None:
    with pytest.raises(InvalidValueError, match="no workshop session is under way"):
        operations.end_session(store, "ana")
    operations.start_session(store, "ana", facilitator="Ana")
    with pytest.raises(InvalidValueError, match=r"session 1 .* is still under way: end it first"):
        operations.start_session(store, "ana")


def test_a_session_start_is_undoable(store: Store) -> None:
    operations.start_session(store, "ana")
    store.undo("ana")
    assert store.load().sessions == []


def test_what_changed_since_the_last_session(store: Store) -> None:
    operations.start_session(store, "ana", facilitator="Ana")
    operations.tick(store, ITEM, "done", "ana")
    operations.end_session(store, "ana")
    store.db.execute("UPDATE changes SET at = '2026-12-01T16:00:00+00:00'")
    store.db.execute("UPDATE sessions SET ended_at = '2026-12-01T17:00:00+00:00'")
    data = store.load()
    session, since = operations.last_session_mark(data)
    assert (session.id, since) == (1, "2026-12-01T17:00:00+00:00")
    operations.tick(store, ITEM, "open", "lee")
    operations.measure(store, "accuracy", 0.91, "sam", n=400)
    kinds, people = store.changes_since(since)
    assert kinds == {"item": 1, "threshold": 1}
    assert people == {"lee": 1, "sam": 1}


def test_history_by_date(store: Store) -> None:
    operations.tick(store, ITEM, "done", "ana")
    stamp(store, "2026-11-30T09:00:00+00:00")
    operations.tick(store, ITEM, "open", "ana")
    stamp(store, "2026-12-02T09:00:00+00:00")
    assert [e.new for e in store.history(entity="item", field="status", since="2026-12-01")] == [
        "open"
    ]
    assert [e.new for e in store.history(entity="item", field="status", until="2026-12-01")] == [
        "done"
    ]


def test_sessions_survive_the_toml_round_trip(store: Store, tmp_path: Path) -> None:
    from workbench.reports.toml import content_toml

    operations.start_session(store, "ana", facilitator="Ana", attendees=["Ana"])
    operations.end_session(store, "ana")
    text = content_toml(store.load())
    (tmp_path / "export.toml").write_text(text, encoding="utf-8")
    again = operations.read_project_toml(tmp_path / "export.toml")
    assert again.sessions == store.load().sessions


def test_the_command_line_starts_ends_and_lists_sessions(tmp_path: Path, cli) -> None:
    path = tmp_path / "loans.sqlite"
    assert cli("new", path, "--name", "Loans", "--risk", "high", "--by", "ana").code == 0
    assert "No workshop sessions" in cli("session", path).out
    started = cli("session", path, "--start", "--facilitator", "Ana", "--attendees", "Ana, Ben")
    assert started.code == 0 and "session 1 started, led by Ana" in started.out
    again = cli("session", path, "--start")
    assert again.code == 2 and "still under way: end it first" in again.err
    assert len(again.err.strip().splitlines()) == 1
    assert cli("tick", path, ITEM, "--status", "done", "--by", "ben").code == 0
    assert cli("session", path, "--end", "--note", "thresholds agreed").code == 0
    listed = cli("session", path).out
    assert "led by Ana" in listed and "(Ana, Ben)" in listed
    since = cli("history", path, "--since", "session:1").out
    assert "ben" in since and "session 1" in since
    wrong = cli("history", path, "--since", "session:4")
    assert wrong.code == 2 and "there is no session 4 (sessions held: 1)" in wrong.err
    bad = cli("history", path, "--since", "yesterday")
    assert bad.code == 2 and "is not a date" in bad.err
    nothing = cli("session", path, "--end")
    assert nothing.code == 2 and "no workshop session is under way" in nothing.err


def test_the_words_for_what_changed_since(store: Store) -> None:
    operations.start_session(store, "ana", facilitator="Ana")
    operations.end_session(store, "ana")
    store.db.execute("UPDATE changes SET at = '2026-12-01T16:00:00+00:00'")
    store.db.execute("UPDATE sessions SET ended_at = '2026-12-01T17:00:00+00:00'")
    since = operations.since_last_session(store, store.load())
    assert since is not None
    assert since.words() == "Since session 1 ended (2026-12-01 17:00 UTC): no changes."
    operations.tick(store, ITEM, "done", "lee")
    operations.tick(store, "testing.edge-cases", "done", "lee")
    operations.measure(store, "accuracy", 0.91, "sam", n=400)
    words = operations.since_last_session(store, store.load()).words()
    assert words == (
        "Since session 1 ended (2026-12-01 17:00 UTC): 3 changes by lee (2), sam (1)"
        " · 2 checklist items, 1 threshold"
    )


def test_the_report_lists_the_sessions_held(store: Store) -> None:
    from workbench.reports import build_report, render

    operations.start_session(store, "ana", facilitator="Ana", attendees=["Ana", "Ben"])
    operations.end_session(store, "ana", note="thresholds agreed")
    store.db.execute(
        "UPDATE sessions SET started_at = '2026-12-01T14:00:00+00:00', "
        "ended_at = '2026-12-01T16:30:00+00:00'"
    )
    operations.start_session(store, "ana", facilitator="Ben")
    store.db.execute("UPDATE sessions SET started_at = '2026-12-03T09:00:00+00:00' WHERE id = 2")
    report = build_report(store.load(), store.template(), store.history())
    markdown = render(report, "md")
    held = markdown.split("### Sessions held", 1)[1]
    assert "| 1 | 2026-12-01 14:00–16:30 UTC | Ana | Ana, Ben | thresholds agreed |" in held
    assert "| 2 | 2026-12-03 09:00 UTC, not ended | Ben |" in held
    html = render(report, "html")
    assert "<h3>Sessions held</h3>" in html
    assert "<td>2026-12-01 14:00–16:30 UTC</td>" in html
    import json

    sessions = json.loads(render(report, "json"))["sessions"]
    assert [s["facilitator"] for s in sessions] == ["Ana", "Ben"]
