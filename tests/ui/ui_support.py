"""Helpers the UI tests share: waiting for the app's workers, typing, reading the file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot

from workbench.store import Store

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_TOML = ROOT / "sample_project" / "support-assistant.toml"


async def settle(pilot: Pilot) -> None:
    """Wait until every worker (loads and edits) has finished and the screen has redrawn."""
    for _ in range(3):
        while pilot.app.reading:  # reads run in daemon threads, not workers
            await asyncio.sleep(0.005)
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def open_store(path: Path) -> Store:
    return Store.open(path)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type ``text`` key by key into the focused widget."""
    names = {" ": "space", "\n": "enter", ".": "full_stop", ",": "comma", ":": "colon"}
    await pilot.press(*[names.get(ch, ch) for ch in text])
