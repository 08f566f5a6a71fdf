"""quiver_client's conversions and upload batching, without a server except where the server must agree."""

import importlib.metadata
import pathlib

import numpy as np
import pytest

import quiver_client
from quiver_client import _format

from conftest import ROOT


def test_the_tests_import_the_installed_package():
    # bin/test installs ./clients/python into the venv; the source tree must not shadow it.
    assert importlib.metadata.version("quiver-client") == "0.1.0"
    source = ROOT / "clients" / "python"
    assert source not in pathlib.Path(quiver_client.__file__).resolve().parents, quiver_client.__file__


BATCHING_SAMPLES = [
    np.arange(1000, dtype=np.float32).reshape(100, 10),
    np.arange(300, dtype=np.int64),
    np.array([[True, False] * 8] * 64),
    np.array(["a" * 50, "b", "c" * 3000, "d", ""] * 7),
    np.array(3.5),
    np.zeros((0, 4), dtype=np.int64),
    np.zeros((3, 0, 2), dtype=np.float32),
]


@pytest.mark.parametrize("array", BATCHING_SAMPLES, ids=lambda a: f"{a.dtype}{list(a.shape)}")
@pytest.mark.parametrize("bound", [1, 100, 1024, 1 << 30])
def test_an_upload_is_cut_into_whole_rows_within_the_bound(array, bound):
    table = _format.to_table(array)
    batches = _format.batches(table, bound)
    assert sum(b.num_rows for b in batches) == table.num_rows
    ends = _format._row_ends(table)
    row = 0
    for b in batches:
        if b.num_rows == 0:
            continue
        size = ends[row + b.num_rows - 1] - (ends[row - 1] if row else 0)
        assert b.num_rows == 1 or size <= bound, (row, b.num_rows, size)  # one row alone may be larger
        row += b.num_rows
    if table.num_rows == 0 or ends[-1] <= bound:
        assert len(batches) == 1  # fits: one batch, stored without a copy
    back = _format.to_numpy(batches, schema=table.schema)
    assert back.shape == array.shape and np.array_equal(back, array)


def test_the_default_bound_keeps_every_body_under_2_gib():
    assert quiver_client.Client.MAX_BATCH_BYTES == 1 << 30 < 2**31


def test_an_array_past_the_bound_is_uploaded_in_several_batches_and_stored_whole(server):
    array = np.random.default_rng(5).random((500, 7))  # 28 kB in batches of at most 1 KiB: 3 rows each
    with quiver_client.connect(server.location, max_batch_bytes=1024) as q:
        handle = q.put(array)
        assert np.array_equal(q.get(handle), array)
        strings = np.array([f"row {i} " + "é" * (i % 40) for i in range(300)])
        assert np.array_equal(q.get(q.put(strings)), strings)


def test_bytes_arrays_are_stored_as_their_utf8_text(client):
    array = np.array([b"ab", "héllo".encode(), b""])
    back = client.get(client.put(array))
    assert back.tolist() == ["ab", "héllo", ""]  # not "b'ab'"


def test_a_bytes_element_that_is_not_utf8_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match=r"element 1 of the bytes array \(b'\\xff\\xfe'\) is not UTF-8"):
        _format.to_table(np.array([b"ok", b"\xff\xfe"]))


def test_an_object_array_of_anything_but_str_is_a_type_error_naming_the_element():
    with pytest.raises(TypeError, match=r"element 2 of the object array is a int \(7\), not a str"):
        _format.to_table(np.array(["a", "b", 7], dtype=object))


def test_an_empty_object_array_is_the_empty_string_tensor_get_returns(client):
    # get() returns strings as an object array, so an empty one must go back as the same empty string tensor.
    empty = client.get(client.put(np.array([], dtype=np.str_)))
    assert empty.dtype == object and empty.shape == (0,)
    table = _format.to_table(empty)
    assert table.schema.metadata[_format.DTYPE_KEY] == b"string"
    assert client.info(client.put(empty)).dtype == "string"
