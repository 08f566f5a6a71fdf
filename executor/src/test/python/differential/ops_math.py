"""numpy references of the math, nn and linalg ops, with TensorFlow 1.x CPU semantics where numpy differs.

Each function takes the case's input arrays and attrs and returns the list of expected outputs. Integer
arithmetic wraps (numpy arrays wrap too); integer division by zero and negative integer powers are TF errors.
"""
import numpy as np

from refcommon import ExpectError, built_statically

FLOATS = (np.float32, np.float64)


def _f(x):
    return x.dtype.type in FLOATS


def _same(fn):
    """An elementwise op computed by numpy in the inputs' dtype."""
    def ref(inputs, attrs):
        x = inputs[0]
        return [np.asarray(fn(*inputs), dtype=x.dtype)]
    return ref


def _via_f64(fn):
    """A float op computed in float64 and rounded once to the input dtype (how Quiver and TF's kernels agree)."""
    def ref(inputs, attrs):
        x = inputs[0]
        return [np.asarray(fn(*[i.astype(np.float64) for i in inputs]), dtype=x.dtype)]
    return ref


def _check_divisor(x, y):
    out_size = np.broadcast(x, y).size
    if not _f(x) and out_size > 0 and np.any(y == 0):
        raise ExpectError("Integer division by zero")


def _trunc_div(x, y):
    q = np.floor_divide(x, y)
    r = x - q * y
    adjust = (r != 0) & ((x < 0) != (y < 0))
    return np.where(adjust, q + np.asarray(1, x.dtype), q).astype(x.dtype)


def div(inputs, attrs):
    x, y = inputs
    _check_divisor(x, y)
    if _f(x):
        return [np.asarray(x / y, dtype=x.dtype)]
    return [_trunc_div(x, y)]


def floor_div(inputs, attrs):
    x, y = inputs
    _check_divisor(x, y)
    if _f(x):
        return [np.asarray(np.floor(x / y), dtype=x.dtype)]  # TF: floor of the rounded quotient
    return [np.asarray(np.floor_divide(x, y), dtype=x.dtype)]


def floor_mod(inputs, attrs):
    x, y = inputs
    _check_divisor(x, y)
    if _f(x):
        t = np.fmod(x, y)
        return [np.asarray(np.where((t != 0) & ((y < 0) != (t < 0)), t + y, t), dtype=x.dtype)]
    return [np.asarray(np.mod(x, y), dtype=x.dtype)]


def power(inputs, attrs):
    x, y = inputs
    if _f(x):
        return [np.asarray(np.power(x.astype(np.float64), y.astype(np.float64)), dtype=x.dtype)]
    if np.broadcast(x, y).size > 0 and np.any(y < 0):
        raise ExpectError("Integers to negative integer powers are not allowed")
    return [np.asarray(np.power(x, y), dtype=x.dtype)]


def maximum(inputs, attrs):
    x, y = inputs
    take_y = (x < y) | (np.isnan(y) if _f(y) else False)
    return [np.asarray(np.where(take_y, y, x), dtype=x.dtype)]


def minimum(inputs, attrs):
    x, y = inputs
    take_y = (x > y) | (np.isnan(y) if _f(y) else False)
    return [np.asarray(np.where(take_y, y, x), dtype=x.dtype)]


def squared_difference(inputs, attrs):
    x, y = inputs
    d = x - y
    return [np.asarray(d * d, dtype=x.dtype)]


def add(inputs, attrs):
    x, y = inputs
    if x.dtype == object:
        return [np.frompyfunc(lambda a, b: a + b, 2, 1)(x, y)]
    return [np.asarray(x + y, dtype=x.dtype)]


def _cmp(fn):
    def ref(inputs, attrs):
        return [np.asarray(fn(*inputs), dtype=np.bool_)]
    return ref


def sign(x):
    return np.where(np.isnan(x), x, np.sign(x)) if _f(x) else np.sign(x)


def relu(x):
    return np.where(x < 0, np.zeros_like(x), x)


