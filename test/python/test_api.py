# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The numpy API: Model import/quantize/run, constant sizes, and the
layer-by-layer comparison (also as `python3 -m quantx compare`)."""

import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import quantx

os.environ.setdefault("QUANTX_TOOLS", os.path.dirname(os.environ["QUANT_RUN"]))


class SmallCnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.fc = torch.nn.Linear(4 * 6 * 6, 3)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).flatten(1))


@pytest.fixture(scope="module")
def cnn():
    torch.manual_seed(0)
    module = SmallCnn().eval()
    return module, quantx.Model.from_torch(module, torch.zeros(1, 1, 6, 6))


def test_run_quantize_and_sizes(cnn):
    module, model = cnn
    r = np.random.RandomState(0)
    x = r.randn(16, 1, 1, 6, 6).astype(np.float32)
    got = model.run(x)
    with torch.no_grad():
        want = module(torch.from_numpy(x[:, 0])).numpy()
    np.testing.assert_allclose(got.reshape(want.shape), want, atol=1e-5)
    # Calibrated on data that covers the inputs' range (the output range
    # of 32 other samples would clip some of these outputs).
    calibration = np.concatenate(
        [x, r.randn(32, 1, 1, 6, 6).astype(np.float32)])
    int8 = model.quantize(calibration)
    assert "tosa.conv2d" in int8.text and "xi8>" in int8.text
    error = np.abs(int8.run(x).reshape(want.shape) - want).max()
    assert error < 0.05 * np.abs(want).max(), error
    # float32 weights and biases: (36 + 4 + 432 + 3) * 4 bytes, and
    # the zero-point constants; int8 weights take a quarter.
    assert model.constant_bytes >= 475 * 4
    assert int8.constant_bytes < model.constant_bytes / 2
    # A latency is a positive number of milliseconds, on any thread count.
    assert int8.latency_ms(x[0], threads=1) > 0


def error_probe(model, seed):
    """Calibration samples, the float outputs on them, and the mean squared
    error of a quantized model's outputs on them."""
    x = np.random.RandomState(seed).randn(64, 1, 1, 6, 6).astype(np.float32)
    want = model.run(x)

    def error(quantized):
        return float(np.mean((quantized.run(x) - want) ** 2))
    return x, want, error


def test_quantize_low_bit_methods(cnn):
    """GPTQ rounding, bias correction and equalization through the API: at
    3 bits they bring the outputs closer to float than round-to-nearest on
    the data they were calibrated on; octav calibration at int8 is close."""
    _, model = cnn
    x, want, error = error_probe(model, 1)

    nearest = model.quantize(x, weight_bits=3)
    improved = model.quantize(x, weight_bits=3, equalize=True,
                              optimize_rounding="gptq", bias_correction=True)
    # The chosen integers are in the weights; the attribute is spent.
    assert "quantx.rounded_weights" not in improved.text
    assert error(improved) < 0.8 * error(nearest), \
        (error(improved), error(nearest))
    octav = model.quantize(x, method="octav")
    assert error(octav) < 0.01 * float(np.mean(want ** 2))
    # AdaRound, and both methods against the float model.
    adaround = model.quantize(x, weight_bits=3, optimize_rounding="adaround")
    assert error(adaround) < error(nearest), (error(adaround), error(nearest))
    matched = model.quantize(x, weight_bits=3, optimize_rounding="gptq",
                             bias_correction=True, reconstruct="model")
    assert error(matched) < 0.8 * error(nearest), \
        (error(matched), error(nearest))


def test_quantize_codebook_and_pow2_weights(cnn):
    """weight_format reaches the pipeline: 4-bit codebook weights are
    stored as codes through a table and are closer to float than 4-bit
    uniform ones on this data; pow2 weights run too."""
    _, model = cnn
    x, want, error = error_probe(model, 2)

    uniform = model.quantize(x, weight_bits=4)
    codebook = model.quantize(x, weight_bits=4, weight_format="codebook")
    pow2 = model.quantize(x, weight_bits=4, weight_format="pow2")
    assert "codebook(" in codebook.text and "codebook(" in pow2.text
    assert "codebook(" not in uniform.text
    assert error(codebook) < error(uniform), (error(codebook), error(uniform))
    # Powers of two are coarse at the top (32, 64): a few per cent.
    assert error(pow2) < 0.1 * float(np.mean(want ** 2))


