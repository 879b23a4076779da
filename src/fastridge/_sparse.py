"""Ridge on ``scipy.sparse`` X without ever making a dense copy of X.

Three routes, each an entry of the solver registry (:data:`fastridge._solvers.SOLVERS`,
``sparse=True``):

- ``"primal"``: the d×d Gram matrix ``XcᵀSXc`` accumulated by a compiled loop over the
  pairs of nonzeros in each row (docs/math.md §1.1), then Cholesky with the rules of §8.
- ``"dual"``: the n×n kernel ``S^½XcXcᵀS^½`` from the same loop over the columns (§1.6),
  then Cholesky; ``w = Xcᵀ S^½ a``.
- ``"cg"``: Jacobi-preconditioned conjugate gradients on the implicit centred, weighted
  operator ``A = S^½(X − 1x̄ᵀ)`` (:class:`CentredOperator`, a ``LinearOperator``): on the
  d side ``(AᵀA + αI)w = AᵀS^½Yc`` when n >= d, otherwise on the n side
  ``(AAᵀ + αI)u = S^½Yc``, ``w = Aᵀu``.  Each product is one pass over X's rows (d side)
  or columns (n side, a CSC copy of X made once).  Iterative: accurate to ``tol``.

``solver="auto"`` follows :func:`fastridge._policy.sparse_plan`: the cheaper exact route
when it costs no more than a short conjugate-gradient run (or any α is 0), otherwise
conjugate gradients with a budget of half the exact route's cost, then the exact route
if that budget would not do; only conjugate gradients when neither Gram matrix fits
:data:`fastridge._policy.SPARSE_GRAM_LIMIT`.  When the exact route's Cholesky factor is
too ill-conditioned (§8), ``"auto"`` takes the eigendecomposition of the same Gram matrix
(``solver_`` ``"eigen-primal"``/``"eigen-dual"``), as the streamed statistics do (§10.4).

**Centring** (§7).  The exact routes centre by the rank-one correction
``XᵀSX − W x̄x̄ᵀ`` (double centring on the n×n side) for the columns where
:func:`fastridge._policy.centring_limit` allows it (``ρ² = x̄²/var ≤ eps^(-1/4)``); the
Cholesky condition estimate is divided by the growth ``1 + max ρ²`` of those columns
(§7.2, §8.1).  The other columns — in sparse data, nearly full columns far from zero —
are centred exactly on a provisional centre in dense row blocks of at most 2²⁰ entries
(:class:`_ExactColumns`), and their rows and columns of the Gram matrix (and their part
of every operator product) come from those blocks.  Streamed blocks
(``Ridge.partial_fit``, §10) use the stricter
:data:`fastridge._policy.UNTRACKED_CENTRING_LIMIT`, as the dense blocks do.

**Tolerance of the iterative route.**  A column stops when ``κ̂ · ‖r‖/‖b‖ ≤ tol``, both
norms in the preconditioner's metric and ``κ̂`` the condition number of the
preconditioned system estimated from the Lanczos coefficients the iteration already
has: up to that estimate, a bound on the relative error of the vector iterated on (the
coefficients on the d side; the dual vector ``u`` on the n side, whose error carries to
``w = Aᵀu`` at about the same relative size on well-conditioned data).  The default
:func:`fastridge._policy.iterative_tolerance` is ``sqrt(eps)``.

Peak extra memory: O(nnz + d²) on the primal route, O(nnz + n²) on the dual route,
O(nnz + (n + d)·k) for conjugate gradients (one converted copy of X's arrays when a
route needs the other orientation).  Everything here takes validated input
(:func:`fastridge._validation.check_sparse`).
"""
from __future__ import annotations

import math
import warnings

import numpy as np
from scipy.linalg import blas, eigvalsh_tridiagonal
from scipy.sparse.linalg import LinearOperator

from . import _csr, _policy
from ._validation import is_sparse

__all__ = ["ConvergenceWarning", "CentredOperator", "conjugate_gradients", "solve",
           "moments", "centred_primal", "centred_dual", "weighted_means"]

#: Entries of one dense scratch block (8 MiB of float64) where columns are centred exactly.
_BLOCK = 1 << 20


class ConvergenceWarning(UserWarning):
    """Conjugate gradients stopped at ``max_iter`` before reaching ``tol``."""


# -- the compiled loops, on CSR arrays read row by row -----------------------------------

