"""numpy reference implementations of Quiver's array ops (TensorFlow op types), for differential tests.

REFERENCE maps a TF op type to fn(inputs, attrs) -> list of numpy outputs; inputs are numpy arrays in the
op's input order, attrs a dict of the op's attributes. A reference raises for inputs TensorFlow rejects.

Run as a script: python ops_array.py CASES.json RESULTS.json, where CASES.json is a list of
{"op", "inputs": [{"dtype", "shape", "data"}], "attrs"} and each result is {"outputs": [...]} or {"error"}.
"""
import json
import sys

import numpy as np


def _axis(a, rank):
    a = int(a)
    if a < -rank or a >= rank:
        raise IndexError("axis %d out of range for rank %d" % (a, rank))
    return a % rank if rank else 0


def transpose(i, at):
    x, perm = i
    if sorted(perm.tolist()) != list(range(x.ndim)):
        raise ValueError("not a permutation")
    return [np.transpose(x, perm)]


def tile(i, at):
    x, m = i
    if len(m) != x.ndim or (m < 0).any():
        raise ValueError("bad multiples")
    return [np.tile(x, m) if x.ndim else x.copy()]


def _pad(mode):
    def fn(i, at):
        x, p = i[0], i[1]
        m = mode or at["mode"]
        if p.shape != (x.ndim, 2) or (p < 0).any():
            raise ValueError("bad paddings")
        if x.ndim == 0:
            return [x.copy()]
        if m == "CONSTANT":
            cv = i[2].item() if len(i) > 2 else 0
            return [np.pad(x, p, mode="constant", constant_values=cv)]
        # TF's MirrorPad: before/after < dim for REFLECT, <= dim for SYMMETRIC (so REFLECT rejects empty dims).
        for d, (b, a) in zip(x.shape, p):
            if (m == "REFLECT" and (b >= d or a >= d)) or (m == "SYMMETRIC" and (b > d or a > d)):
                raise ValueError("paddings too large")
        if x.size == 0:
            return [np.zeros(tuple(d + b + a for d, (b, a) in zip(x.shape, p)), dtype=x.dtype)]
        return [np.pad(x, p, mode="reflect" if m == "REFLECT" else "symmetric")]
    return fn


def reverse(i, at):
    x, axes = i
    ax = [_axis(a, x.ndim) for a in axes]
    if len(set(ax)) != len(ax):
        raise ValueError("duplicate axis")
    return [np.flip(x, ax) if ax else x.copy()]


def slice_(i, at):
    x, b, s = i
    idx = []
    for d, bb, ss in zip(x.shape, b, s):
        ss = d - bb if ss == -1 else ss
        if bb < 0 or bb > d or ss < 0 or bb + ss > d:
            raise ValueError("bad slice")
        idx.append(slice(bb, bb + ss))
    return [x[tuple(idx)]]


def strided_slice(i, at):
    x, b, e, s = i
    n = len(b)
    spec = []
    bit = lambda m, k: (at.get(m, 0) >> k) & 1
    if bin(at.get("ellipsis_mask", 0) & ((1 << n) - 1)).count("1") > 1:
        raise ValueError("multiple ellipses")
    for k in range(n):
        if s[k] == 0:
            raise ValueError("zero stride")
        if bit("ellipsis_mask", k):
            spec.append(Ellipsis)
        elif bit("new_axis_mask", k):
            spec.append(None)
        elif bit("shrink_axis_mask", k):
            if s[k] < 0:
                raise ValueError("shrink with negative stride")
            spec.append(int(b[k]))
        else:
            spec.append(slice(None if bit("begin_mask", k) else int(b[k]),
                              None if bit("end_mask", k) else int(e[k]), int(s[k])))
    # numpy accepts fewer real indices than dims (the rest are implicit), as TF does.
    real = sum(1 for t in spec if t is not None and t is not Ellipsis)
    if real > x.ndim:
        raise IndexError("too many indices")
    return [np.array(x[tuple(spec)])]


def concat(i, at):
    xs, axis = i[:-1], i[-1].item()
    if xs[0].ndim == 0:
        raise ValueError("scalars")
    return [np.concatenate(xs, axis=_axis(axis, xs[0].ndim))]


def pack(i, at):
    return [np.stack(i, axis=_axis(at.get("axis", 0), i[0].ndim + 1))]


