"""numpy references of the array ops (TensorFlow op types and the tf.zeros/tf.ones composites).

Each function takes the case's input arrays and attrs and returns the list of expected outputs, or raises
ExpectError with (a fragment of) the message TensorFlow 2.21 fails with, checked in TF's order: its shape
function's words for what the static placeholders already show (ranks, lengths of argument vectors, attrs), its
kernel's for what depends on the fed values. invalid() (any InvalidArgument) remains only where TF's wording is
incidental (tf.gather_nd's composite fails inside its reshapes). Array ops move data: every op in BIT_EXACT is
compared byte for byte, so NaN payloads, -0.0 and the integer extremes must come out exactly as they went in.
"""
import numpy as np

from refcommon import ExpectError, built_statically

DTYPES = {"float32": np.float32, "float64": np.float64, "int8": np.int8, "int16": np.int16, "int32": np.int32,
          "int64": np.int64, "uint8": np.uint8, "bool": np.bool_, "string": object}


def invalid():
    return ExpectError("InvalidArgumentException")


def _axis(a, rank, message):
    """The axis `a` of a rank-`rank` tensor counted from 0, or TF's error: `message` with {axis} replaced."""
    a = int(a)
    if a < -rank or a >= rank:
        raise ExpectError(message.format(axis=a))
    return a % rank if rank else 0


def _dims(shape):
    return "[" + ",".join(str(int(d)) for d in shape) + "]"


def _zero(dtype):
    return "" if dtype == object else np.zeros((), dtype)


def transpose(i, at):
    x, perm = i
    n = x.ndim
    if len(perm) != n:
        raise ExpectError(f"Dimension must be {n} but is {len(perm)}")
    p = [int(d) + n if d < 0 else int(d) for d in perm]  # TF 2.21 takes negative entries, counted from the end
    for d in p:
        if not 0 <= d < n:
            raise ExpectError(f"{d} is out of range [0 .. {n})")
    for k in range(n):
        if k not in p:
            raise ExpectError(f"{k} is missing from {{{','.join(map(str, p))}}}.")
    return [np.transpose(x, p)]


def tile(i, at):
    x, m = i
    if len(m) != x.ndim:
        raise ExpectError(f"Shape must be rank {x.ndim} but is rank {len(m)}")
    for k, v in enumerate(m):
        if v < 0:
            raise ExpectError(f"Expected multiples[{k}] >= 0, but got {v}")
    return [np.tile(x, m) if x.ndim else x.copy()]


def _pad(mode):
    def fn(i, at):
        x, p = i[0], i[1]
        m = mode or at["mode"]
        if p.shape[0] != x.ndim:
            raise ExpectError(f"Shape must be rank {p.shape[0]} but is rank {x.ndim}")
        for row in p:
            if (row < 0).any():
                raise ExpectError(f"paddings must be non-negative: {row[0]} {row[1]}")
        if m == "CONSTANT":
            cv = i[2] if len(i) > 2 else _zero(x.dtype)
            out = np.full(tuple(d + b + a for d, (b, a) in zip(x.shape, p)), cv, dtype=x.dtype)
            out[tuple(slice(b, b + d) for d, (b, _) in zip(x.shape, p))] = x
            return [out]
        # TF's MirrorPad: before/after < dim for REFLECT, <= dim for SYMMETRIC (so REFLECT rejects empty dims).
        for d, (b, a) in zip(x.shape, p):
            if m == "REFLECT" and (b >= d or a >= d):
                raise ExpectError(f"paddings must be less than the dimension size: {b}, {a} not less than {d}")
            if m == "SYMMETRIC" and (b > d or a > d):
                raise ExpectError(f"paddings must be no greater than the dimension size: {b}, {a} greater than {d}")
        if x.ndim == 0:
            return [x.copy()]
        if x.size == 0:
            return [np.zeros(tuple(d + b + a for d, (b, a) in zip(x.shape, p)), dtype=x.dtype)]
        return [np.pad(x, p, mode="reflect" if m == "REFLECT" else "symmetric")]
    return fn


def reverse(i, at):
    x, axes = i
    ax = []
    for k, a in enumerate(axes):
        a = _axis(a, x.ndim, f"'axis'[{k}] = {{axis}} is out of valid range [0, {x.ndim - 1}")
        if a in ax:
            raise ExpectError(f"axis {a} specified more than once.")
        ax.append(a)
    return [np.flip(x, ax) if ax else x.copy()]


