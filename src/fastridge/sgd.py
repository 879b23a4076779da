"""Per-sample SGD for a one-input ReLU network, and its elbows (SPEC §2).

The model is ``f(x) = Σ_i W2_i · relu(W1_i · x + b_i)`` with ``d`` hidden units and no
output bias, trained on ``½ (f(x) − y)²`` one sample at a time.  Unit ``i`` switches on
at its *elbow* ``e_i = −b_i / W1_i``; :func:`relu_sgd` can record how the elbows move.

The step loop is compiled (``csrc/relu_sgd.c`` behind ``fastridge._sgd``) and checked
against the plain NumPy loop of :func:`fastridge.reference.relu_sgd`.
"""
from __future__ import annotations

import numbers
import os
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from . import _sgd
from ._base import RegressorBase
from ._validation import as_float_array, check_scalar

__all__ = ["relu_sgd", "elbows", "elbow_after_step", "ReLURegressor", "SGDResult",
           "init_network", "train_relu", "Training"]

# Sample orders (int64) drawn ahead of one compiled call when shuffling: at most this many
# entries (64 MB), so that many short epochs still run under one nogil call.
_ORDER_BUDGET = 1 << 23

# Work (steps × (d + 32), about one nanosecond each) between two checks for Ctrl-C inside
# the compiled loop: ≈ 25 ms on a 2020s x86-64 core, for any d.
_CHUNK_WORK = 1 << 25

# Code variants of the compiled loop, for tests: "baseline" (x86-64 SSE2 vectors, or the
# plain C loop elsewhere), "avx2" (AVX2 + FMA), "avx512" (AVX-512F); "auto", the default,
# is the widest the CPU has.  They round differently (only AVX2/AVX-512 fuse multiply-adds).
_KERNEL_ENV = "FASTRIDGE_SGD_KERNEL"  # forces one, read at import
_kernel = "auto"  # the variant relu_sgd runs, set by _set_kernel_variant


def _kernel_variants() -> list:
    """Names of the variants this build and CPU can run, baseline first."""
    return [name for name, v in _sgd.VARIANTS.items()
            if name != "auto" and _sgd.resolve_variant(v) == v]


def _kernel_variant() -> str:
    """The variant :func:`relu_sgd` runs now (``"auto"`` resolved)."""
    number = _sgd.resolve_variant(_sgd.VARIANTS[_kernel])
    return next(name for name, v in _sgd.VARIANTS.items() if v == number)


def _set_kernel_variant(name: str) -> str:
    """Make :func:`relu_sgd` run variant ``name`` (or ``"auto"``); return the previous
    setting.  ``ValueError`` if unknown or unsupported here.  Not thread-safe.

    >>> old = _set_kernel_variant("baseline"); _kernel_variant(), _set_kernel_variant(old)
    ('baseline', 'baseline')
    """
    if name not in _sgd.VARIANTS:
        raise ValueError(f"unknown relu_sgd kernel variant {name!r}; expected one of "
                         f"{', '.join(map(repr, _sgd.VARIANTS))}")
    if _sgd.resolve_variant(_sgd.VARIANTS[name]) < 0:
        raise ValueError(f"relu_sgd kernel variant {name!r} cannot run here (not compiled "
                         f"in, or the CPU lacks the instructions); this machine runs "
                         f"{', '.join(map(repr, _kernel_variants()))}")
    global _kernel
    old, _kernel = _kernel, name
    return old


if os.environ.get(_KERNEL_ENV):
    try:
        _set_kernel_variant(os.environ[_KERNEL_ENV])
    except ValueError as err:
        raise ImportError(f"{_KERNEL_ENV}={os.environ[_KERNEL_ENV]!r}: {err}; unset it to "
                          "let fastridge pick") from None


