"""Input checks shared by every public function (the only place user input is validated).

Rules (docs/math.md §3): the first array decides the working dtype — float32 stays float32,
float64 stays float64, integers and bools become float64; complex, object and string
arrays raise ``TypeError``.  C- or F-ordered arrays are used as they are; other layouts
are copied once.  Inputs are never modified.

``scipy.sparse`` X (matrices and arrays) is accepted where a caller asks for it
(:func:`check_X_y` with ``accept_sparse=True``, :func:`check_sparse`): CSR and CSC are
used as they are, any other format is converted to CSR once (COO's repeated entries are
summed then, as scipy does); the structure is checked before any compiled loop reads it.
Sparse y, and sparse X where it is not accepted, raise :class:`DataTypeError`.
"""
from __future__ import annotations

import decimal
import math
import numbers
from typing import Optional

import numpy as np

from ._ridge import all_finite, ready_array

# LAPACK/BLAS as shipped with SciPy use 32-bit integers for dimensions and strides.
INT32_MAX = np.iinfo(np.int32).max


class DataTypeError(TypeError, ValueError):
    """Input of a dtype fastridge cannot compute with (complex, object, string, sparse).

    A ``TypeError`` as docs/math.md §3 says; also a ``ValueError`` so that code written for
    scikit-learn (which raises ``ValueError("Complex data not supported")``) catches it.
    """


