"""The Markdown report: for wikis and pull requests.

Every string a person typed goes through :func:`escape_md` (running text) or
:func:`escape_md_cell` (table cells, headings, one-line labels), so a decision
titled ``<script>``, ``[x](javascript:alert(1))`` or ``**bold**`` shows as typed
when the Markdown is rendered, and never becomes HTML, a link or formatting.

Its words (status words, targets, measured values, history lines) come from
``reports.wording``, shared with the HTML report, so the two formats say the same
things.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from workbench.agenda import step_title
from workbench.invisible import reveal_invisible
from workbench.readiness import Blocker
from workbench.reports import approval_words as approval
from workbench.reports.model import Report
from workbench.reports.wording import (
    DECISION_STATUS_WORDS,
    ITEM_STATUS_WORDS,
    MEASURE_STATUS_WORDS,
    NONE,
    OVERSIGHT_KIND_TITLES,
    SECTION_TITLES,
    SESSION_COLUMNS,
    STAGE_STATUS_WORDS,
    THRESHOLD_STATUS_WORDS,
    answered_questions,
    area_title,
    decision_heading,
    describe_alert_condition,
    describe_measured,
    describe_minutes,
    describe_target,
    made_from_question,
    percent,
    plural,
    question_outcome,
    readable_time,
    rollback_tested,
    session_row,
    stage_traffic,
    superseded_by,
    test_set_figures,
    verdict_summary,
    verdict_title,
)
from workbench.units import format_value

# Backslash-escape everything Markdown or HTML could act on, anywhere in a line.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|!{}~&$])")
# At the start of a line, these would open a list, a setext heading or a rule.
_MD_LINE_START = re.compile(r"^([-+=])")
_MD_ORDERED = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")


def _escape_line(line: str) -> str:
    line = _MD_SPECIAL.sub(r"\\\1", line.strip())
    line = _MD_LINE_START.sub(r"\\\1", line)
    return _MD_ORDERED.sub(r"\1\\\2", line)


def escape_md(text: str) -> str:
    """Text a person typed, safe as Markdown running text: it renders exactly as typed.

    Lines are kept (blank ones dropped, so the text stays inside its list item or
    paragraph); each is trimmed so indentation cannot start a code block.
    """
    lines = (_escape_line(line) for line in reveal_invisible(text).split("\n"))
    return "\n".join(line for line in lines if line)


def escape_md_cell(text: str) -> str:
    """Text a person typed, safe on one line: a table cell, a heading or a label.

    Newlines become spaces (never ``<br>``: the report holds no raw HTML).
    """
    return _escape_line(" ".join(reveal_invisible(text).split()))


# ------------------------------------------------------ words shared with HTML


def _table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], empty: str = "None recorded."
) -> list[str]:
    """A GFM table; every cell is escaped here, so callers pass plain text."""
    body = ["| " + " | ".join(escape_md_cell(c) or NONE for c in row) + " |" for row in rows]
    if not body:
        return [empty, ""]
    return [
        "| " + " | ".join(escape_md_cell(h) for h in headers) + " |",
        "| " + " | ".join("---" for _ in headers) + " |",
        *body,
        "",
    ]


def _field(label: str, text: str) -> str:
    """A ``- **Label:** text`` list item (``label`` is ours, ``text`` is escaped)."""
    return f"- **{label}:** {escape_md(text) or NONE}"


def _heading(level: int, text: str) -> list[str]:
    return ["#" * level + " " + escape_md_cell(text), ""]


def _section(anchor: str) -> list[str]:
    return _heading(2, SECTION_TITLES[anchor])


def _summary(report: Report) -> list[str]:
    p = report.project
    r = report.readiness
    lines = [
        *_heading(1, f"Readiness report: {p.name}"),
        f"**Verdict: {verdict_title(r)}**. {escape_md_cell(verdict_summary(r))}",
        "",
    ]
    if p.system:
        lines.append(_field("System", p.system))
    if p.use:
        lines.append(_field("Use", p.use))
    lines += [
        _field("Risk level", p.risk),
        _field("Owner", p.owner),
        _field("Checklist template", report.guide.title),
        _field("Generated", readable_time(report.generated_at)),
        "",
    ]
    return lines + _summary_page(report)


def _summary_page(report: Report) -> list[str]:
    """What a reader who reads one page needs: blockers, action items, sign-offs and the
    evidence behind each threshold, each on one line."""
    blockers, points, more = approval.summary_points(report)
    g = report.governance
    lines = [*_heading(2, "Summary"), f"**{SECTION_TITLES['blockers']}:**", ""]
    lines += [f"- {escape_md_cell(approval.point_text(b))}" for b in blockers] or ["- None."]
    lines += ["", "**Action items:**", ""]
    lines += [f"- {escape_md_cell(approval.point_text(b))}" for b in points] or ["- None."]
    if more:
        lines.append(f"- And {more:,} more under {SECTION_TITLES['open-points']}.")
    lines += [
        "",
        f"**{SECTION_TITLES['signoffs']}:** {escape_md_cell(approval.signoff_summary(g))}",
    ]
    lines += [""] + [f"- {escape_md_cell(approval.signoff_line(s))}" for s in g.signoffs]
    lines += ["", "**Evidence behind each threshold:**", ""]
    lines += [
        f"- **{escape_md_cell(t.name)}:** {escape_md_cell(approval.evidence_line(t))}"
        for t in report.thresholds
    ] or ["- No thresholds defined."]
    return [*lines, "", f"*{escape_md_cell(approval.fixed_words(g))}*", ""]


def _reasons(anchor: str, points: Sequence[Blocker]) -> list[str]:
    lines = _section(anchor)
    if not points:
        return [*lines, "None.", ""]
    for b in points:
        text = escape_md_cell(approval.point_text(b))
        lines.append(f"- **{escape_md_cell(area_title(b.area))}:** {text}")
    return [*lines, ""]


def _blockers(report: Report) -> list[str]:
    return (
        _reasons("blockers", report.readiness.blockers)
        + _reasons("open-points", report.readiness.open_points)
        + _signoffs(report)
    )


def _signoffs(report: Report) -> list[str]:
    g = report.governance
    lines = [*_section("signoffs"), escape_md(approval.signoff_summary(g)), ""]
    rows = approval.signoff_rows(g)
    if rows:
        lines += _table(approval.SIGNOFF_COLUMNS, rows)
    lines += [escape_md(approval.digest_words(g)), ""]
    return lines + _since(report)


def _since(report: Report) -> list[str]:
    if report.since is None:
        return []
    lines = [*_heading(2, approval.SINCE_TITLE), escape_md(approval.since_words(report)), ""]
    for group in report.since.groups:
        lines += _heading(3, group.title)
        lines += [f"- {escape_md_cell(line)}" for line in group.lines]
        lines.append("")
    return lines


def _scores(report: Report) -> list[str]:
    rows = [
        (s.title, percent(s.score), f"{s.passed} of {s.total}" if s.total else "no checks")
        for s in report.readiness.scores
    ]
    return [*_section("scores"), *_table(("Area", "Score", "Checks passed"), rows)]


def _checklist(report: Report) -> list[str]:
    lines = _section("checklist")
    for section in report.checklist_sections:
        counts = f"{section.done} of {section.total} done"
        if section.not_applicable:
            counts += f", {section.not_applicable} not applicable"
        lines += _heading(3, f"{section.title} ({counts})")
        items = [i for i in report.checklist if i.section == section.id]
        rows = [
            (
                i.title,
                ITEM_STATUS_WORDS.get(i.status, i.status),
                i.owner,
                i.evidence,
                i.reason if i.status == "na" else "",
            )
            for i in items
        ]
        lines += _table(("Item", "Status", "Owner", "Evidence", "Not applicable because"), rows)
    return lines


def _thresholds(report: Report) -> list[str]:
    lines = _section("thresholds")
    if not report.thresholds:
        return [*lines, "No thresholds defined.", ""]
    rows = [
        (
            t.name,
            describe_target(t.comparator, t.target, t.unit),
            describe_measured(t.measured, t.unit),
            THRESHOLD_STATUS_WORDS[t.measured.status],
            t.reasoning,
        )
        for t in report.thresholds
    ]
    lines += _table(("Metric", "Target", "Measured", "Status", "Reasoning"), rows)
    g = report.governance
    lines += [escape_md(approval.fixed_words(g)), ""]
    changes = approval.threshold_change_rows(g)
    if changes:
        lines += _table(approval.THRESHOLD_CHANGE_COLUMNS, changes)
    return lines


def _evidence(report: Report) -> list[str]:
    from workbench.reports import evidence_words as ev

    evidence = report.evidence
    lines = _section("evidence")
    run = ev.latest(evidence)
    if run is None:
        return [*lines, "No evaluation runs imported yet.", ""]
    lines += _heading(3, "Runs")
    lines += _table(ev.RUN_HEADERS, ev.run_rows(evidence))
    m = run.metrics
    lines += _heading(3, f"Latest run: {run.label}")
    lines += _table(ev.FIGURE_HEADERS, ev.figure_rows(m), empty="It measures no built-in metric.")
    if m.scores:
        lines += _heading(4, "Named scores")
        lines += _table(ev.FIGURE_HEADERS, ev.score_rows(m))
    for title, slices in (("By category", m.by_category), ("By group", m.by_group)):
        if len(slices) > 1 or (slices and "" not in slices):
            lines += _heading(4, title)
            headers = (title.split()[-1].capitalize(), *ev.SLICE_HEADERS)
            lines += _table(headers, ev.slice_rows(slices))
    notes = ev.import_notes(run)
    if notes:
        lines += _heading(4, "What the import did")
        lines += [f"- {escape_md(note)}" for note in notes] + [""]
    bias = ev.bias_lines(evidence)
    lines += _heading(3, "Bias check")
    if bias is None:
        lines += ["Fewer than two user groups: no gap to measure.", ""]
    else:
        lines += [f"**{escape_md_cell(bias[0])}.** {escape_md_cell(bias[1])}.", ""]
    if evidence.comparison is not None:
        lines += _heading(3, "Compared with the run before")
        lines += [escape_md_cell(ev.comparison_title(evidence)), ""]
        lines += _table(ev.CHANGE_HEADERS, ev.change_rows(evidence))
        lines += [escape_md(line.strip()) for line in evidence.comparison.cases.lines()] + [""]
    return lines


def _dataset(report: Report) -> list[str]:
    ds = report.dataset
    lines = [
        *_section("test-set"),
        _field("Risk level", f"{ds.risk} (minimum {ds.minimum} test cases)"),
        *(_field(label, value) for label, value in test_set_figures(ds)),
        _field("Edge cases", str(ds.edge_cases)),
        _field("Adversarial cases", str(ds.adversarial_cases)),
    ]
    if ds.notes:
        lines.append(_field("Notes", ds.notes))
    lines.append("")
    if ds.composition:
        lines += _heading(3, "Composition")
        rows = [(c.category, str(c.planned), str(c.actual)) for c in ds.composition]
        lines += _table(("Category", "Planned", "Actual"), rows)
    return lines


def _rollout(report: Report) -> list[str]:
    ro = report.rollout
    lines = [*_section("rollout"), *_heading(3, "Chosen deployment patterns")]
    chosen = [p for p in ro.patterns if p.chosen]
    if not chosen:
        lines.append("No deployment pattern chosen yet.")
    for p in chosen:
        text = f"- **{escape_md_cell(p.title)}**"
        if p.notes:
            text += ": " + escape_md(p.notes)
        lines.append(text)
    lines += ["", *_heading(3, "Stages")]
    if ro.stages:
        rows = [
            (f"Week {s.week}", stage_traffic(s.traffic), s.criterion, STAGE_STATUS_WORDS[s.status])
            for s in ro.stages
        ]
        lines += _table(("Week", "Traffic", "Criterion to go on", "Status"), rows)
    else:
        lines += ["No rollout stages planned.", ""]
    st = ro.settings
    lines += [
        *_heading(3, "Settings"),
        _field("Shadow mode", plural(st.shadow_weeks, "week")),
        _field("Shadow comparison", st.shadow_comparison),
        _field("Human-in-the-loop approval target", format_value(st.hitl_approval_target, "rate")),
        _field("Human-in-the-loop notes", st.hitl_notes),
        _field("Feature flag tool", st.flag_tool),
        "",
    ]
    return lines


def _monitoring(report: Report) -> list[str]:
    mon = report.monitoring
    lines = [*_section("monitoring"), *_heading(3, "Alerts")]
    if mon.alerts:
        rows = [
            (
                a.signal,
                describe_alert_condition(a.comparator, a.value, a.unit, a.window_minutes),
                a.condition,
                a.response,
                a.owner,
                "Yes" if a.enabled else "No",
            )
            for a in mon.alerts
        ]
        lines += _table(("Signal", "Fires when", "Note", "Response", "Owner", "On"), rows)
    else:
        lines += ["No alerts configured.", ""]
    log = mon.logging
    lines += [
        *_heading(3, "Logging"),
        _field("Always log", ", ".join(log.always)),
        _field("Optionally log", ", ".join(log.optionally)),
        _field("Never log", ", ".join(log.never)),
        _field("Retention", plural(log.retention_days, "day") if log.retention_days else "not set"),
    ]
    if log.retention_note:
        lines.append(_field("Retention note", log.retention_note))
    return [*lines, ""]


def _incident_response(report: Report) -> list[str]:
    ir = report.incident_response
    lines = [*_section("incident-response"), *_heading(3, "Severity levels")]
    lines += _table(
        ("Severity", "Definition", "Respond within", "Example"),
        [
            (s.title, s.definition, describe_minutes(s.response_minutes), s.example)
            for s in ir.severity_levels
        ],
        empty="No severity levels defined.",
    )
    lines += _heading(3, "Playbook")
    for phase in ir.playbook:
        lines += _heading(4, f"{phase.title} ({phase.window})" if phase.window else phase.title)
        steps = [f"{n}. {escape_md_cell(step)}" for n, step in enumerate(phase.steps, 1)]
        lines += [*(steps or ["No steps written."]), ""]
    if not ir.playbook:
        lines += ["No playbook written.", ""]
    lines += _heading(3, "Rollback options")
    lines += _table(
        ("Option", "Description", "Speed", "Best for", "Last tested: by whom, what"),
        [
            (r.title, r.description, r.speed, r.best_for, rollback_tested(r))
            for r in ir.rollback_options
        ],
        empty="No rollback options listed.",
    )
    lines += _heading(3, "On call")
    lines += _table(
        ("Role", "Person"),
        [(o.role, o.person or "nobody assigned") for o in ir.on_call],
        empty="No on-call roles listed.",
    )
    lines += _heading(3, "Escalation")
    lines += _table(
        ("Step", "Contact", "When"),
        [(str(e.step), e.contact, e.when) for e in ir.escalation],
        empty="No escalation path defined.",
    )
    return lines


def _oversight(report: Report) -> list[str]:
    lines = _section("oversight")
    measures = report.oversight.measures
    if not measures:
        return [*lines, "No oversight measures listed.", ""]
    rows = [
        (
            OVERSIGHT_KIND_TITLES.get(m.kind, m.kind),
            m.text,
            MEASURE_STATUS_WORDS.get(m.status, m.status),
            m.notes,
        )
        for m in measures
    ]
    return lines + _table(("Kind", "Measure", "Status", "Notes"), rows)


def _decisions(report: Report) -> list[str]:
    lines = _section("decisions")
    if not report.decisions:
        return [*lines, "No decisions recorded.", ""]
    replaced_by = superseded_by(report.decisions)
    from_question = made_from_question(report.parking_lot)
    for d in report.decisions:
        lines += _heading(3, decision_heading(d, replaced_by))
        if d.status == "superseded":
            lines += ["*Superseded: kept for the record, no longer in force.*", ""]
        lines += [
            _field("Status", DECISION_STATUS_WORDS.get(d.status, d.status)),
            _field("Date", d.date),
            _field("Owner", d.owner),
        ]
        if d.supersedes is not None:
            lines.append(_field("Supersedes", f"decision {d.supersedes}"))
        if d.id in from_question:
            lines.append(_field("From the parking lot", f"question {from_question[d.id]}"))
        for label, text in (
            ("Context", d.context),
            ("Decision", d.decision),
            ("Rationale", d.rationale),
            ("Alternatives considered", d.alternatives),
            ("Consequences", d.consequences),
        ):
            if text:
                lines.append(_field(label, text))
        if d.links:
            lines.append(_field("Links", ", ".join(d.links)))
        lines.append("")
    return lines


def _parking_lot(report: Report) -> list[str]:
    lines = _section("parking-lot")
    open_questions = [q for q in report.parking_lot if not q.resolved]
    answered = answered_questions(report.parking_lot)
    resolved = len(report.parking_lot) - len(open_questions) - len(answered)
    if not open_questions:
        lines.append("No open questions.")
    for q in open_questions:
        who = ", ".join(
            part
            for part in (
                f"raised by {q.raised_by}" if q.raised_by else "",
                f"at step {step_title(q.step)}" if q.step else "",
            )
            if part
        )
        text = f"- **Q{q.id}:** {escape_md(q.text)}"
        lines.append(text + (f" ({escape_md_cell(who)})" if who else ""))
    if answered:
        lines += ["", "Answered:", ""]
    for q in answered:
        lines.append(f"- **Q{q.id}:** {escape_md(q.text)} ({escape_md(question_outcome(q))})")
    if resolved:
        lines += ["", f"{plural(resolved, 'resolved question')} not shown."]
    return [*lines, ""]


def _workshop(report: Report) -> list[str]:
    ws = report.workshop
    lines = [*_section("workshop"), *_heading(3, "Attendees")]
    lines += [f"- {escape_md_cell(a)}" for a in ws.attendees] or ["No attendees recorded."]
    lines.append("")
    if ws.step:
        lines += [_field("Workshop step reached", step_title(ws.step)), ""]
    lines += _heading(3, "Sessions held")
    if not report.sessions:
        return [*lines, "No workshop sessions recorded.", ""]
    return lines + _table(SESSION_COLUMNS, [session_row(s) for s in report.sessions])


def _history(report: Report) -> list[str]:
    rows = approval.history_rows(report.history)
    lines = _section("history")
    if not rows:
        return [*lines, "No changes recorded.", ""]
    lines += [f"The latest {plural(len(rows), 'change')}, newest first.", ""]
    return lines + _table(approval.HISTORY_COLUMNS, rows)


def render_markdown(report: Report) -> str:
    """The readiness report as GitHub-flavoured Markdown, with no raw HTML."""
    lines: list[str] = []
    for part in (
        _summary,
        _blockers,
        _scores,
        _checklist,
        _thresholds,
        _evidence,
        _dataset,
        _rollout,
        _monitoring,
        _incident_response,
        _oversight,
        _decisions,
        _parking_lot,
        _workshop,
        _history,
    ):
        lines += part(report)
    lines.append(
        f"*Generated by the workbench on {escape_md_cell(readable_time(report.generated_at))} "
        f"from the {escape_md_cell(report.guide.title)} checklist.*"
    )
    return "\n".join(lines).rstrip() + "\n"