def relu6(x):
    r = relu(x)
    return np.where(r > 6, np.full_like(r, 6), r)


def _unary_num(fn):
    def ref(inputs, attrs):
        x = inputs[0]
        if _f(x):
            return [np.asarray(fn(x.astype(np.float64)), dtype=x.dtype)]
        return [np.asarray(fn(x), dtype=x.dtype)]
    return ref


def _pred(fn):
    def ref(inputs, attrs):
        return [np.asarray(fn(inputs[0]), dtype=np.bool_)]
    return ref


_INT_INFO = {np.dtype(t): np.iinfo(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8)}


def cast(inputs, attrs):
    x = inputs[0]
    to = np.dtype({"float32": np.float32, "float64": np.float64, "int8": np.int8, "int16": np.int16,
                   "int32": np.int32, "int64": np.int64, "uint8": np.uint8, "bool": np.bool_}[attrs["DstT"]])
    if to == np.bool_:
        return [x != 0]
    if x.dtype == np.bool_:
        return [x.astype(to)]
    if _f(x) and to.kind in "iu":
        # x86 cvtt: truncate; NaN and out-of-range give the "integer indefinite" of a 32- or 64-bit conversion
        d = x.astype(np.float64)
        if to == np.int64:
            ok = (d >= -2.0**63) & (d < 2.0**63)
            return [np.where(ok, np.trunc(np.where(ok, d, 0)), 0).astype(np.int64) | np.where(ok, 0, np.int64(-2**63))]
        ok = (d > -2.0**31 - 1) & (d < 2.0**31)
        v = np.where(ok, np.trunc(np.where(ok, d, 0)), -2.0**31).astype(np.int64)
        return [v.astype(to)]  # narrowing wraps
    return [x.astype(to)]


def select(inputs, attrs):
    c, x, y = inputs
    return [np.where(c, x, y).astype(x.dtype)]


def add_n(inputs, attrs):
    acc = inputs[0].copy()
    for x in inputs[1:]:
        acc = np.asarray(acc + x, dtype=acc.dtype)
    return [acc]


def _axes(x, axes):
    return tuple(sorted({int(a) % x.ndim for a in np.asarray(axes).reshape(-1)})) if x.ndim else ()


def _reduction(kind):
    def ref(inputs, attrs):
        x, axes = inputs
        ax = _axes(x, axes)
        keep = attrs.get("keep_dims", False)
        for a in np.asarray(axes).reshape(-1):
            if not -x.ndim <= a < x.ndim:
                raise ExpectError("Invalid reduction dimension")
        if kind in ("sum", "mean") and _f(x):
            mag = np.sum(np.abs(x.astype(np.float64)), axis=ax, keepdims=keep)
            count = int(np.prod([x.shape[a] for a in ax])) if ax else 1
            out = ref_plain(inputs, attrs)
            return out, [mag / max(count, 1) if kind == "mean" else mag]
        return ref_plain(inputs, attrs)

    def ref_plain(inputs, attrs):
        x, axes = inputs
        ax = _axes(x, axes)
        keep = attrs.get("keep_dims", False)
        if kind == "sum":
            r = np.sum(x, axis=ax, keepdims=keep, dtype=x.dtype if not _f(x) else np.float64)
        elif kind == "prod":
            r = np.prod(x, axis=ax, keepdims=keep, dtype=x.dtype if not _f(x) else np.float64)
        elif kind in ("max", "min"):
            if x.size == 0:
                shape = np.sum(np.zeros(x.shape), axis=ax, keepdims=keep).shape
                if _f(x):
                    fill = -np.inf if kind == "max" else np.inf
                else:
                    info = np.iinfo(x.dtype)
                    fill = info.min if kind == "max" else info.max
                r = np.full(shape, fill, dtype=x.dtype)
            else:
                r = (np.max if kind == "max" else np.min)(x, axis=ax, keepdims=keep)
        elif kind == "mean":
            count = int(np.prod([x.shape[a] for a in ax])) if ax else 1
            if _f(x):
                r = np.sum(x, axis=ax, keepdims=keep, dtype=np.float64) / count if count else \
                    np.full(np.sum(np.zeros(x.shape), axis=ax, keepdims=keep).shape, np.nan)
            else:
                # TF 2.21's CPU Mean sums 8/16/32-bit integers in int64 (uint8: uint64), so they do not wrap;
                # int64 sums wrap. The quotient truncates toward zero: mean(int8[100, 100, 1]) == 67.
                s = np.sum(x.astype(np.int64), axis=ax, keepdims=keep, dtype=np.int64)
                r = _trunc_div(s, np.int64(count)) if count else np.zeros_like(s)
        elif kind == "all":
            r = np.all(x, axis=ax, keepdims=keep)
        else:
            r = np.any(x, axis=ax, keepdims=keep)
        return [np.asarray(r, dtype=x.dtype)]
    return ref


