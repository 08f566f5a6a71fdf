"""Writes TensorFlow's attribute definitions of the ops Quiver registers, for OpDeclarationsTest to compare with.

Usage (from the repository root; needs a Python with tensorflow, e.g. bench/.venv):
  bench/.venv/bin/python executor/src/test/python/opdefs/tf_op_attrs.py [OpType ...]
Without op types it rewrites the ops the file lists already; with them it writes exactly those. The file is
executor/src/test/resources/dev/quiver/executor/ops/tf_op_attrs.txt, one line per op:
  MatMul: transpose_a bool = false; transpose_b bool = false; T type <- input 0; grad_a bool = false; ...
Each attribute is in the OpDef's order, as
  NAME TYPE required            an attribute without a default that no input argument determines
  NAME TYPE = DEFAULT           one with a default that no input argument determines
  NAME type <- input I          a type attribute: the dtype of input I (negative counts from the end)
  NAME int <- inputs less K     a number attribute: the length of the input list (all inputs but K others)
An attribute bound to an input argument is inferred from the inputs whatever its default (tf.raw_ops and
import_graph_def always set it), so only the binding is written.
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import tensorflow as tf  # noqa: E402,F401
from tensorflow.python.framework import dtypes, op_def_registry  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "resources", "dev", "quiver", "executor", "ops", "tf_op_attrs.txt")
HEADER = ("# TensorFlow " + tf.__version__ + "'s attributes of the ops Quiver registers; written by "
          "executor/src/test/python/opdefs/tf_op_attrs.py, do not edit.\n")


def default_text(v):
    kind = v.WhichOneof("value")
    if kind == "b":
        return "true" if v.b else "false"
    if kind == "i":
        return str(v.i)
    if kind == "f":
        return repr(v.f)
    if kind == "s":
        return '"' + v.s.decode() + '"'
    if kind == "type":
        return dtypes.as_dtype(v.type).name
    if kind == "shape":
        if v.shape.unknown_rank:
            return "<unknown>"
        return "(" + ", ".join("?" if d.size < 0 else str(d.size) for d in v.shape.dim) + ")"
    if kind == "list":
        return "[" + ", ".join(str(i) for i in v.list.i) + "]"
    raise ValueError("no text for default " + str(v))


def attr_line(op_def):
    args = list(op_def.input_arg)
    parts = []
    for a in op_def.attr:
        text = None
        for k, arg in enumerate(args):
            lists_before = any(b.number_attr or b.type_list_attr for b in args[:k])
            if arg.number_attr == a.name:
                text = "%s int <- inputs less %d" % (a.name, len(args) - 1)
            elif arg.type_attr == a.name:
                text = "%s type <- input %d" % (a.name, k - len(args) if lists_before else k)
            if text:
                break
        if text is None:
            text = a.name + " " + a.type + (" = " + default_text(a.default_value) if a.HasField("default_value")
                                             else " required")
        parts.append(text)
    return op_def.name + ":" + ("" if not parts else " " + "; ".join(parts))


def main(argv):
    names = argv[1:]
    if not names:
        with open(OUT) as f:
            names = [line.split(":")[0] for line in f if line.strip() and not line.startswith("#")]
    lines = []
    for name in sorted(set(names)):
        op_def = op_def_registry.get(name)
        if op_def is None:
            raise SystemExit("TensorFlow has no op " + name)
        lines.append(attr_line(op_def))
    with open(OUT, "w") as f:
        f.write(HEADER)
        f.write("\n".join(lines) + "\n")
    print("wrote %d ops to %s" % (len(lines), os.path.normpath(OUT)))


if __name__ == "__main__":
    main(sys.argv)