@dataclass(frozen=True)
class SGDResult:
    """What :func:`relu_sgd` returns.

    Attributes
    ----------
    W1, b, W2 : ndarray of shape (d,)
        The parameters after training (new arrays; the inputs are not modified).
    loss : ndarray of shape (n_epochs,)
        Mean of ``½ (f(x) − y)²`` over each epoch, each sample's loss measured with the
        parameters *before* its step.  ``n_epochs`` is ``epochs``, or fewer if a callback
        stopped training early.
    elbows : ndarray of shape (1 + n_steps // record_every, d), or None
        ``None`` when ``record_every == 0``.  Row 0 holds the initial elbows ``−b/W1``,
        row ``j`` the elbows after ``j * record_every`` steps (counted across epochs);
        NaN where ``W1 == 0``.

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> res = fr.relu_sgd([1.0, 2.0], [1.0, 2.0], [1.0], [0.0], [0.5], lr=0.1)
    >>> res.W2.round(4), res.loss.shape, res.elbows is None
    (array([0.7282]), (1,), True)
    """

    W1: np.ndarray
    b: np.ndarray
    W2: np.ndarray
    loss: np.ndarray
    elbows: Optional[np.ndarray]


_NO_W2 = object()  # _check_units without W2 (elbows)

# The compiled loop counts steps (and record_every) in int64.
_INT64_MAX = np.iinfo(np.int64).max


def _check_units(W1, b, W2, dtype):
    """The parameter arrays (W2 may be ``_NO_W2``) as arrays of ``dtype``, each 1-D and
    all of one length; C- or F-contiguous, possibly the inputs themselves."""
    W1 = as_float_array(W1, "W1", dtype=dtype, ndims=(1,))
    b = as_float_array(b, "b", dtype=dtype, ndims=(1,))
    if W2 is not _NO_W2:
        W2 = as_float_array(W2, "W2", dtype=dtype, ndims=(1,))
    lengths = [len(W1), len(b)] + ([] if W2 is _NO_W2 else [len(W2)])
    if len(set(lengths)) != 1:
        names = "W1 and b" if W2 is _NO_W2 else "W1, b and W2"
        raise ValueError(
            f"{names} must have one entry per hidden unit, all the same length; "
            f"got lengths {', '.join(map(str, lengths))}"
        )
    return W1, b, W2


