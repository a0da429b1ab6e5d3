# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""check_low_bit.py OUT_DIR ISAS_FILE MODEL CALIB INPUT PRECISION...: for each
precision (`weight-bits[/weight-granularity][+weight-format][@activation-bits]`),
quantizes MODEL with quant-opt --quantize and checks, printing
"<precision>: ok":

- packed storage: every quantx.unpack_weights, decoded here from the byte
  layout's definition (docs/Dialect.md) and times its sub-scales or through
  its codebook, equals
  the int8 weights that quantx-export-tosa materializes (the compiler's own
  decoder); the packed bytes are as few as the format allows; the report's
  stored bytes equal its packed bytes; a pow2 layer's table is the
  powers of two, a codebook layer's has 2^bits int8 entries;
- integer compute: quant-run's reference lowering (--kernels none, which
  unpacks at run time) and every kernel ISA the CPU runs (which unpack at
  compile time), at 1 and 2 threads, give bit-identical outputs.
"""

import json
import os
import re
import subprocess
import sys

import numpy as np
from packed_layout import decode

CAST = re.compile(r"(%\w+) = tosa\.cast (%\w+) ")
LAYER = re.compile(
    r"tosa\.(?:conv2d|depthwise_conv2d|matmul) %\w+, (%\w+),")
CONST = re.compile(
    r'(%\w+) = "tosa\.const"\(\) <\{values = dense<(.*?)> : '
    r"tensor<([0-9x]*)x?i8>\}>")
UNPACK = re.compile(
    r"(%\w+) = quantx\.unpack_weights (%\w+)(?:, (%\w+))?"
    r"(?: codebook\((%\w+) : tensor<\d+xi8>\))? format (\w+)"
    r"(?: \{axis = (\d+) : i64, block = (\d+) : i64\})? : .* -> "
    r"tensor<([0-9x]+)xi8>")


def run(argv):
    result = subprocess.run(argv, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"failed: {' '.join(argv)}\n{result.stderr[-2000:]}")
    return result.stdout


def parse_dense(body, shape):
    """The int8 values of a dense<...> body of a tensor of `shape`."""
    count = int(np.prod(shape)) if shape else 1
    if body.startswith('"0x'):
        data = np.frombuffer(bytes.fromhex(body[3:-1]), dtype=np.int8)
    else:
        data = np.array([int(v) for v in re.findall(r"-?\d+", body)],
                        dtype=np.int8)
    if data.size == 1:
        data = np.full(count, data[0], dtype=np.int8)
    return data.reshape(shape)


def constants(text):
    return {name: parse_dense(body, [int(d) for d in dims.split("x") if d])
            for name, body, dims in CONST.findall(text)}


def pow2_table(bits):
    """The pow2 codes' integers from their definition (docs/Dialect.md)."""
    half = 1 << (bits - 1)
    positive = [0] + [1 << (c - 1) for c in range(1, half)]
    return np.array(positive + [-v for v in positive], dtype=np.int64)


def check_packing(quantized, exported, bits, levels):
    q_text, e_text = open(quantized).read(), open(exported).read()
    q_consts, e_consts = constants(q_text), constants(e_text)
    unpacks = {m[0]: m for m in UNPACK.findall(q_text)}
    q_weights, e_weights = LAYER.findall(q_text), LAYER.findall(e_text)
    assert len(q_weights) == len(e_weights)
    # int16 matmuls read their int8 weights through a cast.
    q_casts, e_casts = dict(CAST.findall(q_text)), dict(CAST.findall(e_text))
    checked = 0
    for q_name, e_name in zip(q_weights, e_weights):
        q_name, e_name = q_casts.get(q_name, q_name), e_casts.get(e_name,
                                                                  e_name)
        if q_name not in unpacks:
            continue
        _, packed, sub, table, fmt, axis, block, dims = unpacks[q_name]
        shape = [int(d) for d in dims.split("x")]
        subscales = q_consts[sub] if sub else None
        codebook = q_consts[table].reshape(-1) if table else None
        assert (codebook is not None) == (levels != "uniform"), q_name
        if levels == "pow2":
            # int3 codes use the int4 layout: the codes past 2^3 are unused.
            want = pow2_table(bits)
            assert np.array_equal(codebook[:want.size], want) and \
                not codebook[want.size:].any(), f"{q_name}: not pow2"
        ours = decode(fmt, q_consts[packed].reshape(-1), shape, subscales,
                      int(axis) if axis else None,
                      int(block) if block else None, codebook)
        theirs = e_consts[e_name].astype(np.int64)
        assert np.array_equal(ours, theirs), f"{q_name}: decode differs"
        checked += 1
    return checked


def main(out, isa_file, model, calib, x, precisions):
    with open(isa_file) as f:
        isas = [line.strip() for line in f if line.strip()]
    for precision in precisions:
        weights, _, activations = precision.partition("@")
        weights, _, levels = weights.partition("+")
        levels = levels or "uniform"
        bits, _, granularity = weights.partition("/")
        tag = (precision.replace("/", "-").replace(":", "")
               .replace("@", "-a").replace("+", "-"))
        quantized = os.path.join(out, f"{tag}.mlir")
        report = os.path.join(out, f"{tag}.json")
        # Single rounding: the one quantx-export-tosa can express exactly.
        options = (f"calibration-data={calib} weight-bits={bits} "
                   f"rounding=single report={report}")
        if granularity:
            options += f" weight-granularity={granularity}"
        if levels != "uniform":
            options += f" weight-format={levels}"
        if activations:
            options += f" activation-bits={activations}"
        run(["quant-opt", model, f"--quantize={options}", "-o", quantized])
        exported = os.path.join(out, f"{tag}-tosa.mlir")
        run(["quant-opt", quantized, "--quantx-export-tosa", "-o", exported])
        unpacked = check_packing(quantized, exported,
                                 int(bits) if bits.isdigit() else 0, levels)
        assert unpacked > 0 or bits == "8", "no packed weights"
        with open(report) as f:
            summary = json.load(f)
        assert summary["total_weight_bytes"] == \
            summary["total_packed_weight_bytes"], summary
        reference = os.path.join(out, f"{tag}-ref.npy")
        run(["quant-run", quantized, "--kernels", "none", "--input", x,
             "--output", reference])
        for isa in isas:
            for threads in ("1", "2"):
                result = os.path.join(out, f"{tag}-{isa}-{threads}.npy")
                run(["quant-run", quantized, "--kernels", isa, "--threads",
                     threads, "--input", x, "--output", result])
                assert np.array_equal(np.load(result), np.load(reference)), \
                    f"{precision} {isa} threads={threads} differs"
        print(f"{precision}: ok ({unpacked} packed layers, "
              f"{summary['total_weight_bytes']} bytes)", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:6], sys.argv[6:])
