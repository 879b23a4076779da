"""Many penalties from one decomposition: the ridge path and exact leave-one-out (docs/math.md §1).

:class:`Spectral` factors a ridge problem once; afterwards every α costs a diagonal
rescaling and a back-transform, never another factorization.  It is the engine behind
:func:`fastridge.ridge_path` and ``RidgeCV``.  It takes *validated* arrays (see
:func:`fastridge._validation.check_X_y`) and checks nothing itself.

Notation: ``Xc``, ``Yc`` are X, Y with their column means removed (``fit_intercept``) or
X, Y themselves; ``Xc = U S Vᵀ`` the thin SVD with ``λ = s²`` (the eigenvalues of both
``XcᵀXc`` and ``XcXcᵀ``); ``r`` the numerical rank kept.  Then

    w(α)    = V diag(s/(λ + α)) UᵀYc                   coefficients, (d, k)
    H(α)    = 11ᵀ/n·[intercept] + U diag(λ/(λ + α)) Uᵀ  hat matrix of the (intercept) model
    e_i(α)  = (Yc − Xc w(α))_i / (1 − H_ii(α))         exact leave-one-out residual

(the intercept is unpenalized, so its part of H is the projection on the constant
vector; this is what scikit-learn's ``RidgeCV``/``_RidgeGCV`` computes).
"""
from __future__ import annotations

import numpy as np
import scipy.linalg as sla
from scipy.linalg import blas

from . import _blas_threads, _policy, _ridge
from ._loo import LeaveOneOut, _direct, _fill
from ._policy import EPS64, eigen_tolerance
from ._solvers import overflow_error, svd_factor

__all__ = ["Spectral", "METHODS"]

METHODS = ("auto", "svd", "eigen")

# Elements of a work block (rows or columns of X centred and cast to float64, rows of U
# and U²): 2 MiB buffers, far below X.
_BLOCK = 1 << 18
# Elements of leave-one-out residuals held at a time (32 MiB of float64).
_CHUNK = 1 << 22



# --------------------------------------------------------------------------------------
# Blocked passes over X: centring (and the cast to float64) happen in a small buffer, so
# no centred copy of X is ever made on the eigen route.
# --------------------------------------------------------------------------------------

def _syrk(A, C=None, trans=0):
    """Upper triangle of ``A Aᵀ`` (trans=0) or ``AᵀA`` (trans=1), plus C if given.

    ``A`` F-contiguous float64; ``C`` F-contiguous float64, updated in place.
    """
    if C is None:
        return blas.dsyrk(1.0, A, trans=trans)
    return blas.dsyrk(1.0, A, beta=1.0, c=C, trans=trans, overwrite_c=1)


