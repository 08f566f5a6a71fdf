"""What another program sees: plain pyarrow.flight without our package, then torch, DuckDB and Polars.

The code run here is the README's own, read from README.md ("Use it from Python"), so the README and this test
cannot drift apart; only the location is the test server's instead of the default.
"""

import re
import warnings

import numpy as np

from conftest import ROOT

DEFAULT_LOCATION = "grpc+tcp://127.0.0.1:8815"


def readme_python_blocks():
    """The ```python blocks of the README's "Use it from Python" section, in order."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Use it from Python", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def run_the_readme(location, handle):
    """Runs the README's pyarrow snippet for ``handle`` and returns its variables (``table``, ``x``, ...)."""
    snippet = readme_python_blocks()[0]
    assert DEFAULT_LOCATION in snippet
    scope = {"handle": handle.encode()}
    exec(snippet.replace(DEFAULT_LOCATION, location), scope)  # noqa: S102 - the README's own code
    return scope


def fetch_with_the_readme(location, handle):
    """Runs the README's pyarrow snippet for ``handle`` and returns its ``x``."""
    return run_the_readme(location, handle)["x"]


def over_a_received_buffer(x, table):
    """Whether ``x``'s bytes lie inside one of the buffers of ``table`` as Flight received it (no copy)."""
    start = x.ctypes.data
    end = start + x.nbytes
    return any(b is not None and b.address <= start and end <= b.address + b.size
               for chunk in table.column(0).chunks for b in chunk.buffers())


def test_the_readme_snippet_is_what_quiver_serve_prints(server):
    printed = [line[4:] for line in server.printed if line.startswith("    ")]
    assert "".join(printed) == readme_python_blocks()[0].replace(DEFAULT_LOCATION, server.location)


def test_plain_pyarrow_gets_a_tensor_as_a_numpy_array(server, client):
    expected = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    x = fetch_with_the_readme(server.location, client.put(expected))
    assert x.dtype == np.float32 and x.shape == (2, 3, 4)
    assert np.array_equal(x, expected)


def test_the_readme_snippet_returns_a_one_batch_tensor_over_the_received_buffer(server, client):
    expected = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    scope = run_the_readme(server.location, client.put(expected))
    assert scope["table"].column(0).num_chunks == 1
    assert over_a_received_buffer(scope["x"], scope["table"])  # as the README says: not a copy


def test_the_readme_snippet_combines_the_batches_of_a_larger_tensor_into_a_copy(server, client):
    expected = np.random.default_rng(2).random((3000, 1000))  # 24 MB: several 4 MiB batches
    scope = run_the_readme(server.location, client.put(expected))
    assert scope["table"].column(0).num_chunks > 1
    assert np.array_equal(scope["x"], expected)
    assert not over_a_received_buffer(scope["x"], scope["table"])  # as the README says: combined first


def test_the_plain_pyarrow_snippet_works_for_every_rank_and_dtype(server, client):
    samples = [np.float64(2.0), np.arange(5, dtype=np.int64), np.array([True, False]), np.array(["a", "b"]),
               np.arange(6, dtype=np.uint8).reshape(1, 2, 3), np.random.default_rng(0).random((3000, 1000))]
    for expected in samples:
        x = fetch_with_the_readme(server.location, client.put(expected))
        assert x.shape == expected.shape and np.array_equal(x, expected), expected.dtype


def test_the_readme_array_reaches_torch_polars_and_duckdb_as_written(server, client):
    expected = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    scope = {"x": fetch_with_the_readme(server.location, client.put(expected))}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the README's way gives no warning (from_numpy(x) itself would)
        exec(readme_python_blocks()[1], scope)  # noqa: S102 - the README's own code
    t, s, total = scope["t"], scope["s"], scope["total"]
    import torch

    assert t.dtype == torch.float32 and tuple(t.shape) == (2, 3, 4)
    assert np.array_equal(t.numpy(), expected)
    t[0, 0, 0] = -1.0  # writable, and its own memory
    assert scope["x"][0, 0, 0] == 0
    assert s.len() == 2 and np.array_equal(s.to_numpy(), expected)
    assert total == float(expected.sum())


def test_torch_from_numpy_of_the_read_only_array_warns_as_the_readme_says(server, client):
    import torch

    x = fetch_with_the_readme(server.location, client.put(np.arange(4, dtype=np.float32)))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.from_numpy(x)
    assert any("not writable" in str(w.message) for w in caught)
