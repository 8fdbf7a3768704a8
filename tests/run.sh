#!/usr/bin/env bash
# The test command: installs what the tests need, lints, and runs pytest (arguments go to pytest).
# - Debian's Chromium for the browser tests (installed with apt-get when run as root);
# - the package with its test extras in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q chromium
  else
    echo "note: browser tests need Debian's chromium (sudo apt-get install chromium)" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