def _arg(is_max):
    # TF 2.21 (Eigen's arg reducers): start at index 0 holding the dtype's lowest finite value (ArgMin: highest)
    # and move only to a strictly greater (less) value. NaNs never compare, so they are skipped; an all-NaN row
    # gives 0, and so does [nan, -inf] for ArgMax. Checked with tf.raw_ops.ArgMax on NaN first, in the middle,
    # last, all-NaN rows and +-Inf.
    def scan(v):
        if v.dtype.kind == "f":
            bound = np.finfo(v.dtype).max
            best = -bound if is_max else bound
        elif v.dtype == np.bool_:
            best = False if is_max else True
        else:
            best = np.iinfo(v.dtype).min if is_max else np.iinfo(v.dtype).max
        bi = 0
        for i in range(len(v)):
            if (v[i] > best) if is_max else (v[i] < best):
                best, bi = v[i], i
        return bi

    def ref(inputs, attrs):
        x, axis = inputs
        a = int(axis) % x.ndim
        if x.shape[a] == 0:
            raise ExpectError("is empty")
        out = np.apply_along_axis(scan, a, x) if x.size else np.zeros(np.delete(x.shape, a), np.int64)
        return [np.asarray(out, dtype=np.int64 if attrs.get("output_type", "int64") == "int64" else np.int32)]
    return ref


def _cumulative(is_sum):
    def ref(inputs, attrs):
        x, axis = inputs
        a = int(axis) % x.ndim
        y = np.flip(x, a) if attrs.get("reverse") else x
        acc_dtype = np.float64 if _f(x) else x.dtype
        fn = np.cumsum if is_sum else np.cumprod
        r = fn(y, axis=a, dtype=acc_dtype)
        mag = np.cumsum(np.abs(y.astype(np.float64)), axis=a) if is_sum else None
        if attrs.get("exclusive") and r.shape[a]:
            ident = np.zeros_like(np.take(r, [0], axis=a)) if is_sum else np.ones_like(np.take(r, [0], axis=a))
            r = np.concatenate([ident, np.delete(r, -1, axis=a)], axis=a)
        if attrs.get("reverse"):
            r = np.flip(r, a)
            mag = np.flip(mag, a) if mag is not None else None
        return [np.asarray(r, dtype=x.dtype)], [mag if _f(x) else None]
    return ref


def _softmax_last(x, log):
    """Softmax over the last axis with TF 2.21's NaN rules (its default x86 build, checked with tf.raw_ops).

    float64 and LogSoftmax (Eigen): a row holding NaN or +Inf is NaN throughout. float32 Softmax (oneDNN): the
    row's max starts from the lowest finite float32 and skips NaNs; if the row's sum is NaN, elements whose
    exp(x - max) is NaN give NaN, the others 0.
    """
    if x.size == 0:
        return x.copy()
    d = x.astype(np.float64)
    one_dnn = x.dtype == np.float32 and not log
    lowest = float(-np.finfo(np.float32).max)
    m = np.max(np.where(np.isnan(d) | (d < lowest), lowest, d), axis=-1, keepdims=True) if one_dnn \
        else np.max(d, axis=-1, keepdims=True)
    s = d - m
    e = np.exp(s)
    total = np.sum(e, axis=-1, keepdims=True)
    if log:
        return (s - np.log(total)).astype(x.dtype)
    out = e / total
    if one_dnn:
        out = np.where(np.isnan(total), np.where(np.isnan(e), np.nan, 0.0), out)
    return out.astype(x.dtype)


