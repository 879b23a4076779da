"""Type stub for the compiled CSR loops ``fastridge._csr`` (see ``_csr.pyx``).

Every function trusts its caller (:mod:`fastridge._sparse`) to have validated the
structure (:func:`check`), dtypes and shapes.  ``indptr``/``indices`` are int32 or int64
(one type for both), ``data`` float32 or float64, dense operands float64.
"""
from typing import Optional

import numpy as np

CANONICAL: int
UNSORTED: int
INVALID: int

def check(d: int, indptr: np.ndarray, indices: np.ndarray) -> int: ...
def gram(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
         s: Optional[np.ndarray], canonical: bool, G: np.ndarray, row0: int,
         row1: int) -> None: ...
def normal(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
           s: Optional[np.ndarray], shift: Optional[np.ndarray], P: np.ndarray,
           Q: np.ndarray, tsum: np.ndarray) -> int: ...
def matmat(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, Z: np.ndarray,
           shift: Optional[np.ndarray], s: Optional[np.ndarray], out: np.ndarray) -> None: ...
def rmatmat(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
            s: Optional[np.ndarray], V: np.ndarray, Z: np.ndarray, vsum: np.ndarray) -> None: ...
def sums(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, w: Optional[np.ndarray],
         by_row: bool, total: np.ndarray, total_sq: np.ndarray) -> None: ...
def transpose(d: int, indptr: np.ndarray, indices: np.ndarray, data: np.ndarray,
              out_indptr: np.ndarray, out_indices: np.ndarray, out_data: np.ndarray,
              tmp_row: np.ndarray, tmp_col: np.ndarray, tmp_data: np.ndarray,
              next: np.ndarray, shift: int) -> None: ...
