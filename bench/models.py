# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Whole-model latency, batch 1, 224x224: quant-x (int8 and fp32) against
ONNX Runtime (fp32, and an int8 QDQ model it fuses into QLinearConv) and
PyTorch (fp32, and int8 with the onednn quantized engine), at 1 and 2
threads. Prints a Markdown table of median latencies and ratios.

/usr/bin/python3 bench/models.py [--build build] [--models resnet18,mobilenet_v2]
                                 [--threads 1,2] [--isa host|avx2]

--isa avx2 measures an AVX2-class machine on an AVX-512 one: quant-x runs its
`avx2-maddubs` kernels (what it picks on an AVX2 CPU without VNNI) and
PyTorch's oneDNN and ATen are capped at AVX2 (ONEDNN_MAX_CPU_ISA,
ATEN_CPU_CAPABILITY). ONNX Runtime cannot be capped (MLAS picks its kernels
from CPUID alone), so its columns stay empty there.

Needs python3-torchvision (the architectures; weights are random) and
onnxruntime-node (`bash bench/setup.sh` installs both; ONNX Runtime is skipped
with a note when it is missing).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python"))

import quantx  # noqa: E402
from gemm import cap_torch_at_avx2, kernel_isa  # noqa: E402

SHAPE = (1, 3, 224, 224)
CALIBRATION_SAMPLES = 8


def build_torch(name):
    import torch
    import torchvision
    torch.manual_seed(0)
    return getattr(torchvision.models, name)().eval()


def export_onnx(model, path, batch=1):
    """`model` to ONNX for an input of SHAPE with `batch` images (static)."""
    import torch
    torch.onnx.export(model, torch.zeros(batch, *SHAPE[1:]), path,
                      opset_version=13, input_names=["input"],
                      output_names=["output"])


# --- quant-x -----------------------------------------------------------------

def quantx_ms(build, model_path, x_path, threads, kernels):
    out = subprocess.run(
        [os.path.join(build, "bin", "quant-run"), model_path, "--input",
         x_path, "--time", "--threads", str(threads), "--kernels", kernels],
        capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median latency: ([0-9.]+) ms", out).group(1))


def quantx_models(build, onnx_path, calib_path, tmp):
    float_path = os.path.join(tmp, "float.mlir")
    with open(float_path, "w") as f:
        f.write(quantx.import_onnx(onnx_path))
    int8_path = os.path.join(tmp, "int8.mlir")
    subprocess.run([os.path.join(build, "bin", "quant-opt"), float_path,
                    f"--quantize-int8=calibration-data={calib_path}",
                    "-o", int8_path], check=True, stderr=subprocess.DEVNULL)
    return float_path, int8_path


# --- ONNX Runtime --------------------------------------------------------------

def ort_dir(build):
    path = os.path.join(build, "bench", "ort")
    return path if os.path.isdir(
        os.path.join(path, "node_modules", "onnxruntime-node")) else None


def run_node(build, args):
    env = dict(os.environ, NODE_PATH=os.path.join(ort_dir(build),
                                                  "node_modules"))
    return subprocess.run(["node", os.path.join(HERE, "ort_bench.js"), *args],
                          capture_output=True, text=True, check=True,
                          env=env).stdout


def ort_ms(build, path, threads):
    out = run_node(build, ["time", path, str(threads),
                           ",".join(map(str, SHAPE))])
    return float(re.search(r"median_ms ([0-9.]+)", out).group(1))


def tensor_ranges(build, onnx_path, calib, tmp):
    """min/max of every float tensor over the calibration samples."""
    model = onnx.load(onnx_path)
    outputs = {o.name for o in model.graph.output}
    for node in model.graph.node:
        for name in node.output:
            if name not in outputs:
                model.graph.output.append(
                    helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                  None))
                outputs.add(name)
    exposed = os.path.join(tmp, "exposed.onnx")
    onnx.save(model, exposed)
    data = os.path.join(tmp, "calib.bin")
    calib.astype(np.float32).tofile(data)
    out = run_node(build, ["ranges", exposed, data, ",".join(map(str, SHAPE)),
                           str(len(calib))])
    ranges = json.loads(out)
    ranges["input"] = [float(calib.min()), float(calib.max())]
    return ranges


