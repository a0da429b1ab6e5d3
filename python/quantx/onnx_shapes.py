# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The ONNX importer's pooling and data movement: MaxPool, AveragePool,
the global pools, Pad, Transpose, Concat, Flatten and Reshape (NHWC inside,
ONNX's layout at the boundary)."""

import numpy as np

from .onnx_common import TO_NCHW, TO_NHWC, node_attrs, pairs



class ShapeOps:
    def transpose_node(self, node):
        constant = self.constant(node.input[0])
        if constant is not None:  # folded: weights stored transposed
            perm = node_attrs(node).get("perm", range(constant.ndim)[::-1])
            self.constants[node.output[0]] = np.transpose(constant, perm)
            return None
        x = self.activation(node, node.input[0])
        rank = len(x.shape)
        perm = list(node_attrs(node).get("perm", range(rank)[::-1]))
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
        axis = self.tosa_axis(node, inputs[0], node_attrs(node)["axis"])
        shape = list(inputs[0].shape)
        shape[axis] = sum(x.shape[axis] for x in inputs)
        return self.writer.op("concat", inputs, shape, f"axis = {axis} : i32")

    def global_max_pool(self, node):
        x = self.activation(node, node.input[0])
        if len(x.shape) != 4:
            self.fail(node, "only 2-D pooling is supported")
        _, h, w, c = x.shape
        return self.writer.op(
            "max_pool2d", [x], [x.shape[0], 1, 1, c],
            f"kernel = array<i64: {h}, {w}>, pad = array<i64: 0, 0, 0, 0>, "
            "stride = array<i64: 1, 1>")

    def pool(self, node):
        attrs = node_attrs(node)
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
        common = (f"kernel = array<i64: {pairs(kernel)}>, pad = array<i64: "
                  f"{pairs(pad)}>, stride = array<i64: {pairs(strides)}>")
        if node.op_type == "MaxPool":
            return self.writer.op("max_pool2d", [x], shape, common)
        zp = self.zero_point()
        return self.writer.op("avg_pool2d", [x, zp, zp], shape,
                              "acc_type = f32, " + common)

    def pad(self, node):
        attrs = node_attrs(node)
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
        axis = node_attrs(node).get("axis", 1)
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
