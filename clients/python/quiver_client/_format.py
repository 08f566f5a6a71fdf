"""Quiver's interchange format on the Python side: a numpy array as one Arrow column and back.

A tensor of rank >= 2 is one ``arrow.fixed_shape_tensor`` column of shape ``shape[1:]``, one row per index
of the first dim; rank 1 is a plain column; a scalar is a one-row column. The schema metadata carries
``quiver:dtype``, ``quiver:shape`` (JSON) and ``quiver:version`` = ``"1"``.
"""

import json

import numpy as np
import pyarrow as pa

DTYPE_KEY = b"quiver:dtype"
SHAPE_KEY = b"quiver:shape"
VERSION_KEY = b"quiver:version"
VERSION = b"1"
COLUMN = "tensor"

_NUMPY_TO_QUIVER = {
    np.dtype(np.float32): "float32",
    np.dtype(np.float64): "float64",
    np.dtype(np.int8): "int8",
    np.dtype(np.int16): "int16",
    np.dtype(np.int32): "int32",
    np.dtype(np.int64): "int64",
    np.dtype(np.uint8): "uint8",
    np.dtype(np.bool_): "bool",
}

_QUIVER_TO_NUMPY = {v: k for k, v in _NUMPY_TO_QUIVER.items()}


def _quiver_dtype(array):
    if array.dtype.kind in "US" or (array.dtype == object and all(isinstance(v, str) for v in array.flat)):
        return "string"
    dt = array.dtype.newbyteorder("=") if array.dtype.byteorder == ">" else array.dtype
    try:
        return _NUMPY_TO_QUIVER[np.dtype(dt)]
    except KeyError:
        raise TypeError(
            f"numpy dtype {array.dtype} has no Quiver dtype; use one of float32, float64, int8, int16, "
            "int32, int64, uint8, bool, str") from None


def to_table(array):
    """The Arrow table of ``array`` in Quiver's format; numeric data is not copied when it is C-contiguous
    and little-endian."""
    array = np.asarray(array)
    dtype = _quiver_dtype(array)
    shape = tuple(int(d) for d in array.shape)
    if dtype == "string":
        flat = pa.array([str(v) for v in array.reshape(-1)], type=pa.string())
    else:
        if array.dtype.byteorder == ">":
            array = array.astype(array.dtype.newbyteorder("<"))
        array = np.ascontiguousarray(array)  # a no-op unless the array is a strided view
        flat = pa.array(array.reshape(-1))
    if len(shape) >= 2:
        inner = [int(d) for d in shape[1:]]
        size = int(np.prod(inner))
        # from_buffers states the row count itself, so rows of zero elements work too
        storage = pa.Array.from_buffers(pa.list_(flat.type, size), shape[0], [None], children=[flat])
        column = pa.ExtensionArray.from_storage(pa.fixed_shape_tensor(flat.type, inner), storage)
    elif len(shape) == 1:
        column = flat
    else:
        column = flat  # one element, one row
    field = pa.field(COLUMN, column.type, nullable=False)
    meta = {DTYPE_KEY: dtype.encode(), SHAPE_KEY: json.dumps(list(shape)).encode(), VERSION_KEY: VERSION}
    return pa.Table.from_arrays([column], schema=pa.schema([field], metadata=meta))


def spec(schema):
    """(dtype name, shape tuple) of a Quiver tensor schema; ValueError if it is not one."""
    meta = schema.metadata or {}
    if DTYPE_KEY not in meta or SHAPE_KEY not in meta:
        raise ValueError("not a Quiver tensor stream: the schema has no quiver:dtype / quiver:shape metadata")
    return meta[DTYPE_KEY].decode(), tuple(json.loads(meta[SHAPE_KEY]))


def _flat_values(chunk):
    """The elements of one column chunk as a flat Arrow array (zero-copy)."""
    if isinstance(chunk, pa.ExtensionArray):
        chunk = chunk.storage
    if pa.types.is_fixed_size_list(chunk.type):
        return chunk.flatten()
    return chunk


def _chunk_to_numpy(values, dtype):
    if dtype == "string":
        return np.array(values.to_pylist(), dtype=object)
    if dtype == "bool":
        return values.to_numpy(zero_copy_only=False)
    return values.to_numpy(zero_copy_only=True)


def to_numpy(table_or_batches, schema=None):
    """The numpy array of a Quiver tensor received as a table (or a list of record batches).

    One batch becomes an array over the received buffer itself (no copy; read-only); several batches are
    gathered into one new array. Bool and string elements are always converted.
    """
    if isinstance(table_or_batches, pa.Table):
        schema = table_or_batches.schema
        chunks = table_or_batches.column(0).chunks
    else:
        chunks = [b.column(0) for b in table_or_batches]
    dtype, shape = spec(schema)
    parts = [_chunk_to_numpy(_flat_values(c), dtype) for c in chunks if len(c) > 0]
    if len(parts) == 1:
        flat = parts[0]
    elif not parts:
        flat = np.empty(0, dtype=object if dtype == "string" else _QUIVER_TO_NUMPY[dtype])
    else:
        flat = np.concatenate(parts)
    return flat.reshape(shape)
