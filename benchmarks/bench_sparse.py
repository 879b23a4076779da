"""Sparse X benchmarks (issue: scipy.sparse X in ridge, Ridge, partial_fit, never densified).

    python -m pytest benchmarks/bench_sparse.py --benchmark-only

Every case runs at one BLAS thread and at the default thread count (the ``threads``
parameter; the group name says which), fastridge and its peers in the same run.  The
scipy.sparse products that every iterative solver (ours and scikit-learn's) spends its
time in are single-threaded whatever BLAS does; threads matter to the exact Gram route.

- ``Ridge().fit`` 100 000 × 5 000 (10 nonzeros a row), column scales spanning 1e3, α = 0.01,
  intercept, against scikit-learn ``sparse_cg`` and ``lsqr`` at ``tol=1e-10``: equal
  accuracy means coefficients within 1e-8 (relative, max norm) of the exact solution.
  fastridge's exact d×d route (``solver="primal"``) is timed too, as a peer.
- The same shape well conditioned (scales 1, α = 1) against scikit-learn's default
  (``sparse_cg``, ``tol=1e-4``).
- ``Ridge().fit`` 20 000 × 200 000 (100 nonzeros a row) against scikit-learn's default:
  ``auto`` must take conjugate gradients on the n side, not the n×n factorization.
- Peak memory (tracemalloc) of the first case, ``auto`` and ``solver="primal"``, against
  the dense ``XᵀX`` plus X's nonzeros (``extra_info``; asserted ≤ 1.2×).
"""
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp

import fastridge as fr

threadpoolctl = pytest.importorskip("threadpoolctl")

_BLAS = [i for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]
THREADS = {"1 thread": 1, "default threads": max([i["num_threads"] for i in _BLAS] or [1])}


@pytest.fixture(params=list(THREADS))
def threads(request):
    """BLAS threads for the benchmark (nested inside conftest's one-thread pin)."""
    with threadpoolctl.threadpool_limits(limits=THREADS[request.param], user_api="blas"):
        yield request.param


def _sparse_data(n, d, per_row, scale_decades, seed):
    """n × d CSR with ``per_row`` nonzeros a row (uniform [0, 1) values, like scaled
    counts), column j scaled by ``10**(scale_decades · j/(d − 1))``, y = X w + 3 + noise."""
    rng = np.random.default_rng(seed)
    X = sp.random(n, d, density=per_row / d, format="csr", random_state=rng)
    scales = np.logspace(0, scale_decades, d)
    X = (X @ sp.diags(scales)).tocsr()
    X.sort_indices()
    y = X @ (rng.standard_normal(d) / scales) + 3.0 + 0.1 * rng.standard_normal(n)
    return X, y


def _relative_error(coef, exact):
    return float(np.abs(coef - exact).max() / np.abs(exact).max())


def _sklearn_ridge():
    return pytest.importorskip("sklearn.linear_model").Ridge


# -- badly scaled columns, alpha = 0.01 --------------------------------------------------------

@pytest.fixture(scope="module")
def badly_scaled():
    X, y = _sparse_data(100_000, 5_000, 10, 3.0, seed=0)
    exact = fr.Ridge(0.01, solver="primal").fit(X, y)  # the reference: exact Gram route
    return X, y, exact


def _badly_scaled_group(benchmark, threads):
    benchmark.group = f"Ridge().fit sparse 100000x5000 scales 1e3 alpha 0.01 ({threads})"


def test_badly_scaled_fastridge(benchmark, badly_scaled, threads):
    X, y, exact = badly_scaled
    _badly_scaled_group(benchmark, threads)
    model = benchmark.pedantic(fr.Ridge(0.01).fit, args=(X, y), rounds=3, iterations=1,
                               warmup_rounds=1)
    error = _relative_error(model.coef_, exact.coef_)
    benchmark.extra_info.update(route=model.solver_, n_iter=model.n_iter_, error=error)
    assert error <= 1e-8
    assert abs(model.intercept_ - exact.intercept_) <= 1e-8 * abs(exact.intercept_)


def test_badly_scaled_exact_primal_route(benchmark, badly_scaled, threads):
    X, y, exact = badly_scaled
    _badly_scaled_group(benchmark, threads)
    model = benchmark.pedantic(fr.Ridge(0.01, solver="primal").fit, args=(X, y), rounds=1,
                               iterations=1)
    benchmark.extra_info.update(route=model.solver_)
    assert _relative_error(model.coef_, exact.coef_) <= 1e-12