def qdq_model(onnx_path, ranges, out_path):
    """The float model with QuantizeLinear/DequantizeLinear pairs (uint8,
    asymmetric, per tensor) on every activation, per-channel int8 weights
    and int32 biases for Conv and Gemm: ONNX Runtime's QDQ format, which it
    fuses into QLinearConv and friends."""
    model = onnx.load(onnx_path)
    graph = model.graph
    # Constant nodes and Identity copies of initializers (weights and
    # biases as the exporter writes them) become initializers, so that they
    # are quantized as weights.
    for node in [n for n in graph.node if n.op_type == "Constant"]:
        value = next(a.t for a in node.attribute if a.name == "value")
        value.name = node.output[0]
        graph.initializer.append(value)
        graph.node.remove(node)
    inits = {i.name: i for i in graph.initializer}
    for node in [n for n in graph.node
                 if n.op_type == "Identity" and n.input[0] in inits]:
        alias = onnx.TensorProto()
        alias.CopyFrom(inits[node.input[0]])
        alias.name = node.output[0]
        graph.initializer.append(alias)
        inits[alias.name] = alias
        graph.node.remove(node)
    new_nodes, new_inits = [], []

    def act_params(name):
        lo, hi = ranges[name]
        lo, hi = min(lo, 0.0), max(hi, 0.0)
        scale = max((hi - lo) / 255.0, 1e-8)
        zp = int(np.clip(round(-lo / scale), 0, 255))
        return scale, zp

    def quantize(name):
        scale, zp = act_params(name)
        s, z = name + "_scale", name + "_zp"
        new_inits.append(numpy_helper.from_array(np.float32(scale), s))
        new_inits.append(numpy_helper.from_array(np.uint8(zp), z))
        new_nodes.append(helper.make_node("QuantizeLinear", [name, s, z],
                                          [name + "_q"]))

    def per_channel(name, integers, scales):
        """A per-channel (axis 0) DequantizeLinear of constant integers."""
        new_inits.extend([
            numpy_helper.from_array(integers, name + "_int"),
            numpy_helper.from_array(scales, name + "_scales"),
            numpy_helper.from_array(np.zeros(len(scales), integers.dtype),
                                    name + "_zeros")])
        new_nodes.append(helper.make_node(
            "DequantizeLinear", [name + "_int", name + "_scales",
                                 name + "_zeros"], [name + "_deq"], axis=0))
        return name + "_deq"

    def dequantize(name, consumer):
        """One DequantizeLinear per consumer, as ORT's QDQ fusion wants."""
        out = f"{name}_dq{consumer}"
        new_nodes.append(helper.make_node(
            "DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"],
            [out]))
        return out

    # A Conv or Gemm feeding only an activation is quantized after the
    # activation, as ORT's own quantizer does, so that they fuse.
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    fused = {o for n in graph.node if n.op_type in ("Conv", "Gemm")
             for o in n.output
             if [c.op_type for c in consumers.get(o, [])] in (["Relu"],
                                                               ["Clip"])}
    quantized = set()
    for name in ["input"] + [o for n in graph.node for o in n.output]:
        if (name in ranges and name not in inits and name != "output" and
                name not in fused):
            quantize(name)
            quantized.add(name)
    for index, node in enumerate(graph.node):
        source = node.input[0] if node.input else None
        for i, name in enumerate(node.input):
            if name in quantized:
                node.input[i] = dequantize(name, index)
        if node.op_type not in ("Conv", "Gemm"):
            continue
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        if node.op_type == "Gemm":
            trans_b = next((a.i for a in node.attribute if a.name == "transB"),
                           0)
            if not trans_b:
                continue
        flat = np.abs(w.reshape(w.shape[0], -1)).max(axis=1)
        w_scale = np.maximum(flat / 127.0, 1e-8).astype(np.float32)
        shape = (-1,) + (1,) * (w.ndim - 1)
        wq = np.clip(np.rint(w / w_scale.reshape(shape)), -127,
                     127).astype(np.int8)
        node.input[1] = per_channel(node.input[1], wq, w_scale)
        if len(node.input) > 2 and node.input[2] in inits:
            b = numpy_helper.to_array(inits[node.input[2]]).astype(np.float32)
            b_scale = (act_params(source)[0] * w_scale).astype(np.float32)
            bq = np.rint(b / b_scale).astype(np.int32)
            node.input[2] = per_channel(node.input[2], bq, b_scale)
    graph.initializer.extend(new_inits)
    # Q/DQ nodes go first; a topological sort keeps the graph valid.
    nodes = new_nodes + list(graph.node)
    del graph.node[:]
    graph.node.extend(topological(nodes, {i.name for i in graph.input} |
                                  {i.name for i in graph.initializer}))
    onnx.save(model, out_path)


def topological(nodes, available):
    available = set(available)
    done, ordered = set(), []
    while len(ordered) < len(nodes):
        progress = False
        for i, node in enumerate(nodes):
            if i not in done and all(n in available or not n
                                     for n in node.input):
                ordered.append(node)
                done.add(i)
                available.update(node.output)
                progress = True
        if not progress:
            raise RuntimeError("QDQ graph has a cycle or a missing input")
    return ordered


