"""Cold start until the overview has drawn the project's verdict, then quit (headless)."""

import sys
from pathlib import Path

from workbench.ui.app import WorkbenchApp


class TimedApp(WorkbenchApp):
    def on_mount(self) -> None:
        super().on_mount()
        self.set_interval(0.005, self._quit_when_drawn)

    def _quit_when_drawn(self) -> None:
        if getattr(self.screen, "snapshot", None) is not None:
            self.exit()


if __name__ == "__main__":
    TimedApp(Path(sys.argv[1]), editor="bench", poll_seconds=0).run(headless=True)
