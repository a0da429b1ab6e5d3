# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""ONNX's quantized operators as quantx quantize/dequantize around float
TOSA, which `quant-opt --quantize-int8` compiles to integer code with the
model's own scales (no calibration).

QuantizeLinear/DequantizeLinear map onto quantx ops; QLinearConv,
QLinearMatMul, ConvInteger and MatMulInteger become dequantize -> float
op -> quantize, with constant weights as float constants that carry their
int8 grid (`quantx.weight_scales`) so that the quantizer keeps it.

Integer tensors at the function boundary are int8: a uint8 ONNX tensor is
carried as int8 holding `value - 128` (with zero point `zp - 128` it stands
for the same real numbers), and int32 results stay int32.
"""

import copy

import numpy as np

from .mlir_text import Value
from .onnx_common import node_attrs

# Ops that compute on quantized tensors with their input's scale and zero
# point (QOperator models apply them to uint8/int8 tensors directly).
KEEPS_QUANTIZATION = ("MaxPool", "Reshape", "Transpose", "Flatten", "Pad")


def is_quantized(value):
    return value.element.startswith("!quantx.uniform")


def _uniform(storage, scales, zero_points, axis):
    """`!quantx.uniform<storage:f32, params>`, per tensor or per axis."""
    if axis is None:
        params = (f"#quantx.per_tensor<scale = {float(scales[0])!r}, "
                  f"zero_point = {int(zero_points[0])}>")
    else:
        params = (f"#quantx.per_axis<axis = {axis}, scales = ["
                  f"{', '.join(repr(float(s)) for s in scales)}], "
                  f"zero_points = [{', '.join(str(int(z)) for z in zero_points)}]>")
    return f"!quantx.uniform<{storage}:f32, {params}>"


class QuantizedOps:
    """Handlers of the quantized ONNX operators, mixed into the importer."""

    # -- parameters -------------------------------------------------------
    def quant_params(self, node, scale_name, zp_name, rank=0, axis=1,
                     unsigned=True):
        """(scales, int8 zero points, TOSA axis or None) of a scale and zero
        point pair; uint8 zero points move by -128. Without a zero point:
        0 of uint8 (`unsigned`) or int8."""
        scale = self.constant(scale_name)
        if scale is None:
            self.fail(node, f"scale '{scale_name}' must be a constant")
        scale = np.asarray(scale, np.float64).reshape(-1)
        if not np.all(np.isfinite(scale)) or not np.all(scale > 0):
            self.fail(node, f"scale {scale.tolist()} must be positive and "
                            "finite")
        zp = self.constant(zp_name) if zp_name else np.zeros(
            1, np.uint8 if unsigned else np.int8)
        if zp is None:
            self.fail(node, f"zero point '{zp_name}' must be a constant")
        zp = np.asarray(zp)
        if zp.dtype not in (np.int8, np.uint8):
            self.fail(node, f"zero point type {zp.dtype} is not int8 or "
                            "uint8")
        zp = zp.reshape(-1).astype(np.int64) - (128 if zp.dtype == np.uint8
                                                else 0)
        if scale.size == 1 and zp.size == 1:
            return scale, zp, None
        if rank == 0:
            self.fail(node, "per-axis scales are supported for weights and "
                            "activations of known rank only")
        axis %= rank
        if rank == 4:
            axis = {0: 0, 1: 3, 2: 1, 3: 2}[axis]
        if zp.size == 1:
            zp = np.repeat(zp, scale.size)
        return scale, zp, axis

    # -- values -----------------------------------------------------------
    def quantized_input(self, node, name, scale_name, zp_name, axis=1):
        """The value `name` as a quantized tensor of the given parameters:
        integer storage reinterpreted, or a QuantizeLinear's result."""
        value = self.values.get(name)
        if value is None:
            self.fail(node, f"input '{name}' is not an integer or quantized "
                            "tensor")
        unsigned = value.name in self.unsigned
        if not is_quantized(value) and zp_name and \
                self.constant(zp_name) is not None and \
                (self.constant(zp_name).dtype == np.uint8) != unsigned:
            self.fail(node, f"zero point '{zp_name}' and input '{name}' "
                            "differ in type")
        scales, zps, tosa_axis = self.quant_params(
            node, scale_name, zp_name, len(value.shape), axis, unsigned)
        element = _uniform("i8", scales, zps, tosa_axis)
        if is_quantized(value):
            if value.element != element:
                self.fail(node, f"input '{name}' is quantized as "
                                f"{value.element}, not as {element}")
            return value
        if value.element != "i8":
            self.fail(node, f"input '{name}' is {value.element}, not int8 or "
                            "uint8")
        result = Value(self.writer.fresh("q"), value.shape, element)
        self.writer.emit(f"{result.name} = quantx.storage_cast {value.name} "
                         f": {value.type} -> {result.type}")
        return result

    def dequantize(self, q):
        cached = self.dequantized.get(q.name)
        if cached is None:
            cached = Value(self.writer.fresh("dq"), q.shape)
            self.writer.emit(f"{cached.name} = quantx.dequantize {q.name} : "
                             f"{q.type} -> {cached.type}")
            self.dequantized[q.name] = cached
        return cached

    def quantize(self, x, element):
        result = Value(self.writer.fresh("q"), x.shape, element)
        self.writer.emit(f"{result.name} = quantx.quantize {x.name} : "
                         f"{x.type} -> {result.type}")
        return result

    def storage(self, value):
        """A quantized value as its integer storage (function results)."""
        if not is_quantized(value):
            return value
        storage = "i32" if value.element.startswith("!quantx.uniform<i32") \
            else "i8"
        result = Value(self.writer.fresh("s"), value.shape, storage)
        self.writer.emit(f"{result.name} = quantx.storage_cast {value.name} "
                         f": {value.type} -> {result.type}")
        return result

    def dequantize_constant(self, node, stored, scale_name, zp_name, axis,
                            name):
        """Registers the float value of quantized constant weights under
        `name`, with the grid they lie on (kept by quant-opt where every
        `q - zero_point` fits int8, requantized with a remark elsewhere)."""
        if stored.dtype not in (np.int8, np.uint8):
            self.fail(node, f"quantized constant of type {stored.dtype} (int8 "
                            "and uint8 are supported)")
        scales, zps, _ = self.quant_params(node, scale_name, zp_name,
                                           stored.ndim, axis,
                                           stored.dtype == np.uint8)
        shape = [1] * stored.ndim
        if scales.size > 1:
            shape[axis % stored.ndim] = -1
        stored = stored.astype(np.int64) - (128 if stored.dtype == np.uint8
                                            else 0)
        integers = stored - zps.reshape(shape if zps.size > 1 else ())
        self.constants[name] = (integers * scales.reshape(
            shape if scales.size > 1 else ())).astype(np.float32)
        self.weight_scales[name] = (scales, zps, axis % max(stored.ndim, 1))

    def weight_scales_attr(self, name, channel_axis, factor=1.0,
                           rows=slice(None)):
        """`quantx.weight_scales` (and a per-tensor
        `quantx.weight_zero_point`) of weights `name` whose output channel is
        ONNX axis `channel_axis` (those `rows` of it), or "" when they carry
        no grid."""
        entry = self.weight_scales.get(name)
        if entry is None:
            return ""
        scales, zps, axis = entry
        if scales.size > 1:
            if axis != channel_axis:
                return ""
            scales, zps = scales[rows], zps[rows]
        values = ", ".join(repr(float(s) * factor) for s in scales)
        text = f"quantx.weight_scales = array<f64: {values}>"
        if np.all(zps == zps[0]) and zps[0] != 0:
            text += f", quantx.weight_zero_point = {int(zps[0])} : i64"
        return text

    # -- operators --------------------------------------------------------
    def quantize_linear(self, node):
        x = self.activation(node, node.input[0])
        scales, zps, axis = self.quant_params(
            node, node.input[1], node.input[2] if len(node.input) > 2 else "",
            len(x.shape), node_attrs(node).get("axis", 1))
        return self.quantize(x, _uniform("i8", scales, zps, axis))

    def dequantize_linear(self, node):
        zp_name = node.input[2] if len(node.input) > 2 else ""
        axis = node_attrs(node).get("axis", 1)
        stored = self.constant(node.input[0])
        if stored is not None:
            self.dequantize_constant(node, stored, node.input[1], zp_name,
                                     axis, node.output[0])
            return None
        if self.values.get(node.input[0]) is not None and \
                self.values[node.input[0]].element == "i32":
            self.fail(node, "int32 input: only int8 and uint8 tensors are "
                            "dequantized")
        return self.dequantize(self.quantized_input(
            node, node.input[0], node.input[1], zp_name, axis))

    def with_inputs(self, node, op_type, inputs):
        """A copy of `node` as `op_type` reading `inputs` (its attributes
        kept), for the float handler of a quantized operator."""
        inner = copy.deepcopy(node)
        inner.op_type = op_type
        del inner.input[:]
        inner.input.extend(inputs)
        return inner

    def float_input(self, node, index, scale_name, zp_name):
        name = f"{node.output[0]}#input{index}"
        self.values[name] = self.dequantize(self.quantized_input(
            node, node.input[index], scale_name, zp_name))
        return name

    def constant_weights(self, node, index, scale_name, zp_name, axis):
        stored = self.constant(node.input[index])
        if stored is None:
            self.fail(node, f"weights '{node.input[index]}' must be a "
                            "constant")
        name = f"{node.output[0]}#weights"
        self.dequantize_constant(node, stored, scale_name, zp_name, axis, name)
        return name

    def qlinear_conv(self, node):
        ins = list(node.input) + [""] * (9 - len(node.input))
        x = self.float_input(node, 0, ins[1], ins[2])
        w = self.constant_weights(node, 3, ins[4], ins[5], 0)
        inputs = [x, w]
        if ins[8]:
            bias = self.constant(ins[8])
            if bias is None or bias.dtype != np.int32:
                self.fail(node, "B must be a constant int32 tensor")
            x_scale = self.quant_params(node, ins[1], ins[2])[0]
            w_scale = self.quant_params(node, ins[4], ins[5], 4, 0)[0]
            inputs.append(f"{node.output[0]}#bias")
            self.constants[inputs[-1]] = (bias.astype(np.float64) * x_scale *
                                          w_scale).astype(np.float32)
        y = self.conv(self.with_inputs(node, "Conv", inputs))
        scales, zps, _ = self.quant_params(node, ins[6], ins[7])
        return self.quantize(y, _uniform("i8", scales, zps, None))

    def qlinear_matmul(self, node):
        if len(node.input) != 8:
            self.fail(node, f"expected 8 inputs, got {len(node.input)}")
        a = self.float_input(node, 0, node.input[1], node.input[2])
        b = self.constant(node.input[3])
        axis = b.ndim - 1 if b is not None else -1
        w = self.constant_weights(node, 3, node.input[4], node.input[5], axis)
        y = self.matmul(self.with_inputs(node, "MatMul", [a, w]))
        scales, zps, _ = self.quant_params(node, node.input[6], node.input[7])
        return self.quantize(y, _uniform("i8", scales, zps, None))

    def integer_op(self, node, op_type, handler, weight_axis):
        """ConvInteger, MatMulInteger: unit scales, an int32 result."""
        ins = list(node.input) + [""] * (4 - len(node.input))
        self.constants.setdefault("#one", np.ones(1, np.float32))
        x = self.float_input(node, 0, "#one", ins[2])
        stored = self.constant(ins[1])
        axis = weight_axis(stored) if stored is not None else 0
        w = self.constant_weights(node, 1, "#one", ins[3], axis)
        y = handler(self.with_inputs(node, op_type, [x, w]))
        return self.quantize(y, _uniform("i32", [1.0], [0], None))

    def conv_integer(self, node):
        return self.integer_op(node, "Conv", self.conv, lambda w: 0)

    def matmul_integer(self, node):
        return self.integer_op(node, "MatMul", self.matmul,
                               lambda w: w.ndim - 1)

    def dynamic_quantize_linear(self, node):
        self.fail(node, "its scale and zero point are computed at run time, "
                        "but quant-x fixes them at compile time: quantize "
                        "the model statically (QuantizeLinear/"
                        "DequantizeLinear) or keep it float")

    def quantized_handlers(self):
        return {
            "QuantizeLinear": self.quantize_linear,
            "DequantizeLinear": self.dequantize_linear,
            "QLinearConv": self.qlinear_conv,
            "QLinearMatMul": self.qlinear_matmul,
            "ConvInteger": self.conv_integer,
            "MatMulInteger": self.matmul_integer,
            "DynamicQuantizeLinear": self.dynamic_quantize_linear,
        }
