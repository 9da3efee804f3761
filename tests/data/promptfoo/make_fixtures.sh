#!/usr/bin/env bash
# Regenerates every promptfoo fixture in this folder with the real promptfoo, offline.
# Needs Node 20 and `npm install promptfoo@0.120` (0.120.27 made the committed files);
# set PROMPTFOO to the promptfoo binary if it is not on PATH.
set -euo pipefail
cd "$(dirname "$0")"
PROMPTFOO=${PROMPTFOO:-promptfoo}
export PROMPTFOO_DISABLE_TELEMETRY=1 PROMPTFOO_DISABLE_UPDATE=1
export PROMPTFOO_CONFIG_DIR=${PROMPTFOO_CONFIG_DIR:-$(mktemp -d)}
python3 make_tests.py
# (promptfoo appends to a .jsonl output rather than replacing it)
rm -f two-providers.jsonl
run() { "$PROMPTFOO" eval --no-cache --no-progress-bar --no-table "$@" || true; }
# (promptfoo exits 100 when a test fails, which these fixtures are made to do)
run -c single.yaml -o single.json
run -c two-providers.yaml -o two-providers.json -o two-providers.jsonl -o two-providers.csv
run -c repeat.yaml --repeat 2 -o repeat.json
# The version 2 summary (no failureReason, no testIdx): promptfoo 0.55.0, the last release in
# this registry that writes it (`npm install promptfoo@0.55.0`; set PROMPTFOO_LEGACY to it).
if [ -n "${PROMPTFOO_LEGACY:-}" ]; then
  "$PROMPTFOO_LEGACY" eval --no-cache -c legacy-v2.yaml -o legacy-v2.json || true
fi
