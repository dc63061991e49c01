#!/usr/bin/env bash
# Assignments (issue 10), self-contained:
#  1. build the student and instructor versions of notebooks 01-04 with otter-grader (timed);
#  2. run every student version top to bottom, exercise stubs left empty, in the virtual
#     environments with Google Colab's pins that .ci/steps/20_colab_pins.sh built (Python 3.12 and
#     3.13, the package installed from the checkout), from an empty folder as in Colab:
#     no cell may fail, every check must print "not done yet", the sliders must be constructed;
#  3. grade without Docker: the instructor solutions must get full marks, the blank student versions
#     0, and copies with planted typical mistakes partial marks with every mistake named (timed).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
source .ci/steps/lib.bash
step_timer "55_assignments"

echo "-- 1. build (python -m mlp_helpers.instructor.assign build)"
rm -rf dist
.venv/bin/python -m mlp_helpers.instructor.assign build

echo "-- 2. the student versions under Colab's pins"
# The Colab environments of .ci/steps/20_colab_pins.sh (.ci-venvs/colab-X.Y: Colab's pins and the package
# from this checkout, already proven to change none of them); run that step first.
ran=0
for want in ${ASSIGN_COLAB_PYTHONS:-3.12 3.13}; do
  venv=.ci-venvs/colab-$want
  if [ ! -x "$venv/bin/python" ]; then
    echo "no $venv (Python $want): .ci/steps/20_colab_pins.sh builds it; skipping $want"
    continue
  fi
  pins=$root/.ci/steps/colab-pins-$want.txt  # absolute: the runner below works from an empty folder
  pin() { sed -n "s/^$1==//p" "$pins"; }
  # From an empty folder, so that the runner and the kernels import the installed package, not the checkout.
  run_dir=$(mktemp -d)
  (cd "$run_dir" && PYDEVD_DISABLE_FILE_VALIDATION=1 "$root/$venv/bin/python" -m mlp_helpers.instructor.assign smoke \
    "$root"/dist/student/*.ipynb \
    --expect ipywidgets="$(pin ipywidgets)" --expect IPython="$(pin ipython)" --expect ipykernel="$(pin ipykernel)" \
    --expect numpy="$(pin numpy)" --expect matplotlib="$(pin matplotlib)")
  rm -rf "$run_dir"
  ran=$((ran + 1))
done
if [ "$ran" -eq 0 ]; then
  echo "FAIL: no Colab environment to run the student versions in (run .ci/steps/20_colab_pins.sh first)"
  exit 1
fi

echo "-- 3. grading without Docker (python -m mlp_helpers.instructor.assign selftest)"
.venv/bin/python -m mlp_helpers.instructor.assign selftest
