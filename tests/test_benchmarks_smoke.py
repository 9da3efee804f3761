"""The benchmark suite runs end to end (one repetition, small sizes, no timing verdict)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmark_suite_runs_and_reports_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "bench.py"), "--smoke", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["smoke"] is True
    names = [f["name"] for f in report["figures"]]
    for expected in (
        "cold start to the first screen",
        "import",
        "workbench check",
        "export --format html",
        "export --format pdf",
        "export --format docx",
        "screen switch",
        "peak memory",
        "results browser: first paint",
        "page down",
    ):
        assert any(expected in name for name in names), (expected, names)
    for figure in report["figures"]:
        assert figure["value"] > 0, figure
        assert figure["passed"] is None  # a smoke run gives no verdict
    assert "| figure | value | baseline | ratio | target | result |" in run.stdout