def slice_(i, at):
    x, b, s = i
    if b.dtype != s.dtype:
        raise ExpectError("that does not match type")  # one Index attr: TF's build-time TypeError
    if len(b) != len(s):
        raise ExpectError(f"Dimension 0 in both shapes must be equal, but are {len(b)} and {len(s)}")
    if len(b) != x.ndim:
        raise ExpectError(f"Shape must be rank {len(b)} but is rank {x.ndim}")
    idx = []
    for k, (d, bb, ss) in enumerate(zip(x.shape, b, s)):
        ss = d - bb if ss == -1 else ss
        if d == 0:
            if bb != 0 or ss != 0:
                raise ExpectError(f"Expected begin[{k}] == 0 (got {bb}) and size[{k}] == 0 (got {ss}) when "
                                  f"input.dim_size({k}) == 0")
        elif not 0 <= bb <= d:
            raise ExpectError(f"Expected begin[{k}] in [0, {d}], but got {bb}")
        elif ss < 0 or bb + ss > d:
            raise ExpectError(f"Expected size[{k}] in [0, {d - bb}], but got {ss}")
        idx.append(slice(bb, bb + ss))
    return [x[tuple(idx)]]


def strided_slice(i, at):
    # TF 2.21 checks the ellipsis, then that the spec's real indices fit the input's dims, then dim by dim (in the
    # dense spec, after the ellipsis is expanded): a zero stride, a shrink with a negative stride, a shrink index
    # out of bounds (reported after counting a negative one from the end)
    x, b, e, s = i
    n = len(b)
    bit = lambda m, k: (at.get(m, 0) >> k) & 1
    if bin(at.get("ellipsis_mask", 0) & ((1 << n) - 1)).count("1") > 1:
        raise ExpectError("Multiple ellipses in slice spec not allowed")
    real = [k for k in range(n) if not bit("ellipsis_mask", k) and not bit("new_axis_mask", k)]
    if len(real) > x.ndim:
        raise ExpectError("Attempting to slice scalar input." if x.ndim == 0
                          else f"Index out of range using input dim {x.ndim}; input has only {x.ndim} dims")
    ellipsis = [k for k in range(n) if bit("ellipsis_mask", k)]
    if ellipsis:
        before = [k for k in real if k < ellipsis[0]]
        after = [k for k in real if k > ellipsis[0]]
        dense = {k: j for j, k in enumerate(before)}
        dense.update({k: x.ndim - len(after) + j for j, k in enumerate(after)})
    else:
        dense = {k: j for j, k in enumerate(real)}
    for k in sorted(real, key=lambda k: dense[k]):
        dim, d = dense[k], x.shape[dense[k]]
        if s[k] == 0:
            raise ExpectError(f"strides[{dim}] must be non-zero")
        if bit("shrink_axis_mask", k):
            if s[k] < 0:
                raise ExpectError("only stride 1 allowed on non-range indexing.")
            fwd = int(b[k]) + d if b[k] < 0 else int(b[k])
            if not 0 <= fwd < d:
                raise ExpectError(f"slice index {fwd} of dimension {dim} out of bounds.")
    spec = []
    for k in range(n):
        if bit("ellipsis_mask", k):
            spec.append(Ellipsis)
        elif bit("new_axis_mask", k):
            spec.append(None)
        elif bit("shrink_axis_mask", k):
            spec.append(int(b[k]))
        else:
            spec.append(slice(None if bit("begin_mask", k) else int(b[k]),
                              None if bit("end_mask", k) else int(e[k]), int(s[k])))
    # numpy accepts fewer real indices than dims (the rest are implicit), as TF does.
    return [np.array(x[tuple(spec)])]


def concat(i, at):
    # TF 2.21: ranks when built; the axis, then each input's other dims against the first's, when run
    xs, axis = i[:-1], i[-1].item()
    if xs[0].ndim == 0:
        raise ExpectError("Can't concatenate scalars (use tf.stack instead)")
    for x in xs[1:]:
        if x.ndim != xs[0].ndim:
            raise ExpectError(f"Shape must be rank {xs[0].ndim} but is rank {x.ndim}")
    r = xs[0].ndim
    a = _axis(axis, r, f"ConcatOp : Expected concatenating dimensions in the range [{-r}, {r}), but got {{axis}}")
    for k, x in enumerate(xs[1:], 1):
        for d in range(r):
            if d != a and x.shape[d] != xs[0].shape[d]:
                raise ExpectError(f"ConcatOp : Dimension {d} in both shapes must be equal: shape[0] = "
                                  f"{_dims(xs[0].shape)} vs. shape[{k}] = {_dims(x.shape)}")
    return [np.concatenate(xs, axis=a)]