class Rows:
    """CSR arrays walked row by row: X's own (``Rows.of(X)``) or Xᵀ's (X's CSC arrays,
    ``Rows.of(X, transpose=True)``)."""

    __slots__ = ("indptr", "indices", "data", "shape", "_canonical")

    def __init__(self, indptr, indices, data, shape, canonical=None):
        self.indptr, self.indices, self.data = indptr, indices, data
        self.shape = shape
        self._canonical = canonical

    @classmethod
    def of(cls, X, transpose: bool = False) -> "Rows":
        """The rows of X (its CSR arrays) or of Xᵀ (its CSC arrays); one converted copy
        of X when it is stored the other way."""
        M = convert(X, "csc" if transpose else "csr")
        return cls(M.indptr, M.indices, M.data, X.shape[::-1] if transpose else X.shape)

    @property
    def canonical(self) -> bool:
        """Columns strictly increasing within every row (the fast Gram loop)."""
        if self._canonical is None:
            self._canonical = _csr.check(self.shape[1], self.indptr,
                                         self.indices) == _csr.CANONICAL
        return self._canonical

    def slice(self, r0: int, r1: int) -> "Rows":
        """Rows ``r0 <= i < r1``, without a copy (indptr holds absolute offsets)."""
        return Rows(self.indptr[r0:r1 + 1], self.indices, self.data, (r1 - r0, self.shape[1]),
                    self._canonical)

    def gram(self, G, s=None) -> None:
        """``G += Σ s_i x_i x_iᵀ`` (upper triangle of the F-ordered float64 ``G``)."""
        _csr.gram(self.indptr, self.indices, self.data, s, self.canonical, G, 0,
                  self.shape[0])

    def gather(self, Z, shift=None, s=None):
        """``out[i] = s_i (x_iᵀZ − shift)``: X Z, (rows, k) float64."""
        out = np.empty((self.shape[0], Z.shape[1]))
        _csr.matmat(self.indptr, self.indices, self.data, Z, shift, s, out)
        return out

    def scatter(self, V, s=None):
        """``(Σ s_i x_i V[i], Σ s_i V[i])``: XᵀSV (cols, k) and SV's column sums (k,)."""
        Z = np.zeros((self.shape[1], V.shape[1]))
        vsum = np.zeros(V.shape[1])
        _csr.rmatmat(self.indptr, self.indices, self.data, s, V, Z, vsum)
        return Z, vsum

    def normal(self, P, s=None, shift=None):
        """``(Σ s_i x_i t_iᵀ, Σ s_i t_i)`` with ``t_i = x_iᵀP − shift``, in one pass."""
        Q = np.zeros((self.shape[1], P.shape[1]))
        tsum = np.zeros(P.shape[1])
        if _csr.normal(self.indptr, self.indices, self.data, s, shift, P, Q, tsum):
            raise MemoryError("could not allocate the conjugate-gradient scratch")
        return Q, tsum

    def sums(self, w=None, by_row=False):
        """Weighted sums and sums of squares per column (``by_row=False``, ``w`` by row)
        or per row (``w`` by column)."""
        m = self.shape[0] if by_row else self.shape[1]
        total, total_sq = np.zeros(m), np.zeros(m)
        _csr.sums(self.indptr, self.indices, self.data, w, by_row, total, total_sq)
        return total, total_sq


