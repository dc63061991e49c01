#!/usr/bin/env bash
# Colab check, under Colab's current runtime (Python 3.13) and its previous one (Python 3.12),
# each with its own pins (.ci/steps/colab-pins-3.13.txt, colab-pins-3.12.txt, copied from
# googlecolab/backend-info).  For each: a fresh virtual environment with that Python and exactly
# those pins; the package installed from this checkout WITH its dependencies, which must add or
# change nothing but mlp-helpers itself (the notebooks' Colab cell installs it with --no-deps);
# then every notebook executed headless from an empty folder, as in Colab's /content.
# A Python this machine lacks is reported on one line ("Python 3.13 not available here: ...")
# and skipped; the step fails if neither Python is there.  The two run side by side; each one's
# log is printed when it is done (and kept in .ci-venvs/colab-X.Y.log).
set -euo pipefail
cd "$(dirname "$0")/../.."
source .ci/steps/lib.bash
step_timer "20_colab_pins"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"; echo "== 20_colab_pins: wall time $((SECONDS - _step_start)) s"' EXIT

# pin_of FILE NAME: the version FILE pins NAME to (names compared as pip does: case, - _ .).
pin_of() {
  sed -n 's/^\([A-Za-z0-9._-]*\)==\([^ ;#]*\).*/\1 \2/p' "$1" \
    | awk -v want="$2" 'function norm(s) { s = tolower(s); gsub(/[-_.]+/, "-", s); return s }
                        norm($1) == norm(want) { print $2; exit }'
}

# colab_check X.Y PYTHON: the whole check under one Python; returns non-zero on any failure.
colab_check() {
  local ver=$1 py=$2 start=$SECONDS
  local pins=.ci/steps/colab-pins-$ver.txt venv=.ci-venvs/colab-$ver
  echo "== Colab $ver: $("$py" --version 2>&1) ($py), pins $pins"
  rm -rf "$venv"
  "$py" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "pip==$(pin_of "$pins" pip)"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$pins"
  "$venv/bin/python" -m pip freeze --all | sort > "$venv/freeze-colab.txt"
  echo "   environment ready in $((SECONDS - start)) s"

  # The package from a copy of this checkout (the build leaves no build/ folder here), WITH its
  # dependencies, to prove that even then nothing Colab ships is upgraded or added.
  local src="$scratch/src-$ver"
  mkdir -p "$src"
  tar --exclude=./.git --exclude=./.venv --exclude=./.ci-venvs --exclude=./build --exclude=./artifacts \
    -cf - . | tar -xf - -C "$src"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$src"
  "$venv/bin/python" -m pip freeze --all | sort > "$venv/freeze-after.txt"
  local added removed others
  added=$(comm -13 "$venv/freeze-colab.txt" "$venv/freeze-after.txt")
  removed=$(comm -23 "$venv/freeze-colab.txt" "$venv/freeze-after.txt")
  echo "   installing the package added: ${added:-nothing}"
  others=$(echo "$added" | grep -vE '^mlp[-_]helpers( @ |==)' || true)
  if [ -n "$removed" ] || [ -n "$others" ] || ! echo "$added" | grep -qE '^mlp[-_]helpers( @ |==)'; then
    echo "FAIL (Colab $ver): installing mlp_helpers changed Colab's packages:"
    echo "  removed/changed: ${removed:-none}"
    echo "  added: $added"
    return 1
  fi

  # Every notebook from an empty folder, as Colab does (/content): the package must come from
  # site-packages, not from this checkout, and no notebook may rely on files beside it.
  local workdir="$scratch/content-$ver" expects=() pkg mod
  mkdir -p "$workdir"
  "$venv/bin/python" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$ver'.split('.'))), sys.version"
  for pkg in ipywidgets:ipywidgets ipython:IPython ipykernel:ipykernel numpy:numpy matplotlib:matplotlib \
             scikit-learn:sklearn; do
    expects+=(--expect "${pkg#*:}=$(pin_of "$pins" "${pkg%%:*}")")
  done
  # (PYDEVD_...: ipykernel 6's debugger otherwise warns about frozen modules on the first kernel's stderr)
  PYDEVD_DISABLE_FILE_VALIDATION=1 "$venv/bin/python" .ci/steps/execute_notebooks.py --cwd "$workdir" \
    "${expects[@]}" notebooks/[0-9][0-9]_*.ipynb || return 1
  echo "== Colab $ver: passed in $((SECONDS - start)) s"
}

# Both Pythons at once (each its own venv, log and empty folder): building an environment is
# mostly waiting on the package index, so the two overlap well even on two cores.
mkdir -p .ci-venvs
pids=() vers=()
for ver in 3.13 3.12; do
  if ! py=$(find_python_exact "$ver"); then
    echo "Python $ver not available here: none of $(python_candidates "$ver" | tr '\n' ' ')runs;" \
         "Debian bookworm packages only Python 3.11 and nothing else here can download an interpreter," \
         "so Colab's Python $ver runtime is NOT checked on this machine"
    continue
  fi
  log=.ci-venvs/colab-$ver.log
  (set -euo pipefail; colab_check "$ver" "$py") > "$log" 2>&1 &
  pids+=($!) vers+=("$ver")
done
if [ "${#pids[@]}" -eq 0 ]; then
  echo "FAIL: neither Python 3.13 nor 3.12 is on this machine: Colab's runtime was not checked at all"
  exit 1
fi
failed=()
for i in "${!pids[@]}"; do
  ver=${vers[$i]}
  if ! wait "${pids[$i]}"; then
    failed+=("$ver")
  fi
  grep -v "^WARNING: Location '.*' is ignored" ".ci-venvs/colab-$ver.log" || true
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "FAIL: the Colab check failed under Python ${failed[*]} (logs: .ci-venvs/colab-X.Y.log)"
  exit 1
fi
echo "Colab check passed under Python ${vers[*]}"