def relu_sgd(
    x,
    y,
    W1,
    b,
    W2,
    *,
    lr: float,
    epochs: int = 1,
    shuffle: bool = False,
    seed=None,
    record_every: int = 0,
    callback: Optional[Callable[[int, float], object]] = None,
) -> SGDResult:
    """Train ``f(x) = Σ_i W2_i relu(W1_i x + b_i)`` by per-sample SGD on ``½ (f(x) − y)²``.

    Each step takes one sample and updates all parameters from gradients at the old
    ones, with ``ReLU'(0) = 0`` (SPEC §2)::

        z = W1·x + b;  h = max(z, 0);  δ = W2·h − y
        W2 -= lr·δ·h;  b -= lr·δ·W2·[z > 0];  W1 -= lr·δ·W2·[z > 0]·x

    The loop runs in compiled code without the GIL (one call for all epochs unless a
    callback is given), taking the GIL back every ~25 ms of work to let Ctrl-C through.

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Inputs and targets.  ``x`` decides the working dtype (SPEC §3): float32 stays
        float32, integers and bools become float64; ``y`` and the parameters are cast to it.
    W1, b, W2 : array_like of shape (d,)
        Initial parameters: input weights, biases, output weights.  Not modified.
    lr : float
        Learning rate, > 0 (and not 0 once rounded to the working dtype).
    epochs : int, default=1
        Passes over the data, >= 1.
    shuffle : bool, default=False
        ``False``: every epoch visits samples ``0 .. n−1`` in order.  ``True``: epoch ``e``
        visits them in the order of the ``e``-th call of ``rng.permutation(n)``, with
        ``rng = numpy.random.default_rng(seed)`` created once per call.
    seed : None, int, SeedSequence or Generator, default=None
        Seed of the shuffling; unused without ``shuffle`` (but checked).
    record_every : int, default=0
        ``0``: record nothing.  ``k > 0``: record the elbows ``−b/W1`` initially and after
        every ``k`` steps (counted across epochs), in ``SGDResult.elbows``.  Recording
        happens inside the compiled loop.
    callback : callable, optional
        ``callback(epoch, loss)`` after each epoch (``epoch`` 0-based, ``loss`` its mean
        loss), outside the compiled loop: with a callback every epoch is its own compiled
        call.  If it returns a true value, training stops after that epoch and the result
        holds the epochs run so far.

    Returns
    -------
    SGDResult
        New ``W1, b, W2``, the per-epoch ``loss`` and the recorded ``elbows``.

    Raises
    ------
    ValueError
        Arrays of the wrong shape or of different lengths, non-finite values, ``lr <= 0``,
        ``epochs < 1``, ``record_every < 0``, more than 2**63 − 1 steps in all, or an
        invalid ``seed`` (a negative int); each message names the parameter.
    TypeError
        Complex arrays, arrays of strings or other non-numbers (None included);
        non-numeric scalars, a ``shuffle`` that is not a bool, a ``seed`` of the wrong
        type, a ``callback`` that is not callable.
    KeyboardInterrupt
        On Ctrl-C; the inputs are left as they were.
    FloatingPointError
        A step's loss, or a parameter after a step, was not finite (``lr`` too large);
        the message names the epoch and the step (both 0-based).

    Notes
    -----
    On CPUs with AVX2+FMA or AVX-512 the compiled loop uses fused multiply-adds, so
    ``z = W1·x + b`` is rounded once: a unit is inactive when ``W1·x + b`` is exactly
    ``≤ 0``, which can differ from NumPy's twice-rounded ``W1 * x + b`` only when that
    is within rounding of 0.  Results agree with the reference to rounding, not bit for bit.

    See Also
    --------
    fastridge.reference.relu_sgd : the same loop in plain NumPy.
    ReLURegressor : an estimator around this function.

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> x = np.linspace(-1, 1, 50); y = np.abs(x)
    >>> res = fr.relu_sgd(x, y, [1.0, -1.0], [0.1, 0.1], [0.5, 0.5], lr=0.05, epochs=20)
    >>> bool(res.loss[-1] < res.loss[0])
    True
    >>> fr.relu_sgd(x, y, [1.0, -1.0], [0.1, 0.1], [0.5, 0.5], lr=0.05, epochs=2,
    ...             record_every=50).elbows.shape
    (3, 2)
    """
    x = as_float_array(x, "x", ndims=(1,))
    dtype = x.dtype
    y = as_float_array(y, "y", dtype=dtype, ndims=(1,))
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match")
    W1, b, W2 = _check_units(W1, b, W2, dtype)
    lr = check_scalar(lr, "lr", low=0, low_inclusive=False)
    if lr > float(np.finfo(dtype).max):
        raise ValueError(f"lr must be representable in {dtype} (the working dtype); got {lr!r}")
    if dtype.type(lr) == 0:
        raise ValueError(f"lr = {lr!r} is 0 in {dtype} (the working dtype); expected a "
                         f"learning rate of at least {np.finfo(dtype).smallest_subnormal}")
    epochs = _check_count(epochs, "epochs", low=1)
    if epochs > _INT64_MAX // len(x):
        raise ValueError(f"epochs × samples = {epochs} × {len(x)} steps exceeds the step "
                         f"counter's limit 2**63 − 1; expected fewer epochs")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False; got {shuffle!r} of type "
                        f"{type(shuffle).__name__}")
    rng = _generator(seed)  # checked even without shuffle, where it is not used
    record_every = _check_count(record_every, "record_every", low=0)
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {callback!r}")
    # The compiled loop updates these in place: new arrays, so the inputs stay untouched.
    W1, b, W2 = (np.array(p, dtype=dtype, order="C", copy=True) for p in (W1, b, W2))
    return _run(x, y, W1, b, W2, lr, epochs, rng if shuffle else None, record_every,
                callback)


def _generator(seed) -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, with an error that names ``seed``."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as err:
        raise type(err)(f"seed must be None, an int >= 0, a sequence of them, a "
                        f"SeedSequence or a Generator; got {seed!r}") from err


def _check_count(value, name: str, low: int) -> int:
    """``check_scalar`` for an integer the compiled loop holds in int64."""
    if isinstance(value, numbers.Integral) and int(value) > _INT64_MAX:
        raise ValueError(f"{name} must be < 2**63 (a 64-bit integer); got {value!r}")
    return check_scalar(value, name, low=low, integer=True)


