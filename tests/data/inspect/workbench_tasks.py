"""Inspect AI tasks that produce the workbench test fixtures.

Run offline with `--model mockllm/model`; the mock model always answers
"Default output from mockllm/model", so outcomes are decided by the
dataset targets, the sample metadata and (for `epochs`) the epoch number.
See make_fixtures.sh for the exact commands.
"""

from difflib import SequenceMatcher
from pathlib import Path

import anyio
from inspect_ai import Task, task
from inspect_ai.dataset import json_dataset
from inspect_ai.scorer import (
    CORRECT,
    INCORRECT,
    NOANSWER,
    PARTIAL,
    Score,
    Target,
    accuracy,
    mean,
    scorer,
    stderr,
)
from inspect_ai.solver import Generate, Solver, TaskState, generate, solver

HERE = Path(__file__).parent

# seconds slept before generating, chosen by the sample's number
DELAYS = [0.0, 0.05, 0.1, 0.2, 0.3]


def sample_number(sample_id: int | str) -> int:
    """1 for "case-001" or 1."""
    return int(str(sample_id).rsplit("-", 1)[-1])


@solver
def think_time() -> Solver:
    """Sleep 0-0.3 s (by sample number) so total_time/working_time vary."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        await anyio.sleep(DELAYS[sample_number(state.sample_id) % len(DELAYS)])
        return state

    return solve


@solver
def flaky_tool() -> Solver:
    """Raise for samples whose metadata has raise_error: true."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if state.metadata.get("raise_error"):
            raise RuntimeError(f"simulated tool failure on sample {state.sample_id}")
        return state

    return solve


@solver
def stall_on(sample_id: str) -> Solver:
    """Hang (sleep an hour) on one sample, so the run can be killed part-way."""

    async def solve(state: TaskState, generate: Generate) -> TaskState:
        if state.sample_id == sample_id:
            await anyio.sleep(3600)
        return state

    return solve


def _matches(state: TaskState, target: Target) -> bool:
    return target.text.lower() in state.output.completion.lower()


@scorer(metrics=[accuracy(), stderr()])
def answer_match():
    """C if the target is contained in the output, else I.

    On epoch 2 the verdict is flipped for samples with metadata flaky: true,
    so `--epochs 2` gives reduced values of 0.5 for those samples.
    """

    async def score(state: TaskState, target: Target) -> Score:
        ok = _matches(state, target)
        explanation = "target found in output" if ok else "target not found in output"
        if state.epoch == 2 and state.metadata.get("flaky"):
            ok = not ok
            explanation += " (flipped: flaky sample, epoch 2)"
        return Score(
            value=CORRECT if ok else INCORRECT,
            answer=state.output.completion,
            explanation=explanation,
        )

    return score


def _similarity(state: TaskState, target: Target) -> float:
    return round(
        SequenceMatcher(None, state.output.completion.lower(), target.text.lower()).ratio(), 3
    )


@scorer(metrics=[mean(), stderr()])
def similarity():
    """Float 0..1: difflib ratio between output and target."""

    async def score(state: TaskState, target: Target) -> Score:
        return Score(
            value=_similarity(state, target),
            answer=state.output.completion,
            explanation="difflib.SequenceMatcher ratio, output vs target",
        )

    return score


@scorer(metrics=[accuracy()])
def graded():
    """C / P / I / N: C on a match, N for kind=harmful, P for similarity >= 0.3, else I."""

    async def score(state: TaskState, target: Target) -> Score:
        if _matches(state, target):
            value, why = CORRECT, "target found in output"
        elif state.metadata.get("kind") == "harmful":
            value, why = NOANSWER, "harmful request: no gradable answer"
        elif _similarity(state, target) >= 0.3:
            value, why = PARTIAL, "output partly similar to target"
        else:
            value, why = INCORRECT, "output unrelated to target"
        return Score(value=value, answer=state.output.completion, explanation=why)

    return score


@task
def basic():
    """40 support questions, one C/I scorer. Also used for the epochs fixture."""
    return Task(
        dataset=json_dataset(str(HERE / "basic.jsonl")),
        solver=[think_time(), generate()],
        scorer=answer_match(),
    )


@task
def scorers():
    """Same 40 samples, three scorers: C/I, float 0..1, and C/P/I/N."""
    return Task(
        dataset=json_dataset(str(HERE / "basic.jsonl")),
        solver=[think_time(), generate()],
        scorer=[answer_match(), similarity(), graded()],
    )


@task
def errors():
    """30 samples (ids 1..30 assigned by Inspect); 4 raise in the solver.

    Run with --no-fail-on-error so the eval still ends with status success.
    """
    return Task(
        dataset=json_dataset(str(HERE / "errors.jsonl")),
        solver=[think_time(), flaky_tool(), generate()],
        scorer=answer_match(),
    )


@task
def stalled():
    """The basic samples, but case-012 hangs for an hour.

    make_fixtures.sh runs it with --limit 12 --log-buffer 1 and kills the
    process once the other 11 samples are in the log, leaving status "started".
    """
    return Task(
        dataset=json_dataset(str(HERE / "basic.jsonl")),
        solver=[think_time(), stall_on("case-012"), generate()],
        scorer=answer_match(),
    )