@pytest.mark.parametrize("solver", ["sparse_cg", "lsqr"])
def test_badly_scaled_sklearn(benchmark, badly_scaled, threads, solver):
    X, y, exact = badly_scaled
    _badly_scaled_group(benchmark, threads)
    model = benchmark.pedantic(_sklearn_ridge()(0.01, solver=solver, tol=1e-10).fit,
                               args=(X, y), rounds=1, iterations=1)
    error = _relative_error(model.coef_, exact.coef_)
    benchmark.extra_info.update(error=error, n_iter=np.asarray(model.n_iter_).tolist())
    assert error < 1e-2  # the same problem; its accuracy is recorded, not required


def test_badly_scaled_peak_memory(benchmark, badly_scaled):
    """Peak traced memory of auto and of the exact route, against dense XᵀX + nnz."""
    X, y, _ = badly_scaled
    benchmark.group = "peak memory: Ridge().fit sparse 100000x5000 vs dense X.T@X + nnz"
    floor = 8 * X.shape[1] ** 2 + X.data.nbytes + X.indices.nbytes + X.indptr.nbytes

    def peaks():
        out = {}
        for solver in ("auto", "primal"):
            tracemalloc.start()
            fr.Ridge(0.01, solver=solver).fit(X, y)
            out[solver] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return out

    out = benchmark.pedantic(peaks, rounds=1, iterations=1)
    benchmark.extra_info.update({f"{k} / floor": round(v / floor, 3) for k, v in out.items()})
    benchmark.extra_info["floor MiB"] = round(floor / 2 ** 20, 1)
    assert max(out.values()) <= 1.2 * floor


# -- well conditioned: scales 1, alpha = 1 -------------------------------------------------------

@pytest.fixture(scope="module")
def well_conditioned():
    X, y = _sparse_data(100_000, 5_000, 10, 0.0, seed=1)
    exact = fr.Ridge(1.0, solver="cg", tol=1e-13).fit(X, y)
    return X, y, exact


def test_well_conditioned_fastridge(benchmark, well_conditioned, threads):
    X, y, exact = well_conditioned
    benchmark.group = f"Ridge().fit sparse 100000x5000 well conditioned ({threads})"
    model = benchmark.pedantic(fr.Ridge(1.0).fit, args=(X, y), rounds=7, iterations=1,
                               warmup_rounds=1)
    error = _relative_error(model.coef_, exact.coef_)
    benchmark.extra_info.update(route=model.solver_, n_iter=model.n_iter_, error=error)
    assert model.solver_ == "cg" and error <= 1.5e-8


def test_well_conditioned_sklearn_default(benchmark, well_conditioned, threads):
    X, y, exact = well_conditioned
    benchmark.group = f"Ridge().fit sparse 100000x5000 well conditioned ({threads})"
    model = benchmark.pedantic(_sklearn_ridge()(1.0).fit, args=(X, y), rounds=7,
                               iterations=1, warmup_rounds=1)
    benchmark.extra_info.update(error=_relative_error(model.coef_, exact.coef_))
    assert _relative_error(model.coef_, exact.coef_) < 1e-2


# -- wide: 20 000 x 200 000 -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def wide():
    X, y = _sparse_data(20_000, 200_000, 100, 0.0, seed=2)
    exact = fr.Ridge(1.0, solver="cg", tol=1e-13).fit(X, y)
    return X, y, exact


def test_wide_fastridge(benchmark, wide, threads):
    X, y, exact = wide
    benchmark.group = f"Ridge().fit sparse 20000x200000 ({threads})"
    model = benchmark.pedantic(fr.Ridge(1.0).fit, args=(X, y), rounds=5, iterations=1,
                               warmup_rounds=1)
    error = _relative_error(model.coef_, exact.coef_)
    benchmark.extra_info.update(route=model.solver_, n_iter=model.n_iter_, error=error)
    assert model.solver_ == "cg"  # never the ~110 s n×n factorization
    assert error <= 1e-7


def test_wide_sklearn_default(benchmark, wide, threads):
    X, y, exact = wide
    benchmark.group = f"Ridge().fit sparse 20000x200000 ({threads})"
    model = benchmark.pedantic(_sklearn_ridge()(1.0).fit, args=(X, y), rounds=5,
                               iterations=1, warmup_rounds=1)
    benchmark.extra_info.update(error=_relative_error(model.coef_, exact.coef_))
    assert _relative_error(model.coef_, exact.coef_) < 1e-2
