"""Invisible characters made visible: shared by the reports and the screen.

Pure string work with no other imports, so the UI can use it without loading the
report code.
"""

from __future__ import annotations

import re

# Characters that hide, reorder or break text without being seen: C0/C1 controls
# (except tab and newline), Unicode format characters (bidi overrides and isolates,
# zero-width space, word joiner, BOM, tag characters...) and the line/paragraph
# separators. Zero-width (non-)joiners stay: emoji sequences and several scripts need them.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0001\U000e0020-\U000e007f]"
)
_NEWLINES = re.compile(r"\r\n?")


def reveal_invisible(text: str) -> str:
    """``text`` with invisible control and format characters shown as ``⟨U+XXXX⟩``.

    Windows and old Mac line endings become ``\\n``; tabs and newlines stay.
    """
    text = _NEWLINES.sub("\n", text)
    return _INVISIBLE.sub(lambda m: f"⟨U+{ord(m.group()):04X}⟩", text)
