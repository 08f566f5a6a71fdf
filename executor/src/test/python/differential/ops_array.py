"""numpy references of the array ops (TensorFlow op types and the tf.zeros/tf.ones composites).

Each function takes the case's input arrays and attrs and returns the list of expected outputs, or raises
ExpectError where TensorFlow fails (invalid() when any InvalidArgument will do: the messages of these ops vary
between build-time inference and the kernel). Array ops move data: every op in BIT_EXACT is compared byte for
byte, so NaN payloads, -0.0 and the integer extremes must come out exactly as they went in.
"""
import numpy as np

from refcommon import ExpectError

DTYPES = {"float32": np.float32, "float64": np.float64, "int8": np.int8, "int16": np.int16, "int32": np.int32,
          "int64": np.int64, "uint8": np.uint8, "bool": np.bool_, "string": object}


def invalid():
    return ExpectError("InvalidArgumentException")


def _axis(a, rank):
    a = int(a)
    if a < -rank or a >= rank:
        raise invalid()
    return a % rank if rank else 0


def _zero(dtype):
    return "" if dtype == object else np.zeros((), dtype)


def transpose(i, at):
    x, perm = i
    if sorted(perm.tolist()) != list(range(x.ndim)):
        raise invalid()
    return [np.transpose(x, perm)]


def tile(i, at):
    x, m = i
    if len(m) != x.ndim or (m < 0).any():
        raise invalid()
    return [np.tile(x, m) if x.ndim else x.copy()]


def _pad(mode):
    def fn(i, at):
        x, p = i[0], i[1]
        m = mode or at["mode"]
        if p.shape != (x.ndim, 2) or (p < 0).any():
            raise invalid()
        if m == "CONSTANT":
            cv = i[2] if len(i) > 2 else _zero(x.dtype)
            out = np.full(tuple(d + b + a for d, (b, a) in zip(x.shape, p)), cv, dtype=x.dtype)
            out[tuple(slice(b, b + d) for d, (b, _) in zip(x.shape, p))] = x
            return [out]
        # TF's MirrorPad: before/after < dim for REFLECT, <= dim for SYMMETRIC (so REFLECT rejects empty dims).
        for d, (b, a) in zip(x.shape, p):
            if (m == "REFLECT" and (b >= d or a >= d)) or (m == "SYMMETRIC" and (b > d or a > d)):
                raise invalid()
        if x.ndim == 0:
            return [x.copy()]
        if x.size == 0:
            return [np.zeros(tuple(d + b + a for d, (b, a) in zip(x.shape, p)), dtype=x.dtype)]
        return [np.pad(x, p, mode="reflect" if m == "REFLECT" else "symmetric")]
    return fn


def reverse(i, at):
    x, axes = i
    ax = [_axis(a, x.ndim) for a in axes]
    if len(set(ax)) != len(ax):
        raise invalid()
    return [np.flip(x, ax) if ax else x.copy()]


def slice_(i, at):
    x, b, s = i
    if b.dtype != s.dtype:
        raise ExpectError("that does not match type")  # one Index attr: TF's build-time TypeError
    if len(b) != x.ndim or len(s) != x.ndim:
        raise invalid()
    idx = []
    for d, bb, ss in zip(x.shape, b, s):
        ss = d - bb if ss == -1 else ss
        if bb < 0 or bb > d or ss < 0 or bb + ss > d:
            raise invalid()
        idx.append(slice(bb, bb + ss))
    return [x[tuple(idx)]]


def strided_slice(i, at):
    x, b, e, s = i
    n = len(b)
    spec = []
    bit = lambda m, k: (at.get(m, 0) >> k) & 1
    if bin(at.get("ellipsis_mask", 0) & ((1 << n) - 1)).count("1") > 1:
        raise invalid()
    for k in range(n):
        if s[k] == 0:
            raise invalid()
        if bit("ellipsis_mask", k):
            spec.append(Ellipsis)
        elif bit("new_axis_mask", k):
            spec.append(None)
        elif bit("shrink_axis_mask", k):
            if s[k] < 0:
                raise invalid()
            spec.append(int(b[k]))
        else:
            spec.append(slice(None if bit("begin_mask", k) else int(b[k]),
                              None if bit("end_mask", k) else int(e[k]), int(s[k])))
    # numpy accepts fewer real indices than dims (the rest are implicit), as TF does.
    real = sum(1 for t in spec if t is not None and t is not Ellipsis)
    if real > x.ndim:
        raise invalid()
    try:
        return [np.array(x[tuple(spec)])]
    except IndexError:
        raise invalid()