def pack(i, at):
    # TF 2.21's shape function: the inputs' shapes must agree, then the axis must fit the result's rank
    for x in i[1:]:
        if x.ndim != i[0].ndim:
            raise ExpectError("Shapes must be equal rank")
        if x.shape != i[0].shape:
            raise ExpectError("in both shapes must be equal")
    r = i[0].ndim + 1
    return [np.stack(i, axis=_axis(at.get("axis", 0), r, f"Invalid axis: {{axis}}; must be in [{-r},{r})"))]


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
    if bd > 0 and bd >= ix.ndim:
        raise ExpectError("must be less than rank(")  # TF: "Argument `batch_dims` = 2 must be less than rank(`indices`)"
    if bd < 0 or ix.shape[:bd] != p.shape[:bd]:
        raise invalid()  # tf.gather_nd's composite fails in whichever of its reshapes meets the mismatch
    k = ix.shape[-1]
    if bd + k > p.ndim:
        if not built_statically(at):
            raise invalid()
        raise ExpectError("indices.shape[-1] must be <= params.rank")
    if p.size == 0 and int(np.prod(ix.shape[:-1])) > 0:
        # TF 2.21's kernel, before it looks at any index (for batch_dims > 0 its composite flattens params first)
        raise ExpectError("Requested more than 0 entries, but params is empty")
    nb = int(np.prod(p.shape[:bd]))
    pb = p.reshape((nb,) + p.shape[bd:])
    ib = ix.reshape((nb, int(np.prod(ix.shape[bd:-1])), k))
    out = []
    for b in range(nb):
        for r, row in enumerate(ib[b]):
            if ((row < 0) | (row >= np.array(pb.shape[1:k + 1]))).any():
                if bd:  # TF names the row and shape of the flattened GatherNd its composite builds
                    raise ExpectError("does not index into param shape")
                raise ExpectError(f"indices[{r}] = [{', '.join(str(int(v)) for v in row)}] does not index into param "
                                  f"shape {_dims(p.shape)}")
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
    x, target = i[0], tuple(int(d) for d in i[1])
    if len(target) < x.ndim:
        raise ExpectError(f"Shape must be at most rank {len(target)} but is rank {x.ndim}")
    try:
        shape = np.broadcast_shapes(x.shape, target)
    except ValueError:
        raise ExpectError(f"Incompatible shapes: {_dims(x.shape)} vs. {_dims(target)}")
    if shape != target:
        raise ExpectError(f"Unable to broadcast tensor of shape {_dims(x.shape)} to tensor of shape {_dims(target)}")
    return [np.broadcast_to(x, target).copy()]


def one_hot(i, at):
    ix, depth, on, off = i
    axis = at.get("axis", -1)
    depth = int(depth)
    if axis < -1:
        raise ExpectError("axis must be >= -1")  # TF's shape function
    if axis > ix.ndim:
        raise ExpectError(f"Expected axis to be -1 or between [0, {ix.ndim + 1}).  But received: {axis}")
    if depth < 0:
        raise ExpectError(f"depth must be non-negative, got: {depth}")
    hot = ix.astype(np.int64)[..., None] == np.arange(depth)
    out = np.where(hot, on, off).astype(on.dtype)
    if axis != -1:
        out = np.moveaxis(out, -1, axis)
    return [out]


def range_(i, at):
    start, limit, delta = (v.item() for v in i)
    if delta == 0:
        raise ExpectError("Requires delta != 0")
    if delta > 0 and start > limit:
        raise ExpectError("Requires start <= limit when delta > 0")
    if delta < 0 and start < limit:
        raise ExpectError("Requires start >= limit when delta < 0")
    t = i[0].dtype
    # TF: size = ceil(|limit - start| / |delta|), element k = start + k * delta, both in the op's dtype
    n = int(np.ceil(abs((limit - start) / delta))) if t.kind == "f" else (abs(limit - start) + abs(delta) - 1) // abs(delta)
    return [(np.arange(n, dtype=t) * np.asarray(delta, t) + np.asarray(start, t)).astype(t)]


