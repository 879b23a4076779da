"""Plain NumPy references for everything fastridge computes.

Readable first, fast never: each function is written to be read next to the formula in
docs/math.md that its docstring cites.  The compiled paths are tested against these, and the
benchmarks time both.  No input validation beyond what NumPy itself does.

Notation: ``X`` is (n, d), rows are samples; ``y`` is (n,) or ``Y`` is (n, k);
``alpha`` >= 0 is the ridge penalty.

Examples
--------
Every view of docs/math.md §1 gives the same coefficients:

>>> import numpy as np
>>> from fastridge import reference
>>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]); y = np.array([1.0, 2.0, 3.0])
>>> [reference.ridge_normal_equations(X, y, 1.0).round(12).tolist(),
...  reference.ridge_fake_features(X, y, 1.0).round(12).tolist()]
[[1.0, 1.0], [1.0, 1.0]]
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

__all__ = [
    "ridge_normal_equations",
    "ridge_dual",
    "ridge_svd",
    "ridge_map",
    "ridge_fake_data",
    "ridge_fake_features",
    "lstsq_min_norm",
    "loo_squared_errors",
    "kfold_cv_scores",
    "relu_sgd",
    "relu_sgd_step",
    "elbows",
    "elbow_after_step",
]


# --------------------------------------------------------------------------------------
# §1 Ridge regression, five ways to see one answer
# --------------------------------------------------------------------------------------

def ridge_normal_equations(X, y, alpha):
    """Primal normal equations: solve ``(XᵀX + αI_d) w = Xᵀy``.

    docs/math.md §1.1.  Cost n·d² + d³/3.

    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_normal_equations(X, np.array([1.0, 2.0, 3.0]), 1.0).round(4)
    array([1., 1.])
    """
    d = X.shape[1]
    return np.linalg.solve(X.T @ X + alpha * np.eye(d), X.T @ y)


def ridge_dual(X, y, alpha):
    """Dual (kernel) form: ``w = Xᵀ (XXᵀ + αI_n)⁻¹ y``.

    docs/math.md §1.6, equal to the primal by the push-through identity
    ``(XᵀX + αI)⁻¹Xᵀ = Xᵀ(XXᵀ + αI)⁻¹``.  Cost d·n² + n³/3; needs α > 0
    unless X has full row rank.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_dual(X, np.array([1.0, 2.0, 3.0]), 1.0).round(12)
    array([1., 1.])
    """
    n = X.shape[0]
    return X.T @ np.linalg.solve(X @ X.T + alpha * np.eye(n), y)


def ridge_svd(X, y, alpha, rcond=None):
    """SVD shrinkage: with ``X = U S Vᵀ``, ``w = V diag(s_i / (s_i² + α)) Uᵀ y``.

    docs/math.md §1.2.  Singular values below ``rcond · s_max`` are dropped (treated as
    exactly zero), which makes ``alpha = 0`` the pseudo-inverse solution.  ``rcond=None``
    means ``max(n, d) · eps``.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_svd(X, np.array([1.0, 2.0, 3.0]), 1.0).round(12)
    array([1., 1.])
    """
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    if rcond is None:
        rcond = max(X.shape) * np.finfo(X.dtype).eps
    keep = s > rcond * s[0]
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    shrink = s / (s**2 + alpha)  # ≈ 1/s when s² ≫ α, ≈ s/α when s² ≪ α
    UtY = U.T @ y  # UtY.shape = (r,) or (r, k)
    return Vt.T @ (shrink.reshape((-1,) + (1,) * (UtY.ndim - 1)) * UtY)


def ridge_map(X, y, noise_var, prior_var):
    """MAP estimate under ``w ~ N(0, τ² I)`` and noise ``N(0, σ² I)``.

    docs/math.md §1.3: maximising the posterior is ridge with ``α = σ² / τ²``.  Written out
    as the posterior mean ``(XᵀX/σ² + I/τ²)⁻¹ Xᵀy/σ²`` rather than by calling the primal.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_map(X, np.array([1.0, 2.0, 3.0]), noise_var=2.0, prior_var=2.0).round(12)
    array([1., 1.])
    """
    d = X.shape[1]
    precision = X.T @ X / noise_var + np.eye(d) / prior_var
    return np.linalg.solve(precision, X.T @ y / noise_var)


def ridge_fake_data(X, y, alpha):
    """Ordinary least squares on ``d`` fake rows: ``X̂ = [X; √α I_d]``, ``ŷ = [y; 0_d]``.

    docs/math.md §1.4: ``||ŷ − X̂w||² = ||y − Xw||² + α||w||²``.

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_fake_data(X, np.array([1.0, 2.0, 3.0]), 1.0).round(12)
    array([1., 1.])
    """
    n, d = X.shape
    X_hat = np.vstack([X, np.sqrt(alpha) * np.eye(d)])
    zeros = np.zeros((d,) + y.shape[1:], dtype=np.result_type(y, X))
    y_hat = np.concatenate([y, zeros])
    return np.linalg.lstsq(X_hat, y_hat, rcond=None)[0]


def ridge_fake_features(X, y, alpha):
    """Minimum-norm interpolation with ``n`` fake features: ``X̃ = [X  √α I_n]``.

    docs/math.md §1.5: the minimum-norm ``η`` with ``X̃η = y`` is ``X̃ᵀ(X̃X̃ᵀ)⁻¹y`` and
    ``X̃X̃ᵀ = XXᵀ + αI``, so its first ``d`` entries are the ridge solution.  Needs α > 0
    (or X of full row rank).

    Examples
    --------
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> ridge_fake_features(X, np.array([1.0, 2.0, 3.0]), 1.0).round(12)
    array([1., 1.])
    """
    n, d = X.shape
    X_tilde = np.hstack([X, np.sqrt(alpha) * np.eye(n)])
    eta = X_tilde.T @ np.linalg.solve(X_tilde @ X_tilde.T, y)
    return eta[:d]


def lstsq_min_norm(X, y, rcond=None):
    """The α → 0 limit: the pseudo-inverse solution ``X⁺y = V S⁺ Uᵀ y``.

    Least squares ``(XᵀX)⁻¹Xᵀy`` for tall full-column-rank X, the minimum-norm solution
    ``Xᵀ(XXᵀ)⁻¹y`` for wide full-row-rank X.  Singular values below ``rcond · s_max`` count
    as zero (``rcond=None``: ``max(n, d) · eps``).

    Examples
    --------
    >>> lstsq_min_norm(np.array([[1.0, 1.0]]), np.array([2.0])).round(12)  # x1 + x2 = 2
    array([1., 1.])
    """
    return ridge_svd(X, y, 0.0, rcond=rcond)



def loo_squared_errors(X, Y, alpha, fit_intercept=False):
    """Leave-one-out squared errors by brute force: refit ``n`` times.

    For each sample i, ridge (with an unpenalised intercept if ``fit_intercept``: the
    fit on centred data, ``b = ȳ − x̄ᵀw``, means over the n − 1 kept rows) is solved
    without row i and its squared error on row i recorded.  Returns shape (n, k) (k = 1
    for 1-D Y).  The fast LOO (``r_i / (1 − H_ii)``) must equal this.

    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> loo_squared_errors(X, np.array([0.0, 1.0, 2.0]), 0.0).round(12)
    array([[0.],
           [0.],
           [0.]])
    """
    n = X.shape[0]
    Y = Y.reshape(n, -1)
    errors = np.empty(Y.shape)
    for i in range(n):
        keep = np.arange(n) != i
        X_train, Y_train = X[keep], Y[keep]
        x_mean = X_train.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
        y_mean = Y_train.mean(axis=0) if fit_intercept else np.zeros(Y.shape[1])
        w = ridge_svd(X_train - x_mean, Y_train - y_mean, alpha)
        prediction = y_mean + (X[i] - x_mean) @ w
        errors[i] = (Y[i] - prediction) ** 2
    return errors

def kfold_cv_scores(X, Y, alphas, splits, *, fit_intercept=True, sample_weight=None,
                    scoring="neg_mean_squared_error", alpha_per_target=False):
    """Cross-validation scores by brute force: one weighted ridge fit per split and α.

    For each ``(train, test)`` in ``splits`` and each α: the weighted means of the
    training rows (``fit_intercept``), ridge on the training rows centred by them
    (weights ``s``: ``min Σ s_i (y_i − b − x_iᵀw)² + α‖w‖²``, solved as least squares
    on the rows ``√s_i (x_i − x̄)`` stacked over ``√α I``), then the predictions
    ``ȳ + (x − x̄)ᵀw`` of the test rows, scored without weights:

    - ``"neg_mean_squared_error"``: ``−mean((y − ŷ)²)``;
    - ``"r2"``: ``1 − Σ(y − ŷ)² / Σ(y − ȳ_test)²`` (1.0 if both are 0, 0.0 if only the
      denominator is: scikit-learn's ``force_finite``);
    - ``"correlation"``: Pearson's r of y and ŷ over the test rows (0.0 when either
      has no variance).

    Each target is scored separately; the fold scores are averaged over folds.  Returns
    (n_alphas, k) with ``alpha_per_target`` and 2-D Y, else (n_alphas,): the per-target
    scores averaged over targets (scikit-learn's uniform average over outputs).

    >>> X = np.arange(8.0).reshape(-1, 1); y = 2 * X[:, 0] + 1
    >>> splits = [(np.arange(4, 8), np.arange(4)), (np.arange(4), np.arange(4, 8))]
    >>> kfold_cv_scores(X, y, [0.0, 10.0], splits, scoring="r2").round(6)
    array([ 1.      , -5.133333])
    """
    X = np.asarray(X, dtype=np.float64)
    Y = np.asarray(Y, dtype=np.float64)
    Y2 = Y.reshape(len(X), -1)
    n, d = X.shape
    s = np.ones(n) if sample_weight is None else np.asarray(sample_weight, np.float64)
    scores = np.zeros((len(alphas), Y2.shape[1]))
    for train, test in splits:
        Xt, Yt, st = X[train], Y2[train], s[train]
        x_mean = st @ Xt / st.sum() if fit_intercept else np.zeros(d)
        y_mean = st @ Yt / st.sum() if fit_intercept else np.zeros(Y2.shape[1])
        A = np.sqrt(st)[:, None] * (Xt - x_mean)
        B = np.sqrt(st)[:, None] * (Yt - y_mean)
        for a, alpha in enumerate(alphas):
            lhs = np.vstack([A, np.sqrt(alpha) * np.eye(d)])
            rhs = np.vstack([B, np.zeros((d, Y2.shape[1]))])
            w = np.linalg.lstsq(lhs, rhs, rcond=None)[0]
            y_true, y_pred = Y2[test], y_mean + (X[test] - x_mean) @ w
            scores[a] += _fold_score(y_true, y_pred, scoring)
    scores /= len(splits)
    return scores if alpha_per_target and Y.ndim == 2 else scores.mean(axis=1)


def _fold_score(y_true, y_pred, scoring):
    """One fold's score per target column (see :func:`kfold_cv_scores`)."""
    if scoring == "neg_mean_squared_error":
        return -np.mean((y_true - y_pred) ** 2, axis=0)
    if scoring == "r2":
        sse = np.sum((y_true - y_pred) ** 2, axis=0)
        sst = np.sum((y_true - y_true.mean(axis=0)) ** 2, axis=0)
        out = np.where(sse > 0, 0.0, 1.0)
        return np.where(sst > 0, 1 - sse / np.where(sst > 0, sst, 1), out)
    if scoring == "correlation":
        yc = y_true - y_true.mean(axis=0)
        pc = y_pred - y_pred.mean(axis=0)
        den = np.sqrt(np.sum(yc**2, axis=0) * np.sum(pc**2, axis=0))
        return np.where(den > 0, np.sum(yc * pc, axis=0) / np.where(den > 0, den, 1), 0.0)
    raise ValueError(f"unknown scoring {scoring!r}")


# --------------------------------------------------------------------------------------
# §2 ReLU network trained by per-sample SGD (the "elbow" model)
# --------------------------------------------------------------------------------------

SGDTrace = namedtuple("SGDTrace", "W1 b W2 loss elbows")
SGDTrace.__doc__ = """What :func:`relu_sgd` returns: the fields of ``fastridge.SGDResult``."""


def elbows(W1, b):
    """Where each unit switches on: ``e_i = −b_i / W1_i``, NaN where ``W1_i == 0``.

    docs/math.md §2.

    >>> elbows(np.array([2.0, -1.0, 0.0]), np.array([1.0, 3.0, 1.0]))
    array([-0.5,  3. ,  nan])
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(W1 != 0, -b / W1, np.nan).astype(W1.dtype)


def relu_sgd_step(x, y, W1, b, W2, lr):
    """One SGD step on the sample ``(x, y)``; returns ``W1, b, W2, loss`` (new arrays).

    docs/math.md §2, line by line; every gradient at the old parameters, ReLU'(0) = 0.
    ``loss`` is ``½ (f(x) − y)²`` before the step.

    >>> W1, b, W2, loss = relu_sgd_step(1.0, 0.0, np.array([1.0]), np.array([0.5]),
    ...                                 np.array([1.0]), 0.1)
    >>> W1, b, W2, float(loss)
    (array([0.85]), array([0.35]), array([0.775]), 1.125)
    """
    z = W1 * x + b
    h = np.maximum(z, 0)
    f = W2 @ h
    delta = f - y
    gW2 = delta * h
    gb = delta * W2 * (z > 0)
    gW1 = gb * x
    return W1 - lr * gW1, b - lr * gb, W2 - lr * gW2, 0.5 * np.float64(delta) ** 2


def relu_sgd(x, y, W1, b, W2, *, lr, epochs=1, shuffle=False, seed=None, record_every=0):
    """Per-sample SGD for ``f(x) = Σ_i W2_i relu(W1_i x + b_i)``, one sample at a time.

    docs/math.md §2: epoch ``e`` visits the samples in order, or in the order of the ``e``-th
    ``rng.permutation(n)`` with ``rng = np.random.default_rng(seed)`` made once.  The
    epoch loss is the mean of each sample's loss before its step.  ``record_every = k``
    records the elbows at the start and after every ``k`` steps.  A step whose loss, or
    after which a parameter, is not finite raises ``FloatingPointError`` naming the epoch
    and step (0-based).  Works in the dtype of ``x``; inputs are not modified.

    Returns an :data:`SGDTrace` ``(W1, b, W2, loss, elbows)``.

    >>> x = np.array([1.0, 2.0]); y = np.array([1.0, 2.0])
    >>> relu_sgd(x, y, np.array([1.0]), np.array([0.0]), np.array([0.5]), lr=0.1).W2.round(4)
    array([0.7282])
    """
    dtype = x.dtype
    y = y.astype(dtype)
    W1, b, W2 = (np.array(p, dtype=dtype) for p in (W1, b, W2))
    rng = np.random.default_rng(seed)
    n = len(x)
    losses = []
    recorded = [elbows(W1, b)] if record_every else None
    steps = 0
    for epoch in range(epochs):
        order = rng.permutation(n) if shuffle else np.arange(n)
        total = 0.0
        for step, i in enumerate(order):
            with np.errstate(over="ignore", invalid="ignore"):  # caught just below
                W1, b, W2, loss = relu_sgd_step(x[i], y[i], W1, b, W2, lr)
            if not np.isfinite(loss):
                raise FloatingPointError(f"non-finite loss at epoch {epoch}, step {step}")
            if not (np.isfinite(W1).all() and np.isfinite(b).all()
                    and np.isfinite(W2).all()):
                raise FloatingPointError(f"non-finite parameter at epoch {epoch}, step {step}")
            total += loss
            steps += 1
            if record_every and steps % record_every == 0:
                recorded.append(elbows(W1, b))
        losses.append(total / n)
    return SGDTrace(W1, b, W2, np.array(losses, dtype=dtype),
                    np.array(recorded) if record_every else None)


def elbow_after_step(x, y, W1, b, W2, lr):
    """Elbows after one step on ``(x, y)`` by docs/math.md §2's Möbius map of the old elbows.

    Inactive units (``z ≤ 0``) keep their elbow; active ones move to
    ``(e + a) / (1 − a x)`` with ``a = lr δ W2 / W1`` (units with ``W1 = 0`` are left to
    the compiled version's limit; here they give NaN).

    >>> elbow_after_step(1.0, 0.0, np.array([1.0, 1.0]), np.array([0.5, -2.0]),
    ...                  np.array([1.0, 1.0]), 0.1)
    array([-0.41176471,  2.        ])
    """
    z = W1 * x + b
    delta = W2 @ np.maximum(z, 0) - y
    e = elbows(W1, b)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = lr * delta * W2 / W1
        return np.where(z > 0, (e + a) / (1 - a * x), e)


# --------------------------------------------------------------------------------------
# Kernel ridge and banded ridge (the dual view of §1 with a kernel; per-band penalties)
# --------------------------------------------------------------------------------------

__all__ += [
    "pairwise_kernel",
    "kernel_ridge_dual",
    "kernel_ridge_cv_scores",
    "banded_ridge",
    "banded_ridge_cv_scores",
]


def pairwise_kernel(X, Y=None, kernel="linear", *, gamma=None, degree=3, coef0=1):
    """``K[i, j] = k(x_i, y_j)`` written from each kernel's formula (scikit-learn's
    definitions; ``gamma=None`` is ``1/n_features``), pair by pair where that reads
    best.

    - ``"linear"``: ``⟨x, y⟩``;  ``"poly"``: ``(γ⟨x, y⟩ + c₀)^degree``;
    - ``"rbf"``: ``exp(−γ‖x − y‖²)``;  ``"laplacian"``: ``exp(−γ‖x − y‖₁)``;
    - ``"cosine"``: ``⟨x, y⟩/(‖x‖‖y‖)`` (0 when either is a zero vector);
    - ``"sigmoid"``: ``tanh(γ⟨x, y⟩ + c₀)``.

    >>> pairwise_kernel(np.array([[0.0, 0.0], [1.0, 1.0]]), kernel="rbf", gamma=0.5).round(4)
    array([[1.    , 0.3679],
           [0.3679, 1.    ]])
    """
    X = np.asarray(X, dtype=np.float64)
    Y = X if Y is None else np.asarray(Y, dtype=np.float64)
    g = 1.0 / X.shape[1] if gamma is None else gamma
    inner = X @ Y.T
    if kernel == "linear":
        return inner
    if kernel in ("poly", "polynomial"):
        return (g * inner + coef0) ** degree
    if kernel == "sigmoid":
        return np.tanh(g * inner + coef0)
    if kernel == "cosine":
        nx, ny = np.linalg.norm(X, axis=1), np.linalg.norm(Y, axis=1)
        scale = np.outer(np.where(nx > 0, 1 / np.where(nx > 0, nx, 1), 0),
                         np.where(ny > 0, 1 / np.where(ny > 0, ny, 1), 0))
        return inner * scale
    diff = X[:, None, :] - Y[None, :, :]  # (m, n, d)
    if kernel == "rbf":
        return np.exp(-g * np.sum(diff ** 2, axis=2))
    if kernel == "laplacian":
        return np.exp(-g * np.sum(np.abs(diff), axis=2))
    raise ValueError(f"unknown kernel {kernel!r}")


def kernel_ridge_dual(K, y, alpha, sample_weight=None):
    """Kernel ridge's dual coefficients ``a = (K + αI)⁻¹ y`` (§1.6 with a kernel);
    weighted: ``a = S^½ (S^½ K S^½ + αI)⁻¹ S^½ y`` (§1.7).  Predictions ``k(X', X) a``.

    >>> K = np.array([[2.0, 1.0], [1.0, 2.0]])
    >>> kernel_ridge_dual(K, np.array([1.0, 0.0]), 1.0).round(4)
    array([ 0.375, -0.125])
    """
    K = np.asarray(K, dtype=np.float64)
    n = K.shape[0]
    s = np.sqrt(np.ones(n) if sample_weight is None else np.asarray(sample_weight, float))
    Ks = s[:, None] * K * s[None, :]
    ys = s.reshape((n,) + (1,) * (np.ndim(y) - 1)) * y
    return s.reshape(ys.shape[:1] + (1,) * (np.ndim(y) - 1)) * np.linalg.solve(
        Ks + alpha * np.eye(n), ys)


def kernel_ridge_cv_scores(K, Y, alphas, splits, *, sample_weight=None,
                           scoring="neg_mean_squared_error"):
    """Cross-validation scores of kernel ridge by brute force, (n_alphas, k).

    For each ``(train, test)`` and α: :func:`kernel_ridge_dual` on ``K[train, train]``,
    predictions ``K[test, train] a`` of the test rows, scored per target (unweighted,
    as :func:`kfold_cv_scores`) and averaged over splits.  Leave-one-out is the splits
    ``(all but i, [i])``.

    >>> K = np.eye(3) + 1.0; y = np.array([1.0, 2.0, 3.0])
    >>> splits = [(np.array([1, 2]), np.array([0])), (np.array([0, 2]), np.array([1]))]
    >>> kernel_ridge_cv_scores(K, y, [1.0], splits).round(4)
    array([[-0.5312]])
    """
    K = np.asarray(K, dtype=np.float64)
    Y2 = np.asarray(Y, dtype=np.float64).reshape(K.shape[0], -1)
    s = None if sample_weight is None else np.asarray(sample_weight, np.float64)
    scores = np.zeros((len(alphas), Y2.shape[1]))
    for train, test in splits:
        for a, alpha in enumerate(alphas):
            dual = kernel_ridge_dual(K[np.ix_(train, train)], Y2[train], alpha,
                                     None if s is None else s[train])
            pred = K[np.ix_(test, train)] @ dual
            scores[a] += _fold_score(Y2[test], pred, scoring)
    return scores / len(splits)


def banded_ridge(X, y, bands, delta, alpha, fit_intercept=True):
    """Banded ridge: ``min ‖y − b − Xw‖² + α Σ_b ‖w_b‖²/δ_b``; returns ``(w, b)``.

    Plain ridge on ``Z = [√δ_1 X_1 … √δ_B X_B]`` (centred when ``fit_intercept``) with
    ``w_b = √δ_b β_b``; a band with ``δ_b = 0`` gets ``w_b = 0``.

    >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]); y = np.array([1.0, 2.0, 3.0])
    >>> w, b = banded_ridge(X, y, [[0], [1]], [0.5, 0.5], 0.5, fit_intercept=False)
    >>> w.round(4)
    array([0.875, 1.375])
    """
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    root = np.zeros(X.shape[1])
    for b, cols in enumerate(bands):
        root[np.asarray(cols)] = np.sqrt(delta[b])
    Z = X * root
    zm = Z.mean(axis=0) if fit_intercept else np.zeros(X.shape[1])
    ym = y.mean(axis=0) if fit_intercept else np.zeros(y.shape[1:])
    beta = ridge_normal_equations(Z - zm, y - ym, alpha)
    w = root.reshape((-1,) + (1,) * (y.ndim - 1)) * beta
    return w, ym - (X.mean(axis=0) if fit_intercept else 0 * zm) @ w


def banded_ridge_cv_scores(X, Y, bands, deltas, alphas, splits, *, fit_intercept=True,
                           scoring="neg_mean_squared_error"):
    """Cross-validation scores of banded ridge by brute force: (n_candidates, n_alphas,
    k), :func:`kfold_cv_scores` (per target) on ``X`` scaled by ``√δ`` per band, for
    every candidate δ.

    >>> X = np.arange(12.0).reshape(6, 2) % 5; y = X @ np.array([1.0, -1.0])
    >>> splits = [(np.arange(3, 6), np.arange(3)), (np.arange(3), np.arange(3, 6))]
    >>> banded_ridge_cv_scores(X, y, [[0], [1]], [[0.5, 0.5]], [1.0], splits).shape
    (1, 1, 1)
    """
    X = np.asarray(X, dtype=np.float64)
    Y2 = np.asarray(Y, dtype=np.float64).reshape(len(X), -1)
    out = []
    for delta in deltas:
        root = np.zeros(X.shape[1])
        for b, cols in enumerate(bands):
            root[np.asarray(cols)] = np.sqrt(delta[b])
        out.append(kfold_cv_scores(X * root, Y2, alphas, splits,
                                   fit_intercept=fit_intercept, scoring=scoring,
                                   alpha_per_target=True))
    return np.array(out)