def softmax(inputs, attrs):
    return [_softmax_last(inputs[0], False)]


def log_softmax(inputs, attrs):
    return [_softmax_last(inputs[0], True)]


def _softmax_on_axis(log):
    # tf.nn.softmax(x, axis): swaps axis with the last dim, runs the op, swaps back
    def ref(inputs, attrs):
        x = inputs[0]
        a = int(attrs["axis"]) % x.ndim
        return [np.swapaxes(_softmax_last(np.swapaxes(x, a, -1), log), a, -1)]
    return ref


def _matmul(op, ta_key, tb_key):
    check = _matmul_shapes(op)

    def ref(inputs, attrs):
        check(inputs, attrs)
        a, b = inputs
        if attrs.get(ta_key):
            a = np.swapaxes(a, -1, -2)
        if attrs.get(tb_key):
            b = np.swapaxes(b, -1, -2)
        if _f(a):
            a64, b64 = a.astype(np.float64), b.astype(np.float64)
            mag = np.matmul(np.abs(a64), np.abs(b64))
            if a.dtype == np.float32 and a.size and b.size:
                # where a float32 product overflows, the element is inf, -inf or NaN depending on the order of
                # the sum and on fused multiply-adds (TF's GEMM and Quiver's differ): not compared
                with np.errstate(all="ignore"):
                    p = a[..., :, :, None] * b[..., None, :, :]
                over = np.isinf(p) & np.isfinite(a[..., :, :, None]) & np.isfinite(b[..., None, :, :])
                mag = np.where(np.any(over, axis=-2), -np.inf, mag)
            return [np.matmul(a64, b64).astype(a.dtype)], [mag]
        return [np.matmul(a, b).astype(a.dtype)]
    return ref


def _matmul_shapes(op):
    """TF 2.21's shape errors of MatMul, BatchMatMul (V1: equal ranks and batch dims) and BatchMatMulV2 (batch dims
    broadcast): its shape function's words when the placeholders carry the dims, its kernel's when they do not."""
    def check(inputs, attrs):
        a, b = inputs
        static = built_statically(attrs)
        known_rank = attrs.get("_placeholders") != "unknown_rank"
        ta, tb = (attrs.get("transpose_a"), attrs.get("transpose_b")) if op == "MatMul" else \
            (attrs.get("adj_x"), attrs.get("adj_y"))
        if op == "BatchMatMul":
            if known_rank and min(a.ndim, b.ndim) < 2:
                raise ExpectError("Shape must be at least rank 2 but is rank")
            if a.ndim != b.ndim:
                raise ExpectError(f"Shapes must be equal rank, but are {a.ndim - 2} and {b.ndim - 2}" if known_rank
                                  else "In[0] and In[1] has different ndims")
            if a.ndim < 2:
                raise ExpectError("In[0] and In[1] ndims must be >= 2")
            for i in range(a.ndim - 2):
                if a.shape[i] != b.shape[i]:
                    raise ExpectError(f"Dimension {i} in both shapes must be equal, but are {a.shape[i]} and "
                                      f"{b.shape[i]}" if static else f"In[0].dim({i}) and In[1].dim({i}) must be the same")
        elif op == "BatchMatMulV2":
            if min(a.ndim, b.ndim) < 2:
                raise ExpectError("Shape must be at least rank 2 but is rank" if known_rank
                                  else f"In[{0 if a.ndim < 2 else 1}] ndims must be >= 2")
            try:
                np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
            except ValueError:
                raise ExpectError("Dimensions must be equal" if static
                                  else "In[0] and In[1] must have compatible batch dimensions")
        ka = a.shape[-2] if ta else a.shape[-1]
        kb = b.shape[-1] if tb else b.shape[-2]
        if ka != kb:
            raise ExpectError(f"Dimensions must be equal, but are {ka} and {kb}" if static
                              else "Matrix size-incompatible")
    return check


