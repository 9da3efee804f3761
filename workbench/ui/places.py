"""The app's places: one screen per area, in the order the sidebar and the number keys
use, each imported when first shown; and where a readiness finding is fixed."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.screen import Screen


@dataclass(frozen=True)
class Place:
    mode: str
    key: str
    title: str
    target: str  # "module:Class", imported when first shown

    def load(self) -> type[Screen[None]]:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)


PLACES: tuple[Place, ...] = (
    Place("overview", "1", "Overview", "workbench.ui.screens.overview:OverviewScreen"),
    Place("workshop", "2", "Workshop", "workbench.ui.screens.workshop:WorkshopScreen"),
    Place("checklist", "3", "Checklist", "workbench.ui.screens.checklist:ChecklistScreen"),
    Place("thresholds", "4", "Thresholds", "workbench.ui.screens.thresholds:ThresholdsScreen"),
    Place("testset", "5", "Test set", "workbench.ui.screens.testset:TestSetScreen"),
    Place("rollout", "6", "Rollout", "workbench.ui.screens.rollout:RolloutScreen"),
    Place("monitoring", "7", "Monitoring", "workbench.ui.screens.monitoring:MonitoringScreen"),
    Place("incident", "8", "Incidents", "workbench.ui.screens.incident:IncidentScreen"),
    Place("oversight", "9", "Oversight", "workbench.ui.screens.oversight:OversightScreen"),
    Place("decisions", "0", "Decisions", "workbench.ui.screens.decisions:DecisionsScreen"),
    Place("evidence", "E", "Evidence", "workbench.ui.screens.evidence:EvidenceScreen"),
    Place("history", "H", "History", "workbench.ui.screens.history:HistoryScreen"),
    Place("export", "X", "Export", "workbench.ui.screens.export:ExportScreen"),
)

PLACE_BY_MODE = {p.mode: p for p in PLACES}

# Where a readiness finding (``Check.where``) is fixed: its prefix -> the screen.
WHERE_TO_MODE = {
    "checklist": "checklist",
    "thresholds": "thresholds",
    "dataset": "testset",
    "rollout": "rollout",
    "monitoring": "monitoring",
    "incident_response": "incident",
    "oversight": "oversight",
    "decisions": "decisions",
}


def mode_for(where: str) -> tuple[str, str]:
    """The screen and the record a finding points at: ``checklist:x`` -> (checklist, x)."""
    prefix, _, key = where.partition(":")
    return WHERE_TO_MODE.get(prefix, "overview"), key
