"""A writer process for the crash and two-at-once tests: edits a project through the CLI's code.

Each edit is one call of ``workbench.cli.main([...])`` (the command's own code path, without
a process start-up per edit). After a call returns 0 the writer prints, unbuffered,
``ACK <kind> <n>``: from then on the edit counts as saved. A refused call prints
``FAIL <kind> <n> <exit code> <message>``.

Two ways to run it:

``python writer_process.py serve``
    A fork server for the crash tests. It imports workbench once, then reads one job (JSON)
    per line on stdin, forks a writer for it and prints ``PID <pid>``; when that writer has
    died (the test SIGKILLs it) it prints ``EXIT <pid> <status>``. Forking saves the 0.4 s
    of imports that a fresh process would spend before its first edit.

``python writer_process.py run JOB``
    One writer for the two-at-once test: prints ``READY``, waits for a line on stdin (so two
    writers start together), runs the job, prints ``END`` and exits.

Jobs (``kind``): ``tick`` and ``decide`` edit forever, numbering from ``start``;
``restore`` restores its ``backups`` in turn, forever;
``import-results`` and ``migrate`` work through a list of files, then print ``IDLE`` and
wait to be killed; ``mixed`` makes ``count`` edits, in turn ticking one of its own items
and adding a decision.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import sys
import time
from typing import Any

from workbench import cli, store

# What the commands import when they run: imported once, before forking.
for _module in (
    "operations",
    "evaluation.runs",
    "evaluation.rows",
    "evaluation.evidence",
    "readiness",
    "units",
    "backup",
    "files",
):
    importlib.import_module(f"workbench.{_module}")

BY = "writer"


def say(line: str) -> None:
    """One line on stdout, written straight to the pipe: nothing is left in a buffer."""
    os.write(1, (line.replace("\n", " ") + "\n").encode("utf-8"))


def call(kind: str, n: int, argv: list[str]) -> bool:
    errors = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(errors):
        code = cli.main(argv)
    if code == 0:
        say(f"ACK {kind} {n}")
        return True
    say(f"FAIL {kind} {n} {code} {errors.getvalue().strip()}")
    return False


def idle() -> None:
    say("IDLE")
    while True:
        time.sleep(60)


def run_job(job: dict[str, Any]) -> None:
    kind = job["kind"]
    by = job.get("by", BY)
    if kind == "tick":
        n = job["start"]
        while True:
            argv = ["tick", job["path"], job["item"], "--status", "done"]
            call(kind, n, [*argv, "--evidence", f"edit-{n}", "--by", by])
            n += 1
    elif kind == "decide":
        n = job["start"]
        while True:
            argv = ["decide", job["path"], "--title", f"decision-{n}"]
            call(kind, n, [*argv, "--decision", f"d{n}", "--rationale", "r", "--by", by])
            n += 1
    elif kind == "import-results":
        for n, file in job["files"]:
            argv = ["import-results", job["path"], file, "--label", f"imp-{n}", "--by", by]
            call(kind, n, argv)
        idle()
    elif kind == "migrate":
        for n, file in job["files"]:
            store.Store.open(file).close()  # opening an older file backs it up and migrates it
            say(f"ACK {kind} {n}")
        idle()
    elif kind == "restore":
        n = job["start"]
        while True:  # restores the backups in turn, for ever
            backup = job["backups"][n % len(job["backups"])]
            call(kind, n, ["restore", job["path"], backup])
            n += 1
    elif kind == "mixed":
        name, items = job["name"], job["items"]
        for n in range(1, job["count"] + 1):
            if n % 2 == 0:
                argv = ["decide", job["path"], "--title", f"{name}-decision-{n}"]
                call("decide", n, [*argv, "--decision", "d", "--rationale", "r", "--by", name])
            else:
                item = items[(n // 2) % len(items)]
                argv = ["tick", job["path"], item, "--status", "done", "--evidence", f"{name}-{n}"]
                call("tick", n, [*argv, "--by", name])
    else:
        raise ValueError(f"unknown job kind {kind!r}")


def serve() -> None:
    for line in sys.stdin:
        if not line.strip():
            continue
        job = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                run_job(job)
            except BaseException as error:
                say(f"ERROR {type(error).__name__}: {error}")
                code = 1
            os._exit(code)
        say(f"PID {pid}")
        _, status = os.waitpid(pid, 0)
        say(f"EXIT {pid} {status}")


def main() -> None:
    if sys.argv[1] == "serve":
        serve()
    elif sys.argv[1] == "run":
        job = json.loads(sys.argv[2])
        say("READY")
        sys.stdin.readline()
        run_job(job)
        say("END")
    else:
        raise SystemExit(f"usage: {sys.argv[0]} serve | run JOB")


if __name__ == "__main__":
    main()
