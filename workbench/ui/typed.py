"""The app, typed: what a screen or widget reaches through ``self.app`` is the
WorkbenchApp, with its session, its edit queue and its status line."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from workbench.ui.app import WorkbenchApp


def workbench_app(node: DOMNode) -> WorkbenchApp:
    return cast("WorkbenchApp", node.app)
