# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The quant-x command line.

python3 -m quantx import model.onnx -o model.mlir [--batch N]
python3 -m quantx quantize model.onnx --calibration calib.npy
        [--method minmax|percentile|entropy|mse|octav] [--interface float|int8]
        [--candidates w8a8,w4a8,w2a8 --size 0.5 --bops 0.6 --latency 0.8]
        -o model.int8.mlir
python3 -m quantx eval model.mlir --inputs x.npy --labels y.npy
python3 -m quantx compare model.onnx --calibration calib.npy --inputs x.npy
        [--method ...]     (float vs quantized, layer by layer)
python3 -m quantx pareto model.onnx --calibration calib.npy
        [--eval x.npy labels.npy] [--candidates w8a8,w4a8,w2a8] [--points 6]
        -o pareto.png     (mixed precision's size / accuracy curve)
python3 -m quantx solve-precision costs.json [-o choice.json]
        (exit 0: optimal; 1: infeasible, the JSON names the budget; 2: bad
        input, the error names the field)
"""

import argparse
import json
import os
import sys
import tempfile
import warnings

import numpy as np

from .api import Model, compare_layers
from .onnx_import import OnnxImportError, import_onnx
from .pareto import pareto, plot, table
from .precision_solver import solve_file
from .tools import ToolError, run_tool


def write_output(text, path):
    if path == "-":
        sys.stdout.write(text)
        return
    with open(path, "w") as f:
        f.write(text)


def quantize(args):
    with tempfile.TemporaryDirectory() as tmp:
        float_mlir = os.path.join(tmp, "model.mlir")
        if args.model.endswith(".mlir"):
            float_mlir = args.model
        else:
            write_output(import_onnx(args.model, batch=args.batch), float_mlir)
        options = (f"calibration-data={os.path.abspath(args.calibration)} "
                   f"calibration={args.method} interface={args.interface} "
                   f"weight-bits={args.weight_bits} "
                   f"weight-granularity={args.weight_granularity} "
                   f"activation-bits={args.activation_bits}")
        options += (f" weight-clipping={args.weight_clipping}"
                    f" weight-format={args.weight_format}"
                    f" equalize={args.equalize}"
                    f" optimize-rounding={args.optimize_rounding}"
                    f" reconstruct={args.reconstruct}")
        if args.bias_correction:
            options += " bias-correction=true"
        if args.precision_file:
            options += (" precision-file="
                        f"{os.path.abspath(args.precision_file)}")
        if args.report:
            options += f" report={os.path.abspath(args.report)}"
        budgets = {"size": args.size, "bops": args.bops,
                   "size-bytes": args.size_bytes,
                   "bops-count": args.bops_count, "latency": args.latency,
                   "latency-ms": args.latency_ms}
        pipeline = "quantize"
        if args.candidates or any(v is not None for v in budgets.values()):
            pipeline = "quantize-mixed"
            options += f" sensitivity={args.sensitivity}"
            if args.candidates:
                options += f" candidates={args.candidates}"
            for key, value in budgets.items():
                if value is not None:
                    options += f" {key}={value}"
        run_tool("quant-opt", [float_mlir, f"--{pipeline}={options}",
                               "-o", os.path.abspath(args.output)])


def load_model(path, batch=1):
    if path.endswith(".mlir"):
        return Model.load(path)
    return Model.from_onnx(path, batch=batch)


def evaluate(args):
    labels = np.load(args.labels)
    logits = Model.load(args.model).run(np.load(args.inputs), progress=True)
    logits = logits.reshape(len(labels), -1)
    accuracy = (logits.argmax(1) == labels).mean() * 100
    print(f"accuracy: {accuracy:.2f}% ({len(labels)} samples)")


def compare(args):
    rows = compare_layers(load_model(args.model, args.batch),
                          np.load(args.calibration), np.load(args.inputs),
                          method=args.method)
    width = max([len(r[0]) for r in rows] + [5])
    print(f"{'layer':<{width}}  {'SQNR dB':>8}  {'max |err|':>10}  "
          f"{'max |x|':>10}")
    for name, sqnr, error, peak in rows:
        print(f"{name:<{width}}  {sqnr:8.2f}  {error:10.4g}  {peak:10.4g}")


def solve(args):
    """Prints (or writes) the solver's answer; 1 when infeasible."""
    result = solve_file(args.costs, None if args.output == "-" else
                        args.output)
    if args.output == "-":
        print(json.dumps(result, indent=2, sort_keys=True))
    return 0 if result["status"] == "optimal" else 1


def draw_pareto(args):
    model = load_model(args.model, args.batch)
    inputs = labels = None
    if args.eval:
        inputs, labels = np.load(args.eval[0]), np.load(args.eval[1])
    rows = pareto(model, np.load(args.calibration), args.candidates,
                  args.points, inputs, labels, args.sensitivity)
    plot(rows, args.output, os.path.basename(args.model))
    print(table(rows))


def _print_note(message, category, filename, lineno, file=None,
                line=None):
    """The command line's form of the library's warnings (a dynamic
    dimension fixed to the batch size, say)."""
    print(f"quantx: note: {message}", file=sys.stderr)


def main(argv=None):
    warnings.showwarning = _print_note
    parser = argparse.ArgumentParser(prog="python3 -m quantx",
                                     description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("import", "import-onnx"):
        cmd = commands.add_parser(name, help="ONNX model -> float TOSA (MLIR)")
        cmd.add_argument("model")
        cmd.add_argument("-o", "--output", default="-")
        cmd.add_argument("--batch", type=int, default=1,
                         help="size of dynamic batch dimensions")
    cmd = commands.add_parser("quantize", help="ONNX (or float TOSA) model -> "
                              "quantized model (quant-opt --quantize)")
    cmd.add_argument("model")
    cmd.add_argument("--calibration", required=True,
                     help="float32 samples [N, <input shape>] (.npy)")
    cmd.add_argument("--method", default="minmax",
                     choices=["minmax", "percentile", "entropy", "mse", "octav"])
    cmd.add_argument("--interface", default="float", choices=["float", "int8"])
    cmd.add_argument("--weight-bits", default="8",
                     choices=["8", "4", "3", "2", "ternary", "binary",
                              "float"],
                     help="weights of the layers --precision-file does not "
                     "name")
    cmd.add_argument("--weight-format", default="uniform",
                     choices=["uniform", "codebook", "pow2"],
                     help="what 4-, 3- and 2-bit weight codes stand for: "
                     "integers, a learned per-layer codebook, or powers of "
                     "two")
    cmd.add_argument("--weight-granularity", default="per-channel",
                     help="per-tensor, per-channel, group:G or two-level:N")
    cmd.add_argument("--activation-bits", type=int, default=8,
                     choices=[8, 16, 1])
    cmd.add_argument("--precision-file",
                     help="JSON object: layer name -> precision (w4a8, "
                     "w4a8-g32, wta8, float, ...)")
    cmd.add_argument("--weight-clipping", default="max",
                     choices=["max", "octav"],
                     help="scale of a group of weights: its largest "
                     "magnitude, or OCTAV's MSE-optimal clipping threshold")
    cmd.add_argument("--equalize", default="false",
                     choices=["false", "true", "relu6-as-relu"],
                     help="cross-layer equalization (relu6-as-relu also "
                     "across ReLU6s, which become ReLUs)")
    cmd.add_argument("--optimize-rounding", default="none",
                     choices=["none", "gptq", "adaround"],
                     help="weight rounding: to nearest, GPTQ or AdaRound")
    cmd.add_argument("--reconstruct", default="layer",
                     choices=["layer", "model"],
                     help="what rounding optimization and bias correction "
                     "reproduce: each float layer on the quantized inputs, "
                     "or the float model's output of each layer")
    cmd.add_argument("--bias-correction", action="store_true",
                     help="fold each layer's mean output shift from weight "
                     "quantization into its bias")
    cmd.add_argument("--report", help="write each layer's precision, weight "
                     "bytes and MACs to this JSON file")
    cmd.add_argument("--candidates", help="mixed precision: the compact "
                     "precisions each layer may take (w8a8,w4a8,w2a8,...)")
    cmd.add_argument("--size", type=float, help="mixed precision: weight-size "
                     "budget, a fraction of the candidates' range")
    cmd.add_argument("--bops", type=float, help="mixed precision: BOPs "
                     "budget, a fraction of the candidates' range")
    cmd.add_argument("--size-bytes", type=float,
                     help="mixed precision: weight-size budget in bytes")
    cmd.add_argument("--bops-count", type=float,
                     help="mixed precision: BOPs budget")
    cmd.add_argument("--latency", type=float, help="mixed precision: latency "
                     "budget, a fraction of the candidates' range (layers "
                     "timed on this CPU)")
    cmd.add_argument("--latency-ms", type=float,
                     help="mixed precision: latency budget in milliseconds")
    cmd.add_argument("--sensitivity", default="output-mse",
                     choices=["output-mse", "output-kl"])
    cmd.add_argument("--batch", type=int, default=1)
    cmd.add_argument("-o", "--output", required=True)
    cmd = commands.add_parser("eval", help="top-1 accuracy of a model")
    cmd.add_argument("model")
    cmd.add_argument("--inputs", required=True, help="[N, <input shape>] .npy")
    cmd.add_argument("--labels", required=True, help="[N] integer .npy")
    cmd = commands.add_parser("compare", help="float vs quantized values at "
                              "every quantization point")
    cmd.add_argument("model", help=".onnx, or float TOSA .mlir")
    cmd.add_argument("--calibration", required=True,
                     help="float32 samples [N, <input shape>] (.npy)")
    cmd.add_argument("--inputs", required=True, help="[N, <input shape>] .npy")
    cmd.add_argument("--method", default="minmax",
                     choices=["minmax", "percentile", "entropy", "mse", "octav"])
    cmd.add_argument("--batch", type=int, default=1)
    cmd = commands.add_parser("pareto", help="mixed precision's weight size "
                              "against accuracy (or output SQNR), drawn")
    cmd.add_argument("model", help=".onnx, or float TOSA .mlir")
    cmd.add_argument("--calibration", required=True,
                     help="float32 samples [N, <input shape>] (.npy)")
    cmd.add_argument("--eval", nargs=2, metavar=("INPUTS", "LABELS"),
                     help="[N, <input shape>] images and [N] labels (.npy): "
                     "top-1 accuracy instead of output SQNR")
    cmd.add_argument("--candidates", default="w8a8,w4a8,w2a8")
    cmd.add_argument("--points", type=int, default=6,
                     help="mixed budgets from size=0 to size=1")
    cmd.add_argument("--sensitivity", default="output-mse",
                     choices=["output-mse", "output-kl"])
    cmd.add_argument("--batch", type=int, default=1)
    cmd.add_argument("-o", "--output", required=True, help="image (.png)")
    cmd = commands.add_parser("solve-precision", help="the per-layer "
                              "precisions minimizing the summed sensitivity "
                              "under size / BOPs / latency budgets (exact)")
    cmd.add_argument("costs", help="JSON: layers, options, ties, budget")
    cmd.add_argument("-o", "--output", default="-")
    args = parser.parse_args(argv)
    if args.command == "solve-precision":
        try:
            return solve(args)
        except (ToolError, OSError, ValueError) as error:
            print(f"quantx: error: {error}", file=sys.stderr)
            return 2
    try:
        if args.command in ("import", "import-onnx"):
            write_output(import_onnx(args.model, batch=args.batch),
                         args.output)
        elif args.command == "quantize":
            quantize(args)
        elif args.command == "compare":
            compare(args)
        elif args.command == "pareto":
            draw_pareto(args)
        else:
            evaluate(args)
    except (OnnxImportError, ToolError, OSError, ValueError) as error:
        print(f"quantx: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
