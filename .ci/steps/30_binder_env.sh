#!/usr/bin/env bash
# Binder check: no Docker here, so build what repo2docker would build for binder/: a fresh
# virtual environment with binder/runtime.txt's Python, `pip install -r binder/requirements.txt`
# run from the repository root (as repo2docker does), then check the JupyterLab widgets and the
# Voila server extension the badges rely on, and run every notebook in it.
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "30_binder_env"

venv=.ci-venvs/binder
want=$(sed -n 's/^python-\([0-9]*\.[0-9]*\).*/\1/p' binder/runtime.txt)
py=$(find_python "$want")
rm -rf "$venv"
"$py" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -r binder/requirements.txt
"$venv/bin/python" -c "import sys; print('Python', sys.version.split()[0])"

# Binder's badges open JupyterLab (needs the widgets extension) and /voila/render/... (needs the
# Voila server extension, enabled by the voila package itself).
nocolor() { sed 's/\x1b\[[0-9;]*m//g'; }
"$venv/bin/jupyter" server extension list 2>&1 | nocolor | grep -E "voila.server_extension +enabled" \
  || { echo "FAIL: the voila server extension is not enabled"; exit 1; }
"$venv/bin/jupyter" labextension list 2>&1 | nocolor | grep -E "@jupyter-widgets/jupyterlab-manager .*enabled" \
  || { echo "FAIL: the JupyterLab widgets extension is missing"; exit 1; }
"$venv/bin/voila" --version

pin() { sed -n "s/^$1==//p" requirements.txt; }
"$venv/bin/python" .ci/steps/execute_notebooks.py \
  --expect numpy="$(pin numpy)" --expect matplotlib="$(pin matplotlib)" \
  --expect ipywidgets="$(pin ipywidgets)" --expect ipykernel="$(pin ipykernel)" \
  notebooks/[0-9][0-9]_*.ipynb
