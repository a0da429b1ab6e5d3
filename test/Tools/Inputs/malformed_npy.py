# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes valid and malformed .npy/.npz files into the directory argv[1].

ok.npz, ok-compressed.npz  np.savez and np.savez_compressed of float32
                           samples [2, 1, 4] as arg0
overflow.npy    shape (2^62, 1, 4) and no data: 2^62 * 4 * 4 bytes wraps to 0
bad-shape.npy   a negative dimension
bomb.npz        a deflated member of a few bytes declaring almost 4 GiB
bad-dir.npz     a central directory entry whose name runs past the file
"""

import io
import os
import struct
import sys
import zipfile

import numpy as np

out = sys.argv[1]
x = np.arange(8, dtype=np.float32).reshape(2, 1, 4)
np.savez(os.path.join(out, "ok.npz"), arg0=x)
np.savez_compressed(os.path.join(out, "ok-compressed.npz"), arg0=x)


def npy(header):
    header = header.ljust(117) + "\n"
    length = struct.pack("<H", len(header))
    return b"\x93NUMPY\x01\x00" + length + header.encode()


with open(os.path.join(out, "overflow.npy"), "wb") as f:
    f.write(npy("{'descr': '<f4', 'fortran_order': False, "
                "'shape': (4611686018427387904, 1, 4), }"))
with open(os.path.join(out, "bad-shape.npy"), "wb") as f:
    f.write(npy("{'descr': '<f4', 'fortran_order': False, "
                "'shape': (2, -1, 4), }"))

buffer = io.BytesIO()
with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
    member = io.BytesIO()
    np.save(member, x)
    archive.writestr("arg0.npy", member.getvalue())
archive = bytearray(buffer.getvalue())
local = 0
central = archive.rindex(b"PK\x01\x02")

bomb = bytearray(archive)
struct.pack_into("<I", bomb, local + 22, 0xFFFFFFFE)
struct.pack_into("<I", bomb, central + 24, 0xFFFFFFFE)
with open(os.path.join(out, "bomb.npz"), "wb") as f:
    f.write(bomb)

bad_dir = bytearray(archive)
struct.pack_into("<H", bad_dir, central + 28, 0xFFFF)
with open(os.path.join(out, "bad-dir.npz"), "wb") as f:
    f.write(bad_dir)
