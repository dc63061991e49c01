#!/usr/bin/env bash
# Slides: one reveal.js deck per notebook into slides/ (from the slideshow metadata the notebooks
# carry), the way the README tells instructors to build them.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "40_slides"

rm -rf slides
.venv/bin/python -m mlp_helpers.instructor.course slides
for nb in notebooks/[0-9][0-9]_*.ipynb; do
  deck="slides/$(basename "$nb" .ipynb).slides.html"
  [ -s "$deck" ] || { echo "FAIL: no deck $deck"; exit 1; }
  echo "$deck: $(grep -c '<section' "$deck") sections, $(wc -c < "$deck") bytes"
done
