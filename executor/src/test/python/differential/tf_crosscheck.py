"""Cross-checks the numpy references against TensorFlow itself, on the differential suite's own cases.

Usage (from the repository root; needs a Python with tensorflow, e.g. bench/.venv):
  mvn -B -q -pl executor -am verify -Dtest='*DifferentialTest' -Dsurefire.failIfNoSpecifiedTests=false \
      -Dquiver.differential.keep=true          # prints "differential cases kept in DIR" per suite
  bench/.venv/bin/python executor/src/test/python/differential/tf_crosscheck.py DIR [DIR ...]

Why: check.py compares Quiver with numpy references, so a reference that reproduces a Quiver bug lets the bug
pass. This script recomputes every case of a kept manifest (cases.jsonl) twice, with its reference and with
TensorFlow, and reports each case where they disagree: one fails and the other does not, a TF error whose
message lacks the reference's fragment, or outputs that differ beyond the reference's tolerance (the table in
check.py). TF runs each case the way the suite runs Quiver: a tf.compat.v1 Graph with a placeholder of the
exact dtype and shape per input, or of the rank only or nothing as the case's "placeholders" says (so
build-time shape inference sees the same thing), one Session.run feeding the inputs. Op cases call tf.raw_ops.<OpType> (inputs in OpDef order, the case's attrs by name); composite
cases ("tf.linalg.tensordot", ...) call the TF Python function named in COMPOSITES.

Known, intended differences between Quiver and TF are listed in KNOWN_DIFFERENCES with their reason (see also
docs/ops.md); cases they cover are counted, not reported. Exit status 1 if anything else disagrees.
The default test command never runs this (the test venv has no TensorFlow).
"""
import inspect
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework import op_def_registry  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from check import load, load_references  # noqa: E402
from refcommon import ExpectError, compare, reference_attrs  # noqa: E402

tf1 = tf.compat.v1
tf1.disable_eager_execution()

# Python parameter names of raw ops whose attr is called differently in the OpDef.
ATTR_ALIASES = {"Squeeze": {"squeeze_dims": "axis"}}


def _dt(name):
    return tf.as_dtype(name)


COMPOSITES = {
    "tf.linalg.tensordot": lambda x, at: [tf.tensordot(x[0], x[1], at["axes"] if "axes" in at
                                                       else [list(at["axes_a"]), list(at["axes_b"])])],
    "tf.math.truediv": lambda x, at: [tf.math.truediv(x[0], x[1])],
    "tf.math.logical_xor": lambda x, at: [tf.math.logical_xor(x[0], x[1])],
    "tf.zeros": lambda x, at: [tf.zeros(at["shape"], _dt(at["dtype"]))],
    "tf.ones": lambda x, at: [tf.ones(at["shape"], _dt(at["dtype"]))],
    "tf.nn.softmax": lambda x, at: [tf.nn.softmax(x[0], axis=at["axis"])],
    "tf.nn.log_softmax": lambda x, at: [tf.nn.log_softmax(x[0], axis=at["axis"])],
    "tf.gather_nd": lambda x, at: [tf.gather_nd(x[0], x[1], batch_dims=at["batch_dims"])],
    "tf.identity": lambda x, at: [tf.identity(x[0])],
    "tf.math.reduce_sum": lambda x, at: [tf.math.reduce_sum(x[0], keepdims=at["keep_dims"])],
    "tf.math.reduce_mean": lambda x, at: [tf.math.reduce_mean(x[0], keepdims=at["keep_dims"])],
    "tf.math.reduce_max": lambda x, at: [tf.math.reduce_max(x[0], keepdims=at["keep_dims"])],
    "tf.math.reduce_min": lambda x, at: [tf.math.reduce_min(x[0], keepdims=at["keep_dims"])],
    "tf.math.reduce_prod": lambda x, at: [tf.math.reduce_prod(x[0], keepdims=at["keep_dims"])],
    "tf.math.reduce_all": lambda x, at: [tf.math.reduce_all(x[0], keepdims=at["keep_dims"])],
    "tf.math.reduce_any": lambda x, at: [tf.math.reduce_any(x[0], keepdims=at["keep_dims"])],
}


