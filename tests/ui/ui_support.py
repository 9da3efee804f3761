"""Helpers the UI tests share: waiting for the app's workers, typing, reading the file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot

from workbench.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TOML = ROOT / "sample_project" / "support-assistant.toml"


async def settle(pilot: Pilot) -> None:
    """Wait until every worker (loads and edits) has finished and the screen has redrawn.

    An edit's worker posts its result, which starts a read, which posts a snapshot: the
    chain can take several rounds on a loaded machine, so this waits until two rounds
    in a row find nothing reading and no worker running (and at least three rounds)."""
    quiet = 0
    for round in range(200):
        app = pilot.app
        busy = app.reading or any(not w.is_finished for w in app.workers)
        while app.reading:  # reads run in daemon threads, not workers
            await asyncio.sleep(0.005)
        await app.workers.wait_for_complete()
        await pilot.pause()
        quiet = 0 if busy else quiet + 1
        if quiet >= 2 and round >= 2:
            return


def open_store(path: Path) -> Store:
    return Store.open(path)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key into the focused widget."""
    names = {" ": "space", "\n": "enter", ".": "full_stop", ",": "comma", ":": "colon"}
    await pilot.press(*[names.get(ch, ch) for ch in text])
