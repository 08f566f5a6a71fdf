"""What another program sees: plain pyarrow.flight without our package, then torch, DuckDB and Polars."""

import numpy as np


def test_plain_pyarrow_gets_a_tensor_as_a_numpy_array(server, client):
    expected = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    handle = client.put(expected)

    # The README's snippet, verbatim (as `quiver serve` prints it):
    import json, pyarrow.flight as flight
    table = flight.connect(server.location).do_get(flight.Ticket(handle)).read_all()
    column = table.column(0).combine_chunks()
    values = column.storage.flatten() if hasattr(column, "storage") else column
    x = values.to_numpy(zero_copy_only=False).reshape(json.loads(table.schema.metadata[b"quiver:shape"]))

    assert x.dtype == np.float32 and x.shape == (2, 3, 4)
    assert np.array_equal(x, expected)


def test_the_plain_pyarrow_snippet_works_for_every_rank(server, client):
    import json, pyarrow.flight as flight

    for expected in [np.float64(2.0), np.arange(5, dtype=np.int64), np.array([True, False]), np.array(["a", "b"])]:
        handle = client.put(expected)
        table = flight.connect(server.location).do_get(flight.Ticket(handle)).read_all()
        column = table.column(0).combine_chunks()
        values = column.storage.flatten() if hasattr(column, "storage") else column
        x = values.to_numpy(zero_copy_only=False).reshape(json.loads(table.schema.metadata[b"quiver:shape"]))
        assert np.array_equal(x, expected)


def test_a_fetched_array_reaches_torch(client):
    import torch

    expected = np.arange(12, dtype=np.float32).reshape(3, 4)
    t = torch.from_numpy(client.get(client.put(expected)).copy())
    assert t.shape == (3, 4) and t.dtype == torch.float32
    assert float(t.sum()) == float(expected.sum())


def test_a_fetched_array_reaches_duckdb_and_polars(client):
    import duckdb
    import polars as pl
    import pyarrow as pa

    x = client.get(client.put(np.arange(100, dtype=np.int64)))
    fetched = pa.table({"x": x})  # DuckDB scans the Arrow table that wraps the fetched array
    assert duckdb.sql("SELECT sum(x) AS s FROM fetched").fetchone()[0] == 4950
    assert pl.Series("x", x).sum() == 4950
