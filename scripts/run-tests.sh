#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server (unless TIKTOK_ADS_MART_TEST_PG_DSN points at one), runs the suite,
# and stops the server again whatever the outcome.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
if [ -z "${TIKTOK_ADS_MART_TEST_PG_DSN:-}" ]; then
  trap 'bash scripts/pg-stop.sh' EXIT
  started=$(bash scripts/pg-start.sh)  # an assignment, so a server that does not start stops the run here
  eval "$started"
fi
export TIKTOK_ADS_MART_TEST_PG_DSN
export TIKTOK_ADS_MART_CHROMIUM="${TIKTOK_ADS_MART_CHROMIUM:-$(command -v chromium || true)}"
$BIN/python -m pytest -q -p no:cacheprovider "$@"
