"""ONNX -> float TOSA (MLIR 22) for quant-opt.

Activations of rank 4 are NCHW in ONNX and NHWC in TOSA: the function keeps
ONNX's argument and result shapes and transposes at the boundary, at
Flatten and at Reshape. Batch normalization is emitted decomposed
(sub/mul/add with per-channel constants) so that quant-opt's BN folding sees
it. An operator the importer does not know raises ImportError naming the node.
"""

import copy

import numpy as np
import onnx
from onnx import numpy_helper

from .mlir_text import FunctionWriter, Value
from .onnx_quantized import KEEPS_QUANTIZATION, QuantizedOps, is_quantized

FLOAT_MAX = float(np.finfo(np.float32).max)
# ONNX element types of function arguments -> MLIR (uint8 as int8 - 128).
BOUNDARY_TYPES = {onnx.TensorProto.FLOAT: "f32", onnx.TensorProto.INT8: "i8",
                  onnx.TensorProto.UINT8: "i8"}
TO_NHWC = (0, 2, 3, 1)
TO_NCHW = (0, 3, 1, 2)
# ONNX (NCHW) axis -> TOSA (NHWC) axis of a rank-4 activation.
NHWC_AXIS = {0: 0, 1: 3, 2: 1, 3: 2}


class OnnxImportError(Exception):
    pass


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _pairs(values):
    return ", ".join(str(int(v)) for v in values)