def gather(i, at):
    p, ix, axis = i[0], i[1], i[2].item()
    bd = at.get("batch_dims", 0)
    bd = bd + ix.ndim if bd < 0 else bd
    axis = _axis(axis, p.ndim)
    if bd > axis or bd > ix.ndim:
        raise ValueError("bad batch_dims")
    if ((ix < 0) | (ix >= p.shape[axis])).any():
        raise IndexError("index out of range")
    if bd == 0:
        return [np.take(p, ix, axis=axis)]
    bshape = p.shape[:bd]
    if ix.shape[:bd] != bshape:
        raise ValueError("batch shapes differ")
    nb = int(np.prod(bshape))
    pb = p.reshape((nb,) + p.shape[bd:])
    ib = ix.reshape((nb,) + ix.shape[bd:])
    out_shape = p.shape[:axis] + ix.shape[bd:] + p.shape[axis + 1:]
    out = np.empty((nb,) + out_shape[bd:], dtype=p.dtype)
    for k in range(nb):
        out[k] = np.take(pb[k], ib[k], axis=axis - bd)
    return [out.reshape(out_shape)]


def gather_nd(i, at):
    # tf.gather_nd(params, indices, batch_dims): gather_nd(params[b], indices[b]) for each batch index b
    p, ix = i
    bd = at.get("batch_dims", 0)
    if bd < 0 or bd >= ix.ndim:
        raise ValueError("batch_dims")
    if ix.shape[:bd] != p.shape[:bd]:
        raise ValueError("batch shapes differ")
    k = ix.shape[-1]
    if bd + k > p.ndim:
        raise ValueError("index depth")
    nb = int(np.prod(p.shape[:bd]))
    pb = p.reshape((nb,) + p.shape[bd:])
    ib = ix.reshape((nb, -1, k))
    out = []
    for b in range(nb):
        for row in ib[b]:
            if ((row < 0) | (row >= np.array(pb.shape[1:k + 1]))).any():
                raise IndexError("out of range")
            out.append(pb[b][tuple(row)])
    res = np.empty((len(out),) + p.shape[bd + k:], dtype=p.dtype)
    for n, v in enumerate(out):
        res[n] = v
    return [res.reshape(ix.shape[:-1] + p.shape[bd + k:])]


def broadcast_to(i, at):
    return [np.broadcast_to(i[0], tuple(i[1].tolist())).copy()]


def one_hot(i, at):
    ix, depth, on, off = i
    axis = at.get("axis", -1)
    depth = int(depth)
    hot = ix[..., None] == np.arange(depth)
    out = np.where(hot, on, off).astype(on.dtype)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return [out]


def range_(i, at):
    start, limit, delta = (v.item() for v in i)
    if delta == 0 or (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise ValueError("bad range")
    return [np.arange(start, limit, delta, dtype=i[0].dtype)]


REFERENCE = {
    "Transpose": transpose,
    "Tile": tile,
    "Pad": _pad("CONSTANT"),
    "PadV2": _pad("CONSTANT"),
    "MirrorPad": _pad(None),
    "ReverseV2": reverse,
    "Slice": slice_,
    "StridedSlice": strided_slice,
    "ConcatV2": concat,
    "Pack": pack,
    "GatherV2": gather,
    "GatherNd": gather_nd,
    "BroadcastTo": broadcast_to,
    "OneHot": one_hot,
    "Range": range_,
}


def _to_numpy(spec):
    dt = object if spec["dtype"] == "string" else np.dtype(spec["dtype"])
    return np.array(spec["data"], dtype=dt).reshape(spec["shape"])


def _from_numpy(a):
    a = np.asarray(a)
    data = [str(v) for v in a.ravel()] if a.dtype == object else a.ravel().tolist()
    return {"shape": list(a.shape), "data": data}


def main(cases_path, results_path):
    with open(cases_path) as f:
        cases = json.load(f)
    results = []
    for case in cases:
        try:
            outs = REFERENCE[case["op"]]([_to_numpy(s) for s in case["inputs"]], case.get("attrs", {}))
            results.append({"outputs": [_from_numpy(o) for o in outs]})
        except (ValueError, IndexError, TypeError) as e:
            results.append({"error": "%s: %s" % (type(e).__name__, e)})
    with open(results_path, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
