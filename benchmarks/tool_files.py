"""Large results files in the shapes real tools write, for timing their import.

Each is made from a real file in tests/data (a promptfoo 0.120 result, an Inspect AI
0.3.172 sample and header), repeated with new ids and outcomes, so the import reads what
it would read from the tool, only more of it.

    python benchmarks/tool_files.py promptfoo OUT.json --cases 100000
    python benchmarks/tool_files.py inspect OUT.eval --cases 100000
"""

from __future__ import annotations

import argparse
import copy
import json
import random
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def promptfoo_json(path: Path, cases: int) -> None:
    """A promptfoo summary (version 3) of ``cases`` results of one provider."""
    document = json.loads((DATA / "promptfoo" / "single.json").read_text(encoding="utf-8"))
    results = document["results"]["results"]
    templates = [copy.deepcopy(r) for r in results[:20]]
    rng = random.Random(5)
    out = []
    for index in range(cases):
        result = copy.deepcopy(templates[index % len(templates)])
        result["id"] = f"result-{index}"
        result["testIdx"] = index
        result["testCase"]["description"] = f"case-{index:06d}"
        result["success"] = rng.random() < 0.9
        result["latencyMs"] = rng.randint(200, 4000)
        out.append(result)
    document["results"]["results"] = out
    path.write_text(json.dumps(document), encoding="utf-8")


def inspect_eval(path: Path, cases: int) -> None:
    """An Inspect ``.eval`` archive of ``cases`` samples, one epoch."""
    with zipfile.ZipFile(DATA / "inspect" / "basic.eval") as archive:
        header = json.loads(archive.read("header.json"))
        start = archive.read("_journal/start.json")
        names = [n for n in archive.namelist() if n.startswith("samples/")]
        templates = [json.loads(archive.read(n)) for n in names[:20]]
    rng = random.Random(7)
    header["eval"]["dataset"]["samples"] = cases
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("_journal/start.json", start)
        for index in range(cases):
            sample = copy.deepcopy(templates[index % len(templates)])
            sample["id"] = f"case-{index:06d}"
            sample["scores"]["answer_match"]["value"] = "C" if rng.random() < 0.9 else "I"
            sample["total_time"] = round(rng.uniform(0.2, 4.0), 3)
            out.writestr(f"samples/{sample['id']}_epoch_1.json", json.dumps(sample))
        out.writestr("header.json", json.dumps(header))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tool", choices=["promptfoo", "inspect"])
    parser.add_argument("path", type=Path)
    parser.add_argument("--cases", type=int, default=100_000)
    args = parser.parse_args()
    (promptfoo_json if args.tool == "promptfoo" else inspect_eval)(args.path, args.cases)


if __name__ == "__main__":
    main()
