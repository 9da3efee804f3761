"""The binding ids a keymap can remap: every key the app's screens, their sections, the
dialogs and the widgets declare, each under an id of its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterable

from textual.binding import Binding

# (the browser mode's modules hold no bindings, and import its server)
_SKIPPED = ("workbench.ui.serve", "workbench.ui.serve_pages")


def declared_bindings() -> dict[str, list[str]]:
    """Binding id -> where it is declared (``module.Class``), for every binding of the
    UI. Imports every module of the UI: call it off the UI thread, or in a test."""
    import workbench.ui as ui

    found: dict[str, list[str]] = {}
    for module_info in pkgutil.walk_packages(ui.__path__, "workbench.ui."):
        if module_info.name in _SKIPPED:
            continue
        module = importlib.import_module(module_info.name)
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and cls.__module__ == module.__name__):
                continue
            for binding in vars(cls).get("BINDINGS", ()):
                key = binding.id if isinstance(binding, Binding) else None
                found.setdefault(key or "", []).append(f"{module.__name__}.{name}")
    return found


def unknown_ids(keymap: Iterable[str]) -> list[str]:
    """The ids of a keymap that no binding has (a typo would otherwise do nothing)."""
    known = declared_bindings()
    return [binding_id for binding_id in keymap if binding_id not in known]
