"""Full collections of Python's reference cycles in the pauses, never on a key press."""

from __future__ import annotations

import gc
import time

from textual import events
from textual.app import App


class IdleCollection(App[int]):
    """An app that tells when someone last pressed a key or moved the mouse, and runs
    full cycle collections only when nobody has for a while."""

    _last_input: float = 0.0

    def _collect_when_idle(self) -> None:
        """Full collections of reference cycles in the pauses, not during a key press.

        Textual leaves cyclic garbage behind every restyle. Young garbage is collected
        as usual (cheap: only new objects are looked at); but with a large project in
        memory a full collection takes 50-250 ms, and Python starts one at whatever
        key press it happens to fall on. Here full collections wait until nobody has
        pressed a key or moved the mouse for a second (or, in a long burst of work
        without a pause, for at most a minute)."""
        self._gc_thresholds = gc.get_threshold()
        young, older, _ = self._gc_thresholds
        gc.set_threshold(young, older, 1_000_000)  # no automatic full collection
        self._last_input = self._last_full_collection = time.monotonic()
        self.set_interval(0.5, self._collect_if_idle)

    def _collect_if_idle(self) -> None:
        now = time.monotonic()
        idle = now - self._last_input > 1.0
        overdue = now - self._last_full_collection > 60.0
        if gc.get_count()[2] >= 10 and (idle or overdue):
            gc.collect()
            self._last_full_collection = now

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = time.monotonic()
        await super().on_event(event)
