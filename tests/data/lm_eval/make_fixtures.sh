#!/usr/bin/env bash
# Regenerate the lm-evaluation-harness --log_samples fixtures, offline.
#
#   bash tests/data/lm_eval/make_fixtures.sh
#
# lm_eval 0.4.13 (pinned by requirements-0.4.13.txt, a `pip freeze` of the
# venv that produced the committed files; torch is NOT needed: the `dummy`
# model and the json dataset builder run without it). Python 3.11.
# Model: lm_eval's built-in `dummy` LM (lm_eval/models/dummy.py):
#   loglikelihood -> (-random.random(), False)   (seeded by --seed 0,...)
#   generate_until -> always "lol"
# `--model_args pretrained=dummy-lm` is ignored by DummyLM but gives the run
# a stable model_name (else a random 8-char id is used for the subfolder).
# Runs from a scratch copy of tasks/ (not inside the git repo, so the
# results file's git_hash is null) with networking cut off (`unshare -n`
# when available) and the HF hub/datasets forced offline.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="${WORK:-/work/tools/lmeval-work}"
PY="${PYTHON:-python3.11}"
venv="$WORK/venv-0.4.13"

NONET=()
if unshare -n true 2>/dev/null; then NONET=(unshare -n); fi

if [ ! -x "$venv/bin/lm_eval" ]; then
  mkdir -p "$WORK"
  "$PY" -m venv "$venv"
  "$venv/bin/pip" install -q -r "$HERE/requirements-0.4.13.txt"
fi

run="$WORK/run"
rm -rf "$run"; mkdir -p "$run"
cp -r "$HERE/tasks" "$run/tasks"
(
  cd "$run"
  HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 HF_HOME="$run/.hf-home" \
  "${NONET[@]}" "$venv/bin/lm_eval" run \
      --model dummy --model_args pretrained=dummy-lm --device cpu \
      --tasks fixture_mc,fixture_gen --include_path tasks \
      --seed 0,1234,1234,1234 \
      --log_samples --output_path out \
      >"$run/run.log" 2>&1
) || { cat "$run/run.log"; exit 1; }

# lm_eval writes out/dummy-lm/results_<date_id>.json and
# out/dummy-lm/samples_<task>_<date_id>.jsonl; date_id is
# datetime.now().isoformat() with ':' replaced by '-'.
ls -1 "$run/out/dummy-lm/" | tee "$HERE/original_filenames.txt"
cp "$run"/out/dummy-lm/results_*.json            "$HERE/lm_eval-0.4.13_dummy_results.json"
cp "$run"/out/dummy-lm/samples_fixture_mc_*.jsonl  "$HERE/lm_eval-0.4.13_dummy_samples_fixture_mc.jsonl"
cp "$run"/out/dummy-lm/samples_fixture_gen_*.jsonl "$HERE/lm_eval-0.4.13_dummy_samples_fixture_gen.jsonl"

python3 "$HERE/count.py" "$HERE"/lm_eval-0.4.13_dummy_samples_fixture_*.jsonl \
        --results "$HERE/lm_eval-0.4.13_dummy_results.json"
