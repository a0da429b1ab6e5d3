# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The ONNX importer: imported models compute what PyTorch computes (run with
quant-run), and unsupported input fails with a message naming the node."""

import os
import subprocess
import sys

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "examples", "fashion_mnist"))
import models  # noqa: E402
import quantx  # noqa: E402

QUANT_RUN = os.environ["QUANT_RUN"]


def run_imported(onnx_path, x, tmp_path):
    mlir = tmp_path / "model.mlir"
    mlir.write_text(quantx.import_onnx(str(onnx_path)))
    np.save(tmp_path / "x.npy", x)
    subprocess.run([QUANT_RUN, str(mlir), "--input", str(tmp_path / "x.npy"),
                    "--output", str(tmp_path / "y.npy")], check=True)
    return np.load(tmp_path / "y.npy")


@pytest.mark.parametrize("name", sorted(models.MODELS))
def test_matches_pytorch(name, tmp_path):
    torch.manual_seed(0)
    model = models.MODELS[name]()
    for m in model.modules():  # batch norm statistics that matter
        if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d)):
            m.running_mean.uniform_(-1, 1)
            m.running_var.uniform_(0.5, 2)
    model.eval()
    models.export_onnx(model, tmp_path / "model.onnx")
    text = (quantx.import_onnx(str(tmp_path / "model.onnx")))
    assert "tosa.sub" in text or name != "cnn_bn"  # batch norm decomposed
    x = np.random.RandomState(0).randn(3, 1, 1, 28, 28).astype(np.float32)
    got = run_imported(tmp_path / "model.onnx", x, tmp_path)
    with torch.no_grad():
        want = model(torch.from_numpy(x[:, 0])).numpy()
    np.testing.assert_allclose(got.reshape(want.shape), want, atol=1e-4)


def single_node_model(node, inputs, outputs, initializers=()):
    graph = helper.make_graph([node], "g", inputs, outputs, list(initializers))
    return helper.make_model(graph)


def test_unsupported_operator_names_the_node():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])
    model = single_node_model(helper.make_node("Erf", ["x"], ["y"],
                                               name="act"), [x], [y])
    with pytest.raises(quantx.OnnxImportError,
                       match=r"node 'act' \(Erf\): unsupported ONNX "
                             r"operator 'Erf'"):
        quantx.import_onnx(model)


def test_grouped_convolution(tmp_path):
    conv = torch.nn.Conv2d(4, 6, 3, padding=1, groups=2)
    conv.eval()
    torch.onnx.export(conv, torch.zeros(1, 4, 5, 5), tmp_path / "g.onnx",
                      opset_version=13)
    x = np.random.RandomState(2).randn(1, 1, 4, 5, 5).astype(np.float32)
    got = run_imported(tmp_path / "g.onnx", x, tmp_path)
    with torch.no_grad():
        want = conv(torch.from_numpy(x[0])).numpy()
    np.testing.assert_allclose(got.reshape(want.shape), want, atol=1e-5)


def test_group_that_does_not_divide_the_channels_is_refused():
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4, 5, 5])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3, 5, 5])
    w = helper.make_tensor("w", TensorProto.FLOAT, [3, 1, 1, 1],
                           np.ones(3, np.float32))
    node = helper.make_node("Conv", ["x", "w"], ["y"], name="conv", group=3)
    with pytest.raises(quantx.OnnxImportError,
                       match=r"node 'conv' \(Conv\): group=3 does not "
                             "divide 4 input and 3 output channels"):
        quantx.import_onnx(single_node_model(node, [x], [y], [w]))


def test_matmul_and_reshape(tmp_path):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2, 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4, 2])
    b = np.arange(12, dtype=np.float32).reshape(3, 4)
    shape = np.array([4, -1], np.int64)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "b"], ["m"]),
         helper.make_node("Reshape", ["m", "shape"], ["y"])],
        "g", [x], [y], [onnx.numpy_helper.from_array(b, "b"),
                        onnx.numpy_helper.from_array(shape, "shape")])
    onnx.save(helper.make_model(graph), tmp_path / "m.onnx")
    data = np.random.RandomState(1).randn(2, 3).astype(np.float32)
    got = run_imported(tmp_path / "m.onnx", data, tmp_path)
    np.testing.assert_allclose(got, (data @ b).reshape(4, 2), rtol=1e-5)


def test_command_line_reports_errors(tmp_path):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"not a model")
    result = subprocess.run([sys.executable, "-m", "quantx", "import-onnx",
                             str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "quantx: error:" in result.stderr


def export_cnn_and_calibration(tmp_path):
    """cnn_bn as tmp_path/m.onnx and 16 samples as tmp_path/calib.npy: the
    model, the samples, and the environment that finds the tools."""
    torch.manual_seed(0)
    model = models.cnn_bn().eval()
    models.export_onnx(model, tmp_path / "m.onnx")
    x = np.random.RandomState(0).randn(16, 1, 1, 28, 28).astype(np.float32)
    np.save(tmp_path / "calib.npy", x)
    return model, x, dict(os.environ,
                          QUANTX_TOOLS=os.path.dirname(QUANT_RUN))


def test_quantize_command(tmp_path):
    """python3 -m quantx quantize: ONNX + calibration samples -> a model
    quant-run executes with the same signature."""
    model, x, env = export_cnn_and_calibration(tmp_path)
    subprocess.run([sys.executable, "-m", "quantx", "quantize",
                    str(tmp_path / "m.onnx"), "--calibration",
                    str(tmp_path / "calib.npy"), "--method", "mse", "-o",
                    str(tmp_path / "int8.mlir")], check=True, env=env)
    subprocess.run([QUANT_RUN, str(tmp_path / "int8.mlir"), "--input",
                    str(tmp_path / "calib.npy"), "--output",
                    str(tmp_path / "y.npy")], check=True)
    with torch.no_grad():
        want = model(torch.from_numpy(x[:, 0])).numpy()
    got = np.load(tmp_path / "y.npy").reshape(want.shape)
    assert np.abs(got - want).max() < 0.05 * np.abs(want).max()
    np.save(tmp_path / "labels.npy", want.argmax(1))
    result = subprocess.run([sys.executable, "-m", "quantx", "eval",
                             str(tmp_path / "int8.mlir"), "--inputs",
                             str(tmp_path / "calib.npy"), "--labels",
                             str(tmp_path / "labels.npy")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr
    assert "accuracy:" in result.stdout


def test_quantize_command_low_bit_options(tmp_path):
    """The low-bit accuracy options of `python3 -m quantx quantize` reach
    the pipeline: GPTQ integers replace the nearest ones (the weights
    differ), and the model still runs."""
    _, _, env = export_cnn_and_calibration(tmp_path)
    outputs = {}
    for tag, extra in (("nearest", []),
                       ("improved", ["--equalize", "true",
                                     "--optimize-rounding", "gptq",
                                     "--bias-correction",
                                     "--weight-clipping", "octav"]),
                       ("codebook", ["--weight-format", "codebook",
                                     "--optimize-rounding", "gptq"]),
                       ("adaround", ["--optimize-rounding", "adaround",
                                     "--reconstruct", "model",
                                     "--bias-correction"])):
        out = tmp_path / f"{tag}.mlir"
        subprocess.run([sys.executable, "-m", "quantx", "quantize",
                        str(tmp_path / "m.onnx"), "--calibration",
                        str(tmp_path / "calib.npy"), "--weight-bits", "4",
                        "-o", str(out), *extra], check=True, env=env)
        outputs[tag] = out.read_text()
        subprocess.run([QUANT_RUN, str(out), "--input",
                        str(tmp_path / "calib.npy")], check=True,
                       capture_output=True)
    assert outputs["nearest"] != outputs["improved"]
    assert outputs["nearest"] != outputs["adaround"]
    assert "quantx.rounded_weights" not in outputs["improved"]
    # Codebook weights: codes through each layer's table of 16 integers.
    assert "codebook(" in outputs["codebook"]
    assert "codebook(" not in outputs["nearest"]


def test_quantize_command_reports_missing_data(tmp_path):
    torch.manual_seed(0)
    models.export_onnx(models.mlp().eval(), tmp_path / "m.onnx")
    env = dict(os.environ, QUANTX_TOOLS=os.path.dirname(QUANT_RUN))
    result = subprocess.run([sys.executable, "-m", "quantx", "quantize",
                             str(tmp_path / "m.onnx"), "--calibration",
                             str(tmp_path / "absent.npy"), "-o",
                             str(tmp_path / "o.mlir")],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 1
    assert "absent.npy" in result.stderr


class MoreOps(torch.nn.Module):
    """Sigmoid, Tanh, LeakyRelu, Div, Transpose, Concat, GlobalMaxPool,
    Softmax: the layers beyond the Fashion-MNIST networks."""

    def __init__(self):
        super().__init__()
        self.conv = torch.nn.Conv2d(1, 4, 3, padding=1)
        self.fc = torch.nn.Linear(8, 5)

    def forward(self, x):
        y = self.conv(x)
        a = torch.sigmoid(y) / 2.0
        b = torch.nn.functional.leaky_relu(torch.tanh(y), 0.1)
        b = b.permute(0, 1, 3, 2)
        z = torch.cat([a, b], dim=1)
        z = torch.nn.functional.adaptive_max_pool2d(z, 1).flatten(1)
        return torch.softmax(self.fc(z), dim=1)


def test_more_operators_match_pytorch(tmp_path):
    torch.manual_seed(0)
    model = MoreOps().eval()
    torch.onnx.export(model, torch.zeros(1, 1, 6, 6), tmp_path / "m.onnx",
                      opset_version=13)
    x = np.random.RandomState(0).randn(2, 1, 1, 6, 6).astype(np.float32)
    got = run_imported(tmp_path / "m.onnx", x, tmp_path)
    with torch.no_grad():
        want = model(torch.from_numpy(x[:, 0])).numpy()
    np.testing.assert_allclose(got.reshape(want.shape), want, atol=1e-5)


def test_from_torch_keeps_batch_norm(tmp_path):
    torch.manual_seed(0)
    model = models.cnn_bn()
    text = quantx.from_torch(model, torch.zeros(1, 1, 28, 28))
    assert "tosa.sub" in text and "tosa.conv2d" in text
    (tmp_path / "m.mlir").write_text(text)
    x = np.random.RandomState(0).randn(2, 1, 1, 28, 28).astype(np.float32)
    np.save(tmp_path / "x.npy", x)
    subprocess.run([QUANT_RUN, str(tmp_path / "m.mlir"), "--input",
                    str(tmp_path / "x.npy"), "--output",
                    str(tmp_path / "y.npy")], check=True)
    with torch.no_grad():
        want = model.eval()(torch.from_numpy(x[:, 0])).numpy()
    np.testing.assert_allclose(np.load(tmp_path / "y.npy").reshape(want.shape),
                               want, atol=1e-4)


def test_dynamic_dimension_is_fixed_out_loud(tmp_path):
    """A dynamic (batch) dimension becomes the batch size, 1 unless told,
    and the importer says so: a DynamicDimensionWarning from the API, a note
    from the command line, which takes --batch."""
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])
    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])],
                              "relu", [x], [y])
    path = tmp_path / "relu.onnx"
    onnx.save(helper.make_model(graph), str(path))
    with pytest.warns(quantx.DynamicDimensionWarning,
                      match=r"input 'x' dimension 0 \('N'\) is dynamic; "
                      r"fixed to 1"):
        text = quantx.import_onnx(str(path))
    assert "tensor<1x3xf32>" in text
    result = subprocess.run(
        [sys.executable, "-m", "quantx", "import", str(path), "--batch", "4",
         "-o", str(tmp_path / "relu.mlir")],
        capture_output=True, text=True, check=True)
    assert ("quantx: note: input 'x' dimension 0 ('N') is dynamic; fixed to 4"
            in result.stderr), result.stderr
    assert "tensor<4x3xf32>" in (tmp_path / "relu.mlir").read_text()
