"""Convert a TensorFlow.js graph model (model.json + weight shards) to ONNX without the tensorflowjs
package: rebuild the frozen GraphDef from the JSON topology and the weights manifest, rewrite the
fused ops only TFJS has (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul, Prelu) into plain
TensorFlow ops, then hand the graph to tf2onnx.

usage: tfjs_graph_to_onnx.py MODEL.json OUT.onnx [--opset 13]
Needs tensorflow-cpu 2.15 and tf2onnx (see ../reproduce.sh).
"""
import argparse
import json
import os

import numpy as np
import tensorflow as tf
import tf2onnx
from google.protobuf import json_format
from tensorflow.core.framework import attr_value_pb2, graph_pb2, node_def_pb2

FLOAT = tf.float32.as_datatype_enum


def load_weights(manifest, folder):
    """Every weight named in the manifest, dequantised to its declared dtype."""
    dtypes = {"float32": np.float32, "int32": np.int32, "bool": np.bool_}
    weights = {}
    for group in manifest:
        data = b"".join(open(os.path.join(folder, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            count = int(np.prod(w["shape"])) if w["shape"] else 1
            quant = w.get("quantization")
            if quant and quant["dtype"] == "float16":
                values = np.frombuffer(data, np.float16, count, offset).astype(np.float32)
                offset += 2 * count
            elif quant:
                stored = {"uint8": np.uint8, "uint16": np.uint16}[quant["dtype"]]
                raw = np.frombuffer(data, stored, count, offset)
                offset += raw.itemsize * count
                values = raw.astype(np.float32) * quant["scale"] + quant["min"]
            else:
                dtype = dtypes[w["dtype"]]
                values = np.frombuffer(data, dtype, count, offset)
                offset += np.dtype(dtype).itemsize * count
            weights[w["name"]] = values.astype(dtypes[w["dtype"]]).reshape(w["shape"])
    return weights


class Rewriter:
    """Collects the rewritten node list."""

    def __init__(self):
        self.nodes = []

    def add(self, name, op, inputs, attrs=None):
        node = node_def_pb2.NodeDef(name=name, op=op, input=list(inputs))
        node.attr["T"].type = FLOAT
        for key, value in (attrs or {}).items():
            node.attr[key].CopyFrom(value)
        self.nodes.append(node)

    def prelu(self, name, x, alpha):
        # PRelu(x) = relu(x) - alpha * relu(-x), from ops every converter knows.
        self.add(name + "/positive", "Relu", [x])
        self.add(name + "/negated", "Neg", [x])
        self.add(name + "/negative", "Relu", [name + "/negated"])
        self.add(name + "/scaled", "Mul", [alpha, name + "/negative"])
        self.add(name, "Sub", [name + "/positive", name + "/scaled"])

    def fused(self, node, core_op, core_attrs):
        """A fused op becomes its core op followed by each fused tail op, the last one keeping the
        original name so consumers stay wired."""
        self.add(node.name + "/core", core_op, node.input[:2], core_attrs)
        tails = [t.decode() for t in node.attr["fused_ops"].list.s]
        extra = list(node.input[2:])
        current = node.name + "/core"
        for i, op in enumerate(tails):
            name = node.name if i == len(tails) - 1 else f"{node.name}/{op}"
            if op == "BiasAdd":
                attrs = {"data_format": node.attr["data_format"]} if "data_format" in node.attr else {}
                self.add(name, "BiasAdd", [current, extra.pop(0)], attrs)
            elif op in ("Relu", "Relu6", "Elu", "Sigmoid", "Tanh"):
                self.add(name, op, [current])
            elif op == "LeakyRelu":
                self.add(name, "LeakyRelu", [current], {"alpha": attr_value_pb2.AttrValue(f=node.attr["leakyrelu_alpha"].f)})
            elif op == "Prelu":
                self.prelu(name, current, extra.pop(0))
            else:
                raise SystemExit(f"fused op {op} in {node.name} is not handled")
            current = name
        if tails == []:
            self.nodes[-1].name = node.name


def main():
    args = argparse.ArgumentParser()
    args.add_argument("model")
    args.add_argument("out")
    args.add_argument("--opset", type=int, default=13)
    a = args.parse_args()

    spec = json.load(open(a.model))
    graph = graph_pb2.GraphDef()
    json_format.ParseDict(spec["modelTopology"], graph, ignore_unknown_fields=True)
    by_name = {n.name: n for n in graph.node}
    for name, values in load_weights(spec["weightsManifest"], os.path.dirname(os.path.abspath(a.model))).items():
        node = by_name[name]
        node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(values))
        node.attr["dtype"].type = tf.as_dtype(values.dtype).as_datatype_enum

    out = Rewriter()
    for node in graph.node:
        if node.op == "_FusedConv2D":
            keep = ("strides", "padding", "data_format", "dilations", "explicit_paddings")
            out.fused(node, "Conv2D", {k: node.attr[k] for k in keep if k in node.attr})
        elif node.op in ("FusedDepthwiseConv2dNative", "_FusedDepthwiseConv2dNative"):
            keep = ("strides", "padding", "data_format", "dilations")
            out.fused(node, "DepthwiseConv2dNative", {k: node.attr[k] for k in keep if k in node.attr})
        elif node.op == "_FusedMatMul":
            keep = ("transpose_a", "transpose_b")
            out.fused(node, "MatMul", {k: node.attr[k] for k in keep if k in node.attr})
        elif node.op == "Prelu":
            out.prelu(node.name, node.input[0], node.input[1])
        else:
            out.nodes.append(node)

    plain = graph_pb2.GraphDef()
    plain.node.extend(out.nodes)
    plain.versions.CopyFrom(graph.versions)
    inputs = [n.name + ":0" for n in plain.node if n.op == "Placeholder"]
    outputs = [o["name"] if ":" in o["name"] else o["name"] + ":0" for o in spec["signature"]["outputs"].values()]
    outputs.sort()
    tf2onnx.convert.from_graph_def(plain, input_names=inputs, output_names=outputs, opset=a.opset, output_path=a.out)
    print("wrote", a.out, "inputs", inputs, "outputs", outputs)


if __name__ == "__main__":
    main()
