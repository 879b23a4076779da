"""NIST StRD linear least-squares reference datasets (docs/math.md §4), shipped with the package.

The certified coefficients were computed by NIST in 500-digit arithmetic and are public
domain.  They test the α → 0 limit (:func:`fastridge.lstsq`) on notoriously
ill-conditioned problems.
"""
from __future__ import annotations

import functools
import json
from importlib import resources

import numpy as np

__all__ = ["nist_names", "load_nist", "load_longley"]


@functools.lru_cache(maxsize=1)
def _records() -> dict:
    """Return ``{short name: record}`` from the shipped JSON file, in file order."""
    text = resources.files("fastridge").joinpath("data/nist_strd_lls.json").read_text("utf-8")
    # Short name: "Filippelli, A., NIST." -> "Filippelli"; "Wampler1" -> "Wampler1".
    return {rec["name"].split(",")[0].strip(): rec for rec in json.loads(text)["datasets"]}


def nist_names() -> list[str]:
    """Names accepted by :func:`load_nist`.

    Returns
    -------
    names : list of str
        ``"Filippelli"``, ``"Pontius"``, ``"Eberhardt"``, ``"Wampler1"`` … ``"Wampler5"``,
        ``"Longley"``.

    Examples
    --------
    >>> from fastridge.datasets import nist_names
    >>> nist_names()  # doctest: +NORMALIZE_WHITESPACE
    ['Filippelli', 'Pontius', 'Eberhardt', 'Wampler1', 'Wampler2', 'Wampler3',
     'Wampler4', 'Wampler5', 'Longley']
    """
    return list(_records())


def _vandermonde(x: np.ndarray, degree: int) -> np.ndarray:
    """Columns ``x**0 … x**degree``, each entry correctly rounded to float64.

    The powers are formed in ``np.longdouble`` (80-bit on x86) so that the design
    matrix carries one rounding per entry rather than ``j`` roundings for ``x**j``.
    """
    powers = np.vander(x.astype(np.longdouble), degree + 1, increasing=True)
    return powers.astype(np.float64)


def load_nist(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Load one NIST StRD linear least-squares problem as ``(X, y, certified_coef)``.

    Parameters
    ----------
    name : str
        One of :func:`nist_names` (case-insensitive), e.g. ``"Filippelli"``.

    Returns
    -------
    X : ndarray of shape (n, p), float64
        The design matrix.  Polynomial datasets: the Vandermonde matrix
        ``[1, x, x², …, x^degree]``, without the ones column when the model goes through
        the origin (Eberhardt).  Longley: a ones column followed by the 6 regressors.
    y : ndarray of shape (n,), float64
        The response.
    certified_coef : ndarray of shape (p,), float64
        NIST's certified coefficients, one per column of ``X`` (so ``B0`` is omitted for
        models through the origin).

    Raises
    ------
    KeyError
        If ``name`` is not a known dataset.

    Examples
    --------
    >>> X, y, coef = load_nist("Pontius")
    >>> X.shape, y.shape, coef.shape
    ((40, 3), (40,), (3,))
    """
    records = _records()
    by_lower = {key.lower(): key for key in records}
    key = by_lower.get(str(name).lower())
    if key is None:
        raise KeyError(f"unknown NIST dataset {name!r}; expected one of {list(records)}")
    rec = records[key]
    y = np.asarray(rec["y"], dtype=np.float64)
    coef = np.asarray(rec["coef_low_to_high"], dtype=np.float64)
    if rec["kind"] == "polynomial":
        X = _vandermonde(np.asarray(rec["x"], dtype=np.float64), rec["degree"])
        if rec["through_origin"]:
            X, coef = X[:, 1:], coef[1:]
    else:
        regressors = np.asarray(rec["X"], dtype=np.float64)
        X = np.column_stack([np.ones(len(y)), regressors])
    return np.ascontiguousarray(X), y, coef


def load_longley() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Load Longley's macroeconomic data (1947–1962) without an intercept column.

    Returns
    -------
    X : ndarray of shape (16, 6), float64
        GNP deflator, GNP, unemployed, armed forces, population, year.
    y : ndarray of shape (16,), float64
        Total employment.
    columns : list of str
        The names of the six columns of ``X``.

    See Also
    --------
    load_nist : ``load_nist("Longley")`` returns the same data with the ones column and
        NIST's certified coefficients.

    Examples
    --------
    >>> X, y, columns = load_longley()
    >>> X.shape, columns[-1]
    ((16, 6), 'Year')
    """
    rec = _records()["Longley"]
    X = np.asarray(rec["X"], dtype=np.float64)
    y = np.asarray(rec["y"], dtype=np.float64)
    return X, y, list(rec["columns"])
