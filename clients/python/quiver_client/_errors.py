"""Errors of a Quiver server, named after TensorFlow's ``tf.errors`` classes.

The server sends a Flight status; pyarrow raises one of its ``FlightError`` classes or an Arrow error for
it, and :func:`translate` turns that into the matching class here. Each class also derives from the Python
exception a caller would expect (``KeyError`` for an unknown handle, ``ValueError`` for bad input, ...).
"""

import re

import pyarrow as pa
import pyarrow.flight as flight


class QuiverError(Exception):
    """A failed call to a Quiver server; ``code`` is TensorFlow's status name."""

    code = "UNKNOWN"

    def __str__(self):
        return str(self.args[0]) if self.args else self.code


class NotFoundError(QuiverError, KeyError):
    """The handle is not in the store (unknown, deleted or expired)."""

    code = "NOT_FOUND"


class InvalidArgumentError(QuiverError, ValueError):
    """Malformed handle, or data that is not a tensor."""

    code = "INVALID_ARGUMENT"


class ResourceExhaustedError(QuiverError, MemoryError):
    """The store's memory or disk budget is exhausted."""

    code = "RESOURCE_EXHAUSTED"


class UnauthenticatedError(QuiverError, PermissionError):
    """The server wants a bearer token, or refused the one given."""

    code = "UNAUTHENTICATED"


class UnavailableError(QuiverError, ConnectionError):
    """The server cannot be reached or is shutting down."""

    code = "UNAVAILABLE"


_PYARROW_WRAPPING = re.compile(
    r"^(?:Flight|gRPC) returned (?P<kind>[a-z ]+) error, with message: (?P<msg>.*?)"
    r"(?:\. gRPC client debug context.*|\. Detail:.*)?$", re.S)
# pyarrow words a status as "Flight returned ..." when the call ends, and "gRPC returned ..." when the server
# ends an upload early (DoPut), raising ArrowInvalid whatever the code: the words name the status.


def _parse(e):
    """(kind, server message) of a pyarrow Flight error; kind is e.g. 'not found' or '' if unknown."""
    m = _PYARROW_WRAPPING.match(str(e))
    if m:
        return m.group("kind"), m.group("msg")
    return "", str(e)


def translate(e):
    """The Quiver error for a pyarrow exception, or ``e`` itself if it did not come from the server."""
    kind, msg = _parse(e)
    if isinstance(e, (flight.FlightUnauthenticatedError, flight.FlightUnauthorizedError)):
        return UnauthenticatedError(msg)
    if isinstance(e, flight.FlightUnavailableError) or kind == "unavailable":
        return UnavailableError(msg)
    if isinstance(e, pa.ArrowKeyError) or kind == "not found":
        return NotFoundError(msg)
    if kind == "resource exhausted" or isinstance(e, pa.ArrowCapacityError):
        return ResourceExhaustedError(msg)
    if isinstance(e, (pa.ArrowInvalid, pa.ArrowTypeError)) or kind == "invalid argument":
        return InvalidArgumentError(msg)
    if isinstance(e, (flight.FlightError, pa.ArrowException)):
        return QuiverError(msg)
    return e