# --- PyTorch -------------------------------------------------------------------

def torch_ms(model, threads):
    import torch
    torch.set_num_threads(threads)
    x = torch.randn(*SHAPE)
    times = []
    with torch.no_grad():
        for _ in range(3):
            model(x)
        start = time.time()
        while len(times) < 10 or (time.time() - start < 1.0 and
                                  len(times) < 1000):
            before = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - before) * 1e3)
    return float(np.median(times))


def torch_int8(model, calib):
    import copy
    import torch
    from torch.ao.quantization import get_default_qconfig_mapping
    from torch.ao.quantization.quantize_fx import convert_fx, prepare_fx
    torch.backends.quantized.engine = "onednn"
    prepared = prepare_fx(copy.deepcopy(model),
                          get_default_qconfig_mapping("onednn"),
                          (torch.zeros(*SHAPE),))
    with torch.no_grad():
        for sample in calib:
            prepared(torch.from_numpy(sample))
    return convert_fx(prepared)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(HERE, "..", "build"))
    parser.add_argument("--models", default="resnet18,mobilenet_v2")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--isa", choices=("host", "avx2"), default="host",
                        help="avx2: quant-x's and PyTorch's AVX2 kernels")
    args = parser.parse_args()
    if args.isa == "avx2":
        cap_torch_at_avx2()
    kernels = "avx2-maddubs" if args.isa == "avx2" else "host"
    tools = {"quant-run": os.path.join(os.path.abspath(args.build), "bin",
                                       "quant-run")}
    build = os.path.abspath(args.build)
    threads = [int(t) for t in args.threads.split(",")]
    rng = np.random.RandomState(0)
    calib = rng.randn(CALIBRATION_SAMPLES, *SHAPE).astype(np.float32)
    have_ort = ort_dir(build) is not None and args.isa == "host"
    cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo"],
                         capture_output=True, text=True).stdout.strip()
    print(f"{cpu.split(':')[-1].strip()}, {os.cpu_count()} cores, "
          f"kernels {kernel_isa(tools, kernels)}; medians of one batch-1 224x224 call, "
          "ms")
    if args.isa == "avx2":
        print("(PyTorch capped at AVX2; ONNX Runtime cannot be capped and "
              "is not run)")
    elif not have_ort:
        print("(ONNX Runtime not installed: run bash bench/setup.sh)")
    print()
    print("| model | threads | quant-x int8 | quant-x fp32 | int8 speed-up "
          "| ORT int8 | ORT fp32 | PyTorch int8 | PyTorch fp32 | ORT int8 / "
          "quant-x int8 | PyTorch int8 / quant-x int8 |")
    print("| --- " * 11 + "|")
    for name in args.models.split(","):
        model = build_torch(name)
        with tempfile.TemporaryDirectory() as tmp:
            onnx_path = os.path.join(tmp, "model.onnx")
            export_onnx(model, onnx_path)
            calib_path = os.path.join(tmp, "calib.npy")
            np.save(calib_path, calib)
            x_path = os.path.join(tmp, "x.npy")
            np.save(x_path, calib[0])
            float_mlir, int8_mlir = quantx_models(build, onnx_path,
                                                  calib_path, tmp)
            qdq_path = None
            if have_ort:
                ranges = tensor_ranges(build, onnx_path, calib, tmp)
                qdq_path = os.path.join(tmp, "qdq.onnx")
                qdq_model(onnx_path, ranges, qdq_path)
            for t in threads:
                # oneDNN's primitives break when the thread count changes
                # under a quantized model: quantize again for each count.
                import torch
                torch.set_num_threads(t)
                quantized = torch_int8(model, calib)
                qx8 = quantx_ms(build, int8_mlir, x_path, t, kernels)
                qx32 = quantx_ms(build, float_mlir, x_path, t, kernels)
                ort8 = ort_ms(build, qdq_path, t) if have_ort else None
                ort32 = ort_ms(build, onnx_path, t) if have_ort else None
                pt8 = torch_ms(quantized, t)
                pt32 = torch_ms(model, t)
                cell = lambda v: f"{v:.2f}" if v else "-"  # noqa: E731
                ratio = lambda v: f"{v / qx8:.2f}" if v else "-"  # noqa: E731
                print(f"| {name} | {t} | {qx8:.2f} | {qx32:.2f} | "
                      f"{qx32 / qx8:.2f} | {cell(ort8)} | {cell(ort32)} | "
                      f"{pt8:.2f} | {pt32:.2f} | {ratio(ort8)} | "
                      f"{ratio(pt8)} |", flush=True)


if __name__ == "__main__":
    main()