def convert(X, fmt: str):
    """Validated CSR/CSC X stored as ``fmt`` ("csr" or "csc"): X itself, or one copy
    made by the compiled two-pass transpose (:func:`fastridge._csr.transpose`, about
    twice as fast as scipy's one-pass scatter when the other dimension is large)."""
    if X.format == fmt:
        return X
    if X.format not in ("csr", "csc"):
        return X.asformat(fmt)
    outer, inner = X.shape if X.format == "csr" else X.shape[::-1]
    nnz = X.indptr[-1]
    it = X.indices.dtype
    shift = max(0, (inner // 200).bit_length())  # about 200 blocks of columns
    out_indptr, out_indices = np.empty(inner + 1, it), np.empty(nnz, it)
    out_data = np.empty(nnz, X.data.dtype)
    tmp = (np.empty(nnz, it), np.empty(nnz, it), np.empty(nnz, X.data.dtype))
    _csr.transpose(inner, X.indptr, X.indices[:nnz], X.data[:nnz], out_indptr, out_indices,
                   out_data, *tmp, np.empty(max(inner, (inner >> shift) + 1), it), shift)
    del tmp
    import scipy.sparse as sp
    array = isinstance(X, sp.sparray)
    cls = {("csr", True): sp.csr_array, ("csr", False): sp.csr_matrix,
           ("csc", True): sp.csc_array, ("csc", False): sp.csc_matrix}[fmt, array]
    return cls((out_data, out_indices, out_indptr), shape=X.shape, copy=False)


def _f64(a):
    return None if a is None else np.ascontiguousarray(a, dtype=np.float64)


def _dot(v, M):
    """``vᵀM`` (k,) for a vector v and a (len(v), k) block, without BLAS: in the
    iteration loops these are O(n·k) and a threaded BLAS call costs more to start than
    to run (and stalls on a busy machine)."""
    return np.einsum("i,ij->j", v, M)


def _rows(X):
    """Rows of X read the cheap way: ``(Rows, transposed)``."""
    return (Rows.of(X), False) if X.format == "csr" else (Rows.of(X, True), True)


def column_moments(X, s=None):
    """Per column ``(Σ s x, Σ s x²)`` in float64 (s None: 1), one pass over X."""
    rows, transposed = _rows(X)
    return rows.sums(s, by_row=transposed)


def weighted_means(X, y, sw):
    """``(x̄ (d,), ȳ (k,))`` float64 weighted means of sparse X and dense y."""
    s = _f64(sw)
    total = X.shape[0] if s is None else float(s.sum())
    xsum, _ = column_moments(X, s)
    Y = y.reshape(X.shape[0], -1)
    ysum = Y.sum(axis=0, dtype=np.float64) if s is None else s @ Y.astype(np.float64)
    return xsum / total, ysum / total


# -- the implicit centred, weighted operator -------------------------------------------------

class _ExactColumns:
    """Columns of sparse X centred exactly (docs/math.md §7.3): ``Z = X[:, cols] − c``
    on a provisional centre ``c`` (the mean rounded to X's dtype), formed in dense row
    blocks of at most 2²⁰ entries whenever a product needs them; ``off = x̄ − c`` is
    the small offset of the true mean.  Only columns whose ``ρ² = x̄²/var`` exceeds the
    centring limit come here, and those are nearly full (``ρ² > L`` needs more than a
    fraction ``L/(1 + L)`` of the entries of a column to be nonzero)."""

    def __init__(self, X, cols, c):
        self.cols = cols
        self.c = c
        self.XB = X[:, cols].tocsr()
        self.step = max(1, _BLOCK // max(1, cols.size))
        self.off = np.zeros(cols.size)

    def blocks(self, s=None):
        """Yield ``(r0, r1, Z, S Z)`` over row blocks."""
        n = self.XB.shape[0]
        for r0 in range(0, n, self.step):
            r1 = min(n, r0 + self.step)
            Z = self.XB[r0:r1].toarray().astype(np.float64) - self.c
            yield r0, r1, Z, Z if s is None else Z * s[r0:r1, None]

    def matmat(self, Zc):
        """``(X[:, cols] − 1x̄ᵀ) Zc`` (n, k) exactly."""
        out = np.empty((self.XB.shape[0], Zc.shape[1]))
        for r0, r1, Z, _ in self.blocks():
            out[r0:r1] = Z @ Zc
        out -= _dot(self.off, Zc)
        return out

    def matmat_rows(self, r0, r1, Zc):
        """Rows ``r0 <= i < r1`` of :meth:`matmat`."""
        Z = self.XB[r0:r1].toarray().astype(np.float64) - (self.c + self.off)
        return Z @ Zc

    def rmatmat(self, V):
        """``(X[:, cols] − 1x̄ᵀ)ᵀ V`` (|cols|, k) exactly."""
        out = np.zeros((self.cols.size, V.shape[1]))
        for r0, r1, Z, _ in self.blocks():
            out += Z.T @ V[r0:r1]
        out -= np.outer(self.off, V.sum(axis=0))
        return out


class CentredOperator(LinearOperator):
    """``A = S^½ (X − 1x̄ᵀ)`` (n×d) as a ``LinearOperator``, X never copied.

    ``A Z = S^½(X Z − 1(x̄ᵀZ))``, ``Aᵀ V = XᵀS^½V − x̄(1ᵀS^½V)`` (docs/math.md §7.1), and
    :meth:`normal` ``AᵀA P = XcᵀSXc P`` in one pass over CSR X.  X is validated sparse
    (CSR or CSC) or a dense C/F array; ``sw`` (n,) weights or None; ``center``: centre on
    the weighted means (``xmean``, float64).  Products are float64 (a dense float32 X
    computes in float32).

    The subtraction ``x̄ᵀZ`` costs a relative error of about ``eps·ρ`` per product
    (``ρ = |x̄|/sd`` per column, §7.2).  For sparse X the columns beyond
    :func:`fastridge._policy.centring_limit` are therefore split off and centred
    exactly (:class:`_ExactColumns`); the rest keep the copy-free path.
    """

    def __init__(self, X, sw=None, center=False, limit=None, orientation=None):
        super().__init__(np.float64, X.shape)
        self.s = _f64(sw)
        self.r = None if sw is None else np.sqrt(self.s)
        self.sparse = is_sparse(X)
        self.exact = None
        self.xmean = None
        self.growth = 1.0
        if self.sparse and orientation is not None:
            # "rows": X's CSR arrays (d-side products), "cols": its CSC arrays (n side)
            X = convert(X, "csr" if orientation == "rows" else "csc")  # O(nnz) if converted
        self.X = X
        if center:
            n = X.shape[0]
            self.weight = float(n) if self.s is None else float(self.s.sum())
            if self.sparse:
                xsum, sq = column_moments(X, self.s)
                self._colsq = sq
                self.xmean = xsum / self.weight
                if limit is None:
                    limit = _policy.centring_limit(np.float64)
                bad, self.growth = _bad_columns(xsum, sq, self.weight, limit)
                if bad.any():
                    cols = np.flatnonzero(bad)
                    self.exact = _ExactColumns(X, cols, self.xmean[cols].astype(X.dtype))
                    self.exact.off = self._exact_offset()
                    self.xmean[cols] = self.exact.c + self.exact.off
                    self.good = np.flatnonzero(~bad)
                    X = X[:, self.good]  # the copy-free part (a sparse copy, O(nnz))
            else:
                ones = np.ones(n, X.dtype) if self.s is None else self.s.astype(X.dtype)
                self.xmean = np.asarray(X.T @ ones, dtype=np.float64) / self.weight
        self.part = X  # what the compiled loops / BLAS read
        self._views = {}
        if self.sparse:
            self.rows, self.transposed = _rows(X)
            self._views[self.transposed] = self.rows

    @property
    def part_mean(self):
        """x̄ of the copy-free part's columns (None without centring)."""
        if self.xmean is None or self.exact is None:
            return self.xmean
        return self.xmean[self.good]

    def xbar_product(self):
        """``a = X_G x̄_G`` (n,) over the copy-free part (cached, with ``μ = x̄_Gᵀx̄_G``)."""
        if not hasattr(self, "_a"):
            self._a = self._part_matmat(self.part_mean[:, None], None)[:, 0]
            self._mu = float(self.part_mean @ self.part_mean)
        return self._a

    def view(self, transpose: bool) -> Rows:
        """The copy-free part's rows (``transpose=False``, CSR arrays) or its columns
        (CSC arrays), converted once when X is stored the other way (O(nnz))."""
        if transpose not in self._views:
            self._views[transpose] = Rows.of(self.part, transpose)
        return self._views[transpose]

    def _exact_offset(self):
        """``Σ s (x − c) / W`` for the exact columns: their mean's offset from ``c``."""
        total = np.zeros(self.exact.cols.size)
        for _, _, _, sZ in self.exact.blocks(self.s):
            total += sZ.sum(axis=0)
        return total / self.weight

    def _split(self, Z):
        if self.exact is None:
            return Z, None
        return np.ascontiguousarray(Z[self.good]), np.ascontiguousarray(Z[self.exact.cols])

    def _part_matmat(self, Z, xmean):
        """``X_part Z − 1(x̄ᵀZ)`` (unweighted), the copy-free part."""
        shift = None if xmean is None else _dot(xmean, Z)
        if self.sparse and not self.transposed:
            return self.rows.gather(Z, shift)
        if self.sparse:
            out, _ = self.rows.scatter(Z)                       # X Z over X's columns
        else:
            out = np.asarray(self.part @ Z.astype(self.part.dtype, copy=False),
                             dtype=np.float64)
        if shift is not None:
            out -= shift
        return out

    def _matmat(self, Z):
        Z = np.ascontiguousarray(np.reshape(Z, (self.shape[1], -1)), dtype=np.float64)
        if self.exact is None and self.sparse and not self.transposed:
            shift = None if self.xmean is None else _dot(self.xmean, Z)
            return self.rows.gather(Z, shift, self.r)           # S^½ (X Z − x̄ᵀZ)
        Zg, Zb = self._split(Z)
        xg = self.xmean if self.exact is None or self.xmean is None else self.xmean[self.good]
        out = self._part_matmat(Zg, xg)
        if Zb is not None:
            out += self.exact.matmat(Zb)
        if self.r is not None:
            out *= self.r[:, None]
        return out

    def _rmatmat(self, V):
        V = np.ascontiguousarray(np.reshape(V, (self.shape[0], -1)), dtype=np.float64)
        if self.sparse and not self.transposed:
            Zg, vsum = self.rows.scatter(V, self.r)             # XᵀS^½V, 1ᵀS^½V
            W = None
        else:
            W = V if self.r is None else V * self.r[:, None]
            vsum = W.sum(axis=0)
            if self.sparse:
                Zg = self.rows.gather(W)                        # XᵀW over X's columns
            else:
                Zg = np.asarray(self.part.T @ W.astype(self.part.dtype, copy=False),
                                dtype=np.float64)
        if self.xmean is not None:
            xg = self.xmean if self.exact is None else self.xmean[self.good]
            Zg -= np.outer(xg, vsum)
        if self.exact is None:
            return Zg
        if W is None:
            W = V if self.r is None else V * self.r[:, None]
        out = np.empty((self.shape[1], V.shape[1]))
        out[self.good] = Zg
        out[self.exact.cols] = self.exact.rmatmat(W)
        return out

    def row_block(self, r0: int, r1: int, Z):
        """Rows ``r0 <= i < r1`` of ``A Z = S^½(X Z − 1(x̄ᵀZ))``, (r1 − r0, k) float64,
        from X's rows (CSR arrays; converted once for CSC X) — what a blocked pass over
        the samples needs (e.g. the leave-one-out rows ``U = A V / s`` of §5.3)."""
        Z = np.ascontiguousarray(np.reshape(Z, (self.shape[1], -1)), dtype=np.float64)
        Zg, Zb = self._split(Z)
        xg = self.part_mean
        r = None if self.r is None else self.r[r0:r1]
        if self.sparse:
            out = self.view(False).slice(r0, r1).gather(Zg, None if xg is None else _dot(xg, Zg))
        else:
            out = np.asarray(self.part[r0:r1] @ Zg.astype(self.part.dtype, copy=False),
                             dtype=np.float64)
            if xg is not None:
                out -= _dot(xg, Zg)
        if Zb is not None:
            out += self.exact.matmat_rows(r0, r1, Zb)
        if r is not None:
            out *= r[:, None]
        return out

    def _matvec(self, v):
        return self._matmat(v).ravel()

    def _rmatvec(self, v):
        return self._rmatmat(v).ravel()

    def _adjoint(self):
        return _Adjoint(self)

    def normal(self, P):
        """``AᵀA P = XcᵀSXc P`` (d, k): one fused pass over X's rows (CSR arrays; the
        exact columns, if any, take the two products instead)."""
        P = np.ascontiguousarray(P, dtype=np.float64)
        if not self.sparse or self.exact is not None:
            return self._rmatmat(self._matmat(P))
        shift = None if self.xmean is None else _dot(self.xmean, P)
        Q, tsum = self.view(False).normal(P, self.s, shift)  # Σ s x (xᵀP − x̄ᵀP)
        if self.xmean is not None:
            Q -= np.outer(self.xmean, tsum)
        return Q

    def gram_normal(self, U):
        """``AAᵀ U`` (n, k), the n-side operator: one fused pass over X's columns (CSC
        arrays), ``XXᵀU`` double-centred as a vector: ``− a(1ᵀU) − 1(aᵀU) + μ(1ᵀU)``
        with ``a = X x̄``, ``μ = x̄ᵀx̄`` (docs/math.md §7.1)."""
        U = np.ascontiguousarray(np.reshape(U, (self.shape[0], -1)), dtype=np.float64)
        if not self.sparse:
            return self._matmat(self._rmatmat(U))
        W = U if self.r is None else U * self.r[:, None]     # S^½ U
        out, _ = self.view(True).normal(W)                    # X_G X_Gᵀ W
        if self.xmean is not None:
            a = self.xbar_product()                           # a = X_G x̄_G
            wsum = W.sum(axis=0)
            out -= np.outer(a, wsum)
            out -= _dot(a, W)
            out += self._mu * wsum
        if self.exact is not None:
            out += self.exact.matmat(self.exact.rmatmat(W))   # exact columns: Z Zᵀ W
        if self.r is not None:
            out *= self.r[:, None]
        return out

    def normal_diagonal(self):
        """``diag(AᵀA)``: ``Σ s x_j² − W x̄_j²`` (clipped at 0; it only preconditions)."""
        if not self.sparse:  # dense X: Σ s (x − x̄)² over blocks of rows, no cancellation
            n, d = self.shape
            sq = np.zeros(d)
            step = max(1, _BLOCK // d)
            for r0 in range(0, n, step):
                B = np.asarray(self.X[r0:r0 + step], dtype=np.float64)
                if self.xmean is not None:
                    B = B - self.xmean
                sq += np.einsum("ij,ij->j", B, B if self.s is None else
                                B * self.s[r0:r0 + step, None])
            return sq
        sq = self._colsq if hasattr(self, "_colsq") else column_moments(self.X, self.s)[1]
        if self.xmean is not None:
            sq = sq - self.weight * self.xmean ** 2
            if self.exact is not None:  # those columns from their exact blocks
                exact = np.zeros(self.exact.cols.size)
                for _, _, Z, sZ in self.exact.blocks(self.s):
                    exact += np.einsum("ij,ij->j", Z, sZ)
                off = self.exact.off
                sq[self.exact.cols] = exact - self.weight * off * off  # Σ s(z − off)²
        return np.maximum(sq, 0.0)

    def gram_diagonal(self):
        """``diag(AAᵀ)``: ``s_i ‖x_i − x̄‖²`` (clipped at 0; it only preconditions)."""
        if not self.sparse:  # dense X: ‖x_i − x̄‖² over blocks of rows, no cancellation
            n, d = self.shape
            sq = np.empty(n)
            step = max(1, _BLOCK // d)
            for r0 in range(0, n, step):
                B = np.asarray(self.X[r0:r0 + step], dtype=np.float64)
                if self.xmean is not None:
                    B = B - self.xmean
                sq[r0:r0 + step] = np.einsum("ij,ij->i", B, B)
            return sq if self.s is None else sq * self.s
        _, sq = self.rows.sums(None, by_row=not self.transposed)
        if self.xmean is not None:
            xg = self.part_mean
            sq = sq - 2.0 * self.xbar_product() + xg @ xg           # ‖x_G − x̄_G‖²
            if self.exact is not None:
                for r0, r1, Z, _ in self.exact.blocks():
                    Z -= self.exact.off
                    sq[r0:r1] += np.einsum("ij,ij->i", Z, Z)       # + ‖x_B − x̄_B‖²
        if self.s is not None:
            sq = sq * self.s
        return np.maximum(sq, 0.0)


class _Adjoint(LinearOperator):
    def __init__(self, op):
        super().__init__(np.float64, op.shape[::-1])
        self.op = op

    def _matmat(self, V):
        return self.op._rmatmat(V)

    def _rmatmat(self, Z):
        return self.op._matmat(Z)

    def _matvec(self, v):
        return self.op._rmatvec(v)

    def _rmatvec(self, v):
        return self.op._matvec(v)


# -- conjugate gradients ---------------------------------------------------------------------

def _ritz_condition(a, b):
    """``λ_max/λ_min`` of the Lanczos tridiagonal matrix of CG step sizes ``a`` and
    ratios ``b`` (the preconditioned operator's condition number, from inside)."""
    a = np.asarray(a)
    b = np.asarray(b)
    if a.size == 1:
        return 1.0
    diag = 1.0 / a
    diag[1:] += b[:-1] / a[:-1]
    off = np.sqrt(b[:-1]) / a[:-1]
    j = a.size - 1
    lo = eigvalsh_tridiagonal(diag, off, select="i", select_range=(0, 0))[0]
    hi = eigvalsh_tridiagonal(diag, off, select="i", select_range=(j, j))[0]
    return hi / lo if lo > 0 else math.inf


def conjugate_gradients(apply, B, alphas, diag, tol, max_iter, budget=None, null=None):
    """Solve ``(A + α_c I) x_c = b_c`` for every column c of B, preconditioned by
    ``M = diag(A) + α`` (Jacobi).

    ``null`` (m,), a unit vector with ``A·null = 0`` and ``bᵀnull = 0`` (the n side with
    an intercept: ``S^½1``): the preconditioner is projected off it, ``P M⁻¹ P`` with
    ``P = I − null nullᵀ``, so that the iteration stays in the subspace the solution
    lives in (a plain diagonal preconditioner would mix that direction in, whose
    eigenvalue is only α).

    ``apply(P)`` returns ``A P`` for an (m, j) block of columns; ``alphas`` (k,), ``diag``
    (m,) float64.  A column stops when ``κ̂ ‖r‖/‖b‖ ≤ tol`` (norms in ``M⁻¹``, ``κ̂`` its
    Lanczos estimate), or when ``A + αI`` shows it is not positive definite.  ``budget``:
    give up (``aborted``) once the iterations reach it, or as soon as the worst column's
    rate over the last 10 iterations says it would not finish within it.

    Returns ``(X (m, k), info)`` with ``info = {"n_iter", "error" (k,) estimates (inf
    where not reached), "converged", "aborted"}``.
    """
    m, k = B.shape
    M = diag[:, None] + alphas[None, :]
    Minv = np.where(M > 0, 1.0 / np.where(M > 0, M, 1.0), 1.0)  # Minv.shape = (m, k)

    def precondition(Rc, cols):
        Zc = Minv[:, cols] * Rc                                 # z = M⁻¹ r
        if null is not None:
            Zc -= np.outer(null, _dot(null, Zc))                # z = P M⁻¹ r
        return Zc

    X = np.zeros((m, k))
    R = B.copy()
    Z = precondition(R, slice(None))
    P = Z.copy()
    rz = np.einsum("ij,ij->j", R, Z)
    bnorm = np.sqrt(rz)
    error = np.where(bnorm > 0, np.inf, 0.0)
    active = bnorm > 0
    steps = [[] for _ in range(k)]
    ratios = [[] for _ in range(k)]
    worst = []
    it, aborted = 0, False
    while active.any() and it < max_iter:
        if budget is not None and it >= budget:
            aborted = True
            break
        idx = np.flatnonzero(active)
        Pa = P[:, idx]
        Q = apply(Pa) + alphas[idx] * Pa                       # (A + αI) p
        pq = np.einsum("ij,ij->j", Pa, Q)
        ok = pq > 0                                            # else: not positive definite
        a = np.where(ok, rz[idx] / np.where(ok, pq, 1.0), 0.0)
        X[:, idx] += a * Pa
        R[:, idx] -= a * Q
        Zi = precondition(R[:, idx], idx)
        rz_new = np.einsum("ij,ij->j", R[:, idx], Zi)
        beta = rz_new / np.where(rz[idx] > 0, rz[idx], 1.0)
        P[:, idx] = Zi + beta * Pa
        rz[idx] = rz_new
        it += 1
        relres = np.sqrt(np.maximum(rz_new, 0.0)) / bnorm[idx]
        for pos, c in enumerate(idx):
            if not ok[pos]:
                active[c] = False
                continue
            steps[c].append(a[pos])
            ratios[c].append(beta[pos])
            if relres[pos] <= tol:  # κ̂ >= 1: only then can the estimate pass
                est = _ritz_condition(steps[c], ratios[c]) * relres[pos]
                if est <= tol or rz_new[pos] == 0:
                    error[c] = est
                    active[c] = False
        if budget is not None and active.any():
            worst.append(relres[active[idx]].max())
            if len(worst) > 10:
                rate = (worst[-1] / worst[-11]) ** 0.1 if worst[-11] > 0 else 1.0
                left = math.log(tol / worst[-1]) / math.log(rate) if rate < 1 else math.inf
                if it + left > budget:
                    aborted = True
                    break
    for c in np.flatnonzero(active):  # not converged: report where it stands
        rel = math.sqrt(max(rz[c], 0.0)) / bnorm[c]
        error[c] = _ritz_condition(steps[c], ratios[c]) * rel if steps[c] else math.inf
    return X, {"n_iter": it, "error": error, "converged": not active.any() and
               np.isfinite(error).all(), "aborted": aborted}


def warn_not_converged(info, tol, stacklevel):
    """The one warning of conjugate gradients that stopped before ``tol``."""
    warnings.warn(
        f"conjugate gradients stopped after {info['n_iter']} iterations with an "
        f"estimated relative error of {np.max(info['error']):.3g} > tol={tol:g}; raise "
        f"max_iter, loosen tol, or use an exact solver ('primal', 'dual')",
        ConvergenceWarning, stacklevel=stacklevel)


def _cg_solve(X, Y, alphas, sw, fit_intercept, side, tol, max_iter, budget):
    """Conjugate gradients on ``side``; ``(coef (d, k) float64, intercept | None, info)``."""
    op = CentredOperator(X, sw, center=fit_intercept,
                         orientation="rows" if side == "primal" else "cols")
    Y = np.asarray(Y, dtype=np.float64)
    ymean = None
    if fit_intercept:
        ymean = (Y.sum(axis=0) if op.s is None else op.s @ Y) / op.weight
        Y = Y - ymean
    if op.r is not None:
        Y = Y * op.r[:, None]                                  # S^½ Yc
    if side == "primal":
        B = op._rmatmat(Y)                                     # AᵀS^½Yc = XcᵀSYc
        coef, info = conjugate_gradients(op.normal, B, alphas, op.normal_diagonal(), tol,
                                         max_iter, budget)
    else:
        null = None
        if fit_intercept:  # A S^½1 = 0 and 1ᵀ S Yc = 0: keep the iterates off S^½1
            null = np.ones(X.shape[0]) if op.r is None else op.r.copy()
            null /= np.linalg.norm(null)
        U, info = conjugate_gradients(op.gram_normal, Y, alphas, op.gram_diagonal(), tol,
                                      max_iter, budget, null)
        coef = op._rmatmat(U)                                  # w = Aᵀu
    info["side"] = side
    intercept = None if ymean is None else ymean - op.xmean @ coef
    return coef, intercept, info


# -- the exact routes: Gram matrices over the nonzeros ---------------------------------------

def _bad_columns(xsum, sq, total, limit):
    """``(bad, growth)``: columns whose ``ρ² = x̄²/var`` exceeds ``limit`` (centred
    exactly), and ``1 + max ρ²`` over the others (centred by subtraction)."""
    xbar = xsum / total
    var = sq / total - xbar * xbar
    with np.errstate(divide="ignore", invalid="ignore"):
        rho2 = np.where(xbar == 0, 0.0, xbar * xbar / np.where(var > 0, var, 0.0))
    bad = ~(rho2 <= limit)
    good = rho2[~bad]
    return bad, 1.0 + (float(good.max()) if good.size else 0.0)


def moments(X, Y, sw, limit):
    """Centred weighted moments of sparse X and dense Y (docs/math.md §10.1).

    Returns a dict: ``weight`` W, ``xorigin``/``xoffset`` (x̄ = origin + offset: origin 0
    for the columns centred by subtraction, a provisional centre for the others),
    ``yorigin``/``yoffset``, ``C`` (d, d) F-ordered full symmetric
    ``Σ s(x − x̄)(x − x̄)ᵀ``, ``B`` (d, k) ``Σ s(x − x̄)(y − ȳ)ᵀ``, ``yy`` (k,)
    ``Σ s(y − ȳ)²`` and ``growth`` (the error growth of the subtraction, ≤ 1 + limit).

    Columns with ``ρ² ≤ limit`` are centred by ``XᵀSX − W x̄x̄ᵀ``; the others exactly, by
    dense blocks of ``X[:, bad] − c`` (docs/math.md §7).
    """
    n, d = X.shape
    s = _f64(sw)
    total = float(n) if s is None else float(s.sum())
    rows = Rows.of(X)  # CSR (a converted copy for CSC X)
    xsum, sq = rows.sums(s)
    bad, growth = _bad_columns(xsum, sq, total, limit)
    G = np.zeros((d, d), order="F")
    rows.gram(G, s)                                                  # XᵀSX (upper)
    xorigin = np.zeros(d)
    xoffset = xsum / total
    Y2 = Y.reshape(n, -1)
    yorigin = (Y2.mean(axis=0, dtype=np.float64) if s is None
               else s @ Y2.astype(np.float64) / total).astype(Y.dtype).astype(np.float64)
    Yc = Y2 - yorigin                                                # Yc.shape = (n, k)
    yoffset = (Yc.sum(axis=0) if s is None else s @ Yc) / total
    Yc -= yoffset                                                    # y − ȳ
    cols = np.flatnonzero(bad)
    if cols.size:
        exact = _ExactColumns(X, cols, xoffset[cols].astype(X.dtype))  # c: provisional
        xorigin[cols] = exact.c
        XZ = np.zeros((d, cols.size))                                # XᵀSZ
        ZZ = np.zeros((cols.size, cols.size))                        # ZᵀSZ
        ZY = np.zeros((cols.size, Yc.shape[1]))                      # ZᵀSYc
        zsum = np.zeros(cols.size)
        for r0, r1, Z, sZ in exact.blocks(s):
            XZ += rows.slice(r0, r1).scatter(np.ascontiguousarray(sZ))[0]
            ZZ += Z.T @ sZ
            ZY += sZ.T @ Yc[r0:r1]
            zsum += sZ.sum(axis=0)
        xoffset[cols] = zsum / total                                 # x̄ = c + Σ s(x − c)/W
    xmean = xorigin + xoffset
    blas.dsyr(-total, xmean, a=G, lower=0, overwrite_a=1)            # C = XᵀSX − W x̄x̄ᵀ
    mirror_upper(G)
    sYc = Yc if s is None else Yc * s[:, None]
    R, ysum = rows.scatter(np.ascontiguousarray(sYc))                # XᵀSYc, 1ᵀSYc (≈ 0)
    R -= np.outer(xmean, ysum)                                       # B = XcᵀSYc
    if cols.size:
        off = xoffset[cols]
        E = XZ - total * np.outer(xmean, off)                        # Σ s(x − x̄)(x_B − x̄_B)ᵀ
        E[cols] = ZZ - total * np.outer(off, off)
        G[:, cols] = E
        G[cols, :] = E.T
        R[cols] = ZY - np.outer(off, ysum)
    yy = (Yc * sYc).sum(axis=0)
    return {"weight": total, "xorigin": xorigin, "xoffset": xoffset, "yorigin": yorigin,
            "yoffset": yoffset, "C": G, "B": R, "yy": yy, "growth": growth}


_TILE = 256  # columns per slab when a square matrix is swept in place


def mirror_upper(G) -> None:
    """Copy the upper triangle of square ``G`` into its lower triangle, in place, one
    slab of columns at a time (no index arrays the size of G)."""
    d = G.shape[0]
    for j0 in range(0, d, _TILE):
        j1 = min(d, j0 + _TILE)
        G[j1:, j0:j1] = G[j0:j1, j1:].T                              # below the slab
        D = G[j0:j1, j0:j1]
        il = np.tril_indices(j1 - j0, -1)
        D[il] = D.T[il]                                              # inside it


def lower_to_upper(G) -> None:
    """Copy the strict lower triangle of square ``G`` into its upper triangle, in place."""
    d = G.shape[0]
    for j0 in range(0, d, _TILE):
        j1 = min(d, j0 + _TILE)
        G[j0:j1, j1:] = G[j1:, j0:j1].T
        D = G[j0:j1, j0:j1]
        iu = np.triu_indices(j1 - j0, 1)
        D[iu] = D.T[iu]


def norm1(G) -> float:
    """``max_j Σ_i |G_ij|`` of a square matrix, a slab of columns at a time."""
    d = G.shape[0]
    return max(float(np.abs(G[:, j0:j0 + _TILE]).sum(axis=0).max())
               for j0 in range(0, d, _TILE))


def centred_primal(X, Y, sw, fit_intercept):
    """``(G (d, d), R (d, k), x̄, ȳ, growth)``: the d×d system of ridge on sparse X.

    With the intercept ``G = XcᵀSXc``, ``R = XcᵀSYc`` (:func:`moments` with
    :func:`fastridge._policy.centring_limit` of float64, the dtype G is formed in);
    without, ``XᵀSX`` and ``XᵀSY`` (sums of products, nothing cancels).
    """
    if fit_intercept:
        m = moments(X, Y, sw, _policy.centring_limit(np.float64))
        return (m["C"], m["B"], m["xorigin"] + m["xoffset"], m["yorigin"] + m["yoffset"],
                m["growth"])
    n, d = X.shape
    s = _f64(sw)
    rows = Rows.of(X)
    G = np.zeros((d, d), order="F")
    rows.gram(G, s)
    mirror_upper(G)
    R, _ = rows.scatter(np.ascontiguousarray(Y.reshape(n, -1), dtype=np.float64), s)
    return G, R, None, None, 1.0


def centred_dual(X, Y, sw, fit_intercept):
    """``(K (n, n), V (n, k), op, ȳ, growth)``: ``K = AAᵀ = S^½XcXcᵀS^½``, ``V = S^½Yc``
    and the :class:`CentredOperator` ``A`` that maps the dual solution back (``w = Aᵀa``).

    Double centring ``XXᵀ − a1ᵀ − 1aᵀ + μ11ᵀ`` (``a = X x̄``, ``μ = x̄ᵀx̄``, docs/math.md
    §7.1) over the columns :func:`fastridge._policy.centring_limit` allows; the others
    are added exactly as ``ZZᵀ``, ``Z = X[:, bad] − x̄`` in dense blocks of at most 2²⁰
    entries (?syrk).  The growth is ``1 + max ρ²`` over the subtracted columns.
    """
    n, d = X.shape
    op = CentredOperator(X, sw, center=fit_intercept, orientation="cols")
    V = np.array(Y.reshape(n, -1), dtype=np.float64)
    K = np.zeros((n, n), order="F")
    growth, ymean = 1.0, None
    if not fit_intercept:
        op.view(True).gram(K)                                        # XXᵀ (upper)
    else:
        ymean = (V.sum(axis=0) if op.s is None else op.s @ V) / op.weight
        V -= ymean
        growth = op.growth
        xg = op.part_mean                                            # the subtracted columns
        op.view(True).gram(K)                                        # X_G X_Gᵀ (upper)
        a = op.xbar_product()                                        # a = X_G x̄_G
        K -= a[:, None]
        K -= a[None, :]
        K += xg @ xg                                                 # double centring
        if op.exact is not None:
            Xb = op.exact.XB.tocsc()
            xb = op.xmean[op.exact.cols]
            step = max(1, _BLOCK // n)
            for c0 in range(0, xb.size, step):
                c1 = min(xb.size, c0 + step)
                Z = np.asfortranarray(Xb[:, c0:c1].toarray(), dtype=np.float64)
                Z -= xb[c0:c1]                                       # exact centring
                K = blas.dsyrk(1.0, Z, beta=1.0, c=K, lower=0, overwrite_c=1)  # K += ZZᵀ
    mirror_upper(K)
    if op.r is not None:
        K *= op.r[:, None]
        K *= op.r[None, :]
        V *= op.r[:, None]
    return K, V, op, ymean, growth


# -- the entry point ---------------------------------------------------------------------------

def _pairs(counts):
    counts = counts.astype(np.float64)
    return float((counts * (counts + 1.0)).sum() / 2.0)


def plan(X, k, alphas):
    """:func:`fastridge._policy.sparse_plan` for sparse X (pairs counted from its
    index arrays, for the sides whose Gram matrix may be formed at all)."""
    n, d = X.shape
    fits = {m: m * m <= _policy.SPARSE_GRAM_LIMIT for m in (n, d)}
    major = np.diff(X.indptr)
    outer, inner = (n, d) if X.format == "csr" else (d, n)

    def pairs(m, own):
        if not fits[m]:
            return math.inf
        return _pairs(major if own else np.bincount(X.indices, minlength=inner))

    return _policy.sparse_plan(n, d, X.nnz, pairs(n, X.format == "csr"),
                               pairs(d, X.format == "csc"), k, bool((alphas == 0).any()))


def _exact(X, Y, alphas, sw, fit_intercept, route, auto, dtype):
    """The primal or dual Gram route; ``(coef (d, k), intercept (k,) | None, ran)``."""
    from ._solvers import solve_gram  # the registry module imports this one

    n, d = X.shape
    if route == "primal":
        G, R, xmean, ymean, growth = centred_primal(X, Y, sw, fit_intercept)
        coef, ran = solve_gram(G, R, alphas, "auto" if auto else "primal", dtype, n,
                               growth=growth, overwrite=True)
    else:
        K, V, op, ymean, growth = centred_dual(X, Y, sw, fit_intercept)
        a, ran = solve_gram(K, V, alphas, "auto" if auto else "dual", dtype, n,
                            growth=growth, overwrite=True, which="dual")
        del K
        coef = op._rmatmat(a)                                        # w = Xcᵀ S^½ a
        xmean = op.xmean
    ran = route if ran != "svd" else f"eigen-{route}"  # auto's fallback: eigh of the Gram
    intercept = None if xmean is None else ymean - xmean @ coef
    return coef, intercept, ran


def solve(X, y, alphas, sw, solver, fit_intercept, *, tol=None, max_iter=None,
          report=None):
    """Ridge on validated sparse X: ``(coef (d, k) float64, intercept (k,) | None, ran)``.

    ``solver`` is a sparse-capable registry name (``"auto"``, ``"primal"``, ``"dual"``,
    ``"cg"``); ``alphas`` float64 (k,) or (1,); ``tol`` and ``max_iter`` steer
    conjugate gradients (defaults :func:`fastridge._policy.iterative_tolerance` and
    ``10 · (system order)``).  ``report`` (a dict, optional) receives the iteration
    count and error estimate when conjugate gradients ran.
    """
    n, d = X.shape
    Y = y.reshape(n, -1)
    k = Y.shape[1]
    alphas = np.broadcast_to(np.asarray(alphas, np.float64), (k,)).copy()
    if tol is None:
        tol = _policy.iterative_tolerance(X.dtype)
    if solver in ("primal", "dual"):
        return _exact(X, Y, alphas, sw, fit_intercept, solver, False, X.dtype)
    if solver == "auto":
        exact, side, budget = plan(X, k, alphas)
        if budget == 0:
            return _exact(X, Y, alphas, sw, fit_intercept, exact, True, X.dtype)
    else:
        exact, side, budget = None, "primal" if n >= d else "dual", None
    if max_iter is None:
        max_iter = 10 * (d if side == "primal" else n)
    coef, intercept, info = _cg_solve(X, Y, alphas, sw, fit_intercept, side, tol, max_iter,
                                      budget)
    if info["aborted"] and exact is not None:
        return _exact(X, Y, alphas, sw, fit_intercept, exact, True, X.dtype)
    if report is not None:
        report.update(info)
    if not info["converged"]:
        warn_not_converged(info, tol, stacklevel=4)
    return coef, intercept, "cg"
