#!/usr/bin/env bash
# Browser tests (tests/test_browser.py, tests/test_site.py) need Debian's Chromium and Playwright
# in .venv, and the pinned browser files from the npm registry (package.json / package-lock.json:
# axe-core for the accessibility audit, MathJax and reveal.js for the website and the decks),
# installed with `npm ci` into node_modules/ (gitignored).
# Never `playwright install`: it downloads a browser build of its own; the tests drive /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "10_browser_deps"

if [ ! -x /usr/bin/chromium ] || ! command -v npm >/dev/null; then
  echo "installing Debian's chromium (and npm if missing) with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  pkgs=""
  [ -x /usr/bin/chromium ] || pkgs="$pkgs chromium"
  command -v npm >/dev/null || pkgs="$pkgs npm"
  apt-get install -y -qq $pkgs >/dev/null
fi
# (Debian's chromium wrapper prints a harmless "[: ... unexpected operator" on stderr)
/usr/bin/chromium --version 2>/dev/null
.venv/bin/python -m pip install --quiet "playwright==1.65.2"
.venv/bin/python -c "import playwright, importlib.metadata as m; print('playwright', m.version('playwright'))"
npm ci --no-audit --no-fund --loglevel=error
node -e 'for (const p of ["axe-core", "mathjax", "reveal.js"]) console.log(p, require("./node_modules/" + p + "/package.json").version)'
