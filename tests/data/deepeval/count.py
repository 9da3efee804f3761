#!/usr/bin/env python3
"""Independent tally of DeepEval test-run JSON files (stdlib json only).

Understands every layout committed here:
  * wrapper {"testRunData": {...}}            (.deepeval/.latest_test_run.json)
  * test cases in "testCases", or - deepeval 0.20.x results-folder quirk -
    in "dict_test_cases" (an object keyed by Python id()) with "testCases" []
  * per-metric list "metricsData" (>=0.21.78) or "metricsMetadata" (<=0.21.77)
  * metric name "name" (>=0.21.78) or "metric" (older)
  * threshold "threshold" or "minimumScore" (<=0.20.44, no per-metric
    "success": derived here as score >= minimumScore)
  * case metadata "metadata" (>=3.9.9) or "additionalMetadata" (0.21.x-3.9.x)

Usage: python3 count.py FILE [FILE ...]   (prints one JSON object per file)
"""

import json
import sys


def load_run(path):
    with open(path, encoding="utf-8") as f:
        d = json.load(f)
    if "testRunData" in d:
        d = d["testRunData"]
    return d


def cases_of(run):
    cases = run.get("testCases") or []
    if not cases and isinstance(run.get("dict_test_cases"), dict):
        cases = list(run["dict_test_cases"].values())
    return cases


def metrics_of(case):
    return case.get("metricsData") or case.get("metricsMetadata") or []


def tally(path):
    run = load_run(path)
    cases = cases_of(run)
    per_metric = {}
    case_pass = 0
    by_category = {}
    ids = []
    for c in cases:
        meta = c.get("metadata") or c.get("additionalMetadata") or {}
        ids.append(meta.get("id") or c.get("id") or c.get("name"))
        if c.get("success") is True:
            case_pass += 1
        cat = meta.get("category", "?")
        bc = by_category.setdefault(cat, {"cases": 0, "passed": 0})
        bc["cases"] += 1
        bc["passed"] += c.get("success") is True
        for m in metrics_of(c):
            name = m.get("name") or m.get("metric")
            thr = m.get("threshold", m.get("minimumScore"))
            ok = m.get("success")
            if ok is None and m.get("score") is not None and thr is not None:
                ok = m["score"] >= thr
            pm = per_metric.setdefault(
                name, {"n": 0, "passes": 0, "fails": 0, "sum": 0.0, "thresholds": set()}
            )
            pm["n"] += 1
            pm["passes"] += ok is True
            pm["fails"] += ok is False
            pm["sum"] += m.get("score") or 0.0
            pm["thresholds"].add(thr)
    out = {
        "file": path.rsplit("/", 1)[-1],
        "cases": len(cases),
        "cases_passed": case_pass,
        "cases_failed": len(cases) - case_pass,
        "metrics": {
            k: {
                "n": v["n"],
                "passes": v["passes"],
                "fails": v["fails"],
                "mean_score": round(v["sum"] / v["n"], 6) if v["n"] else None,
                "thresholds": sorted(t for t in v["thresholds"] if t is not None),
            }
            for k, v in per_metric.items()
        },
        "by_category": by_category,
        "first_ids": ids[:3],
    }
    # what the file itself claims, when it carries aggregates
    claimed = {}
    if "testPassed" in run:
        claimed["testPassed"] = run.get("testPassed")
        claimed["testFailed"] = run.get("testFailed")
    for ms in run.get("metricsScores") or []:
        sc = ms.get("scores") or []
        claimed[ms["metric"]] = {
            "passes": ms.get("passes"),
            "fails": ms.get("fails"),
            "mean_score": round(sum(sc) / len(sc), 6) if sc else None,
        }
    for ms in run.get("metricScores") or []:  # 0.20.x: averages only
        claimed[ms["metric"]] = {"mean_score": ms.get("score")}
    out["file_claims"] = claimed
    hp = run.get("hyperparameters") or run.get("configurations")
    if hp:
        out["hyperparameters"] = hp
    return out


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    for p in sys.argv[1:]:
        print(json.dumps(tally(p), sort_keys=True))
