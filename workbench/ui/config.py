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
from pathlib import Path

import tomli_w
from pydantic import Field, ValidationError

from workbench.errors import InvalidValueError, describe_validation_error
from workbench.files import write_atomic
from workbench.models import Model


class UiConfig(Model):
    theme: str = ""
    keymap: dict[str, str] = Field(default_factory=dict)


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
        return UiConfig.model_validate(tomllib.loads(text))
    except tomllib.TOMLDecodeError as error:
        raise InvalidValueError(f"{path}: not valid TOML: {error}") from None
    except ValidationError as error:
        raise InvalidValueError(f"{path}: {describe_validation_error(error)}") from None


def save_theme(theme: str, path: Path | None = None) -> None:
    """Remember the theme, keeping the rest of the settings file."""
    path = path or config_path()
    try:
        config = load_config(path)
    except InvalidValueError:
        return  # never overwrite a settings file the user has to fix by hand
    config.theme = theme
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, tomli_w.dumps(config.model_dump(exclude_defaults=True)))
