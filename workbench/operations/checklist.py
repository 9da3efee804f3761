"""Checklist edits: an item's status, evidence, reason and owner."""

from __future__ import annotations

from typing import Any

from workbench.models import now
from workbench.plan_facts import ANSWERED_BY_PLAN, plan_fact
from workbench.store import Store


def tick(
    store: Store,
    item_id: str,
    status: str,
    by: str,
    *,
    evidence: str | None = None,
    reason: str | None = None,
    owner: str | None = None,
    expect: dict[str, Any] | None = None,
) -> Any:
    """Set a checklist item's status (and its evidence, reason or owner).

    ``expect`` holds the values the person saw (say ``{"status": "open"}``): if someone
    else has changed one since, the edit is refused with a ``ConflictError``.
    """
    changes: dict[str, Any] = {"status": status, "updated_by": by, "updated_at": now()}
    if reason is not None:
        changes["reason"] = reason
    elif status != "na":
        changes["reason"] = ""
    if owner is not None:
        changes["owner"] = owner
    with store.write():
        if evidence is not None:
            changes["evidence"] = evidence
        elif status == "done" and item_id in ANSWERED_BY_PLAN:
            # An item the plan answers (a rollback rehearsed, people on call…) closed
            # with no evidence of its own takes what the plan records as its evidence.
            fact = plan_fact(store.load(), item_id)
            if fact is not None and fact.met and not store.get("item", item_id).evidence:
                changes["evidence"] = f"From the plan: {fact.words}"
        return store.update(
            "item", item_id, changes, by, expect=expect, summary=f"{item_id} → {status}"
        )


def edit_item(
    store: Store, item_id: str, by: str, *, expect: dict[str, Any] | None = None, **fields: Any
) -> Any:
    fields = {**fields, "updated_by": by, "updated_at": now()}
    return store.update("item", item_id, fields, by, expect=expect)