def reshape(i, at):
    # TF's ReshapeOp: with a zero dim in the target, -1 is the product of the input's nonzero dims over the
    # product of the target's nonzero dims (integer division), unchecked when the input has a zero dim.
    x, shape = i
    s = [int(d) for d in shape]
    unknown = None
    for k, d in enumerate(s):
        if d == -1:
            if unknown is not None:
                raise ExpectError(f"Only one input size may be -1, not both {unknown} and {k}")
            unknown = k
        elif d < 0:
            raise ExpectError(f"Size {k} must be non-negative, not {d}")
    product = int(np.prod([d for d in s if d > 0]))
    if -1 in s:
        zero_target = 0 in s
        n = int(np.prod([d for d in x.shape if d > 0 or not zero_target]))
        missing = n // product
        if 0 not in x.shape or not zero_target:
            if product * missing != n:
                raise ExpectError(f"Input to reshape is a tensor with {x.size} values, but the requested shape "
                                  f"requires a multiple of {product}")
        s[s.index(-1)] = missing
    if int(np.prod(s)) != x.size:
        raise ExpectError(f"Input to reshape is a tensor with {x.size} values, but the requested shape has "
                          f"{int(np.prod(s))}")
    return [x.reshape(s)]


def expand_dims(i, at):
    x, axis = i
    a = int(axis)
    if not -x.ndim - 1 <= a <= x.ndim:
        raise ExpectError(f"Tried to expand dim index {a} for tensor with {x.ndim} dimensions.")
    return [np.expand_dims(x, a)]


def squeeze(i, at):
    x = i[0]
    dims = at.get("squeeze_dims")
    if not dims:
        return [x.reshape([d for d in x.shape if d != 1])]
    r = x.ndim
    ax = [_axis(a, r, f"squeeze_dims[{k}] not in [{-r},{r}).") for k, a in enumerate(dims)]
    for a in sorted(set(ax)):  # TF checks every axis first, then the dims in order
        if x.shape[a] != 1:
            raise ExpectError(f"Can not squeeze dim[{a}], expected a dimension of 1, got {x.shape[a]}")
    return [x.reshape([d for k, d in enumerate(x.shape) if k not in ax])]


def unpack(i, at):
    x = i[0]
    r = x.ndim
    a = _axis(at["axis"], r, f"Invalid axis: {{axis}}; must be in [{-r},{r})")
    if x.shape[a] != at["num"]:
        raise ExpectError(f"Dimension must be {at['num']} but is {x.shape[a]}")
    return [np.take(x, k, axis=a) for k in range(x.shape[a])]


def _split_dim(axis, x):
    r = x.ndim
    return _axis(int(axis), r, f"-input rank({-r}) <= split_dim < input rank ({r}), but got {{axis}}")


def split(i, at):
    axis, x = i
    a = _split_dim(axis, x)
    n = at["num_split"]
    if x.shape[a] % n:
        raise ExpectError(f"Number of ways to split should evenly divide the split dimension, but got split_dim {a} "
                          f"(size = {x.shape[a]}) and num_split {n}")
    return np.split(x, n, axis=a)


def split_v(i, at):
    x, sizes, axis = i
    if at["num_split"] == 1 and x.ndim > 0:
        return [x.copy()]  # TF 2.21 forwards the input, checking neither sizes nor axis
    s = [int(v) for v in sizes]
    if len(s) != at["num_split"]:
        raise ExpectError("size of the split_tensor must be 1-D and have the same elements as outputs")
    a = _split_dim(axis, x)
    unknown = None
    for k, v in enumerate(s):
        if v == -1:
            if unknown is not None:
                raise ExpectError("There can only be one -1 in the input.")
            unknown = k
        elif v < 0:
            raise ExpectError(f"Split size at index {k} must be >= 0. Got: {v}")
    determined = sum(v for v in s if v != -1)
    if (unknown is None and determined != x.shape[a]) or (unknown is not None and determined > x.shape[a]):
        raise ExpectError("Determined shape must either match input shape along split_dim exactly if fully "
                          f"specified, or be less than the size of the input along split_dim if not fully specified.  "
                          f"Got: {determined}")
    if unknown is not None:
        s[unknown] = x.shape[a] - determined
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
