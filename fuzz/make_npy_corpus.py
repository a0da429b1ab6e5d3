#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes a seed corpus for quantx-npy-fuzzer into the given directory.

numpy-made .npy files of every dtype quant-x reads and a few it refuses,
header versions 1 and 2, and .npz archives stored, deflated and with zip64
extra fields (np.savez writes those for every member), all small enough for
-max_len=4096.

    make_npy_corpus.py CORPUS_DIR
"""

import io
import os
import sys
import zipfile

import numpy as np


def npy(array, version=None):
    out = io.BytesIO()
    if version is None:
        np.save(out, array)
    else:
        np.lib.format.write_array(out, array, version=version)
    return out.getvalue()


def npz(compressed, **arrays):
    out = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(out, **arrays)
    return out.getvalue()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    seeds = {
        "f4.npy": npy(x),
        "f8.npy": npy(x.astype(np.float64)),
        "i1.npy": npy(np.arange(-5, 5, dtype=np.int8)),
        "u1.npy": npy(np.arange(7, dtype=np.uint8)),
        "i2.npy": npy(np.arange(6, dtype=np.int16).reshape(1, 2, 3)),
        "i4.npy": npy(np.arange(4, dtype=np.int32)),
        "i8.npy": npy(np.int64(42)),
        "empty.npy": npy(np.zeros((0, 4), np.float32)),
        "v2.npy": npy(x, version=(2, 0)),
        "big-endian.npy": npy(x.astype(">f4")),
        "fortran.npy": npy(np.asfortranarray(np.ones((2, 2), np.float32))),
        "stored.npz": npz(False, arg0=x, arg1=np.ones(3, np.int8)),
        "deflated.npz": npz(True, arg0=np.zeros((64, 4), np.float32)),
    }
    # A member without zip64 extra fields, as other zip writers make them.
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("arg0.npy", npy(x))
    seeds["plain.npz"] = out.getvalue()
    for name, data in seeds.items():
        with open(os.path.join(directory, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