def test_quantize_precision_file_and_report(cnn, tmp_path):
    """Layers named by their ONNX nodes take precisions from a file; the
    report lists them with the integers' width and the packed sizes."""
    module, model = cnn
    conv, fc = (line.split('quantx.layer = "')[1].split('"')[0]
                for line in model.text.splitlines()
                if "quantx.layer" in line)
    (tmp_path / "layers.json").write_text(
        '{"%s": "wta8", "%s": "w4a8-pt"}' % (conv, fc))
    r = np.random.RandomState(3)
    x = r.randn(32, 1, 1, 6, 6).astype(np.float32)
    low = model.quantize(x, weight_bits=2,
                         precision_file=tmp_path / "layers.json",
                         report=tmp_path / "report.json")
    import json
    report = json.loads((tmp_path / "report.json").read_text())
    layers = {layer["name"]: layer for layer in report["layers"]}
    assert layers[conv]["weights"] == "ternary"
    assert layers[fc]["weights"] == "int4"
    assert layers[fc]["granularity"] == "per-tensor"
    # 432 int4 weights and one scale; 36 ternary weights and 4 scales.
    assert layers[fc]["packed_weight_bytes"] == 216 + 4
    assert layers[conv]["packed_weight_bytes"] == 9 + 16
    assert report["total_packed_weight_bytes"] == 216 + 4 + 9 + 16
    # Integer-only, runs, and stays near the float model at these bits.
    with torch.no_grad():
        want = module(torch.from_numpy(x[:, 0])).numpy()
    got = low.run(x).reshape(want.shape)
    assert np.abs(got - want).max() < 0.5 * np.abs(want).max()


def test_quantize_mixed_precision(cnn, tmp_path):
    """Mixed precision through the API and the command line: the budget's
    extremes give uniform assignments, a budget between them is met, an
    impossible one is an error naming it."""
    import json
    _, model = cnn
    x = np.random.RandomState(5).randn(32, 1, 1, 6, 6).astype(np.float32)
    report = tmp_path / "mixed.json"

    def weights(**options):
        model.quantize(x, candidates="w8a8,w4a8,w2a8", report=report,
                       **options)
        summary = json.loads(report.read_text())
        return [layer["weights"] for layer in summary["layers"]], summary

    assert weights(size=0)[0] == ["int2", "int2"]
    assert weights(size=1)[0] == ["int8", "int8"]
    layers, summary = weights(size=0.5, sensitivity="output-kl")
    assert summary["total_weight_bytes"] <= \
        summary["mixed_precision"]["budget"]["weight_bytes"]
    assert summary["mixed_precision"]["sensitivity"] == "output-kl"
    with pytest.raises(quantx.ToolError, match="weight-size budget .*"
                       "cannot be met"):
        model.quantize(x, candidates="w8a8,w4a8", size_bytes=10)
    # The command line takes the same options.
    (tmp_path / "model.mlir").write_text(model.text)
    np.save(tmp_path / "calib.npy", x)
    env = dict(os.environ, PYTHONPATH=os.path.join(
        os.path.dirname(__file__), "..", "..", "python"))
    result = subprocess.run(
        [sys.executable, "-m", "quantx", "quantize",
         str(tmp_path / "model.mlir"), "--calibration",
         str(tmp_path / "calib.npy"), "--candidates", "w8a8,w4a8",
         "--size", "0", "--report", str(report), "-o",
         str(tmp_path / "mixed.mlir")], capture_output=True, text=True,
        env=env)
    assert result.returncode == 0, result.stderr
    summary = json.loads(report.read_text())
    assert [layer["weights"] for layer in summary["layers"]] == \
        ["int4", "int4"]


