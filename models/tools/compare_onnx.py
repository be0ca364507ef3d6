# Exits 0 when two ONNX files hold the same graph (ops, wiring, attributes) and identical weights,
# whatever their byte-level serialisation. Usage: python3 compare_onnx.py A.onnx B.onnx
import sys
import numpy as np
import onnx
from onnx import numpy_helper

a, b = (onnx.load(p) for p in sys.argv[1:3])
def nodes(m):
    return [(n.op_type, list(n.input), list(n.output), sorted((x.name, str(onnx.helper.get_attribute_value(x))) for x in n.attribute)) for n in m.graph.node]
def inits(m):
    return {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
ia, ib = inits(a), inits(b)
same = nodes(a) == nodes(b) and ia.keys() == ib.keys() and all(np.array_equal(ia[k], ib[k]) for k in ia)
print("equivalent" if same else "DIFFERENT")
sys.exit(0 if same else 1)
