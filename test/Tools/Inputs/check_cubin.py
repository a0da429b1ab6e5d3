# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Describes a cubin: an ELF file for the CUDA machine (e_machine 190), the
SM it was assembled for (byte 1 of e_flags, as ptxas writes it) and which of
quant-x's kernels it defines. Exits 1 for anything else."""

import sys

KERNELS = ("quantx_conv_s8", "quantx_depthwise_s8")

data = open(sys.argv[1], "rb").read()
if data[:4] != b"\x7fELF" or int.from_bytes(data[18:20], "little") != 190:
    sys.exit(f"{sys.argv[1]}: not a CUDA ELF file")
sm = (int.from_bytes(data[0x30:0x34], "little") >> 8) & 0xFF
found = [name for name in KERNELS if name.encode() + b"\0" in data]
print(f"cubin for sm_{sm} with {', '.join(found) or 'no quant-x kernel'}")
