"""The workbench's own themes: a calm dark one and a high-contrast light one for projectors."""

from __future__ import annotations

from textual.theme import Theme

DARK = "workbench-dark"
PROJECTOR = "workbench-projector"

WORKBENCH_DARK = Theme(
    name=DARK,
    primary="#4EA1F3",
    secondary="#8FB8DE",
    accent="#F2B84B",
    warning="#F2B84B",
    error="#F0645F",
    success="#5CC98A",
    foreground="#E6EAF0",
    background="#14181F",
    surface="#1C222B",
    panel="#262E3A",
    dark=True,
)

# Black on white with saturated, dark status colours: legible on a washed-out projector.
WORKBENCH_PROJECTOR = Theme(
    name=PROJECTOR,
    primary="#0038A8",
    secondary="#3A3A3A",
    accent="#8A4B00",
    warning="#8A4B00",
    error="#B00020",
    success="#006B2E",
    foreground="#000000",
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#E4E8EE",
    dark=False,
    luminosity_spread=0.1,
    text_alpha=1.0,
)

THEMES = (WORKBENCH_DARK, WORKBENCH_PROJECTOR)
