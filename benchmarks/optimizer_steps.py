"""Time one step of each optimizer of mlp_helpers.optimizers against torch.optim (CPU, float64, one thread).

Usage (from the repository root, with PyTorch installed: ``pip install -r benchmarks/requirements.txt``)::

    python benchmarks/optimizer_steps.py [--steps 2000] [--repeats 5]

For two networks (the digits 64-64-10 of benchmarks/run.py, 4,810 parameters, and a 784-512-10,
407,050 parameters) both sides take the same fixed gradients ``steps`` times; the table gives the
median over ``repeats`` of the CPU time per step (``time.process_time``, so other work on a shared
machine inflates it less than the wall clock) and the ratio ours / torch.
"""
from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import mlp_helpers as mh  # noqa: E402
from mlp_helpers import optimizers as O  # noqa: E402

# name -> (our step(params, grads, state, t), torch optimizer factory(params))
CASES = {
    "SGD (mh.sgd_step, optim.py)": (lambda p, g, s, t: (mh.sgd_step(p, g, 0.01), None),
            lambda torch, ps: torch.optim.SGD(ps, lr=0.01)),
    "momentum (velocity)": (lambda p, g, s, t: O.momentum_velocity_step(p, g, s, 0.01, 0.9),
                            lambda torch, ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9)),
    "momentum (buffer)": (lambda p, g, s, t: O.momentum_buffer_step(p, g, s, 0.01, 0.9),
                          lambda torch, ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9)),
    "Nesterov": (lambda p, g, s, t: O.momentum_buffer_step(p, g, s, 0.01, 0.9, nesterov=True),
                 lambda torch, ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9, nesterov=True)),
    "RMSProp": (lambda p, g, s, t: O.rmsprop_step(p, g, s, 0.01, 0.99, 1e-8),
                lambda torch, ps: torch.optim.RMSprop(ps, lr=0.01, alpha=0.99, eps=1e-8)),
    "Adam": (lambda p, g, s, t: O.adam_step(p, g, s, 0.001, t=t),
             lambda torch, ps: torch.optim.Adam(ps, lr=0.001)),
}
NETWORKS = {"64-64-10": [64, 64, 10], "784-512-10": [784, 512, 10]}


def time_ours(step, params, grads, steps):
    p, s = params, None
    start = time.process_time()
    for t in range(1, steps + 1):
        p, s = step(p, grads, s, t)
    return (time.process_time() - start) / steps


def time_torch(torch, make, params, grads, steps):
    ps = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in params.values()]
    for p, g in zip(ps, grads.values()):
        p.grad = torch.tensor(g, dtype=torch.float64)
    opt = make(torch, ps)
    start = time.process_time()
    for _ in range(steps):
        opt.step()
    return (time.process_time() - start) / steps


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    try:
        import torch
    except ImportError:
        print("PyTorch is not installed: pip install -r benchmarks/requirements.txt")
        return 1
    torch.set_num_threads(1)
    print(f"numpy {np.__version__}, PyTorch {torch.__version__}; CPU time per step (µs), median of "
          f"{args.repeats} x {args.steps} steps; load average {os.getloadavg()[0]:.2f}\n")
    print("| network | optimizer | mlp_helpers (µs) | torch.optim (µs) | ratio |")
    print("|---|---|---:|---:|---:|")
    rng = np.random.default_rng(0)
    for net, sizes in NETWORKS.items():
        params = mh.init_params(sizes, seed=0)
        grads = {k: rng.normal(size=v.shape) * 1e-3 for k, v in params.items()}
        steps = args.steps if sizes[0] < 500 else max(args.steps // 10, 20)
        for name, (ours, theirs) in CASES.items():
            a = statistics.median(time_ours(ours, params, grads, steps) for _ in range(args.repeats))
            b = statistics.median(time_torch(torch, theirs, params, grads, steps) for _ in range(args.repeats))
            print(f"| {net} | {name} | {1e6 * a:.1f} | {1e6 * b:.1f} | {a / b:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
