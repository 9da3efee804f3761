"""The scripting command line: the same operations the UI offers, for CI and the shell.

Exit status: 0 success (``check``: the verdict is go, or conditional with
``--allow-conditional``), 1 ``check`` found the project not ready, 2 bad usage
or a bad file, with a one-line message and never a traceback.

Everything printed passes through ``_Revealing``: a control, format or bidi character
from a project, a template or a results file (an escape sequence that would clear the
screen, retitle the terminal or reorder a line) is shown as ``⟨U+XXXX⟩``, never obeyed.
``--json`` output writes such characters as JSON escapes, so it stays the same JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sqlite3
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

from workbench import __version__
from workbench.errors import InvalidValueError, WorkbenchError
from workbench.invisible import escape_invisible_json, reveal_controls
from workbench.vocab import COMPARATORS, ITEM_STATUSES, RISKS

if TYPE_CHECKING:
    from workbench.store import Store

EXIT_OK, EXIT_NOT_READY, EXIT_USAGE = 0, 1, 2
# import-results of a file that is already a run: nothing imported, and not a success
EXIT_ALREADY_IMPORTED = 3


class UsageError(WorkbenchError):
    pass


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line that says where to look."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{_did_you_mean(message)} (see: {self.prog} --help)")


def _did_you_mean(message: str) -> str:
    """argparse's "invalid choice: 'chek' (choose from …)" with the closest choice in
    place of the whole list, where one is close."""
    import difflib
    import re

    found = re.search(r"invalid choice: '([^']*)' \(choose from (.*)\)", message)
    if found is None:
        return message
    choices = re.findall(r"'([^']*)'", found.group(2)) or [
        c.strip() for c in found.group(2).split(",")
    ]
    close = difflib.get_close_matches(found.group(1), choices, n=1, cutoff=0.6)
    if not close:
        return message
    return (
        message[: found.start()] + f"invalid choice: {found.group(1)!r}; did you mean {close[0]!r}?"
    )


# ------------------------------------------------------------------ output


class _Revealing:
    """A text stream that shows invisible characters instead of passing them on.

    ``sys.stdout`` and ``sys.stderr`` are wrapped in one while a command runs, so every
    value it prints (a project's names, a results file's groups, a path in an error
    message) reaches the terminal as text: control characters (an escape sequence, C0 and
    C1 controls), bidi overrides and zero-width characters are shown as ``⟨U+XXXX⟩``
    (``workbench.invisible``, as the UI and the reports show them). Newlines and tabs
    stay. What the CLI itself draws with a control character (the progress bar's carriage
    return) goes to ``unrevealed``."""

    def __init__(self, stream: IO[str]) -> None:
        self.unrevealed = stream

    def write(self, text: str) -> int:
        self.unrevealed.write(reveal_controls(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.unrevealed, name)


_ONE_LINE = str.maketrans({"\n": "⟨U+000A⟩", "\r": "⟨U+000D⟩"})


def _v(value: object) -> str:
    """A value from a project or a file, as one line of output: a newline in a name or a
    label is shown, so that it cannot start a line of its own (a fake verdict)."""
    return str(value).translate(_ONE_LINE)


def _unrevealed(stream: Any) -> Any:
    return stream.unrevealed if isinstance(stream, _Revealing) else stream


def _print_json(value: Any) -> None:
    """``value`` as indented JSON, its invisible characters as ``\\uXXXX`` escapes: valid
    JSON with the same strings, and nothing in it a terminal would obey."""
    print(escape_invisible_json(json.dumps(value, indent=2, ensure_ascii=False)))


def _rate_or_number(text: str) -> float:
    """A number; ``93%`` is read as the fraction 0.93."""
    raw = text.strip()
    try:
        if raw.endswith("%"):
            return float(raw[:-1]) / 100
        return float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number (write 0.93 or 93%)") from None


# The largest whole number a project keeps (models.MAX_WHOLE; not imported, to keep
# the start fast): a run id, a case count or a --limit above it cannot be one.
MAX_WHOLE = 10**12


def _quoted(text: str) -> str:
    """A typed value as an error message quotes it: in full, unless it is very long."""
    return repr(text) if len(text) <= 60 else f"{text[:40]!r}… ({len(text)} characters)"


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:  # (also a number of more than 4,300 digits)
        raise argparse.ArgumentTypeError(f"{_quoted(text)} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{_quoted(text)} must be at least 1")
    if value > MAX_WHOLE:
        raise argparse.ArgumentTypeError(f"{_quoted(text)} is too large (at most {MAX_WHOLE})")
    return value


def _open(path: str) -> Store:
    from workbench.store import Store

    return Store.open(Path(path))


def _user(args: argparse.Namespace) -> str:
    from workbench.operations import default_user

    return getattr(args, "by", None) or default_user()


# ---------------------------------------------------------------- the commands


def cmd_new(args: argparse.Namespace) -> int:
    from workbench.operations import create_project

    if not args.path.strip():
        raise UsageError(
            "give the new project a file name: workbench new chatbot.sqlite --name NAME"
        )
    if args.checklist and args.from_toml:
        raise UsageError("give either --checklist or --from, not both")
    if not args.from_toml and not args.name:
        raise UsageError("a new project needs --name NAME (or --from FILE.toml)")
    store = create_project(
        Path(args.path),
        name=args.name,
        risk=args.risk,
        by=_user(args),
        checklist=Path(args.checklist) if args.checklist else None,
        from_toml=Path(args.from_toml) if args.from_toml else None,
        owner=args.owner or "",
        system=args.system or "",
    )
    with store:
        data = store.load()
        for journal in store.set_aside:
            print(f"A journal left by an earlier file of this name was moved aside: {journal}")
        print(
            f"Created {args.path}: {data.project.name!r}, {data.project.risk} risk, "
            f"{len(data.checklist)} checklist items, {len(data.thresholds)} thresholds."
        )
        print(f"Next: workbench open {args.path}   (or: workbench status {args.path})")
    return EXIT_OK


def _bar(fraction: float, width: int = 20) -> str:
    filled = round(fraction * width)
    return "█" * filled + "·" * (width - filled)


def cmd_status(args: argparse.Namespace) -> int:
    from workbench.operations import project_state
    from workbench.vocab import VERDICT_TITLES

    with _open(args.path) as store:
        data, evidence, result = project_state(store)
    done = sum(i.status != "open" for i in data.checklist)
    latest = next((r for r in evidence.runs if r.id == evidence.latest), None)
    if args.json:
        _print_json(
            {
                "project": {"name": data.project.name, "risk": data.project.risk},
                "verdict": result.verdict,
                "checklist": {"closed": done, "total": len(data.checklist)},
                "latest_run": None
                if latest is None
                else {
                    "id": latest.id,
                    "label": latest.label,
                    "cases": latest.rows,
                    "imported_at": latest.imported_at,
                },
                "runs": len(evidence.runs),
                "readiness": result.model_dump(mode="json"),
            }
        )
        return EXIT_OK
    print(f"{_v(data.project.name)}  ({data.project.risk} risk)")
    if data.project.system:
        print(data.project.system.splitlines()[0][:200])
    print(f"Verdict: {VERDICT_TITLES[result.verdict]}")
    print(f"Checklist: {done}/{len(data.checklist)} done or not applicable")
    if latest is not None:
        print(
            f"Evidence: run {latest.id} {latest.label!r}, {latest.rows} cases, "
            f"imported {latest.imported_at[:10]} ({len(evidence.runs)} run(s) in all)"
        )
    else:
        print("Evidence: no evaluation runs yet (workbench import-results PATH FILE)")
    print()
    for score in result.scores:
        print(f"  {_v(score.title):<20} {_bar(score.score)} {score.passed:>3}/{score.total:<3}")
    if result.blockers:
        print(f"\nBlockers ({len(result.blockers)}):")
        for blocker in result.blockers:
            print(f"  ✗ {_v(blocker.reason)}   [{_v(blocker.where)}]")
    if result.open_points:
        print(f"\nOpen points ({len(result.open_points)}):")
        limit = len(result.open_points) if args.all else 10
        for point in result.open_points[:limit]:
            print(f"  • {_v(point.reason)}   [{_v(point.where)}]")
        if len(result.open_points) > limit:
            print(f"  … and {len(result.open_points) - limit} more (workbench status --all)")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from workbench.files import write_atomic
    from workbench.operations import project_state
    from workbench.reports.junit import render_junit
    from workbench.vocab import VERDICT_TITLES

    with _open(args.path) as store:
        data, _evidence, result = project_state(store)
    if args.junit:
        write_atomic(
            Path(args.junit), render_junit(data.project.name, result, args.allow_conditional)
        )
    ok = result.verdict == "go" or (result.verdict == "conditional" and args.allow_conditional)
    record = result.governance
    unsigned = record.missing_roles if args.require_signoff else []
    overdue = (
        [p for p in result.blockers + result.open_points if p.overdue]
        if args.fail_on_overdue
        else []
    )
    ok = ok and not unsigned and not overdue
    if args.json:
        _print_json(
            {
                **result.model_dump(mode="json"),
                "signoffs": [s.model_dump(mode="json") for s in record.signoffs],
                "missing_signoffs": record.missing_roles,
                "ok": ok,
            }
        )
        return EXIT_OK if ok else EXIT_NOT_READY
    print(f"{_v(data.project.name)}: {VERDICT_TITLES[result.verdict]}")
    for blocker in result.blockers:
        print(f"  blocker: {_v(blocker.reason)}   [{_v(blocker.where)}]")
    if result.verdict == "conditional":
        print(f"  {len(result.open_points)} open point(s); see: workbench status {args.path}")
    for role in unsigned:
        latest = record.latest(role)
        state = "stale" if latest else "missing"
        print(f"  sign-off {state}: {_v(role)} (workbench signoff {args.path} --role {role!r})")
    for point in overdue:
        print(
            f"  overdue since {point.due}: {_v(point.reason)} (owner {_v(point.owner or 'none')})"
        )
    if args.junit:
        print(f"JUnit report written to {args.junit}")
    return EXIT_OK if ok else EXIT_NOT_READY


def cmd_export(args: argparse.Namespace) -> int:
    from workbench.export import export_reports
    from workbench.reports import FORMATS

    formats = args.format or ["html"]
    if "all" in formats:
        formats = list(FORMATS)
    with _open(args.path) as store:
        written = export_reports(
            store,
            formats,
            output=Path(args.output) if args.output else None,
            output_dir=Path(args.output_dir) if args.output_dir else None,
            paper=args.paper,
            since=Path(args.since) if args.since else None,
        )
    for fmt, path in written:
        print(f"{fmt:>4}: {path.resolve()}")
    return EXIT_OK


def cmd_tick(args: argparse.Namespace) -> int:
    from workbench.operations import tick

    if args.status == "na" and not args.reason:
        raise UsageError("--status na needs --reason TEXT (say why the item does not apply)")
    with _open(args.path) as store:
        item = tick(
            store,
            args.item_id,
            args.status,
            _user(args),
            evidence=args.evidence,
            reason=args.reason,
            owner=args.owner,
        )
    label = {"open": "open", "done": "done", "na": "not applicable"}[item.status]
    print(f"Saved: {item.id} is {label}.")
    return EXIT_OK


def cmd_measure(args: argparse.Namespace) -> int:
    from workbench.evaluation.evidence import measure_threshold
    from workbench.operations import measure
    from workbench.units import format_value, parse_value

    with _open(args.path) as store:
        unit = store.get("threshold", args.metric).unit
        try:
            value = parse_value(args.value, unit)
        except ValueError as error:
            raise UsageError(f"{args.metric}: {error}") from None
        threshold = measure(
            store, args.metric, value, _user(args), n=args.n, source=args.source or ""
        )
    m = measure_threshold(threshold)
    text = f"Saved: {_v(threshold.name)} = {format_value(m.value, threshold.unit)}"
    if m.ci_low is not None and m.ci_high is not None:
        text += (
            f" (95% interval {format_value(m.ci_low, threshold.unit, 1)}"
            f" – {format_value(m.ci_high, threshold.unit, 1)}, n={m.n})"
        )
    target = f"{threshold.comparator} {format_value(threshold.target, threshold.unit)}"
    print(f"{text}; target {target}: {m.status.replace('_', ' ')}.")
    return EXIT_OK


def cmd_target(args: argparse.Namespace) -> int:
    from workbench.operations import set_reasoning, set_target
    from workbench.units import format_value, parse_value

    with _open(args.path) as store, store.write():
        threshold = store.get("threshold", args.metric)
        try:
            value = parse_value(args.value, threshold.unit)
        except ValueError as error:
            raise UsageError(f"{args.metric}: {error}") from None
        threshold = set_target(store, _user(args), args.metric, args.comparator, value, seen=None)
        if args.reasoning is not None:
            threshold = set_reasoning(store, _user(args), args.metric, args.reasoning, seen=None)
    target = f"{threshold.comparator} {format_value(threshold.target, threshold.unit)}"
    print(f"Saved: {_v(threshold.name)} target {target}.")
    return EXIT_OK


def cmd_decide(args: argparse.Namespace) -> int:
    from workbench.operations import decide

    with _open(args.path) as store:
        record = decide(
            store,
            _user(args),
            title=args.title,
            decision=args.decision,
            rationale=args.rationale,
            status=args.status,
            supersedes=args.supersedes,
            context=args.context or "",
            alternatives=args.alternatives or "",
            consequences=args.consequences or "",
            owner=args.owner or "",
            date=args.date or "",
            links=args.link or [],
        )
    extra = f", superseding decision {record.supersedes}" if record.supersedes else ""
    print(f"Saved: decision {record.id} ({record.status}){extra}.")
    return EXIT_OK


def cmd_signoff(args: argparse.Namespace) -> int:
    from workbench.operations import project_state, sign_off

    with _open(args.path) as store:
        signoff = sign_off(store, args.role, args.by, args.note or "")
        record = project_state(store)[2].governance
    print(
        f"Signed off: {_v(signoff.by)} as {_v(signoff.role)}, {signoff.signed_at}; "
        f"content sha256 {signoff.digest[:16]}…"
    )
    if record.missing_roles:
        print(f"Still to sign: {_v(', '.join(record.missing_roles))}")
    return EXIT_OK


def cmd_fix_thresholds(args: argparse.Namespace) -> int:
    from workbench.operations import fix_thresholds

    with _open(args.path) as store:
        fix = fix_thresholds(store, _user(args), args.note or "fixed by hand")
    print(
        f"Fixed {len(fix.targets)} threshold(s) on {fix.fixed_at[:10]} "
        f"(sha256 {fix.digest[:16]}…): every report lists any change made after this."
    )
    return EXIT_OK


def cmd_actions(args: argparse.Namespace) -> int:
    from workbench.operations import project_state

    with _open(args.path) as store:
        result = project_state(store)[2]
    points = result.blockers + result.open_points
    if args.json:
        _print_json([{"number": n, **p.model_dump(mode="json")} for n, p in enumerate(points, 1)])
        return EXIT_OK
    if not points:
        print("No blockers and no open points: nothing to assign.")
        return EXIT_OK
    width = len(str(len(points)))
    for number, point in enumerate(points, 1):
        kind = "blocker" if number <= len(result.blockers) else "open"
        owner = point.owner or "no owner"
        due = f", due {point.due}" + (" (OVERDUE)" if point.overdue else "") if point.due else ""
        print(f"{number:>{width}}. [{kind}] {_v(point.reason)}")
        print(f"{'':>{width}}  {_v(owner)}{due}   [{_v(point.key)}]")
    print(
        f"\nGive one an owner and a due date: "
        f"workbench assign {args.path} N --owner NAME --due DATE"
    )
    return EXIT_OK


def cmd_assign(args: argparse.Namespace) -> int:
    from workbench.operations import assign, open_point, unassign

    with _open(args.path) as store:
        point = open_point(store, args.point)
        if args.clear:
            unassign(store, point.key, _user(args))
            print(f"Cleared the action item for: {_v(point.reason)}")
            return EXIT_OK
        if args.owner is None and args.due is None and args.note is None:
            raise InvalidValueError("say what to set: --owner NAME, --due DATE or --note TEXT")
        action = assign(
            store, point.key, _user(args), owner=args.owner, due=args.due, note=args.note
        )
    due = f", due {action.due}" if action.due else ""
    print(f"Saved: {_v(action.owner or 'no owner')}{due} for: {_v(point.reason)}")
    return EXIT_OK


def cmd_alert(args: argparse.Namespace) -> int:
    from workbench.operations import add_alert, remove_alert
    from workbench.operations.monitoring import parse_window
    from workbench.units import condition_words, parse_value

    adding = ("signal", "comparator", "value", "unit", "window", "owner", "response")
    if args.remove:
        given = [f"--{name}" for name in adding if getattr(args, name) is not None]
        if given:
            raise UsageError(f"--remove ID takes no {', '.join(given)}; remove, then add anew")
        with _open(args.path) as store:
            signal = store.get("alert", args.remove).signal
            remove_alert(store, _user(args), args.remove)
        print(f"Saved: alert {args.remove} ({_v(signal)}) removed (undo brings it back).")
        return EXIT_OK
    missing = [f"--{name}" for name in ("signal", "comparator", "value") if not getattr(args, name)]
    if missing:
        needs = " and ".join(", ".join(missing).rsplit(", ", 1))
        raise UsageError(f"a new alert needs {needs} (or --remove ID to remove one)")
    unit = args.unit or "rate"
    try:
        value = parse_value(args.value, unit)
        window = parse_window(args.window or "0")
    except ValueError as error:
        raise UsageError(f"{args.signal}: {error}") from None
    with _open(args.path) as store:
        alert = add_alert(
            store, _user(args), args.signal, args.comparator, value, unit, window,
            owner=args.owner or "", response=args.response or "",
        )  # fmt: skip
    words = condition_words(alert.comparator, alert.value, alert.unit, alert.window_minutes)
    print(f"Saved: alert {alert.id}: {_v(alert.signal)} {words}.")
    return EXIT_OK


def cmd_signal(args: argparse.Namespace) -> int:
    """List the signals and their PromQL, or set (or remove) one."""
    from workbench.operations.signals import remove_signal, set_signal

    if args.id is None:
        if args.query is not None or args.note is not None or args.remove:
            raise UsageError("name the signal: workbench signal PATH ID --query EXPR")
        with _open(args.path) as store:
            data = store.load()
        if not data.monitoring.signals:
            print("No signal has an expression yet: workbench signal PATH ID --query EXPR")
        for signal in data.monitoring.signals:
            used = [a.signal for a in data.monitoring.alerts if a.id == signal.id]
            used += [t.name for t in data.thresholds if t.metric == signal.id]
            print(f"{signal.id}: {_v(signal.query) or '(no expression)'}")
            if used:
                print(f"    measures: {_v(', '.join(used))}")
        return EXIT_OK
    with _open(args.path) as store:
        if args.remove:
            if args.query is not None or args.note is not None:
                raise UsageError("--remove takes no --query or --note")
            remove_signal(store, _user(args), args.id)
            print(f"Saved: signal {args.id} removed (undo brings it back).")
            return EXIT_OK
        if args.query is None and args.note is None:
            raise UsageError(f"give --query EXPR (or --note TEXT) for {args.id}, or --remove")
        signal = set_signal(store, _user(args), args.id, query=args.query, note=args.note)
    print(f"Saved: signal {signal.id} = {_v(signal.query) or '(no expression)'}")
    return EXIT_OK


def cmd_items(args: argparse.Namespace) -> int:
    marks = {"open": "[ ]", "done": "[x]", "na": "[-]"}
    with _open(args.path) as store:
        data = store.load()
    for item in data.checklist:
        if args.open and item.status != "open":
            continue
        owner = f"  ({item.owner})" if item.owner else ""
        print(f"{marks[item.status]} {item.id:<40} {item.title}{owner}")
    return EXIT_OK


def _when(text: str, sessions: list[Any], end: bool) -> str:
    """``--since``/``--until`` as an ISO time: a date, a time, ``session:N`` (its start,
    or for ``--until`` its end) or ``last-session``."""
    import datetime as dt

    word = text.strip().lower()
    if word in ("last-session", "session:last") or word.startswith("session:"):
        if not sessions:
            raise UsageError(f"{text}: no workshop session has been recorded yet")
        if word in ("last-session", "session:last"):
            chosen = sessions[-1]
        else:
            number = word.partition(":")[2]
            chosen = next((s for s in sessions if str(s.id) == number), None)
            if chosen is None:
                held = ", ".join(str(s.id) for s in sessions)
                raise UsageError(f"{text}: there is no session {number} (sessions held: {held})")
        if end:
            return str(chosen.ended_at or "9999")
        return str(chosen.started_at)
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(
            f"{text!r} is not a date: give 2026-12-01, 2026-12-01T14:00, session:N or last-session"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).isoformat()


def cmd_history(args: argparse.Namespace) -> int:
    with _open(args.path) as store:
        sessions = store.records("session") if args.since or args.until else []
        since = _when(args.since, sessions, end=False) if args.since else None
        until = _when(args.until, sessions, end=True) if args.until else None
        entries = store.history(
            limit=args.limit, by=args.user, text=args.grep, since=since, until=until
        )
    for e in entries:
        old = "" if e.old is None else json.dumps(e.old, ensure_ascii=False)[:60]
        new = "" if e.new is None else json.dumps(e.new, ensure_ascii=False)[:60]
        what = _v(f"{e.entity} {e.key}".strip())
        print(f"{e.at}  {_v(e.by):<12} {what} {_v(e.field)}: {old} → {new}")
    return EXIT_OK


def cmd_session(args: argparse.Namespace) -> int:
    from workbench import operations

    with _open(args.path) as store:
        if args.start:
            attendees = (
                [n.strip() for n in args.attendees.split(",") if n.strip()]
                if args.attendees is not None
                else None
            )
            started = operations.start_session(
                store, _user(args), facilitator=args.facilitator or "", attendees=attendees
            )
            print(f"Saved: workshop session {started.id} started, led by {_v(started.facilitator)}")
            return EXIT_OK
        if args.end:
            ended = operations.end_session(store, _user(args), note=args.note or "")
            print(f"Saved: workshop session {ended.id} ended")
            return EXIT_OK
        sessions = store.records("session")
    if not sessions:
        print("No workshop sessions recorded yet (start one: workbench session PATH --start)")
    for session in sessions:
        start = session.started_at[:16].replace("T", " ")
        end = session.ended_at[11:16] if session.ended_at else "under way"
        people = ", ".join(session.attendees) or "nobody recorded"
        print(
            f"{session.id:>3}  {start}–{end} UTC  led by {_v(session.facilitator)}  ({_v(people)})"
        )
    return EXIT_OK


def cmd_undo(args: argparse.Namespace) -> int:
    with _open(args.path) as store:
        change = store.undo(_user(args), theirs=args.theirs)
    print(f"Saved: {change.summary}")
    return EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from workbench.reports.json import report_schema

    print(json.dumps(report_schema(), indent=2))
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from workbench.backup import backup

    with _open(args.path) as store:
        target = backup(store, folder=Path(args.folder) if args.folder else None)
    print(f"Backup written to {target}")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from workbench.backup import list_backups
    from workbench.restore import restore

    project = Path(args.path)
    if args.backup is None:
        found = list_backups(project)
        if not found:
            raise UsageError(f"no backups of {project} found; name one: restore PATH BACKUP")
        for path in found:
            print(path)
        print("Restore one with: workbench restore PATH BACKUP_FILE")
        return EXIT_OK
    done = restore(Path(args.backup), project)
    print(f"Restored {project} from {args.backup}.")
    if done.safety:
        print(f"The file it replaced was kept as {done.safety}")
    if done.set_aside:
        print(f"A journal left by an earlier file of this name was moved aside: {done.set_aside}")
    return EXIT_OK


def cmd_open(args: argparse.Namespace) -> int:
    from workbench.files import check_project_file

    check_project_file(Path(args.path))
    if args.theme:
        from textual.theme import BUILTIN_THEMES

        from workbench.ui.themes import THEMES

        names = sorted({t.name for t in THEMES} | set(BUILTIN_THEMES))
        if args.theme not in names:
            raise UsageError(f"unknown theme {args.theme!r}; choose one of: {', '.join(names)}")
    from workbench.ui.app import run_app

    return run_app(Path(args.path), theme=args.theme, editor=args.by)


class ProgressBar:
    """A one-line progress bar on stderr, drawn only when stderr is a terminal."""

    def __init__(self, what: str) -> None:
        self.what = reveal_controls(_v(what))  # (a file's name; the bar itself is ours)
        self.enabled = sys.stderr.isatty()
        self.last = -1

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total <= 0:
            return
        percent = int(done * 100 / total)
        if percent == self.last:
            return
        self.last = percent
        filled = percent * 30 // 100
        stream = _unrevealed(sys.stderr)
        stream.write(f"\r{self.what} [{'█' * filled}{'·' * (30 - filled)}] {percent:3d}%")
        if done >= total:
            stream.write("\n")
        stream.flush()


def cmd_import_results(args: argparse.Namespace) -> int:
    # A bounded batch job that makes no reference cycles worth collecting: without
    # the cycle collector, loading the core and streaming the rows takes less time.
    gc.disable()
    try:
        return _import_results(args)
    finally:
        gc.enable()


def _delimiter(text: str) -> str:
    named = {"comma": ",", "semicolon": ";", "tab": "\t", "\\t": "\t"}
    value = named.get(text.strip().lower(), text)
    if value not in (",", ";", "\t", "|"):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a separator (comma, semicolon, tab or |)"
        )
    return value


def _import_results(args: argparse.Namespace) -> int:
    from workbench.evaluation.evidence import measure_threshold, measured_by_runs
    from workbench.evaluation.rows import ReadOptions, parse_mapping
    from workbench.evaluation.runs import AlreadyImported, ImportRefused, list_runs
    from workbench.operations import import_evidence
    from workbench.units import format_value

    columns, metrics = parse_mapping(args.map or [])
    options = ReadOptions(
        columns=columns,
        metrics=metrics,
        scorer=args.scorer,
        delimiter=args.delimiter,
        systems=tuple(args.system or ()),
    )
    with _open(args.path) as store:
        try:
            report = import_evidence(
                store,
                Path(args.file),
                _user(args),
                label=args.label or "",
                options=options,
                skip_bad=args.skip_bad,
                fmt=args.format,
                again=args.again,
                progress=ProgressBar(f"Importing {Path(args.file).name}"),
            )
        except AlreadyImported as error:
            print(f"workbench: {_v(error)}", file=sys.stderr)
            return EXIT_ALREADY_IMPORTED
        except ImportRefused as error:
            print(f"workbench: {_v(error)}", file=sys.stderr)
            for bad in error.bad_rows[:10]:
                print(f"  line {bad.line}: {_v(bad.reason)}", file=sys.stderr)
            if error.total_bad > 10:
                print(f"  … and {error.total_bad - 10} more", file=sys.stderr)
            return EXIT_USAGE
        # (only the thresholds, as the runs measure them: not the whole project)
        thresholds = measured_by_runs(store.records("threshold"), list_runs(store))
    for line in report.summary():
        print(_v(line))
    run = report.run
    for threshold in thresholds:
        m = measure_threshold(threshold)
        if threshold.measured and threshold.measured.source.startswith(f"run {run.id}:"):
            interval = ""
            if m.ci_low is not None and m.ci_high is not None:
                interval = (
                    f" (95% {format_value(m.ci_low, threshold.unit, 1)}"
                    f"–{format_value(m.ci_high, threshold.unit, 1)})"
                )
            value = format_value(m.value, threshold.unit, 1)
            print(
                f"  {_v(threshold.name):<34} {value:>8}{interval}"
                f"  {threshold.comparator} {format_value(threshold.target, threshold.unit)}:"
                f" {m.status.replace('_', ' ')}"
            )
    return EXIT_OK


def _rate_text(value: float | None, low: float | None, high: float | None, unit: str) -> str:
    from workbench.units import format_value

    if value is None:
        return "—"
    text = format_value(value, unit, 1)
    if low is not None and high is not None:
        text += f" ({format_value(low, unit, 1)}–{format_value(high, unit, 1)})"
    return text


def cmd_runs(args: argparse.Namespace) -> int:
    from workbench.evaluation.evidence import bias_words
    from workbench.operations import project_state

    with _open(args.path) as store:
        _data, evidence, _result = project_state(store)
    if args.json:
        _print_json(evidence.model_dump(mode="json"))
        return EXIT_OK
    if not evidence.runs:
        print("No runs yet. Import one with: workbench import-results PATH FILE")
        return EXIT_OK
    for run in evidence.runs:
        m = run.metrics
        mark = "*" if run.id == evidence.latest else " "
        tool = f"{run.tool} {run.tool_version}".strip() or run.format
        accuracy = _rate_text(m.accuracy.value, None, None, "rate")
        errors = _rate_text(m.error_rate.value, None, None, "rate")
        print(
            f"{mark}{run.id:>3}  {run.imported_at[:16]}  {_v(run.label[:36]):<36} "
            f"{run.case_count:>7} cases  accuracy {accuracy:>6}  errors {errors:>6}  {_v(tool)}"
        )
    if evidence.bias is not None:
        headline, detail = bias_words(evidence.bias)
        print(f"\n{_v(headline)}: {_v(detail)}")
    thin = [c for c in evidence.composition if c.flagged]
    for c in thin:
        print(f"Under-represented {c.dimension} {c.name!r}: {_v(c.reason)}")
    print("* the latest run, which the thresholds use")
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from workbench.evaluation.evidence import compare_runs
    from workbench.evaluation.runs import case_flips, get_run, list_runs

    with _open(args.path) as store:
        if args.before is None or args.after is None:
            runs = list_runs(store)
            if len(runs) < 2:
                raise UsageError("comparing needs two runs; import another results file first")
            before, after = runs[-2], runs[-1]
        else:
            before, after = get_run(store, args.before), get_run(store, args.after)
        flips = case_flips(store, before.id, after.id)
    changes = compare_runs(before.metrics, after.metrics)
    if args.json:
        _print_json(
            {
                "before": before.id,
                "after": after.id,
                "metrics": [c.model_dump(mode="json") for c in changes],
                "cases": flips.model_dump(mode="json"),
            }
        )
    else:
        print(f"Run {before.id} ({_v(before.label)}) → run {after.id} ({_v(after.label)})")
        for c in changes:
            unit = "seconds" if c.metric == "response_time" else "rate"
            delta = "—"
            if c.change is not None:
                scale = 100 if unit == "rate" else 1
                suffix = " pts" if unit == "rate" else " s"
                delta = f"{c.change * scale:+.1f}{suffix}"
                if c.ci_low is not None and c.ci_high is not None:
                    delta += f" ({c.ci_low * scale:+.1f} to {c.ci_high * scale:+.1f})"
            print(
                f"  {_v(c.title):<24} {_rate_text(c.before, None, None, unit):>8} → "
                f"{_rate_text(c.after, None, None, unit):>8}  {delta:<28} {_change_text(c)}"
            )
        for line in flips.lines():
            print(_v(line))
    regressions = [c for c in changes if c.verdict == "regression"]
    return EXIT_NOT_READY if regressions and args.fail_on_regression else EXIT_OK


def _change_text(change: Any) -> str:
    """ "REGRESSION: higher, beyond chance": the verdict in capitals, then its reasons."""
    from workbench.evaluation.evidence import change_words

    verdict, _, why = change_words(change).partition(": ")
    return verdict.upper() + (f": {why}" if why else "")


def cmd_diff(args: argparse.Namespace) -> int:
    from workbench.reports.changes import changes_text, load_report, report_changes

    changes = report_changes(load_report(Path(args.old)), load_report(Path(args.new)))
    if args.json:
        _print_json(changes.model_dump(mode="json"))
    else:
        print(changes_text(changes))
    return EXIT_OK


def cmd_sizing(args: argparse.Namespace) -> int:
    from workbench.evaluation import sizing

    target = args.target
    if not 0 < target < 1:
        raise UsageError("--target must be a rate between 0 and 1 (or 1% to 99%)")
    if args.expected is not None:
        # Checked here, in the person's terms: the complement below would confuse the message.
        if not 0 <= args.expected <= 1:
            raise UsageError("--expected must be a rate between 0 and 1 (or 0% to 100%)")
        if (args.expected >= target) if args.at_most else (args.expected <= target):
            side = "below" if args.at_most else "above"
            raise UsageError(
                f"--expected ({args.expected:.1%}) must be {side} the target ({target:.1%}) "
                "for any number of cases to show it"
            )
    # "at most 5% hallucinations" is "at least 95% without one": size the complement.
    claim = 1 - target if args.at_most else target
    expected = (
        None if args.expected is None else (1 - args.expected if args.at_most else args.expected)
    )
    try:
        zero = sizing.zero_failure_size(claim, args.confidence)
        with_expected = (
            None if expected is None else sizing.size_for_expected(claim, expected, args.confidence)
        )
    except ValueError as error:
        raise UsageError(str(error)) from None
    if zero > MAX_WHOLE:
        raise UsageError(
            f"--target {target!r}: showing it takes {zero} cases, more than the {MAX_WHOLE} "
            "a project counts; choose a lower target"
        )
    if with_expected is not None and with_expected > MAX_WHOLE:
        raise UsageError(
            f"--expected {args.expected!r}: showing it takes more than the {MAX_WHOLE} cases "
            "a project counts; expect a rate further from the target"
        )
    result = {
        "target": target,
        "direction": "at_most" if args.at_most else "at_least",
        "confidence": args.confidence,
        "zero_failures": zero,
        "expected": args.expected,
        "with_expected": with_expected,
    }
    if args.json:
        print(json.dumps(result, indent=2))
        return EXIT_OK
    word = "at most" if args.at_most else "at least"
    print(f"To show a rate is {word} {target:.1%} with {args.confidence:.0%} confidence:")
    failures = "hallucinations" if args.at_most else "failures"
    print(f"  with zero {failures}: {zero} cases")
    if with_expected is not None and args.expected is not None:
        print(
            f"  if the true rate is {args.expected:.1%}: {with_expected} cases "
            "(the Wilson bound of the interval then clears the target)"
        )
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    from workbench.files import check_project_file

    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: a port is a number from 1 to 65535")
    check_project_file(Path(args.path))
    try:
        from workbench.ui.serve import serve
    except ImportError:
        raise UsageError("serving needs textual-serve: pip install 'workbench[serve]'") from None
    # (a port in use, an address not this machine's: ServeError, one line and exit 2)
    serve(
        Path(args.path),
        args.host,
        args.port,
        max_sessions=args.max_sessions,
        read_only=args.read_only,
    )
    return EXIT_OK


# -------------------------------------------------------------------- parsing


def build_parser() -> Parser:
    parser = Parser(
        prog="workbench",
        description="Get an AI system ready for production: checklist, thresholds, evidence, "
        "verdict and report, in one project file.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def command(name: str, handler: Callable[[argparse.Namespace], int], text: str):
        p = sub.add_parser(name, help=text, description=text)
        p.set_defaults(handler=handler)
        return p

    def by(p: argparse.ArgumentParser) -> None:
        p.add_argument("--by", metavar="NAME", help="who makes the edit (default: login name)")

    p = command("new", cmd_new, "create a project file from the guide's checklist")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--name", help="the project's name")
    p.add_argument("--risk", choices=RISKS, help="risk level (default: medium)")
    p.add_argument("--checklist", metavar="FILE", help="start from this template TOML")
    p.add_argument("--from", dest="from_toml", metavar="FILE.toml", help="start from an export")
    p.add_argument("--owner", help="who owns the readiness work")
    p.add_argument("--system", help="one line on the AI system and its use")
    by(p)

    p = command("status", cmd_status, "show the verdict, area scores and blockers")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--all", action="store_true", help="list every open point")
    p.add_argument("--json", action="store_true", help="print the status as JSON")

    p = command("check", cmd_check, "exit 0 if ready (go), 1 if not: for CI")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML here")
    p.add_argument("--allow-conditional", action="store_true", help="pass on conditional")
    p.add_argument("--json", action="store_true", help="print the verdict as JSON")
    p.add_argument(
        "--require-signoff",
        action="store_true",
        help="fail unless every sign-off the risk level needs is there and not stale",
    )
    p.add_argument(
        "--fail-on-overdue", action="store_true", help="fail if an action item is past due"
    )

    p = command("signoff", cmd_signoff, "sign off the project as it is now, in a role")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--role", required=True, help="the role signing: 'product owner', 'security'…")
    p.add_argument("--by", required=True, metavar="NAME", help="who signs")
    p.add_argument(
        "--note", metavar="TEXT", help="what the sign-off is conditional on, if anything"
    )

    p = command(
        "fix-thresholds", cmd_fix_thresholds, "record the thresholds as agreed, before evidence"
    )
    p.add_argument("path", metavar="PATH")
    p.add_argument("--note", metavar="TEXT", help="how they were agreed (default: fixed by hand)")
    by(p)

    p = command("actions", cmd_actions, "list blockers and open points with owners and due dates")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", action="store_true", help="print them as JSON")

    p = command("assign", cmd_assign, "give a blocker or open point an owner and a due date")
    p.add_argument("path", metavar="PATH")
    p.add_argument("point", metavar="POINT", help="its number in `workbench actions`, or its key")
    p.add_argument("--owner", metavar="NAME", help="who will close it")
    p.add_argument("--due", metavar="DATE", help="by when: 2026-12-31 ('' clears it)")
    p.add_argument("--note", metavar="TEXT", help="what will be done")
    p.add_argument("--clear", action="store_true", help="remove its owner, due date and note")
    by(p)

    p = command("export", cmd_export, "write the readiness report")
    p.add_argument("path", metavar="PROJECT")
    p.add_argument(
        "--format",
        action="append",
        choices=["md", "html", "pdf", "docx", "json", "toml", "all"],
        help="md, html, pdf, docx (Word), json, toml or all (repeatable; default html)",
    )
    p.add_argument(
        "--paper", choices=["a4", "letter"], default="a4", help="the PDF's page size (default a4)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="the file to write (one format)")
    p.add_argument("--output-dir", metavar="DIR", help="the folder to write into")
    p.add_argument(
        "--since",
        metavar="OLD.json",
        help="an earlier JSON report: add what changed since it to every format",
    )

    p = command("tick", cmd_tick, "set a checklist item's status")
    p.add_argument("path", metavar="PATH")
    p.add_argument("item_id", metavar="ITEM_ID")
    p.add_argument("--status", required=True, choices=ITEM_STATUSES)
    p.add_argument("--evidence", metavar="TEXT", help="what shows it is done (text or link)")
    p.add_argument("--reason", metavar="TEXT", help="why it does not apply (with --status na)")
    p.add_argument("--owner", metavar="NAME")
    by(p)

    p = command("measure", cmd_measure, "record a measured value for a threshold")
    p.add_argument("path", metavar="PATH")
    p.add_argument("metric", metavar="METRIC")
    p.add_argument("value", metavar="VALUE", help="0.93 or 93%% for a rate; 2.5 or 2.5s for a time")
    p.add_argument("--n", type=_positive_int, metavar="CASES", help="how many cases it is from")
    p.add_argument("--source", metavar="TEXT", help="where the figure comes from")
    by(p)

    p = command("target", cmd_target, "set a threshold's target (and why)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("metric", metavar="METRIC")
    p.add_argument("comparator", choices=COMPARATORS, metavar="COMPARATOR", help="> >= < <=")
    p.add_argument("value", metavar="VALUE", help="0.9 or 90%% for a rate; 3 or 3s for a time")
    p.add_argument("--reasoning", metavar="TEXT", help="why the target is where it is")
    by(p)

    p = command("decide", cmd_decide, "add a decision to the decision log")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--title", required=True)
    p.add_argument("--decision", required=True)
    p.add_argument("--rationale", required=True)
    p.add_argument("--status", default="accepted", help="proposed, accepted (default), rejected")
    p.add_argument("--supersedes", type=_positive_int, metavar="ID")
    p.add_argument("--context")
    p.add_argument("--alternatives")
    p.add_argument("--consequences", help="what follows from it, good and bad")
    p.add_argument("--owner", help="who sees it through (default: --by)")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="when it was decided (default: today)")
    p.add_argument("--link", action="append", metavar="threshold:METRIC|item:ID")
    by(p)

    p = command("alert", cmd_alert, "add a monitoring alert rule, or remove one (--remove ID)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--signal", metavar="TEXT", help="what is watched (e.g. 'Approval rate')")
    p.add_argument(
        "--comparator", choices=[">", ">=", "<", "<="], help="'<' below, '>' above (quoted)"
    )
    p.add_argument("--value", metavar="VALUE", help="40%% or 0.4 for a rate; 2.5s for a time")
    p.add_argument(
        "--unit", choices=["rate", "seconds", "count", "score", "x baseline"], help="default rate"
    )
    p.add_argument("--window", metavar="TIME", help="over how long: 15 min, 4 h, 1 day (default 0)")
    p.add_argument("--owner", metavar="NAME", help="who responds when it fires")
    p.add_argument("--response", metavar="TEXT", help="what to do when it fires")
    p.add_argument("--remove", metavar="ID", help="remove the alert with this id instead")
    by(p)

    p = command("signal", cmd_signal, "list the signals' PromQL expressions, or set one")
    p.add_argument("path", metavar="PATH")
    p.add_argument("id", metavar="ID", nargs="?", help="an alert's id or a threshold's metric")
    p.add_argument("--query", metavar="PROMQL", help="the expression; $window: the window")
    p.add_argument("--note", metavar="TEXT", help="what the expression measures")
    p.add_argument("--remove", action="store_true", help="remove the signal's expression")
    by(p)

    p = command("items", cmd_items, "list the checklist items and their ids")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--open", action="store_true", help="only open items")

    p = command("history", cmd_history, "show who changed what and when")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--limit", type=_positive_int, default=50)
    p.add_argument("--user", metavar="NAME", help="only this person's edits")
    p.add_argument("--grep", metavar="TEXT", help="only entries mentioning TEXT")
    p.add_argument(
        "--since", metavar="WHEN", help="only changes from WHEN: a date, session:N, last-session"
    )
    p.add_argument("--until", metavar="WHEN", help="only changes before WHEN (session:N: its end)")

    p = command("session", cmd_session, "start or end a workshop session, or list them")
    p.add_argument("path", metavar="PATH")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--start", action="store_true", help="a session starts now")
    what.add_argument("--end", action="store_true", help="the session under way ends now")
    p.add_argument("--facilitator", metavar="NAME", help="who leads it (default: the editor)")
    p.add_argument("--attendees", metavar="NAMES", help="who is there, comma-separated")
    p.add_argument("--note", metavar="TEXT", help="with --end: what the session settled")
    by(p)

    p = command("undo", cmd_undo, "undo your own last edit (--by NAME: whose)")
    p.add_argument("path", metavar="PATH")
    p.add_argument(
        "--theirs",
        action="store_true",
        help="undo the project's last edit even if someone else made it",
    )
    by(p)

    command("schema", cmd_schema, "print the JSON Schema of the JSON report")

    p = command("backup", cmd_backup, "copy the project into its backups folder")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--folder", metavar="DIR", help="where to put it (default: backups/ beside it)")

    p = command("restore", cmd_restore, "list backups, or bring one back")
    p.add_argument("path", metavar="PATH")
    p.add_argument("backup", metavar="BACKUP", nargs="?")

    p = command("open", cmd_open, "open the project in the workshop UI")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--theme", help="colour theme (default: remembered, else workbench-dark)")
    by(p)

    p = command("import-results", cmd_import_results, "import evaluation results as a run")
    p.add_argument("path", metavar="PATH")
    p.add_argument(
        "file",
        metavar="FILE",
        help="CSV or JSONL; promptfoo, Inspect AI, DeepEval or lm-evaluation-harness output",
    )
    p.add_argument("--label", metavar="TEXT", help="a name for the run (default: file and date)")
    p.add_argument(
        "--map",
        action="append",
        metavar="COLUMN=FIELD",
        help="read a column as a field (case=id, secs=latency_s, f1=score:f1), or a named score "
        "as a true/false field (metric:no_fabrication='not hallucinated')",
    )
    p.add_argument(
        "--scorer",
        metavar="NAME",
        help="the scorer or metric that gives 'correct' (Inspect, lm-eval)",
    )
    p.add_argument(
        "--system",
        "--provider",
        action="append",
        metavar="NAME",
        help="import only this system (a promptfoo provider's label or id; repeatable)",
    )
    p.add_argument(
        "--delimiter", type=_delimiter, metavar="SEP", help="CSV separator (default: detected)"
    )
    p.add_argument("--skip-bad", action="store_true", help="import the good rows, skip bad ones")
    p.add_argument(
        "--format",
        choices=["csv", "jsonl", "promptfoo", "inspect", "deepeval", "lm-eval"],
        help="default: detected from the content",
    )
    p.add_argument(
        "--again", action="store_true", help="import a file already imported (else exit 3)"
    )
    by(p)

    p = command("runs", cmd_runs, "list the evaluation runs and what they show")
    p.add_argument("path", metavar="PATH")
    p.add_argument("--json", action="store_true")

    p = command("compare", cmd_compare, "compare two runs metric by metric (default: latest two)")
    p.add_argument("path", metavar="PATH")
    p.add_argument("before", metavar="RUN_A", type=_positive_int, nargs="?")
    p.add_argument("after", metavar="RUN_B", type=_positive_int, nargs="?")
    p.add_argument("--json", action="store_true")
    p.add_argument("--fail-on-regression", action="store_true", help="exit 1 on a regression")

    p = command("diff", cmd_diff, "what changed between two JSON readiness reports")
    p.add_argument("old", metavar="OLD.json")
    p.add_argument("new", metavar="NEW.json")
    p.add_argument("--json", action="store_true")

    p = command("sizing", cmd_sizing, "how many test cases show a rate meets a target")
    p.add_argument("--target", type=_rate_or_number, required=True, metavar="RATE")
    p.add_argument("--expected", type=_rate_or_number, metavar="RATE", help="the rate you expect")
    p.add_argument("--confidence", type=_rate_or_number, default=0.95, metavar="LEVEL")
    p.add_argument("--at-most", action="store_true", help="the rate must stay below the target")
    p.add_argument("--json", action="store_true")

    p = command("serve", cmd_serve, "run the workshop UI in a browser, for remote participants")
    p.add_argument("path", metavar="PATH")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only; 0.0.0.0: your "
        "network, still with the token)",
    )
    p.add_argument("--port", type=_positive_int, default=8000, help="port (default 8000)")
    p.add_argument(
        "--max-sessions",
        type=_positive_int,
        default=8,
        metavar="N",
        help="browser sessions at once, each an app process (default 8)",
    )
    p.add_argument("--read-only", action="store_true", help="observers: they can look, not edit")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command, every line it prints passing through ``_Revealing``."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Revealing(out), _Revealing(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def _run(args: argparse.Namespace) -> int:
    if args.command in ("open", "serve"):  # the UI draws on the terminal itself
        out, err = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = _unrevealed(out), _unrevealed(err)
        try:
            return int(args.handler(args))
        finally:
            sys.stdout, sys.stderr = out, err
    return int(args.handler(args))


def _unreadable_value(error: Exception, args: argparse.Namespace | None) -> str | None:
    """A stored record that does not validate (written by another version, or edited by
    hand) as one line naming the file, the record and the field; None for other errors."""
    where = getattr(args, "path", None) or "the project"
    if isinstance(error, json.JSONDecodeError):  # a record's JSON column, edited by hand
        return (
            f"{where}: the project file holds a value that is not valid JSON ({error.msg}); "
            "undo the edit that wrote it, or restore a backup"
        )
    pydantic = sys.modules.get("pydantic")
    if pydantic is None or not isinstance(error, pydantic.ValidationError):
        return None
    import re

    from workbench.errors import describe_validation_error

    record = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", error.title).lower()
    return (  # (worded as the store words a record it cannot load)
        f"{where}: the project file holds an invalid value in a {record} "
        f"({describe_validation_error(error)}); undo the edit that wrote it, or restore a backup"
    )


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    args: argparse.Namespace | None = None
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_USAGE
        return _run(args)
    except WorkbenchError as error:  # (one line, whatever a value it quotes holds)
        print(f"workbench: {_v(error)}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.Error as error:  # a write refused below the store (read-only, disk full)
        from workbench.store import describe_sqlite_error

        where = getattr(args, "path", None) or "the project"
        print(f"workbench: {describe_sqlite_error(where, error)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(
            "workbench: interrupted; nothing half-saved (each edit is all or nothing)",
            file=sys.stderr,
        )
        return 130
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:
        unreadable = _unreadable_value(error, args)
        if unreadable is not None:
            print(f"workbench: {_v(unreadable)}", file=sys.stderr)
            return EXIT_USAGE
        if os.environ.get("WORKBENCH_DEBUG"):
            raise
        print(
            f"workbench: internal error ({type(error).__name__}: {' '.join(str(error).split())}); "
            "please report it (WORKBENCH_DEBUG=1 shows details)",
            file=sys.stderr,
        )
        return 70