def _float32_overflow(a, b):
    """For float32 matrices a [m, k] and b [k, n]: where some product a[i, l] * b[l, j] of finite values overflows."""
    with np.errstate(all="ignore"):
        p = a[:, :, None] * b[None, :, :]
    return np.any(np.isinf(p) & np.isfinite(a[:, :, None]) & np.isfinite(b[None, :, :]), axis=1)


def tensordot(inputs, attrs):
    a, b = inputs
    axes = attrs["axes"] if "axes" in attrs else (list(attrs["axes_a"]), list(attrs["axes_b"]))
    if _f(a):
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        out = np.tensordot(a64, b64, axes)
        mag = np.tensordot(np.abs(a64), np.abs(b64), axes)
        if a.dtype == np.float32 and a.size and b.size:
            # as for MatMul: an element with an overflowing float32 product is order-dependent, not compared
            if isinstance(axes, int):
                ca, cb = list(range(a.ndim - axes, a.ndim)), list(range(axes))
            else:
                ca, cb = [x % a.ndim for x in axes[0]], [x % b.ndim for x in axes[1]]
            fa = [d for d in range(a.ndim) if d not in ca]
            fb = [d for d in range(b.ndim) if d not in cb]
            k = int(np.prod([a.shape[d] for d in ca]))
            ma = np.transpose(a, fa + ca).reshape(-1, k)
            mb = np.transpose(b, cb + fb).reshape(k, -1)
            mag = np.where(_float32_overflow(ma, mb).reshape(out.shape), -np.inf, mag)
        return [out.astype(a.dtype)], [mag]
    return [np.tensordot(a, b, axes).astype(a.dtype)]


def truediv(inputs, attrs):
    x, y = inputs
    if x.dtype.kind in "iu":
        f = np.float64 if x.dtype.itemsize >= 4 else np.float32
        x, y = x.astype(f), y.astype(f)
    return [np.asarray(x / y, dtype=x.dtype)]


REFERENCES = {
    "Add": add,
    "AddV2": add,
    "Sub": _same(lambda x, y: x - y),
    "Mul": _same(lambda x, y: x * y),
    "RealDiv": div,
    "Div": div,
    "FloorDiv": floor_div,
    "FloorMod": floor_mod,
    "Pow": power,
    "Maximum": maximum,
    "Minimum": minimum,
    "SquaredDifference": squared_difference,
    "Equal": _cmp(lambda x, y: x == y),
    "NotEqual": _cmp(lambda x, y: x != y),
    "Less": _cmp(lambda x, y: x < y),
    "LessEqual": _cmp(lambda x, y: x <= y),
    "Greater": _cmp(lambda x, y: x > y),
    "GreaterEqual": _cmp(lambda x, y: x >= y),
    "LogicalAnd": _cmp(np.logical_and),
    "LogicalOr": _cmp(np.logical_or),
    "Neg": _unary_num(np.negative),
    "Abs": _unary_num(np.abs),
    "Sign": _unary_num(sign),
    "Square": _unary_num(lambda x: x * x),
    "Relu": _unary_num(relu),
    "Relu6": _unary_num(relu6),
    "Round": lambda inputs, attrs: [np.rint(inputs[0]).astype(inputs[0].dtype) if _f(inputs[0]) else inputs[0]],
    "Sqrt": _via_f64(np.sqrt),
    "Rsqrt": _via_f64(lambda x: 1 / np.sqrt(x)),
    "Exp": _via_f64(np.exp),
    "Expm1": _via_f64(np.expm1),
    "Log": _via_f64(np.log),
    "Log1p": _via_f64(np.log1p),
    "Sin": _via_f64(np.sin),
    "Cos": _via_f64(np.cos),
    "Tan": _via_f64(np.tan),
    "Tanh": _via_f64(np.tanh),
    "Sigmoid": _via_f64(lambda x: 1 / (1 + np.exp(-x))),
    "Elu": _via_f64(lambda x: np.where(x < 0, np.expm1(x), x)),
    "Softplus": _via_f64(lambda x: np.logaddexp(0, x)),
    "Floor": _via_f64(np.floor),
    "Ceil": _via_f64(np.ceil),
    "IsNan": _pred(np.isnan),
    "IsInf": _pred(np.isinf),
    "IsFinite": _pred(np.isfinite),
    "LogicalNot": _pred(np.logical_not),
    "Cast": cast,
    "SelectV2": select,
    "AddN": add_n,
    "Sum": _reduction("sum"),
    "Prod": _reduction("prod"),
    "Max": _reduction("max"),
    "Min": _reduction("min"),
    "Mean": _reduction("mean"),
    "All": _reduction("all"),
    "Any": _reduction("any"),
    "ArgMax": _arg(True),
    "ArgMin": _arg(False),
    "Cumsum": _cumulative(True),
    "Cumprod": _cumulative(False),
    "Softmax": softmax,
    "LogSoftmax": log_softmax,
    "MatMul": _matmul("MatMul", "transpose_a", "transpose_b"),
    "BatchMatMul": _matmul("BatchMatMul", "adj_x", "adj_y"),
    "BatchMatMulV2": _matmul("BatchMatMulV2", "adj_x", "adj_y"),
    "tf.linalg.tensordot": tensordot,
    "tf.math.logical_xor": _cmp(np.logical_xor),
    "tf.math.truediv": truediv,
    "tf.nn.softmax": _softmax_on_axis(False),
    "tf.nn.log_softmax": _softmax_on_axis(True),
}

