#!/usr/bin/env bash
# The course website, built by the README's one command from the stored notebooks (nothing is
# executed): Jupyter Book 1, MathJax from node_modules/, the decks under slides/.
# tests/test_site.py then opens every page in Chromium with the network blocked (it reuses this
# build: build/site/html/_mlp_site.json records the digest of the sources).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "45_site"

rm -rf build/site
.venv/bin/python -m mlp_helpers.instructor.site build
html=build/site/html
pages=$(find "$html" -name '*.html' -not -path "$html/_*" -not -path '*/_assets/*' | wc -l)
[ -s "$html/index.html" ] || { echo "FAIL: no $html/index.html"; exit 1; }
[ -s "$html/searchindex.js" ] || { echo "FAIL: no search index"; exit 1; }
echo "website: $pages pages in $html ($(du -sh "$html" | cut -f1))"
