# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The numpy API: import, quantize with numpy calibration arrays, run on
numpy arrays, and compare float with int8 layer by layer.

    model = quantx.Model.from_onnx("model.onnx")
    int8 = model.quantize(calibration, method="percentile")
    logits = int8.run(images)
    for row in quantx.compare_layers(model, calibration[:32], images[:64]):
        print(row)
"""

import json
import os
import re
import tempfile

import numpy as np

from .onnx_import import import_onnx_with_nodes, torch_to_onnx
from .tools import run_tool

_ELEMENT_BYTES = {"f32": 4, "f16": 2, "i32": 4, "i16": 2, "i8": 1, "i1": 1}
_CONST = re.compile(r'"tosa\.const"\(\).*-> tensor<([0-9x]*)x?([a-z0-9]+)>')
_LAYER = re.compile(r'quantx\.layer = "([^"]*)"')
_AT_LINE = re.compile(r" at .*:([0-9]+):[0-9]+$")


def constant_bytes(text):
    """Bytes of the constants (weights, biases) of a model's MLIR text."""
    total = 0
    for dims, element in _CONST.findall(text):
        count = int(np.prod([int(d) for d in dims.split("x") if d]))
        total += count * _ELEMENT_BYTES.get(element, 4)
    return total


class Model:
    """A model as MLIR text (float TOSA, or quantized by quant-opt)."""

    def __init__(self, text, node_by_line=None):
        self.text = text
        # The ONNX node of each line of `text`, when it was imported.
        self.node_by_line = node_by_line or {}

    @classmethod
    def from_onnx(cls, model, batch=1):
        return cls(*import_onnx_with_nodes(model, batch=batch))

    @classmethod
    def from_torch(cls, module, example_input, batch=1):
        return cls.from_onnx(torch_to_onnx(module, example_input), batch)

    @classmethod
    def load(cls, path):
        with open(path) as f:
            return cls(f.read())

    def save(self, path):
        with open(path, "w") as f:
            f.write(self.text)

    @property
    def constant_bytes(self):
        return constant_bytes(self.text)

    def transform(self, pass_options):
        """A new Model: this one through `quant-opt <pass_options>`."""
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "model.mlir")
            self.save(source)
            return Model(run_tool("quant-opt", [source, *pass_options]))

    def quantize(self, calibration, method="minmax", interface="float",
                 rounding="double", percentile=None, weight_bits=8,
                 weight_granularity="per-channel", activation_bits=8,
                 precision_file=None, report=None, candidates=None,
                 size=None, bops=None, size_bytes=None, bops_count=None,
                 latency=None, latency_ms=None, sensitivity="output-mse",
                 hessian_traces=None, equalize=False, bias_correction=False,
                 optimize_rounding=None, weight_clipping="max",
                 weight_format="uniform", reconstruct="layer"):
        """Quantized model (quant-opt --quantize) calibrated on
        `calibration`: float32 [N, <input shape>] (one array per input).
        `weight_bits` (8, 4, 3, 2, "ternary", "binary", "float"),
        `weight_format` (what 4-, 3- and 2-bit codes stand for: "uniform",
        "codebook" or "pow2"), `weight_granularity` ("per-tensor", "per-channel", "group:G",
        "two-level:N") and `activation_bits` apply to every layer that
        `precision_file` (JSON: layer name -> precision) does not name;
        `report` names a JSON file to write each layer's precision to.

        Mixed precision (quant-opt --quantize-mixed) when `candidates`
        (e.g. "w8a8,w4a8,w2a8") or a budget is given: each layer takes the
        candidate that minimizes the measured `sensitivity` ("output-mse"
        or "output-kl") under `size` / `bops` / `latency` (fractions of the
        candidates' range) or `size_bytes` / `bops_count` / `latency_ms`
        (absolute; latency is each layer timed alone on this CPU).
        `hessian_traces` ({layer: Tr(H)/n}, from quantx.hessian_traces)
        replaces the measured sensitivity by HAWQ-V3's.

        Low-bit accuracy: `equalize` (True, or "relu6-as-relu" to equalize
        across ReLU6s too) rescales channels between layers (cross-layer
        equalization), `optimize_rounding="gptq"` or `"adaround"` chooses
        the weight integers by GPTQ or AdaRound, `bias_correction` folds the
        mean output shift of each layer's weight quantization into its
        bias; with `reconstruct="model"` both match the float model's
        output of each layer instead of the float layer's (so that each
        layer also compensates the error of the layers before it),
        `weight_clipping="octav"` scales each group of weights to its
        MSE-optimal clipping threshold. `method` may also be "octav"."""
        samples = calibration if isinstance(calibration, (list, tuple)) \
            else [calibration]
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "calib.npz")
            np.savez(data, **{f"arg{i}": np.ascontiguousarray(s, np.float32)
                              for i, s in enumerate(samples)})
            options = (f"calibration-data={data} calibration={method} "
                       f"interface={interface} rounding={rounding}")
            if percentile is not None:
                options += f" percentile={percentile}"
            options += (f" weight-bits={weight_bits} "
                        f"weight-granularity={weight_granularity} "
                        f"activation-bits={activation_bits}")
            if equalize:
                options += (" equalize=relu6-as-relu"
                            if equalize == "relu6-as-relu" else
                            " equalize=true")
            if weight_clipping != "max":
                options += f" weight-clipping={weight_clipping}"
            if weight_format != "uniform":
                options += f" weight-format={weight_format}"
            if optimize_rounding is not None:
                options += f" optimize-rounding={optimize_rounding}"
            if bias_correction:
                options += " bias-correction=true"
            if reconstruct != "layer":
                options += f" reconstruct={reconstruct}"
            if precision_file is not None:
                options += f" precision-file={os.path.abspath(precision_file)}"
            if report is not None:
                options += f" report={os.path.abspath(report)}"
            budgets = {"size": size, "bops": bops, "size-bytes": size_bytes,
                       "bops-count": bops_count, "latency": latency,
                       "latency-ms": latency_ms}
            pipeline = "quantize"
            if candidates is not None or hessian_traces is not None or any(
                    v is not None for v in budgets.values()):
                pipeline = "quantize-mixed"
                options += f" sensitivity={sensitivity}"
                if candidates is not None:
                    options += f" candidates={candidates}"
                if hessian_traces is not None:
                    traces = os.path.join(tmp, "traces.json")
                    with open(traces, "w") as f:
                        json.dump(hessian_traces, f)
                    options += f" hessian-traces={traces}"
                for key, value in budgets.items():
                    if value is not None:
                        options += f" {key}={value}"
            return self.transform([f"--{pipeline}={options}"])

    def run(self, *inputs, outputs=None, progress=False, target="cpu"):
        """Runs on numpy arrays ([N, <argument shape>] batches, or single
        samples); one array per result (a tuple when several). With
        target="gpu" the int8 convolutions, matmuls, depthwise
        convolutions, poolings and residual adds run on an NVIDIA GPU
        (docs/GPU.md), bit-identical; GpuUnavailableError where there is
        none."""
        flags = (["--progress"] if progress else []) + _target_flags(target)
        _, results = self._quant_run(inputs, outputs, flags,
                                     stream_stderr=progress)
        return results[0] if len(results) == 1 else results

    def latency_ms(self, *inputs, threads=None, target="cpu"):
        """Median latency of one call (quant-run --time) on one sample, on
        `threads` kernel threads (default: every core), on `target` (as in
        run)."""
        flags = ["--time"] + (["--threads", str(threads)] if threads else [])
        out, _ = self._quant_run(inputs, None, flags + _target_flags(target))
        return float(re.search(r"median latency: ([0-9.]+) ms", out).group(1))

    def _quant_run(self, inputs, outputs, flags, stream_stderr=False):
        """(stdout, result arrays) of quant-run on this model."""
        count = outputs or _result_count(self.text)
        with tempfile.TemporaryDirectory() as tmp:
            model = os.path.join(tmp, "model.mlir")
            self.save(model)
            arguments = [model, *flags]
            for i, x in enumerate(_coerce_inputs(self.text, inputs)):
                path = os.path.join(tmp, f"in{i}.npy")
                np.save(path, x)
                arguments += ["--input", path]
            paths = [os.path.join(tmp, f"out{i}.npy") for i in range(count)]
            for path in paths:
                arguments += ["--output", path]
            out = run_tool("quant-run", arguments, stream_stderr=stream_stderr)
            return out, tuple(np.load(p) for p in paths)


