"""Start an app as its user does; print when its first frame was ready, then exit at once.

    python benchmarks/first_frame.py bare                      # the bare Textual app
    python benchmarks/first_frame.py workbench PROJECT         # `workbench open PROJECT`
    python benchmarks/first_frame.py workbench PROJECT --data  # ... first frame with data

Both apps go through the same hook: Textual's ``App._display``, called with each
frame the compositor has made for the terminal. The time printed is
``time.monotonic()`` (one clock for every process on the machine), so the parent
that started this process can subtract its own start time. The process then ends
with ``os._exit``: a user does not wait for an app to quit, and neither does this.
Run it with Textual's headless driver (no terminal here).
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

from textual.app import App

WANT_DATA = "--data" in sys.argv
WANT_AREA = sys.argv[1] != "bare"  # the workbench's first frame is of the overview
_display = App._display


def _first_frame(self: App[Any], screen: Any, renderable: Any) -> None:
    _display(self, screen, renderable)
    if renderable is None:
        return
    if WANT_AREA and not getattr(screen, "MODE", ""):
        return  # (Textual's default screen, before the overview is switched to)
    if WANT_DATA and getattr(screen, "snapshot", None) is None:
        return
    print(time.monotonic(), flush=True)
    os._exit(0)


App._display = _first_frame  # type: ignore[method-assign]

if __name__ == "__main__":
    if sys.argv[1] == "bare":
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from bare_app import BareApp

        BareApp().run()
    else:
        from workbench.cli import main

        sys.argv = ["workbench", "open", sys.argv[2]]
        main()