def test_pareto(cnn, tmp_path):
    """The trade-off tool: mixed points from size=0 to 1 grow in size and
    meet the uniform assignments at the ends; the plot is a PNG; the
    command line measures accuracy with labels."""
    _, model = cnn
    x = np.random.RandomState(6).randn(24, 1, 1, 6, 6).astype(np.float32)
    rows = quantx.pareto.pareto(model, x, "w8a8,w4a8", points=3)
    mixed = [r for r in rows if r["kind"] == "mixed"]
    uniform = {r["precision"]: r for r in rows if r["kind"] == "uniform"}
    assert [r["size"] for r in mixed] == [0.0, 0.5, 1.0]
    sizes = [r["weight_bytes"] for r in mixed]
    assert sizes == sorted(sizes)
    assert sizes[0] == uniform["w4a8"]["weight_bytes"]
    assert sizes[-1] == uniform["w8a8"]["weight_bytes"]
    assert all(r["sqnr_db"] > 0 and r["latency_ms"] > 0 for r in rows)
    assert "spearman_rho" in mixed[1]
    quantx.pareto.plot(rows, tmp_path / "p.png", "cnn")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert quantx.pareto.table(rows).count("\n") == 2 + len(rows) - 1
    with pytest.raises(ValueError, match="not a compact precision"):
        quantx.pareto.precision_options("w5")
    # The command line, with labels: accuracy instead of SQNR.
    (tmp_path / "model.mlir").write_text(model.text)
    np.save(tmp_path / "calib.npy", x)
    np.save(tmp_path / "labels.npy", np.arange(24) % 3)
    env = dict(os.environ, PYTHONPATH=os.path.join(
        os.path.dirname(__file__), "..", "..", "python"))
    result = subprocess.run(
        [sys.executable, "-m", "quantx", "pareto",
         str(tmp_path / "model.mlir"), "--calibration",
         str(tmp_path / "calib.npy"), "--eval", str(tmp_path / "calib.npy"),
         str(tmp_path / "labels.npy"), "--candidates", "w8a8,w4a8",
         "--points", "2", "-o", str(tmp_path / "cli.png")],
        capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "| accuracy (%) |" in result.stdout
    assert "| mixed size=1.0 |" in result.stdout
    assert (tmp_path / "cli.png").exists()


def test_hessian_traces(cnn, tmp_path):
    """Hutchinson traces of the PyTorch layers, keyed by the ONNX node
    names quant-x gives the layers, drive the assignment (HAWQ-V3)."""
    import json
    module, model = cnn
    r = np.random.RandomState(7)
    data = r.randn(64, 1, 6, 6).astype(np.float32)
    labels = r.randint(0, 3, 64)
    traces = quantx.hessian_traces(module, data, labels, iterations=8,
                                   batch_size=32)
    names = [line.split('quantx.layer = "')[1].split('"')[0]
             for line in model.text.splitlines() if "quantx.layer" in line]
    assert sorted(traces) == sorted(names)
    assert all(t >= 0 for t in traces.values())
    assert any(t > 0 for t in traces.values())
    # Deterministic for a seed.
    assert quantx.hessian_traces(module, data, labels, iterations=8,
                                 batch_size=32) == traces
    report = tmp_path / "r.json"
    model.quantize(data[:, None], candidates="w8a8,w4a8", size=0.5,
                   hessian_traces=traces, report=report)
    summary = json.loads(report.read_text())
    assert summary["mixed_precision"]["sensitivity"] == "hessian-traces"
    with pytest.raises(ValueError, match="64 samples but 3 labels"):
        quantx.hessian_traces(module, data, labels[:3])


def test_compare_layers_names_onnx_nodes(cnn):
    _, model = cnn
    r = np.random.RandomState(1)
    rows = quantx.compare_layers(model, r.randn(32, 1, 1, 6, 6)
                                 .astype(np.float32),
                                 r.randn(8, 1, 1, 6, 6).astype(np.float32))
    names = [row[0] for row in rows]
    assert names[0] == "argument 0"
    assert any(n.startswith("tosa.clamp (") and "Relu" in n for n in names)
    for name, sqnr, error, peak in rows:
        # 8 bits over the calibrated range: well above 30 dB here.
        assert sqnr > 30 and 0 <= error <= peak, (name, sqnr)


def test_compare_command(cnn, tmp_path):
    module, _ = cnn
    torch.onnx.export(module, torch.zeros(1, 1, 6, 6), tmp_path / "m.onnx",
                      opset_version=13)
    r = np.random.RandomState(2)
    np.save(tmp_path / "c.npy", r.randn(32, 1, 1, 6, 6).astype(np.float32))
    np.save(tmp_path / "x.npy", r.randn(8, 1, 1, 6, 6).astype(np.float32))
    out = subprocess.run(
        [sys.executable, "-m", "quantx", "compare", str(tmp_path / "m.onnx"),
         "--calibration", str(tmp_path / "c.npy"), "--inputs",
         str(tmp_path / "x.npy")], capture_output=True, text=True, check=True)
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["layer", "SQNR", "dB", "max", "|err|", "max",
                                "|x|"]
    assert any("Relu" in line for line in lines[1:])


def test_run_checks_the_callers_arrays(cnn):
    """Model.run converts what converts without loss of meaning (float64 to
    the argument's float32, as calibration data is; integers that fit an
    integer argument) and refuses the rest with a message about the
    caller's array, not a temporary file."""
    _, model = cnn
    x = np.random.RandomState(1).randn(3, 1, 1, 6, 6)
    np.testing.assert_array_equal(model.run(x), model.run(x.astype(np.float32)))
    with pytest.raises(ValueError, match=r"input 0 has shape \(2, 3\), but "
                       r"argument 0 of @main is float32\[1, 1, 6, 6\] \(or a "
                       r"batch of them\)"):
        model.run(np.zeros((2, 3)))
    with pytest.raises(TypeError, match=r"input 0 is a complex128 array; "
                       r"argument 0 of @main is float32\[1, 1, 6, 6\]"):
        model.run(np.zeros((1, 1, 6, 6), complex))
    # An int8 interface: int8 in; other integers only where they fit.
    int8 = model.quantize(x.astype(np.float32), interface="int8")
    q = np.random.RandomState(2).randint(-128, 128, (3, 1, 1, 6, 6))
    np.testing.assert_array_equal(int8.run(q), int8.run(q.astype(np.int8)))
    with pytest.raises(ValueError, match=r"input 0 holds values in \[-128, "
                       r"300\], outside int8"):
        int8.run(np.full((1, 1, 6, 6), 300) - np.eye(6, dtype=int) * 428)
    with pytest.raises(TypeError, match=r"input 0 holds float64 values, but "
                       r"argument 0 of @main is int8\[1, 1, 6, 6\]: "
                       r"quantize them first"):
        int8.run(x)


def test_run_reports_tool_errors(cnn):
    """What only quant-run can check still surfaces as a ToolError."""
    _, model = cnn
    with pytest.raises(quantx.ToolError, match=r"@main takes 1 arguments but "
                       r"2 --input files were given"):
        model.run(np.zeros((1, 1, 6, 6), np.float32),
                  np.zeros((1, 1, 6, 6), np.float32))


def test_run_on_gpu_target(cnn, monkeypatch):
    """target="gpu": the int8 model's outputs on the stand-in driver that
    emulates launches (docs/GPU.md) equal the CPU's; without a usable GPU,
    GpuUnavailableError; an unknown target is refused."""
    _, model = cnn
    x = np.random.RandomState(0).randn(4, 1, 1, 6, 6).astype(np.float32)
    int8 = model.quantize(x)
    monkeypatch.setenv("QUANTX_CUDA_DRIVER", os.environ["QUANTX_FAKE_CUDA_LIB"])
    monkeypatch.setenv("QUANTX_FAKE_CUDA", "emulate")
    np.testing.assert_array_equal(int8.run(x, target="gpu"), int8.run(x))
    monkeypatch.setenv("QUANTX_CUDA_DRIVER", "/nonexistent/libcuda.so.1")
    with pytest.raises(quantx.GpuUnavailableError,
                       match="no usable GPU: cannot load the CUDA driver"):
        int8.run(x, target="gpu")
    with pytest.raises(ValueError, match="target must be 'cpu' or 'gpu'"):
        int8.run(x, target="tpu")
