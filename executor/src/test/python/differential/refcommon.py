"""Shared pieces of the numpy references: expected TF errors and the tolerant comparison."""
import numpy as np


class ExpectError(Exception):
    """Raised by a reference when TensorFlow fails on the case; `fragment` must appear in Quiver's error."""

    def __init__(self, fragment):
        super().__init__(fragment)
        self.fragment = fragment


def reference_attrs(case):
    """The attrs a reference sees: the case's, plus "_placeholders", what its input placeholders declared
    ("static": full shapes, "unknown_dims": ranks only, "unknown_rank": nothing). TF words an error differently
    when its shape function finds it at build time and when its kernel finds it at run time."""
    attrs = dict(case["attrs"])
    attrs["_placeholders"] = case.get("placeholders", "static")
    return attrs


def built_statically(attrs):
    """Whether the case's placeholders declared full shapes (so shape errors are build-time ones)."""
    return attrs.get("_placeholders", "static") == "static"


DEFAULT_TOL = {np.dtype(np.float32): (2e-6, 1e-6), np.dtype(np.float64): (1e-12, 1e-12)}


def compare(got, expected, rtol=None, atol=None, magnitude=None, bit_exact=False, signed_zeros=False):
    """None if `got` matches `expected` (dtype, shape, values), else a description of the difference.

    Floats: NaN where NaN is expected, equal infinities, other values within atol + rtol * |expected| (or
    rtol * magnitude, when the reference gives one; a magnitude of -inf marks an element whose value the
    arithmetic leaves undefined, which is not compared); signed zeros are equal unless `signed_zeros` (ops whose
    sign of zero TF determines: a zero must then have the expected sign). With `bit_exact`, floats must have
    the same bytes (NaN payloads and the sign of zero included).
    Integers, bools and strings: exact.
    """
    if got.dtype != expected.dtype and not (got.dtype == object and expected.dtype.kind in "OUS"):
        return f"dtype {got.dtype}, expected {expected.dtype}"
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected {expected.shape}"
    if got.dtype.kind == "f" and bit_exact:
        unsigned = np.uint32 if got.dtype.itemsize == 4 else np.uint64
        bad = np.ascontiguousarray(got).view(unsigned) != np.ascontiguousarray(expected).view(unsigned)
    elif got.dtype.kind == "f":
        r, a = DEFAULT_TOL[got.dtype]
        r = r if rtol is None else rtol
        a = a if atol is None else atol
        g = got.astype(np.float64)
        e = expected.astype(np.float64)
        nan_g, nan_e = np.isnan(g), np.isnan(e)
        inf_e = np.isinf(e)
        bad = (nan_g != nan_e) | (inf_e & (g != e))
        finite = ~nan_e & ~inf_e
        scale = np.abs(e)
        if magnitude is not None:
            m = np.asarray(magnitude, np.float64)
            scale = np.where(np.isnan(m), scale, np.maximum(scale, m))
        with np.errstate(all="ignore"):
            bad |= finite & ~(np.abs(g - e) <= a + r * scale)
        if signed_zeros:
            bad |= (e == 0) & (g == 0) & (np.signbit(g) != np.signbit(e))
        if magnitude is not None:
            bad &= ~np.isneginf(np.asarray(magnitude, np.float64))  # magnitude -inf: undefined, skipped
    else:
        bad = got != expected
    if np.any(bad):
        idx = np.argwhere(bad)
        first = tuple(idx[0])
        return (f"{int(np.sum(bad))} of {got.size} elements differ; first at {first}: got {got[first]!r}, "
                f"expected {expected[first]!r}")
    return None
