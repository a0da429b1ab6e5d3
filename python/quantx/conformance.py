"""ONNX's own backend node tests (Debian's libonnx-testdata) through the
importer and quant-run.

python3 -m quantx.conformance [--data DIR] [--report]

For every node test of an operator the importer claims: bind the inputs the
importer needs as constants (weights, shapes, bounds: a compiler fixes them
at compile time), import, run with quant-run, and compare with the expected
outputs (rtol 1e-3, atol 1e-5: ONNX's backend tolerance, atol widened from
1e-7 for float32 sums). Prints `Op: passed/total` per operator.
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

DATA = "/usr/share/libonnx-testdata/data/node"

# Operator -> whether every input but the first is bound as a constant
# (False: all inputs stay arguments, the op takes several activations).
CLAIMED = {
    "Conv": True, "Gemm": True, "MatMul": True, "BatchNormalization": True,
    "Relu": True, "Clip": True, "LeakyRelu": True, "Sigmoid": True,
    "Tanh": True, "Softmax": True, "Add": False, "Sub": False, "Mul": False,
    "Div": True, "MaxPool": True, "AveragePool": True,
    "GlobalAveragePool": True, "GlobalMaxPool": True, "Flatten": True,
    "Reshape": True, "Transpose": True, "Concat": False, "Pad": True,
    "Identity": True,
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


def run_test(test_dir, quant_run):
    """(op type, passed, reason) of one node test, or None if not claimed."""
    model = onnx.load(os.path.join(test_dir, "model.onnx"))
    if len(model.graph.node) != 1:
        return None
    op = model.graph.node[0].op_type
    if op not in CLAIMED:
        return None
    data_sets = sorted(glob.glob(os.path.join(test_dir, "test_data_set_*")))
    if not data_sets:
        return op, False, "no data"
    try:
        inputs = _load_tensors(data_sets[0], "input")
        expected = _load_tensors(data_sets[0], "output")
    except Exception as error:  # sequences and optionals are not tensors
        return op, False, f"test data is not plain tensors ({error})"
    graph_inputs = [i for i in model.graph.input]
    bind = CLAIMED[op]
    arguments = []
    for index, (info, value) in enumerate(zip(graph_inputs, inputs)):
        if bind and index > 0 or value.dtype != np.float32 and index > 0:
            model.graph.initializer.append(
                numpy_helper.from_array(value, info.name))
        else:
            arguments.append(value)
    kept = {t.name for t in model.graph.initializer}
    remaining = [i for i in model.graph.input if i.name not in kept]
    del model.graph.input[:]
    model.graph.input.extend(remaining)
    try:
        text = import_onnx(model)
    except OnnxImportError as error:
        return op, False, str(error).split(": ", 1)[-1]
    with tempfile.TemporaryDirectory() as tmp:
        mlir = os.path.join(tmp, "model.mlir")
        with open(mlir, "w") as f:
            f.write(text)
        command = [quant_run, mlir]
        for i, value in enumerate(arguments):
            path = os.path.join(tmp, f"in{i}.npy")
            np.save(path, value)
            command += ["--input", path]
        for i in range(len(expected)):
            command += ["--output", os.path.join(tmp, f"out{i}.npy")]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0:
            return op, False, result.stderr.strip().splitlines()[-1]
        for i, want in enumerate(expected):
            got = np.load(os.path.join(tmp, f"out{i}.npy"))
            if got.shape != want.shape or not np.allclose(
                    got, want, rtol=1e-3, atol=1e-5):
                return op, False, "wrong values"
    return op, True, ""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--verbose", action="store_true",
                        help="print each test and why it failed")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.data):
        print(f"quantx.conformance: {args.data} is missing: apt-get install "
              "libonnx-testdata", file=sys.stderr)
        return 1
    quant_run = find_tool("quant-run")
    tests = sorted(glob.glob(os.path.join(args.data, "test_*")))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(lambda t: (t, run_test(t, quant_run)), tests))
    counts = {}
    for test, result in results:
        if result is None:
            continue
        op, passed, reason = result
        total, good = counts.get(op, (0, 0))
        counts[op] = (total + 1, good + int(passed))
        if args.verbose:
            status = "PASS" if passed else f"FAIL ({reason})"
            print(f"  {os.path.basename(test)}: {status}")
    for op in sorted(counts):
        total, good = counts[op]
        print(f"{op}: {good}/{total}")
    total = sum(t for t, _ in counts.values())
    good = sum(g for _, g in counts.values())
    print(f"total: {good}/{total}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
