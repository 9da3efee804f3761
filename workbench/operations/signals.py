"""Signals: how each one is measured in production (a PromQL expression), set by the
team and used by the exported alert rules and the rollout's analysis. ``$window`` in
an expression stands for the alert's window, or the analysis interval."""

from __future__ import annotations

from pydantic import ValidationError

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.models import Signal
from workbench.operations.records import change, remove
from workbench.store import Store

_PAIRS = {")": "(", "]": "[", "}": "{"}


def query_problem(query: str) -> str | None:
    """Why ``query`` cannot be a PromQL expression, as far as can be told without a
    Prometheus (one line, brackets unbalanced or a quote left open), or None.
    ``promtool check rules`` on the export is the full check."""
    if "\n" in query or "\r" in query:
        return "write the expression on one line"
    stack: list[str] = []
    quote = ""
    for position, ch in enumerate(query, 1):
        if quote:
            if ch == quote:
                quote = ""
            continue
        if ch in "\"'`":
            quote = ch
        elif ch in "([{":
            stack.append(ch)
        elif ch in _PAIRS and (not stack or stack.pop() != _PAIRS[ch]):
            return f"the {ch!r} at character {position} closes nothing; check the brackets"
    if quote:
        return f"a {quote} quote is left open; close it"
    if stack:
        return f"a {stack[-1]!r} is left open; close it"
    return None


def set_signal(
    store: Store,
    by: str,
    signal_id: str,
    *,
    query: str | None = None,
    note: str | None = None,
    seen: Signal | None = None,
) -> Signal:
    """Set a signal's expression (and note); a new signal id is added after the last."""
    changes: dict[str, str] = {}
    if query is not None:
        query = query.strip()
        problem = query_problem(query)
        if problem:
            raise InvalidValueError(f"the expression for {signal_id}: {problem}")
        changes["query"] = query
    if note is not None:
        changes["note"] = note.strip()
    with store.write():
        signals = store.load().monitoring.signals
        if any(s.id == signal_id for s in signals):
            if not changes:
                return next(s for s in signals if s.id == signal_id)
            return change(
                store, "signal", signal_id, changes, by, seen=seen,
                summary=f"signal {signal_id}: expression set" if "query" in changes else None,
            )  # fmt: skip
        try:
            signal = Signal(
                id=signal_id,
                position=max((s.position for s in signals), default=0) + 1,
                **changes,
            )
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        return store.insert("signal", signal, by, summary=f"added signal {signal_id}")


def remove_signal(store: Store, by: str, signal_id: str) -> None:
    remove(store, "signal", signal_id, by, f"removed signal {signal_id}")
