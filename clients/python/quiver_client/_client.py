"""The Quiver Flight client."""

from typing import NamedTuple, Tuple

import json

import numpy as np
import pyarrow.flight as flight

from . import _format
from ._errors import translate

TENSORS = b"tensors"


class TensorInfo(NamedTuple):
    """A stored tensor as the server lists it, without its data."""

    handle: str
    dtype: str
    shape: Tuple[int, ...]
    nbytes: int


class Client:
    """A connection to a Quiver server. Use :func:`connect`; close it (or use ``with``) when done.

    Every server error is raised as a :class:`quiver_client.QuiverError` subclass.
    """

    #: The largest record batch :meth:`put` sends: a FlightData body has a 32-bit length, so an array of 2 GiB or
    #: more must travel in several batches. Up to this size an upload is one batch, which the server stores
    #: without a copy.
    MAX_BATCH_BYTES = 1 << 30

    def __init__(self, location, token=None, tls_root_certs=None, max_batch_bytes=MAX_BATCH_BYTES):
        self.max_batch_bytes = max_batch_bytes
        kwargs = {}
        if tls_root_certs is not None:
            kwargs["tls_root_certs"] = tls_root_certs
        self.location = location
        self._flight = flight.FlightClient(location, **kwargs)
        headers = [(b"authorization", b"Bearer " + token.encode())] if token else []
        self._options = flight.FlightCallOptions(headers=headers)

    # -- tensors ---------------------------------------------------------------------------------

    def put(self, array):
        """Stores ``array`` (anything ``np.asarray`` accepts) and returns its new handle.

        An array of up to ``max_batch_bytes`` (1 GiB by default) is sent as one batch, which the server stores
        without a copy; a larger one in batches of whole rows of at most that size (the server gathers them once).
        Bytes (numpy ``S``) arrays must hold UTF-8 text; an object array must hold only ``str``.
        """
        table = _format.to_table(array)
        descriptor = flight.FlightDescriptor.for_path(TENSORS)
        try:
            writer, reader = self._flight.do_put(descriptor, table.schema, options=self._options)
            with writer:
                for batch in _format.batches(table, self.max_batch_bytes):
                    writer.write_batch(batch)
                writer.done_writing()
                answer = reader.read()
            if answer is None:
                raise translate(RuntimeError("the server answered the upload without a handle"))
            return answer.to_pybytes().decode("utf-8")
        except Exception as e:  # noqa: BLE001 - translated below
            raise translate(e) from e

    def get(self, handle):
        """The numpy array stored under ``handle``.

        A tensor that arrives in one batch is returned over the received buffer (no copy, read-only);
        a larger one is gathered into one new array.
        """
        try:
            reader = self._flight.do_get(flight.Ticket(handle.encode("utf-8")), options=self._options)
            table = reader.read_all()
        except Exception as e:  # noqa: BLE001
            raise translate(e) from e
        return _format.to_numpy(table)

    def get_table(self, handle):
        """The Arrow table the server streams for ``handle``, as received."""
        try:
            return self._flight.do_get(flight.Ticket(handle.encode("utf-8")), options=self._options).read_all()
        except Exception as e:  # noqa: BLE001
            raise translate(e) from e

    def info(self, handle):
        """What the server knows about ``handle``, without fetching it."""
        descriptor = flight.FlightDescriptor.for_path(TENSORS, handle.encode("utf-8"))
        try:
            return _info(self._flight.get_flight_info(descriptor, options=self._options))
        except Exception as e:  # noqa: BLE001
            raise translate(e) from e

    def delete(self, handle):
        """Deletes ``handle``; NotFoundError if the server does not hold it."""
        self._action("delete", handle.encode("utf-8"))

    def list(self, prefix=""):
        """Every stored tensor whose handle starts with ``prefix``."""
        try:
            return [_info(i) for i in self._flight.list_flights(prefix.encode("utf-8"), options=self._options)]
        except Exception as e:  # noqa: BLE001
            raise translate(e) from e

    def stats(self):
        """The store's counters as a dict (handles_in_memory, bytes_in_memory, hits, misses, ...)."""
        return json.loads(self._action("stats", b""))

    def health(self):
        """``"SERVING"`` while the server accepts calls."""
        return json.loads(self._action("health", b""))["status"]

    def list_devices(self):
        """The devices the server's tensors live on: dicts with TensorFlow's ``list_devices()`` attributes.

        Each has ``name``, ``device_type``, ``memory_limit_bytes`` (the store's allocator limit) and
        ``incarnation``.
        """
        return json.loads(self._action("list-devices", b""))

    def _action(self, kind, body):
        try:
            results = list(self._flight.do_action(flight.Action(kind, body), options=self._options))
        except Exception as e:  # noqa: BLE001
            raise translate(e) from e
        return results[0].body.to_pybytes() if results else b""

    # -- lifetime --------------------------------------------------------------------------------

    def close(self):
        self._flight.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"quiver_client.Client({self.location!r})"


def _info(flight_info):
    dtype, shape = _format.spec(flight_info.schema)
    path = flight_info.descriptor.path
    handle = path[1].decode("utf-8") if len(path) == 2 else flight_info.endpoints[0].ticket.ticket.decode("utf-8")
    return TensorInfo(handle, dtype, shape, flight_info.total_bytes)


def connect(location="grpc+tcp://127.0.0.1:8815", token=None, tls_root_certs=None,
            max_batch_bytes=Client.MAX_BATCH_BYTES):
    """A :class:`Client` of the server at ``location``; ``token`` is sent as ``authorization: Bearer``."""
    return Client(location, token=token, tls_root_certs=tls_root_certs, max_batch_bytes=max_batch_bytes)
