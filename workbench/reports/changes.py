"""What changed between two readiness reports, in sentences a steering committee reads.

``load_report`` reads a JSON report (``workbench export --format json``) and refuses,
in one line, a file that is not one; ``report_changes`` compares two of them. Both
work on the plain JSON, not on the report model: a report written by an older version
may lack keys (a missing list is an empty one) or hold values of another type, and
neither stops the comparison. Every line is one line of harmless text: a newline or a
control character from a title is shown as ``⟨U+XXXX⟩``, as the CLI shows them.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, Literal

from workbench.errors import InvalidValueError
from workbench.invisible import reveal_controls
from workbench.models import Model
from workbench.reports.model import SCHEMA_VERSION
from workbench.reports.wording import (
    DECISION_STATUS_WORDS,
    ITEM_STATUS_WORDS,
    SECTION_TITLES,
    cases,
    describe_target,
)
from workbench.units import format_value
from workbench.vocab import VERDICT_TITLES

Topic = Literal["verdict", "thresholds", "evidence", "checklist", "decisions", "signoffs"]
TOPIC_TITLES: dict[Topic, str] = {
    "verdict": "Verdict",
    "thresholds": SECTION_TITLES["thresholds"],
    "evidence": SECTION_TITLES["evidence"],
    "checklist": SECTION_TITLES["checklist"],
    "decisions": SECTION_TITLES["decisions"],
    "signoffs": "Sign-offs",
}
NO_CHANGES = "No changes between the two reports."
EXPORT_HINT = "export one with: workbench export PROJECT --format json -o FILE"


class ChangeGroup(Model):
    topic: Topic
    lines: list[str]


class ReportChanges(Model):
    old_generated_at: str = ""
    new_generated_at: str = ""
    groups: list[ChangeGroup] = []

    @property
    def is_empty(self) -> bool:
        return not self.groups


# ------------------------------------------------------------------ reading


def load_report(path: Path) -> dict[str, Any]:
    """The JSON readiness report in ``path``; a file that is missing, not JSON, not a
    readiness report, or written by a newer workbench raises ``InvalidValueError``."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InvalidValueError(f"{path}: no such file; check the path, or {EXPORT_HINT}") from None
    except IsADirectoryError:
        raise InvalidValueError(f"{path} is a folder; give the report's JSON file") from None
    except OSError as error:
        raise InvalidValueError(
            f"{path} cannot be read ({error.strerror or error}); check its permissions"
        ) from None
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (ValueError, RecursionError):  # (not UTF-8, not JSON, or nested too deep)
        raise InvalidValueError(
            f"{path} is not a JSON file; give a report written by "
            "workbench export PROJECT --format json"
        ) from None
    if not isinstance(data, dict) or "schema_version" not in data or "project" not in data:
        raise InvalidValueError(
            f"{path} is not a workbench readiness report (it has no schema_version and "
            f"project); {EXPORT_HINT}"
        )
    version = data["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InvalidValueError(
            f"{path}: its schema_version is not a report version (a whole number); {EXPORT_HINT}"
        )
    if version > SCHEMA_VERSION:
        raise InvalidValueError(
            f"{path} was written by a newer workbench (report version {version}; this one "
            f"reads up to {SCHEMA_VERSION}); upgrade workbench to compare it"
        )
    return data


# Values from the file, whatever their type: a wrong type counts as a missing value.


def _one_line(value: object) -> str:
    """Text from a report as one harmless line: newlines and control characters shown."""
    text = str(value).replace("\n", "⟨U+000A⟩").replace("\r", "⟨U+000D⟩")
    return reveal_controls(text)


def _text(record: dict[str, Any], key: str) -> str:
    value = record.get(key)
    if value is None or isinstance(value, dict | list):
        return ""
    return _one_line(value)


def _number(record: dict[str, Any], key: str) -> float | None:
    value = record.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:  # (a whole number of hundreds of digits)
        return None
    return number if math.isfinite(number) else None


