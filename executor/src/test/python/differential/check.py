"""Checks Quiver's differential cases against numpy references.

Usage: check.py [--no-coverage] CASE_DIR

How it fits together
--------------------
The Java side (dev.quiver.executor.differential.DifferentialSuite and its subclasses, one per op group:
MathDifferentialTest, ArrayDifferentialTest, SparseDifferentialTest) generates cases from a fixed seed (random
shapes with empty and size-1 dims, every broadcasting pattern, values with NaN, +-Inf, -0.0, rounding ties and
the integer extremes, arguments TensorFlow rejects), builds each on placeholders in one Graph (so build-time
inference runs) and runs it in one Session step. It writes CASE_DIR/cases.jsonl (one JSON object per case:
id, op, attrs, inputs, and outputs or error) and the .npy (strings: .json) files it names, then runs this
script, which recomputes every case with numpy and prints every mismatch; the JUnit test passes only if this
exits 0.

References
----------
Every ops_*.py module next to this script must define
  REFERENCES = {"OpType": fn(inputs, attrs) -> list of arrays}
(attrs are the case's, plus "_placeholders": "static", "unknown_dims" or "unknown_rank", what the input
placeholders declared, for references whose TF error differs between build time and run time)
keyed by TF op type (or, for a composite built from several ops, by the TF function name, e.g.
"tf.linalg.tensordot"). A reference raises ExpectError(fragment) when TensorFlow fails on the case (the
fragment must occur, ignoring case, in Quiver's "ExceptionClass: message"), or returns (outputs, magnitudes): per-element
scales for the relative tolerance, such as the sum of |terms| for sums. A module may also define
  TOLERANCES = {"OpType": (rtol, atol)}   float tolerance overriding the default
  BIT_EXACT = {"OpType", ...}             floats compared byte for byte (ops that only move data)
  SIGNED_ZEROS = {"OpType", ...}          a zero result must have the sign TF gives (ops where TF decides it)

Comparison and tolerance table
------------------------------
dtype and shape must always match exactly. Integers, bools and strings: exact (integer overflow wraps, as TF).
Floats: NaN where NaN is expected, equal infinities, otherwise |got - expected| <= atol + rtol * scale
(scale = |expected|, or the reference's magnitude); -0.0 == 0.0 unless the op is BIT_EXACT or SIGNED_ZEROS.
A magnitude of -inf marks an element the arithmetic leaves undefined (a float32 matmul whose products
overflow: inf or NaN by summation order), which is not compared.
  default float32: rtol 2e-6, atol 1e-6      default float64: rtol 1e-12, atol 1e-12
  float32 transcendental (Exp, Tanh, Sigmoid, Pow): rtol 1e-5 (SVML paths are a few ulp off)
  sums, means, products, cumulative ops, AddN, Softmax, matmuls, tensordot: rtol 1e-4 to 1e-5 against a
  float64 reference, scaled by the sum of |terms| (the exact values are in each module's TOLERANCES)
  array ops (ops_array.BIT_EXACT): bit-exact

Coverage guard
--------------
REQUIRED below lists every op the op library promises (issue 4's list, by the TF op type or composite name the
facades build), each with the least number of cases it must get; "Op:string" counts only cases with a string
input, "Op:unknown_dims" and "Op:unknown_rank" only cases on such placeholders, "Op:negative_batch_dims" only
cases with a negative batch_dims (see variants()). Each suite checks the required ops whose reference lives in a module it exercises (so the
math suite checks ops_math's, and so on), and fails naming any op with too few cases. --no-coverage skips the
guard (the checker's own self-test uses it on hand-made manifests).

Adding an op
------------
1. Generate cases in the op group's Java suite: sink.accept(new DifferentialCase("OpType", attrs, inputs)), or
   with a Composite that builds the function from the input placeholders.
2. Add its reference to that group's ops_*.py REFERENCES (and TOLERANCES / BIT_EXACT if needed).
A case whose op has no reference is a failure, so nothing is skipped silently.

tf_crosscheck.py (next to this script; needs TensorFlow) checks the references themselves against TF on a kept
manifest; docs/ops.md says how to run it.
"""
import glob
import importlib.util
import json
import os
import sys
import traceback

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from refcommon import ExpectError, compare, reference_attrs  # noqa: E402


