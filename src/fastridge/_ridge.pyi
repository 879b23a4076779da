"""Type stub for the compiled ridge drivers ``fastridge._ridge`` (see ``_ridge.pyx``).

Every function trusts its caller to have validated shapes, dtypes and layouts, and
reports a numerical failure as a status (``info``, :data:`NOMEM`, :data:`NONFINITE`),
never by raising.  Their loops are the plain-C kernels of ``csrc/ridge_kernels.c``
(contracts in ``csrc/ridge_kernels.h``).  An empty array passed for an optional input
(weights, means) means "absent".
"""
from typing import Tuple

import numpy as np

#: A work buffer could not be allocated.
NOMEM: int
#: NaN/inf on the Gram diagonal: X holds NaN/inf, or its squares overflow.
NONFINITE: int

def cholesky_solve(
    dual: bool,
    X: np.ndarray,
    Y: np.ndarray,
    alphas: np.ndarray,
    group: np.ndarray,
    sw: np.ndarray,
    xmean: np.ndarray,
    ymean: np.ndarray,
    estimate: bool,
    shift_limit: float,
) -> Tuple[np.ndarray, int, int, float]: ...
def gram_update(
    X: np.ndarray,
    Y: np.ndarray,
    sw: np.ndarray,
    xmean: np.ndarray,
    ymean: np.ndarray,
    G: np.ndarray,
    B: np.ndarray,
    accumulate: bool,
    shift_limit: float,
) -> Tuple[int, float]: ...
def svd_factor(
    X: np.ndarray,
    sqrt_sw: np.ndarray,
    xmean: np.ndarray,
    U: np.ndarray,
    s: np.ndarray,
    Vt: np.ndarray,
) -> int: ...
def center_kernel(K: np.ndarray, a: np.ndarray, mu: float) -> None: ...
def center_square_rows(Z: np.ndarray, c: np.ndarray, Z2: np.ndarray,
                       rowsum: np.ndarray) -> None: ...
def all_finite(a: np.ndarray) -> bool: ...
def ready_array(a: object, ndim_lo: int, ndim_hi: int, type_num: int,
                check_finite: bool) -> int: ...
