# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Fashion-MNIST from Debian's dataset-fashion-mnist, as NCHW float32."""

import gzip
import os

import numpy as np

DATA_DIR = os.environ.get("FASHION_MNIST_DIR",
                          "/usr/share/datasets/fashion-mnist")
MEAN, STD = 0.2860, 0.3530


def _read_idx(name):
    path = os.path.join(DATA_DIR, name)
    if not os.path.exists(path):
        raise SystemExit(f"{path} is missing: apt-get install "
                         "dataset-fashion-mnist")
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big")
             for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(split):
    """(images [N, 1, 28, 28] normalized float32, labels [N] int64)."""
    prefix = "train" if split == "train" else "t10k"
    images = _read_idx(f"{prefix}-images-idx3-ubyte.gz")
    labels = _read_idx(f"{prefix}-labels-idx1-ubyte.gz")
    images = (images.astype(np.float32) / 255.0 - MEAN) / STD
    return images[:, None, :, :], labels.astype(np.int64)
