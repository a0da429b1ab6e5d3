# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""compare_raw.py OUT.bin REF.npy: fails unless the raw file holds REF's
elements (its dtype, C order), bit for bit."""

import sys

import numpy as np

reference = np.load(sys.argv[2])
actual = np.fromfile(sys.argv[1], reference.dtype)
same = actual.size == reference.size and np.array_equal(
    actual.view(np.uint8), reference.ravel().view(np.uint8))
print(f"bit-identical: {same}")
sys.exit(0 if same else 1)
