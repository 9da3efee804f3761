"""The UI's settings file: the remembered theme and the user's keymap.

``$XDG_CONFIG_HOME/workbench/config.toml`` (``~/.config/workbench/config.toml``),
or the file named by ``WORKBENCH_CONFIG``::

    theme = "workbench-projector"

    [keymap]
    toggle-item = "x"          # binding id = key(s), comma-separated
    workshop-next-step = "n,right"

No Textual here: the settings are plain data.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workbench.errors import InvalidValueError


@dataclass
class UiConfig:
    """The two settings. Checked by hand: the UI's start-up should not wait for pydantic."""

    theme: str = ""
    keymap: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, raw: dict[str, Any]) -> UiConfig:
        unknown = sorted(set(raw) - {"theme", "keymap"})
        if unknown:
            raise ValueError(f"{unknown[0]}: unknown setting (only theme and [keymap])")
        theme = raw.get("theme", "")
        if not isinstance(theme, str):
            raise ValueError("theme: write the theme's name in quotes")
        keymap = raw.get("keymap", {})
        if not isinstance(keymap, dict):
            raise ValueError('keymap: must be a [keymap] table of binding-id = "key"')
        for binding, keys in keymap.items():
            if not isinstance(keys, str) or not keys.strip():
                raise ValueError(
                    f'keymap.{binding}: write the key(s) in quotes, e.g. "x" or "n,right"'
                )
        return cls(theme=theme, keymap=dict(keymap))

    def to_toml(self) -> dict[str, Any]:
        raw: dict[str, Any] = {}
        if self.theme:
            raw["theme"] = self.theme
        if self.keymap:
            raw["keymap"] = dict(self.keymap)
        return raw


def config_path() -> Path:
    if os.environ.get("WORKBENCH_CONFIG"):
        return Path(os.environ["WORKBENCH_CONFIG"])
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "workbench" / "config.toml"


def load_config(path: Path | None = None) -> UiConfig:
    """The settings; a missing file gives the defaults, a broken one a clear error."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UiConfig()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidValueError(f"{path}: cannot read the settings file ({error})") from None
    try:
        return UiConfig.from_toml(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise InvalidValueError(f"{path}: not valid TOML: {error}") from None
    except ValueError as error:
        raise InvalidValueError(f"{path}: {error}") from None


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember the theme, keeping the rest of the settings file."""
    import tomli_w

    from workbench.files import write_atomic

    path = path or config_path()
    try:
        config = load_config(path)
    except InvalidValueError:
        return  # never overwrite a settings file the user has to fix by hand
    config.theme = theme
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, tomli_w.dumps(config.to_toml()))
