#!/usr/bin/env bash
# Regenerate every Inspect AI log fixture in this folder with the real tool.
#
#   INSPECT_VENV=/work/tools/inspect-venv ./make_fixtures.sh
#
# Needs inspect_ai 0.3.172 (pip install inspect-ai==0.3.172). Runs offline:
# --model mockllm/model never touches the network. The tasks, datasets and
# this script are copied to a temporary directory and run from there, so the
# logs record task_file "workbench_tasks.py" and dataset locations
# "basic.jsonl" / "errors.jsonl" and no git revision.
# Timestamps, ids (eval_id, run_id, task_id, uuid) and timings differ on
# every run; the counts printed by count.py do not.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
INSPECT_VENV="${INSPECT_VENV:-/work/tools/inspect-venv}"
INSPECT="$INSPECT_VENV/bin/inspect"
PY="$INSPECT_VENV/bin/python"

"$INSPECT" --version | grep -qx '0.3.172' || { echo "need inspect_ai 0.3.172" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$HERE/workbench_tasks.py" "$HERE/basic.jsonl" "$HERE/errors.jsonl" "$WORK/"
cd "$WORK"
export PYTHONDONTWRITEBYTECODE=1
unset INSPECT_LOG_DIR INSPECT_LOG_FORMAT INSPECT_EVAL_MODEL

# run NAME FORMAT ARGS... : one `inspect eval`, log moved to $HERE/NAME.FORMAT
# (a non-zero exit is tolerated: the error fixture is expected to fail)
run() {
  local name="$1" fmt="$2"; shift 2
  rm -rf out
  echo "+ inspect eval $* --model mockllm/model --log-format $fmt --log-dir out" >&2
  "$INSPECT" eval "$@" --model mockllm/model --log-format "$fmt" --log-dir out \
      --display none || echo "  (exit status $?)" >&2
  local logs=(out/*."$fmt")
  [ "${#logs[@]}" -eq 1 ] && [ -f "${logs[0]}" ] || { echo "expected one log in out/" >&2; exit 1; }
  mv "${logs[0]}" "$HERE/$name.$fmt"
}

# interrupt NAME FORMAT SIGNAL : run the `stalled` task (12 samples, case-012
# hangs) with --log-buffer 1, wait until the log on disk holds the 11 other
# samples, then send SIGNAL (INT -> status "cancelled", KILL -> "started").
interrupt() {
  local name="$1" fmt="$2" sig="$3"
  rm -rf out
  echo "+ inspect eval workbench_tasks.py@stalled --limit 12 --log-buffer 1 --model mockllm/model --log-format $fmt --log-dir out  (then SIG$sig)" >&2
  "$PY" - "$INSPECT" "$fmt" "$sig" <<'PYEOF'
import glob, json, signal, subprocess, sys, time, zipfile
inspect, fmt, sig = sys.argv[1:]
p = subprocess.Popen([inspect, "eval", "workbench_tasks.py@stalled", "--limit", "12",
                      "--log-buffer", "1", "--model", "mockllm/model",
                      "--log-format", fmt, "--log-dir", "out", "--display", "none"])
def logged() -> int:
    for f in glob.glob(f"out/*.{fmt}"):
        try:
            if fmt == "eval":
                return sum(n.startswith("samples/") for n in zipfile.ZipFile(f).namelist())
            return len(json.load(open(f)).get("samples") or [])
        except Exception:  # file being rewritten right now
            pass
    return 0
deadline = time.time() + 120
while logged() < 11:
    if time.time() > deadline or p.poll() is not None:
        p.kill(); sys.exit("stalled run did not reach 11 logged samples")
    time.sleep(0.2)
time.sleep(0.5)
p.send_signal(getattr(signal, "SIG" + sig))
p.wait(timeout=120)
PYEOF
  local logs=(out/*."$fmt")
  mv "${logs[0]}" "$HERE/$name.$fmt"
}

for fmt in eval json; do
  # 1. basic: 40 samples, scorer answer_match (C/I)
  run basic "$fmt" workbench_tasks.py@basic
  # 2. epochs: first 20 samples x 2 epochs, default reducer (mean)
  run epochs "$fmt" workbench_tasks.py@basic --limit 20 --epochs 2
  # 3. scorers: 40 samples, scorers answer_match (C/I), similarity (float), graded (C/P/I/N)
  run scorers "$fmt" workbench_tasks.py@scorers
  # 4. errors: 30 samples, 4 raise in the solver, eval still "success"
  run errors "$fmt" workbench_tasks.py@errors --no-fail-on-error
  # 5a. unfinished_error: same task, default fail_on_error, one sample at a time:
  #     samples 1-3 succeed, sample 4 raises, the eval ends with status "error"
  run unfinished_error "$fmt" workbench_tasks.py@errors --max-samples 1
  # 5b. unfinished_cancelled: Ctrl-C (SIGINT) part-way -> status "cancelled"
  interrupt unfinished_cancelled "$fmt" INT
  # 5c. unfinished_started: process killed (SIGKILL) part-way -> status "started"
  interrupt unfinished_started "$fmt" KILL
done

ls -l "$HERE"/*.eval "$HERE"/*.json
"$PY" "$HERE/count.py"
