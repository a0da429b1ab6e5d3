# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""ONNX's own backend node tests (Debian's libonnx-testdata) through the
importer and quant-run.

python3 -m quantx.conformance [--data DIR] [--verbose]

For every node test of an operator the importer claims: bind the inputs the
importer needs as constants (weights, shapes, bounds, scales and zero
points: a compiler fixes them at compile time), import, run with quant-run,
and compare with the expected outputs: float within rtol 1e-3, atol 1e-5
(ONNX's backend tolerance, atol widened from 1e-7 for float32 sums);
integer outputs exactly, or within one step where quant-x's rescale rounds
differently from ONNX's float rescale (such elements are counted).
Quantized operators run twice: as imported (float simulation) and compiled
by `quant-opt --quantize-int8` to integer code. uint8 tensors cross the
function boundary as int8 holding `value - 128` (see onnx_quantized.py).
Prints `Op: passed/total` per operator and path.
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import onnx
from onnx import numpy_helper

from .onnx_import import OnnxImportError, import_onnx
from .tools import find_tool

DATA = "/usr/share/libonnx-testdata/data"
# Suites: single-operator node tests, and small PyTorch models (counted as a
# whole, where every operator in them is claimed).
SUITES = ("node", "pytorch-converted", "pytorch-operator")

# Operator -> whether every input but the first is bound as a constant
# (False: all inputs stay arguments, the op takes several activations).
CLAIMED = {
    "Conv": True, "Gemm": True, "MatMul": True, "BatchNormalization": True,
    "Relu": True, "Clip": True, "LeakyRelu": True, "Sigmoid": True,
    "Tanh": True, "Softmax": True, "Add": False, "Sub": False, "Mul": False,
    "Div": False, "MaxPool": True, "AveragePool": True,
    "GlobalAveragePool": True, "GlobalMaxPool": True, "Flatten": True,
    "Reshape": True, "Transpose": True, "Concat": False, "Pad": True,
    "Identity": True,
}
# Quantized operators: also compiled to integer code.
QUANTIZED = {
    "QuantizeLinear": True, "DequantizeLinear": True, "QLinearConv": True,
    "QLinearMatMul": True, "ConvInteger": True, "MatMulInteger": True,
}


def _load_tensors(directory, prefix):
    files = sorted(glob.glob(os.path.join(directory, f"{prefix}_*.pb")),
                   key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
    tensors = []
    for path in files:
        proto = onnx.TensorProto()
        with open(path, "rb") as f:
            proto.ParseFromString(f.read())
        tensors.append(numpy_helper.to_array(proto))
    return tensors


def _to_boundary(value):
    """uint8 -> int8 holding value - 128 (the importer's boundary type)."""
    if value.dtype == np.uint8:
        return (value.astype(np.int16) - 128).astype(np.int8)
    return value


def _compare(got, want):
    """(passed, number of integer elements one step off, reason)."""
    if want.dtype == np.uint8:
        got = got.astype(np.int16) + 128
    if got.shape != want.shape:
        return False, 0, f"shape {got.shape}, expected {want.shape}"
    if np.issubdtype(want.dtype, np.integer):
        diff = np.abs(got.astype(np.int64) - want.astype(np.int64))
        if diff.max(initial=0) > 1:
            return False, 0, f"off by up to {diff.max()}"
        return True, int((diff == 1).sum()), ""
    if not np.allclose(got, want, rtol=1e-3, atol=1e-5):
        return False, 0, "wrong values"
    return True, 0, ""


def _run(mlir, arguments, expected, tmp, quant_run):
    """(passed, elements one step off, reason) of one compiled model."""
    command = [quant_run, mlir]
    for i, value in enumerate(arguments):
        path = os.path.join(tmp, f"in{i}.npy")
        np.save(path, value)
        command += ["--input", path]
    for i in range(len(expected)):
        command += ["--output", os.path.join(tmp, f"out{i}.npy")]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return False, 0, result.stderr.strip().splitlines()[-1]
    off = 0
    for i, want in enumerate(expected):
        passed, count, reason = _compare(
            np.load(os.path.join(tmp, f"out{i}.npy")), want)
        if not passed:
            return False, 0, reason
        off += count
    return True, off, ""


def _labels(model, suite):
    """(labels, whether to bind the inputs after the first) of a test, or
    None when it uses an operator the importer does not claim."""
    ops = {node.op_type for node in model.graph.node} - {"Constant"}
    if suite != "node":
        return ([suite], False) if ops and ops <= set(CLAIMED) else None
    if len(model.graph.node) != 1:
        return None
    op = model.graph.node[0].op_type
    if op in CLAIMED:
        return [op], CLAIMED[op]
    if op in QUANTIZED:
        return [f"{op} (float)", f"{op} (int8)"], QUANTIZED[op]
    return None


def run_test(test_dir, suite, tools):
    """[(label, passed, elements one step off, reason)] of one test: one
    entry, two for quantized operators (float and integer paths); None if
    it is not claimed."""
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    claim = _labels(model, suite)
    if claim is None:
        return None
    labels, bind = claim
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    try:
        inputs = _load_tensors(data_sets[0], "input")
        expected = _load_tensors(data_sets[0], "output")
    except Exception as error:  # sequences and optionals are not tensors
        return [(label, False, 0, f"test data is not plain tensors ({error})")
                for label in labels]
    arguments = []
    graph_inputs = [i for i in model.graph.input
                    if i.name not in {t.name for t in model.graph.initializer}]
    for index, (info, value) in enumerate(zip(graph_inputs, inputs)):
        if index > 0 and (bind or value.dtype != np.float32):
            model.graph.initializer.append(
                numpy_helper.from_array(value, info.name))
        else:
            arguments.append(_to_boundary(value))
    kept = {t.name for t in model.graph.initializer}
    remaining = [i for i in model.graph.input if i.name not in kept]
    del model.graph.input[:]
    model.graph.input.extend(remaining)
    try:
        text = import_onnx(model)
    except OnnxImportError as error:
        reason = str(error).split(": ", 1)[-1]
        return [(label, False, 0, reason) for label in labels]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        mlir = os.path.join(tmp, "model.mlir")
        with open(mlir, "w") as f:
            f.write(text)
        results.append((labels[0], *_run(mlir, arguments, expected, tmp,
                                         tools["quant-run"])))
        if len(labels) == 2:
            int8 = os.path.join(tmp, "model.int8.mlir")
            compile_ = subprocess.run(
                [tools["quant-opt"], mlir, "--quantize-int8", "-o", int8],
                capture_output=True, text=True)
            if compile_.returncode != 0:
                results.append((labels[1], False, 0,
                                compile_.stderr.strip().splitlines()[-1]))
            else:
                results.append((labels[1], *_run(int8, arguments, expected,
                                                 tmp, tools["quant-run"])))
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--verbose", action="store_true",
                        help="print each test and why it failed")
    args = parser.parse_args(argv)
    if not os.path.isdir(os.path.join(args.data, "node")):
        print(f"quantx.conformance: {args.data} is missing: apt-get install "
              "libonnx-testdata", file=sys.stderr)
        return 1
    tools = {name: find_tool(name) for name in ("quant-run", "quant-opt")}
    tests = [(suite, test) for suite in SUITES for test in sorted(
        glob.glob(os.path.join(args.data, suite, "test_*")))]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(
            lambda st: (st[1], run_test(st[1], st[0], tools)), tests))
    counts = {}  # label -> [total, passed, elements one step off]
    for test, entries in results:
        for label, passed, off, reason in entries or []:
            count = counts.setdefault(label, [0, 0, 0])
            count[0] += 1
            count[1] += int(passed)
            count[2] += off
            if args.verbose:
                status = "PASS" if passed else f"FAIL ({reason})"
                if off:
                    status += f", {off} elements one step off"
                print(f"  {os.path.basename(test)} {label}: {status}")
    for label in sorted(counts):
        total, good, off = counts[label]
        note = f" ({off} elements one step off)" if off else ""
        print(f"{label}: {good}/{total}{note}")
    total = sum(c[0] for c in counts.values())
    good = sum(c[1] for c in counts.values())
    print(f"total: {good}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
