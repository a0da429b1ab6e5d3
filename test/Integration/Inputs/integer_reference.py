# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""A numpy interpreter of quant-x's integer-level IR, written from the
definitions in docs/Numerics.md, docs/Dialect.md and the TOSA specification
rather than from the compiler's code: quantize, storage_cast, unpack_weights,
rescale (single rounding) and dequantize; tosa const, const_shape, cast,
pad, reshape, transpose, clamp, greater_equal, select, add, sub, conv2d,
depthwise_conv2d and matmul on integers. Integers are Python ints (numpy object arrays), so no
intermediate can wrap; each op's result is checked against its type's
range (an accumulator that would leave it is an error, not a wrap).

    run(generic_mlir_text, inputs) -> list of outputs

The text is one function in the generic op form
(`quant-opt --mlir-print-op-generic`).
"""

import re

import numpy as np

from packed_layout import decode

OP = re.compile(
    r'^\s*(?:(%[\w#]+) = )?"([\w.]+)"\((.*?)\)(?: <\{(.*?)\}>)?'
    r"(?: \{(.*?)\})? : \((.*?)\) -> (.*)$")
TENSOR = re.compile(r"tensor<((?:\d+x)*)([^>]*?)(?:>|$)")
QUANT = re.compile(r"!quantx\.uniform<(\w+):f32, #quantx\.per_tensor<"
                   r"scale = ([^,]+), zero_point = (-?\d+)>>")


def shape_and_element(type_text):
    dims, element = TENSOR.match(type_text.strip()).groups()
    shape = [int(d) for d in dims.split("x") if d]
    return shape, element


def int_range(element):
    bits = int(element[1:])
    return -(1 << (bits - 1)), (1 << (bits - 1)) - 1


def checked(values, element):
    lo, hi = int_range(element)
    flat = values.reshape(-1)
    assert all(lo <= int(v) <= hi for v in flat), \
        f"a value leaves {element}: [{min(flat)}, {max(flat)}]"
    return values


def parse_dense(props, shape, element):
    body = re.search(r"values = dense<(.*?)> : tensor", props)[1]
    count = int(np.prod(shape)) if shape else 1
    if body.startswith('"0x'):
        raw = bytes.fromhex(body[3:-1])
        dtype = {"i8": "<i1", "i16": "<i2", "i32": "<i4", "f32": "<f4",
                 "index": "<i8"}[element]
        data = np.frombuffer(raw, dtype=dtype)
    else:
        numbers = re.findall(r"-?[\d.]+(?:e[-+]?\d+)?", body)
        data = np.array([float(v) if element == "f32" else int(v)
                         for v in numbers], dtype=object)
    if data.size == 1:
        data = np.repeat(data, count)
    if element == "f32":
        return data.astype(np.float32).reshape(shape)
    return np.array([int(v) for v in data], dtype=object).reshape(shape)


def attr_ints(props, name):
    match = re.search(name + r" = array<i(?:64|32): ([-\d, ]+)>", props)
    return [int(v) for v in match[1].split(",")]


def attr_int(props, name, default=None):
    match = re.search(name + r" = (-?\d+) : i\d+", props)
    return int(match[1]) if match else default


def rescale_single(v, multiplier, shift):
    """(v * m + 2^(s-1)) >> s, arithmetic shift (docs/Numerics.md)."""
    product = v * multiplier + ((1 << (shift - 1)) if shift > 0 else 0)
    return product >> shift


def conv(x, w, bias, izp, wzp, pad, stride, dilation, depthwise):
    """TOSA conv2d (OHWI weights) / depthwise_conv2d (HWCM): padded input
    positions hold the input zero point, so they add nothing."""
    n, h, wd, c = x.shape
    top, bottom, left, right = pad
    padded = np.full((n, h + top + bottom, wd + left + right, c), izp,
                     dtype=object)
    padded[:, top:top + h, left:left + wd, :] = x
    centered = padded - izp
    kh, kw = (w.shape[0], w.shape[1]) if depthwise else (w.shape[1],
                                                         w.shape[2])
    oh = (h + top + bottom - (kh - 1) * dilation[0] - 1) // stride[0] + 1
    ow = (wd + left + right - (kw - 1) * dilation[1] - 1) // stride[1] + 1
    weights = w - wzp
    channels = bias.shape[0]
    out = np.zeros((n, oh, ow, channels), dtype=object)
    for i in range(kh):
        for j in range(kw):
            rows = slice(i * dilation[0],
                         i * dilation[0] + (oh - 1) * stride[0] + 1,
                         stride[0])
            cols = slice(j * dilation[1],
                         j * dilation[1] + (ow - 1) * stride[1] + 1,
                         stride[1])
            window = centered[:, rows, cols, :]
            if depthwise:
                multiplier = w.shape[3]
                tap = weights[i, j].reshape(-1)  # [C * M], channel c*M+m
                out += np.repeat(window, multiplier, axis=3) * tap
            else:
                out += np.tensordot(window, weights[:, i, j, :],
                                    axes=([3], [1]))
    return out + bias


def run(text, inputs):
    values = {}
    args = re.search(r"\^bb0\((.*?)\):", text)[1]
    for name, value in zip(re.findall(r"(%\w+):", args), inputs):
        values[name] = value
    outputs = None
    for line in text.splitlines():
        match = OP.match(line)
        if not match:
            continue
        result, op, operands, props, _, _, result_type = match.groups()
        props = props or ""
        ins = [values.get(o.strip()) for o in operands.split(",")
               if o.strip()]
        if op == "func.return":
            outputs = ins
            continue
        if op == "tosa.const_shape":
            values[result] = [int(v) for v in re.search(
                r"dense<\[?([-\d, ]+)\]?>", props)[1].split(",")]
            continue
        shape, element = shape_and_element(result_type)
        quant = QUANT.search(result_type)
        if op == "tosa.const":
            out = parse_dense(props, shape, element)
        elif op == "quantx.quantize":
            storage, scale, zp = quant.groups()
            lo, hi = int_range(storage)
            x = ins[0].astype(np.float32)
            q = np.rint(x / np.float32(float(scale))) + int(zp)
            q = np.where(np.isnan(x), int(zp), q)
            out = np.clip(q, lo, hi).astype(np.int64).astype(object)
        elif op == "quantx.storage_cast":
            out = ins[0]
        elif op == "quantx.dequantize":
            _, scale, zp = QUANT.search(line.split("->")[0]).groups()
            centered = np.array([int(v) - int(zp) for v in
                                 ins[0].reshape(-1)], dtype=np.float32)
            out = (centered * np.float32(float(scale))).reshape(
                ins[0].shape)
        elif op == "quantx.unpack_weights":
            fmt = re.search(r"packed_format (\w+)", props)[1]
            axis, block = attr_int(props, "axis"), attr_int(props, "block")
            packed = np.array([int(v) for v in ins[0]], dtype=np.int8)
            sub = ins[1] if len(ins) > 1 else None
            out = decode(fmt, packed, shape,
                         None if sub is None else sub.astype(np.int64),
                         axis, block).astype(object)
        elif op == "quantx.rescale":
            m = [int(v) for v in re.search(r"multiplier = \[([-\d, ]+)\]",
                                           props)[1].split(",")]
            s = [int(v) for v in re.search(r"shift = \[([-\d, ]+)\]",
                                           props)[1].split(",")]
            assert "rounding = single" in props, "single rounding only"
            axis = attr_int(props, "axis")
            izp = attr_int(props, "input_zero_point", 0)
            ozp = attr_int(props, "output_zero_point", 0)
            lo, hi = int_range(element)
            lo = max(lo, attr_int(props, "clamp_min", lo))
            hi = min(hi, attr_int(props, "clamp_max", hi))
            x = ins[0]
            out = np.empty(x.shape, dtype=object)
            for index in np.ndindex(*x.shape):
                k = index[axis] if axis is not None else 0
                r = rescale_single(int(x[index]) - izp, m[k], s[k])
                r = min(max(r, -(1 << 31)), (1 << 31) - 1)
                out[index] = min(max(r + ozp, lo), hi)
        elif op == "tosa.cast":
            out = ins[0]
        elif op == "tosa.pad":
            padding = [int(v) for v in ins[1]]
            pairs = [(padding[2 * i], padding[2 * i + 1])
                     for i in range(len(padding) // 2)]
            out = np.pad(ins[0], pairs, constant_values=int(ins[2][0]))
        elif op == "tosa.reshape":
            out = ins[0].reshape(shape)
        elif op == "tosa.transpose":
            out = ins[0].transpose(attr_ints(props, "perms"))
        elif op == "tosa.clamp":
            lo = int(re.search(r"min_val = (-?\d+)", props)[1])
            hi = int(re.search(r"max_val = (-?\d+)", props)[1])
            out = np.array([min(max(int(v), lo), hi)
                            for v in ins[0].reshape(-1)],
                           dtype=object).reshape(ins[0].shape)
        elif op == "tosa.greater_equal":
            out = np.greater_equal(ins[0].astype(np.int64),
                                   ins[1].astype(np.int64))
            values[result] = out
            continue
        elif op == "tosa.select":
            out = np.where(ins[0], ins[1], ins[2])
        elif op in ("tosa.add", "tosa.sub"):
            out = ins[0] + ins[1] if op == "tosa.add" else ins[0] - ins[1]
        elif op in ("tosa.conv2d", "tosa.depthwise_conv2d"):
            out = conv(ins[0], ins[1], ins[2], int(ins[3][0]),
                       int(ins[4][0]), attr_ints(props, "pad"),
                       attr_ints(props, "stride"),
                       attr_ints(props, "dilation"),
                       op == "tosa.depthwise_conv2d")
        elif op == "tosa.matmul":
            a = ins[0] - int(ins[2][0])
            b = ins[1] - int(ins[3][0])
            out = np.matmul(a, b)
        else:
            raise SystemExit(f"integer_reference: no definition of {op}")
        if element.startswith("i") and element != "index":
            out = checked(np.asarray(out, dtype=object), element)
        values[result] = out
    return outputs
