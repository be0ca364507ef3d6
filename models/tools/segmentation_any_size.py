# Makes the selfie-segmentation graph accept any input size (multiple of 32).
# The converted model upsamples with three Resize ops that carry fixed output `sizes`
# (32, 64, 128 for a 256 input); each is exactly x2, so replacing `sizes` by `scales` = 2 keeps
# the network's arithmetic identical at 256 and lets it run at smaller inputs (photocheck uses 160:
# 3.6 ms instead of 8.8 ms in tract). Weights and every other node are untouched.
# Usage: python3 segmentation_any_size.py mp_selfie_segmentation_256.onnx mp_selfie_segmentation_anysize.onnx
import sys
import numpy as np
import onnx
from onnx import numpy_helper

src, dst = sys.argv[1], sys.argv[2]
m = onnx.load(src)
inits = {i.name: i for i in m.graph.initializer}
m.graph.initializer.append(numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "resize_scales_x2"))
for n in m.graph.node:
    if n.op_type == "Resize":
        sizes = numpy_helper.to_array(inits[n.input[3]])
        assert sizes[2] in (32, 64, 128), f"unexpected Resize sizes {sizes}"
        n.input[2] = "resize_scales_x2"
        del n.input[3]
used = {i for n in m.graph.node for i in n.input}
keep = [i for i in m.graph.initializer if i.name in used]
del m.graph.initializer[:]
m.graph.initializer.extend(keep)
for value in (m.graph.input[0], m.graph.output[0]):
    dims = value.type.tensor_type.shape.dim
    for d, name in ((dims[2], "height"), (dims[3], "width")):
        d.ClearField("dim_value")
        d.dim_param = name
onnx.checker.check_model(m)
onnx.save(m, dst)