def concat(i, at):
    xs, axis = i[:-1], i[-1].item()
    if xs[0].ndim == 0:
        raise invalid()
    a = _axis(axis, xs[0].ndim)
    for x in xs[1:]:
        if x.ndim != xs[0].ndim or np.delete(x.shape, a).tolist() != np.delete(xs[0].shape, a).tolist():
            raise invalid()
    return [np.concatenate(xs, axis=a)]


def pack(i, at):
    return [np.stack(i, axis=_axis(at.get("axis", 0), i[0].ndim + 1))]


def gather(i, at):
    # TF 2.21's GatherV2 kernel checks the axis, then batch_dims (counted from the end of the indices' dims when
    # negative), then the batch dims, then (if the result is not empty) the indices
    p, ix, axis = i[0], i[1], i[2].item()
    bd = at.get("batch_dims", 0)
    if not -p.ndim <= axis < p.ndim:
        raise ExpectError(f"Expected axis in the range [{-p.ndim}, {p.ndim}), but got {axis}")
    axis = axis % p.ndim
    if bd != 0:
        if not -ix.ndim <= bd <= ix.ndim:
            raise ExpectError(f"Expected batch_dims in the range [{-ix.ndim}, {ix.ndim}], but got {bd}")
        bd = bd + ix.ndim if bd < 0 else bd
        if bd >= p.ndim:
            raise ExpectError(f"batch_dims ({bd}) must be less than rank(params) ({p.ndim}).")
        if bd > axis:
            raise ExpectError(f"batch_dims ({bd}) must be less than or equal to axis ({axis}).")
        for k in range(bd):
            if p.shape[k] != ix.shape[k]:
                raise ExpectError(f"params.shape[{k}]: {p.shape[k]} should be equal to indices.shape[{k}]: "
                                  f"{ix.shape[k]}")
    out_shape = p.shape[:axis] + ix.shape[bd:] + p.shape[axis + 1:]
    if int(np.prod(out_shape)) == 0:
        return [np.empty(out_shape, dtype=p.dtype)]  # TF 2.21 does not look at the indices then
    if ((ix < 0) | (ix >= p.shape[axis])).any():
        raise ExpectError("not in [0, ")
    if bd == 0:
        return [np.take(p, ix, axis=axis)]
    nb = int(np.prod(p.shape[:bd]))
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
    if bd < 0 or bd >= ix.ndim or ix.shape[:bd] != p.shape[:bd]:
        raise invalid()
    k = ix.shape[-1]
    if bd + k > p.ndim:
        raise invalid()
    if p.size == 0 and int(np.prod(ix.shape[:-1])) > 0:
        # TF 2.21's kernel, before it looks at any index (for batch_dims > 0 its composite flattens params first)
        raise ExpectError("Requested more than 0 entries, but params is empty")
    nb = int(np.prod(p.shape[:bd]))
    pb = p.reshape((nb,) + p.shape[bd:])
    ib = ix.reshape((nb, int(np.prod(ix.shape[bd:-1])), k))
    out = []
    for b in range(nb):
        for row in ib[b]:
            if ((row < 0) | (row >= np.array(pb.shape[1:k + 1]))).any():
                raise invalid()
            out.append(pb[b][tuple(row)])
    res = np.empty((len(out),) + p.shape[bd + k:], dtype=p.dtype)
    for n, v in enumerate(out):
        res[n] = v
    return [res.reshape(ix.shape[:-1] + p.shape[bd + k:])]


