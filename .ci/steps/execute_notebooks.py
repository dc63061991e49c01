"""Execute notebooks headless with nbclient in THIS interpreter's environment; fail on any error.

    python execute_notebooks.py [--cwd DIR] [--expect PKG=VERSION ...] NB.ipynb ...

The kernel is this interpreter (a kernelspec written to a temporary JUPYTER_PATH, so no other
``python3`` kernelspec on the machine can stand in).  Before the notebooks, a probe in the same
kind of kernel prints the versions it sees and checks every ``--expect``.  Outputs are not
compared (that is nbval's job in the pinned environment); cells that write to stderr are listed.
``--cwd`` runs every notebook in that folder (default: the notebook's own folder).
"""
import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

PROBE = r'''
import importlib, json, sys
out = {"python": sys.version.split()[0], "executable": sys.executable}
for name in ("numpy", "matplotlib", "ipywidgets", "IPython", "ipykernel", "sklearn", "mlp_helpers"):
    try:
        m = importlib.import_module(name)
        out[name] = getattr(m, "__version__", "?")
        if name == "mlp_helpers":
            out["mlp_helpers_file"] = m.__file__
    except ImportError as err:
        out[name] = f"MISSING ({err})"
print(json.dumps(out))
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("notebooks", nargs="+", type=Path)
    ap.add_argument("--cwd", type=Path, default=None)
    ap.add_argument("--expect", action="append", default=[], help="PKG=VERSION the kernel must see")
    ap.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = ap.parse_args()

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    kernels = Path(tempfile.mkdtemp(prefix="ci-kernels-"))
    spec = kernels / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "env": {"PYDEVD_DISABLE_FILE_VALIDATION": "1"},  # quiets ipykernel 6's debugger warning
        "display_name": "Python 3 (CI)", "language": "python"}))
    os.environ["JUPYTER_PATH"] = str(kernels) + os.pathsep + os.environ.get("JUPYTER_PATH", "")
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

    probe = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PROBE)])
    probe.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    probe_dir = args.cwd or Path.cwd()
    NotebookClient(probe, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(probe_dir)}}).execute()
    seen = json.loads(probe.cells[0].outputs[0]["text"])
    print("kernel sees: " + ", ".join(f"{k} {v}" for k, v in seen.items()))
    bad = []
    for item in args.expect:
        pkg, want = item.split("=", 1)
        if seen.get(pkg) != want:
            bad.append(f"{pkg}: expected {want}, kernel has {seen.get(pkg)}")
    if bad:
        print("FAIL: " + "; ".join(bad))
        return 1

    failures = []
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        cwd = args.cwd or path.resolve().parent
        start = time.monotonic()
        try:
            NotebookClient(nb, timeout=args.timeout, kernel_name="python3",
                           resources={"metadata": {"path": str(cwd)}}).execute()
        except CellExecutionError as err:
            failures.append(path.name)
            print(f"FAIL {path.name} ({time.monotonic() - start:.1f} s):\n{str(err)[-3000:]}")
            continue
        stderr = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                  for o in c.get("outputs", []) if o.get("name") == "stderr"]
        note = f"; cells writing to stderr: {sorted(set(stderr))}" if stderr else ""
        for i in sorted(set(stderr)):
            for o in nb.cells[i].outputs:
                if o.get("name") == "stderr":
                    print(f"  {path.name} cell {i} stderr: {o['text'].strip()[:500]}")
        print(f"ok   {path.name} ({time.monotonic() - start:.1f} s){note}")
    if failures:
        print(f"{len(failures)} notebook(s) failed: {', '.join(failures)}")
        return 1
    print(f"all {len(args.notebooks)} notebook(s) ran without error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
