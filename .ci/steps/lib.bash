# Shared helpers for the .ci/steps/*.sh scripts (sourced, not run: the name does not end in .sh).

# python_candidates X.Y: every place a Python X.Y may be on this machine, one per line.
python_candidates() {
  local want=$1
  printf '%s\n' "python$want" "$HOME"/.pyenv/versions/"$want"*/bin/"python$want" \
    /usr/local/bin/"python$want" /usr/bin/"python$want"
}

# find_python_exact X.Y: print the path of a working Python X.Y (with venv) and return 0, or
# print nothing and return 1 when this machine has none (pyenv versions are looked at too).
find_python_exact() {
  local want=$1 cand
  while IFS= read -r cand; do
    if "$cand" -c "import sys, venv; assert sys.version_info[:2] == tuple(map(int, '$want'.split('.')))" >/dev/null 2>&1; then
      command -v "$cand" 2>/dev/null || echo "$cand"
      return 0
    fi
  done < <(python_candidates "$want")
  return 1
}

# find_python X.Y: print the path of a working Python X.Y interpreter, or of python3 (with a
# warning on stderr) when X.Y is not on this machine (pyenv versions are looked at too).
find_python() {
  local want=$1
  if find_python_exact "$want"; then
    return 0
  fi
  echo "warning: Python $want not found on this machine; using $(python3 --version 2>&1)" >&2
  command -v python3
}

# step_timer NAME: print NAME's wall time when the calling script exits (success or failure).
step_timer() {
  _step_name=$1
  _step_start=$SECONDS
  trap 'echo "== ${_step_name}: wall time $((SECONDS - _step_start)) s"' EXIT
}