MIN_CASES = 12
MIN_STRING_CASES = 6

REQUIRED = {op: MIN_CASES for op in [
    # elementwise binary
    "AddV2", "Sub", "Mul", "RealDiv", "tf.math.truediv", "FloorDiv", "FloorMod", "Pow", "Maximum", "Minimum",
    "SquaredDifference", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd",
    "LogicalOr", "tf.math.logical_xor", "SelectV2",
    # elementwise unary
    "Neg", "Abs", "Sign", "Square", "Sqrt", "Rsqrt", "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos", "Tan", "Tanh",
    "Sigmoid", "Relu", "Relu6", "Elu", "Softplus", "Floor", "Ceil", "Round", "LogicalNot", "IsNan", "IsInf",
    "IsFinite", "Cast", "AddN",
    # reductions
    "Sum", "Mean", "Max", "Min", "Prod", "All", "Any", "ArgMax", "ArgMin", "Cumsum", "Softmax", "LogSoftmax",
    "tf.nn.softmax", "tf.nn.log_softmax",
    # linear algebra
    "MatMul", "BatchMatMul", "BatchMatMulV2", "tf.linalg.tensordot",
    # shape and indexing
    "Reshape", "Transpose", "ExpandDims", "Squeeze", "ConcatV2", "Pack", "Unpack", "Split", "SplitV", "Slice",
    "StridedSlice", "GatherV2", "GatherNd", "tf.gather_nd", "ScatterNd", "Tile", "Pad", "PadV2", "MirrorPad",
    "ReverseV2", "OneHot", "Fill", "tf.zeros", "tf.ones", "ZerosLike", "OnesLike", "Range", "LinSpace", "Shape",
    "Size", "Rank", "BroadcastTo", "Identity",
    # sparse
    "SparseToDense", "SparseReduceSum", "SparseTensorDenseMatMul",
]}
REQUIRED.update({op + ":string": MIN_STRING_CASES for op in [
    "Identity", "ConcatV2", "GatherV2", "Equal", "NotEqual", "Add", "SelectV2"]})
# paths that need their own cases: placeholders of unknown dims (broadcasting and shape checks at run time),
# tf.math.reduce_* over every axis of an input of unknown rank (Range(0, Rank(x))), negative batch_dims
MIN_PATH_CASES = 4
REQUIRED.update({op + ":unknown_dims": MIN_PATH_CASES for op in [
    "AddV2", "Sub", "Mul", "FloorDiv", "Maximum", "Less", "Equal", "LogicalAnd", "Add", "SelectV2", "BatchMatMul",
    "BatchMatMulV2", "MatMul"]})
REQUIRED.update({op + ":unknown_rank": MIN_PATH_CASES for op in [
    "tf.math.reduce_sum", "tf.math.reduce_mean", "tf.math.reduce_max", "tf.math.reduce_min", "tf.math.reduce_prod",
    "tf.math.reduce_all", "tf.math.reduce_any", "BatchMatMul", "BatchMatMulV2"]})
REQUIRED["GatherV2:negative_batch_dims"] = MIN_PATH_CASES


def variants(case):
    """The REQUIRED suffixes a case counts for besides its plain op: "string" (a string input), its placeholders
    ("unknown_dims", "unknown_rank"), "negative_batch_dims"."""
    found = []
    if any(name.endswith(".json") for name in case["inputs"]):
        found.append("string")
    if case.get("placeholders", "static") != "static":
        found.append(case["placeholders"])
    if isinstance(case["attrs"].get("batch_dims"), int) and case["attrs"]["batch_dims"] < 0:
        found.append("negative_batch_dims")
    return found


def coverage_problems(cases, case_dir, module_of):
    """The required ops of the exercised reference modules that got fewer cases than they need."""
    counts = {}
    for case in cases:
        for key in [case["op"]] + [case["op"] + ":" + v for v in variants(case)]:
            counts[key] = counts.get(key, 0) + 1
    exercised = {module_of[c["op"]] for c in cases if c["op"] in module_of}
    problems = []
    for op, need in sorted(REQUIRED.items()):
        base = op.split(":")[0]
        if base not in module_of:
            problems.append(f"required op {op} has no reference")
        elif module_of[base] in exercised and counts.get(op, 0) < need:
            problems.append(f"required op {op} got {counts.get(op, 0)} cases, needs {need}")
    return problems


