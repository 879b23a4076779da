"""Type stub for the compiled driver ``fastridge._cvkernels`` (see ``_cvkernels.pyx``)."""
import numpy as np

def sq_sums(E: np.ndarray, Y: np.ndarray, w: np.ndarray, out: np.ndarray) -> None: ...
