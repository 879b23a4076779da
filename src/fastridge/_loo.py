"""Exact leave-one-out from one decomposition: the part of
:class:`fastridge._spectral.Spectral` that turns its eigenpairs into leave-one-out
residuals and their sums (docs/math.md §5).

With ``U`` (n, r) the left singular vectors of the (centred) data, ``λ`` (r,) its
eigenvalues and ``C = UᵀYc`` (r, k), for every α

    1 − H_ii(α) = base_i + Σ_j U_ij² g_j,     g = α/(λ + α)
    e_i(α)      = (Yc_i − Σ_j U_ij h_j C_j) / (1 − H_ii),     h = 1 − g

(``base_i = 1 − lev0_i − Σ_j U_ij²``, ``lev0_i`` the intercept's leverage: 1/n, or
``s_i/Σs`` with weights).  The host class provides ``_lam``, ``_U`` or the means to
rebuild U's rows (``_X``, ``_mean``, ``_Vs``, ``_shift_ok``, ``_cs``), ``_C``, ``_Yc``,
``_lev0``, ``fit_intercept``, ``n_samples``, ``n_features``, ``rank``, ``n_targets`` and
``_sizes()`` (its block and chunk sizes, in entries).
"""
from __future__ import annotations

import numpy as np

from . import _blas_threads, _cvkernels, _ridge

__all__ = ["LeaveOneOut"]

_NONE = np.empty(0)  # "absent" for the compiled drivers' optional arrays
_NO_ROWS = np.empty((0, 1))  # "Y = 0" for the compiled reduction


def _direct(X, mean):
    """True when X can be used as it is: no centring and already float64."""
    return mean is None and X.dtype == np.float64


def _fill(buf, Xblk, mean_blk):
    """buf = Xblk − mean_blk in float64 (mean_blk None: a plain cast/copy)."""
    if mean_blk is None:
        np.copyto(buf, Xblk)
    else:
        np.subtract(Xblk, mean_blk, out=buf)
    return buf


class _LooPlan:
    """Block sizes and per-α factors of one leave-one-out pass (:meth:`Spectral._loo_plan`)."""

    __slots__ = ("g", "fac", "fac_t", "C", "step", "stack", "per", "Z_all", "parallel",
                 "ranges")


