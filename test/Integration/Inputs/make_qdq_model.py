# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""A QDQ ONNX model (what quantization-aware training writes): uint8
activations, per-channel int8 conv weights, QuantizeLinear/DequantizeLinear
around a conv + ReLU. make_qdq_model.py OUT_DIR writes qdq.onnx, qdq.mlir,
x.npy."""
import numpy as np, onnx, sys
from onnx import helper, TensorProto, numpy_helper as nh
import quantx
r=np.random.RandomState(0)
w=r.randint(-127,128,(4,2,3,3)).astype(np.int8)
inits=[nh.from_array(np.array(0.05,np.float32),'s_x'), nh.from_array(np.array(128,np.uint8),'z_x'),
       nh.from_array(w,'w_q'), nh.from_array(np.array([0.01,0.02,0.005,0.03],np.float32),'s_w'),
       nh.from_array(np.zeros(4,np.int8),'z_w'), nh.from_array(r.randn(4).astype(np.float32),'b'),
       nh.from_array(np.array(0.1,np.float32),'s_y'), nh.from_array(np.array(0,np.uint8),'z_y')]
nodes=[helper.make_node('QuantizeLinear',['x','s_x','z_x'],['xq']), helper.make_node('DequantizeLinear',['xq','s_x','z_x'],['xd']),
       helper.make_node('DequantizeLinear',['w_q','s_w','z_w'],['wd'],axis=0),
       helper.make_node('Conv',['xd','wd','b'],['c'],pads=[1,1,1,1]), helper.make_node('Relu',['c'],['r']),
       helper.make_node('QuantizeLinear',['r','s_y','z_y'],['yq']), helper.make_node('DequantizeLinear',['yq','s_y','z_y'],['y'])]
g=helper.make_graph(nodes,'g',[helper.make_tensor_value_info('x',TensorProto.FLOAT,[1,2,5,5])],[helper.make_tensor_value_info('y',TensorProto.FLOAT,[1,4,5,5])],inits)
m=helper.make_model(g, opset_imports=[helper.make_opsetid('',13)])
onnx.save(m, sys.argv[1]+'/qdq.onnx')
open(sys.argv[1]+'/qdq.mlir','w').write(quantx.import_onnx(m))
np.save(sys.argv[1]+'/x.npy', r.randn(4,1,2,5,5).astype(np.float32)*2)
