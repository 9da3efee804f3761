"""Print the true counts of every Inspect log fixture in this folder.

Independent of Inspect and of workbench: reads the files with zipfile/json only.
Usage: python count.py [FILE ...]   (default: every *.eval / *.json here)
"""

import json
import sys
import zipfile
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent


def load(path: Path) -> dict:
    """Return {status, eval, results, error, samples, reductions} for either format."""
    if path.suffix == ".eval":
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if "header.json" in names:
                head = json.loads(z.read("header.json"))
            else:  # run never finished: only the journal's start record exists
                head = json.loads(z.read("_journal/start.json"))
                head.setdefault("status", "started")
            samples = [
                json.loads(z.read(n))
                for n in names
                if n.startswith("samples/") and n.endswith(".json")
            ]
            reductions = (
                json.loads(z.read("reductions.json")) if "reductions.json" in names else None
            )
            layout = {
                "header.json": "header.json" in names,
                "summaries.json": "summaries.json" in names,
                "reductions.json": reductions is not None,
                "journal summaries": sum(n.startswith("_journal/summaries/") for n in names),
            }
    else:
        head = json.loads(path.read_text())
        samples = head.get("samples") or []
        reductions = head.get("reductions")
        layout = {"samples key": "samples" in head, "reductions key": "reductions" in head}
    return {
        "status": head.get("status"),
        "eval": head["eval"],
        "results": head.get("results"),
        "error": head.get("error"),
        "samples": samples,
        "reductions": reductions,
        "layout": layout,
    }


def fmt_value(v):
    return f"{v:g}" if isinstance(v, float) else str(v)


def report(path: Path) -> None:
    log = load(path)
    ev, samples = log["eval"], log["samples"]
    scorer_names = [s["name"] for s in ev.get("scorers") or []]
    print(f"== {path.name}")
    print(
        f"   status={log['status']} task={ev['task']} model={ev['model']} "
        f"inspect={ev['packages'].get('inspect_ai')} epochs={ev['config'].get('epochs')} "
        f"reducer={ev['config'].get('epochs_reducer')} scorers={scorer_names}"
    )
    print(f"   layout: {log['layout']}")
    if log["error"]:
        print(f"   eval error: {log['error']['message']}")
    ids = sorted({s["id"] for s in samples}, key=lambda i: (isinstance(i, str), i))
    epochs = Counter(s["epoch"] for s in samples)
    errored = [s for s in samples if s.get("error")]
    print(
        f"   sample records={len(samples)} distinct ids={len(ids)} "
        f"per epoch={dict(sorted(epochs.items()))} "
        f"dataset.samples={ev['dataset'].get('samples')}"
    )
    print(
        f"   errored samples={len(errored)} ids={sorted(s['id'] for s in errored)} "
        f"scores of errored samples={sorted({json.dumps(s.get('scores')) for s in errored})}"
    )
    for name in scorer_names:
        vals = [s["scores"][name]["value"] for s in samples if name in (s.get("scores") or {})]
        nums = [v for v in vals if isinstance(v, (int, float)) and not isinstance(v, bool)]
        strs = Counter(v for v in vals if isinstance(v, str))
        line = f"   scorer {name}: scored={len(vals)} values={dict(sorted(strs.items()))}"
        if nums:
            line += f" numeric n={len(nums)} sum={sum(nums):.3f} mean={sum(nums) / len(nums):.6f}"
        print(line)
        if len(epochs) > 1:
            per = Counter(
                s["epoch"]
                for s in samples
                if (s.get("scores") or {}).get(name, {}).get("value") == "C"
            )
            print(f"   scorer {name} C per epoch: {dict(sorted(per.items()))}")
    for red in log["reductions"] or []:
        vals = Counter(fmt_value(s["value"]) for s in red["samples"])
        print(
            f"   reduction {red['scorer']} (reducer={red.get('reducer')}): "
            f"{len(red['samples'])} samples, values={dict(sorted(vals.items()))}"
        )
    if log["results"]:
        for sc in log["results"]["scores"]:
            ms = {k: round(m["value"], 6) for k, m in sc["metrics"].items()}
            print(f"   results {sc['name']}: scored_samples={sc['scored_samples']} metrics={ms}")
        print(
            f"   results total_samples={log['results']['total_samples']} "
            f"completed_samples={log['results']['completed_samples']}"
        )
    if scorer_names and samples:
        first = scorer_names[0]
        for key in ("category", "group", "kind"):
            tally: dict = {}
            for s in samples:
                k = s["metadata"].get(key)
                sc = (s.get("scores") or {}).get(first)
                c, n = tally.get(k, (0, 0))
                tally[k] = (c + (sc is not None and sc["value"] == "C"), n + 1)
            print(
                f"   {first} C by {key}: "
                + ", ".join(f"{k}={c}/{n}" for k, (c, n) in sorted(tally.items()))
            )
        other = Counter(
            k for s in samples for k in s["metadata"] if k not in ("category", "group", "kind")
        )
        print(f"   other metadata keys: {dict(sorted(other.items()))}")
        times = [s["total_time"] for s in samples if s.get("total_time") is not None]
        work = [s["working_time"] for s in samples if s.get("working_time") is not None]
        if times:
            print(
                f"   total_time s: min={min(times)} max={max(times)}; "
                f"working_time s: min={min(work)} max={max(work)}"
            )


def table_row(path: Path) -> str:
    log = load(path)
    samples = log["samples"]
    cells = []
    for sc in log["eval"].get("scorers") or []:
        vals = [
            s["scores"][sc["name"]]["value"]
            for s in samples
            if sc["name"] in (s.get("scores") or {})
        ]
        strs = Counter(v for v in vals if isinstance(v, str))
        nums = [v for v in vals if not isinstance(v, str)]
        cell = "/".join(f"{k}{strs[k]}" for k in "CPIN" if strs[k])
        if nums:
            cell += f"sum {sum(nums):.3f}"
        cells.append(f"{sc['name']}: {cell}")
    red = "; ".join(
        sc["scorer"]
        + " "
        + "/".join(
            f"{k}:{n}"
            for k, n in sorted(Counter(fmt_value(x["value"]) for x in sc["samples"]).items())
        )
        for sc in log["reductions"] or []
    )
    return (
        f"| {path.name} | {log['status']} | {len(samples)} | {len({s['id'] for s in samples})} | "
        f"{log['eval']['config'].get('epochs')} | {sum(bool(s.get('error')) for s in samples)} | "
        f"{'; '.join(cells)} | {red or '-'} |"
    )


def main() -> None:
    paths = [Path(a) for a in sys.argv[1:]] or sorted(
        p for p in HERE.iterdir() if p.suffix in (".eval", ".json")
    )
    for p in paths:
        report(p)
    print()
    print(
        "| file | status | sample records | distinct ids | epochs | errored "
        "| scores per scorer | reductions (value:count) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for p in paths:
        print(table_row(p))


if __name__ == "__main__":
    main()
