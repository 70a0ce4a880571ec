#!/usr/bin/env bash
# bench_api.py before/after, back to back in one command: REV (a plain `git archive` copy) on
# BEFORE_PY, then this checkout on BEFORE_PY (the code alone), then this checkout on AFTER_PY (a
# venv with the `serving` extra). Same store, same clients. Stores are built by bench_api.py
# (--build-only) beforehand. Run Elasticsearch under services/with-services.
#   bench/api_before_after.sh sqlite 60 --sqlite /tmp/b50k.db --sqlite-records 50000
#   TEXTMINE_ES_PORT=9202 services/with-services bench/api_before_after.sh es 30 --es es://127.0.0.1:9202/benchapih --es-records 20000
# Env: REV (default main), BEFORE_PY, AFTER_PY (default: python3), ORDER (default "before code after").
set -euo pipefail
store=$1; secs=$2; shift 2
here="$(cd "$(dirname "$0")/.." && pwd)"
base="$(mktemp -d)"; trap 'rm -rf "$base"' EXIT
git -C "$here" archive "${REV:-main}" | tar -x -C "$base"
port=8781
for side in ${ORDER:-before code after}; do
  case $side in
    before) dir=$base; py=${BEFORE_PY:-python3};;
    code) dir=$here; py=${BEFORE_PY:-python3};;
    after) dir=$here; py=${AFTER_PY:-python3};;
  esac
  echo "== $side: $(basename "$dir") on $py"
  (cd "$dir" && PYTHONPATH=. nice -n 15 "$py" bench/bench_api.py --only "$store" "$@" --clients 50 --seconds "$secs" \
      --runs 5 --port $port 2>&1 | sed -n '/^store/,/^load average/p')
  port=$((port + 1))
done
