"""UI timings on a large project, measured in one process and printed as JSON.

Opening until the overview is drawn; switching to every screen (first visit and
again), each until the screen shows the project; the results browser on the
largest run: first paint, page down, the failed-only filter; peak memory.
"""

from __future__ import annotations

import asyncio
import json
import resource
import sys
import time
from pathlib import Path

STARTED = time.perf_counter()

from workbench.ui.app import WorkbenchApp  # noqa: E402
from workbench.ui.screens import PLACES  # noqa: E402


async def until(condition, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the UI did not get there in time")
        await asyncio.sleep(0.001)


async def main(path: Path) -> dict[str, object]:
    app = WorkbenchApp(
        path, editor="bench", poll_seconds=0, config_file=Path("/tmp/workbench-bench-ui.toml")
    )
    out: dict[str, object] = {}
    async with app.run_test(size=(160, 45)) as pilot:
        await until(lambda: getattr(app.screen, "snapshot", None) is not None)
        await pilot.pause()
        out["open_s"] = time.perf_counter() - STARTED
        switch: dict[str, float] = {}
        for visit in ("first", "again"):
            for place in [*PLACES[1:], PLACES[0]]:
                started = time.perf_counter()
                await pilot.press(place.key)
                await until(
                    lambda place=place: (
                        getattr(app.screen, "MODE", "") == place.mode
                        and getattr(app.screen, "snapshot", None) is not None
                    )
                )
                await pilot.pause()
                switch[f"{place.mode} ({visit})"] = (time.perf_counter() - started) * 1000
        out["switch_ms"] = switch
        # The results browser on the latest (100,000-row) run.
        await pilot.press("E")
        await until(lambda: getattr(app.screen, "snapshot", None) is not None)
        await pilot.pause()
        from workbench.ui.widgets.results_browser import ResultsBrowser

        browser = app.screen.query_one(ResultsBrowser)
        started = time.perf_counter()
        await pilot.press("enter")
        await until(lambda: browser.total > 0 and browser.row_at(0) is not None)
        await pilot.pause()
        out["browser_first_s"] = time.perf_counter() - started
        worst = 0.0
        for _ in range(10):
            started = time.perf_counter()
            await pilot.press("pagedown")
            await until(lambda: browser.row_at(browser.cursor) is not None)
            await pilot.pause()
            worst = max(worst, (time.perf_counter() - started) * 1000)
        out["browser_page_ms"] = worst
        total = browser.total
        started = time.perf_counter()
        await pilot.press("f")
        await until(lambda: browser.total != total and browser.row_at(0) is not None)
        await pilot.pause()
        out["browser_filter_s"] = time.perf_counter() - started
        out["browser_rows"] = total
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(Path(sys.argv[1])))))