# float32 transcendental kernels (the Vector API's SVML paths) are within a few ulp; sums and products of
# many float32 terms are compared against float64 references.
TOLERANCES = {
    "Exp": (1e-5, 1e-30), "Tanh": (1e-5, 1e-7), "Sigmoid": (1e-5, 1e-7), "Pow": (1e-5, 1e-30),
    "Sum": (1e-4, 1e-4), "Mean": (1e-4, 1e-4), "Prod": (1e-4, 1e-30), "Cumsum": (1e-4, 1e-4),
    "Cumprod": (1e-4, 1e-30), "AddN": (1e-5, 1e-6), "Softmax": (1e-5, 1e-6), "LogSoftmax": (1e-5, 1e-5),
    "tf.nn.softmax": (1e-5, 1e-6), "tf.nn.log_softmax": (1e-5, 1e-5),
    "MatMul": (1e-4, 1e-4), "BatchMatMul": (1e-4, 1e-4), "BatchMatMulV2": (1e-4, 1e-4), "tf.linalg.tensordot": (1e-4, 1e-4),
}

# tf.math.reduce_* with no axis: every axis, which for an input of unknown rank TF (and Quiver's facade) reads
# when the step runs, as Range(0, Rank(x))
ALL_AXES_REDUCTIONS = {"tf.math.reduce_sum": "Sum", "tf.math.reduce_mean": "Mean", "tf.math.reduce_max": "Max",
                       "tf.math.reduce_min": "Min", "tf.math.reduce_prod": "Prod", "tf.math.reduce_all": "All",
                       "tf.math.reduce_any": "Any"}


def _over_all_axes(op):
    def ref(inputs, attrs):
        x = inputs[0]
        return REFERENCES[op]([x, np.arange(x.ndim, dtype=np.int32)], attrs)
    return ref


for _fn, _op in ALL_AXES_REDUCTIONS.items():
    REFERENCES[_fn] = _over_all_axes(_op)
    if _op in TOLERANCES:
        TOLERANCES[_fn] = TOLERANCES[_op]

_F = {"float32", "float64"}
_S = {"int8", "int16", "int32", "int64"}
_N = _F | _S | {"uint8"}

