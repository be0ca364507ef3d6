# Exits 0 when two ONNX files hold the same model whatever their byte-level serialisation:
# the same nodes (op, attributes) and the same weights, and the same outputs on random inputs.
# tf2onnx numbers, shares and orders folded constants differently from run to run, so nodes and
# weights are compared as multisets (a weight by its content, not its generated name) and the
# wiring is checked by running both graphs in onnxruntime.
# Usage: python3 compare_onnx.py A.onnx B.onnx
import collections
import hashlib
import sys

import numpy as np
import onnx
import onnxruntime
from onnx import numpy_helper


def weight_key(array):
    return f"{array.dtype}:{array.shape}:{hashlib.sha256(array.tobytes()).hexdigest()}"


def content(model):
    nodes = collections.Counter(
        (n.op_type, tuple(sorted((a.name, str(onnx.helper.get_attribute_value(a))) for a in n.attribute if a.type != onnx.AttributeProto.GRAPH)))
        for n in model.graph.node
    )
    weights = collections.Counter(weight_key(numpy_helper.to_array(i)) for i in model.graph.initializer)
    return nodes, weights


def outputs(path, feeds):
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)


def random_feeds(path, seed):
    session = onnxruntime.InferenceSession(path, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(seed)
    feeds = {}
    for i in session.get_inputs():
        shape = [d if isinstance(d, int) else 64 for d in i.shape]
        feeds[i.name] = rng.random(shape, dtype=np.float32)
    return feeds


a_path, b_path = sys.argv[1:3]
same = content(onnx.load(a_path)) == content(onnx.load(b_path))
if same:
    for seed in range(3):
        feeds = random_feeds(a_path, seed)
        same = same and all(np.array_equal(x, y) for x, y in zip(outputs(a_path, feeds), outputs(b_path, feeds)))
print("equivalent" if same else "DIFFERENT")
sys.exit(0 if same else 1)
