# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Writes float TOSA (MLIR 22) as text: one `func.func @main`."""

import numpy as np

_ELEMENT_TYPES = {
    np.dtype(np.float32): "f32",
    np.dtype(np.int8): "i8",
    np.dtype(np.int32): "i32",
}


def tensor_type(shape, element="f32"):
    dims = "x".join(str(int(d)) for d in shape)
    return f"tensor<{dims}x{element}>" if dims else f"tensor<{element}>"


def dense(array):
    """An exact dense attribute: raw little-endian bytes in hex."""
    array = np.ascontiguousarray(array)
    element = _ELEMENT_TYPES[array.dtype]
    type_ = tensor_type(array.shape, element)
    if array.size == 1:
        value = array.reshape(()).item()
        text = repr(float(value)) if element == "f32" else str(int(value))
        if element == "f32" and not np.isfinite(value):
            text = '"0x' + array.astype("<f4").tobytes().hex().upper() + '"'
        return f"dense<{text}> : {type_}"
    data = array.astype(array.dtype.newbyteorder("<")).tobytes().hex().upper()
    return f'dense<"0x{data}"> : {type_}'


class Value:
    """An SSA value of the function being written."""

    def __init__(self, name, shape, element="f32"):
        self.name = name
        self.shape = tuple(int(d) for d in shape)
        self.element = element

    @property
    def type(self):
        return tensor_type(self.shape, self.element)


# Ops whose precision can be chosen per layer (quantx-set-precision).
_LAYER_OPS = ("conv2d", "depthwise_conv2d", "matmul")


def _escape(text):
    """`text` inside an MLIR string literal: quotes, backslashes and
    unprintable characters as \\XX escapes of their UTF-8 bytes."""
    out = []
    for c in text:
        if c.isprintable() and c not in '"\\':
            out.append(c)
        else:
            out.extend("\\%02X" % b for b in c.encode("utf-8"))
    return "".join(out)


class FunctionWriter:
    """Accumulates the body of `func.func @main` in SSA order."""

    def __init__(self):
        self.lines = []
        self.counter = 0
        # The ONNX node the ops emitted next come from, and that of each line.
        self.location = None
        self.line_nodes = []

    def fresh(self, hint="v"):
        self.counter += 1
        return f"%{hint}{self.counter}"

    def emit(self, text):
        self.lines.append("  " + text)
        self.line_nodes.append(self.location)

    def const(self, array, hint="c", attrs=""):
        """A tosa.const; `attrs`: discardable attributes (text)."""
        array = np.asarray(array)
        if array.dtype == np.float64:
            array = array.astype(np.float32)
        name = self.fresh(hint)
        value = Value(name, array.shape, _ELEMENT_TYPES[array.dtype])
        extra = f" {{{attrs}}}" if attrs else ""
        self.emit(f'{name} = "tosa.const"() <{{values = {dense(array)}}}>'
                  f"{extra} : () -> {value.type}")
        return value

    def shape(self, values):
        name = self.fresh("s")
        n = len(values)
        body = ", ".join(str(int(v)) for v in values)
        self.emit(f"{name} = tosa.const_shape {{values = dense<[{body}]> : "
                  f"tensor<{n}xindex>}} : () -> !tosa.shape<{n}>")
        return name, f"!tosa.shape<{n}>"

    def op(self, name, operands, shape, attrs="", extra_types=None,
           element="f32"):
        """`%r = tosa.<name> operands {attrs} : (types) -> type`."""
        result = Value(self.fresh(), shape, element)
        names = ", ".join(o if isinstance(o, str) else o.name for o in operands)
        types = []
        extra = list(extra_types or [])
        for o in operands:
            types.append(extra.pop(0) if isinstance(o, str) else o.type)
        if name in _LAYER_OPS and self.location:
            # The ONNX node's name names the layer (precision files).
            layer = f'quantx.layer = "{_escape(self.location)}"'
            attrs = f"{attrs}, {layer}" if attrs else layer
        attr_text = f" {{{attrs}}}" if attrs else ""
        self.emit(f"{result.name} = tosa.{name} {names}{attr_text} : "
                  f"({', '.join(types)}) -> {result.type}")
        return result

    def function(self, arguments, results):
        args = ", ".join(f"{a.name}: {a.type}" for a in arguments)
        result_types = ", ".join(r.type for r in results)
        returned = ", ".join(r.name for r in results)
        body = "\n".join(self.lines)
        # Line 1 is the signature.
        self.node_by_line = {i + 2: node for i, node in
                             enumerate(self.line_nodes) if node}
        return (f"func.func @main({args}) -> ({result_types}) {{\n{body}\n"
                f"  return {returned} : {result_types}\n}}\n")