# (dtypes TF 2.21's OpDef declares, dtypes it has a CPU kernel for) of the elementwise ops; a dtype outside the
# first is TF's build-time TypeError, one outside the second fails when the session runs (Quiver rejects both
# when the op is built). tf_crosscheck.py checks this table against TF.
TF_TYPES = {op: (_N, _N) for op in (
    "AddV2", "Sub", "Mul", "Div", "FloorDiv", "FloorMod", "Maximum", "Minimum", "Less", "LessEqual", "Greater",
    "GreaterEqual", "Square", "Relu", "Relu6", "AddN")}
TF_TYPES.update({op: (_F, _F) for op in (
    "Sqrt", "Rsqrt", "Exp", "Expm1", "Log", "Log1p", "Sin", "Cos", "Tan", "Tanh", "Sigmoid", "Elu", "Softplus",
    "Floor", "Ceil", "IsNan", "IsInf", "IsFinite")})
TF_TYPES.update({op: ({"bool"}, {"bool"}) for op in ("LogicalAnd", "LogicalOr", "LogicalNot")})
TF_TYPES.update({op: (_F | _S, _F | _S) for op in ("Neg", "Abs", "Sign", "Pow")})
TF_TYPES.update({
    "Add": (_N | {"string"}, _N | {"string"}),
    "RealDiv": (_N, _F),
    "SquaredDifference": (_F | {"int32", "int64"}, _F | {"int32", "int64"}),
    "Round": (_F | _S, _F | {"int32", "int64"}),
})


def _typed(fn, declared, kernels):
    def ref(inputs, attrs):
        t = "string" if inputs[0].dtype == object else str(inputs[0].dtype)
        if t not in declared:
            # TF's TypeError: "... not in list of allowed values" for a type attr, "... does not match expected
            # type of bool" for an input of one fixed type
            raise ExpectError("does not match expected type of bool" if declared == {"bool"}
                              else "not in list of allowed values")
        if t not in kernels:
            raise ExpectError("No OpKernel was registered to support Op")
        return fn(inputs, attrs)
    return ref


def _broadcasting(fn, run_time_error="Incompatible shapes"):
    """An elementwise op whose inputs must broadcast: TF's shape function says "Dimensions must be equal" when the
    placeholders carry the dims, its kernel `run_time_error` (with both shapes) when they do not."""
    def ref(inputs, attrs):
        try:
            np.broadcast_shapes(*[x.shape for x in inputs])
        except ValueError:
            if built_statically(attrs):
                raise ExpectError("Dimensions must be equal")
            shapes = ["[" + ",".join(str(d) for d in x.shape) + "]" for x in inputs]
            raise ExpectError(run_time_error.format(*shapes))
        return fn(inputs, attrs)
    return ref


for _op in ("Add", "AddV2", "Sub", "Mul", "RealDiv", "Div", "FloorDiv", "FloorMod", "Pow", "Maximum", "Minimum",
            "SquaredDifference", "Equal", "NotEqual", "Less", "LessEqual", "Greater", "GreaterEqual", "LogicalAnd",
            "LogicalOr"):
    REFERENCES[_op] = _broadcasting(REFERENCES[_op], "Incompatible shapes: {} vs. {}")
REFERENCES["SelectV2"] = _broadcasting(REFERENCES["SelectV2"], "condition {}, then {}, and else {} must be broadcastable")

for _op, (_declared, _kernels) in TF_TYPES.items():
    REFERENCES[_op] = _typed(REFERENCES[_op], _declared, _kernels)

# Ops whose sign of a zero result TF determines (IEEE arithmetic, or a sign-preserving function): a zero must
# have the sign TF gives. Not Maximum/Minimum/Relu/Relu6 (TF's vector and scalar paths pick different zeros),
# nor reductions (their order of additions decides -0 + 0).
SIGNED_ZEROS = {
    "Neg", "Abs", "Sign", "Square", "Mul", "AddV2", "Sub", "RealDiv", "Div", "FloorDiv", "FloorMod", "Round",
    "Ceil", "Floor", "Sqrt", "Tanh", "Expm1", "Log1p", "Sin", "Tan", "Elu", "SelectV2", "Cast",
}
