#!/usr/bin/env bash
# Colab check: a fresh virtual environment with Google Colab's pins (.ci/steps/colab-pins.txt,
# Colab's Python 3.12 when this machine has it), the package installed the way the notebooks'
# Colab cell does it, and every notebook executed headless without error.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "20_colab_pins"

venv=.ci-venvs/colab
py=$(find_python 3.12)
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r .ci/steps/colab-pins.txt nbclient nbformat
"$venv/bin/python" -m pip freeze | sort > "$venv/freeze-colab.txt"

# The notebooks' Colab cell runs `pip install --no-deps git+https://github.com/OWNER/REPO@BRANCH`.
# Here: the same package from this checkout, and WITH its dependencies, to prove that even then
# nothing Colab ships is upgraded or added (only mlp-helpers itself may appear).
# (from a copy of the checkout, so that the build leaves no build/ folder in the repository)
src=$(mktemp -d)
tar --exclude=./.git --exclude=./.venv --exclude=./.ci-venvs --exclude=./build -cf - . | tar -xf - -C "$src"
"$venv/bin/python" -m pip install --quiet "$src"
rm -rf "$src"
"$venv/bin/python" -m pip freeze | sort > "$venv/freeze-after.txt"
added=$(comm -13 "$venv/freeze-colab.txt" "$venv/freeze-after.txt")
removed=$(comm -23 "$venv/freeze-colab.txt" "$venv/freeze-after.txt")
echo "installing the package added: ${added:-nothing}"
others=$(echo "$added" | grep -vE '^mlp[-_]helpers( @ |==)' || true)
if [ -n "$removed" ] || [ -n "$others" ] || ! echo "$added" | grep -qE '^mlp[-_]helpers( @ |==)'; then
  echo "FAIL: installing mlp_helpers changed Colab's packages:"
  echo "  removed/changed: ${removed:-none}"
  echo "  added: $added"
  exit 1
fi

# Run every notebook from an empty folder, as Colab does (/content): the package must come
# from site-packages, not from this checkout, and no notebook may rely on files beside it.
workdir=$(mktemp -d)
trap 'rm -rf "$workdir"; echo "== 20_colab_pins: wall time $((SECONDS - _step_start)) s"' EXIT
"$venv/bin/python" .ci/steps/execute_notebooks.py --cwd "$workdir" \
  --expect ipywidgets=7.7.1 --expect IPython=7.34.0 --expect ipykernel=6.17.1 \
  --expect numpy=2.1.3 --expect matplotlib=3.10.0 \
  notebooks/[0-9][0-9]_*.ipynb
