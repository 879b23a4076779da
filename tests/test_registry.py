"""The solver registry is the map of the solvers: every entry is reachable from
``Ridge.fit``, ``Ridge.partial_fit``, Dask and the CLI (or refused there with the one
message that names the entries that work), and equals its reference function."""
import io
import json
from contextlib import redirect_stdout

import numpy as np
import pytest

import fastridge as fr
from fastridge import reference
from fastridge._solvers import SOLVERS, STATISTICS_SOLVERS

NAMES = list(SOLVERS)


def _data(n=40, d=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d)) + 3.0
    y = X @ np.linspace(-1.0, 1.0, d) + 0.1 * rng.standard_normal(n) + 2.0
    return X, y


def _reference_fit(name, X, y, alpha):
    """The intercept model solved by the entry's reference function on centred data."""
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    ref = getattr(reference, SOLVERS[name].reference)
    coef = ref(Xc, yc, alpha)
    return coef, y.mean() - X.mean(axis=0) @ coef


def test_registry_entries_are_complete():
    assert set(NAMES) >= {"auto", "primal", "dual", "svd"}
    for name, entry in SOLVERS.items():
        assert entry.name == name
        assert callable(getattr(reference, entry.reference))
        assert entry.solve is None if name == "auto" else callable(entry.solve)
    assert STATISTICS_SOLVERS == tuple(n for n in NAMES if SOLVERS[n].from_statistics)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_reachable_from_ridge(name):
    X, y = _data()
    model = fr.Ridge(alpha=0.5, solver=name).fit(X, y)
    assert model.solver_ == ("primal" if name == "auto" else name)
    coef, intercept = _reference_fit(name, X, y, 0.5)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-10)
    np.testing.assert_allclose(fr.ridge(X - X.mean(0), y - y.mean(), 0.5, solver=name), coef,
                               rtol=1e-10)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_reachable_from_partial_fit_or_refused_by_name(name):
    X, y = _data()
    model = fr.Ridge(alpha=0.5, solver=name)
    if not SOLVERS[name].from_statistics:
        with pytest.raises(ValueError, match=rf"solver='{name}' needs all rows at once.*"
                                             rf"{STATISTICS_SOLVERS}"):
            model.partial_fit(X, y)
        return
    for rows in (slice(0, 15), slice(15, 40)):
        model.partial_fit(X[rows], y[rows])
    assert model.solver_ == ("primal" if name == "auto" else name)
    coef, intercept = _reference_fit(name, X, y, 0.5)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_reachable_from_dask_or_refused_by_name(name):
    da = pytest.importorskip("dask.array")
    import fastridge.dask as frd

    X, y = _data()
    Xd, yd = da.from_array(X, chunks=(10, 5)), da.from_array(y, chunks=10)
    model = frd.Ridge(alpha=0.5, solver=name)
    if not SOLVERS[name].from_statistics:
        with pytest.raises(ValueError, match=rf"solver='{name}' needs all rows at once"):
            model.fit(Xd, yd)
        return
    model.fit(Xd, yd)
    assert model.solver_ == ("primal" if name == "auto" else name)
    coef, _ = _reference_fit(name, X, y, 0.5)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_reachable_from_the_cli(name, tmp_path):
    from fastridge.cli import main

    X, y = _data()
    path = tmp_path / "data.csv"
    header = ",".join([f"x{j}" for j in range(X.shape[1])] + ["y"])
    np.savetxt(path, np.column_stack([X, y]), delimiter=",", header=header, comments="")
    out = tmp_path / "coef.json"
    with redirect_stdout(io.StringIO()) as printed:
        status = main(["fit", str(path), "--target", "y", "--alphas", "0.5",
                       "--solver", name, "--out", str(out)])
    assert status == 0
    ran = "primal" if name == "auto" else name
    assert f"Ridge(solver={name!r}); ran {ran!r}" in printed.getvalue()
    coef, _ = _reference_fit(name, X, y, 0.5)
    written = json.loads(out.read_text())["coef"]["y"]  # {target: {feature: value}}
    np.testing.assert_allclose([written[f"x{j}"] for j in range(X.shape[1])], coef, rtol=1e-8)


def test_unknown_solver_names_the_registry_everywhere():
    X, y = _data()
    for call in (lambda: fr.ridge(X, y, solver="qr"),
                 lambda: fr.Ridge(solver="qr").fit(X, y),
                 lambda: fr.Ridge(solver="qr").partial_fit(X, y)):
        with pytest.raises(ValueError, match=r"solver must be one of \('auto', 'primal', "):
            call()


# -- scipy.sparse X: every sparse-capable entry, and the dense-only ones refused by name -----

@pytest.mark.parametrize("name", NAMES)
def test_every_entry_is_reachable_from_ridge_on_sparse_x_or_refused_by_name(name):
    sparse = pytest.importorskip("scipy.sparse")
    from fastridge._solvers import SPARSE_SOLVERS

    X, y = _data()
    X[np.abs(X - 3.0) < 0.5] = 0.0  # some structural zeros
    Xs = sparse.csr_matrix(X)
    model = fr.Ridge(alpha=0.5, solver=name, tol=1e-13)
    if not SOLVERS[name].sparse:
        with pytest.raises(ValueError, match=rf"solver='{name}' needs dense X.*"
                                             rf"{SPARSE_SOLVERS}"):
            model.fit(Xs, y)
        return
    model.fit(Xs, y)
    assert model.solver_ == ("primal" if name == "auto" else name)
    coef, intercept = _reference_fit(name, X, y, 0.5)
    np.testing.assert_allclose(model.coef_, coef, rtol=1e-10)
    np.testing.assert_allclose(model.intercept_, intercept, rtol=1e-10)
    np.testing.assert_allclose(fr.ridge(sparse.csc_matrix(X - X.mean(0)), y - y.mean(), 0.5,
                                        solver=name, tol=1e-13), coef, rtol=1e-10)


def test_registry_says_which_entries_take_sparse_x():
    from fastridge._solvers import SPARSE_SOLVERS

    assert SPARSE_SOLVERS == tuple(n for n in NAMES if SOLVERS[n].sparse)
    assert {"auto", "primal", "dual", "cg"} <= set(SPARSE_SOLVERS)
    assert "svd" not in SPARSE_SOLVERS
    assert [n for n in NAMES if SOLVERS[n].iterative] == ["cg"]
