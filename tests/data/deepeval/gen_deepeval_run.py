"""Produce a real DeepEval test-run JSON file offline.

Two custom, deterministic metrics (no LLM judge):
  * KeywordMatch  - score 1.0 if expected_output (case-insensitive) occurs in
                    actual_output else 0.0; threshold 0.5 (pass/fail-ish).
  * TokenOverlap  - token-set F1 between expected and actual output, a
                    numeric score in [0,1]; threshold 0.5.

Written so the same file runs on old and new deepeval releases (checked on
0.20.40, 0.21.77, 3.9.1 and 4.3.1); it uses `additional_metadata=`, which
newer releases accept as an alias of `metadata`.
Usage: python gen_deepeval_run.py   (run inside the folder where .deepeval/
should be created; see make_fixtures.sh for env vars).
"""

import re
import sys

import deepeval
from deepeval import evaluate
from deepeval.metrics import BaseMetric
from deepeval.test_case import LLMTestCase

# (id, category, group, input, expected_output, actual_output)
CASES = [
    (
        "c01",
        "geography",
        "A",
        "What is the capital of France?",
        "Paris",
        "The capital of France is Paris.",
    ),
    (
        "c02",
        "geography",
        "A",
        "What is the capital of Japan?",
        "Tokyo",
        "Tokyo is Japan's capital city.",
    ),
    (
        "c03",
        "geography",
        "A",
        "What is the capital of Australia?",
        "Canberra",
        "Sydney is the capital of Australia.",
    ),
    (
        "c04",
        "geography",
        "B",
        "Which river flows through Cairo?",
        "the Nile",
        "The Nile flows through Cairo.",
    ),
    (
        "c05",
        "geography",
        "B",
        "What is the largest ocean?",
        "the Pacific Ocean",
        "The Atlantic Ocean.",
    ),
    ("c06", "math", "A", "What is 2 + 2?", "4", "4"),
    ("c07", "math", "A", "What is 7 * 6?", "42", "The answer is 42."),
    ("c08", "math", "B", "What is 10 / 4?", "2.5", "It is 2.4"),
    ("c09", "math", "B", "What is the square root of 81?", "9", "nine"),
    (
        "c10",
        "science",
        "A",
        "What gas do plants absorb?",
        "carbon dioxide",
        "Plants absorb carbon dioxide from the air.",
    ),
    ("c11", "science", "A", "What is H2O commonly called?", "water", "water"),
    (
        "c12",
        "science",
        "B",
        "What planet is known as the red planet?",
        "Mars",
        "Jupiter is the red planet.",
    ),
    (
        "c13",
        "science",
        "B",
        "What is the chemical symbol for gold?",
        "Au",
        "The symbol for gold is Au.",
    ),
    (
        "c14",
        "history",
        "A",
        "Who was the first US president?",
        "George Washington",
        "George Washington was the first president.",
    ),
    ("c15", "history", "A", "In which year did WW2 end?", "1945", "World War 2 ended in 1944."),
    (
        "c16",
        "history",
        "B",
        "Who wrote the Odyssey?",
        "Homer",
        "The Odyssey is attributed to Homer.",
    ),
]


def _tokens(s):
    return set(re.findall(r"[a-z0-9]+(?:\.[0-9]+)?", (s or "").lower().replace("'s", "")))


class KeywordMatchMetric(BaseMetric):
    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold
        self.minimum_score = threshold  # name used by deepeval 0.20.x
        self.async_mode = False  # harmless on versions that ignore it
        self.strict_mode = False
        self.evaluation_model = None
        self.include_reason = True

    def measure(self, test_case, *args, **kwargs):
        exp = (test_case.expected_output or "").lower()
        act = (test_case.actual_output or "").lower()
        self.score = 1.0 if exp and exp in act else 0.0
        self.success = self.score >= self.threshold
        self.reason = (
            "expected text found in actual output"
            if self.score
            else "expected text not found in actual output"
        )
        return self.score

    async def a_measure(self, test_case, *args, **kwargs):
        return self.measure(test_case)

    def is_successful(self):
        return bool(self.success)

    @property
    def __name__(self):
        return "KeywordMatch"


class TokenOverlapMetric(BaseMetric):
    def __init__(self, threshold: float = 0.5):
        self.threshold = threshold
        self.minimum_score = threshold  # name used by deepeval 0.20.x
        self.async_mode = False
        self.strict_mode = False
        self.evaluation_model = None
        self.include_reason = True

    def measure(self, test_case, *args, **kwargs):
        e = _tokens(test_case.expected_output)
        a = _tokens(test_case.actual_output)
        common = len(e & a)
        if not e or not a or not common:
            f1 = 0.0
        else:
            p, r = common / len(a), common / len(e)
            f1 = 2 * p * r / (p + r)
        self.score = round(f1, 4)
        self.success = self.score >= self.threshold
        self.reason = f"token F1={self.score} ({common} shared tokens)"
        return self.score

    async def a_measure(self, test_case, *args, **kwargs):
        return self.measure(test_case)

    def is_successful(self):
        return bool(self.success)

    @property
    def __name__(self):
        return "TokenOverlap"


def build_cases():
    """Build LLMTestCase objects, using whichever optional fields the
    installed release accepts: `name` (newer releases; 0.21.77 has none and
    names cases test_case_<i>), `additional_metadata` (0.21.x-3.9.x field,
    still accepted as an alias of `metadata` in >=3.9.9), else `id` (0.20.x)."""
    out = []
    for cid, cat, grp, inp, exp, act in CASES:
        base = dict(input=inp, actual_output=act, expected_output=exp)
        meta = {"id": cid, "category": cat, "group": grp}
        attempts = [
            dict(name=cid, additional_metadata=meta),
            dict(additional_metadata=meta),
            dict(id=cid),
            dict(),
        ]
        for extra in attempts:
            try:
                tc = LLMTestCase(**base, **extra)
                break
            except TypeError:
                continue
        out.append(tc)
    return out


if __name__ == "__main__":
    print("deepeval", getattr(deepeval, "__version__", "?"), file=sys.stderr)
    metrics = [KeywordMatchMetric(0.5), TokenOverlapMetric(0.5)]
    cases = build_cases()
    kwargs = {}
    import inspect

    if "hyperparameters" in inspect.signature(evaluate).parameters:
        # 0.21.x requires both "model" and "prompt template" keys
        kwargs["hyperparameters"] = {
            "model": "fixture-canned-answers-v1",
            "prompt template": "Answer briefly: {input}",
        }
    try:  # new API (>=2.x): configs
        from deepeval.evaluate import AsyncConfig, DisplayConfig

        kwargs["async_config"] = AsyncConfig(run_async=False)
        kwargs["display_config"] = DisplayConfig(print_results=False, show_indicator=False)
    except Exception:
        try:
            import inspect

            params = inspect.signature(evaluate).parameters
            if "run_async" in params:
                kwargs["run_async"] = False
            if "print_results" in params:
                kwargs["print_results"] = False
            if "show_indicator" in params:
                kwargs["show_indicator"] = False
        except Exception:
            pass
    evaluate(cases, metrics, **kwargs)
