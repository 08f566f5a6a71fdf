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
    if array.dtype.kind in "US":
        return "string"  # bytes (kind S) are decoded as UTF-8 by _strings
    if array.dtype == object:
        # Strings come back from get() as an object array, so an object array of str is a string tensor; an empty
        # one has nothing to tell its dtype by and is taken as the empty string tensor get() would have returned.
        for i, v in enumerate(array.flat):
            if not isinstance(v, str):
                raise TypeError(f"element {i} of the object array is a {type(v).__name__} ({v!r}), not a str: "
                                "an object array is stored only if every element is a str")
        return "string"
    dt = array.dtype.newbyteorder("=") if array.dtype.byteorder == ">" else array.dtype
    try:
        return _NUMPY_TO_QUIVER[np.dtype(dt)]
    except KeyError:
        raise TypeError(
            f"numpy dtype {array.dtype} has no Quiver dtype; use one of float32, float64, int8, int16, "
            "int32, int64, uint8, bool, str") from None


def _strings(array):
    """The elements of a str, bytes or object array as Python strings; bytes must be UTF-8."""
    flat = array.reshape(-1)
    if array.dtype.kind != "S":
        return [str(v) for v in flat]
    out = []
    for i, v in enumerate(flat):
        v = bytes(v)
        try:
            out.append(v.decode("utf-8"))
        except UnicodeDecodeError as e:
            raise ValueError(f"element {i} of the bytes array ({v!r}) is not UTF-8 text: {e.reason} at byte "
                             f"{e.start}; Quiver strings are UTF-8") from None
    return out


def to_table(array):
    """The Arrow table of ``array`` in Quiver's format; numeric data is not copied when it is C-contiguous
    and little-endian."""
    array = np.asarray(array)
    dtype = _quiver_dtype(array)
    shape = tuple(int(d) for d in array.shape)
    if dtype == "string":
        flat = pa.array(_strings(array), type=pa.string())
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


def batches(table, max_batch_bytes):
    """The record batches to upload ``table`` (one chunk, from :func:`to_table`) in: whole rows, at most
    ``max_batch_bytes`` of element bytes each (data plus offsets for strings) unless one row alone is larger, and
    one batch when the table fits. Slices of the table: nothing is copied.

    Why: a FlightData body is framed with a 32-bit length, so one batch cannot carry 2 GiB or more.
    """
    if max_batch_bytes < 1:
        raise ValueError(f"max_batch_bytes must be >= 1, not {max_batch_bytes}")
    table = table.combine_chunks()
    rows = table.num_rows
    ends = _row_ends(table)
    if rows == 0 or ends[-1] <= max_batch_bytes:
        return table.to_batches() or [pa.RecordBatch.from_pylist([], schema=table.schema)]
    out = []
    start = 0
    while start < rows:
        before = ends[start - 1] if start > 0 else 0
        end = int(np.searchsorted(ends, before + max_batch_bytes, side="right"))
        end = max(end, start + 1)  # at least one row, however large
        out.extend(table.slice(start, end - start).to_batches())
        start = end
    return out


def _row_ends(table):
    """The element bytes of rows ``[0, r]`` for each row ``r``, as a numpy array."""
    meta = table.schema.metadata
    dtype = meta[DTYPE_KEY].decode()
    shape = json.loads(meta[SHAPE_KEY])
    rows = table.num_rows
    inner = int(np.prod(shape[1:])) if len(shape) >= 2 else 1
    if dtype != "string":
        width = 1 / 8 if dtype == "bool" else np.dtype(_QUIVER_TO_NUMPY[dtype]).itemsize
        return np.arange(1, rows + 1, dtype=np.float64) * (inner * width)
    values = _flat_values(table.column(0).chunks[0]) if rows else pa.array([], pa.string())
    offsets = np.frombuffer(values.buffers()[1], dtype=np.int32)[values.offset:values.offset + len(values) + 1]
    per_row = offsets[inner::inner] if inner else np.zeros(rows, dtype=np.int32)
    return (per_row - offsets[0]).astype(np.int64) + 4 * inner * np.arange(1, rows + 1, dtype=np.int64)


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
