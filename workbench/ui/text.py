"""Text for the screen: what a person typed, shown exactly as typed and never obeyed.

Every screen builds what it draws from :class:`Text`, which is rich's ``Text``
(so it is never read as markup: a decision titled ``[@click=app.quit]`` shows as
typed) with one difference: control and invisible characters in the strings it
is given are shown as ``⟨U+XXXX⟩``, as the reports show them. rich strips only a
few control codes and Textual none more, so without this an escape sequence in a
pasted log (``ESC [2J``, ``ESC ]52;…``) would reach the terminal and clear it,
recolour it, retitle it or write to the clipboard, and a right-to-left override
would reorder what the room reads on the projector.
"""

from __future__ import annotations

from typing import Any, cast

from rich.style import Style
from rich.text import Text as RichText

from workbench.invisible import reveal_invisible
from workbench.ui.compat import copy_spans

__all__ = ["Text", "shown"]


def shown(text: str) -> str:
    """``text`` as the screen shows it: hidden and control characters made visible."""
    return reveal_invisible(text)


class Text(RichText):
    """rich's Text, showing control and invisible characters instead of passing them on."""

    def __init__(self, text: str = "", style: str | Style = "", **options: Any) -> None:
        super().__init__(shown(text), style, **options)

    def append(self, text: str | RichText, style: str | Style | None = None) -> Text:
        super().append(shown(text) if isinstance(text, str) else text, style)
        return self

    @classmethod
    def assemble(cls, *parts: Any, **options: Any) -> Text:
        return cast(Text, super().assemble(*parts, **options))  # (rich builds it with cls)

    def copy(self) -> Text:
        copied = Text(
            self.plain,
            self.style,
            justify=self.justify,
            overflow=self.overflow,
            no_wrap=self.no_wrap,
            end=self.end,
            tab_size=self.tab_size,
        )
        copy_spans(self, copied)
        return copied

    def __add__(self, other: object) -> Text:
        if not isinstance(other, (str, RichText)):
            return NotImplemented
        result = self.copy()
        result.append(other)
        return result
