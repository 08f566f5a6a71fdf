"""Checks Quiver's differential cases against numpy references.

Usage: check.py CASE_DIR

CASE_DIR holds cases.jsonl (one JSON object per case: id, op, attrs, inputs, and outputs or error) and the
.npy/.json files it names. Reference functions come from every ops_*.py module next to this script: each
defines REFERENCES = {"OpType": fn(inputs, attrs) -> list of arrays}, where fn raises ExpectError(substring)
when TensorFlow would fail (or returns (outputs, magnitudes): per-element scales for the relative tolerance,
such as the sum of |terms| for sums, whose rounding error grows with the terms and not with the result), and may define TOLERANCES = {"OpType": (rtol, atol)}. Prints every mismatch and
exits 1 if there is any (or if an op has no reference).
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

from refcommon import ExpectError, compare  # noqa: E402


def load_references():
    refs, tols = {}, {}
    for path in sorted(glob.glob(os.path.join(HERE, "ops_*.py"))):
        name = os.path.splitext(os.path.basename(path))[0]
        spec = importlib.util.spec_from_file_location(name, path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        for op, fn in getattr(mod, "REFERENCES", {}).items():
            if op in refs:
                raise SystemExit(f"op {op} has references in two modules")
            refs[op] = fn
        tols.update(getattr(mod, "TOLERANCES", {}))
    return refs, tols


def load(case_dir, name):
    path = os.path.join(case_dir, name)
    if name.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
        return np.array(d["values"], dtype=object).reshape(d["shape"])
    return np.load(path)


def main():
    case_dir = sys.argv[1]
    refs, tols = load_references()
    failures, total, errors_expected = [], 0, 0
    per_op = {}
    with open(os.path.join(case_dir, "cases.jsonl"), encoding="utf-8") as f:
        cases = [json.loads(line) for line in f if line.strip()]
    for case in cases:
        total += 1
        op = case["op"]
        per_op[op] = per_op.get(op, 0) + 1
        label = f"case {case['id']} {op} attrs={case['attrs']}"
        if op not in refs:
            failures.append(f"{label}: no numpy reference for op {op}")
            continue
        inputs = [load(case_dir, n) for n in case["inputs"]]
        shapes = [tuple(x.shape) for x in inputs]
        dtypes = [str(x.dtype) for x in inputs]
        label += f" inputs={list(zip(dtypes, shapes))}"
        try:
            with np.errstate(all="ignore"):
                expected = refs[op](inputs, case["attrs"])
            magnitudes = [None] * len(expected)
            if isinstance(expected, tuple):
                expected, magnitudes = expected
        except ExpectError as e:
            errors_expected += 1
            if "error" not in case:
                failures.append(f"{label}: TF fails with '{e.fragment}' but Quiver returned a result")
            elif e.fragment not in case["error"]:
                failures.append(f"{label}: TF fails with '{e.fragment}' but Quiver failed with '{case['error']}'")
            continue
        except Exception:
            failures.append(f"{label}: the reference raised\n{traceback.format_exc()}")
            continue
        if "error" in case:
            failures.append(f"{label}: Quiver failed with '{case['error']}' but TF computes a result")
            continue
        got = [load(case_dir, n) for n in case["outputs"]]
        if len(got) != len(expected):
            failures.append(f"{label}: {len(got)} outputs, expected {len(expected)}")
            continue
        rtol, atol = tols.get(op, (None, None))
        for i, (g, e) in enumerate(zip(got, expected)):
            problem = compare(g, np.asarray(e), rtol, atol, magnitudes[i])
            if problem:
                failures.append(f"{label}: output {i}: {problem}\n  inputs: {summarize(inputs)}")
    for fail in failures:
        print("MISMATCH", fail)
    print(f"{total} cases over {len(per_op)} ops ({errors_expected} expected errors), {len(failures)} mismatches")
    sys.exit(1 if failures else 0)


def summarize(inputs):
    out = []
    for x in inputs:
        flat = x.reshape(-1)
        out.append(f"{x.dtype}{list(x.shape)} {flat[:12].tolist()}{' ...' if flat.size > 12 else ''}")
    return "; ".join(out)


if __name__ == "__main__":
    main()