class _Importer(QuantizedOps):
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
                              f"perms = array<i32: {_pairs(perms)}>",
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

    def pads_2d(self, node, attrs, kernel, strides, dilations, in_hw):
        if attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            mode = attrs["auto_pad"]
            mode = mode.decode() if isinstance(mode, bytes) else mode
            if mode == "VALID":
                return [0, 0, 0, 0]
            pads = []
            for size, k, s, d in zip(in_hw, kernel, strides, dilations):
                out = -(-size // s)
                total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
                small, big = total // 2, total - total // 2
                pads.append((small, big) if mode == "SAME_UPPER"
                            else (big, small))
            return [pads[0][0], pads[0][1], pads[1][0], pads[1][1]]
        pads = attrs.get("pads", [0, 0, 0, 0])
        # ONNX: [top, left, bottom, right]; TOSA: [top, bottom, left, right].
        return [pads[0], pads[2], pads[1], pads[3]]

    def fit_stride(self, x, pad, kernel, strides, dilations):
        """TOSA needs (I - 1 + pads - (K - 1) * d) % s == 0: trim the
        bottom/right padding, or the input, by the remainder (the output
        size is unchanged)."""
        for axis in (0, 1):
            size = x.shape[1 + axis]
            extent = size - 1 + pad[2 * axis] + pad[2 * axis + 1] - \
                (kernel[axis] - 1) * dilations[axis]
            excess = extent % strides[axis]
            trim = min(excess, pad[2 * axis + 1])
            pad[2 * axis + 1] -= trim
            excess -= trim
            if excess:
                start = [0, 0, 0, 0]
                size_ = list(x.shape)
                size_[1 + axis] -= excess
                s1, t1 = self.writer.shape(start)
                s2, t2 = self.writer.shape(size_)
                x = self.writer.op("slice", [x, s1, s2], size_,
                                   extra_types=[t1, t2])
        return x, pad

    def one_d_as_2d(self, node, handler):
        """A 1-D Conv or pool on [N, C, L] as its 2-D form on [N, C, 1, L]."""
        x = self.activation(node, node.input[0])
        n, c, length = x.shape
        inner = copy.deepcopy(node)
        for attr in inner.attribute:
            if attr.name in ("kernel_shape", "strides", "dilations"):
                attr.ints[:] = [1, *attr.ints]
            elif attr.name == "pads":
                attr.ints[:] = [0, attr.ints[0], 0, attr.ints[1]]
        inner.input[0] = f"{node.output[0]}#2d"
        self.values[inner.input[0]] = self.reshape(
            self.transpose(x, (0, 2, 1)), [n, 1, length, c])
        if len(node.input) > 1 and node.op_type == "Conv":
            w = self.constant(node.input[1])
            if w is None or w.ndim != 3:
                self.fail(node, "weights must be a constant of rank 3")
            inner.input[1] = f"{node.output[0]}#2d_weights"
            self.constants[inner.input[1]] = w[:, :, None, :]
            if node.input[1] in self.weight_scales:
                self.weight_scales[inner.input[1]] = \
                    self.weight_scales[node.input[1]]
        y = handler(inner)  # [N, 1, L', C'] (NHWC)
        y = self.reshape(y, [n, y.shape[2], y.shape[3]])
        return self.transpose(y, (0, 2, 1))

    # -- operators --------------------------------------------------------
    def conv(self, node):
        attrs = _attrs(node)
        x = self.activation(node, node.input[0])
        if len(x.shape) == 3:
            return self.one_d_as_2d(node, self.conv)
        w = self.constant(node.input[1])
        if w is None:
            self.fail(node, "weights must be a constant initializer")
        if len(x.shape) != 4 or w.ndim != 4:
            self.fail(node, "only 2-D convolutions are supported")
        w = w.astype(np.float32)
        out_channels = w.shape[0]
        bias = (self.constant(node.input[2]) if len(node.input) > 2
                and node.input[2] else np.zeros(out_channels, np.float32))
        if bias is None:
            self.fail(node, "bias must be a constant initializer")
        group = attrs.get("group", 1)
        kernel = list(w.shape[2:])
        strides = list(attrs.get("strides", [1, 1]))
        dilations = list(attrs.get("dilations", [1, 1]))
        pad = self.pads_2d(node, attrs, kernel, strides, dilations,
                           x.shape[1:3])
        x, pad = self.fit_stride(x, pad, kernel, strides, dilations)
        channels = x.shape[3]
        out_hw = [(x.shape[1 + a] + pad[2 * a] + pad[2 * a + 1] -
                   (kernel[a] - 1) * dilations[a] - 1) // strides[a] + 1
                  for a in (0, 1)]
        attr_text = (f"acc_type = f32, dilation = array<i64: "
                     f"{_pairs(dilations)}>, pad = array<i64: {_pairs(pad)}>, "
                     f"stride = array<i64: {_pairs(strides)}>")
        shape = [x.shape[0], *out_hw, out_channels]
        b = self.writer.const(bias.astype(np.float32))
        zp = self.zero_point()
        grid = self.weight_scales_attr(node.input[1], 0)
        if group == 1:
            weights = self.writer.const(
                np.ascontiguousarray(w.transpose(0, 2, 3, 1)), "w", grid)
            return self.writer.op("conv2d", [x, weights, b, zp, zp], shape,
                                  attr_text)
        if group == channels and out_channels % channels == 0:
            multiplier = out_channels // channels
            hwcm = w.reshape(channels, multiplier, *kernel).transpose(2, 3, 0, 1)
            weights = self.writer.const(np.ascontiguousarray(hwcm), "w",
                                        grid)
            return self.writer.op("depthwise_conv2d", [x, weights, b, zp, zp],
                                  shape, attr_text)
        if channels % group or out_channels % group:
            self.fail(node, f"group={group} does not divide {channels} input "
                            f"and {out_channels} output channels")
        return self.grouped_conv(node, x, w, bias, group, shape, attr_text)

    def grouped_conv(self, node, x, w, bias, group, shape, attr_text):
        """One conv2d per group on a channel slice of x, concatenated."""
        size, out_size = x.shape[3] // group, w.shape[0] // group
        outputs = []
        for g in range(group):
            start, t1 = self.writer.shape([0, 0, 0, g * size])
            extent, t2 = self.writer.shape([*x.shape[:3], size])
            part = self.writer.op("slice", [x, start, extent],
                                  [*x.shape[:3], size], extra_types=[t1, t2])
            rows = slice(g * out_size, (g + 1) * out_size)
            weights = self.writer.const(
                np.ascontiguousarray(w[rows].transpose(0, 2, 3, 1)), "w",
                self.weight_scales_attr(node.input[1], 0, rows=rows))
            b = self.writer.const(np.ascontiguousarray(
                bias[rows].astype(np.float32)))
            zp = self.zero_point()
            outputs.append(self.writer.op(
                "conv2d", [part, weights, b, zp, zp],
                [*shape[:3], out_size], attr_text))
        return self.writer.op("concat", outputs, shape, "axis = 3 : i32")

    def matmul_const(self, node, a, b, bias=None, grid=""):
        """a [N, K] (rank 2) times constant b [K, M], plus bias [M]; `grid`:
        the weights' quantx.weight_scales."""
        if len(a.shape) != 2:
            self.fail(node, f"expected a rank-2 input, got shape {a.shape}")
        n, k = a.shape
        if b.shape[0] != k:
            self.fail(node, f"inner dimensions differ: {a.shape} x {b.shape}")
        m = b.shape[1]
        a3 = self.reshape(a, [1, n, k])
        weights = self.writer.const(
            np.ascontiguousarray(b.astype(np.float32).reshape(1, k, m)), "w",
            grid)
        zp = self.zero_point()
        y = self.writer.op("matmul", [a3, weights, zp, zp], [1, n, m])
        if bias is not None:
            bias = np.broadcast_to(np.asarray(bias, np.float32), (m,))
            y = self.writer.op("add", [y, self.writer.const(
                np.ascontiguousarray(bias.reshape(1, 1, m)))], [1, n, m])
        return self.reshape(y, [n, m])

    def gemm(self, node):
        attrs = _attrs(node)
        a = self.activation(node, node.input[0])
        b = self.constant(node.input[1])
        if b is None:
            b = self.activation(node, node.input[1])
            if attrs.get("alpha", 1.0) != 1.0:
                self.fail(node, "alpha must be 1 when B is not a constant")
        if len(a.shape) != 2 or len(b.shape) != 2:
            self.fail(node, "A and B must have rank 2")
        if attrs.get("transA", 0):
            a = self.transpose(a, (1, 0))
        if isinstance(b, Value):
            if attrs.get("transB", 0):
                b = self.transpose(b, (1, 0))
            return self.gemm_bias(node, attrs, self.matmul_activations(
                node, a, b))
        if attrs.get("transB", 0):
            b = b.T
        b = b * attrs.get("alpha", 1.0)
        bias = matrix = None
        if len(node.input) > 2 and node.input[2]:
            bias = self.constant(node.input[2])
            if bias is None:
                self.fail(node, "C must be a constant initializer")
            bias = bias * attrs.get("beta", 1.0)
            if bias.size in (1, b.shape[1]) and bias.ndim <= 1 or \
                    bias.ndim == 2 and bias.shape[0] == 1:
                bias = bias.reshape(-1)
            else:  # a full [N, M] (or column) bias: added after the matmul
                matrix, bias = bias, None
        grid = self.weight_scales_attr(node.input[1],
                                       0 if attrs.get("transB", 0) else 1,
                                       attrs.get("alpha", 1.0))
        y = self.matmul_const(node, a, b, bias, grid)
        return self.gemm_bias(node, attrs, y, matrix)

    def gemm_bias(self, node, attrs, y, matrix="C"):
        """y + beta * C, C broadcast in full (`matrix`: C when "C")."""
        if isinstance(matrix, str):
            matrix = None
            if len(node.input) > 2 and node.input[2]:
                matrix = self.constant(node.input[2])
                if matrix is None:
                    self.fail(node, "C must be a constant initializer")
                matrix = matrix * attrs.get("beta", 1.0)
        if matrix is None:
            return y
        try:
            full = np.broadcast_to(matrix, y.shape).astype(np.float32)
        except ValueError:
            self.fail(node, f"C of shape {matrix.shape} does not broadcast "
                            f"to {y.shape}")
        return self.writer.op("add", [y, self.writer.const(
            np.ascontiguousarray(full))], y.shape)

    def matmul_activations(self, node, a, b):
        """a [..., N, K] x b [..., K, M], both activations in ONNX layout,
        with equal batch dimensions or a rank-2 b."""
        if len(b.shape) == 2 and len(a.shape) > 2:
            rows = int(np.prod(a.shape[:-1]))
            y = self.matmul_activations(
                node, self.reshape(a, [rows, a.shape[-1]]), b)
            return self.reshape(y, [*a.shape[:-1], b.shape[1]])
        batch = a.shape[:-2]
        if tuple(b.shape[:-2]) != tuple(batch) or a.shape[-1] != b.shape[-2]:
            self.fail(node, f"cannot multiply {a.shape} by {b.shape}")
        count = int(np.prod(batch))
        n, k, m = a.shape[-2], a.shape[-1], b.shape[-1]
        zp = self.zero_point()
        y = self.writer.op("matmul", [self.reshape(a, [count, n, k]),
                                      self.reshape(b, [count, k, m]), zp, zp],
                           [count, n, m])
        return self.reshape(y, [*batch, n, m])

    def matmul(self, node):
        a = self.activation(node, node.input[0])
        rank = len(a.shape)
        if rank < 2:
            self.fail(node, f"A of shape {a.shape} has rank below 2")
        if rank == 4:
            a = self.to_onnx_layout(a)
        b = self.constant(node.input[1])
        if b is None:
            b = self.to_onnx_layout(self.activation(node, node.input[1]))
            if len(b.shape) < 2:
                self.fail(node, f"B of shape {b.shape} has rank below 2")
            y = self.matmul_activations(node, a, b)
            return self.transpose(y, TO_NHWC) if len(y.shape) == 4 else y
        if b.ndim < 2:
            self.fail(node, "B must have rank 2 or more")
        if b.ndim == 2:
            # [..., N, K] x [K, M]: one [rows, K] x [K, M] product.
            rows = int(np.prod(a.shape[:-1]))
            y = self.matmul_const(node, self.reshape(a, [rows, a.shape[-1]]), b,
                                  grid=self.weight_scales_attr(node.input[1], 1))
            out = [*a.shape[:-1], b.shape[1]]
        else:
            # Batched: the leading dimensions must match.
            batch = a.shape[:-2]
            if tuple(b.shape[:-2]) != tuple(batch):
                self.fail(node, f"batch dimensions differ: {a.shape} x "
                                f"{b.shape}")
            count = int(np.prod(batch))
            n, k, m = a.shape[-2], a.shape[-1], b.shape[-1]
            weights = self.writer.const(np.ascontiguousarray(
                b.astype(np.float32).reshape(count, k, m)), "w",
                self.weight_scales_attr(node.input[1], b.ndim - 1))
            zp = self.zero_point()
            y = self.writer.op("matmul", [self.reshape(a, [count, n, k]),
                                          weights, zp, zp], [count, n, m])
            out = [*batch, n, m]
        y = self.reshape(y, out)
        return self.transpose(y, TO_NHWC) if len(out) == 4 else y

    def batch_norm(self, node):
        x = self.activation(node, node.input[0])
        scale, bias, mean, var = (self.constant(n) for n in node.input[1:5])
        if any(c is None for c in (scale, bias, mean, var)):
            self.fail(node, "scale, B, mean and var must be constants")
        eps = _attrs(node).get("epsilon", 1e-5)
        rank = len(x.shape)
        per_channel = [1, -1] + [1] * (rank - 2)

        def channel(v):
            return self.broadcast_constant(np.asarray(v, np.float32)
                                           .reshape(per_channel), rank)
        factor = scale / np.sqrt(var.astype(np.float64) + eps)
        y = self.writer.op("sub", [x, channel(mean)], x.shape)
        y = self.mul(y, channel(factor), x.shape)
        return self.writer.op("add", [y, channel(bias)], x.shape)

    def clamp(self, x, low, high):
        return self.writer.op(
            "clamp", [x], x.shape,
            f"max_val = {float(high)!r} : f32, min_val = {float(low)!r} : f32")

    def clip(self, node):
        attrs = _attrs(node)
        low, high = attrs.get("min", -FLOAT_MAX), attrs.get("max", FLOAT_MAX)
        for index, default in ((1, None), (2, None)):
            if len(node.input) > index and node.input[index]:
                value = self.constant(node.input[index])
                if value is None:
                    self.fail(node, "min/max must be constants")
                if index == 1:
                    low = float(value)
                else:
                    high = float(value)
        return self.clamp(self.activation(node, node.input[0]),
                          max(low, -FLOAT_MAX), min(high, FLOAT_MAX))

    def elementwise(self, node):
        names = node.input[:2]
        ranks = [len(self.values[n].shape) for n in names if n in self.values]
        if not ranks:
            self.fail(node, "both operands are constants")
        rank = max(ranks)
        a, b = (self.broadcast_rank(self.operand(node, n, rank), rank)
                for n in names)
        if len(a.shape) != len(b.shape):
            self.fail(node, f"cannot broadcast {a.shape} with {b.shape}")
        shape = [max(p, q) for p, q in zip(a.shape, b.shape)]
        if node.op_type == "Mul":
            return self.mul(a, b, shape)
        return self.writer.op(node.op_type.lower(), [a, b], shape)

    def tosa_axis(self, node, x, onnx_axis):
        rank = len(x.shape)
        if not -rank <= onnx_axis < rank:
            self.fail(node, f"axis {onnx_axis} is out of range for rank {rank}")
        axis = onnx_axis % rank
        return NHWC_AXIS[axis] if rank == 4 else axis

    def unary(self, node):
        x = self.activation(node, node.input[0])
        return self.writer.op(node.op_type.lower(), [x], x.shape)

    def leaky_relu(self, node):
        x = self.activation(node, node.input[0])
        alpha = _attrs(node).get("alpha", 0.01)
        if not 0 <= alpha <= 1:
            self.fail(node, f"alpha={alpha} is not in [0, 1]")
        scaled = self.mul(
            x, self.broadcast_constant(np.float32(alpha), len(x.shape)),
            x.shape)
        return self.writer.op("maximum", [x, scaled], x.shape)

    def div(self, node):
        divisor = self.constant(node.input[1])
        if divisor is None:
            # x * reciprocal(y), broadcasting as Mul does.
            y = self.activation(node, node.input[1])
            inverse = f"{node.output[0]}#reciprocal"
            self.values[inverse] = self.writer.op("reciprocal", [y], y.shape)
            return self.elementwise(self.with_inputs(
                node, "Mul", [node.input[0], inverse]))
        if np.any(divisor == 0):
            self.fail(node, "division by zero")
        x = self.activation(node, node.input[0])
        reciprocal = self.broadcast_constant(1.0 / divisor.astype(np.float64),
                                             len(x.shape))
        return self.mul(x, reciprocal, x.shape)

    def transpose_node(self, node):
        constant = self.constant(node.input[0])
        if constant is not None:  # folded: weights stored transposed
            perm = _attrs(node).get("perm", range(constant.ndim)[::-1])
            self.constants[node.output[0]] = np.transpose(constant, perm)
            return None
        x = self.activation(node, node.input[0])
        rank = len(x.shape)
        perm = list(_attrs(node).get("perm", range(rank)[::-1]))
        if sorted(perm) != list(range(rank)):
            self.fail(node, f"perm {perm} is not a permutation of {rank} axes")
        # internal -> ONNX layout -> perm -> internal layout, as one transpose
        to_onnx = TO_NCHW if rank == 4 else tuple(range(rank))
        to_internal = TO_NHWC if rank == 4 else tuple(range(rank))
        combined = [to_onnx[perm[to_internal[i]]] for i in range(rank)]
        if combined == list(range(rank)):
            return x
        return self.transpose(x, combined)

    def concat(self, node):
        inputs = [self.activation(node, n) for n in node.input]
        ranks = {len(x.shape) for x in inputs}
        if len(ranks) != 1:
            self.fail(node, "inputs of different ranks")
        axis = self.tosa_axis(node, inputs[0], _attrs(node)["axis"])
        shape = list(inputs[0].shape)
        shape[axis] = sum(x.shape[axis] for x in inputs)
        return self.writer.op("concat", inputs, shape, f"axis = {axis} : i32")

    def softmax(self, node):
        x = self.activation(node, node.input[0])
        axis = self.tosa_axis(node, x, _attrs(node).get("axis", -1))
        reduced = list(x.shape)
        reduced[axis] = 1
        attr = f"axis = {axis} : i32"
        peak = self.writer.op("reduce_max", [x], reduced, attr)
        e = self.writer.op("exp", [self.writer.op("sub", [x, peak], x.shape)],
                           x.shape)
        total = self.writer.op("reduce_sum", [e], reduced, attr)
        return self.mul(e, self.writer.op("reciprocal", [total], reduced),
                        x.shape)

    def global_max_pool(self, node):
        x = self.activation(node, node.input[0])
        if len(x.shape) != 4:
            self.fail(node, "only 2-D pooling is supported")
        _, h, w, c = x.shape
        return self.writer.op(
            "max_pool2d", [x], [x.shape[0], 1, 1, c],
            f"kernel = array<i64: {h}, {w}>, pad = array<i64: 0, 0, 0, 0>, "
            "stride = array<i64: 1, 1>")

    def broadcast_rank(self, x, rank):
        """A lower-rank activation reshaped with leading 1s (ONNX
        broadcasting aligns the last dimensions), in the TOSA layout."""
        if len(x.shape) >= rank:
            return x
        y = self.reshape(x, (1,) * (rank - len(x.shape)) + x.shape)
        return self.transpose(y, TO_NHWC) if rank == 4 else y

    def pool(self, node):
        attrs = _attrs(node)
        x = self.activation(node, node.input[0])
        if len(x.shape) == 3 and len(attrs.get("kernel_shape", [])) == 1:
            return self.one_d_as_2d(node, self.pool)
        if len(x.shape) != 4 or len(attrs.get("kernel_shape", [])) != 2:
            self.fail(node, "only 2-D pooling is supported")
        kernel = list(attrs["kernel_shape"])
        strides = list(attrs.get("strides", [1, 1]))
        if list(attrs.get("dilations", [1, 1])) != [1, 1]:
            self.fail(node, "dilated pooling is not supported")
        pad = self.pads_2d(node, attrs, kernel, strides, [1, 1], x.shape[1:3])
        if attrs.get("ceil_mode", 0):
            # One more output where a last window starts inside the input:
            # pad the end so that the floor formula counts it (TOSA ignores
            # padding in averages and maxima, as ONNX does here).
            for a in (0, 1):
                span = x.shape[1 + a] + pad[2 * a] + pad[2 * a + 1] - kernel[a]
                extra = -span % strides[a]
                if extra and (span + extra) // strides[a] * strides[a] < \
                        x.shape[1 + a] + pad[2 * a]:
                    pad[2 * a + 1] += extra
        x, pad = self.fit_stride(x, pad, kernel, strides, [1, 1])
        if node.op_type == "AveragePool" and attrs.get(
                "count_include_pad", 0) and any(pad):
            # TOSA averages over valid elements only: pad explicitly.
            padding, t = self.writer.shape([0, 0, pad[0], pad[1], pad[2],
                                            pad[3], 0, 0])
            shape = [x.shape[0], x.shape[1] + pad[0] + pad[1],
                     x.shape[2] + pad[2] + pad[3], x.shape[3]]
            x = self.writer.op("pad", [x, padding, self.zero_point()], shape,
                               extra_types=[t])
            pad = [0, 0, 0, 0]
        out_hw = [(x.shape[1 + a] + pad[2 * a] + pad[2 * a + 1] -
                   kernel[a]) // strides[a] + 1 for a in (0, 1)]
        shape = [x.shape[0], *out_hw, x.shape[3]]
        common = (f"kernel = array<i64: {_pairs(kernel)}>, pad = array<i64: "
                  f"{_pairs(pad)}>, stride = array<i64: {_pairs(strides)}>")
        if node.op_type == "MaxPool":
            return self.writer.op("max_pool2d", [x], shape, common)
        zp = self.zero_point()
        return self.writer.op("avg_pool2d", [x, zp, zp], shape,
                              "acc_type = f32, " + common)

    def pad(self, node):
        attrs = _attrs(node)
        mode = attrs.get("mode", b"constant")
        mode = mode.decode() if isinstance(mode, bytes) else mode
        if mode != "constant":
            self.fail(node, f"attribute mode='{mode}' is not supported (only "
                            "'constant')")
        x = self.activation(node, node.input[0])
        pads = self.constant(node.input[1]) if len(node.input) > 1 \
            else np.array(attrs["pads"])
        if pads is None:
            self.fail(node, "pads must be a constant")
        value = float(attrs.get("value", 0.0))  # opset < 11
        if len(node.input) > 2 and node.input[2]:
            constant = self.constant(node.input[2])
            if constant is None:
                self.fail(node, "constant_value must be a constant")
            value = float(constant)
        rank = len(x.shape)
        pairs = [(int(pads[i]), int(pads[i + rank])) for i in range(rank)]
        if rank == 4:
            pairs = [pairs[p] for p in TO_NHWC]
        if any(b < 0 or e < 0 for b, e in pairs):
            self.fail(node, "negative pads are not supported")
        padding, t = self.writer.shape([v for pair in pairs for v in pair])
        shape = [d + b + e for d, (b, e) in zip(x.shape, pairs)]
        pad_value = self.writer.const(np.full(1, value, np.float32), "pv")
        return self.writer.op("pad", [x, padding, pad_value], shape,
                              extra_types=[t])

    def global_average_pool(self, node):
        x = self.activation(node, node.input[0])
        if len(x.shape) != 4:
            self.fail(node, "only 2-D pooling is supported")
        _, h, w, c = x.shape
        zp = self.zero_point()
        return self.writer.op(
            "avg_pool2d", [x, zp, zp], [x.shape[0], 1, 1, c],
            f"acc_type = f32, kernel = array<i64: {h}, {w}>, pad = array<i64: "
            "0, 0, 0, 0>, stride = array<i64: 1, 1>")

    def to_onnx_layout(self, x):
        """x in ONNX's element order (NCHW for rank 4)."""
        if len(x.shape) == 4 and x.shape[1:3] != (1, 1):
            return self.transpose(x, TO_NCHW)
        if len(x.shape) == 4:  # N x 1 x 1 x C: same order as N x C x 1 x 1
            return self.reshape(x, [x.shape[0], x.shape[3], 1, 1])
        return x

    def flatten(self, node):
        x = self.activation(node, node.input[0])
        axis = _attrs(node).get("axis", 1)
        x = self.to_onnx_layout(x)
        outer = int(np.prod(x.shape[:axis]))
        return self.reshape(x, [outer, int(np.prod(x.shape[axis:]))])

    def reshape_node(self, node):
        x = self.activation(node, node.input[0])
        target = self.constant(node.input[1])
        if target is None:
            self.fail(node, "the shape must be a constant")
        x = self.to_onnx_layout(x)
        shape = [int(d) for d in target]
        shape = [x.shape[i] if d == 0 else d for i, d in enumerate(shape)]
        if -1 in shape:
            known = int(np.prod([d for d in shape if d != -1]))
            shape[shape.index(-1)] = int(np.prod(x.shape)) // known
        if int(np.prod(shape)) != int(np.prod(x.shape)):
            self.fail(node, f"cannot reshape {x.shape} to {shape}")
        y = self.reshape(x, shape)
        if len(shape) == 4:
            y = self.transpose(y, TO_NHWC)
        return y

    # -- driver -----------------------------------------------------------
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
            dims = [d.dim_value if d.HasField("dim_value") else self.batch
                    for d in info.type.tensor_type.shape.dim]
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
                    _attrs(node)["value"])
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
