#!/usr/bin/env bash
# Slides: one reveal.js deck per notebook into slides/ (from the slideshow metadata the notebooks
# carry), the way the README tells instructors to build them: offline decks, with reveal.js and
# MathJax copied into slides/_assets/ from node_modules/ (npm ci).  Fails if a deck would load
# anything from another host.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "40_slides"

rm -rf slides
.venv/bin/python -m mlp_helpers.instructor.course slides
for nb in notebooks/[0-9][0-9]_*.ipynb; do
  deck="slides/$(basename "$nb" .ipynb).slides.html"
  [ -s "$deck" ] || { echo "FAIL: no deck $deck"; exit 1; }
  if grep -E -o '<(script|link)[^>]*(src|href)="(https?:)?//[^"]*"' "$deck"; then
    echo "FAIL: $deck loads the files above from another host"; exit 1
  fi
  echo "$deck: $(grep -c '<section' "$deck") sections, $(wc -c < "$deck") bytes"
done
[ -s slides/_assets/reveal.js/dist/reveal.js ] && [ -s slides/_assets/mathjax/tex-chtml-full.js ] \
  || { echo "FAIL: reveal.js or MathJax missing from slides/_assets"; exit 1; }
echo "slides/_assets: $(du -sh slides/_assets | cut -f1) (reveal.js and MathJax for offline use)"
