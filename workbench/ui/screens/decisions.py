"""Decisions: the log and a detail view; add, edit, supersede, link to thresholds and items;
the parking lot's questions, resolved with an answer that can become a decision."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import ValidationError
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Label, Static

from workbench import operations
from workbench.agenda import step_title
from workbench.errors import WorkbenchError, describe_validation_error
from workbench.models import DECISION_STATUSES, Decision, ParkedQuestion
from workbench.operations import decide
from workbench.operations.decisions import decision_date, question_context
from workbench.ui.dialogs.answer import remove_parked_question, resolve_parked_question
from workbench.ui.dialogs.form import FormDialog, FormField, Values, wrap_help
from workbench.ui.screens.base import AreaScreen

# A FormDialog that keeps its error line and buttons on a short screen (see thresholds.py).
from workbench.ui.session import Snapshot
from workbench.ui.text import Text
from workbench.ui.widgets.tables import plain
from workbench.ui.widgets.virtual_table import VirtualTable

STATUS_STYLES = {
    "proposed": "italic",
    "accepted": "bold green",
    "rejected": "red",
    "superseded": "dim strike",
}
STATUS_OPTIONS = [(status, status) for status in DECISION_STATUSES]
LINK_HELP = "threshold:METRIC or item:ITEM_ID, separated by spaces"
DATE_HELP = "YYYY-MM-DD; blank is today"
# (label, width) of the columns before and after the title: the first set that fits is used.
COLUMN_SETS = (
    ([("#", 4), ("Date", 10)], [("Status", 17), ("Owner", 12)]),
    ([("#", 4)], [("Status", 17), ("Owner", 10)]),
    ([("#", 4)], [("Status", 17)]),
)


def parse_links(text: str) -> list[str]:
    """The links typed in a field: separated by spaces, commas or new lines, no repeats."""
    links: list[str] = []
    for part in re.split(r"[\s,;]+", text):
        if part and part not in links:
            links.append(part)
    return links


def known_links(snapshot: Snapshot) -> dict[str, str]:
    """Every link this project accepts, with what it points at."""
    links = {f"threshold:{t.metric}": t.name for t in snapshot.data.thresholds}
    links.update({f"item:{i.id}": i.title for i in snapshot.data.checklist})
    return links


def check_links(links: list[str], snapshot: Snapshot) -> str | None:
    known = known_links(snapshot)
    for link in links:
        if link not in known:
            return f"{link!r} is not a threshold or checklist item of this project ({LINK_HELP})"
    return None


class DecisionLog(VirtualTable):
    """The log; when its width changes, the screen fits the title column to it again."""

    def on_resize(self) -> None:
        super().on_resize()
        screen = self.screen
        if isinstance(screen, DecisionsScreen) and screen.snapshot is not None:
            screen.call_after_refresh(screen.show, screen.snapshot)


class QuestionList(VirtualTable):
    """The parking lot: each question, its answer (or that it is open), its decision."""


def question_cells(q: ParkedQuestion) -> list[Any]:
    style = "dim" if q.resolved else ""
    if q.decision is not None:
        answer = Text(f"→ #{q.decision} ", style="bold")
        answer.append(plain(q.answer, "dim"))
    elif q.answer:
        answer = plain(q.answer, style)
    elif q.resolved:
        answer = Text("✓ resolved", style="dim")
    else:
        answer = Text("open", style="italic")
    return [Text(str(q.id), style=style), plain(q.text, style), answer]


class DecisionsScreen(AreaScreen):
    MODE = "decisions"
    HEADING = "Decisions"
    DEFAULT_CSS = """
    #decisions-body { height: 1fr; }
    #decisions-left { width: 2fr; height: 1fr; }
    #decision-log { height: 1fr; }
    #parking-title { height: 1; text-style: bold; color: $primary; }
    #decision-questions { height: 6; }
    DecisionsScreen.-short #decision-questions { height: 4; }
    #decision-detail { width: 1fr; min-width: 28; padding: 0 1; border-left: solid $panel; }
    DecisionsScreen.-narrow #decisions-body { layout: vertical; }
    DecisionsScreen.-narrow #decisions-left { width: 1fr; height: 1fr; }
    DecisionsScreen.-narrow #decision-detail {
        width: 1fr; height: 1fr; border-left: none; border-top: solid $panel;
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="decisions-add"),
        Binding("e", "edit", "Edit", id="decisions-edit"),
        Binding("s", "supersede", "Supersede", id="decisions-supersede"),
        Binding("l", "link", "Link", id="decisions-link"),
        Binding("r", "resolve", "Resolve", id="decisions-resolve"),
        Binding("x", "remove", "Remove", id="decisions-remove"),
    ]

    _layout: tuple[tuple[str, ...], int] | None = None

    def compose_main(self) -> ComposeResult:
        with Horizontal(id="decisions-body"):
            with Vertical(id="decisions-left"):
                yield DecisionLog([("#", 4)], id="decision-log")
                yield Label("Parking lot  (r: resolve with an answer)", id="parking-title")
                yield QuestionList(
                    [("#", 3), ("Question", None), ("Answer · decision", None)],
                    id="decision-questions",
                )
            with VerticalScroll(id="decision-detail"):
                yield Static("", id="decision-detail-text")

    def on_mount(self) -> None:
        # AreaScreen.on_mount runs too: Textual calls the handler of every class in the MRO.
        self.query_one("#decision-log", DecisionLog).focus()

    # ------------------------------------------------------------- drawing

    def _superseded_by(self, decision: Decision) -> Decision | None:
        if self.snapshot is None:
            return None
        return next((d for d in self.snapshot.data.decisions if d.supersedes == decision.id), None)

    def _by_id(self, decision_id: int | None) -> Decision | None:
        if self.snapshot is None or decision_id is None:
            return None
        return next((d for d in self.snapshot.data.decisions if d.id == decision_id), None)

    def _fit_columns(self) -> tuple[str, ...]:
        """Pick the columns that fit the log's width; the title takes what is left."""
        table = self.query_one("#decision-log", DecisionLog)
        available = table.size.width or max(self.size.width - 24, 40)
        for before, after in COLUMN_SETS:
            fixed = before + after
            title = available - sum(w for _, w in fixed) - 2 * (len(fixed) + 1) - 2
            if title >= 24:
                break
        title = max(title, 12)
        layout = (*(label for label, _ in before), "Title", *(label for label, _ in after))
        if self._layout != (layout, title):
            self._layout = (layout, title)
            table.set_columns([*before, ("Title", title), *after])
        return layout

    def show(self, snapshot: Snapshot) -> None:
        layout = self._fit_columns()
        assert self._layout is not None
        title_width = self._layout[1]
        successors = {d.supersedes: d for d in snapshot.data.decisions if d.supersedes is not None}
        rows = []
        for d in snapshot.data.decisions:
            successor = successors.get(d.id)
            status = Text(d.status, style=STATUS_STYLES.get(d.status, ""))
            if successor is not None:
                status = Text(f"superseded by #{successor.id}", style="dim")
            title = plain(d.title, "dim strike" if d.status == "superseded" else "")
            title.truncate(title_width, overflow="ellipsis")
            values: dict[str, Any] = {
                "#": str(d.id),
                "Date": d.date,
                "Title": title,
                "Status": status,
                "Owner": d.owner,
            }
            rows.append((str(d.id), [values[label] for label in layout]))
        table = self.query_one("#decision-log", DecisionLog)
        table.load(rows)
        questions = self.query_one("#decision-questions", QuestionList)
        questions.load([(str(q.id), question_cells(q)) for q in snapshot.data.parking_lot])
        self._show_detail()

    def _decision(self) -> Decision | None:
        key = self.query_one("#decision-log", DecisionLog).current_key
        return self._by_id(int(key)) if key is not None else None

    def _question(self) -> ParkedQuestion | None:
        key = self.query_one("#decision-questions", QuestionList).current_key
        if key is None or self.snapshot is None:
            return None
        return next((q for q in self.snapshot.data.parking_lot if str(q.id) == key), None)

    def _show_question(self) -> None:
        detail = self.query_one("#decision-detail-text", Static)
        q = self._question()
        if q is None:
            detail.update(Text("No parked questions. Park one on the Workshop screen (q)."))
            return
        text = Text()
        text.append(f"Question {q.id}\n", style="bold")
        text.append(q.text + "\n")
        raised = ", ".join(
            part
            for part in (
                f"raised by {q.raised_by}" if q.raised_by else "",
                f"at step {step_title(q.step)}" if q.step else "",
            )
            if part
        )
        if raised:
            text.append(raised + "\n", style="dim")
        text.append("\nAnswer\n", style="bold")
        if q.answer:
            text.append(q.answer + "\n")
            if q.answered_by:
                text.append(f"answered by {q.answered_by}\n", style="dim")
        else:
            text.append(
                ("resolved, no answer recorded" if q.resolved else "open: r to answer") + "\n"
            )
        if q.decision is not None:
            made = self._by_id(q.decision)
            text.append("\nBecame decision ", style="bold")
            text.append(f"#{q.decision} {made.title if made else ''}".rstrip() + "\n")
        detail.update(text)

    def _show_detail(self) -> None:
        if self.focused is self.query_one("#decision-questions", QuestionList):
            self._show_question()
            return
        detail = self.query_one("#decision-detail-text", Static)
        d = self._decision()
        if d is None:
            detail.update(Text("No decision recorded. Press a to add the first one."))
            return
        text = Text()
        text.append(f"#{d.id} ", style="bold")
        text.append(d.title + "\n", style="bold")
        text.append(f"{d.status} · {d.date or 'no date'} · owner {d.owner or '—'}\n", style="dim")
        source = next(
            (
                q
                for q in (self.snapshot.data.parking_lot if self.snapshot else [])
                if q.decision == d.id
            ),
            None,
        )
        if source is not None:
            text.append("From parked question ", style="bold")
            text.append(f"{source.id}\n")
        successor = self._superseded_by(d)
        if successor is not None:
            text.append("Superseded by ", style="bold")
            text.append(f"#{successor.id} {successor.title}\n")
        if d.supersedes is not None:
            previous = self._by_id(d.supersedes)
            text.append("Supersedes ", style="bold")
            text.append(f"#{d.supersedes} {previous.title if previous else ''}".rstrip() + "\n")
        for label, value in (
            ("Context", d.context),
            ("Decision", d.decision),
            ("Rationale", d.rationale),
            ("Alternatives considered", d.alternatives),
            ("Consequences", d.consequences),
        ):
            text.append(f"\n{label}\n", style="bold")
            text.append((value or "—") + "\n")
        text.append("\nLinks\n", style="bold")
        known = known_links(self.snapshot) if self.snapshot else {}
        if not d.links:
            text.append("— (l: link a threshold or checklist item)\n")
        for link in d.links:
            text.append(f"{link}")
            if link in known:
                text.append(f"  {known[link]}", style="dim")
            text.append("\n")
        detail.update(text)

    def on_virtual_table_row_highlighted(self, event: VirtualTable.RowHighlighted) -> None:
        self._show_detail()

    def on_descendant_focus(self) -> None:
        self._show_detail()

    def select_record(self, key: str) -> None:
        """A decision by its number, or a parked question as ``q`` and its number."""
        if key.startswith("q"):
            questions = self.query_one("#decision-questions", QuestionList)
            questions.select_key(key[1:])
            questions.focus()
            return
        table = self.query_one("#decision-log", DecisionLog)
        table.select_key(key)
        table.focus()

    # ------------------------------------------------------------- actions

    def _decision_fields(
        self, current: Decision | None, title: str = "", links: list[str] | None = None
    ) -> list[FormField]:
        """The decision dialog's fields, the same for adding and editing. (The status and
        the links follow the alternatives: the record's owner, date and consequences come
        last.)"""
        editor = self.snapshot.editor if self.snapshot else "you"

        def value(name: str, default: str = "") -> str:
            return str(getattr(current, name)) if current is not None else default

        return [
            FormField("title", "Title", value("title", title)),
            FormField("context", "Context: what prompted it", value("context")),
            FormField("decision", "Decision: what was decided", value("decision"), "multiline"),
            FormField("rationale", "Rationale: why", value("rationale"), "multiline"),
            FormField(
                "alternatives", "Alternatives considered", value("alternatives"), "multiline"
            ),
            FormField("status", "Status", value("status", "accepted"), "select", STATUS_OPTIONS),
            FormField(
                "links",
                "Links" if current is not None else "Links (optional)",
                " ".join(current.links if current is not None else links or []),
                placeholder=LINK_HELP,
            ),
            FormField(
                "consequences",
                "Consequences: what follows, good and bad",
                value("consequences"),
                "multiline",
            ),
            FormField("owner", "Owner", value("owner"), placeholder=f"blank is {editor}"),
            FormField("date", "Date", value("date"), placeholder=DATE_HELP),
        ]

    def _check_decision(self, values: Values, base: dict[str, Any]) -> str | None:
        """The dialog's values, checked as the operation will check them."""
        if not values["title"].strip():
            return "a decision needs a title"
        try:
            decision_date(values["date"])
        except WorkbenchError as error:
            return str(error)
        fields = {k: v.strip() for k, v in values.items() if k not in ("links", "date")}
        try:
            Decision.model_validate({**base, **fields})
        except ValidationError as error:
            return describe_validation_error(error)
        if self.snapshot is not None:
            return check_links(parse_links(values.get("links", "")), self.snapshot)
        return None

    def _check_new(self, values: Values) -> str | None:
        return self._check_decision(values, {"id": 1})

    def decide_from_question(self, question: ParkedQuestion, answer: str) -> None:
        """The decision dialog prefilled from a parked question and its answer (from the
        Workshop screen's resolve)."""
        self._new_decision(f"Decision from question {question.id}", None, question, answer)

    def _new_decision(
        self,
        dialog_title: str,
        supersedes: Decision | None,
        question: ParkedQuestion | None = None,
        answer: str = "",
    ) -> None:
        """The decision dialog for a new decision: superseding one, or made from a parked
        question (prefilled from the question and its answer)."""
        if question is not None:
            fields = self._decision_fields(None, " ".join(question.text.split())[:200])
            editor = self.snapshot.editor if self.snapshot else ""
            fields[1].value = question_context(question, answer, editor)
            fields[2].value = answer
        else:
            fields = self._decision_fields(
                None,
                supersedes.title if supersedes else "",
                supersedes.links if supersedes else None,
            )
            if supersedes is not None:
                fields[1].value = supersedes.context
        replaces = supersedes.id if supersedes is not None else None

        def save(values: Values | None) -> None:
            if values is None:
                if question is not None:
                    self.workbench.show_status(
                        f"Not saved · question {question.id} stays as it was"
                    )
                return
            clean = {k: v.strip() for k, v in values.items()}
            links = parse_links(clean.pop("links"))
            record: dict[str, Any] = {
                "title": clean["title"],
                "context": clean["context"],
                "decision": clean["decision"],
                "rationale": clean["rationale"],
                "alternatives": clean["alternatives"],
                "consequences": clean["consequences"],
                "owner": clean["owner"],
                "date": clean["date"],
                "status": clean["status"],
                "links": links,
            }
            if question is not None:
                self.edit(
                    lambda store, by: operations.question_to_decision(
                        store, by, question.id, answer=answer, seen=question, **record
                    ),
                    lambda d: f"question {question.id} answered; decision {d.id} added",
                    lambda d: self.focus_after_save(str(d.id)),
                )
                return
            self.edit(
                lambda store, by: decide(store, by, supersedes=replaces, **record),
                lambda d: (
                    f"decision {d.id} added" + (f", superseding {replaces}" if replaces else "")
                ),
                lambda d: self.focus_after_save(str(d.id)),
            )

        self.app.push_screen(FormDialog(dialog_title, fields, self._check_new), save)

    def focus_after_save(self, key: str) -> None:
        self._pending_focus = key

    def action_add(self) -> None:
        self._new_decision("New decision", None)

    def action_supersede(self) -> None:
        old = self._decision()
        if old is None:
            self.app.bell()
            return
        self._new_decision(f"Supersede #{old.id}: {old.title}", old)

    def action_edit(self) -> None:
        current = self._decision()
        if current is None:
            self.app.bell()
            return
        fields = self._decision_fields(current)

        def changes_from(values: Values) -> dict[str, Any]:
            new: dict[str, Any] = {k: v.strip() for k, v in values.items() if k != "links"}
            new["links"] = parse_links(values["links"])
            if new["date"] == "":
                new["date"] = decision_date("")  # (blank is today, as when adding)
            return {k: v for k, v in new.items() if getattr(current, k) != v}

        def check(values: Values) -> str | None:
            return self._check_decision(values, current.model_dump(exclude={"links", "date"}))

        def save(values: Values | None) -> None:
            if values is None:
                return
            changes = changes_from(values)
            if not changes:
                return
            self.edit(
                lambda store, by: operations.edit_decision(
                    store, by, current.id, seen=current, **changes
                ),
                f"decision {current.id}: {', '.join(changes)} updated",
            )

        self.app.push_screen(FormDialog(f"Edit #{current.id}", fields, check), save)

    # ------------------------------------------------------------- the parking lot

    def action_resolve(self) -> None:
        """Resolve the highlighted parked question with its answer (and perhaps make it a
        decision); a resolved one is opened again, unless it became a decision."""
        questions = self.query_one("#decision-questions", QuestionList)
        question = self._question()
        if question is None:
            self.workbench.show_status(
                "No parked questions: park one on the Workshop screen (q)", error=True
            )
            self.app.bell()
            return
        questions.focus()
        resolve_parked_question(
            self,
            question,
            lambda answer: self._new_decision(
                f"Decision from question {question.id}", None, question, answer
            ),
        )

    def action_remove(self) -> None:
        """Remove the highlighted decision, or the highlighted parked question when the
        parking lot has the focus, after asking."""
        if self.focused is self.query_one("#decision-questions", QuestionList):
            question = self._question()
            if question is None:
                self.app.bell()
                return
            remove_parked_question(self, question)
            return
        decision = self._decision()
        if decision is None:
            self.app.bell()
            return
        self.remove_after_asking(
            f"Remove decision {decision.id} ({decision.title[:60]}) from the log? "
            "(To record that it no longer holds, supersede it instead: s.)",
            lambda store, by: operations.remove_decision(store, by, decision.id),
            f"decision {decision.id} removed",
        )

    def action_link(self) -> None:
        current = self._decision()
        if current is None or self.snapshot is None:
            self.app.bell()
            return
        options = [
            (f"{link} · {label}", link)
            for link, label in known_links(self.snapshot).items()
            if link not in current.links
        ]
        if not options:
            self.app.bell()
            return

        def check(values: Values) -> str | None:
            if not values["link"]:
                return "choose a threshold or checklist item"
            if self.snapshot is not None:
                return check_links([values["link"]], self.snapshot)
            return None

        def save(values: Values | None) -> None:
            if values is None:
                return
            link = values["link"]
            self.edit(
                lambda store, by: operations.link_decision(store, by, current.id, link),
                f"decision {current.id} linked to {link}",
            )

        self.app.push_screen(
            FormDialog(
                f"Link #{current.id} to a threshold or checklist item",
                [FormField("link", "Threshold or item", "", "select", options)],
                check,
                help_text=wrap_help(
                    "To remove a link, edit the decision (e) and delete it from Links."
                ),
            ),
            save,
        )
