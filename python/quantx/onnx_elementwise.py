# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The ONNX importer's elementwise operators: Relu/Clip clamps, Add, Sub,
Mul, Div, Sigmoid, Tanh, LeakyRelu and Softmax."""

import numpy as np

from .onnx_common import (FLOAT_MAX, NHWC_AXIS, TO_NHWC, node_attrs)



class ElementwiseOps:
    def clamp(self, x, low, high):
        return self.writer.op(
            "clamp", [x], x.shape,
            f"max_val = {float(high)!r} : f32, min_val = {float(low)!r} : f32")

    def clip(self, node):
        attrs = node_attrs(node)
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
        alpha = node_attrs(node).get("alpha", 0.01)
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

    def softmax(self, node):
        x = self.activation(node, node.input[0])
        axis = self.tosa_axis(node, x, node_attrs(node).get("axis", -1))
        reduced = list(x.shape)
        reduced[axis] = 1
        attr = f"axis = {axis} : i32"
        peak = self.writer.op("reduce_max", [x], reduced, attr)
        e = self.writer.op("exp", [self.writer.op("sub", [x, peak], x.shape)],
                           x.shape)
        total = self.writer.op("reduce_sum", [e], reduced, attr)
        return self.mul(e, self.writer.op("reciprocal", [total], reduced),
                        x.shape)

    def broadcast_rank(self, x, rank):
        """A lower-rank activation reshaped with leading 1s (ONNX
        broadcasting aligns the last dimensions), in the TOSA layout."""
        if len(x.shape) >= rank:
            return x
        y = self.reshape(x, (1,) * (rank - len(x.shape)) + x.shape)
        return self.transpose(y, TO_NHWC) if rank == 4 else y
