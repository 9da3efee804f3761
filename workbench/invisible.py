"""Invisible characters made visible: shared by the reports, the screen and the CLI.

Pure string work with no other imports, so the UI can use it without loading the
report code.
"""

from __future__ import annotations

import re

# Characters that hide, reorder or break text without being seen: C0/C1 controls
# (except tab and newline), Unicode format characters (bidi overrides and isolates,
# zero-width space, word joiner, BOM, tag characters...) and the line/paragraph
# separators; and lone surrogates (half of a UTF-16 pair, as a JSON ``\ud800`` or a file
# name's undecodable byte gives them), which no terminal or file can take as text.
# Zero-width (non-)joiners stay: emoji sequences and several scripts need them.
_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
_INVISIBLE = re.compile(f"[{_CLASS}]")
_NEWLINES = re.compile(r"\r\n?")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _shown(match: re.Match[str]) -> str:
    return f"⟨U+{ord(match.group()):04X}⟩"


def reveal_invisible(text: str) -> str:
    """``text`` with invisible control and format characters shown as ``⟨U+XXXX⟩``.

    Windows and old Mac line endings become ``\\n``; tabs and newlines stay.
    """
    text = _NEWLINES.sub("\n", text)
    return _INVISIBLE.sub(_shown, text)


def has_surrogate(text: str) -> bool:
    """Whether ``text`` holds half of a UTF-16 surrogate pair: a character no UTF-8 file,
    database or terminal can take (a JSON ``"\\ud800"``, or a file name's undecodable
    byte as Python reads it)."""
    return _SURROGATE.search(text) is not None


def reveal_controls(text: str) -> str:
    """``text`` as it may reach a terminal: every character ``reveal_invisible`` shows is
    shown, carriage returns too (one could send the cursor back over what a line said);
    newlines and tabs stay."""
    return _INVISIBLE.sub(_shown, text)


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the BMP: a JSON escape is the UTF-16 pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def escape_invisible_json(text: str) -> str:
    """JSON text (as ``json.dumps(..., ensure_ascii=False)`` writes it) with every
    invisible character written as a ``\\uXXXX`` escape: the same JSON value, safe to
    print. (Such characters occur only inside JSON strings, where an escape means the same
    character; newline and tab there are escaped by ``json.dumps`` already.)"""
    return _INVISIBLE.sub(_json_escape, text)