def scatter_nd(i, at):
    # TF 2.21: updates at repeated indices add (integers wrap), OR (bools) or concatenate in index order
    # (strings); out of range fails.
    ix, upd, shape = i
    if ix.dtype != shape.dtype:
        raise ExpectError("that does not match type")  # one Tindices attr: TF's build-time TypeError
    shape = tuple(int(d) for d in shape)
    k = ix.shape[-1]
    rows_n = int(np.prod(ix.shape[:-1]))
    slice_n = int(np.prod(shape[k:]))
    if rows_n > 0 and (k == 0) != (slice_n == 0):  # TF 2.21, before any index is checked
        raise ExpectError("Indices and updates specified for empty output shape")
    if rows_n > 0 and k > 0 and int(np.prod(shape)) == 0:
        raise ExpectError("Indices and updates specified for empty output.  indices shape: ")
    if k == 0 and int(np.prod(shape)) > 0:
        raise ExpectError("Requested rank: 0")  # TF 2.21: "Only indices.shape[-1] values between 1 and 5 ..."
    out = np.full(shape, _zero(upd.dtype), dtype=upd.dtype)
    rows = ix.reshape(rows_n, k)
    u = upd.reshape((rows.shape[0],) + shape[k:])
    for r, row in enumerate(rows):
        if ((row < 0) | (row >= np.array(shape[:k]))).any():
            raise ExpectError("does not index into shape")
        t = tuple(row)
        if upd.dtype == np.bool_:
            out[t] = out[t] | u[r]
        elif upd.dtype == object:
            out[t] = np.frompyfunc(lambda a, b: a + b, 2, 1)(out[t], u[r])
        else:
            out[t] = (out[t] + u[r]).astype(upd.dtype)
    return [out]


def broadcast_to(i, at):
    try:
        return [np.broadcast_to(i[0], tuple(i[1].tolist())).copy()]
    except ValueError:
        raise invalid()


def one_hot(i, at):
    ix, depth, on, off = i
    axis = at.get("axis", -1)
    depth = int(depth)
    if depth < 0:
        raise invalid()
    if not -1 <= axis <= ix.ndim:
        raise invalid()
    hot = ix.astype(np.int64)[..., None] == np.arange(depth)
    out = np.where(hot, on, off).astype(on.dtype)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return [out]


