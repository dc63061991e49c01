"""Speed seen from the browser: Voila time to first slider and key press -> new figure painted.

Usage (from the repository root, with Chromium, Playwright and `npm ci` done, see README)::

    python benchmarks/browser.py            # runs tests/test_browser.py (about 2-3 minutes),
                                            # then writes the browser section of benchmarks/README.md
    python benchmarks/browser.py --from-artifacts   # only rewrite the section from the last
                                                    # artifacts/browser_times.json

What tests/test_browser.py measures, per notebook, in headless Chromium with the network blocked:

* **first slider**: from opening the app's address (Voila already listening) to the first slider
  visible.  Voila starts a kernel and runs the whole notebook before it sends the page.
* **pre-heated first slider** (notebook 02 only): the same with ``--preheat_kernel=True
  --pool_size=1``, once the pool's kernel has run the notebook (what a lecture set-up gives the
  first student, and the next ones while the pool keeps up).
* **key -> paint**: the main slider (reached with Tab) moved 20 times with the arrow keys; for each
  press, the time from the key event to the new figure decoded and painted (the kernel's callback,
  the PNG round trip and the browser's paint).  Median and maximum.

benchmarks/run.py rewrites the rest of benchmarks/README.md and keeps this section.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BEGIN = "<!-- browser BEGIN (written by benchmarks/browser.py; do not edit by hand) -->"
END = "<!-- browser END -->"
TARGET_MOVE_MS = 150
TARGET_PREHEATED_S = 3.0


def section(data: dict) -> str:
    rows = ["| notebook | Voila first slider (s) | main slider | Tab presses to it | key -> paint median (ms) | max (ms) |",
            "|---|---:|---|---:|---:|---:|"]
    pre = None
    for name, rec in data["notebooks"].items():
        if name.endswith("(pre-heated)"):
            pre = (name, rec)
            continue
        moves = rec.get("move_to_paint_ms") or []
        first = rec.get("first_slider_s", f"(no slider; app shown after {rec.get('app_rendered_s', '-')})")
        rows.append(f"| {name} | {first} "
                    f"| {rec.get('main_slider', '(none)')} | {rec.get('tabs_to_main_slider', '-')} "
                    f"| {rec.get('move_to_paint_ms_median', '-')} | {max(moves) if moves else '-'} |")
    medians = [r["move_to_paint_ms_median"] for n, r in data["notebooks"].items() if "move_to_paint_ms_median" in r]
    lines = [
        "## 4. Seen from the browser (Voila in Chromium)",
        "",
        f"Measured {data['measured']} by `python benchmarks/browser.py` (tests/test_browser.py in headless",
        f"Chromium, every request to another host blocked), {data['cores']} cores, load average after the run",
        f"{data['load_average_after']}. Times include the machine's other work; see the list of what is",
        "measured at the top of `benchmarks/browser.py`.",
        "",
        *rows,
        "",
    ]
    if pre:
        lines += [f"Pre-heated Voila (`--preheat_kernel=True --pool_size=1`), {pre[0].split(' ')[0]}: first slider "
                  f"after **{pre[1]['first_slider_s']} s** (target <= {TARGET_PREHEATED_S:.0f} s on a quiet machine: "
                  f"{'met' if pre[1]['first_slider_s'] <= TARGET_PREHEATED_S else 'not met in this run'}).", ""]
    if medians:
        worst = max(medians)
        lines += [f"Key -> paint: slowest notebook median {worst} ms (target <= {TARGET_MOVE_MS} ms: "
                  f"{'met' if worst <= TARGET_MOVE_MS else 'not met'}).", ""]
    return "\n".join(lines)


def write_section(readme: Path, body: str) -> None:
    text = readme.read_text(encoding="utf-8") if readme.exists() else "# Benchmarks\n"
    block = f"{BEGIN}\n{body.rstrip()}\n{END}"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    readme.write_text(text, encoding="utf-8")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--from-artifacts", action="store_true", help="do not run the browser test")
    parser.add_argument("--readme", type=Path, default=HERE / "README.md")
    args = parser.parse_args(argv)
    times = ROOT / "artifacts" / "browser_times.json"
    if not args.from_artifacts:
        if times.exists():
            times.unlink()
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "tests/test_browser.py"], cwd=ROOT, env=env)
        if proc.returncode not in (0, 1):
            return proc.returncode
    if not times.exists():
        print(f"no {times}: the browser test did not run (Chromium, Playwright, npm ci?)", file=sys.stderr)
        return 1
    data = json.loads(times.read_text(encoding="utf-8"))
    body = section(data)
    print(body)
    write_section(args.readme, body)
    print(f"written: {args.readme}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
