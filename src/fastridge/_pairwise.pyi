"""Type stub for the compiled pairwise kernels ``fastridge._pairwise`` (see ``_pairwise.pyx``).

Every function trusts its caller (:mod:`fastridge.kernels`) to have validated shapes,
dtypes, layouts and parameters.
"""
from typing import Dict

import numpy as np

KINDS: Dict[str, int]
OK: int
NOMEM: int
NONFINITE: int

def kernel_matrix(
    kind: int,
    X: np.ndarray,
    Y: np.ndarray,
    gamma: float,
    coef0: float,
    degree: float,
    full: bool,
    K: np.ndarray,
) -> int: ...
