#!/usr/bin/env bash
# Set up DocsGen in .venv (first time only) and run a whole docs run on an example brief,
# on the embedded default: Dagster's SQLite instance under $DOCSGEN_HOME and the offline agent.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/docsgen ]; then
  "$PYTHON" -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e .
fi
exec .venv/bin/docsgen run "${1:-examples/acme-orders.yaml}" "${@:2}"
