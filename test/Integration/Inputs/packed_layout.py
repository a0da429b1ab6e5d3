# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The byte layout of quantx.unpack_weights (docs/Dialect.md), from its
definition, for tests that check the compiler's packing."""

import numpy as np

BITS = {"int4": 4, "int2": 2, "sign": 1}


def decode(fmt, packed, shape, subscales=None, axis=None, block=None,
           codebook=None):
    """Element i is bits [(i % per) * bits, ...) of byte i / per, low bits
    first; two's complement, or 0 -> -1 and 1 -> +1 for `sign`; with a
    `codebook` (2^bits int8 entries), the unsigned code's entry."""
    bits = BITS[fmt]
    per = 8 // bits
    count = int(np.prod(shape))
    assert packed.size == -(-count // per), "packed size is not minimal"
    index = np.arange(count)
    raw = packed.view(np.uint8).astype(np.int64)
    code = (raw[index // per] >> ((index % per) * bits)) & ((1 << bits) - 1)
    if codebook is not None:
        assert fmt != "sign" and codebook.size == 1 << bits
        assert subscales is None
        values = codebook.astype(np.int64)[code]
    elif fmt == "sign":
        values = 2 * code - 1
    else:
        values = np.where(code >= 1 << (bits - 1), code - (1 << bits), code)
    values = values.reshape(shape)
    if subscales is not None:
        assert subscales.min() >= 1
        values = values * np.repeat(subscales.astype(np.int64), block,
                                    axis=axis)
    assert values.min() >= -128 and values.max() <= 127
    return values
