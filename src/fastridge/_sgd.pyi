"""Type stub for the compiled driver ``fastridge._sgd`` (see ``_sgd.pyx``)."""
from typing import Dict, Optional, Tuple

import numpy as np

OK: int
NONFINITE_LOSS: int
NONFINITE_PARAM: int
BAD_VARIANT: int
STOPPED: int
VARIANTS: Dict[str, int]

def resolve_variant(variant: int) -> int: ...
def run_epochs(
    x: np.ndarray,
    y: np.ndarray,
    order: Optional[np.ndarray],
    W1: np.ndarray,
    b: np.ndarray,
    W2: np.ndarray,
    lr: float,
    epochs: int,
    record_every: int,
    step: int,
    elbows: Optional[np.ndarray],
    loss: np.ndarray,
    work: np.ndarray,
    chunk: int,
    variant: int,
    stop_flag: Optional[np.ndarray] = ...,
) -> Tuple[int, int, int, int]: ...
def elbows(W1: np.ndarray, b: np.ndarray, out: np.ndarray) -> None: ...
