"""Input checks shared by every public function (the only place user input is validated).

Rules (SPEC §3): the first array decides the working dtype — float32 stays float32,
float64 stays float64, integers and bools become float64; complex, object and string
arrays raise ``TypeError``.  C- or F-ordered arrays are used as they are; other layouts
are copied once.  Inputs are never modified.
"""
from __future__ import annotations

import numbers

import numpy as np

from ._ridge import all_finite, ready_array

# LAPACK/BLAS as shipped with SciPy use 32-bit integers for dimensions and strides.
INT32_MAX = np.iinfo(np.int32).max


class DataTypeError(TypeError, ValueError):
    """Input of a dtype fastridge cannot compute with (complex, object, string, sparse).

    A ``TypeError`` as SPEC §3 says; also a ``ValueError`` so that code written for
    scikit-learn (which raises ``ValueError("Complex data not supported")``) catches it.
    """


def working_dtype(a: np.ndarray, name: str) -> np.dtype:
    """Return the float dtype the computation runs in for array ``a`` named ``name``."""
    kind = a.dtype.kind
    if kind == "f":
        # by size, so that non-native byte order ('>f8') maps to the native type
        if a.dtype.itemsize == 4:
            return np.dtype(np.float32)
        if a.dtype.itemsize == 8:
            return np.dtype(np.float64)
        raise DataTypeError(
            f"{name} has dtype {a.dtype}; expected float32 or float64 "
            "(or an integer/bool array, which is converted to float64)"
        )
    if kind in "iub":
        return np.dtype(np.float64)
    prefix = "Complex data not supported: " if kind == "c" else ""
    raise DataTypeError(
        f"{prefix}{name} has dtype {a.dtype}; expected a real numeric array "
        "(float32, float64, integer or bool)"
    )


def as_float_array(a, name: str, dtype=None, ndims=(2,), check_finite=True) -> np.ndarray:
    """Return ``a`` as a C- or F-contiguous float array without copying when possible.

    ``dtype=None`` lets ``a`` decide the working dtype; otherwise ``a`` is cast to
    ``dtype``.  ``ndims`` are the accepted numbers of dimensions, in
    increasing order without gaps.  Raises ``TypeError`` for
    non-numeric input and ``ValueError`` for a wrong number of dimensions, an empty
    axis or (with ``check_finite``) NaN/inf values.
    """
    # Fast path (microseconds matter for small problems): nothing to convert.
    ready = ready_array(a, ndims[0], ndims[-1], -1 if dtype is None else np.dtype(dtype).num,
                        check_finite)
    if ready == 1:
        return a
    if hasattr(a, "toarray") and hasattr(a, "nnz"):
        raise DataTypeError(
            f"{name} is a sparse matrix; fastridge needs dense input (use {name}.toarray())"
        )
    arr = np.asarray(a)
    target = working_dtype(arr, name) if dtype is None else np.dtype(dtype)
    if dtype is not None and arr.dtype.kind not in "fiub":
        working_dtype(arr, name)  # raises the TypeError with the right message
    if arr.ndim not in ndims:
        want = " or ".join(f"{k}-D" for k in ndims)
        hint = ""
        if ndims == (2,) and arr.ndim == 1:
            hint = (f". Reshape your data with {name}.reshape(-1, 1) for a single feature "
                    f"or {name}.reshape(1, -1) for a single sample")
        raise ValueError(f"{name} must be {want}; got an array of shape {arr.shape}{hint}")
    if 0 in arr.shape:
        # The tail is scikit-learn's wording, which tools written for it look for.
        what = (f"0 feature(s) (shape={arr.shape}) while a minimum of 1 is required"
                if arr.ndim == 2 and arr.shape[0] else
                f"0 sample(s) (shape={arr.shape}) while a minimum of 1 is required")
        raise ValueError(
            f"{name} must not be empty; got an array of shape {arr.shape}: {what}."
        )
    if (arr.dtype != target or not arr.flags.aligned
            or not (arr.flags.c_contiguous or arr.flags.f_contiguous)):
        # One copy, in the order closest to the input's.
        arr = np.asarray(arr, dtype=target, order="F" if arr.flags.f_contiguous else "C")
        if not (arr.flags.c_contiguous or arr.flags.f_contiguous):
            arr = np.ascontiguousarray(arr)
    if ready == -1 or (check_finite and not all_finite(arr)):
        raise ValueError(f"{name} contains NaN or infinity; expected only finite values")
    return arr


def check_lapack_dims(**dims: int) -> None:
    """Raise ``ValueError`` when a dimension (or product that LAPACK indexes) overflows int32."""
    for name, value in dims.items():
        if value > INT32_MAX:
            raise ValueError(
                f"{name} = {value} exceeds the 32-bit integer limit ({INT32_MAX}) of the "
                "LAPACK/BLAS that SciPy ships; split the problem into smaller pieces"
            )


def check_scalar(value, name: str, *, low=None, low_inclusive=True, integer=False):
    """Return a finite Python scalar, checking its type and lower bound."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number; got a bool ({value!r})")
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind):
        what = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {what}; got {value!r} of type {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if low is not None:
        bad = value < low if low_inclusive else value <= low
        if bad:
            op = ">=" if low_inclusive else ">"
            raise ValueError(f"{name} must be {op} {low}; got {value!r}")
    return int(value) if integer else float(value)
