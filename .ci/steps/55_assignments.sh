#!/usr/bin/env bash
# Assignments (issue 10), self-contained:
#  1. build the student and instructor versions of notebooks 01-04 with otter-grader (timed);
#  2. run every student version top to bottom, exercise stubs left empty, in fresh virtual
#     environments with Google Colab's pins (.ci/steps/colab-pins.txt; Python 3.12 and 3.13 when this
#     machine has them) and the package installed from the checkout, from an empty folder as in Colab:
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
src=$(mktemp -d)
tar --exclude=./.git --exclude=./.venv --exclude=./.ci-venvs --exclude=./build --exclude=./dist -cf - . | tar -xf - -C "$src"
trap 'rm -rf "$src"; echo "== 55_assignments: wall time $((SECONDS - _step_start)) s"' EXIT
for want in ${ASSIGN_COLAB_PYTHONS:-3.12 3.13}; do
  venv=.ci-venvs/assign-colab-$want
  py=$(find_python "$want")
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r .ci/steps/colab-pins.txt nbclient nbformat
  "$venv/bin/python" -m pip freeze | sort > "$venv/freeze-colab.txt"
  "$venv/bin/python" -m pip install --quiet "$src"
  "$venv/bin/python" -m pip freeze | sort > "$venv/freeze-after.txt"
  changed=$(comm -3 "$venv/freeze-colab.txt" "$venv/freeze-after.txt" | grep -vE '^\s*mlp[-_]helpers( @ |==)' || true)
  if [ -n "$changed" ]; then
    echo "FAIL: installing mlp_helpers changed Colab's packages: $changed"
    exit 1
  fi
  # From an empty folder, so that the runner and the kernels import the installed package, not the checkout.
  run_dir=$(mktemp -d)
  (cd "$run_dir" && "$root/$venv/bin/python" -m mlp_helpers.instructor.assign smoke "$root"/dist/student/*.ipynb \
    --expect ipywidgets=7.7.1 --expect IPython=7.34.0 --expect ipykernel=6.17.1 \
    --expect numpy=2.1.3 --expect matplotlib=3.10.0)
done

echo "-- 3. grading without Docker (python -m mlp_helpers.instructor.assign selftest)"
.venv/bin/python -m mlp_helpers.instructor.assign selftest
