"""The list of screens on the left: where the team is, and a way to jump."""

from __future__ import annotations

from textual.widgets import OptionList
from textual.widgets.option_list import Option

from workbench.ui.places import PLACES
from workbench.ui.text import Text

# The longest name, its key and the options' padding, and room for a scrollbar.
NARROW_WIDTH = max(len(f"{p.key} {p.title}") for p in PLACES) + 4


class Sidebar(OptionList):
    """Every screen by its key and name; at 80 columns (shown with ctrl+b) it takes no
    more than the longest name needs, so the screen keeps the rest."""

    SCOPED_CSS = False  # (the narrow rule starts from the screen's class)
    DEFAULT_CSS = f"""
    Sidebar {{ width: 20; height: 1fr; border: none; padding: 0; background: $panel; }}
    Sidebar:focus {{ border: none; }}
    .-narrow Sidebar {{ width: {NARROW_WIDTH}; }}
    """

    def __init__(self, current: str) -> None:
        options = [Option(Text.assemble((f"{p.key} ", "bold"), p.title), id=p.mode) for p in PLACES]
        super().__init__(*options, id="sidebar")
        self.current = current
        self.can_focus = False

    def on_mount(self) -> None:
        for index, place in enumerate(PLACES):
            if place.mode == self.current:
                self.highlighted = index

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            await self.app.run_action(f"app.goto('{event.option.id}')")
