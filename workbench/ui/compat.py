"""Every private part of Textual (and Rich) the app relies on, in one place.

Each is a documented shortcut with no public equivalent in the Textual release
``pyproject.toml`` pins; ``tests/ui/test_compat.py`` exercises each against the
installed version, so an upgrade that changes one fails there, by name, rather than
somewhere in a screen.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rich.text import Text as RichText
from textual.binding import Binding

if TYPE_CHECKING:
    from textual.app import App
    from textual.dom import DOMNode
    from textual.screen import Screen


def mode_started(app: App[Any], mode: str) -> bool:
    """Whether the screen of ``mode`` has been made (shown, or built ahead)."""
    return mode in app._screen_stacks


async def build_mode(app: App[Any], mode: str) -> None:
    """Compose, mount, style and lay out the screen of ``mode`` without showing it:
    Textual's own first step of ``switch_mode``, without the switch."""
    await app._init_mode(mode)


def node_bindings(node: DOMNode) -> Iterator[Binding]:
    """The bindings a node declares."""
    for bindings in node._bindings.key_to_bindings.values():
        yield from bindings


def adopt_stylesheet(screen: Screen[Any]) -> None:
    """Mark a new screen as styled with the app's stylesheet as it is now, so Textual
    does not re-parse all of it when the screen is first shown (a new screen starts at
    -1 and would be restyled twice: a fifth of a first visit's time)."""
    screen._css_update_count = screen.app._css_update_count


def copy_spans(source: RichText, target: RichText) -> None:
    """Give ``target`` the style spans of ``source`` (same text), without re-adding
    them one by one."""
    target._spans[:] = source._spans


def notifications(app: App[Any]) -> list[str]:
    """The messages of the toasts on screen now (for tests and the browser mode)."""
    return [notification.message for notification in app._notifications]