# MLIR element types and the numpy dtypes that hold them.
_ELEMENT_DTYPES = {"f16": np.float16, "f32": np.float32, "f64": np.float64,
                   "i8": np.int8, "ui8": np.uint8, "i16": np.int16,
                   "ui16": np.uint16, "i32": np.int32, "ui32": np.uint32,
                   "i64": np.int64, "ui64": np.uint64}


def _argument_types(text, entry="main"):
    """(shape, numpy dtype) of each argument of @entry in MLIR text, or None
    where the text does not say plainly (quant-run then checks)."""
    match = re.search(rf"func\.func @{entry}\((.*?)\)\s*(?:->|\{{|attributes)",
                      text, re.DOTALL)
    if match is None:
        return None
    types = []
    for dims, element in re.findall(r"%[\w.]+\s*:\s*tensor<((?:\d+x)*)(\w+)>",
                                    match.group(1)):
        if element not in _ELEMENT_DTYPES:
            return None
        shape = tuple(int(d) for d in dims.split("x") if d)
        types.append((shape, np.dtype(_ELEMENT_DTYPES[element])))
    return types


def _describe(dtype, shape):
    return f"{np.dtype(dtype).name}[{', '.join(map(str, shape))}]"


def _coerce_input(index, array, shape, dtype):
    """`array` as argument `index` (of `shape`, or a batch of them, and
    `dtype`) takes it: floats of any width become the argument's float type,
    as calibration data does; integers become its integer type when every
    value fits. Anything else is refused, naming the caller's array."""
    array = np.asarray(array)
    wanted = _describe(dtype, shape)
    if array.shape != shape and array.shape[1:] != shape:
        raise ValueError(f"input {index} has shape {array.shape}, but "
                         f"argument {index} of @main is {wanted} (or a batch "
                         "of them)")
    if array.dtype == dtype:
        return np.ascontiguousarray(array)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"input {index} is a {array.dtype} array; argument "
                        f"{index} of @main is {wanted}")
    if dtype.kind == "f":
        return np.ascontiguousarray(array, dtype)
    if array.dtype.kind == "f":
        raise TypeError(f"input {index} holds {array.dtype} values, but "
                        f"argument {index} of @main is {wanted}: quantize "
                        f"them first, or pass {dtype.name} values")
    info = np.iinfo(dtype)
    if array.size and (array.min() < info.min or array.max() > info.max):
        raise ValueError(f"input {index} holds values in [{array.min()}, "
                         f"{array.max()}], outside {dtype.name} (argument "
                         f"{index} of @main is {wanted})")
    return np.ascontiguousarray(array, dtype)


