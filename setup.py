"""Build the compiled parts of fastridge.

Each Cython driver in ``src/fastridge`` is listed here with the plain C kernels of
``csrc/`` it links.  BLAS/LAPACK come from SciPy at run time through
``scipy.linalg.cython_blas`` / ``cython_lapack``, so nothing links against a BLAS here.
"""
import sys

import numpy

from Cython.Build import cythonize
from setuptools import Extension, setup

# -O3 but never -ffast-math/-Ofast (it can switch the whole process to flush-to-zero)
# and no -march=native (the wheel must run on any x86-64; kernels that want AVX2/AVX-512
# use GCC function multiversioning instead).
COMPILE_ARGS = [] if sys.platform == "win32" else ["-O3", "-std=c99"]

EXTENSIONS = {
    "fastridge._ridge": ["src/fastridge/_ridge.pyx", "csrc/ridge_kernels.c"],
    "fastridge._sgd": ["src/fastridge/_sgd.pyx", "csrc/relu_sgd.c"],
    "fastridge._cvkernels": ["src/fastridge/_cvkernels.pyx", "csrc/cv_kernels.c"],
    "fastridge._pairwise": ["src/fastridge/_pairwise.pyx", "csrc/pairwise_kernels.c"],
    "fastridge._csr": ["src/fastridge/_csr.pyx", "csrc/csr_kernels.c"],
}

setup(
    ext_modules=cythonize(
        [
            Extension(
                name,
                sources,
                include_dirs=["csrc", numpy.get_include()],
                extra_compile_args=COMPILE_ARGS,
                define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")],
            )
            for name, sources in EXTENSIONS.items()
        ],
        compiler_directives={
            "language_level": "3",
            "boundscheck": False,
            "wraparound": False,
            "cdivision": True,
            "initializedcheck": False,
        },
    )
)
