"""quiver_client against a real Java server: round trips, errors, listing, auth."""

import numpy as np
import pytest

import quiver_client
from conftest import TOKEN

SAMPLES = [
    np.arange(24, dtype=np.float32).reshape(2, 3, 4),
    np.linspace(-1, 1, 7, dtype=np.float64),
    np.array(3.5, dtype=np.float64),
    np.array([-128, 0, 127], dtype=np.int8),
    np.arange(6, dtype=np.int16).reshape(3, 2),
    np.array([[1, -2], [3, 2**31 - 1]], dtype=np.int32),
    np.array([2**62, -5], dtype=np.int64),
    np.array([0, 255, 7], dtype=np.uint8),
    np.array([[True, False, True]]),
    np.array(["a", "héllo", ""]),
    np.zeros((3, 0, 2), dtype=np.float32),
    np.zeros((0, 4), dtype=np.int64),
]


@pytest.mark.parametrize("array", SAMPLES, ids=lambda a: f"{a.dtype}{list(a.shape)}")
def test_put_then_get_returns_an_equal_array(client, array):
    handle = client.put(array)
    back = client.get(handle)
    assert back.shape == array.shape
    assert back.dtype == (object if array.dtype.kind == "U" else array.dtype)
    assert np.array_equal(back, array)


def test_a_tensor_of_several_batches_arrives_whole(client):
    array = np.random.default_rng(1).random((3000, 1000))  # 24 MB: several 4 MiB batches
    handle = client.put(array)
    assert client.get_table(handle).column(0).num_chunks > 1
    assert np.array_equal(client.get(handle), array)


class RecordingFlight:
    """Stands in for a client's FlightClient and keeps each table its DoGet readers return, so a test can see
    what ``get`` made of the received buffers."""

    def __init__(self, flight):
        self._flight = flight
        self.tables = []

    def __getattr__(self, name):
        return getattr(self._flight, name)

    def do_get(self, *args, **kwargs):
        reader = self._flight.do_get(*args, **kwargs)
        tables = self.tables

        class Reader:
            def read_all(self):
                tables.append(reader.read_all())
                return tables[-1]

        return Reader()


def test_get_returns_a_one_batch_tensor_over_the_received_buffer(client, monkeypatch):
    handle = client.put(np.arange(12, dtype=np.float32).reshape(3, 4))
    recording = RecordingFlight(client._flight)
    monkeypatch.setattr(client, "_flight", recording)
    array = client.get(handle)
    (table,) = recording.tables
    values = table.column(0).chunks[0].storage.flatten()
    assert array.ctypes.data == values.buffers()[1].address  # no copy
    assert not array.flags.writeable


def test_strided_and_big_endian_arrays_are_stored_by_value(client):
    base = np.arange(20, dtype=">i4").reshape(4, 5)
    view = base[:, ::2]
    assert np.array_equal(client.get(client.put(view)), view)


def test_an_unsupported_dtype_is_a_type_error(client):
    with pytest.raises(TypeError, match="complex128"):
        client.put(np.zeros(3, dtype=np.complex128))


def test_an_unknown_handle_is_not_found_and_a_key_error(client):
    handle = client.put(np.ones(2))
    client.delete(handle)
    with pytest.raises(quiver_client.NotFoundError, match="is not in the session store") as e:
        client.get(handle)
    assert isinstance(e.value, KeyError)
    assert handle in str(e.value)
    with pytest.raises(quiver_client.NotFoundError):
        client.delete(handle)


def test_a_malformed_handle_is_invalid_argument_and_a_value_error(client):
    with pytest.raises(quiver_client.InvalidArgumentError, match="not-a-handle") as e:
        client.get("not-a-handle")
    assert isinstance(e.value, ValueError)


def test_list_info_stats_devices_and_health(client):
    handle = client.put(np.zeros((2, 3), dtype=np.int32))
    listed = {t.handle: t for t in client.list()}
    assert listed[handle] == quiver_client.TensorInfo(handle, "int32", (2, 3), 24)
    assert client.info(handle) == listed[handle]
    assert handle not in {t.handle for t in client.list(prefix="Other;")}
    stats = client.stats()
    assert stats["handles_in_memory"] >= 1 and "spills" in stats
    (device,) = client.list_devices()
    # tf.Session().list_devices() entries have name, device_type, memory_limit_bytes, incarnation (TF 1.x API)
    assert set(device) == {"name", "device_type", "memory_limit_bytes", "incarnation"}
    assert device["device_type"] == "CPU" and device["name"].endswith("device:CPU:0")
    assert device["memory_limit_bytes"] > 0
    assert client.health() == "SERVING"


def test_an_upload_past_both_budgets_is_resource_exhausted_and_keeps_what_is_stored(tiny_server):
    spilled = np.arange(12, dtype=np.float32)  # 48 bytes: in memory, then spilled when the next one comes
    kept = np.array([[1, -2], [3, 4]], dtype=np.int64)  # 32 bytes
    with quiver_client.connect(tiny_server.location) as q:
        spilled_handle, kept_handle = q.put(spilled), q.put(kept)
        assert q.stats()["handles_on_disk"] == 1
        with pytest.raises(quiver_client.ResourceExhaustedError) as e:
            q.put(np.zeros(100, dtype=np.float64))
        assert isinstance(e.value, MemoryError)
        assert "memory budget of 64 bytes" in str(e.value) and "disk budget of 64 bytes" in str(e.value)
        # The raw Flight status, as any pyarrow client sees it.
        assert "resource exhausted" in str(e.value.__cause__).lower()
        assert {t.handle for t in q.list()} == {spilled_handle, kept_handle}
        assert np.array_equal(q.get(spilled_handle), spilled)
        assert np.array_equal(q.get(kept_handle), kept)


def test_a_server_with_a_token_refuses_calls_without_it(secured_server):
    with quiver_client.connect(secured_server.location) as anonymous:
        with pytest.raises(quiver_client.UnauthenticatedError):
            anonymous.list()
    with quiver_client.connect(secured_server.location, token="wrong") as wrong:
        with pytest.raises(quiver_client.UnauthenticatedError):
            wrong.put(np.ones(1))


def test_a_server_with_a_token_serves_the_right_one(secured_server):
    with quiver_client.connect(secured_server.location, token=TOKEN) as q:
        handle = q.put(np.arange(3))
        assert np.array_equal(q.get(handle), np.arange(3))
