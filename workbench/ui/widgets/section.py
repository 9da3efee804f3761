"""One titled part of a sectioned screen (incident response, monitoring, rollout,
oversight): a bar on its left marks the section with the focus, whose keys are the
ones the footer shows. Its look is in ``workbench.tcss``, once for every screen."""

from __future__ import annotations

from textual.containers import Vertical

from workbench.ui.widgets.tables import FittedTable


class Section(Vertical):
    """A screen's section; subclasses add the bindings of their part of the screen."""

    def on_mount(self) -> None:
        for table in self.query(FittedTable):
            # Textual's DataTable fills its container by default; stacked in a
            # scrolling screen, each section's table sizes to its rows instead.
            table.styles.height = "auto"
