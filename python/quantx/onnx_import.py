# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""ONNX -> float TOSA (MLIR 22) for quant-opt.

Activations of rank 4 are NCHW in ONNX and NHWC in TOSA: the function keeps
ONNX's argument and result shapes and transposes at the boundary, at
Flatten and at Reshape. Batch normalization is emitted decomposed
(sub/mul/add with per-channel constants) so that quant-opt's BN folding sees
it. An operator the importer does not know raises ImportError naming the node.
"""

import warnings

import numpy as np
import onnx
from onnx import numpy_helper

from .mlir_text import FunctionWriter, Value
from .onnx_common import (FLOAT_MAX, TO_NHWC,  # noqa: F401
                          DynamicDimensionWarning, OnnxImportError,
                          node_attrs, pairs)
from .onnx_elementwise import ElementwiseOps
from .onnx_layers import LayerOps
from .onnx_quantized import KEEPS_QUANTIZATION, QuantizedOps, is_quantized
from .onnx_shapes import ShapeOps

# ONNX element types of function arguments -> MLIR (uint8 as int8 - 128).
BOUNDARY_TYPES = {onnx.TensorProto.FLOAT: "f32", onnx.TensorProto.INT8: "i8",
                  onnx.TensorProto.UINT8: "i8"}


class _Importer(QuantizedOps, LayerOps, ElementwiseOps, ShapeOps):
    def __init__(self, model, batch):
        self.graph = model.graph
        self.batch = batch
        self.writer = FunctionWriter()
        self.values = {}  # ONNX name -> Value (rank-4 activations in NHWC)
        self.constants = {
            init.name: numpy_helper.to_array(init)
            for init in self.graph.initializer
        }
        self.zero = None
        self.zero_shift = None
        self.weight_scales = {}  # constant name -> (scales, ONNX axis)
        self.dequantized = {}  # quantized value name -> its dequantize
        self.unsigned = set()  # int8 arguments holding uint8 - 128

    # -- helpers ----------------------------------------------------------
    def fail(self, node, message):
        raise OnnxImportError(f"node '{node.name or node.output[0]}' "
                          f"({node.op_type}): {message}")

    def zero_point(self):
        if self.zero is None:
            self.zero = self.writer.const(np.zeros(1, np.float32), "zp")
        return self.zero

    def mul(self, a, b, shape):
        """tosa.mul with its shift operand (0, as float requires)."""
        if self.zero_shift is None:
            self.zero_shift = self.writer.const(np.zeros(1, np.int8), "shift")
        return self.writer.op("mul", [a, b, self.zero_shift], shape)

    def constant(self, name):
        return self.constants.get(name)

    def activation(self, node, name):
        if name in self.values:
            value = self.values[name]
            if is_quantized(value):
                return self.dequantize(value)
            if value.element != "f32":
                self.fail(node, f"input '{name}' is an integer tensor; "
                                "only quantized operators take those")
            return value
        if name in self.constants:
            array = self.constants[name].astype(np.float32)
            return self.writer.const(array)
        self.fail(node, f"input '{name}' is not defined")

    def transpose(self, x, perms):
        shape = [x.shape[p] for p in perms]
        return self.writer.op("transpose", [x], shape,
                              f"perms = array<i32: {pairs(perms)}>",
                              element=x.element)

    def reshape(self, x, shape):
        if tuple(shape) == x.shape:
            return x
        s, t = self.writer.shape(shape)
        return self.writer.op("reshape", [x, s], shape, extra_types=[t],
                              element=x.element)

    def broadcast_constant(self, array, rank):
        """An ONNX constant broadcast against a rank-`rank` activation, in
        the activation's TOSA layout (NHWC for rank 4)."""
        array = np.asarray(array, np.float32)
        array = array.reshape((1,) * (rank - array.ndim) + array.shape)
        if rank == 4:
            array = array.transpose(TO_NHWC)
        return self.writer.const(np.ascontiguousarray(array))

    def operand(self, node, name, rank):
        """An elementwise operand: a constant broadcast to `rank`, or an
        activation."""
        array = self.constant(name)
        if array is not None:
            return self.broadcast_constant(array, rank)
        return self.activation(node, name)

    def run(self):
        handlers = {
            "Conv": self.conv, "Gemm": self.gemm, "MatMul": self.matmul,
            "BatchNormalization": self.batch_norm, "Clip": self.clip,
            "Relu": lambda n: self.clamp(self.activation(n, n.input[0]),
                                         0.0, FLOAT_MAX),
            "Add": self.elementwise, "Sub": self.elementwise,
            "Mul": self.elementwise, "MaxPool": self.pool,
            "AveragePool": self.pool,
            "GlobalAveragePool": self.global_average_pool,
            "Flatten": self.flatten, "Pad": self.pad, "Reshape": self.reshape_node,
            "Sigmoid": self.unary, "Tanh": self.unary,
            "LeakyRelu": self.leaky_relu, "Div": self.div,
            "Transpose": self.transpose_node, "Concat": self.concat,
            "Softmax": self.softmax, "GlobalMaxPool": self.global_max_pool,
            **self.quantized_handlers(),
        }
        arguments = []
        for i, info in enumerate(i for i in self.graph.input
                                 if i.name not in self.constants):
            dims = []
            for axis, d in enumerate(info.type.tensor_type.shape.dim):
                if d.HasField("dim_value"):
                    dims.append(d.dim_value)
                    continue
                # quant-x compiles static shapes: a dynamic dimension (a
                # batch, usually) becomes `batch`, said out loud.
                name = f" ('{d.dim_param}')" if d.dim_param else ""
                warnings.warn(DynamicDimensionWarning(
                    f"input '{info.name}' dimension {axis}{name} is "
                    f"dynamic; fixed to {self.batch} (batch=, or --batch "
                    "on the command line)"))
                dims.append(self.batch)
            elem_type = info.type.tensor_type.elem_type
            if elem_type not in BOUNDARY_TYPES:
                raise OnnxImportError(
                    f"input '{info.name}' is {onnx.TensorProto.DataType.Name(elem_type)}: "
                    "inputs are float32, int8 or uint8")
            arg = Value(f"%arg{i}", dims, BOUNDARY_TYPES[elem_type])
            arguments.append(arg)
            value = self.transpose(arg, TO_NHWC) if len(dims) == 4 else arg
            if elem_type == onnx.TensorProto.UINT8:
                self.unsigned.update((arg.name, value.name))
            self.values[info.name] = value
        for node in self.graph.node:
            if node.op_type == "Constant":
                self.constants[node.output[0]] = numpy_helper.to_array(
                    node_attrs(node)["value"])
                continue
            if node.op_type in ("Identity", "Dropout"):
                source = node.input[0]
                if source in self.constants:
                    self.constants[node.output[0]] = self.constants[source]
                elif source in self.values:
                    self.values[node.output[0]] = self.values[source]
                else:
                    self.fail(node, f"input '{source}' is not defined")
                continue
            self.writer.location = node.name or node.output[0]
            handler = handlers.get(node.op_type)
            if handler is None:
                self.fail(node, "unsupported ONNX operator "
                                f"'{node.op_type}'; supported: "
                                f"{', '.join(sorted(handlers))}")
            try:
                source = self.values.get(node.input[0]) if node.input else None
                value = handler(node)
                if node.op_type in KEEPS_QUANTIZATION and source is not None \
                        and is_quantized(source) and value is not None:
                    value = self.quantize(value, source.element)
                if value is not None:  # None: folded into a constant
                    self.values[node.output[0]] = value
            except OnnxImportError:
                raise
            except Exception as error:  # a case the handler did not foresee
                self.fail(node, f"cannot import it ({type(error).__name__}: "
                                f"{error})")
        results = []
        for info in self.graph.output:
            if info.name not in self.values:
                raise OnnxImportError(f"output '{info.name}' is not computed "
                                  "from the inputs")
            results.append(self.to_onnx_layout(
                self.storage(self.values[info.name])))
        return self.writer.function(arguments, results)


def import_onnx(model, batch=1):
    """MLIR text of the float TOSA form of an ONNX model (or path)."""
    return import_onnx_with_nodes(model, batch)[0]


def import_onnx_with_nodes(model, batch=1):
    """(MLIR text, {line: ONNX node name}) of an ONNX model (or path)."""
    if isinstance(model, str):
        try:
            model = onnx.load(model)
        except OSError:
            raise
        except Exception as error:  # protobuf's DecodeError and the like
            raise OnnxImportError(f"cannot load ONNX model '{model}': "
                                  f"{error}") from error
    importer = _Importer(model, batch)
    text = importer.run()
    return text, importer.writer.node_by_line


def from_torch(module, example_input, batch=1):
    """MLIR text of a PyTorch module's float TOSA form, through ONNX in
    memory (batch norm kept, so that quant-opt folds it)."""
    return import_onnx(torch_to_onnx(module, example_input), batch=batch)


def torch_to_onnx(module, example_input):
    """The ONNX model (in memory) of a PyTorch module in eval mode."""
    import io

    import torch

    buffer = io.BytesIO()
    module.eval()
    torch.onnx.export(module, example_input, buffer, opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE,
                      do_constant_folding=False)
    return onnx.load_from_string(buffer.getvalue())
