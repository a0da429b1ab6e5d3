# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The exact precision solver at scale: random problems of G layer groups
(a fifth of them ties of two layers) x C candidate precisions x 3 budgets
(weight bytes, BOPs, latency, each at a random point between the cheapest
and the dearest assignment), solved by quant-solve-precision to proven
optimality. Prints the median wall time of the tool (process start
included) per size; the issue's target is under 1 s at 200 x 8 x 3.

/usr/bin/python3 bench/solver.py [--build build] [--sizes 50x4,200x8,400x8]
    [--runs 5]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PRECISIONS = ["w8a8", "w8a8-pt", "w4a8", "w4a8-g32", "w4a8-tl16", "w3a8",
              "w2a8", "wta8"]


def random_problem(rng, groups, candidates):
    layers = []
    for g in range(groups):
        members = 2 if g % 5 == 0 else 1
        for m in range(members):
            size = rng.randint(1000, 2_000_000)
            macs = size * rng.randint(1, 3000)
            options = []
            for c in range(candidates):
                bits = [8, 8, 4, 4, 4, 3, 2, 2][c % 8]
                options.append({
                    "precision": PRECISIONS[c % 8] + ("" if c < 8 else
                                                      f"-{c}"),
                    "sensitivity": rng.random() * (8 / bits) ** 3 * 1e-3,
                    "weight_bytes": size * bits // 8 + rng.randint(0, 64),
                    "bops": macs * bits * 8,
                    "latency_ms": macs * (0.5 + bits / 16) * 1e-9 *
                    rng.uniform(0.8, 1.2)})
            layer = {"name": f"g{g}m{m}", "options": options}
            if members > 1:
                layer["tie"] = f"t{g}"
            layers.append(layer)
    budget = {}
    for key in ("weight_bytes", "bops", "latency_ms"):
        lows = sum(min(o[key] for o in layer["options"]) for layer in layers)
        highs = sum(max(o[key] for o in layer["options"]) for layer in layers)
        budget[key] = lows + rng.uniform(0.3, 0.7) * (highs - lows)
    return {"layers": layers, "budget": budget}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--sizes", default="50x4,200x8,400x8")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tool = os.path.join(args.build, "bin", "quant-solve-precision")
    print("| groups x candidates x budgets | median s | max s | status |")
    print("| --- | --- | --- | --- |")
    rng = random.Random(1)
    for size in args.sizes.split(","):
        groups, candidates = (int(v) for v in size.split("x"))
        times, statuses = [], set()
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                path = os.path.join(tmp, "costs.json")
                with open(path, "w") as f:
                    json.dump(random_problem(rng, groups, candidates), f)
                start = time.perf_counter()
                result = subprocess.run([tool, path], capture_output=True,
                                        text=True)
                times.append(time.perf_counter() - start)
                if result.returncode == 2:
                    raise SystemExit(result.stderr)
                statuses.add(json.loads(result.stdout)["status"])
        print(f"| {groups} x {candidates} x 3 | "
              f"{statistics.median(times):.3f} | {max(times):.3f} | "
              f"{', '.join(sorted(statuses))} |", flush=True)


if __name__ == "__main__":
    main()
