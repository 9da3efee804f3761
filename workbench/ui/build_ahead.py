"""Every area's screen built in the background while the team reads the first one."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from textual import work
from textual.screen import Screen

from workbench.ui import compat
from workbench.ui.idle import IdleCollection
from workbench.ui.places import PLACES


class ScreensBuiltAhead(IdleCollection):
    """An app whose screens are built ahead, one at a time, when nobody is at the keys."""

    _build_ahead: bool = True
    _built_ahead: bool = False

    def screen_drawn(self, screen: Screen[Any]) -> None:
        """A screen has drawn the project: once the first has, build the others."""
        if self._build_ahead and not self._built_ahead and screen is self.screen:
            self._built_ahead = True
            self._build_screens_ahead()

    @work(exclusive=True, group="build-ahead")
    async def _build_screens_ahead(self) -> None:
        """Build every other area's screen in the background, one at a time.

        Building a screen (its widgets, their styles, its first layout) takes a few
        hundred milliseconds on a small machine: too long a pause after a key press
        in front of a room. Built while the team reads the overview, each screen is
        then only shown, well within 100 ms. Each is mounted in turn, and none is
        started while keys are being pressed, so as not to slow the screens asked for."""
        await asyncio.sleep(0.2)
        for place in PLACES:
            while time.monotonic() - self._last_input < 0.5:
                await asyncio.sleep(0.1)  # someone is at the keys: leave them the machine
            if compat.mode_started(self, place.mode):  # (already visited)
                continue
            await compat.build_mode(self, place.mode)  # (off screen)
            await asyncio.sleep(0.05)
