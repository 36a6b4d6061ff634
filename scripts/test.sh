#!/usr/bin/env bash
# Set up DocsGen with its development extras in .venv and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".[dev]"
# Azurite (npm), the Azure Blob emulator the az:// store tests run against; reinstalled when its lock changes.
azurite=docsgen_pipeline_tests/support/azurite
if ! cmp -s "$azurite/package-lock.json" "$azurite/node_modules/.package-lock.json.installed" 2>/dev/null; then
  if command -v npm >/dev/null; then
    if npm ci --prefix "$azurite" --no-audit --no-fund --silent; then
      cp "$azurite/package-lock.json" "$azurite/node_modules/.package-lock.json.installed"
    else
      echo "warning: npm ci for Azurite failed: the az:// store tests will fail" >&2
    fi
  else
    echo "warning: npm not found: the az:// store tests will fail (install Node.js 20 and npm)" >&2
  fi
fi
exec .venv/bin/python -m pytest "$@"
