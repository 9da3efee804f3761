"""The command palette: every screen, and every action the current screen's keys offer."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from workbench.ui.places import PLACES


class WorkbenchCommands(Provider):
    """Commands run the same actions as the keys, so the two can never drift apart."""

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        for place in PLACES:
            yield (
                f"Go to {place.title}",
                f"Show the {place.title.lower()} screen (key {place.key})",
                partial(self.app.run_action, f"app.goto('{place.mode}')"),
            )
        seen: set[str] = set()
        for active in self.screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen:
                continue
            if binding.action.startswith("app.goto") or binding.action == "command_palette":
                continue
            seen.add(binding.action)
            key = self.app.get_key_display(binding)
            yield (
                binding.description,
                f"key {key}",
                partial(self.app.run_action, binding.action, active.node),
            )

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
