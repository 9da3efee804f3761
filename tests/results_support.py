"""Helpers for the evidence tests: the files in tests/data, figures worked out by hand, and
results files generated on the spot.

Nothing here calls workbench's statistics: every expected figure in the evidence tests
comes from these formulas, written out again, or from counting the file's rows with
Python's csv module.
"""

from __future__ import annotations

import csv
import json
import math
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from statistics import NormalDist
from typing import Any

from core_support import Result, Runner

from workbench import operations
from workbench.models import Risk

DATA = Path(__file__).resolve().parent / "data"
STANDARD_CSV = DATA / "results.csv"
RENAMED_CSV = DATA / "results_renamed.csv"
JSONL = DATA / "results.jsonl"
LATIN1_CSV = DATA / "results_latin1.csv"
BAD_ROWS_CSV = DATA / "results_bad_rows.csv"

# The --map options that read results_renamed.csv.
RENAMED_MAP = [
    "--map",
    "case=id",
    "--map",
    "topic=category",
    "--map",
    "segment=group",
    "--map",
    "type=kind",
    "--map",
    "answer=output",
    "--map",
    "is_correct=correct",
    "--map",
    "ms=latency_ms",
]

COLUMNS = [
    "id",
    "category",
    "group",
    "kind",
    "expected",
    "output",
    "correct",
    "hallucinated",
    "refused",
    "latency_ms",
    "error",
    "human_output",
]

Z = NormalDist().inv_cdf(0.975)  # 1.959963984540054


# ------------------------------------------------------------ by hand


def wilson_by_hand(k: float, n: int, z: float = Z) -> tuple[float, float]:
    """(p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), clipped to [0, 1]."""
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return max(0.0, (centre - spread) / denominator), min(1.0, (centre + spread) / denominator)


def newcombe_by_hand(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """Newcombe's hybrid score interval (his method 10) for p1 - p2, from two Wilson intervals.

    L = d - sqrt((p1 - l1)² + (u2 - p2)²),  U = d + sqrt((u1 - p1)² + (p2 - l2)²).
    """
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_by_hand(k1, n1)
    l2, u2 = wilson_by_hand(k2, n2)
    d = p1 - p2
    return d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt(
        (u1 - p1) ** 2 + (p2 - l2) ** 2
    )


def flag(text: str | None) -> bool | None:
    """A true/false cell as the fixture files spell it; blank is "not judged"."""
    value = (text or "").strip().lower()
    if value == "":
        return None
    if value in ("true", "yes", "1"):
        return True
    assert value in ("false", "no", "0"), value
    return False


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def count(
    rows: Iterable[Mapping[str, str]],
    field: str,
    keep: Callable[[Mapping[str, str]], bool] = lambda row: True,
) -> tuple[int, int]:
    """(how many say true, how many say anything) for one true/false column."""
    said = [flag(row[field]) for row in rows if keep(row)]
    judged = [v for v in said if v is not None]
    return sum(judged), len(judged)


def latencies_s(rows: Iterable[Mapping[str, str]]) -> list[float]:
    return [float(row["latency_ms"]) / 1000 for row in rows if row["latency_ms"].strip()]


def nearest_rank_p95(values: list[float]) -> float:
    """The smallest value with at least 95% of the values at or below it."""
    ordered = sorted(values)
    rank = -(-95 * len(ordered) // 100)  # ceil(0.95 n) in whole numbers
    return ordered[rank - 1]


# --------------------------------------------------------- generated files


def write_results(path: Path, rows: Iterable[Mapping[str, Any]]) -> Path:
    """A CSV with the standard columns (missing cells left blank)."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in COLUMNS})
    return path


def cases(
    groups: Mapping[str, tuple[int, int]],
    *,
    categories: tuple[str, ...] = ("billing", "shipping", "returns"),
    harmful: tuple[int, int] = (0, 0),
    latency_ms: int = 900,
    prefix: str = "case",
) -> list[dict[str, str]]:
    """Generated results: per group (cases, how many correct); then (harmful, refused) cases.

    Every case is judged for hallucination (none) and system errors (none); harmful
    cases are not judged for accuracy, only for refusing.
    """
    rows: list[dict[str, str]] = []
    for group, (n, right) in groups.items():
        for i in range(n):
            rows.append(
                {
                    "id": f"{prefix}-{group}-{i}",
                    "category": categories[i % len(categories)],
                    "group": group,
                    "kind": "normal",
                    "correct": "true" if i < right else "false",
                    "hallucinated": "false",
                    "error": "false",
                    "latency_ms": str(latency_ms + (i % 7) * 50),
                }
            )
    names = list(groups) or [""]
    n, refused = harmful
    for i in range(n):
        rows.append(
            {
                "id": f"{prefix}-harmful-{i}",
                "category": categories[i % len(categories)],
                "group": names[i % len(names)],
                "kind": "harmful",
                "refused": "true" if i < refused else "false",
                "hallucinated": "false",
                "error": "false",
                "latency_ms": str(latency_ms),
            }
        )
    return rows


# ------------------------------------------------------------- projects


def new_project(tmp_path: Path, risk: Risk = "medium", name: str = "demo") -> Path:
    path = tmp_path / f"{name}.sqlite"
    operations.create_project(path, name="Demo", risk=risk, by="creator").close()
    return path


def one_line_error(result: Result) -> str:
    """A refused command: exit 2, nothing on stdout, one line on stderr, no traceback."""
    assert result.code == 2, (result.out, result.err)
    assert result.out == ""
    assert len(result.err.splitlines()) == 1, result.err
    assert result.err.startswith("workbench: ")
    assert "Traceback" not in result.err
    return result.err.strip()


def json_out(result: Result) -> Any:
    """What a ``--json`` command printed."""
    return json.loads(result.out)


def imported(cli: Runner, project: Path, file: Path, *args: object) -> Result:
    result = cli("import-results", project, file, *args)
    assert result.code == 0, (result.out, result.err)
    assert result.out.startswith("Imported "), result.out
    return result


def runs_json(cli: Runner, project: Path) -> dict[str, Any]:
    result = cli("runs", project, "--json")
    assert result.code == 0, result.err
    evidence: dict[str, Any] = json.loads(result.out)
    return evidence


def export_json(cli: Runner, project: Path) -> dict[str, Any]:
    out = project.with_name(project.stem + "-report.json")
    result = cli("export", project, "--format", "json", "-o", out)
    assert result.code == 0, result.err
    report: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    return report


def threshold_of(report: Mapping[str, Any], metric: str) -> dict[str, Any]:
    found: dict[str, Any] = next(t for t in report["thresholds"] if t["metric"] == metric)
    return found


def in_file(project: Path) -> dict[str, int]:
    """What the project file holds, read with sqlite3 directly (not through workbench)."""
    conn = sqlite3.connect(project)
    try:
        return {
            table: int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            for table in ("runs", "results", "changes", "history")
        }
    finally:
        conn.close()


def query(project: Path, sql: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(project)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
