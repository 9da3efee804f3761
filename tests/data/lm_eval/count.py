#!/usr/bin/env python3
"""Independent tally of lm-evaluation-harness --log_samples output
(stdlib json only).

For each samples_*.jsonl file: number of samples, and per metric key found
on the records (acc, acc_norm, exact_match, ...) the mean and how many
records scored 1.0. It also RE-DERIVES the metrics from the logged raw
responses, without trusting the logged metric values:
  * multiple_choice records (filtered_resps = [[loglik, is_greedy], ...],
    all as strings): acc = argmax(loglik) == int(target);
    acc_norm = argmax(loglik / len(choice)) == int(target), choice text
    taken from arguments.gen_args_i.arg_1 minus the leading " " delimiter.
  * generate_until records (filtered_resps = [text]): exact_match with
    punctuation stripped (the task sets ignore_punctuation: true,
    ignore_case: false).
With --results RESULTS.json it also prints what that file reports
("<metric>,<filter>" keys under results.<task>).

Usage: python3 count.py SAMPLES.jsonl [...] [--results RESULTS.json]
"""

import json
import string
import sys


def argmax(xs):
    best = 0
    for i, x in enumerate(xs):
        if x > xs[best]:
            best = i
    return best


def rederive(rec):
    fr = rec["filtered_resps"]
    if fr and isinstance(fr[0], list):  # loglikelihood-based (multiple_choice)
        lls = [float(x[0]) for x in fr]
        gold = int(rec["target"])
        choices = []
        for i in range(len(fr)):
            cont = rec["arguments"][f"gen_args_{i}"]["arg_1"]
            choices.append(cont[1:] if cont.startswith(" ") else cont)
        return {
            "acc": 1.0 if argmax(lls) == gold else 0.0,
            "acc_norm": 1.0
            if argmax([ll / len(c) for ll, c in zip(lls, choices, strict=True)]) == gold
            else 0.0,
        }
    table = str.maketrans("", "", string.punctuation)
    pred = str(fr[0]).translate(table)
    ref = str(rec["target"]).translate(table)
    return {"exact_match": 1.0 if pred == ref else 0.0}


def tally(path):
    with open(path, encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    logged, derived, by_cat = {}, {}, {}
    for r in recs:
        for m in r.get("metrics", []):
            logged.setdefault(m, []).append(float(r[m]))
        for m, v in rederive(r).items():
            derived.setdefault(m, []).append(v)
        cat = r.get("doc", {}).get("category", "?")
        bc = by_cat.setdefault(cat, {"n": 0})
        bc["n"] += 1
        for m in r.get("metrics", []):
            bc[m] = bc.get(m, 0) + (float(r[m]) == 1.0)

    def summ(d):
        return {
            m: {
                "n": len(v),
                "ones": sum(1 for x in v if x == 1.0),
                "mean": round(sum(v) / len(v), 6),
            }
            for m, v in d.items()
        }

    return {
        "file": path.rsplit("/", 1)[-1],
        "samples": len(recs),
        "doc_ids": [*[r["doc_id"] for r in recs][:3], "..."],
        "logged_metrics": summ(logged),
        "rederived_from_resps": {k: v for k, v in summ(derived).items() if k in logged},
        "by_category": by_cat,
    }


if __name__ == "__main__":
    args = sys.argv[1:]
    results = None
    if "--results" in args:
        i = args.index("--results")
        results = args[i + 1]
        del args[i : i + 2]
    if not args and not results:
        sys.exit(__doc__)
    for p in args:
        print(json.dumps(tally(p), sort_keys=True))
    if results:
        with open(results, encoding="utf-8") as f:
            d = json.load(f)
        print(
            json.dumps(
                {
                    "file": results.rsplit("/", 1)[-1],
                    "lm_eval_version": d.get("lm_eval_version"),
                    "model": d.get("config", {}).get("model"),
                    "model_name": d.get("model_name"),
                    "results": {
                        t: {k: v for k, v in r.items() if "," in k}
                        for t, r in d.get("results", {}).items()
                    },
                    "n-samples": d.get("n-samples"),
                },
                sort_keys=True,
            )
        )