def working_dtype(a: np.ndarray, name: str) -> np.dtype:
    """Return the float dtype the computation runs in for array ``a`` named ``name``."""
    kind = a.dtype.kind
    if kind == "f":
        # by size, so that non-native byte order ('>f8') maps to the native type;
        # float16 is computed in float32 (exactly representable, as for X so for y)
        if a.dtype.itemsize in (2, 4):
            return np.dtype(np.float32)
        if a.dtype.itemsize == 8:
            return np.dtype(np.float64)
        raise DataTypeError(
            f"{name} has dtype {a.dtype}; expected float16, float32 or float64 "
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
    if is_sparse(a):
        raise sparse_not_accepted(name)
    arr = np.asarray(a)
    if arr.dtype.kind == "O":
        arr = _numeric_objects(arr, name)
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


def is_sparse(a) -> bool:
    """True for a ``scipy.sparse`` matrix or array (without importing scipy.sparse)."""
    if type(a) is np.ndarray:  # the common case, on every small fit
        return False
    if not (hasattr(a, "nnz") and hasattr(a, "tocsr")):
        return False
    import scipy.sparse
    return scipy.sparse.issparse(a)


#: Where sparse X is accepted; the one list every refusal names.
SPARSE_ACCEPTED = ("fastridge.ridge", "Ridge.fit", "Ridge.partial_fit", "Ridge.predict")


def sparse_not_accepted(name: str) -> DataTypeError:
    """The one error for a sparse array where it is not accepted (any y; X elsewhere)."""
    if name == "X":
        return DataTypeError(
            f"X is a scipy.sparse matrix, which this function does not accept; sparse X "
            f"is accepted by {', '.join(SPARSE_ACCEPTED)} (or pass X.toarray())"
        )
    return DataTypeError(
        f"{name} is a scipy.sparse matrix; {name} must be a dense array (only X may be "
        f"sparse): pass {name}.toarray()"
    )


def check_sparse(X, name: str = "X", check_finite: bool = True):
    """Return sparse ``X`` as a CSR or CSC matrix/array ready for the compiled loops.

    - format: CSR and CSC are kept (no copy); any other format (COO, LIL, DOK, BSR,
      DIA) is converted to CSR once — repeated COO entries are summed, as scipy does;
    - dtype: the working dtype rules of :func:`working_dtype` (float16 → float32,
      integers and bools → float64; complex raises), converting the values once;
    - index arrays: one integer type for ``indptr`` and ``indices`` (int64 for both
      when they differ), a valid structure (``indptr`` non-decreasing from 0 to nnz,
      every index inside the shape: otherwise ``ValueError``); unsorted and repeated
      indices are allowed (repeats add up, as in scipy) and never rewritten;
    - dimensions within LAPACK's 32-bit range (int64 indices may describe more rows or
      columns than that: ``ValueError``), no empty axis;
    - stored values finite (``check_finite``): NaN/inf raise ``ValueError``.

    Nothing in ``X`` is modified.  The result's ``indptr``/``indices``/``data`` are
    contiguous.
    """
    import scipy.sparse

    from . import _csr

    shape = getattr(X, "shape", ())
    if len(shape) != 2:
        raise ValueError(f"{name} must be 2-D; got a sparse array of shape {shape}")
    if 0 in shape:
        what = (f"0 feature(s) (shape={shape}) while a minimum of 1 is required"
                if shape[0] else
                f"0 sample(s) (shape={shape}) while a minimum of 1 is required")
        raise ValueError(f"{name} must not be empty; got an array of shape {shape}: {what}.")
    check_lapack_dims(n_samples=shape[0], n_features=shape[1])
    target = working_dtype(np.empty(0, X.dtype), name)
    if X.format not in ("csr", "csc"):
        X = X.tocsr()  # a new object: the input is left as it was
    if X.indptr.dtype != X.indices.dtype or X.indices.dtype.kind != "i" or not (
            X.indptr.flags.c_contiguous and X.indices.flags.c_contiguous):
        itype = np.int32 if X.indices.dtype == X.indptr.dtype == np.int32 else np.int64
        X = _rebuild(X, X.data, X.indices.astype(itype), X.indptr.astype(itype))
    if X.data.dtype != target or not X.data.flags.c_contiguous:
        X = _rebuild(X, np.ascontiguousarray(X.data, dtype=target), X.indices, X.indptr)
    inner = X.shape[1] if X.format == "csr" else X.shape[0]
    nnz = X.indptr[-1] if X.indptr.size else 0
    if X.indices.size < nnz or X.data.size < nnz:
        structure = _csr.INVALID
    else:
        structure = _csr.check(inner, X.indptr, X.indices[:nnz])
    if structure == _csr.INVALID:
        axis = "column" if X.format == "csr" else "row"
        raise ValueError(
            f"{name} has an invalid {X.format.upper()} structure: expected indptr "
            f"non-decreasing from 0 to nnz and every {axis} index in [0, {inner}); "
            f"rebuild it with scipy.sparse (which checks it) or call {name}.check_format()"
        )
    if X.indices.size != nnz or X.data.size != nnz:  # spare capacity after indptr[-1]
        X = _rebuild(X, X.data[:nnz], X.indices[:nnz], X.indptr)
    if check_finite and not all_finite(X.data):
        raise ValueError(f"{name} contains NaN or infinity; expected only finite values")
    return X


def _rebuild(X, data, indices, indptr):
    """A new sparse object of X's class, format and shape over the given arrays."""
    return type(X)((data, indices, indptr), shape=X.shape, copy=False)


def _numeric_objects(arr: np.ndarray, name: str) -> np.ndarray:
    """An object array of real numbers as float64, as scikit-learn's ``check_array`` does
    (pandas nullable ``Float64``/``Int64`` columns without missing values arrive so).

    Anything else — strings (even "1.5"), bytes, complex numbers, ``None``/``pandas.NA``
    (missing values), arbitrary objects — raises :class:`DataTypeError` naming ``name``.
    """
    for t in set(map(type, arr.ravel(order="K"))):
        if not (issubclass(t, (numbers.Real, np.bool_, decimal.Decimal))):
            example = next(v for v in arr.ravel(order="K") if type(v) is t)
            what = ("a missing value" if example is None or t.__name__ in ("NAType", "NaTType")
                    else f"a {t.__name__}")
            raise DataTypeError(
                f"{name} has dtype object holding {what} ({example!r}); expected real "
                "numbers: each entry's argument must be a real number, not a string or "
                "other object (object arrays of numbers are converted to float64)"
            )
    return arr.astype(np.float64)


def check_lapack_dims(**dims: int) -> None:
    """Raise ``ValueError`` when a dimension (or product that LAPACK indexes) overflows int32."""
    for name, value in dims.items():
        if value > INT32_MAX:
            raise ValueError(
                f"{name} = {value} exceeds the 32-bit integer limit ({INT32_MAX}) of the "
                "LAPACK/BLAS that SciPy ships; split the problem into smaller pieces"
            )


def check_scalar(value, name: str, *, low=None, low_inclusive=True, integer=False,
                 high=None):
    """Return a finite Python scalar, checking its type and bounds (``low`` inclusive or
    not, ``high`` inclusive; an integer of any size is compared exactly)."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be a number; got a bool ({value!r})")
    kind = numbers.Integral if integer else numbers.Real
    if not isinstance(value, kind):
        what = "an integer" if integer else "a real number"
        raise TypeError(f"{name} must be {what}; got {value!r} of type {type(value).__name__}")
    if not isinstance(value, numbers.Integral) and not math.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if low is not None:
        bad = value < low if low_inclusive else value <= low
        if bad:
            op = ">=" if low_inclusive else ">"
            raise ValueError(f"{name} must be {op} {low}; got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}; got {value!r}")
    return int(value) if integer else float(value)


def check_X_y(X, y, *, check_finite=True, defer_x_finite=False, accept_sparse=False):
    """Validate ``X`` (n, d) and ``y`` (n,) or (n, k); ``y`` takes X's working dtype.

    ``defer_x_finite=True`` skips the finiteness pass over X: the caller then hands X to
    :func:`solve_checked` with ``x_checked=False``, which checks it for free (Cholesky)
    or explicitly (SVD).  ``accept_sparse=True``: a ``scipy.sparse`` X is checked by
    :func:`check_sparse` (its stored values always for finiteness: that pass costs
    O(nnz)); otherwise it raises :func:`sparse_not_accepted`.
    """
    if accept_sparse and is_sparse(X):
        X = check_sparse(X, "X", check_finite=check_finite)
    else:
        X = as_float_array(X, "X", ndims=(2,),
                           check_finite=check_finite and not defer_x_finite)
    y = as_float_array(y, "y", dtype=X.dtype, ndims=(1, 2), check_finite=check_finite)
    if y.shape[0] != X.shape[0]:
        check_same_rows(X.shape[0], y.shape[0], "y")
    if max(X.shape) > INT32_MAX or y.ndim == 2 and y.shape[1] > INT32_MAX:
        check_lapack_dims(n_samples=X.shape[0], n_features=X.shape[1],
                          n_targets=y.shape[1] if y.ndim == 2 else 1)
    return X, y


def check_alpha(alpha, n_targets: int) -> np.ndarray:
    """Return the penalties as a float64 array of shape (1,) or (n_targets,)."""
    if type(alpha) is float or type(alpha) is int:
        if 0 <= alpha < math.inf:  # fast path for the common scalar
            return np.array((alpha,), dtype=np.float64)
        raise ValueError(f"alpha must be finite and >= 0; got {alpha!r}")
    a = np.asarray(alpha)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"alpha must be a real number or an array of them; got {alpha!r}")
    a = a.astype(np.float64).reshape(-1) if a.ndim <= 1 else None
    if a is None or a.size not in (1, n_targets):
        got = np.shape(alpha)
        raise ValueError(
            f"alpha must be a scalar or have shape ({n_targets},) (one per target); "
            f"got shape {got}"
        )
    if not np.isfinite(a).all() or (a < 0).any():
        raise ValueError(f"alpha must be finite and >= 0; got {alpha!r}")
    return a


def check_sample_weight(sample_weight, n: int, dtype) -> Optional[np.ndarray]:
    """Return ``None`` or the (n,) non-negative, finite weights in ``dtype``."""
    if sample_weight is None:
        return None
    sw = np.asarray(sample_weight)
    if sw.ndim == 0:
        sw = np.full(n, sw)
    sw = as_float_array(sw, "sample_weight", dtype=dtype, ndims=(1,))
    check_same_rows(n, sw.shape[0], "sample_weight")
    check_weight_values(sw)
    if not sw.any():
        raise all_zero_weights_error()
    return np.ascontiguousarray(sw)


def check_weight_values(sw) -> None:
    """Raise ``ValueError`` for negative or non-finite entries of a weight array (or block)."""
    if not np.isfinite(sw).all():
        raise ValueError("sample_weight contains NaN or infinity; expected only finite values")
    if (sw < 0).any():
        raise ValueError("sample_weight must be >= 0; got negative entries")


def all_zero_weights_error() -> ValueError:
    """The one message for weights that leave no sample (in memory, streamed or Dask)."""
    return ValueError("sample_weight must not be all zero; no sample would count")


def check_same_rows(n: int, m: int, name: str, first: str = "X") -> None:
    """Raise the one message for arrays whose numbers of samples differ.

    A per-sample array (``sample_weight``, ``groups``) reads "{name} has m entries but X
    has n samples"; a second data array (``y``) "X has n samples but y has m".
    """
    if m == n:
        return
    if name in PER_SAMPLE:
        raise ValueError(f"{name} has {m} entries but {first} has {n} samples; they must match")
    raise ValueError(f"{first} has {n} samples but {name} has {m}; they must match")


#: Arguments that hold one entry per sample rather than data.
PER_SAMPLE = ("sample_weight", "groups", "folds")


def require_y(estimator, y) -> None:
    """Raise scikit-learn's message when an estimator's ``fit`` gets ``y=None``."""
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y is None"
        )


def check_choice(value, name: str, choices) -> str:
    """Return ``value`` when it is one of ``choices`` (e.g. the solver registry's names)."""
    if type(value) is str and value in choices:  # every fit asks: no tuple built then
        return value
    choices = tuple(choices)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {choices}; got {value!r}")
    return value


def check_alphas(alphas) -> np.ndarray:
    """Return the penalties as a 1-D float64 array; each must be finite and ``>= 0``."""
    a = np.asarray(alphas)
    if a.dtype.kind not in "fiu":
        raise TypeError(
            f"alphas must be an array of real numbers; got dtype {a.dtype} ({alphas!r})"
        )
    if a.ndim != 1 or a.size == 0:
        raise ValueError(
            "alphas must be a non-empty 1-D array of penalties (use [alpha] for one); "
            f"got shape {a.shape}"
        )
    a = a.astype(np.float64)
    bad = ~np.isfinite(a) | (a < 0)
    if bad.any():
        raise ValueError(
            f"alphas must be finite and >= 0; got {a[bad][:5].tolist()} "
            f"at positions {np.flatnonzero(bad)[:5].tolist()}"
        )
    return a


def check_fold_ids(folds, n: int, n_splits: int):
    """Validate a per-block fold assignment: int (whole block) or (n,) ints in range."""
    if isinstance(folds, (int, np.integer)) and not isinstance(folds, bool):
        if not 0 <= folds < n_splits:
            raise ValueError(f"fold must be in [0, {n_splits}); got {folds}")
        return int(folds)
    f = np.asarray(folds)
    if f.dtype.kind not in "iu" or f.shape != (n,):
        raise ValueError(
            f"folds must be an int or an integer array of shape ({n},) (one fold per "
            f"row); got {f.dtype} array of shape {f.shape}"
        )
    if n and (f.min() < 0 or f.max() >= n_splits):
        raise ValueError(f"folds must be in [0, {n_splits}); got values in "
                         f"[{f.min()}, {f.max()}]")
    return f