class LeaveOneOut:
    """Leave-one-out residuals and errors for a decomposition (mixin; module docstring)."""

    def _set_loo(self, U, C, Yc):
        """Keep what leave-one-out needs: U (n, r) or the means to rebuild its rows, C = UᵀYc.

        Then, per row (see :meth:`_loo_blocks`), ``1 − H_ii(α) = base_i + Σ_j U_ij²
        α/(λ_j + α)`` with ``base = 1 − lev0_i − Σ_j U_ij²``: no α reintroduces the
        cancellation of ``1 − H_ii``.  When U spans everything the intercept leaves
        (r = n − fit_intercept, all weights positive) base and ``R0 = Yc − U C`` are
        exactly 0, and the residual is taken as ``U diag(α/(λ + α)) C`` — accurate however
        small; otherwise as ``Yc − U diag(λ/(λ + α)) C``, whose rounding (≈ eps·|Yc|) is
        that of forming R0 once.
        """
        n = Yc.shape[0]
        self._U, self._C, self._Yc = U, C, Yc
        self._full = (C.shape[0] == n - self.fit_intercept
                      and not getattr(self, "_partial", False))

    def _u_block(self, rows, xbuf, ubuf, u2buf, sbuf):
        """Rows ``rows`` of U (m, r), their squares U² and ``Σ_j U_ij²`` (m,), float64.

        U is stored ("svd", "gram") or rebuilt as ``Xc[rows] (V / s)`` ("cov") by one GEMM,
        on X's own rows where the centring may follow as a subtraction of ``x̄ᵀV / s``,
        else on the rows centred into ``xbuf``; then one compiled pass centres (if still
        needed), squares and sums.
        """
        m = rows.stop - rows.start
        if self._U is not None:
            Ub = self._U[rows]
            U2 = np.multiply(Ub, Ub, out=u2buf[:m])
            return Ub, U2, U2.sum(axis=1, out=sbuf[:m])
        if self._shift_ok:
            B, shift = self._X[rows], self._cs
        else:
            B = (self._X[rows] if _direct(self._X, self._mean)
                 else _fill(xbuf[:m], self._X[rows], self._mean))  # Xc[rows]
            shift = _NONE
        Ub = np.matmul(B, self._Vs, out=ubuf[:m])  # X is read once, no n×r array kept
        _ridge.center_square_rows(Ub, shift, u2buf[:m], sbuf[:m])
        return Ub, u2buf[:m], sbuf[:m]

    def _loo_plan(self, a):
        """Block sizes and per-α factors of :meth:`_loo_blocks` for the penalties ``a``."""
        if self._C is None:
            raise RuntimeError("Spectral was built with loo=False")
        n, d, r, k = self.n_samples, self.n_features, self.rank, self.n_targets
        _BLOCK, _CHUNK = self._sizes()
        p = _LooPlan()
        p.g = a[None, :] / (self._lam[:, None] + a[None, :])  # α/(λ + α), (r, n_alphas)
        p.fac = p.g if self._full else 1.0 - p.g  # what U's columns are scaled by
        p.fac_t = np.ascontiguousarray(p.fac.T)  # (n_alphas, r)
        # float64 even for float32 data: each residual is divided by 1 − H_ii, which is
        # small for high-leverage rows and would magnify float32 rounding of the products
        p.C = np.ascontiguousarray(self._C)
        width = max(r, k, 1) if self._U is not None else max(d, k, 1)
        rows_per_gemm = max(1, _CHUNK // max(r, k, 1))  # stacked rows c·m per product
        # rows per block: cache-sized buffers (_BLOCK), or as many as one stacked product
        # of every α holds when that is more (targets make the rows wide)
        p.step = max(1, min(n, max(_BLOCK // width, rows_per_gemm // a.size)))
        p.stack = k >= p.step  # scale U's rows (the smaller operand) rather than C's columns
        p.per = (max(1, min(a.size, rows_per_gemm // p.step)) if p.stack
                 else max(1, min(a.size, _CHUNK // max(p.step * k, r * k))))
        p.Z_all = None  # C's columns scaled by every α at once, when one chunk holds them
        if not p.stack and p.per == a.size:
            p.Z_all = (p.fac[:, :, None] * p.C[:, None, :]).reshape(r, a.size * k)
        # row ranges in parallel when the residual products are big (many targets × α);
        # a few targets (the tall one-target case: 70 ms) gain nothing from a second thread
        p.parallel = not _blas_threads.small(2.0 * n * r * a.size * k)
        blocks = -(-n // p.step)
        nw = _blas_threads.workers(blocks) if p.parallel else 1
        bounds = np.linspace(0, blocks, nw + 1).astype(int) * p.step
        p.ranges = [(lo, min(hi, n)) for lo, hi in zip(bounds[:-1], bounds[1:]) if lo < n]
        return p

    def _loo_blocks(self, p, span, work):
        """Yield ``(rows, slice of α, E (c, m, k), Yb, w (c·m,))`` over the rows
        ``span[0]:span[1]``: the leave-one-out residuals of those rows and α are
        ``(Yb − E[a]) · w[a]``, or ``E[a] · w[a]`` when ``Yb`` is None.

        ``e_i = (Yc_i − Σ_j U_ij h_j C_j) / (1 − H_ii)``, ``h = λ/(λ + α)`` — or, when U
        spans everything the intercept leaves (R0 = 0), ``e_i = Σ_j U_ij g_j C_j / (1 −
        H_ii)`` with ``g = 1 − h``, which keeps small residuals accurate (see
        :meth:`_set_loo`); ``1 − H_ii = base_i + Σ_j U_ij² g_j``.  Blocks of rows, so
        nothing of size n×r or n×n_alphas×k is formed: a block's U rows (recomputed from X
        on the cov route), their squares and the denominators live in ``work`` buffers of
        about ``_BLOCK`` entries.  A chunk of α comes from one GEMM applied to the smaller
        operand — U's rows scaled per α and stacked, (c·m, r) @ C (r, k), when k ≥ m, else
        C's columns, U (m, r) @ (r, c·k) — whose output, at most ``_CHUNK`` entries, is a
        ``work`` buffer overwritten by the next chunk.
        """
        n, d, r, k = self.n_samples, self.n_features, self.rank, self.n_targets
        step, na = p.step, p.g.shape[1]
        stored = self._U is not None
        xbuf = (None if stored or self._shift_ok or _direct(self._X, self._mean)
                else work.get("x", (step, d), np.float64))
        ubuf = None if stored else work.get("u", (step, r), np.float64)
        u2buf, sbuf = work.get("u2", (step, r), np.float64), work.get("s", (step,), np.float64)
        for start in range(span[0], span[1], step):
            rows = slice(start, min(start + step, span[1]))
            m = rows.stop - rows.start
            Ub, U2, sq = self._u_block(rows, xbuf, ubuf, u2buf, sbuf)  # (m, r), (m, r), (m,)
            if self._full:
                base, Yb = 0.0, None
            else:
                lev0 = self.fit_intercept / n if self._lev0 is None else self._lev0[rows]
                base = ((1.0 - lev0) - sq)[:, None]  # (m, 1)
                Yb = np.ascontiguousarray(self._Yc[rows])
            with np.errstate(divide="ignore"):
                inv = 1.0 / (U2 @ p.g + base)  # leverage 1 (α = 0, interpolation): inf
            for first in range(0, na, p.per):
                sl = slice(first, min(first + p.per, na))
                c = sl.stop - sl.start
                w = np.ascontiguousarray(inv[:, sl].T).reshape(-1)  # (c·m,)
                if p.stack:
                    Us = work.get("Us", (c, m, r), np.float64)
                    np.multiply(p.fac_t[sl][:, None, :], Ub[None], out=Us)
                    E = work.get("E", (c * m, k), np.float64)
                    np.matmul(Us.reshape(c * m, r), p.C, out=E)
                    E = E.reshape(c, m, k)
                else:
                    Z = (p.Z_all if p.Z_all is not None
                         else (p.fac[:, sl, None] * p.C[:, None, :]).reshape(r, c * k))
                    E = work.get("E", (m, c * k), np.float64)
                    np.matmul(Ub, Z, out=E)
                    E = E.reshape(m, c, k).transpose(1, 0, 2)  # (c, m, k) view
                yield rows, sl, E, Yb, w

    def loo_residual_blocks(self, alphas):
        """Yield ``(rows, slice of alphas, R)``: R (c, m, k) the leave-one-out residuals
        of those rows for those α, in a buffer that the next block overwrites."""
        a = np.asarray(alphas, dtype=np.float64).reshape(-1)
        p = self._loo_plan(a)
        work = _blas_threads.Work()
        for rows, sl, E, Yb, w in self._loo_blocks(p, (0, self.n_samples), work):
            c, m = E.shape[:2]
            R = work.get("R", E.shape, np.float64)
            if Yb is None:
                np.multiply(E, w.reshape(c, m, 1), out=R)
            else:
                np.subtract(Yb[None], E, out=R)
                R *= w.reshape(c, m, 1)
            yield rows, sl, R

    def loo_residuals(self, alphas) -> np.ndarray:
        """Exact leave-one-out residuals ``y_i − ŷ_(−i)`` for every α.

        Returns
        -------
        residuals : ndarray of shape (n_alphas, n, k), float64
            Squared, these are scikit-learn's ``RidgeCV(store_cv_results=True).cv_results_``
            (which is (n, k, n_alphas), or (n, n_alphas) for 1-D y).  Where α = 0 meets
            a sample of leverage 1 (e.g. wide data) the residual is undefined: inf or nan.
        """
        a = np.asarray(alphas, dtype=np.float64).reshape(-1)
        out = np.empty((a.size, self.n_samples, self.n_targets))
        with np.errstate(invalid="ignore", over="ignore"):
            for rows, sl, R in self.loo_residual_blocks(a):
                out[sl, rows] = R
        return out

    def loo_mse(self, alphas, per_target: bool = False) -> np.ndarray:
        """Exact leave-one-out mean squared error for every α.

        Parameters
        ----------
        alphas : array_like of shape (n_alphas,)
            ``α ≥ 0`` (not checked).
        per_target : bool, default=False
            ``True``: one MSE per target, shape (n_alphas, k) (for ``alpha_per_target``).
            ``False``: the mean over samples *and* targets, shape (n_alphas,) — minus
            scikit-learn's ``RidgeCV`` score without a scorer.

        Returns
        -------
        mse : ndarray of shape (n_alphas,) or (n_alphas, k), float64
        """
        a = np.asarray(alphas, dtype=np.float64).reshape(-1)
        out = self._loo_sse(a)
        out /= self.n_samples
        return out if per_target else out.mean(axis=1)

    def _loo_sse(self, a):
        """``Σ_i e_i(α)²`` per α and target, (n_alphas, k): each block of residuals
        (:meth:`_loo_blocks`) is divided, squared and summed by one compiled pass
        (:func:`fastridge._cvkernels.sq_sums`), never stored; row ranges run as
        independent tasks (:func:`fastridge._blas_threads.map_serial`)."""
        p = self._loo_plan(a)

        def task(span):  # its own buffers and sums
            out = np.zeros((a.size, self.n_targets))
            part = np.empty((a.size, self.n_targets))
            for _, sl, E, Yb, w in self._loo_blocks(p, span, _blas_threads.Work()):
                q = part[: sl.stop - sl.start]
                q[...] = 0.0
                with np.errstate(invalid="ignore", over="ignore"):
                    _cvkernels.sq_sums(E, _NO_ROWS if Yb is None else Yb, w, q)
                out[sl] += q
            return out

        return sum(_blas_threads.map_serial(task, p.ranges, p.parallel))
