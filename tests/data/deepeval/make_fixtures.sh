#!/usr/bin/env bash
# Regenerate the DeepEval test-run fixtures in this folder, offline.
#
#   bash tests/data/deepeval/make_fixtures.sh            # all four versions
#   bash tests/data/deepeval/make_fixtures.sh 4.3.1      # just one
#
# Each deepeval version gets its own venv (pinned by requirements-<v>.txt,
# a `pip freeze` of the venv that produced the committed files) under
# $WORK (default /work/tools/deepeval-work). Python 3.11.
# requirements-0.20.40.txt pins torch==2.13.0+cpu (deepeval 0.20.x imports
# torch at import time); that is PyTorch's CPU-only wheel, which must come
# from a local wheel dir / PyTorch's CPU wheel index, never a CUDA build.
#
# The run happens in a fresh scratch dir with networking cut off
# (`unshare -n`, when available, i.e. as root) and telemetry disabled.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${WORK:-/work/tools/deepeval-work}"
PY="${PYTHON:-python3.11}"
VERSIONS=("$@")
[ ${#VERSIONS[@]} -eq 0 ] && VERSIONS=(0.20.40 0.21.77 3.9.1 4.3.1)

NONET=()
if unshare -n true 2>/dev/null; then NONET=(unshare -n); fi

export DEEPEVAL_TELEMETRY_OPT_OUT=YES      # no posthog/sentry telemetry
export DEEPEVAL_NO_INSPECT_PROMPT=1        # 4.x: don't offer `deepeval inspect`
export DEEPEVAL_UPDATE_WARNING_OPT_IN=0    # no PyPI version check
unset CONFIDENT_API_KEY DEEPEVAL_API_KEY OPENAI_API_KEY || true

mkdir -p "$WORK"
for v in "${VERSIONS[@]}"; do
  venv="$WORK/venv-$v"
  if [ ! -x "$venv/bin/python" ]; then
    "$PY" -m venv "$venv"
    if [ "$v" = 0.20.40 ]; then
      "$venv/bin/pip" install -q torch==2.13.0+cpu   # CPU wheel first
    fi
    "$venv/bin/pip" install -q -r "$HERE/requirements-$v.txt"
  fi
  run="$WORK/run-$v"
  rm -rf "$run"; mkdir -p "$run"
  # DEEPEVAL_RESULTS_FOLDER: every version copies the test run there
  # (<= 3.9.1: file named <YYYYMMDD_HHMMSS> with no extension, the
  #  pre-aggregation temp file; >= 3.9.9: test_run_<YYYYMMDD_HHMMSS>.json).
  ( cd "$run" && DEEPEVAL_RESULTS_FOLDER="$run/results" \
      "${NONET[@]}" "$venv/bin/python" "$HERE/gen_deepeval_run.py" \
      </dev/null >"$run/out.log" 2>&1 ) || { cat "$run/out.log"; exit 1; }
  res="$(ls "$run"/results/* | grep -v '\.lock$' | head -1)"
  cp "$res" "$HERE/deepeval-${v}_results_folder.json"
  if [ -f "$run/.deepeval/.latest_test_run.json" ]; then   # 3.x / 4.x only
    cp "$run/.deepeval/.latest_test_run.json" "$HERE/deepeval-${v}_latest_test_run.json"
  fi
  echo "deepeval $v -> $(basename "$res")"
done

python3 "$HERE/count.py" "$HERE"/deepeval-*.json