def load_references():
    refs, tols, exact, signed = {}, {}, set(), set()
    MODULE_OF.clear()
    for path in sorted(glob.glob(os.path.join(HERE, "ops_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        if not isinstance(getattr(mod, "REFERENCES", None), dict):
            raise SystemExit(f"{name}.py defines no REFERENCES dict")
        for op, fn in mod.REFERENCES.items():
            if op in refs:
                raise SystemExit(f"op {op} has references in two modules")
            refs[op] = fn
            MODULE_OF[op] = name
        tols.update(getattr(mod, "TOLERANCES", {}))
        exact |= set(getattr(mod, "BIT_EXACT", ()))
        signed |= set(getattr(mod, "SIGNED_ZEROS", ()))
    return refs, tols, exact, signed


MODULE_OF = {}  # op -> the ops_*.py module holding its reference, filled by load_references


def load(case_dir, name):
    path = os.path.join(case_dir, name)
    if name.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return np.array(d["values"], dtype=object).reshape(d["shape"])
    return np.load(path)


def check(case, case_dir, refs, tols, exact, signed):
    """Returns (problem or None, whether TF fails on the case)."""
    op = case["op"]
    label = f"case {case['id']} {op} attrs={case['attrs']}"
    if op not in refs:
        return f"{label}: no numpy reference for op {op}", False
    inputs = [load(case_dir, n) for n in case["inputs"]]
    label += f" inputs={[(str(x.dtype), tuple(x.shape)) for x in inputs]}"
    try:
        with np.errstate(all="ignore"):
            expected = refs[op](inputs, reference_attrs(case))
        magnitudes = [None] * len(expected)
        if isinstance(expected, tuple):
            expected, magnitudes = expected
    except ExpectError as e:
        if "error" not in case:
            return f"{label}: TF fails with '{e.fragment}' but Quiver returned a result", True
        if e.fragment.lower() not in case["error"].lower():
            return f"{label}: TF fails with '{e.fragment}' but Quiver failed with '{case['error']}'", True
        return None, True
    except Exception:
        return f"{label}: the reference raised\n{traceback.format_exc()}", False
    if "error" in case:
        return f"{label}: Quiver failed with '{case['error']}' but TF computes a result", False
    got = [load(case_dir, n) for n in case["outputs"]]
    if len(got) != len(expected):
        return f"{label}: {len(got)} outputs, expected {len(expected)}", False
    rtol, atol = tols.get(op, (None, None))
    for i, (g, e) in enumerate(zip(got, expected)):
        problem = compare(g, np.asarray(e), rtol, atol, magnitudes[i], op in exact, op in signed)
        if problem:
            return f"{label}: output {i}: {problem}\n  inputs: {summarize(inputs)}", False
    return None, False


def main():
    args = sys.argv[1:]
    guard = "--no-coverage" not in args
    case_dir = [a for a in args if a != "--no-coverage"][0]
    refs, tols, exact, signed = load_references()
    failures, errors_expected = [], 0
    per_op = {}
    with open(os.path.join(case_dir, "cases.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    for case in cases:
        per_op[case["op"]] = per_op.get(case["op"], 0) + 1
        problem, tf_fails = check(case, case_dir, refs, tols, exact, signed)
        errors_expected += tf_fails
        if problem:
            failures.append(problem)
    if guard:
        failures += [f"coverage: {p}" for p in coverage_problems(cases, case_dir, MODULE_OF)]
    for fail in failures:
        print("MISMATCH", fail)
    print("cases per op: " + ", ".join(f"{op} {n}" for op, n in sorted(per_op.items())))
    print(f"{len(cases)} cases over {len(per_op)} ops ({errors_expected} expected errors), {len(failures)} mismatches")
    sys.exit(1 if failures else 0)


def summarize(inputs):
    out = []
    for x in inputs:
        flat = x.reshape(-1)
        out.append(f"{x.dtype}{list(x.shape)} {flat[:12].tolist()}{' ...' if flat.size > 12 else ''}")
    return "; ".join(out)


if __name__ == "__main__":
    main()
