# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""compare.py A.npy B.npy --max-abs X [--exact]: fails when the arrays differ
by more than X anywhere (or at all, with --exact); prints the largest
difference."""

import argparse
import sys

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("a")
parser.add_argument("b")
parser.add_argument("--max-abs", type=float, default=0.0)
parser.add_argument("--exact", action="store_true")
args = parser.parse_args()
a, b = np.load(args.a), np.load(args.b)
if a.shape != b.shape or a.dtype != b.dtype and args.exact:
    sys.exit(f"shapes/dtypes differ: {a.shape} {a.dtype} vs {b.shape} {b.dtype}")
if args.exact:
    same = np.array_equal(a, b)
    print(f"bit-identical: {same}")
    sys.exit(0 if same else 1)
diff = np.abs(a.astype(np.float64) - b.astype(np.float64)).max()
print(f"max |a - b| = {diff:.6g} (range of a: {np.abs(a).max():.6g})")
sys.exit(0 if diff <= args.max_abs else 1)