def _narrow_cast_out_of_range(c, x):
    if c["op"] != "Cast" or x[0].dtype.kind != "f" or c["attrs"].get("DstT") not in ("int8", "int16", "uint8"):
        return False
    info = np.iinfo(c["attrs"]["DstT"])
    with np.errstate(all="ignore"):
        t = np.trunc(x[0].astype(np.float64))
    return bool(np.any(~np.isfinite(t) | (t < info.min) | (t > info.max)))


def _float32_product_leaves_range(c, x):
    if c["op"] not in ("Prod", "tf.math.reduce_prod") or x[0].dtype != np.float32 or x[0].size == 0:
        return False
    a = np.abs(x[0].astype(np.float64))
    a = np.where((a == 0) | ~np.isfinite(a), 1.0, a)
    given = np.asarray(x[1]).reshape(-1) if len(x) > 1 else range(x[0].ndim)  # reduce_prod: every axis
    axes = tuple(sorted({int(v) % x[0].ndim for v in given})) if x[0].ndim else ()
    with np.errstate(all="ignore"):
        big = np.max(a, axis=axes) if axes else a
        p = np.prod(a, axis=axes) if axes else a
    return bool(np.any((p > 3.4e38) | (p < 1.2e-38) | (big > 3.4e38)))


# (predicate(case, inputs), reason): cases where Quiver deliberately differs from TF; docs/ops.md lists them.
KNOWN_DIFFERENCES = [
    (_narrow_cast_out_of_range,
     "float to int8/int16/uint8 casts of NaN, Inf or values out of the target's range are undefined behaviour in "
     "TF's C++ (its result changes with the tensor's size: saturating on vector paths, wrapping on scalar ones); "
     "Quiver always truncates to int32 as x86 does and wraps"),
    (lambda c, x: c["op"] == "Round" and x[0].dtype.kind in "iu",
     "TF 2.21's Round kernel returns zeros for int32/int64 (tf.round returns integers unchanged without calling "
     "it); Quiver's Round is the identity on integers, which is what tf.round gives"),
    (_float32_product_leaves_range,
     "Quiver multiplies float32 products in float64, so a partial product that overflows or underflows float32 "
     "in TF (giving inf * 0 = NaN, or 0) stays exact in Quiver until the final rounding"),
]


def _raw_call(op, tensors, attrs):
    fn = getattr(tf.raw_ops, op)
    op_def = op_def_registry.get(op)
    params = list(inspect.signature(fn).parameters)
    kwargs = {}
    pos = 0
    for arg, pname in zip(op_def.input_arg, params):
        if arg.number_attr:
            n = int(attrs[arg.number_attr])
            kwargs[pname] = tensors[pos:pos + n]
            pos += n
        elif arg.type_list_attr:
            kwargs[pname] = tensors[pos:]
            pos = len(tensors)
        else:
            kwargs[pname] = tensors[pos]
            pos += 1
    aliases = ATTR_ALIASES.get(op, {})
    for k, v in attrs.items():
        pname = aliases.get(k, k)
        if pname not in params or pname in kwargs:
            continue  # inferred by TF from the inputs (T, N, SrcT, Tidx, ...) or not a TF attr
        attr_def = next((a for a in op_def.attr if a.name == k), None)
        if attr_def is not None and attr_def.type == "type":
            v = _dt(v)
        kwargs[pname] = v
    out = fn(**kwargs)
    if isinstance(out, (list, tuple)):
        return list(out)
    if hasattr(out, "op") and len(out.op.outputs) > 1:
        return list(out.op.outputs)
    return [out]


def _feedable(x):
    if x.dtype == object:
        return np.vectorize(lambda s: s.encode("utf-8"), otypes=[object])(x) if x.size else x.astype(object)
    return x


