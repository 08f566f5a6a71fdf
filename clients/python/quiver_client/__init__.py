"""Python client of the Quiver tensor store, over Arrow Flight.

``connect(location, token=None)`` returns a :class:`Client` with ``put(ndarray) -> handle``,
``get(handle) -> ndarray``, ``delete``, ``list``, ``stats`` and ``health``. Tensors travel in Quiver's
interchange format (one Arrow column, see ``docs/flight-protocol.md``); :func:`to_table` and
:func:`to_numpy` convert between numpy arrays and that format without the network.
"""

from ._errors import (
    QuiverError,
    InvalidArgumentError,
    NotFoundError,
    ResourceExhaustedError,
    UnauthenticatedError,
    UnavailableError,
)
from ._format import to_numpy, to_table
from ._client import Client, TensorInfo, connect

__all__ = [
    "Client",
    "TensorInfo",
    "connect",
    "to_numpy",
    "to_table",
    "QuiverError",
    "InvalidArgumentError",
    "NotFoundError",
    "ResourceExhaustedError",
    "UnauthenticatedError",
    "UnavailableError",
]
