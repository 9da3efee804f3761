"""The three shapes every edit takes, so each named operation is a few lines.

- ``change``: set fields of one record, refused if the person saw other values than
  the file now holds (``seen``: the record as their screen showed it);
- ``change_list``: add or remove elements of a list field, read and written in one
  transaction, so two people adding at once both keep what they added;
- ``add_numbered`` / ``remove``: a new record numbered inside the transaction that
  saves it (two processes cannot take the same number), and its removal.

``seen`` is None for the command line, which reads and writes in one go; the terminal
UI passes the record it drew, which may be minutes old.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from workbench.errors import (
    ConflictError,
    InvalidValueError,
    NotFoundError,
    describe_validation_error,
)
from workbench.store import Store

M = TypeVar("M", bound=BaseModel)


def change(
    store: Store,
    entity: str,
    key: Any,
    changes: dict[str, Any],
    by: str,
    *,
    seen: BaseModel | None,
    summary: str | None = None,
) -> Any:
    """Set ``changes`` on one record; with ``seen``, each changed field must still hold
    the value the person saw (a ``ConflictError`` names the field if not)."""
    expect = None if seen is None else {field: getattr(seen, field) for field in changes}
    return store.update(entity, key, changes, by, expect=expect, summary=summary)


def refuse_if_changed(what: str, now: Any, seen: Any, *, changed: bool | None = None) -> None:
    """Refuse an edit made over someone else's: ``what`` (say "test set: category
    'billing'") holds ``now`` in the file, where the person saw ``seen`` (or say
    ``changed`` outright, where equality is not the test)."""
    if changed is None:
        changed = now != seen
    if changed:
        shown = repr(now) if len(repr(now)) <= 40 else repr(now)[:39] + "…"
        raise ConflictError(
            f"{what} was changed by someone else; reload and try again (now {shown})"
        )


def change_list(
    store: Store,
    entity: str,
    key: Any,
    field: str,
    by: str,
    *,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    summary: str | None = None,
) -> Any:
    """Add and remove elements of the list ``field`` against the list as it is in the
    file now (never a stale copy of it): an element already there is not added twice,
    one already gone is not missed."""
    with store.write():
        try:
            current = getattr(store.get(entity, key), field)
        except NotFoundError:
            if key is not None:
                raise
            current = []  # (a single record not yet saved: its defaults)
        values = [v for v in current if v not in remove]
        values += [v for v in dict.fromkeys(add) if v not in values]
        return store.update(entity, key, {field: values}, by, summary=summary)


def added_and_removed(before: Iterable[str], after: Iterable[str]) -> tuple[list[str], list[str]]:
    """What a person added to and removed from a list they edited as a whole."""
    old, new = list(before), list(after)
    return [v for v in new if v not in old], [v for v in old if v not in new]


def add_numbered(
    store: Store,
    entity: str,
    make: Callable[[int], M],
    by: str,
    summary: Callable[[M], str],
) -> M:
    """Add the record ``make(number)`` with the next free number, taken and saved in
    one transaction."""
    with store.write():
        try:
            record = make(store.next_id(entity))
        except ValidationError as error:
            raise InvalidValueError(describe_validation_error(error)) from None
        return store.insert(entity, record, by, summary=summary(record))


def remove(store: Store, entity: str, key: Any, by: str, summary: str) -> None:
    store.delete(entity, key, by, summary=summary)
