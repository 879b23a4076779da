"""Kernel ridge regression, and its penalty chosen by cross-validation from one
eigendecomposition of the kernel.

The dual view (docs/math.md §1.6) with a kernel: ``a = (K + αI)⁻¹ y``, ``ŷ(x) = Σ_i a_i
k(x, x_i)``; weights ``s`` give ``a = S^½ (S^½ K S^½ + αI)⁻¹ S^½ y`` (§1.7).  :class:`KernelRidge`
factors ``K + αI`` by Cholesky in place (?potrf/?potrs, no copy of K for one α).

Cross-validation (:class:`KernelRidgeCV`).  With ``A = K + αI = Q (Λ + αI) Qᵀ`` (one
``eigh``), the hat matrix is ``H = QΛ(Λ + αI)⁻¹Qᵀ`` and ``I − H = Q diag(g) Qᵀ`` with
``g = α/(λ + α)``.  Removing a *block* of samples v from the training set (train = all
other samples) gives the held-out residuals

    e_v = y_v − ŷ_v = [(I − H)_vv]⁻¹ [(I − H) y]_v = [(A⁻¹)_vv]⁻¹ (A⁻¹ y)_v       (1)

— the block form of the leave-one-out identity of §5.1 (Woodbury on the rows of v; for
``|v| = 1`` it is ``r_i / (1 − H_ii)``).  So one ``eigh`` of K serves every fold and every
α: per α, ``(I − H) y = Q (g ⊙ Qᵀy)`` costs ``2n²k`` and each fold's ``(I − H)_vv =
Q_v diag(g) Q_vᵀ`` one ?syrk (``|v|²n``) and an ``|v|×|v|`` Cholesky.  Leave-one-out
needs only the diagonal, ``(Q ⊙ Q) g``, for every α in one GEMM; it is written with
``g`` (not ``1 − λ/(λ + α)``) so that no α brings back the cancellation of §5.3.

The same identity holds for an unpenalised intercept (banded ridge, :mod:`._banded`):
``I − H = Q diag(g) Qᵀ + B`` with ``B = I − QQᵀ − 11ᵀ/n`` on the directions Q does not
span; :class:`HeldOut` takes both forms.  It needs train = the complement of the test
fold; other splits, zero sample weights, or many α on large folds (where a per-fold
``eigh`` costs less, :func:`kfold_route`) are solved fold by fold instead
(:func:`_per_fold_scores`).  Eigenvalues at ``eigh``'s noise level
(:func:`fastridge._policy.kept` at :func:`fastridge._policy.spectral_cutoff`) count as 0.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from scipy.linalg import blas, lapack

from . import _policy
from ._base import RegressorBase
from ._crossval import BUDGET, _r2, check_cv, check_groups, check_scoring, make_splits
from ._cvfolds import _rows_of
from ._ridgecv import _best
from ._validation import (as_float_array, check_alpha, check_alphas, check_same_rows,
                          check_sample_weight, check_scalar, require_y)
from .kernels import PREDICT_BLOCK, check_kernel_inputs, resolve

__all__ = ["KernelRidge", "KernelRidgeCV", "HeldOut"]

#: An ``eigh`` of order n costs about as much as this many n³ flops of GEMM (syevd,
#: OpenBLAS, 1 thread, AMD EPYC: 3 000 in 6.5–11 s against GEMM's 20–30 Gflop/s).
#: Only the choice between one ``eigh`` and one per fold depends on it.
EIGH_FLOPS = 9.0


# ======================================================================================
# The fit: Cholesky of K + αI in place
# ======================================================================================

def _scale_kernel(K, sq):
    """``K ← S^½ K S^½`` in place (``sq`` = √s, or None); both triangles of K must hold
    the kernel."""
    if sq is not None:
        K *= sq[:, None]
        K *= sq[None, :]
    return K


def _add_diagonal(K, alpha):
    K.ravel(order="F")[:: K.shape[0] + 1] += alpha  # a view: K is F-contiguous


def inverse_factors(lam, alphas, n):
    """``1/(λ + α)`` (r, n_alphas), 0 where ``|λ + α|`` is not
    :func:`fastridge._policy.kept` at :func:`fastridge._policy.spectral_cutoff` (per α):
    the pseudo-inverse of ``K + αI`` from the eigenvalues of K."""
    rcond = _policy.spectral_cutoff(n, n, np.float64)
    out = np.empty((lam.shape[0], len(alphas)))
    for j, a in enumerate(alphas):
        shifted = lam + a
        keep = _policy.kept(np.abs(shifted), rcond)
        out[:, j] = np.where(keep, 1.0 / np.where(keep, shifted, 1.0), 0.0)
    return out


def eigen_dual(K, B, alphas, group):
    """``Q diag(1/(λ + α)) Qᵀ B`` per target from ``eigh(K)`` in float64 (the
    pseudo-inverse of :func:`inverse_factors`); ``alphas`` the distinct penalties and
    ``group[j]`` target j's (None: one α).  ``K`` upper triangle, may be overwritten;
    returns (n, k) float64."""
    lam, Q = sla.eigh(np.asarray(K, dtype=np.float64, order="F"), lower=False,
                      driver="evd", overwrite_a=True, check_finite=False)
    F = inverse_factors(lam, alphas, K.shape[0])                 # (n, n_distinct)
    C = Q.T @ np.asarray(B, dtype=np.float64)                    # C.shape = (n, k)
    C *= F if group is None else F[:, group]
    return Q @ C


def dual_solve(K, Y2, alphas, sq, remake):
    """Dual coefficients ``S^½ (S^½KS^½ + αI)⁻¹ S^½ Y`` (n, k) in K's dtype, and the
    solver that ran.

    ``K`` (n, n) F-ordered, upper triangle valid, is consumed (scaled and factored in
    place).  ``alphas`` float64 (1,) or (k,); targets sharing an α share a factor.
    ``"cholesky"``: ?potrf/?potrs.  When ?potrf finds ``S^½KS^½ + αI`` not numerically
    positive definite (an indefinite kernel such as sigmoid, or α = 0 on a singular
    kernel), scikit-learn's ``KernelRidge`` falls back to least squares; here the
    kernel is made again (``remake()``) and solved by :func:`eigen_dual` (``"eigen"``).
    There is no fallback on a small condition estimate: an eigendecomposition of a
    given K + αI is no more accurate than its Cholesky factor (both err by about
    ``κ·eps``; the SVD's gain of §8 comes from factoring X, which a kernel does not have).
    """
    n, k = Y2.shape
    B = Y2 if sq is None else Y2 * sq[:, None].astype(Y2.dtype)
    _scale_kernel(K, sq)
    if alphas.size == 1 or (alphas == alphas[0]).all():
        uniq, group = alphas[:1], None
    else:
        uniq, group = np.unique(alphas, return_inverse=True)
    potrf, potrs = lapack.get_lapack_funcs(("potrf", "potrs"), (K,))
    out = np.empty((n, k), dtype=K.dtype, order="F")
    solver = "cholesky"
    for g, a in enumerate(uniq):
        cols = slice(None) if group is None else np.flatnonzero(group == g)
        A = K if g == uniq.size - 1 else np.array(K, order="F")
        _add_diagonal(A, a)                                   # A = K + αI
        c, info = potrf(A, lower=0, clean=0, overwrite_a=1)   # A = RᵀR, in place
        if info > 0:
            out = eigen_dual(_scale_kernel(remake(), sq), B, uniq, group).astype(K.dtype)
            solver = "eigen"
            break
        if info < 0:  # pragma: no cover - an argument error is a bug here
            raise ValueError(f"?potrf: illegal argument {-info}")
        out[:, cols], info = potrs(c, B[:, cols], lower=0)    # (K + αI)⁻¹ B
    if sq is not None:
        out *= sq[:, None].astype(out.dtype)
    return out, solver


class _KernelModel(RegressorBase):
    """What kernel ridge estimators share: the kernel parameters and ``predict``."""

    def _kernel(self):
        return resolve(self.kernel, gamma=self.gamma, degree=self.degree, coef0=self.coef0,
                       kernel_params=self.kernel_params, from_estimator=True)

    def _check_data(self, X, y):
        spec = self._kernel()
        X, _ = check_kernel_inputs(spec, X)
        y = as_float_array(y, "y", dtype=X.dtype, ndims=(1, 2))
        check_same_rows(X.shape[0], y.shape[0], "y")
        return spec, X, y

    def _train_kernel(self, spec, X, dtype, full=False):
        """The training kernel (n, n), F-ordered, a new array in ``dtype``."""
        if spec.precomputed:
            return np.array(X, dtype=dtype, order="F")
        return spec.matrix(X if X.dtype == dtype else X.astype(dtype), full=full)

    def predict(self, X):
        """Predict ``k(X, X_fit_) @ dual_coef_``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            With ``kernel="precomputed"``: the kernel between the new samples and the
            training samples, shape (n_samples, n_training_samples).

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_targets)
        """
        self._check_fitted()
        spec = self._kernel()
        n_fit = self.dual_coef_.shape[0]
        X, _ = check_kernel_inputs(spec, X, fitted_rows=n_fit)
        if not spec.precomputed:
            self._check_n_features(X)
        A = self.dual_coef_.astype(X.dtype, copy=False)
        Xf = None if spec.precomputed else self.X_fit_.astype(X.dtype, copy=False)
        out = np.empty((X.shape[0],) + A.shape[1:], dtype=X.dtype)
        step = max(1, PREDICT_BLOCK // n_fit)
        for start in range(0, X.shape[0], step):  # blocks keep k(X, X_fit_) within budget
            rows = slice(start, start + step)
            Xb = X[rows]
            if not (Xb.flags.c_contiguous or Xb.flags.f_contiguous):
                Xb = np.ascontiguousarray(Xb)  # the kernel driver reads C or F layouts
            Kb = Xb if Xf is None else spec.matrix(Xb, Xf)
            out[rows] = Kb @ A
        return out


class KernelRidge(_KernelModel):
    """Kernel ridge regression (scikit-learn's ``KernelRidge``, compiled kernels).

    Minimises ``Σ s_i (y_i − f(x_i))² + α‖f‖²`` over functions ``f(x) = Σ_i a_i k(x,
    x_i)``: ``a = (K + αI)⁻¹ y`` (weighted: ``S^½ (S^½KS^½ + αI)⁻¹ S^½ y``).  No
    intercept, as scikit-learn's.  ``kernel="linear"`` is ridge regression in its dual
    form (``coef = X_fit_ᵀ dual_coef_`` equals ``Ridge(fit_intercept=False)``).

    Parameters
    ----------
    alpha : float or array_like of shape (n_targets,), default=1.0
        Penalty ``α >= 0``; one per target if an array (targets sharing one share a
        factorization).
    kernel : str or callable, default="linear"
        One of :data:`fastridge.kernels.KERNELS` or a callable ``k(x, y, **kernel_params)``
        (see :func:`fastridge.kernels.pairwise`).
    gamma : float, optional
        For rbf, laplacian, poly and sigmoid; default ``1/n_features``.  Ignored by the
        other kernels.
    degree : float, default=3
        For poly.
    coef0 : float, default=1
        For poly and sigmoid.
    kernel_params : dict, optional
        Keyword arguments of a callable kernel (ignored by the named ones, as in
        scikit-learn).

    Attributes
    ----------
    dual_coef_ : ndarray of shape (n_samples,) or (n_samples, n_targets)
    X_fit_ : ndarray of shape (n_samples, n_features)
        The training data (the training kernel for ``"precomputed"``).
    solver_ : str
        ``"cholesky"``, or ``"eigen"`` when ``K + αI`` was not numerically positive
        definite (scikit-learn then warns and uses least squares; here the
        eigendecomposition gives its pseudo-inverse).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> X = np.array([[0.0], [1.0], [2.0], [3.0]]); y = np.array([0.0, 1.0, 4.0, 9.0])
    >>> model = fr.KernelRidge(alpha=1e-3, kernel="poly", degree=2, coef0=1).fit(X, y)
    >>> model.predict([[1.5], [4.0]]).round(2)
    array([ 2.25, 16.  ])
    """

    def __init__(self, alpha=1.0, *, kernel="linear", gamma=None, degree=3, coef0=1,
                 kernel_params=None):
        self.alpha = alpha
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params

    def fit(self, X, y, sample_weight=None):
        """Fit the dual coefficients.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            With ``kernel="precomputed"``: the (n_samples, n_samples) training kernel.
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array_like of shape (n_samples,) or float, optional
            Non-negative weights.

        Returns
        -------
        self
        """
        require_y(self, y)
        spec, X, y = self._check_data(X, y)
        alphas = check_alpha(self.alpha, 1 if y.ndim == 1 else y.shape[1])
        sw = check_sample_weight(sample_weight, X.shape[0], X.dtype)
        sq = None if sw is None else np.sqrt(sw)
        Y2 = y.reshape(X.shape[0], -1)  # Y2.shape = (n, k)
        full = sq is not None  # the weights scale both triangles
        K = self._train_kernel(spec, X, X.dtype, full)
        dual, self.solver_ = dual_solve(K, Y2, alphas, sq,
                                        lambda: self._train_kernel(spec, X, X.dtype, full))
        self.dual_coef_ = dual[:, 0] if y.ndim == 1 else dual
        self.X_fit_ = X
        self.n_features_in_ = X.shape[1]
        return self


# ======================================================================================
# Held-out residuals from one eigendecomposition (module docstring, identity (1))
# ======================================================================================

def _fold_scores(Yv, E, scoring):
    """Scores (kb,) of one test fold from its targets ``Yv`` and held-out residuals ``E``
    (m, kb), as scikit-learn's scorers (:mod:`fastridge._crossval`'s conventions)."""
    sse = np.einsum("ik,ik->k", E, E)
    if scoring == "neg_mean_squared_error":
        return -sse / E.shape[0]
    Yc = Yv - Yv.mean(axis=0)
    syy = np.einsum("ik,ik->k", Yc, Yc)
    if scoring == "r2":
        return _r2(sse, syy)
    P = Yv - E                                  # held-out predictions
    Pc = P - P.mean(axis=0)
    den = np.sqrt(np.einsum("ik,ik->k", Pc, Pc) * syy)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, np.einsum("ik,ik->k", Yc, Pc) / den, 0.0)


class HeldOut:
    """``I − H(α) = Q diag(α/(λ + α)) Qᵀ + B`` of a ridge problem, and every fold's
    held-out residuals (identity (1) of the module docstring) from it.

    Parameters
    ----------
    Q : ndarray (n, r), float64
        Orthonormal eigenvectors: all of them for a kernel (r = n), or the kept ones.
    lam : ndarray (r,), float64
        Their eigenvalues (noise-level ones already set to 0).
    tests : list of ndarray of intp, or None
        The test folds (train = complement of each); ``None``: leave-one-out.
    icpt : bool
        The model has an unpenalised intercept (Q ⊥ 1).
    complete : bool
        Q spans everything the intercept leaves (r = n − icpt): then ``B = 0``;
        otherwise ``B = I − QQᵀ − icpt·11ᵀ/n``.
    """

    def __init__(self, Q, lam, tests, icpt, complete):
        n, r = Q.shape
        self.Q, self.lam, self.tests, self.icpt, self.complete = Q, lam, tests, icpt, complete
        shift = icpt / n
        if tests is None:
            self.Q2 = Q * Q                                     # (n, r)
            self.base = (np.zeros(n) if complete else
                         np.maximum(1.0 - self.Q2.sum(axis=1) - shift, 0.0))
        else:
            self.rows = [_rows_of(v) for v in tests]            # slices where contiguous
            self.Qv = [np.asfortranarray(Q[v]) for v in self.rows]  # (m, r) each
            self.Bv = []
            for v, Qv in zip(tests, self.Qv):
                if complete:
                    self.Bv.append(None)
                    continue
                Bvv = -blas.dsyrk(1.0, Qv, lower=0) if r else np.zeros((v.size, v.size))
                Bvv = np.asfortranarray(Bvv)
                _add_diagonal(Bvv, 1.0)
                self.Bv.append(Bvv - shift)                     # I − Q_vQ_vᵀ − 1/n

    def project(self, Yc):
        """``(C = QᵀYc (r, kb), R0 = B·Yc (n, kb) or None)`` for centred targets."""
        C = self.Q.T @ Yc
        return C, (None if self.complete else Yc - self.Q @ C)

    def residuals(self, g, C, R0):
        """``(I − H) Y = R0 + Q (g ⊙ C)``, (n, kb)."""
        R = self.Q @ (g[:, None] * C)
        return R if R0 is None else R + R0

    def loo_diagonal(self, alphas):
        """``1 − H_ii(α)`` for every α: (n, n_alphas)."""
        G = _policy_g(self.lam, alphas)                          # (r, n_alphas)
        return self.Q2 @ G + self.base[:, None]

    def fold_factors(self, g):
        """Per test fold, the factor of ``(I − H)_vv = B_vv + Q_v diag(g) Q_vᵀ``: a
        Cholesky factor, or (not numerically positive definite: an indefinite kernel)
        an LU factorization."""
        out = []
        root = np.sqrt(g) if (g >= 0).all() else None
        for Qv, Bvv in zip(self.Qv, self.Bv):
            if root is not None:                                 # M = (Q_v√g)(Q_v√g)ᵀ + B
                S = Qv * root
                M = (blas.dsyrk(1.0, S, lower=0) if Bvv is None else
                     blas.dsyrk(1.0, S, beta=1.0, c=np.array(Bvv, order="F"), lower=0,
                                overwrite_c=1))
            else:
                M = (Qv * g) @ Qv.T + (0.0 if Bvv is None else Bvv)
            c, info = lapack.dpotrf(M, lower=0, clean=1, overwrite_a=0)
            if info == 0:
                out.append(("chol", c))
            else:
                full = np.triu(M) + np.triu(M, 1).T if root is not None else M
                out.append(("lu", sla.lu_factor(full, check_finite=False)))
        return out

    @staticmethod
    def solve(factor, R):
        kind, f = factor
        if kind == "chol":
            return lapack.dpotrs(f, R, lower=0)[0]
        return sla.lu_solve(f, R, check_finite=False)


def _policy_g(lam, alphas):
    """``g = α/(λ + α)`` (r, n_alphas): the share of each direction left in the residual."""
    a = np.asarray(alphas, dtype=np.float64)[None, :]
    return a / (lam[:, None] + a)


def _noise_to_zero(lam, n):
    """Eigenvalues at ``eigh``'s noise level (:func:`fastridge._policy.kept` of ``|λ|`` at
    :func:`fastridge._policy.spectral_cutoff`) set to 0."""
    keep = _policy.kept(np.abs(lam), _policy.spectral_cutoff(n, n, np.float64))
    return np.where(keep, lam, 0.0)


def heldout_scores(engine, alphas, Yt, Y, sq, scoring, batches, loo_weighted=False,
                   projected=None):
    """CV scores (n_alphas, k): mean over folds of the fold scores (LOO: one score over
    all samples).

    ``Yt`` (n, k) the targets of the (weighted: ``S^½Y``; centred: ``Y − ȳ``) system the
    engine describes, ``Y`` the targets the residuals are scored against (their
    residuals are ``Yt``'s divided by ``sq`` = √s).  ``loo_weighted``: leave-one-out MSE
    of the weighted system, ``Σ s_i e_i² / n`` (scikit-learn's ``RidgeCV``).
    ``projected``: :meth:`HeldOut.project` of each batch, if the caller already has them.
    """
    na, k = alphas.size, Yt.shape[1]
    out = np.zeros((na, k))
    G = _policy_g(engine.lam, alphas)                             # (r, n_alphas)
    if engine.tests is None:
        diag = engine.loo_diagonal(alphas)                        # (n, n_alphas)
        for b, tb in enumerate(batches):
            C, R0 = engine.project(Yt[:, tb]) if projected is None else projected[b]
            for a in range(na):
                E = engine.residuals(G[:, a], C, R0) / diag[:, a:a + 1]
                if sq is not None and not loo_weighted:
                    E /= sq[:, None]
                out[a, tb] = _fold_scores(Y[:, tb], E, scoring)
        return out
    if projected is None:  # C, R0: the size of Y
        projected = [engine.project(Yt[:, tb]) for tb in batches]
    for a in range(na):
        factors = engine.fold_factors(G[:, a])
        for (C, R0), tb in zip(projected, batches):
            R = engine.residuals(G[:, a], C, R0)
            for v, f in zip(engine.rows, factors):
                E = engine.solve(f, R[v])
                if sq is not None:
                    E /= sq[v][:, None]
                out[a, tb] += _fold_scores(Y[v, tb], E, scoring)
    return out / len(engine.tests)


def target_batches(k, n_targets_batch, n):
    """Slices of the targets processed together (default: ~``BUDGET`` elements of
    residuals, (n, kb))."""
    kb = max(1, BUDGET // max(n, 1)) if n_targets_batch is None else n_targets_batch
    kb = min(k, kb)
    return [slice(a, min(a + kb, k)) for a in range(0, k, kb)]


# ======================================================================================
# Fold by fold (any splits, zero weights, or cheaper)
# ======================================================================================

def _per_fold_scores(K, Y, sq, splits, alphas, scoring, batches):
    """CV scores (n_alphas, k) with one ``eigh`` of each training kernel.

    ``K`` (n, n) symmetric (full) float64 of the unweighted kernel.  Fold (T, E):
    ``K̃_TT = S_T^½ K_TT S_T^½ = QΛQᵀ``, test predictions ``P diag(1/(λ + α)) C`` with
    ``P = K_ET S_T^½ Q``, ``C = Qᵀ S_T^½ Y_T``.
    """
    na, k = alphas.size, Y.shape[1]
    out = np.zeros((na, k))
    for T, E in splits:
        KTT = np.asfortranarray(K[np.ix_(T, T)])
        sT = None if sq is None else sq[T]
        _scale_kernel(KTT, sT)
        lam, Q = sla.eigh(KTT, lower=False, driver="evd", overwrite_a=True,
                          check_finite=False)
        lam = _noise_to_zero(lam, T.size)
        U = Q if sT is None else Q * sT[:, None]                # S_T^½ Q
        P = K[np.ix_(E, T)] @ U                                  # (n_e, n_t)
        F = inverse_factors(lam, alphas, T.size)                 # (n_t, n_alphas)
        for tb in batches:
            C = U.T @ Y[T][:, tb]                                # (n_t, kb)
            YE = Y[E][:, tb]
            for a in range(na):
                out[a, tb] += _fold_scores(YE, YE - P @ (F[:, a:a + 1] * C), scoring)
    return out / len(splits)


def _is_complement(splits, n):
    """Every split's training set is the complement of its test set."""
    return all(tr.size + te.size == n for tr, te in splits)


def kfold_route(n, splits, n_alphas, k):
    """``"heldout"`` (one ``eigh`` of the whole kernel, identity (1)) or ``"per-fold"``
    (one per training fold), whichever costs fewer flops (:data:`EIGH_FLOPS`)."""
    whole = EIGH_FLOPS * n ** 3 + 2.0 * n * n * k
    folds = 0.0
    for tr, te in splits:
        m, t = te.size, tr.size
        whole += n_alphas * (m * m * n + m ** 3 / 3.0 + 2.0 * n * n * k / len(splits)
                             + 2.0 * m * m * k)
        folds += EIGH_FLOPS * t ** 3 + 2.0 * m * t * t + 2.0 * t * t * k \
            + n_alphas * 2.0 * m * t * k
    return "heldout" if whole <= folds else "per-fold"


class KernelRidgeCV(_KernelModel):
    """Kernel ridge regression with α chosen by cross-validation.

    ``cv=None`` (default): exact leave-one-out from one eigendecomposition of the kernel
    (``e_i = r_i / (1 − H_ii)``).  K-fold, grouped and custom splits as
    :class:`fastridge.RidgeCV`: when every training set is the complement of its test
    fold, one eigendecomposition of the whole kernel gives every fold's held-out
    residuals for every α (the block form of the leave-one-out identity; module
    docstring), else (or when cheaper) each training kernel is decomposed.  The result
    equals scikit-learn's ``GridSearchCV(KernelRidge(), {"alpha": alphas}, cv=...)``.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,), default=(0.1, 1.0, 10.0)
        Candidate penalties, all > 0.
    kernel, gamma, degree, coef0, kernel_params
        As :class:`KernelRidge`.
    cv : None, int, splitter or iterable, default=None
        As :class:`fastridge.RidgeCV`: ``None`` leave-one-out, an int K contiguous
        folds (``KFold(K)``), an object with ``split(X, y, groups)``, or an iterable of
        ``(train, test)`` index arrays.
    scoring : {None, "neg_mean_squared_error", "r2", "correlation"}, default=None
        As :class:`fastridge.RidgeCV` (``None``: minus the mean squared error); the CV
        score of an α is the mean of its fold scores.
    alpha_per_target : bool, default=False
        Choose α separately for every target.
    n_targets_batch : int, optional
        Targets processed together (default: residual blocks of about 2²³ elements).

    Attributes
    ----------
    alpha_ : float or ndarray of shape (n_targets,)
    best_score_ : float or ndarray of shape (n_targets,)
    cv_scores_ : ndarray of shape (n_alphas,) or (n_alphas, n_targets)
    n_splits_ : int
        Number of splits (``cv`` given).
    cv_route_ : str
        ``"loo"``, ``"heldout"`` (one eigendecomposition of the whole kernel) or
        ``"per-fold"``.
    dual_coef_ : ndarray of shape (n_samples,) or (n_samples, n_targets)
        Of the refit on all samples at ``alpha_``.
    X_fit_ : ndarray of shape (n_samples, n_features)
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-3, 3, (80, 1)); y = np.sin(X[:, 0]) + 0.1 * rng.standard_normal(80)
    >>> model = fr.KernelRidgeCV(alphas=[1e-3, 1e-1, 10.0], kernel="rbf", gamma=0.5).fit(X, y)
    >>> float(model.alpha_), model.cv_scores_.shape
    (0.1, (3,))
    >>> model = fr.KernelRidgeCV(alphas=[1e-3, 1e-1, 10.0], kernel="rbf", gamma=0.5,
    ...                          cv=5, scoring="r2").fit(X, y)
    >>> float(model.alpha_), model.cv_route_
    (0.001, 'heldout')
    """

    def __init__(self, alphas=(0.1, 1.0, 10.0), *, kernel="linear", gamma=None, degree=3,
                 coef0=1, kernel_params=None, cv=None, scoring=None,
                 alpha_per_target=False, n_targets_batch=None):
        self.alphas = alphas
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.cv = cv
        self.scoring = scoring
        self.alpha_per_target = alpha_per_target
        self.n_targets_batch = n_targets_batch

    def fit(self, X, y, sample_weight=None, groups=None):
        """Choose α by cross-validation and refit on all samples with it.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_features)
            With ``kernel="precomputed"``: the (n_samples, n_samples) kernel.
        y : array_like of shape (n_samples,) or (n_samples, n_targets)
        sample_weight : array_like of shape (n_samples,) or float, optional
            Weights of the fits (every training fold's and the refit).  K-fold scores
            are not weighted (as :class:`fastridge.RidgeCV`); leave-one-out scores the
            weighted error ``Σ s_i e_i² / n`` and takes only the default scoring.
        groups : array_like of shape (n_samples,), optional
            Group labels handed to ``cv.split``.

        Returns
        -------
        self
        """
        require_y(self, y)
        alphas = check_alphas(self.alphas)
        if not (alphas > 0).all():
            raise ValueError(f"alphas must be > 0 for KernelRidgeCV (every K + αI must be "
                             f"invertible); got {alphas.tolist()}")
        scoring = check_scoring(self.scoring)
        spec, X, y = self._check_data(X, y)
        n = X.shape[0]
        cv = check_cv(self.cv, n)
        groups = check_groups(groups, n)
        sw = check_sample_weight(sample_weight, n, X.dtype)
        kb = (None if self.n_targets_batch is None else
              check_scalar(self.n_targets_batch, "n_targets_batch", low=1, integer=True))
        per_target = bool(self.alpha_per_target) and y.ndim == 2
        Y = y.reshape(n, -1).astype(np.float64, copy=False)        # Y.shape = (n, k)
        sq = None if sw is None else np.sqrt(sw.astype(np.float64))
        Yt = Y if sq is None else Y * sq[:, None]
        batches = target_batches(Y.shape[1], kb, n)
        self.__dict__.pop("n_splits_", None)
        if cv is None:
            if n < 2:
                raise ValueError(f"KernelRidgeCV needs at least 2 samples for "
                                 f"leave-one-out; got {n} sample")
            if sw is not None and scoring != "neg_mean_squared_error":
                raise ValueError(
                    f"scoring={scoring!r} with sample_weight needs cv (K-fold); "
                    "leave-one-out (cv=None) with weights scores by the weighted squared "
                    "error only")
            splits, route = None, "loo"
        else:
            splits = make_splits(cv, X, y, groups, n)
            if scoring != "neg_mean_squared_error" and min(te.size for _, te in splits) < 2:
                raise ValueError(f"scoring={scoring!r} needs at least 2 samples in every "
                                 "test fold; use the default scoring or larger folds")
            self.n_splits_ = len(splits)
            route = "per-fold"
            if _is_complement(splits, n) and (sw is None or sw.all()):
                route = kfold_route(n, splits, alphas.size, Y.shape[1])
        K = self._train_kernel(spec, X, np.float64, full=route == "per-fold" or sq is not None)
        if route == "per-fold":
            scores = _per_fold_scores(K, Y, sq, splits, alphas, scoring, batches)
        else:
            _scale_kernel(K, sq)
            lam, Q = sla.eigh(K, lower=False, driver="evd", overwrite_a=True,
                              check_finite=False)
            del K
            lam = _noise_to_zero(lam, n)
            engine = HeldOut(Q, lam, None if splits is None else [te for _, te in splits],
                             icpt=False, complete=True)
            scores = heldout_scores(engine, alphas, Yt, Y, sq, scoring, batches,
                                    loo_weighted=True)
        if not per_target:
            scores = scores.mean(axis=1)
        self.alpha_, self.best_score_ = _best(alphas, scores, per_target)
        chosen = np.broadcast_to(np.asarray(self.alpha_, dtype=np.float64), (Y.shape[1],))
        if route == "per-fold":
            K = self._train_kernel(spec, X, np.float64, full=sq is not None)
            dual, _ = dual_solve(K, Y, np.ascontiguousarray(chosen), sq,
                                 lambda: self._train_kernel(spec, X, np.float64, True))
        else:
            uniq, group = np.unique(chosen, return_inverse=True)
            F = inverse_factors(lam, uniq, n)[:, group]           # (n, k)
            dual = Q @ (F * (Q.T @ Yt))
            if sq is not None:
                dual *= sq[:, None]
        dual = dual.astype(X.dtype, copy=False)
        self.dual_coef_ = dual[:, 0] if y.ndim == 1 else dual
        self.cv_scores_ = scores
        self.cv_route_ = route
        self.X_fit_ = X
        self.n_features_in_ = X.shape[1]
        return self
