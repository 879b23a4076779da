"""fastridge: fast, checked ridge regression and per-sample ReLU SGD.

Compiled kernels (Cython over SciPy's BLAS/LAPACK, plain C loops) behind a NumPy-style
API; every fast path is tested against the plain NumPy code in :mod:`fastridge.reference`.
"""
from . import kernels, reference, stream
from ._lstsq import lstsq
from ._path import ridge_path
from ._ridgecv import RidgeCV
from ._estimators import Ridge
from ._banded import BandedRidgeCV
from ._kernel_ridge import KernelRidge, KernelRidgeCV
from ._solvers import ridge
from .exceptions import NotFittedError
from .sgd import ReLURegressor, SGDResult, elbow_after_step, elbows, relu_sgd
from .sgd import relu_sgd_many

__version__ = "0.1.0"

__all__ = [
    "ridge",
    "ridge_path",
    "RidgeCV",
    "Ridge",
    "NotFittedError",
    "lstsq",
    "relu_sgd",
    "relu_sgd_many",
    "elbows",
    "elbow_after_step",
    "ReLURegressor",
    "SGDResult",
    "reference",
    "KernelRidge",
    "KernelRidgeCV",
    "BandedRidgeCV",
    "kernels",
    "stream",
]
