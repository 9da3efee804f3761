"""The command palette: every screen, every action the current screen's keys offer, Find,
and (for three letters or more) the records whose words match, to go straight to one."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.markup import escape

from workbench.ui.messages import Navigate
from workbench.ui.places import PLACES
from workbench.ui.text import Text

if TYPE_CHECKING:
    from workbench.find import Index

# Words people use for the same action: a search for one also tries the other (the
# bindings keep their own descriptions: "delete" finds "Remove").
ALIASES = {"delete": "remove", "remove": "delete", "find": "search", "search": "find"}
FIND_WORDS = ("find", "search")  # "find accuracy" finds the records with "accuracy"
FIND_HITS = 5  # records offered at most
FIND_FROM = 3  # letters typed before records are offered


def _alias_queries(query: str) -> list[str]:
    """The query, and the query with each word that has an alias swapped for it."""
    words = query.split()
    swapped = [ALIASES.get(word.lower(), word) for word in words]
    queries = [query]
    if swapped != words:
        queries.append(" ".join(swapped))
    return queries


class WorkbenchCommands(Provider):
    """Commands run the same actions as the keys, so the two can never drift apart."""

    _index: Index | None = None
    _indexed: object = None  # the project data the index was built from
    _reading: asyncio.Lock | None = None

    def _commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        yield (
            "Find…",
            "Find a record by its words and go to it (key /)",
            partial(self.app.run_action, "app.find"),
        )
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
            if binding.action.startswith("app.goto") or binding.action in (
                "command_palette",
                "find",
                "app.find",
            ):
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
        matchers = [self.matcher(q) for q in _alias_queries(query)]
        for name, help_text, callback in self._commands():
            score, matcher = max(((m.match(name), m) for m in matchers), key=lambda s: s[0])
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        for hit in await self._found(query):
            yield hit

    async def _found(self, query: str) -> list[Hit]:
        """ "Find: <title> (<kind>)" for the records with every word of the query (the
        words after "find" or "search", if it starts with one)."""
        words = query.split()
        if words and words[0].lower() in FIND_WORDS:
            words = words[1:]
        wanted = " ".join(words)
        if len(wanted) < FIND_FROM:
            return []
        index = await self._project_index()
        if index is None:
            return []
        hits = []
        # (in a thread, like the index: a short query can match every record of a project)
        for rank, found in enumerate(await asyncio.to_thread(index.find, wanted, FIND_HITS)):
            name = f"Find: {found.title} ({found.kind})"
            hits.append(
                Hit(
                    0.9 - rank * 0.1,  # (the order find gave: title matches first)
                    Text(name),  # (a title is the user's text, never markup)
                    partial(self.app.post_message, Navigate(found.where)),
                    text=name,
                    help=escape(found.snippet) if found.snippet else None,
                )
            )
        return hits

    async def _project_index(self) -> Index | None:
        """The records of the project the screen shows, read once while the palette is
        open (it searches at each key press)."""
        from workbench.find import Index

        snapshot = getattr(self.screen, "snapshot", None)
        if snapshot is None:
            snapshot = getattr(getattr(self.app, "session", None), "cached", None)
        data = getattr(snapshot, "data", None)
        if data is None:
            return None
        if self._reading is None:
            self._reading = asyncio.Lock()
        async with self._reading:  # (read once, not once for each key typed meanwhile)
            if self._index is None or self._indexed is not data:
                self._index, self._indexed = await asyncio.to_thread(Index, data), data
        return self._index
