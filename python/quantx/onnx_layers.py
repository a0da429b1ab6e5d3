# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The ONNX importer's layers: Conv (grouped, 1-D), Gemm, MatMul and
BatchNormalization (decomposed, for quant-opt's folding)."""

import copy

import numpy as np

from .mlir_text import Value
from .onnx_common import TO_NHWC, node_attrs, pairs



class LayerOps:
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
        attrs = node_attrs(node)
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
                     f"{pairs(dilations)}>, pad = array<i64: {pairs(pad)}>, "
                     f"stride = array<i64: {pairs(strides)}>")
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
        attrs = node_attrs(node)
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
        eps = node_attrs(node).get("epsilon", 1e-5)
        rank = len(x.shape)
        per_channel = [1, -1] + [1] * (rank - 2)

        def channel(v):
            return self.broadcast_constant(np.asarray(v, np.float32)
                                           .reshape(per_channel), rank)
        factor = scale / np.sqrt(var.astype(np.float64) + eps)
        y = self.writer.op("sub", [x, channel(mean)], x.shape)
        y = self.mul(y, channel(factor), x.shape)
        return self.writer.op("add", [y, channel(bias)], x.shape)
