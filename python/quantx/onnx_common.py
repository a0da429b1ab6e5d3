# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Names the ONNX importer's operator families share."""

import numpy as np
import onnx

FLOAT_MAX = float(np.finfo(np.float32).max)
TO_NHWC = (0, 2, 3, 1)
TO_NCHW = (0, 3, 1, 2)
# ONNX (NCHW) axis -> TOSA (NHWC) axis of a rank-4 activation.
NHWC_AXIS = {0: 0, 1: 3, 2: 1, 3: 2}


class OnnxImportError(Exception):
    pass


class DynamicDimensionWarning(UserWarning):
    """A model input's dynamic dimension was fixed to the batch size."""


def node_attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def pairs(values):
    return ", ".join(str(int(v)) for v in values)