def _dict(record: dict[str, Any], key: str) -> dict[str, Any]:
    value = record.get(key)
    return value if isinstance(value, dict) else {}


def _records(record: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = record.get(key)
    return [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []


def _by_key(records: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    """Records by their id (as text), in order; records without one are left out."""
    return {_text(r, key): r for r in records if _text(r, key)}


def _quoted(text: str) -> str:
    return f"'{text}'"


# ------------------------------------------------------------------ comparing


def report_changes(old: dict[str, Any], new: dict[str, Any]) -> ReportChanges:
    """What changed from the report ``old`` to the report ``new`` (both as ``load_report``
    gives them), topic by topic; topics with no change are left out."""
    found: list[tuple[Topic, list[str]]] = [
        ("verdict", _verdict_lines(_dict(old, "readiness"), _dict(new, "readiness"))),
        ("thresholds", _threshold_lines(_records(old, "thresholds"), _records(new, "thresholds"))),
        ("evidence", _evidence_lines(_dict(old, "evidence"), _dict(new, "evidence"))),
        ("checklist", _checklist_lines(_records(old, "checklist"), _records(new, "checklist"))),
        ("decisions", _decision_lines(_records(old, "decisions"), _records(new, "decisions"))),
        ("signoffs", _signoff_lines(_signoffs(old), _signoffs(new))),
    ]
    return ReportChanges(
        old_generated_at=_text(old, "generated_at"),
        new_generated_at=_text(new, "generated_at"),
        groups=[ChangeGroup(topic=topic, lines=lines) for topic, lines in found if lines],
    )


def _verdict_words(readiness: dict[str, Any]) -> str:
    verdict = _text(readiness, "verdict")
    return VERDICT_TITLES.get(verdict, verdict) or "not recorded"


def _verdict_lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    if _verdict_words(old) != _verdict_words(new):
        lines.append(f"Verdict: {_verdict_words(old)} → {_verdict_words(new)}")
    for key, kind, gone in (
        ("blockers", "Blocker", "resolved"),
        ("open_points", "Open point", "closed"),
    ):
        before, after = _findings(old, key), _findings(new, key)
        lines += [f"{kind} {gone}: {reason}" for k, reason in before.items() if k not in after]
        for k, reason in after.items():
            if k not in before:
                lines.append(f"New {kind.lower()}: {reason}")
            elif before[k] != reason:
                lines.append(f"{kind} changed: {reason}")
    return lines


def _findings(readiness: dict[str, Any], key: str) -> dict[tuple[str, str], str]:
    """The blockers (or open points) by what they are about, each with its reason.

    What a finding is about is the check that failed (its title and where it points):
    "Hallucination rate: target met" stays the same finding when its reason moves from
    "measured 6.4%" to "measured 8.5%". A report without its checks falls back on the
    reason itself."""
    titles = {
        (_text(c, "where"), _text(c, "reason")): _text(c, "title")
        for c in _records(readiness, "checks")
        if c.get("passed") is False
    }
    found = {}
    for finding in _records(readiness, key):
        where, reason = _text(finding, "where"), _text(finding, "reason")
        found[(where, titles.get((where, reason)) or reason)] = reason
    return found


# Where a measured value stands against its target, in words.
_STANDING = {
    "met_with_confidence": "meets the target with confidence",
    "met": "meets the target",
    "not_met": "misses the target",
}


def _standing_change(before: str, after: str) -> str:
    """ "now meets the target", "still misses the target"; "" when there is nothing to say."""
    if after not in _STANDING:
        return ""
    if before == after:
        return f"still {_STANDING[after]}"
    if after == "not_met" and before in ("met", "met_with_confidence"):
        return "no longer meets the target"
    if after == "met" and before == "met_with_confidence":
        return "still meets the target, but no longer with confidence"
    return f"now {_STANDING[after]}"


def _loosened(old: dict[str, Any], new: dict[str, Any]) -> str:
    """ "loosened" or "tightened" for a target that moved in the same direction."""
    before, after = _text(old, "comparator"), _text(new, "comparator")
    old_target, new_target = _number(old, "target"), _number(new, "target")
    upper, lower = {"<", "<="}, {">", ">="}
    if old_target is None or new_target is None:
        return ""
    if {before, after} <= upper:
        looser = new_target > old_target or (new_target == old_target and after == "<=")
    elif {before, after} <= lower:
        looser = new_target < old_target or (new_target == old_target and after == ">=")
    else:
        return ""
    return "loosened" if looser else "tightened"


def _target_words(threshold: dict[str, Any]) -> str:
    target = _number(threshold, "target")
    if target is None:
        return "not set"
    return describe_target(_text(threshold, "comparator"), target, _text(threshold, "unit"))


def _threshold_lines(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before, after = _by_key(old, "metric"), _by_key(new, "metric")
    lines = []
    for metric, t in after.items():
        name = _text(t, "name") or metric
        was = before.get(metric)
        if was is None:
            lines.append(f"New threshold: {name}, target {_target_words(t)}")
            continue
        old_name = _text(was, "name") or metric
        if old_name != name:
            lines.append(f"Threshold renamed: {old_name} → {name}")
        old_m, new_m = _dict(was, "measured"), _dict(t, "measured")
        old_value, new_value = _number(old_m, "value"), _number(new_m, "value")
        old_shown = format_value(old_value, _text(was, "unit"))
        new_shown = format_value(new_value, _text(t, "unit"))
        standing = _standing_change(_text(old_m, "status"), _text(new_m, "status"))
        news = "" if standing.startswith("still") else standing  # (a standing that changed)
        moved = old_shown != new_shown
        retargeted = _target_words(was) != _target_words(t)
        if retargeted:
            notes = [_loosened(was, t), "" if moved else news]
            lines.append(
                f"{name}: target {_target_words(was)} → {_target_words(t)}"
                + _note("; ".join(n for n in notes if n))
            )
        if not moved:
            if news and not retargeted:  # (the same value, now with or without confidence)
                lines.append(f"{name}: measured {new_shown}{_note(news)}")
        elif new_value is None:
            lines.append(f"{name}: no longer measured (was {old_shown})")
        elif old_value is None:
            state = _STANDING.get(_text(new_m, "status"), "")
            lines.append(f"{name}: measured for the first time: {new_shown}{_note(state)}")
        else:
            lines.append(f"{name}: measured {old_shown} → {new_shown}{_note(standing)}")
    lines += [
        f"Threshold removed: {_text(t, 'name') or metric}"
        for metric, t in before.items()
        if metric not in after
    ]
    return lines


def _note(text: str) -> str:
    return f" ({text})" if text else ""


def _run_words(run: dict[str, Any]) -> str:
    """ "run 3 'v3 prompt'"."""
    label = _text(run, "label")
    return f"run {_text(run, 'id')}" + (f" {_quoted(label)}" if label else "")


def _case_count(run: dict[str, Any]) -> int | None:
    for key in ("cases", "rows"):  # (as ``Run.case_count``: the cases, else the rows)
        count = run.get(key)
        if isinstance(count, int) and not isinstance(count, bool) and count > 0:
            return count
    return None


def _evidence_lines(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    before = _by_key(_records(old, "runs"), "id")
    after = _by_key(_records(new, "runs"), "id")
    lines = []
    for key, run in after.items():
        if key not in before:
            count = _case_count(run)
            lines.append(
                f"New evaluation run: {_run_words(run)}"
                + (f" ({cases(count)})" if count is not None else "")
            )
    lines += [
        f"Evaluation run removed: {_run_words(r)}" for k, r in before.items() if k not in after
    ]
    old_latest, new_latest = _text(old, "latest"), _text(new, "latest")
    if new_latest and old_latest != new_latest and new_latest in after:
        lines.append(f"The thresholds now use {_run_words(after[new_latest])}")
    return lines


def _status_words(words: dict[str, str], status: str) -> str:
    return words.get(status, status or "no status").lower()


def _checklist_lines(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before, after = _by_key(old, "id"), _by_key(new, "id")
    lines = []
    for key, item in after.items():
        title = _quoted(_text(item, "title") or key)
        status = _status_words(ITEM_STATUS_WORDS, _text(item, "status"))
        was = before.get(key)
        if was is None:
            lines.append(f"Checklist: new item {title} ({status})")
            continue
        old_status = _status_words(ITEM_STATUS_WORDS, _text(was, "status"))
        if old_status != status:
            lines.append(f"Checklist: {title} {old_status} → {status}")
    lines += [
        f"Checklist: item {_quoted(_text(item, 'title') or key)} removed"
        for key, item in before.items()
        if key not in after
    ]
    return lines


def _decision_lines(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    before, after = _by_key(old, "id"), _by_key(new, "id")
    lines = []
    for key, decision in after.items():
        title = _quoted(_text(decision, "title"))
        status = _status_words(DECISION_STATUS_WORDS, _text(decision, "status"))
        was = before.get(key)
        if was is None:
            lines.append(f"Decision {key} {title} added ({status})")
            continue
        old_title = _quoted(_text(was, "title"))
        if old_title != title:
            lines.append(f"Decision {key} renamed: {old_title} → {title}")
        old_status = _status_words(DECISION_STATUS_WORDS, _text(was, "status"))
        if old_status != status:
            lines.append(f"Decision {key} {title}: {old_status} → {status}")
    lines += [
        f"Decision {key} {_quoted(_text(d, 'title'))} removed"
        for key, d in before.items()
        if key not in after
    ]
    return lines


def _signer(signoff: dict[str, Any]) -> str:
    """ "Dana (product owner)"."""
    who = _text(signoff, "by") or "someone"
    role = _text(signoff, "role").replace("_", " ")
    return f"{who} ({role})" if role else who


def _signed_on(signoff: dict[str, Any]) -> str:
    signed = _text(signoff, "signed_at")
    return f" on {signed[:10]}" if signed else ""


def _signoffs(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The report's sign-offs (a top-level ``signoffs``, else ``governance.signoffs``);
    a report from before sign-offs has none."""
    if "signoffs" in report:
        return _records(report, "signoffs")
    return _records(_dict(report, "governance"), "signoffs")


def _signoff_lines(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> list[str]:
    """Sign-offs by who signed in which role: added, signed again (a new date or digest),
    removed."""

    def by_signer(signoffs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
        return {(_text(s, "role"), _text(s, "by")): s for s in signoffs}

    before, after = by_signer(old), by_signer(new)
    lines = []
    for key, signoff in after.items():
        was = before.get(key)
        if was is None:
            lines.append(f"Sign-off added: {_signer(signoff)}{_signed_on(signoff)}")
        elif any(_text(was, k) != _text(signoff, k) for k in ("signed_at", "digest")):
            lines.append(f"Sign-off renewed: {_signer(signoff)}{_signed_on(signoff)}")
        elif signoff.get("stale") is True and was.get("stale") is not True:
            after_count = signoff.get("changes_after")
            since = f": {after_count} change(s) since" if isinstance(after_count, int) else ""
            lines.append(f"Sign-off now stale: {_signer(signoff)}{_signed_on(signoff)}{since}")
    lines += [f"Sign-off removed: {_signer(s)}" for key, s in before.items() if key not in after]
    return lines


# ------------------------------------------------------------------ as text


def changes_text(changes: ReportChanges) -> str:
    """The changes as plain text: a heading per topic, then its "- " lines."""
    if changes.is_empty:
        return NO_CHANGES
    blocks = [
        "\n".join([TOPIC_TITLES[group.topic], *(f"- {line}" for line in group.lines)])
        for group in changes.groups
    ]
    return "\n\n".join(blocks)