def _coerce_inputs(text, inputs):
    """The inputs as quant-run reads them (_coerce_input), where the model's
    text gives @main's argument types; as given otherwise."""
    types = _argument_types(text)
    if types is None or len(types) != len(inputs):
        return [np.ascontiguousarray(x) for x in inputs]
    return [_coerce_input(i, x, shape, dtype)
            for i, (x, (shape, dtype)) in enumerate(zip(inputs, types))]


def _target_flags(target):
    """quant-run's flags for `target`: "cpu" or "gpu"."""
    if target not in ("cpu", "gpu"):
        raise ValueError(f"target must be 'cpu' or 'gpu', not {target!r}")
    return [] if target == "cpu" else ["--target", "gpu"]


def _result_count(text):
    """Number of results of the first function in MLIR text."""
    signature = re.search(r"func\.func @\w+\((.*?)\)\s*->\s*(.*?)\s*\{\s*$",
                          text, re.MULTILINE)
    if signature is None:
        return 0
    results = signature.group(2)
    if not results.startswith("("):
        return 1
    depth, count = 0, 1
    for ch in results[1:-1]:
        depth += ch in "<({["
        depth -= ch in ">)}]"
        count += ch == "," and depth == 0
    return count


def _name_layer(layer, node_by_line):
    """"tosa.clamp at model.mlir:12:3" -> "tosa.clamp (relu1)" where line
    12 of the imported text comes from ONNX node relu1."""
    match = _AT_LINE.search(layer)
    if match and int(match.group(1)) in node_by_line:
        return (layer[:match.start()] +
                f" ({node_by_line[int(match.group(1))]})")
    return layer


def compare_layers(model, calibration, inputs, method="minmax"):
    """Float vs quantized values at every quantization point of `model`
    (a float Model), calibrated on `calibration` and run on `inputs`:
    a list of (layer, SQNR in dB, max |error|, max |float value|), in
    program order. The quantized values are those of the simulated model
    (quantize/dequantize), which int8 code reproduces within rounding."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "calib.npy")
        np.save(data, np.ascontiguousarray(calibration, np.float32))
        simulated = model.transform([
            "--mlir-print-debuginfo", "--quantx-fold-batch-norm",
            f"--quantx-calibrate=calibration-data={data}",
            f"--quantx-fold-calibration=calibration={method}"])
    quantized = simulated.transform(["--quantx-expose-activations"])
    reference = simulated.transform(
        ["--quantx-expose-activations=bypass=true", "--canonicalize"])
    # The names are attributes of the entry's results (ops carry
    # quantx.layer attributes of their own: ONNX node names).
    signature = re.search(r"^\s*func\.func @.*$", quantized.text,
                          re.MULTILINE)
    names = [_name_layer(n, model.node_by_line)
             for n in _LAYER.findall(signature.group(0) if signature else "")]
    first = _result_count(quantized.text) - len(names)
    got = quantized.run(inputs)
    want = reference.run(inputs)
    got, want = (v if isinstance(v, tuple) else (v,) for v in (got, want))
    rows = []
    for name, q, f in zip(names, got[first:], want[first:]):
        q, f = q.astype(np.float64), f.astype(np.float64)
        noise = np.sum((q - f) ** 2)
        signal = np.sum(f ** 2)
        sqnr = float("inf") if noise == 0 else 10 * np.log10(
            max(signal, 1e-300) / noise)
        rows.append((name, sqnr, float(np.abs(q - f).max()),
                     float(np.abs(f).max())))
    return rows
