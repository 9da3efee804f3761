"""UI timings on a large project, measured in one process and printed as JSON.

    python benchmarks/ui_timings.py PROJECT            # as a user who looks first
    python benchmarks/ui_timings.py PROJECT --early    # keys pressed at once

Each timing runs from the key press until the first frame that shows its outcome is
handed to the terminal: the app's own ``_display`` is watched, and a frame counts
when, at the moment it is written, the screen holds what was asked for (the area's
screen with the project drawn; the browser's rows at its cursor). Keys are sent the
way a terminal sends them (the driver's message queue), not through Pilot, whose
``press`` and ``pause`` wait for the process to go idle and would add their own
tens of milliseconds to every figure.

The default run waits, as a facilitator does while the team reads the overview,
until the other screens have been built in the background, then switches to every
screen twice (first visit, again), then opens the results browser on the largest
run: first paint, page down ten times, the failed-only filter. ``--early`` switches
to every screen as soon as the overview is drawn, while the others are still being
built: the slowest a switch gets in the first seconds.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()

from textual import events  # noqa: E402

from workbench.ui import compat  # noqa: E402
from workbench.ui.app import WorkbenchApp  # noqa: E402
from workbench.ui.places import PLACES  # noqa: E402


class FrameClock:
    """When the first frame showing a wanted state reaches the terminal."""

    def __init__(self, app: WorkbenchApp) -> None:
        self.app = app
        self.wanted: Callable[[], bool] | None = None
        self.shown_at: float | None = None
        display = app._display

        def watched(screen: Any, renderable: Any) -> None:
            wanted, not_yet = self.wanted, self.shown_at is None
            if renderable is not None and wanted is not None and not_yet and wanted():
                self.shown_at = time.perf_counter()
            display(screen, renderable)

        app._display = watched  # type: ignore[method-assign]

    async def until_shown(self, wanted: Callable[[], bool], timeout: float = 30.0) -> float:
        """Seconds from now until a frame shows ``wanted`` (set before the key is sent)."""
        self.wanted, self.shown_at = wanted, None
        started = time.perf_counter()
        return await self._wait(started, timeout)

    async def press(self, key: str, wanted: Callable[[], bool], timeout: float = 30.0) -> float:
        """Milliseconds from a key press until a frame shows ``wanted``."""
        self.wanted, self.shown_at = wanted, None
        started = time.perf_counter()
        driver = self.app._driver
        assert driver is not None
        driver.send_message(events.Key(key, key if len(key) == 1 else None))
        return await self._wait(started, timeout) * 1000

    async def _wait(self, started: float, timeout: float) -> float:
        deadline = started + timeout
        while self.shown_at is None:
            if time.perf_counter() > deadline:
                raise TimeoutError("the UI did not get there in time")
            await asyncio.sleep(0.001)
        self.wanted = None
        return self.shown_at - started


def showing(app: WorkbenchApp, mode: str) -> Callable[[], bool]:
    return lambda: (
        getattr(app.screen, "MODE", "") == mode
        and getattr(app.screen, "snapshot", None) is not None
    )


async def edit_timings(app: WorkbenchApp, clock: FrameClock, edits: int = 12) -> dict[str, Any]:
    """Key press to the frame that shows the edit saved: space on a checklist item, until
    its row shows the new status and the status line says it was saved; then j."""
    from workbench.ui.widgets.status_line import StatusLine
    from workbench.ui.widgets.virtual_table import VirtualTable

    await clock.press("3", showing(app, "checklist"))
    await asyncio.sleep(0.5)
    table = app.screen.query_one("#items", VirtualTable)
    times = []
    for _ in range(edits):
        key = table.current_key
        assert key is not None
        before = str(table.get_row(key)[0])

        def saved(key: str = key, before: str = before) -> bool:
            line = str(app.screen.query_one(StatusLine).render())
            return line.startswith("Saved") and key in line and str(table.get_row(key)[0]) != before

        times.append(await clock.press("space", saved))
        await asyncio.sleep(0.3)  # (the verdict and the bars follow, off the key's path)
        await clock.press("j", lambda key=key: table.current_key != key)
        await asyncio.sleep(0.1)
    ordered = sorted(times)
    return {"edit_saved_median_ms": ordered[len(ordered) // 2], "edit_saved_max_ms": ordered[-1]}


async def main(path: Path, early: bool) -> dict[str, Any]:
    app = WorkbenchApp(
        path, editor="bench", poll_seconds=0, config_file=Path("/tmp/workbench-bench-ui.toml")
    )
    clock = FrameClock(app)
    out: dict[str, Any] = {}
    async with app.run_test(size=(160, 45)):
        await clock.until_shown(showing(app, "overview"))
        out["open_s"] = time.perf_counter() - STARTED
        switch: dict[str, float] = {}
        if early:
            for place in [*PLACES[1:], PLACES[0]]:
                switch[place.mode] = await clock.press(place.key, showing(app, place.mode))
            out["switch_early_ms"] = switch
            return out
        built = time.perf_counter()
        while not all(compat.mode_started(app, p.mode) for p in PLACES):
            await asyncio.sleep(0.05)
        out["built_ahead_s"] = time.perf_counter() - built
        await asyncio.sleep(1.5)  # the team reads the overview
        for visit in ("first", "again"):
            for place in [*PLACES[1:], PLACES[0]]:
                ms = await clock.press(place.key, showing(app, place.mode))
                switch[f"{place.mode} ({visit})"] = ms
                await asyncio.sleep(0.2)  # a facilitator's pace
        out["switch_ms"] = switch

        out.update(await edit_timings(app, clock))

        # The results browser on the latest (100,000-row) run.
        await clock.press("E", showing(app, "evidence"))
        await asyncio.sleep(0.5)
        from workbench.ui.widgets.results_browser import ResultsBrowser

        browser = app.screen.query_one(ResultsBrowser)
        out["browser_first_s"] = (
            await clock.press(
                "enter", lambda: browser.total > 0 and browser.row_at(browser.cursor) is not None
            )
            / 1000
        )
        await asyncio.sleep(0.3)
        pages = []
        for _ in range(10):
            before = browser.cursor
            pages.append(
                await clock.press(
                    "pagedown",
                    lambda before=before: (
                        browser.cursor > before and browser.row_at(browser.cursor) is not None
                    ),
                )
            )
            await asyncio.sleep(0.1)
        out["browser_page_ms"] = max(pages)
        out["browser_page_median_ms"] = sorted(pages)[len(pages) // 2]
        total = browser.total
        out["browser_filter_s"] = (
            await clock.press(
                "f",
                lambda: browser.total != total and browser.row_at(browser.cursor) is not None,
            )
            / 1000
        )
        out["browser_rows"] = total
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return out


if __name__ == "__main__":
    result = asyncio.run(main(Path(sys.argv[1]), "--early" in sys.argv[2:]))
    print(json.dumps(result))