def _run(x, y, W1, b, W2, lr, epochs, rng, record_every, callback):
    """relu_sgd on checked arrays; W1, b, W2 are owned (updated in place); ``rng``: the
    Generator of the shuffles, None for no shuffling."""
    n, d = len(x), len(W1)
    shuffle = rng is not None
    elbows_out = None
    if record_every:
        elbows_out = np.empty((1 + n * epochs // record_every, d), dtype=x.dtype)
        _sgd.elbows(W1, b, elbows_out[0])
    loss = np.empty(epochs)  # filled by the driver, in float64
    work = np.empty(3 * d, dtype=x.dtype)
    chunk = max(1, _CHUNK_WORK // (d + 32))  # steps between checks for Ctrl-C
    # epochs per compiled call
    per_call = 1 if callback is not None else max(1, _ORDER_BUDGET // n) if shuffle else epochs
    step = epoch = 0
    while epoch < epochs:
        k = min(per_call, epochs - epoch)
        order = None
        if shuffle:
            order = np.empty((k, n), dtype=np.int64)  # order[e] = sample order of epoch e
            for e in range(k):
                order[e] = rng.permutation(n)
        status, done, bad_step, step = _sgd.run_epochs(
            x, y, order, W1, b, W2, lr, k, record_every, step, elbows_out,
            loss[epoch:epoch + k], work, chunk, _sgd.VARIANTS[_kernel])
        if status == _sgd.BAD_VARIANT:
            raise RuntimeError(f"the relu_sgd kernel variant {_kernel!r} cannot run on this "
                               "CPU; set it to 'auto' with _set_kernel_variant")
        if status != _sgd.OK:
            failed = epoch + done
            sample = bad_step if order is None else int(order[done, bad_step])
            what = ("the loss ½(f(x) − y)²" if status == _sgd.NONFINITE_LOSS
                    else "a parameter after the update")
            raise FloatingPointError(
                f"relu_sgd diverged at epoch {failed}, step {bad_step} (0-based; sample "
                f"{sample}): {what} is not finite; expected finite values, try a smaller "
                f"lr (got lr={lr!r})"
            )
        epoch += k
        if callback is not None and callback(epoch - 1, float(loss[epoch - 1])):
            break
    if elbows_out is not None:
        elbows_out = elbows_out[:1 + step // record_every]
    return SGDResult(W1=W1, b=b, W2=W2, loss=loss[:epoch].astype(x.dtype), elbows=elbows_out)


def elbows(W1, b) -> np.ndarray:
    """Where each hidden unit switches on: ``e_i = −b_i / W1_i`` (NaN where ``W1_i == 0``).

    Parameters
    ----------
    W1, b : array_like of shape (d,)
        Input weights and biases; ``W1`` decides the dtype.

    Returns
    -------
    ndarray of shape (d,)

    Examples
    --------
    >>> import fastridge as fr
    >>> fr.elbows([2.0, -1.0, 0.0], [1.0, 3.0, 1.0])
    array([-0.5,  3. ,  nan])
    """
    W1 = as_float_array(W1, "W1", ndims=(1,))
    W1, b, _ = _check_units(W1, b, _NO_W2, W1.dtype)
    out = np.empty_like(W1, order="C")
    _sgd.elbows(np.ascontiguousarray(W1), np.ascontiguousarray(b), out)
    return out


def elbow_after_step(x, y, W1, b, W2, lr) -> np.ndarray:
    """The elbows after one SGD step on ``(x, y)``, in closed form (SPEC §2).

    An inactive unit (``W1_i x + b_i ≤ 0``) learns nothing from the sample and keeps its
    elbow; an active one moves by the Möbius map

        ``e_i' = (e_i + a_i) / (1 − a_i x)``,  ``a_i = lr δ W2_i / W1_i``,  ``δ = f(x) − y``.

    With ``δ > 0`` (prediction too high) the active unit's line pivots about
    ``x_pivot = −1/x``, which the step leaves fixed: the elbow slides toward ``x``, unless
    it sits beyond the pivot.  For an active unit with ``W1_i = 0`` the map is taken in
    its limit, ``e' = (c W2_i − b_i) / (−c W2_i x)`` with ``c = lr δ``; where the new
    ``W1`` is 0 the elbow is NaN, as in :func:`elbows`.

    Parameters
    ----------
    x, y : float
        The sample.
    W1, b, W2 : array_like of shape (d,)
        Parameters before the step; ``W1`` decides the dtype.
    lr : float
        Learning rate, > 0.

    Returns
    -------
    ndarray of shape (d,)
        Equal (to rounding) to ``elbows`` of the parameters after the step.

    Examples
    --------
    >>> import fastridge as fr
    >>> fr.elbow_after_step(1.0, 0.0, [1.0, 1.0], [0.5, -2.0], [1.0, 1.0], lr=0.1)
    array([-0.41176471,  2.        ])
    """
    x = check_scalar(x, "x")
    y = check_scalar(y, "y")
    lr = check_scalar(lr, "lr", low=0, low_inclusive=False)
    W1 = as_float_array(W1, "W1", ndims=(1,))
    W1, b, W2 = _check_units(W1, b, W2, W1.dtype)
    dt = W1.dtype.type
    x, y, lr = dt(x), dt(y), dt(lr)
    z = W1 * x + b
    active = z > 0  # ReLU'(0) = 0: z == 0 is inactive
    delta = W2 @ np.maximum(z, 0) - y
    c = lr * delta
    e = elbows(W1, b)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        a = c * W2 / W1
        moved = (e + a) / (1 - a * x)
        denom = 1 - a * x
        # W1 == 0: the limit of the map, −b'/W1' with b' = b − c W2, W1' = −c W2 x
        limit = (c * W2 - b) / (-c * W2 * x)
        moved = np.where(W1 == 0, limit, moved)
        new_w1_zero = np.where(W1 == 0, c * W2 * x == 0, denom == 0)
    out = np.where(active, np.where(new_w1_zero, np.nan, moved), e)
    return out.astype(W1.dtype, copy=False)


def init_network(x, y, d: int, rng):
    """ReLURegressor's initial parameters: elbows spread over the data.

    Unit i's elbow starts at the ``(i + ½)/d`` quantile of ``x``; ``W1 = ±1/std(x)``
    with random signs, so the units face both ways; ``W2 ~ N(0, (0.1·std(y))² / d)``,
    small, so the initial function is near 0.  ``rng`` is a ``numpy.random.Generator``.

    Examples
    --------
    >>> W1, b, W2 = init_network(np.linspace(0, 1, 5), np.zeros(5), 2,
    ...                          np.random.default_rng(0))
    >>> (-b / W1).round(2)  # the elbows: the 1/4 and 3/4 quantiles of x
    array([0.25, 0.75])
    """
    elbows0 = np.quantile(x, (np.arange(d) + 0.5) / d)
    spread = float(np.std(x)) or 1.0
    W1 = rng.choice([-1.0, 1.0], size=d) / spread
    b = -W1 * elbows0
    W2 = rng.normal(0.0, 0.1 * (float(np.std(y)) or 1.0) / np.sqrt(d), size=d)
    return W1, b, W2


def _record_every(n: int, epochs: int, target_records: int = 400) -> int:
    """A divisor of ``n`` (so records align across per-epoch calls), ≈ total steps / target."""
    want = max(1, n * epochs // target_records)
    if want >= n:
        return n
    return max(k for k in range(1, want + 1) if n % k == 0)


@dataclass
class Training:
    """What :func:`train_relu` returns.

    Attributes
    ----------
    params : tuple (W1, b, W2) of ndarrays of shape (hidden,)
        The parameters after training.
    loss : ndarray of shape (epochs,)
        Mean loss ``½ (f(x) − y)²`` of each epoch (as :attr:`SGDResult.loss`).
    elbows : ndarray of shape (n_records, hidden)
        The elbows ``−b/W1`` initially and after every ``record_every`` steps.
    record_every : int
        Steps between two rows of ``elbows`` (a divisor of the number of samples).
    snapshots : dict
        ``{epoch: (W1, b, W2)}`` after each snapshot epoch, 0 (initial) and ``epochs``.
    seconds : float
        Wall-clock time of the training (without the initialisation).

    Examples
    --------
    >>> t = train_relu(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20) ** 2, hidden=3,
    ...                epochs=2, lr=0.01, seed=0)
    >>> type(t).__name__, sorted(t.snapshots), t.params[0].shape
    ('Training', [0, 2], (3,))
    """

    params: tuple
    loss: np.ndarray
    elbows: np.ndarray
    record_every: int
    snapshots: dict
    seconds: float


def train_relu(x, y, *, hidden: int, epochs: int, lr: float, seed,
               snapshot_epochs: Sequence[int] = (),
               on_epoch: Optional[Callable[[int, float], object]] = None) -> Training:
    """Initialise a network and train it by shuffled per-sample SGD, with snapshots.

    The network starts from :func:`init_network` and is trained by :func:`relu_sgd` with
    ``shuffle=True``, recording the elbows about 400 times in all (every
    ``record_every`` steps, a divisor of ``len(x)``).  Training runs in segments between
    the snapshot epochs; one NumPy Generator, seeded by ``seed``, drives the
    initialisation and every shuffle, so the result equals one
    ``relu_sgd(..., epochs=epochs)`` call from the same initialisation.

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Inputs and targets.
    hidden : int
        Number of hidden units.
    epochs : int
        Passes over the data, >= 1.
    lr : float
        Learning rate, > 0.
    seed : None, int, SeedSequence or Generator
        Seeds the initialisation and the shuffling.
    snapshot_epochs : sequence of int, default=()
        Epochs after which to keep a copy of the parameters; values outside
        ``1 .. epochs − 1`` are ignored (epochs 0 and ``epochs`` are always kept).
    on_epoch : callable, optional
        ``on_epoch(epoch, loss)`` after each epoch (``epoch`` 0-based over the whole
        training); a true return value stops the current segment early.

    Returns
    -------
    Training
        Final parameters, per-epoch losses, recorded elbows and snapshots.

    Raises
    ------
    ValueError, TypeError, FloatingPointError
        As :func:`relu_sgd`; also for ``hidden < 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.sgd import train_relu
    >>> x = np.linspace(-2, 2, 40)
    >>> t = train_relu(x, np.abs(x), hidden=4, epochs=5, lr=0.01, seed=0,
    ...                snapshot_epochs=[1])
    >>> sorted(t.snapshots), t.loss.shape, t.elbows.shape[1]
    ([0, 1, 5], (5,), 4)
    """
    x = as_float_array(x, "x", ndims=(1,))
    y = as_float_array(y, "y", dtype=x.dtype, ndims=(1,))
    hidden = check_scalar(hidden, "hidden", low=1, integer=True)
    epochs = check_scalar(epochs, "epochs", low=1, integer=True)
    rng = _generator(seed)
    params = init_network(x, y, hidden, rng)
    every = _record_every(len(x), epochs)
    stops = sorted({e for e in snapshot_epochs if 0 < e < epochs} | {epochs})
    snapshots = {0: params}
    losses, records = [], []
    done = 0
    t0 = time.perf_counter()
    for stop in stops:
        offset = done
        callback = None if on_epoch is None else (lambda e, loss: on_epoch(offset + e, loss))
        res = relu_sgd(x, y, *params, lr=lr, epochs=stop - done, shuffle=True, seed=rng,
                       record_every=every, callback=callback)
        params = (res.W1, res.b, res.W2)
        losses.append(res.loss)
        records.append(res.elbows if not records else res.elbows[1:])
        snapshots[stop] = params
        done = stop
    seconds = time.perf_counter() - t0
    return Training(params=params, loss=np.concatenate(losses), elbows=np.vstack(records),
                    record_every=every, snapshots=snapshots, seconds=seconds)


class ReLURegressor(RegressorBase):
    """One-input ReLU network ``f(x) = Σ_i W2_i relu(W1_i x + b_i)`` fitted by per-sample SGD.

    Follows scikit-learn's conventions without importing it: parameters are stored as
    given by ``__init__`` and checked in :meth:`fit`; ``get_params``/``set_params``;
    fitted attributes end in ``_``.

    Initialisation (from ``random_state``): the initial elbows ``−b_i/W1_i`` are the
    ``(i + ½)/d`` quantiles of the training ``x``, so they spread over the data range where
    the data are; each ``W1_i`` is ``±1/std(x)`` with a random sign (a unit changes by
    about 1 across the data); ``W2_i ~ N(0, (0.1·std(y))² / d)``, small, so the initial
    prediction is near 0.

    Parameters
    ----------
    n_hidden : int, default=32
        Number of hidden units ``d``.
    lr : float, default=0.01
        Learning rate.
    epochs : int, default=10
        Passes over the data.
    shuffle : bool, default=True
        Visit the samples in a new random order each epoch.
    random_state : None, int or numpy Generator, default=None
        Seeds the initialisation and the shuffling.
    record_every : int, default=0
        Record the elbows every this many steps (see :func:`relu_sgd`) in ``elbows_``.
    callback : callable, optional
        ``callback(epoch, loss)`` after each epoch; a true return value stops training.

    Attributes
    ----------
    W1_, b_, W2_ : ndarray of shape (n_hidden,)
        Fitted parameters.
    loss_curve_ : ndarray of shape (n_epochs_run,)
        Mean training loss ``½ (f(x) − y)²`` of each epoch.
    elbows_ : ndarray or None
        Recorded elbows, shape ``(1 + n_steps // record_every, n_hidden)``, or None.
    n_features_in_ : int
        Always 1.

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> x = np.linspace(-3, 3, 200); y = np.abs(x)
    >>> model = fr.ReLURegressor(n_hidden=8, lr=0.01, epochs=50, random_state=0).fit(x, y)
    >>> bool(model.score(x, y) > 0.9)
    True
    >>> model.predict([0.0, 2.0]).shape
    (2,)
    """

    def __init__(self, n_hidden: int = 32, *, lr: float = 0.01, epochs: int = 10,
                 shuffle: bool = True, random_state=None, record_every: int = 0,
                 callback: Optional[Callable[[int, float], object]] = None):
        self.n_hidden = n_hidden
        self.lr = lr
        self.epochs = epochs
        self.shuffle = shuffle
        self.random_state = random_state
        self.record_every = record_every
        self.callback = callback

    @staticmethod
    def _column(x, name: str, dtype=None) -> np.ndarray:
        """``x`` of shape (n,) or (n, 1) as a 1-D float array."""
        arr = as_float_array(x, name, dtype=dtype, ndims=(1, 2))
        if arr.ndim == 2 and arr.shape[1] != 1:
            raise ValueError(
                f"{name} must have shape (n,) or (n, 1) (one feature); got shape {arr.shape}"
            )
        return np.ascontiguousarray(arr.reshape(-1))

    def fit(self, x, y) -> "ReLURegressor":
        """Initialise (see the class docstring) and train by :func:`relu_sgd`.

        Parameters
        ----------
        x : array_like of shape (n,) or (n, 1)
        y : array_like of shape (n,) or (n, 1)

        Returns
        -------
        self
        """
        x = self._column(x, "x")
        y = self._column(y, "y", dtype=x.dtype)
        if len(x) != len(y):
            raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match")
        d = check_scalar(self.n_hidden, "n_hidden", low=1, integer=True)
        rng = np.random.default_rng(self.random_state)
        W1, b, W2 = init_network(x, y, d, rng)
        res = relu_sgd(x, y, W1, b, W2, lr=self.lr, epochs=self.epochs, shuffle=self.shuffle,
                       seed=rng, record_every=self.record_every, callback=self.callback)
        self.W1_, self.b_, self.W2_ = res.W1, res.b, res.W2
        self.loss_curve_ = res.loss
        self.elbows_ = res.elbows
        self.n_iter_ = len(res.loss)
        self.n_features_in_ = 1
        return self

    def predict(self, x) -> np.ndarray:
        """``f(x) = Σ_i W2_i relu(W1_i x + b_i)`` for each sample.

        Parameters
        ----------
        x : array_like of shape (n,) or (n, 1)

        Returns
        -------
        ndarray of shape (n,)
        """
        self._check_fitted()
        x = self._column(x, "x")
        dtype = np.result_type(x.dtype, self.W1_.dtype)
        out = np.empty(len(x), dtype=dtype)
        block = 8192  # rows at a time: the (block, d) activations stay small
        for start in range(0, len(x), block):
            xb = x[start:start + block, None].astype(dtype, copy=False)
            out[start:start + block] = np.maximum(xb * self.W1_ + self.b_, 0) @ self.W2_
        return out
