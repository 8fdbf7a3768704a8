#!/usr/bin/env bash
# The test command: installs what the tests need, lints, and runs pytest (arguments go to pytest).
# - Debian's Chromium for the browser tests, Node.js for the local OpenID Provider of the
#   sign-in tests, Pango and fonts for the sitrep PDF and poppler to check it (installed with
#   apt-get when run as root);
# - the package with its test extras in .venv; the provider from the npm registry.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
# WeasyPrint lays out the sitrep PDF with Pango and these fonts; poppler checks the PDF
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
ldconfig -p | grep libpangoft2-1.0 >/dev/null || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing+=(fonts-dejavu-core)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && apt-get install -y -q "${missing[@]}"
  else
    echo "note: browser tests need Debian's ${missing[*]} (sudo apt-get install ${missing[*]})" >&2
  fi
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e '.[test]'
if command -v npm >/dev/null 2>&1; then
  npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
fi
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
