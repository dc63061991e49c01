#!/usr/bin/env bash
# Browser tests (tests/test_browser.py) need Debian's Chromium and Playwright in .venv.
# Never `playwright install`: it downloads a browser build of its own; the test drives /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "10_browser_deps"

if [ ! -x /usr/bin/chromium ]; then
  echo "installing Debian's chromium with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
fi
# (Debian's chromium wrapper prints a harmless "[: ... unexpected operator" on stderr)
/usr/bin/chromium --version 2>/dev/null
.venv/bin/python -m pip install --quiet "playwright==1.65.2"
.venv/bin/python -c "import playwright, importlib.metadata as m; print('playwright', m.version('playwright'))"
