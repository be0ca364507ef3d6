# Prepares the face-mask classifier (MobileNetV2, Keras → ONNX) for photocheck:
# 1. its 7×7 AveragePool (valid only for a 224 input) becomes GlobalAveragePool, so the network
#    runs at smaller inputs too (the same function at 224);
# 2. the pooled 1280-value embedding is declared as a second output, for learned attribute heads.
# Weights are untouched. Usage: python3 mask_any_size.py face_mask_mnv2_224.onnx OUT.onnx
import sys
import onnx
from onnx import helper, TensorProto

src, dst = sys.argv[1], sys.argv[2]
m = onnx.load(src)
pooled = None
for n in m.graph.node:
    if n.op_type == "AveragePool":
        n.op_type = "GlobalAveragePool"
        del n.attribute[:]
        pooled = n.output[0]
assert pooled, "no AveragePool found"
m.graph.output.append(helper.make_tensor_value_info(pooled, TensorProto.FLOAT, [1, 1280, 1, 1]))
dims = m.graph.input[0].type.tensor_type.shape.dim
for d, name in ((dims[1], "height"), (dims[2], "width")):
    d.ClearField("dim_value")
    d.dim_param = name
onnx.checker.check_model(m)
onnx.save(m, dst)
