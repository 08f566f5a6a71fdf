"""numpy references of the sparse ops: each builds the dense equivalent of its COO input and computes on it.

TF behaviour written out: SparseToDense with validate_indices rejects unsorted ("is out of order") and repeated
("is repeated") indices; every op rejects indices out of range; SparseTensorDenseMatMul and SparseReduceSum sum
repeated indices (integers wrap) and take them in any order.
"""
import numpy as np

from refcommon import ExpectError


def _zero(dtype):
    return "" if dtype == object else np.zeros((), dtype)


def _check_range(ix, shape):
    for row in ix:
        if ((row < 0) | (row >= shape)).any():
            raise ExpectError("out of bounds")


def sparse_to_dense(i, at):
    ix, shape, values, default = i
    shape = shape.astype(np.int64)
    ix = ix.reshape(-1, len(shape)) if ix.ndim < 2 else ix
    if at.get("validate_indices", True):
        flat = []
        for k, row in enumerate(ix):
            if ((row < 0) | (row >= shape)).any():
                raise ExpectError("out of bounds")
            f = int(np.ravel_multi_index(tuple(row), tuple(shape)))
            if flat and f < flat[-1]:
                raise ExpectError("is out of order")
            if flat and f == flat[-1]:
                raise ExpectError("is repeated")
            flat.append(f)
    _check_range(ix, shape)
    out = np.full(tuple(shape), default, dtype=values.dtype)
    vals = np.broadcast_to(values, (len(ix),))
    for row, v in zip(ix, vals):
        out[tuple(row)] = v
    return [out]


def _dense(ix, values, shape):
    """Dense array of the COO parts, repeated indices summed in the values' dtype (integers wrap)."""
    out = np.zeros(tuple(int(d) for d in shape), dtype=values.dtype)
    for row, v in zip(ix, values):
        out[tuple(row)] = (out[tuple(row)] + v).astype(values.dtype)
    return out


def _dense64(ix, values, shape):
    out = np.zeros(tuple(int(d) for d in shape), dtype=np.float64)
    for row, v in zip(ix, values):
        out[tuple(row)] += v
    return out


def sparse_dense_matmul(i, at):
    ix, values, shape, b = i
    shape = shape.astype(np.int64)
    if at.get("adjoint_b"):
        b = b.T
    rows, cols = (1, 0) if at.get("adjoint_a") else (0, 1)
    inner = shape[cols]
    if b.shape[0] != inner:
        raise ExpectError("InvalidArgumentException")
    for row in ix:
        if not 0 <= row[rows] < shape[rows]:
            raise ExpectError("out of bounds")
        if not 0 <= row[cols] < shape[cols]:
            raise ExpectError("out of bounds")
    # TF multiplies only the stored entries: an implicit zero times NaN or Inf in b adds nothing
    adj = at.get("adjoint_a")
    m = shape[rows]
    f = values.dtype.kind == "f"
    acc = np.float64 if f else values.dtype.type
    out = np.zeros((int(m), b.shape[1]), dtype=acc)
    mag = np.zeros((int(m), b.shape[1]))
    bb = b.astype(acc)
    for row, v in zip(ix, values):
        r, k = (row[1], row[0]) if adj else (row[0], row[1])
        out[r] = (out[r] + acc(v) * bb[k]).astype(acc)
        mag[r] += np.abs(float(v) * b[k].astype(np.float64))
    return [out.astype(values.dtype)], [mag if f else None]


def sparse_reduce_sum(i, at):
    ix, values, shape, axes = i
    rank = len(shape)
    for a in np.asarray(axes).reshape(-1):
        if not -rank <= a < rank:
            # TF 2.21's SparseReduceSum kernel
            raise ExpectError(f"Invalid reduction dimension {int(a)}, for input with {rank} dimensions.")
    ax = tuple(sorted({int(a) % rank for a in np.asarray(axes).reshape(-1)}))
    keep = at.get("keep_dims", False)
    if values.dtype.kind == "f":
        dense = _dense64(ix, values.astype(np.float64), shape)
        mag = np.sum(np.abs(_dense64(ix, np.abs(values.astype(np.float64)), shape)), axis=ax, keepdims=keep)
        return [np.asarray(np.sum(dense, axis=ax, keepdims=keep)).astype(values.dtype)], [mag]
    dense = _dense(ix, values, shape)
    return [np.asarray(np.sum(dense, axis=ax, keepdims=keep, dtype=values.dtype), dtype=values.dtype)]


REFERENCES = {
    "SparseToDense": sparse_to_dense,
    "SparseTensorDenseMatMul": sparse_dense_matmul,
    "SparseReduceSum": sparse_reduce_sum,
}

BIT_EXACT = {"SparseToDense"}
TOLERANCES = {"SparseTensorDenseMatMul": (1e-5, 1e-6), "SparseReduceSum": (1e-5, 1e-6)}
