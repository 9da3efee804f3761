"""Build a large project for the benchmarks: a year of work and evidence.

2,000 checklist items, 5,000 decisions, 20,000 history entries and 20 runs of
100,000 results each (the sizes are parameters, so the smoke test can use small
ones). Items, decisions and edits go through the store, so the history is real;
the result rows are bulk-inserted (their import speed is measured separately).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import tomli_w

from workbench.catalog import CHECKLISTS_DIR, DEFAULT_TEMPLATE, parse_template
from workbench.evaluation.runs import BATCH, compute_metrics
from workbench.models import Decision
from workbench.operations import create_project

KINDS = ("normal",) * 7 + ("edge", "adversarial", "harmful")
CATEGORIES = ("billing", "delivery", "returns", "account", "other")
GROUPS = ("en", "de", "fr", "es", "it")


def big_template(items: int) -> Path:
    """The shipped template with its four sections padded to ``items`` items in all."""
    path = CHECKLISTS_DIR / f"{DEFAULT_TEMPLATE}.toml"
    text = path.read_text(encoding="utf-8")
    import tomllib

    raw = tomllib.loads(text)
    per_section = max(items // len(raw["sections"]), 1)
    for section in raw["sections"]:
        base = section["items"]
        extra = [
            {
                "id": f"{section['id']}.extra-{n:04d}",
                "title": f"{base[n % len(base)]['title']} ({n})",
                "help": base[n % len(base)]["help"],
                "area": base[n % len(base)]["area"],
            }
            for n in range(per_section - len(base))
        ]
        section["items"] = base + extra
    out = Path(sys.argv[0]).resolve().parent / ".cache" / f"template-{items}.toml"
    out.parent.mkdir(exist_ok=True)
    out.write_text(tomli_w.dumps(raw), encoding="utf-8")
    parse_template(out.read_text(encoding="utf-8"))
    return out


def build(
    path: Path,
    *,
    items: int = 2000,
    decisions: int = 5000,
    history: int = 20000,
    runs: int = 20,
    rows: int = 100_000,
    seed: int = 7,
) -> Path:
    rng = random.Random(seed)
    path.unlink(missing_ok=True)
    store = create_project(
        path, name="Large project", risk="high", by="bench", checklist=big_template(items)
    )
    with store:
        data = store.load()
        ids = [i.id for i in data.checklist]
        with store.group("bench", "decisions"):
            for n in range(1, decisions + 1):
                store.insert(
                    "decision",
                    Decision(
                        id=n,
                        title=f"Decision {n}: {rng.choice(CATEGORIES)} handling",
                        decision="We will do the careful thing.",
                        rationale="Because the evidence says so.",
                        status="accepted",
                        date="2026-01-01",
                    ),
                    "bench",
                )
        edits = max(history - decisions, 0)
        with store.group("bench", "checklist edits"):
            for n in range(edits):
                store.update(
                    "item",
                    ids[n % len(ids)],
                    {"evidence": f"evidence revision {n}", "owner": rng.choice(GROUPS)},
                    "bench",
                )
        conn = store.db.conn
        for run in range(1, runs + 1):
            with store.write():
                conn.execute(
                    "INSERT INTO runs (id, label, imported_at, imported_by, source, sha256, "
                    "format, rows, skipped, metrics, tool, cases, epochs, details) "
                    "VALUES (?, ?, ?, 'bench', ?, ?, 'csv', ?, 0, '{}', 'CSV', ?, 1, '{}')",
                    [
                        run,
                        f"run {run}",
                        f"2026-{1 + run % 12:02d}-01T00:00:00+00:00",
                        f"run{run}.csv",
                        f"{run:064x}",
                        rows,
                        rows,
                    ],
                )
                batch = []
                for line in range(2, rows + 2):
                    kind = rng.choice(KINDS)
                    batch.append(
                        (
                            run,
                            line,
                            f"case-{line}",
                            rng.choice(CATEGORIES),
                            rng.choice(GROUPS),
                            kind,
                            "expected answer",
                            "system output",
                            int(rng.random() < 0.92),
                            int(rng.random() < 0.04),
                            int(rng.random() < 0.97) if kind == "harmful" else None,
                            rng.uniform(300, 4000),
                            int(rng.random() < 0.005),
                            "",
                            None,
                            None,
                        )
                    )
                    if len(batch) >= BATCH:
                        conn.executemany(
                            "INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch
                        )
                        batch.clear()
                if batch:
                    conn.executemany(
                        "INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", batch
                    )
                metrics = compute_metrics(store, run)
                conn.execute(
                    "UPDATE runs SET metrics = ? WHERE id = ?", [metrics.model_dump_json(), run]
                )
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("path", type=Path)
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--decisions", type=int, default=5000)
    parser.add_argument("--history", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    started = time.perf_counter()
    build(
        args.path,
        items=args.items,
        decisions=args.decisions,
        history=args.history,
        runs=args.runs,
        rows=args.rows,
    )
    print(f"built {args.path} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