def _row_steps(n, d):
    step = max(1, _BLOCK // max(d, 1))
    return step, [slice(i, min(i + step, n)) for i in range(0, n, step)]


def _col_steps(n, d):
    step = max(1, _BLOCK // max(n, 1))
    return step, [slice(j, min(j + step, d)) for j in range(0, d, step)]


def _cov_pass(X, mean, Yc, exact=False):
    """``G = XcᵀXc`` (d, d) (upper triangle, F-ordered), ``XcᵀYc`` (d, k), float64, whether
    X's centring was applied by subtraction, and the growth of the centring's rounding
    error (1 for exact centring).

    float64 X goes to the compiled :func:`fastridge._ridge.gram_update` (?syrk + ?gemm
    over cache-sized row blocks), which subtracts ``n·x̄x̄ᵀ`` from ``XᵀX`` where every
    column has ``ρ² = n·x̄²/Σ(x − x̄)² ≤ eps^(-1/4)`` — error growth ``1 + max ρ²``, as
    it reports — and otherwise centres blocks of rows exactly; ``exact`` forces the
    latter.  float32 X is centred and cast block by block here (exact).
    """
    n, d = X.shape
    if X.dtype == np.float64:
        k = Yc.shape[1]
        none = np.empty(0)
        centre = (none, none) if mean is None else (mean, np.zeros(k))  # Yc is centred
        if exact:  # accumulating into zeros takes the driver's exact blockwise centring
            G, XtY = np.zeros((d, d), order="F"), np.zeros((d, k), order="F")
        else:
            G, XtY = np.empty((d, d), order="F"), np.empty((d, k), order="F")
        if not (Yc.flags.c_contiguous or Yc.flags.f_contiguous):
            Yc = np.ascontiguousarray(Yc)  # the driver reads either layout: no copy else
        info, growth = _ridge.gram_update(X, Yc, none, *centre, G,
                                          XtY, exact, _policy.centring_limit(X.dtype))
        if info != 0:
            raise MemoryError("could not allocate the Gram matrix work space")
        return G, XtY, growth > 0, max(growth, 1.0)
    G = np.zeros((d, d), order="F")
    XtY = np.zeros((d, Yc.shape[1]))
    step, blocks = _row_steps(n, d)
    buf = np.empty((step, d))
    for rows in blocks:
        B = _fill(buf[: rows.stop - rows.start], X[rows], mean)  # B = Xc[rows]
        G = _syrk(B.T, G, trans=0)  # G += B.T @ B (B.T is F-contiguous)
        XtY += B.T @ Yc[rows]
    return G, XtY, False, 1.0


def _gram_pass(X, mean, exact=False):
    """``K = XcXcᵀ`` (n, n) (upper triangle, F-ordered, float64), whether X's centring was
    applied by subtraction (then ``XcᵀA = Xᵀ(A − 1Āᵀ)`` in :meth:`Spectral._xct` too),
    and the growth of the centring's rounding error (1 for exact centring).

    float64 X with an intercept: ``XXᵀ`` by one ?syrk, then double-centred in one pass
    (:func:`fastridge._ridge.center_kernel`) when ``R = n‖x̄‖² / ‖Xc‖²_F ≤ centring_limit``;
    the subtraction multiplies the rounding error of K by about ``1 + R``.  Otherwise
    (or ``exact``) blocks of columns are centred into a buffer.
    """
    n, d = X.shape
    if _direct(X, mean):
        # K = X @ X.T
        return (_syrk(X, trans=0) if X.flags.f_contiguous else _syrk(X.T, trans=1)), False, 1.0
    if X.dtype == np.float64 and not exact:
        flat = X.ravel(order="K")  # a view: X is C- or F-contiguous
        with np.errstate(over="ignore", invalid="ignore"):  # overflow: exact path, then refused
            mu = float(mean @ mean)
            spread = float(flat @ flat) - n * mu  # ‖Xc‖²_F, only to choose the method
        if spread > 0 and n * mu <= _policy.centring_limit(np.float64) * spread:
            K = _syrk(X, trans=0) if X.flags.f_contiguous else _syrk(X.T, trans=1)
            _ridge.center_kernel(K, X @ mean, mu)
            return K, True, 1.0 + n * mu / spread
    K = np.zeros((n, n), order="F")
    step, blocks = _col_steps(n, d)
    buf = np.empty((n, step), order="F")
    for cols in blocks:
        B = _fill(buf[:, : cols.stop - cols.start], X[:, cols],
                  None if mean is None else mean[cols])  # B = Xc[:, cols], F-contiguous
        K = _syrk(B, K, trans=0)  # K += B @ B.T
    return K, False, 1.0


def _xct_matmul(X, mean, A):
    """``Xc.T @ A`` (d, m) in float64, blocks of columns."""
    if _direct(X, mean):
        return X.T @ A
    n, d = X.shape
    out = np.empty((d, A.shape[1]))
    step, blocks = _col_steps(n, d)
    buf = np.empty((n, step), order="F")
    for cols in blocks:
        B = _fill(buf[:, : cols.stop - cols.start], X[:, cols],
                  None if mean is None else mean[cols])
        np.matmul(B.T, A, out=out[cols])
    return out


# --------------------------------------------------------------------------------------
# The decomposition
# --------------------------------------------------------------------------------------

class Spectral(LeaveOneOut):
    """One decomposition of a ridge problem, then every α by a diagonal rescaling.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Validated: C- or F-contiguous float32/float64, finite.  Never modified, never
        copied on the eigen route; there a reference is kept (``"gram"``: to
        back-transform coefficients; ``"cov"`` with ``loo``: to rebuild U's rows), so do
        not modify X while the object is in use.
    Y : ndarray of shape (n,) or (n, k)
        Validated, any dtype castable to float64.  1-D is treated as k = 1; every
        result keeps the k axis.
    fit_intercept : bool, default=False
        Centre X and Y by their column means; the intercept is unpenalized.
    method : {"auto", "svd", "eigen"}, default="auto"
        Which decomposition (see Notes).  ``"eigen"`` skips the accuracy check.
    loo : bool, default=True
        Keep what leave-one-out needs (the n×r basis ``U``, or on the ``"cov"`` route the
        means to recompute it from X, and the centred targets).  ``False`` keeps only the
        O(r·(d + k)) coefficient part.

    Attributes
    ----------
    method : {"svd", "cov", "gram"}
        The route that ran: thin SVD of Xc, eigen of ``XcᵀXc`` (d×d) or of ``XcXcᵀ`` (n×n).
    eigenvalues : ndarray of shape (r,), float64
        ``λ = s²`` kept, descending (all ``> 0``).
    rank : int
        ``r``.
    X_mean : ndarray of shape (d,), float64 (zeros without intercept)
    y_mean : ndarray of shape (k,), float64 (zeros without intercept)
    n_samples, n_features, n_targets : int
    dtype : numpy.dtype
        X's working dtype: ``coef``, ``path`` and ``intercept`` return it.

    Notes
    -----
    **Choice.**  ``"auto"`` decomposes the Gram matrix of the smaller side, in float64,
    with LAPACK ?syevd: ``XcᵀXc`` when ``n ≥ d + fit_intercept`` ("cov"), else ``XcXcᵀ``
    ("gram"; with an intercept its known null vector, the constant, is dropped).  Forming
    a Gram squares the condition number, so the result is accepted only when its own
    eigenvalues show it accurate enough, ``λ_min ≥ eigen_tolerance(dtype) · λ_max``
    (``κ(X) ≲ 400`` in float64; times the centring's growth factor, see Centring);
    otherwise the thin SVD of Xc (?gesdd, in the working dtype) is computed instead,
    wasting the Gram pass (≈ n·min(n,d)² flops, a third of the SVD's cost).  On either route directions with ``s ≤ max(n, d)·eps·s_max``
    (``λ ≤ max(n, d)·eps64·λ_max`` on the eigen route) are dropped, as in
    ``ridge(solver="svd")``, so α = 0 gives the pseudo-inverse solution.

    **Centring.**  Eigen route, never an n×d copy.  Where the means are small next to
    the spread (``n·x̄²/Σ(x − x̄)² ≤`` :func:`fastridge._policy.centring_limit`, per column on the "cov" side, summed
    over columns on the "gram" side) it is a subtraction after the uncentred product:
    ``XᵀX − n·x̄x̄ᵀ`` (in :func:`fastridge._ridge.gram_update`), ``XXᵀ`` double-centred
    by :func:`fastridge._ridge.center_kernel`, ``X V − 1x̄ᵀV``, ``Xᵀ(A − 1Āᵀ)``.  That
    multiplies the Gram matrix's rounding error by ``1 + max(n·x̄²/Σ(x − x̄)²)`` (1e12 for
    means of 1e6 around unit noise, hence the limit), which the accuracy test above
    takes into account.  Otherwise, or when the test needs it, blocks of X are centred
    exactly in a float64 buffer of about ``_BLOCK`` entries.  SVD route: ?gesdd destroys
    its input, so X is copied anyway; the copy is centred while it is made (SciPy's
    ?gesdd then overwrites it), or, without intercept, X goes to the compiled
    :func:`svd_factor` which copies it.

    **Memory** (besides the data): Gram route O(min(n,d)²) + O(r·(d + k)); the "gram"
    route keeps ``XcᵀU`` (d×r) once a path asks for many columns.  With ``loo=True``:
    ``Yc`` (n×k), plus ``U`` (n×r) on the "svd" and "gram" routes, where it comes out
    of the decomposition; the "cov" route keeps no n×r array and recomputes U's rows
    (one ``Xc V`` GEMM, 2·n·d·r flops) in each leave-one-out call.  Leave-one-out works
    on blocks of about ``_BLOCK`` entries of U and at most ``_CHUNK`` residuals and
    ``_CHUNK`` entries of the per-α spectral residual weights at a time.  No
    (n_alphas, n, d) tensor is ever formed.

    **Cost per α**: coefficients O(d·r·k) ("gram": O(r·(n + d)·k) unless ``XcᵀU`` is
    cached); leave-one-out O(n·r·(k + 1)), all α of a chunk in two GEMMs per block.
    """

    def __init__(self, X, Y, *, fit_intercept: bool = False, method: str = "auto",
                 loo: bool = True, sqrt_sw=None):
        if method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}; got {method!r}")
        n, d = X.shape
        Y2 = Y[:, None] if Y.ndim == 1 else Y  # Y2.shape = (n, k)
        k = Y2.shape[1]
        self.n_samples, self.n_features, self.n_targets = n, d, k
        self.dtype = X.dtype
        self.fit_intercept = bool(fit_intercept)
        self._lev0 = None  # the intercept's leverage when it is not 1/n (weights)
        n_pos = n
        if sqrt_sw is not None:
            X, Y2, n_pos = self._rescale(X, Y2, np.asarray(sqrt_sw, dtype=np.float64))
        elif self.fit_intercept:
            self.X_mean = X.mean(axis=0, dtype=np.float64)
            self.y_mean = Y2.mean(axis=0, dtype=np.float64)
            Yc = Y2 - self.y_mean  # Yc.shape = (n, k), float64
        else:
            self.X_mean = np.zeros(d)
            self.y_mean = np.zeros(k)
            Yc = Y2.astype(np.float64, copy=False)
        if sqrt_sw is not None:  # X, Y2 are the rescaled, centred copies
            Yc, mean = Y2, None
        else:
            mean = self.X_mean if self.fit_intercept else None
        # Rank of Xc is at most min(n − 1, d) with an intercept.
        self._max_rank = min(n_pos - self.fit_intercept, d)
        self._X, self._mean, self._W, self._Ugram = None, None, None, None
        self._shift_ok = False
        self._U = self._C = self._Yc = None
        done = False
        if method != "svd":
            side = "cov" if n >= d + self.fit_intercept else "gram"
            done = self._eigen(X, Yc, mean, side, method == "auto", loo)
        if not done:
            self._svd(X, Yc, mean, loo)

    # ---- construction ----------------------------------------------------------------

    def _rescale(self, X, Y2, sq):
        """Weighted problem as an unweighted one (scikit-learn's ``_RidgeGCV``): rows
        ``√s_i (x_i − x̄_s)``, ``√s_i (y_i − ȳ_s)`` in new float64 arrays, means weighted.

        Leave-one-out on them gives ``√s_i`` times the weighted problem's residuals; the
        unpenalised intercept's part of the hat matrix is ``√s√sᵀ / Σs`` (leverage
        ``s_i / Σs`` instead of ``1/n``).  Returns ``(Xw, Yw, number of positive weights)``.
        """
        w = sq * sq
        total = w.sum()
        n, d = X.shape
        if self.fit_intercept:
            self.X_mean = (w @ X) / total
            self.y_mean = (w @ Y2) / total
            self._lev0 = w / total
            Xw = X - self.X_mean
            Yw = Y2 - self.y_mean
        else:
            self.X_mean, self.y_mean = np.zeros(d), np.zeros(Y2.shape[1])
            Xw = np.array(X, dtype=np.float64)
            Yw = np.array(Y2, dtype=np.float64)
        Xw *= sq[:, None]
        Yw *= sq[:, None]
        self._partial = bool((w == 0).any())  # zero rows: no "full rank" shortcut
        return Xw, Yw, int(np.count_nonzero(w))

    def _eigen(self, X, Yc, mean, side, check, loo, exact=False) -> bool:
        n, d = X.shape
        with _blas_threads.serial():  # one big ?syrk/?gemm: threads lose on shared cores
            if side == "cov":
                G, XtY, shifted, growth = _cov_pass(X, mean, Yc, exact)
            else:
                G, shifted, growth = _gram_pass(X, mean, exact)
        if not np.isfinite(np.diagonal(G)).all():
            # X is finite (validated): its squares overflow float64.  The SVD route would
            # need λ = s², which overflows as well.
            raise overflow_error(np.float64)
        with _blas_threads.serial():  # ?syevd: hundreds of small calls
            lam, Q = sla.eigh(G, lower=False, driver="evd", overwrite_a=True,
                              check_finite=False)
        del G
        # LAPACK's order, ascending, is kept (Q's trailing columns are a view, no copy).
        # At most max_rank: with an intercept on the "gram" side the smallest eigenvalue
        # is the constant vector's exact zero.
        m = lam.shape[0]
        lam_max = float(lam[-1]) if m else 0.0
        lam_min = float(lam[m - self._max_rank]) if self._max_rank else lam_max
        tol = eigen_tolerance(self.dtype)
        if check and lam_max > 0:
            if not lam_min >= tol * lam_max:
                return False  # too ill-conditioned for a squared condition number
            if not lam_min >= tol * growth * lam_max:
                # accurate enough only if centred exactly: make the Gram matrix again so
                return self._eigen(X, Yc, mean, side, check, loo, exact=True)
        r = int(np.count_nonzero(_policy.kept(lam[m - self._max_rank:],
                                              _policy.spectral_cutoff(n, d, np.float64))))
        lam, Q = lam[m - r:].copy(), Q[:, m - r:]  # Q.shape = (m, r), F-ordered view
        self._lam = lam
        if side == "cov":
            self.method = "cov"
            self._P = Q  # V, (d, r)
            self._B = Q.T @ XtY  # VᵀXcᵀYc, (r, k)
            if loo:
                # U = Xc (V / s) is recomputed block by block when leave-one-out asks;
                # as X (V / s) − 1(x̄ᵀV / s) where the Gram matrix was centred by
                # subtraction too (means small next to the spread).
                s = np.sqrt(lam)
                self._X, self._mean, self._Vs = X, mean, Q / s
                self._shift_ok = shifted
                self._cs = mean @ self._Vs if self._shift_ok else None  # x̄ᵀV / s, (r,)
                self._set_loo(None, self._B / s[:, None], Yc)
        else:
            self.method = "gram"
            self._P = None
            self._shift_ok = shifted
            self._X, self._mean, self._Ugram = X, mean, Q  # w = XcᵀU (C / (λ + α))
            self._B = Q.T @ Yc  # C = UᵀYc, (r, k)
            if loo:
                self._set_loo(Q, self._B, Yc)
        return True

    def _svd(self, X, Yc, mean, loo):
        n, d = X.shape
        # centred in ?gesdd's own work copy of X (the mean rounded to X's dtype)
        with _blas_threads.serial():  # ?gesdd: level-2 bidiagonalisation
            U, s, Vt = svd_factor(X, xmean=None if mean is None else mean.astype(X.dtype))
        r = int(np.count_nonzero(_policy.kept(s, _policy.spectral_cutoff(n, d, X.dtype))))
        r = min(r, self._max_rank)
        s = s[:r].astype(np.float64)
        U = np.asarray(U[:, :r], dtype=np.float64)
        C = U.T @ Yc  # UᵀYc, (r, k)
        self.method = "svd"
        self._shift_ok = False
        with np.errstate(over="ignore"):
            self._lam = s * s
        if not np.isfinite(self._lam).all():
            raise overflow_error(np.float64)  # λ = s² is what every α is measured against
        self._P = np.ascontiguousarray(Vt[:r].T, dtype=np.float64)  # V, (d, r)
        self._B = s[:, None] * C  # s·UᵀYc = VᵀXcᵀYc, (r, k)
        if loo:
            self._set_loo(U, C, Yc)

    def _sizes(self):
        """``(_BLOCK, _CHUNK)`` of this module, read at call time (tests shrink them)."""
        return _BLOCK, _CHUNK

    @property
    def eigenvalues(self) -> np.ndarray:
        """``λ = s²`` kept, descending."""
        return np.sort(self._lam)[::-1]

    @property
    def rank(self) -> int:
        """``r``, the number of directions kept."""
        return int(self._lam.shape[0])

    # ---- coefficients ----------------------------------------------------------------

    def _back(self, M):
        """Coefficients (d, m) in float64 from spectral ones M (r, m): ``V M`` or ``XcᵀU M``.

        ``V M`` for many columns is split into column blocks, each on one BLAS thread, on
        Python threads (:func:`fastridge._blas_threads.map_serial`)."""
        if self._P is not None:
            P = self._P
            big = not _blas_threads.small(2.0 * P.shape[0] * P.shape[1] * M.shape[1])
            if not big:
                with _blas_threads.serial():
                    return P @ M
            out = np.empty((P.shape[0], M.shape[1]))
            edges = np.linspace(0, M.shape[1], _blas_threads.workers(M.shape[1]) + 1)
            cols = [slice(int(a), int(b)) for a, b in zip(edges[:-1], edges[1:]) if b > a]
            _blas_threads.map_serial(lambda c: np.matmul(P, M[:, c], out=out[:, c]), cols)
            return out
        if self._W is None and M.shape[1] >= self.rank:
            self._W = self._xct(self._Ugram)  # XcᵀU, (d, r)
        if self._W is not None:
            return self._W @ M
        return self._xct(self._Ugram @ M)

    def _xct(self, A):
        """``Xcᵀ A`` on the "gram" route: ``Xᵀ(A − 1Āᵀ)`` (one GEMM) where subtraction is safe."""
        if self._shift_ok:
            return self._X.T @ (A - A.mean(axis=0))
        return _xct_matmul(self._X, self._mean, A)

    def coef(self, alpha) -> np.ndarray:
        """Coefficients for one α, or one α per target.

        Parameters
        ----------
        alpha : float or array_like of shape (k,)
            ``α ≥ 0`` (not checked).

        Returns
        -------
        coef : ndarray of shape (d, k), working dtype
        """
        a = np.asarray(alpha, dtype=np.float64).reshape(-1)  # (1,) or (k,)
        lam = self._lam
        M = self._B / (lam[:, None] + a[None, :])  # M.shape = (r, k)
        return self._back(M).astype(self.dtype, copy=False)

    def path(self, alphas) -> np.ndarray:
        """Coefficients for every α in ``alphas`` (order kept).

        Returns
        -------
        coefs : ndarray of shape (n_alphas, d, k), C-contiguous, working dtype
        """
        a = np.asarray(alphas, dtype=np.float64).reshape(-1)
        r, k, d = self.rank, self.n_targets, self.n_features
        M = self._B[:, None, :] / (self._lam[:, None, None] + a[None, :, None])
        W = self._back(M.reshape(r, a.size * k))  # W.shape = (d, n_alphas * k)
        out = np.empty((a.size, d, k), dtype=self.dtype)
        out[...] = W.reshape(d, a.size, k).transpose(1, 0, 2)
        return out

    def intercept(self, coef) -> np.ndarray:
        """``ȳ − x̄ᵀw`` for coef (d, k) → (k,), or (n_alphas, d, k) → (n_alphas, k)."""
        coef = np.asarray(coef)
        return (self.y_mean - np.matmul(self.X_mean, coef)).astype(self.dtype, copy=False)