def range_(i, at):
    start, limit, delta = (v.item() for v in i)
    if delta == 0 or (delta > 0 and start > limit) or (delta < 0 and start < limit):
        raise invalid()
    t = i[0].dtype
    # TF: size = ceil(|limit - start| / |delta|), element k = start + k * delta, both in the op's dtype
    n = int(np.ceil(abs((limit - start) / delta))) if t.kind == "f" else (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return [(np.arange(n, dtype=t) * np.asarray(delta, t) + np.asarray(start, t)).astype(t)]


def reshape(i, at):
    # TF's ReshapeOp: with a zero dim in the target, -1 is the product of the input's nonzero dims over the
    # product of the target's nonzero dims (integer division), unchecked when the input has a zero dim.
    x, shape = i
    s = [int(d) for d in shape]
    if s.count(-1) > 1 or any(d < -1 for d in s):
        raise invalid()
    product = int(np.prod([d for d in s if d > 0]))
    if -1 in s:
        zero_target = 0 in s
        n = int(np.prod([d for d in x.shape if d > 0 or not zero_target]))
        missing = n // product
        if 0 not in x.shape or not zero_target:
            if product * missing != n:
                raise invalid()
        s[s.index(-1)] = missing
    if int(np.prod(s)) != x.size:
        raise invalid()
    return [x.reshape(s)]


def expand_dims(i, at):
    x, axis = i
    a = int(axis)
    if not -x.ndim - 1 <= a <= x.ndim:
        raise invalid()
    return [np.expand_dims(x, a)]


def squeeze(i, at):
    x = i[0]
    dims = at.get("squeeze_dims")
    if not dims:
        return [x.reshape([d for d in x.shape if d != 1])]
    ax = {_axis(a, x.ndim) for a in dims}
    for a in ax:
        if x.shape[a] != 1:
            raise ExpectError("Can not squeeze dim")
    return [x.reshape([d for k, d in enumerate(x.shape) if k not in ax])]


def unpack(i, at):
    x = i[0]
    a = _axis(at["axis"], x.ndim)
    if x.shape[a] != at["num"]:
        raise invalid()
    return [np.take(x, k, axis=a) for k in range(x.shape[a])]


def split(i, at):
    axis, x = i
    a = _axis(int(axis), x.ndim)
    n = at["num_split"]
    if x.shape[a] % n:
        raise invalid()
    return np.split(x, n, axis=a)


def split_v(i, at):
    x, sizes, axis = i
    if at["num_split"] == 1 and x.ndim > 0:
        return [x.copy()]  # TF 2.21 forwards the input, checking neither sizes nor axis
    a = _axis(int(axis), x.ndim)
    s = [int(v) for v in sizes]
    if len(s) != at["num_split"] or s.count(-1) > 1 or any(v < -1 for v in s):
        raise invalid()
    if -1 in s:
        rest = x.shape[a] - sum(v for v in s if v != -1)
        if rest < 0:
            raise invalid()
        s[s.index(-1)] = rest
    if sum(s) != x.shape[a]:
        raise invalid()
    return np.split(x, np.cumsum(s)[:-1], axis=a)


def fill(i, at):
    dims, value = i
    neg = [int(d) for d in dims if d < 0]
    if neg:
        raise ExpectError(f"Dimension {neg[0]} must be >= 0")  # TF 2.21's Fill kernel
    return [np.full(tuple(int(d) for d in dims), value, dtype=value.dtype)]


def zeros_like(i, at):
    return [np.full(i[0].shape, _zero(i[0].dtype), dtype=i[0].dtype)]


def ones_like(i, at):
    return [np.ones(i[0].shape, dtype=i[0].dtype)]


def _out_type(at):
    return np.int64 if at.get("out_type") == "int64" else np.int32


def lin_space(i, at):
    # TF: start + k * step in the dtype for 0 < k < num - 1, with step = (stop - start) / (num - 1); the first is
    # start and the last stop, exactly (so an infinite start gives itself, not inf + 0 * inf = NaN)
    start, stop, num = i[0], i[1], int(i[2])
    if num <= 0:
        raise ExpectError("Requires num > 0")
    t = start.dtype.type
    if num == 1:
        return [np.array([start], dtype=t)]
    step = t((stop - start) / t(num - 1))
    out = (t(start) + step * np.arange(num, dtype=t)).astype(t)
    out[0] = start
    out[-1] = stop
    return [out]


def zeros(i, at):
    t = DTYPES[at["dtype"]]
    return [np.full(tuple(at["shape"]), _zero(t), dtype=t)]


def ones(i, at):
    return [np.ones(tuple(at["shape"]), dtype=DTYPES[at["dtype"]])]


REFERENCES = {
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
    "tf.gather_nd": gather_nd,
    "Identity": lambda i, at: [i[0].copy()],
    "ScatterNd": scatter_nd,
    "BroadcastTo": broadcast_to,
    "OneHot": one_hot,
    "Range": range_,
    "Reshape": reshape,
    "ExpandDims": expand_dims,
    "Squeeze": squeeze,
    "Unpack": unpack,
    "Split": split,
    "SplitV": split_v,
    "Fill": fill,
    "ZerosLike": zeros_like,
    "OnesLike": ones_like,
    "Shape": lambda i, at: [np.array(i[0].shape, dtype=_out_type(at))],
    "Size": lambda i, at: [np.array(i[0].size, dtype=_out_type(at))],
    "Rank": lambda i, at: [np.array(i[0].ndim, dtype=np.int32)],
    "LinSpace": lin_space,
    "tf.zeros": zeros,
    "tf.ones": ones,
}

# everything but the ops that compute (Range, LinSpace, ScatterNd's sums) moves bytes
BIT_EXACT = set(REFERENCES) - {"Range", "LinSpace", "ScatterNd"}
