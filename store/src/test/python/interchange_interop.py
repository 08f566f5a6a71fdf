"""pyarrow's side of the interchange-format interop tests (docs/interchange-format.md).

    python interchange_interop.py check DIR   # read the tensors Java wrote (DIR/manifest.json) and compare
    python interchange_interop.py write DIR   # write tensors with pyarrow and a manifest for Java to read

Element i (flat, row-major) of each sample tensor follows a formula that the Java test class
dev.quiver.store.interchange.Samples implements too; the two must stay in step.
Exit code 0 means every tensor matched; otherwise each mismatch is printed.
"""

import json
import math
import sys
import traceback
from pathlib import Path

import numpy as np
import pyarrow as pa

ARROW_TYPES = {
    "float32": pa.float32(),
    "float64": pa.float64(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "uint8": pa.uint8(),
    "bool": pa.bool_(),
    "string": pa.string(),
}

# Ranks 0, 1, 2 and 4, with empty dims in several places (the same list as Samples.SHAPES).
SHAPES = [(), (5,), (0,), (3, 4), (0, 4), (2, 3, 1, 2), (3, 0, 2), (2, 0, 3, 1)]


def expected(dtype, shape):
    """The sample tensor of dtype and shape, as numpy (strings as an object array)."""
    n = math.prod(shape)
    i = np.arange(n, dtype=np.int64)
    if dtype in ("float32", "float64"):
        flat = ((i % 97) * 0.25 - 7.5).astype(dtype)
    elif dtype == "int8":
        flat = ((i * 7 % 256) - 128).astype(np.int8)
    elif dtype == "int16":
        flat = ((i * 331 % 65536) - 32768).astype(np.int16)
    elif dtype == "int32":
        flat = ((i * 1000003 % 2**32) - 2**31).astype(np.int32)
    elif dtype == "int64":
        flat = (i - 3) * 1000000000007
    elif dtype == "uint8":
        flat = (i * 37 % 256).astype(np.uint8)
    elif dtype == "bool":
        flat = i % 3 == 0
    elif dtype == "string":
        flat = np.array(["" if k % 5 == 0 else f"é{k}" + "x" * (k % 4) for k in range(n)], dtype=object)
    else:
        raise ValueError(dtype)
    return flat.reshape(shape)


def tensor_to_numpy(table, dtype, shape):
    """The tensor of a table read from a Quiver stream, the way the format doc tells a reader to do it."""
    meta = table.schema.metadata
    assert meta[b"quiver:dtype"].decode() == dtype, meta
    assert json.loads(meta[b"quiver:shape"]) == list(shape), meta
    assert meta[b"quiver:version"] == b"1", meta
    assert table.num_columns == 1, table.schema
    column = table.column(0)
    array = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if len(shape) >= 2:
        assert isinstance(array.type, pa.FixedShapeTensorType), array.type
        assert tuple(array.type.shape) == tuple(shape[1:]), array.type
        assert array.type.value_type == ARROW_TYPES[dtype], array.type
        if dtype in ("bool", "string"):
            # pyarrow's to_numpy_ndarray() only takes numeric value types: read the storage instead.
            flat = array.storage.flatten().to_numpy(zero_copy_only=False)
            return flat.reshape(shape)
        return array.to_numpy_ndarray()
    assert array.type == ARROW_TYPES[dtype], array.type
    values = array.to_numpy(zero_copy_only=False)
    return values.reshape(shape)


def same(actual, want):
    if actual.shape != want.shape:
        return f"shape {actual.shape} != {want.shape}"
    if want.dtype == object:
        ok = actual.tolist() == want.tolist()
    else:
        ok = actual.dtype == want.dtype and np.array_equal(actual, want)
    return None if ok else f"values differ:\n  got  {actual!r}\n  want {want!r}"


def check(directory):
    cases = json.loads((directory / "manifest.json").read_text())["cases"]
    failures = []
    for case in cases:
        path = directory / case["file"]
        dtype, shape = case["dtype"], tuple(case["shape"])
        try:
            if case["format"] == "file":
                reader = pa.ipc.open_file(path)
                batches = reader.num_record_batches
                table = reader.read_all()
            else:
                with pa.ipc.open_stream(path) as reader:
                    record_batches = list(reader)
                    batches = len(record_batches)
                    table = pa.Table.from_batches(record_batches, schema=reader.schema)
            if batches != case["batches"]:
                failures.append(f"{case['file']}: {batches} batches, Java wrote {case['batches']}")
                continue
            problem = same(tensor_to_numpy(table, dtype, shape), expected(dtype, shape))
            if problem:
                failures.append(f"{case['file']}: {problem}")
        except Exception:  # report every case, not just the first
            failures.append(f"{case['file']}: {traceback.format_exc()}")
    return cases, failures


def tensor_array(values, dtype):
    """A column holding the tensor `values`, built the ways a pyarrow user would."""
    value_type = ARROW_TYPES[dtype]
    shape = values.shape
    if len(shape) >= 2:
        if dtype not in ("bool", "string") and values.size > 0:
            return pa.FixedShapeTensorArray.from_numpy_ndarray(np.ascontiguousarray(values))
        # from_numpy_ndarray rejects empty arrays and non-numeric values: build the storage directly.
        row = math.prod(shape[1:])
        flat = pa.array(values.reshape(-1), value_type)
        if row > 0:
            storage = pa.FixedSizeListArray.from_arrays(flat, row)
        else:
            storage = pa.array([[]] * shape[0], pa.list_(value_type, 0))
        return pa.ExtensionArray.from_storage(pa.fixed_shape_tensor(value_type, shape[1:]), storage)
    return pa.array(values.reshape(-1), value_type)


def write(directory):
    directory.mkdir(parents=True, exist_ok=True)
    cases = []
    for dtype in ARROW_TYPES:
        for shape in SHAPES:
            values = expected(dtype, shape)
            array = tensor_array(values, dtype)
            schema = pa.schema(
                [pa.field("tensor", array.type, nullable=False)],
                metadata={"quiver:dtype": dtype, "quiver:shape": json.dumps(list(shape)), "quiver:version": "1"},
            )
            name = f"{dtype}_{'x'.join(map(str, shape)) or 'scalar'}"
            with pa.ipc.new_file(directory / f"{name}.arrow", schema) as writer:
                writer.write_batch(pa.record_batch([array], schema=schema))
            cases.append({"file": f"{name}.arrow", "format": "file", "dtype": dtype, "shape": list(shape)})
            if len(shape) >= 1 and shape[0] >= 2:
                # Several batches, each a slice of the one array (pyarrow rebases what it must).
                with pa.ipc.new_stream(directory / f"{name}.arrows", schema) as writer:
                    for start in range(0, shape[0], 2):
                        writer.write_batch(pa.record_batch([array.slice(start, 2)], schema=schema))
                cases.append({"file": f"{name}.arrows", "format": "stream", "dtype": dtype, "shape": list(shape)})
    (directory / "manifest.json").write_text(json.dumps({"cases": cases}, indent=1))
    return cases


def main(argv):
    if len(argv) != 3 or argv[1] not in ("check", "write"):
        print(__doc__)
        return 2
    directory = Path(argv[2])
    print(f"pyarrow {pa.__version__}, numpy {np.__version__}")
    if argv[1] == "write":
        cases = write(directory)
        print(f"wrote {len(cases)} tensors to {directory}")
        return 0
    cases, failures = check(directory)
    for f in failures:
        print("MISMATCH", f)
    print(f"checked {len(cases)} tensors, {len(failures)} mismatches")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