def run_tf(case, inputs):
    """TF's outputs for the case as numpy arrays, or the exception TF raised (building or running)."""
    g = tf.Graph()
    with g.as_default():
        try:
            declared = case.get("placeholders", "static")
            phs = [tf1.placeholder(tf.string if x.dtype == object else tf.as_dtype(x.dtype),
                                   x.shape if declared == "static" else [None] * x.ndim
                                   if declared == "unknown_dims" else None) for x in inputs]
            if case["op"] in COMPOSITES:
                outs = COMPOSITES[case["op"]](phs, case["attrs"])
            else:
                outs = _raw_call(case["op"], phs, case["attrs"])
        except Exception as e:  # noqa: BLE001 - TF's build-time TypeError/ValueError/InvalidArgumentError
            return e
        try:
            with tf1.Session(graph=g) as s:
                got = s.run(outs, {p: _feedable(x) for p, x in zip(phs, inputs)})
        except Exception as e:  # noqa: BLE001
            return e
    res = []
    for v in got:
        v = np.asarray(v)
        if v.dtype == object or v.dtype.kind == "S":
            v = np.vectorize(lambda b: b.decode("utf-8") if isinstance(b, bytes) else b, otypes=[object])(v) \
                if v.size else v.astype(object)
        res.append(v)
    return res


def _tf_message(e):
    lines = [ln for ln in str(e).splitlines() if ln.strip() and not ln.startswith("  ")]
    return f"{type(e).__name__}: " + " | ".join(lines)[:400]


def _fragment_matches(fragment, e):
    if fragment == "InvalidArgumentException":
        # the reference only says "InvalidArgument": TF reports it as InvalidArgumentError when running, and as
        # ValueError (a shape function's InvalidArgument) when building
        return isinstance(e, (tf.errors.InvalidArgumentError, ValueError))
    return fragment.lower() in str(e).lower()


def crosscheck(case, case_dir, refs, tols, exact, signed):
    """None when reference and TF agree, else a description."""
    op = case["op"]
    inputs = [load(case_dir, n) for n in case["inputs"]]
    for pred, _ in KNOWN_DIFFERENCES:
        if pred(case, inputs):
            return "known"
    label = (f"case {case['id']} {op} attrs={case['attrs']} "
             f"inputs={[(str(x.dtype), tuple(x.shape)) for x in inputs]}")
    try:
        with np.errstate(all="ignore"):
            expected = refs[op](inputs, reference_attrs(case))
        magnitudes = [None] * len(expected)
        if isinstance(expected, tuple):
            expected, magnitudes = expected
        ref_error = None
    except ExpectError as e:
        expected, ref_error = None, e.fragment
    got = run_tf(case, inputs)
    if isinstance(got, Exception):
        if ref_error is None:
            return f"{label}: TF fails ({_tf_message(got)}) but the reference computes a result"
        if not _fragment_matches(ref_error, got):
            return f"{label}: the reference expects '{ref_error}', TF fails with {_tf_message(got)}"
        return None
    if ref_error is not None:
        return f"{label}: the reference expects '{ref_error}' but TF computes a result"
    if len(got) != len(expected):
        return f"{label}: TF gives {len(got)} outputs, the reference {len(expected)}"
    rtol, atol = tols.get(op, (None, None))
    for i, (g, e) in enumerate(zip(got, expected)):
        problem = compare(g, np.asarray(e), rtol, atol, magnitudes[i], op in exact, op in signed)
        if problem:
            flat = [x.reshape(-1)[:8].tolist() for x in inputs]
            return f"{label}: output {i}: TF vs reference: {problem}\n    inputs: {flat}"
    return None


def main():
    refs, tols, exact, signed = load_references()
    dirs = sys.argv[1:]
    if not dirs:
        raise SystemExit(__doc__)
    problems, known, total = {}, 0, 0
    start = time.time()
    for case_dir in dirs:
        with open(os.path.join(case_dir, "cases.jsonl"), encoding="utf-8") as f:
            cases = [json.loads(line) for line in f if line.strip()]
        for case in cases:
            total += 1
            if case["op"] not in refs:
                problems.setdefault(case["op"], []).append(f"case {case['id']}: no reference")
                continue
            p = crosscheck(case, case_dir, refs, tols, exact, signed)
            if p == "known":
                known += 1
            elif p:
                problems.setdefault(case["op"], []).append(p)
    for op, ps in sorted(problems.items()):
        print(f"== {op}: {len(ps)} disagreements")
        for p in ps[:5]:
            print("   ", p[:700])
    print(f"{total} cases in {time.time() - start:.0f}s: {sum(map(len, problems.values()))} disagreements over "
          f"{len(problems)} ops, {known} cases covered by KNOWN_DIFFERENCES")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
