"""numba versions of what fastridge computes: the peers a user would otherwise write.

Used by the benchmarks in this directory only (``from peers import ...``: pytest puts
``benchmarks/`` on ``sys.path``); it is not part of the installed package.  Importing it
needs numba (the ``bench`` extra) and compiles nothing until first call.
"""
import numba
import numpy as np


@numba.njit(cache=False)
def ridge_normal_equations(X, y, alpha):
    """Solve ``(XᵀX + αI) w = Xᵀy`` (SPEC §1 view 1) the way numba users write it."""
    G = X.T @ X
    for i in range(G.shape[0]):
        G[i, i] += alpha
    return np.linalg.solve(G, X.T @ y)


@numba.njit(cache=False)
def relu_sgd_epoch(x, y, W1, b, W2, lr):
    """One in-order epoch of SPEC §2's per-sample SGD, updating W1, b, W2 in place.

    Returns the epoch's mean of ½(f(x) − y)², each measured before that sample's step.
    """
    d = W1.shape[0]
    total = 0.0
    for k in range(x.shape[0]):
        xs = x[k]
        f = 0.0
        for i in range(d):
            z = W1[i] * xs + b[i]
            if z > 0:
                f += W2[i] * z
        delta = f - y[k]
        total += 0.5 * delta * delta
        c = lr * delta
        for i in range(d):
            z = W1[i] * xs + b[i]
            if z > 0:
                g = c * W2[i]
                W2[i] -= c * z
                b[i] -= g
                W1[i] -= g * xs
    return total / x.shape[0]


def relu_sgd(x, y, W1, b, W2, lr, epochs):
    """``epochs`` in-order epochs on copies of the parameters: ``(W1, b, W2, loss)``."""
    W1, b, W2 = W1.copy(), b.copy(), W2.copy()
    loss = np.array([relu_sgd_epoch(x, y, W1, b, W2, lr) for _ in range(epochs)])
    return W1, b, W2, loss


@numba.njit(parallel=True, cache=False)
def relu_sgd_many(x, y, W1, b, W2, lr, epochs):
    """``epochs`` in-order epochs of m independent networks, in parallel over networks.

    ``W1, b, W2`` of shape (m, d) are updated in place (row i: network i, learning rate
    ``lr[i]``), each by :func:`relu_sgd_epoch`; numba's ``prange`` spreads the networks
    over its threads (``NUMBA_NUM_THREADS``, default: every core).  Returns the (m,
    epochs) epoch losses.
    """
    m = W1.shape[0]
    loss = np.empty((m, epochs))
    for i in numba.prange(m):
        for e in range(epochs):
            loss[i, e] = relu_sgd_epoch(x, y, W1[i], b[i], W2[i], lr[i])
    return loss

