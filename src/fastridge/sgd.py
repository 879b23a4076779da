"""Per-sample SGD for a one-input ReLU network, and its elbows (docs/math.md §2).

The model is ``f(x) = Σ_i W2_i · relu(W1_i · x + b_i)`` with ``d`` hidden units and no
output bias, trained on ``½ (f(x) − y)²`` one sample at a time.  Unit ``i`` switches on
at its *elbow* ``e_i = −b_i / W1_i``; :func:`relu_sgd` can record how the elbows move.
:func:`relu_sgd_many` trains many independent networks (seeds, learning rates,
initialisations) at once, on several threads, each exactly as :func:`relu_sgd` would.

The step loop is compiled (``csrc/relu_sgd.c`` behind ``fastridge._sgd``) and checked
against the plain NumPy loop of :func:`fastridge.reference.relu_sgd`.  The network as a
model (initialisation, :func:`train_relu`, :class:`ReLURegressor`) lives in
``fastridge._relu_model`` and is re-exported here.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from . import _sgd
from ._elbows import _check_units, elbow_after_step, elbows
from ._sgd_threads import available_cores, run_indexed
from ._validation import as_float_array, check_scalar

__all__ = ["relu_sgd", "relu_sgd_many", "elbows", "elbow_after_step", "ReLURegressor",
           "SGDResult", "init_network", "train_relu", "Training", "train_relu_many", "Runs"]

# Sample orders (int64) drawn ahead of one compiled call when shuffling: at most this many
# entries (64 MB), so that many short epochs still run under one nogil call.
_ORDER_BUDGET = 1 << 23

# Sample orders drawn by one NumPy call (≈ 1 ms): the stop flag is read between two.
_DRAW_BLOCK = 1 << 16

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
    """What :func:`relu_sgd` returns (and :func:`relu_sgd_many`, with a leading axis m).

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

    From :func:`relu_sgd_many` every array has a leading axis of length m (one entry per
    network): ``W1`` is (m, d), ``loss`` (m, epochs), ``elbows`` (m, rows, d).

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


# The compiled loop counts steps (and record_every) in int64.
_INT64_MAX = 2**63 - 1


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
    ones, with ``ReLU'(0) = 0`` (docs/math.md §2)::

        z = W1·x + b;  h = max(z, 0);  δ = W2·h − y
        W2 -= lr·δ·h;  b -= lr·δ·W2·[z > 0];  W1 -= lr·δ·W2·[z > 0]·x

    The loop runs in compiled code without the GIL (one call for all epochs unless a
    callback is given), taking the GIL back every ~25 ms of work to let Ctrl-C through.

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Inputs and targets.  ``x`` decides the working dtype (docs/math.md §3): float32 stays
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
    x, y = _check_data(x, y)
    dtype = x.dtype
    W1, b, W2 = _check_units(W1, b, W2, dtype)
    lr = _check_lr(lr, dtype, "lr")
    epochs, record_every = _check_schedule(len(x), epochs, shuffle, record_every)
    rng = _generator(seed)  # checked even without shuffle, where it is not used
    if callback is not None and not callable(callback):
        raise TypeError(f"callback must be callable or None; got {callback!r}")
    # The compiled loop updates these in place: new arrays, so the inputs stay untouched.
    W1, b, W2 = (np.array(p, dtype=dtype, order="C", copy=True) for p in (W1, b, W2))
    n, d = len(x), len(W1)
    elbows_out = None
    if record_every:
        elbows_out = np.empty((1 + n * epochs // record_every, d), dtype=dtype)
    loss = np.empty(epochs)  # filled by the driver, in float64
    epoch, step, failure = _train(x, y, W1, b, W2, lr, epochs, rng if shuffle else None,
                                  record_every, elbows_out, loss, _sgd.VARIANTS[_kernel],
                                  callback=callback)
    if failure is not None:
        raise _divergence("relu_sgd", failure, f"lr={lr!r}")
    if elbows_out is not None:
        elbows_out = elbows_out[:1 + step // record_every]
    return SGDResult(W1=W1, b=b, W2=W2, loss=loss[:epoch].astype(dtype), elbows=elbows_out)


def _check_data(x, y):
    """``x`` (n,) as a float array (it decides the dtype) and ``y`` (n,) of that dtype."""
    x = as_float_array(x, "x", ndims=(1,))
    y = as_float_array(y, "y", dtype=x.dtype, ndims=(1,))
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} samples but y has {len(y)}; they must match")
    return x, y


def _check_lr(lr, dtype, name: str) -> float:
    """A learning rate: finite, > 0, and neither 0 nor infinite once in ``dtype``."""
    lr = check_scalar(lr, name, low=0, low_inclusive=False)
    if lr > float(np.finfo(dtype).max):
        raise ValueError(f"{name} must be representable in {dtype} (the working dtype); "
                         f"got {lr!r}")
    if dtype.type(lr) == 0:
        raise ValueError(f"{name} = {lr!r} is 0 in {dtype} (the working dtype); expected a "
                         f"learning rate of at least {np.finfo(dtype).smallest_subnormal}")
    return lr


def _check_schedule(n: int, epochs, shuffle, record_every):
    """``(epochs, record_every)`` as ints the compiled loop can count, and ``shuffle`` a bool."""
    epochs = check_scalar(epochs, "epochs", low=1, high=_INT64_MAX, integer=True)
    if epochs > _INT64_MAX // n:
        raise ValueError(f"epochs × samples = {epochs} × {n} steps exceeds the step "
                         f"counter's limit 2**63 − 1; expected fewer epochs")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False; got {shuffle!r} of type "
                        f"{type(shuffle).__name__}")
    record_every = check_scalar(record_every, "record_every", low=0, high=_INT64_MAX,
                                integer=True)
    return epochs, record_every


def _generator(seed, name: str = "seed") -> np.random.Generator:
    """``numpy.random.default_rng(seed)``, with an error that names the argument."""
    try:
        return np.random.default_rng(seed)
    except (TypeError, ValueError) as err:
        raise type(err)(f"{name} must be None, an int >= 0, a sequence of them, a "
                        f"SeedSequence or a Generator; got {seed!r}") from err


def _train(x, y, W1, b, W2, lr, epochs, rng, record_every, elbows_out, loss, variant,
           callback=None, stop_flag=None):
    """Train one network on checked arrays, in place; return ``(epochs_run, steps, failure)``.

    W1, b, W2  (d,) C-contiguous, updated in place.
    rng        the Generator of the shuffles, None for no shuffling.
    elbows_out (1 + n * epochs // record_every, d), or None: row 0 gets the initial
               elbows, row j those after j * record_every steps.
    loss       (epochs,) float64, gets each epoch's mean loss.
    variant    the code variant's number (``_sgd.VARIANTS``).
    stop_flag  see ``_sgd.run_epochs``.
    ``failure`` is None, or ``(status, epoch, step, sample)`` for the step that diverged
    (status ``_sgd.NONFINITE_LOSS``/``NONFINITE_PARAM``), or ``(_sgd.STOPPED, ...)``.
    """
    n, d = len(x), len(W1)
    if elbows_out is not None:
        _sgd.elbows(W1, b, elbows_out[0])
    work = np.empty(3 * d, dtype=x.dtype)
    chunk = max(1, _CHUNK_WORK // (d + 32))  # steps between checks for Ctrl-C
    # epochs per compiled call
    per_call = (1 if callback is not None else max(1, _ORDER_BUDGET // n) if rng is not None
                else epochs)
    step = epoch = 0
    while epoch < epochs:
        k = min(per_call, epochs - epoch)
        order = None
        if rng is not None:
            order = np.empty((k, n), dtype=np.int64)  # order[e] = sample order of epoch e
            if not _draw_orders(rng, order, stop_flag):  # asked to stop while drawing
                return epoch, step, (_sgd.STOPPED, epoch, -1, -1)
        status, done, bad_step, step = _sgd.run_epochs(
            x, y, order, W1, b, W2, lr, k, record_every, step, elbows_out,
            loss[epoch:epoch + k], work, chunk, variant, stop_flag)
        if status == _sgd.BAD_VARIANT:
            raise RuntimeError(f"the relu_sgd kernel variant {_kernel!r} cannot run on this "
                               "CPU; set it to 'auto' with _set_kernel_variant")
        if status != _sgd.OK:
            sample = -1 if status == _sgd.STOPPED else (
                bad_step if order is None else int(order[done, bad_step]))
            return epoch + done, step, (status, epoch + done, bad_step, sample)
        epoch += k
        if callback is not None and callback(epoch - 1, float(loss[epoch - 1])):
            break
    return epoch, step, None


def _draw_orders(rng, order, stop_flag) -> bool:
    """Fill ``order`` (k, n) with the next k draws of ``rng.permutation(n)``, in order;
    False (and ``order`` part-filled) if ``stop_flag`` was set in between.

    ``rng.permuted`` on rows of ``arange(n)`` gives the same permutations and leaves the
    generator in the same state (one Fisher–Yates pass per row), ~100 times faster for
    small n; :func:`_permuted_is_permutation` checks that once, else one draw per row.
    Rows are drawn in blocks of ≈ _DRAW_BLOCK entries, the flag read between blocks.
    """
    k, n = order.shape
    rows = max(1, _DRAW_BLOCK // n)
    for start in range(0, k, rows):
        if stop_flag is not None and stop_flag[0]:
            return False
        block = order[start:start + rows]
        if _permuted_is_permutation():
            block[:] = np.arange(n)
            rng.permuted(block, axis=1, out=block)
        else:  # pragma: no cover - a NumPy whose permuted differs from permutation
            for row in block:
                row[:] = rng.permutation(n)
    return True


@functools.lru_cache(maxsize=None)
def _permuted_is_permutation() -> bool:
    """Whether ``rng.permuted(rows, axis=1)`` equals successive ``rng.permutation(n)``
    (this NumPy: yes), generator state included."""
    a, b = np.random.default_rng(12345), np.random.default_rng(12345)
    want = np.stack([a.permutation(7) for _ in range(3)])
    got = np.tile(np.arange(7), (3, 1))
    b.permuted(got, axis=1, out=got)
    return bool(np.array_equal(got, want)) and a.integers(1 << 62) == b.integers(1 << 62)


def _divergence(who: str, failure, lr_text: str) -> FloatingPointError:
    """The error for a ``failure`` of :func:`_train`: where, what, and the lr to lower."""
    status, epoch, step, sample = failure
    what = ("the loss ½(f(x) − y)²" if status == _sgd.NONFINITE_LOSS
            else "a parameter after the update")
    return FloatingPointError(
        f"{who} diverged at epoch {epoch}, step {step} (0-based; sample {sample}): {what} "
        f"is not finite; expected finite values, try a smaller lr (got {lr_text})")


def relu_sgd_many(
    x,
    y,
    W1,
    b,
    W2,
    *,
    lr,
    epochs: int = 1,
    shuffle: bool = False,
    seeds=None,
    record_every: int = 0,
    n_threads: Optional[int] = None,
) -> SGDResult:
    """Train m independent networks on the same data, each as :func:`relu_sgd` would.

    Network ``i`` starts from ``W1[i], b[i], W2[i]`` and is trained with learning rate
    ``lr[i]`` and, with ``shuffle``, its own stream ``numpy.random.default_rng(seeds[i])``:
    the result equals, bit for bit, ``relu_sgd(x, y, W1[i], b[i], W2[i], lr=lr[i],
    epochs=epochs, shuffle=shuffle, seed=seeds[i], record_every=record_every)`` stacked
    over ``i``.  The networks run in parallel on ``n_threads`` threads, each training
    whole networks without the GIL, the next free thread taking the next network.

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Inputs and targets, shared by every network; ``x`` decides the working dtype.
    W1, b, W2 : array_like of shape (m, d)
        Initial parameters, one row per network.  Not modified.
    lr : float or array_like of shape (m,)
        Learning rate of every network, or one per network; each > 0.
    epochs : int, default=1
        Passes over the data, >= 1.
    shuffle : bool, default=False
        As in :func:`relu_sgd`, each network with its own generator.
    seeds : None or sequence of m seeds, default=None
        ``seeds[i]`` (an int >= 0, a SeedSequence or a Generator, each Generator used by
        one network only) seeds network ``i``'s shuffling; None: fresh entropy for each.
        Checked even without ``shuffle``.  For m streams from one seed, pass
        ``numpy.random.SeedSequence(seed).spawn(m)``.
    record_every : int, default=0
        As in :func:`relu_sgd`, for every network.
    n_threads : int, optional
        Threads to train on, >= 1; default: the cores this process may use
        (``os.sched_getaffinity``).  Never more than m are started.  With 1 the networks
        are trained one after the other in the calling thread.

    Returns
    -------
    SGDResult
        ``W1, b, W2`` of shape (m, d), ``loss`` (m, epochs), ``elbows`` (m, 1 +
        n·epochs // record_every, d) or None.

    Raises
    ------
    ValueError, TypeError
        As :func:`relu_sgd`; also parameter arrays that are not 2-D or not all of one
        shape, ``lr`` or ``seeds`` without one entry per network, a Generator given to
        two networks, ``n_threads < 1``.  Messages name the argument (``lr[3]``, ...).
    FloatingPointError
        A network diverged.  The whole call fails, as the loop over :func:`relu_sgd`
        would: the error names the first network (lowest index) that diverged, with its
        epoch, step and learning rate, and its attribute ``network`` holds that index.
        Every network before it is trained in full, so which one is named does not
        depend on the threads.  Lower that network's ``lr`` (or leave it out) and rerun.
    KeyboardInterrupt
        On Ctrl-C, within about 0.1 s: the calling thread raises it after telling the
        other threads to stop and waiting for them; the inputs are left as they were.

    Notes
    -----
    Each network also costs some Python outside the compiled loop, with the GIL held:
    ~15 µs, ~100 µs with a seeded shuffle (mostly ``default_rng(seed)``).  Against
    networks that train for milliseconds this is nothing; thousands of networks of a
    few steps each are bound by it and gain little from threads.

    See Also
    --------
    relu_sgd : one network.
    train_relu_many : m networks from :func:`init_network`, one seed each.

    Examples
    --------
    >>> import numpy as np, fastridge as fr
    >>> x = np.linspace(-1, 1, 50); y = np.abs(x)
    >>> W1 = np.array([[1.0, -1.0], [1.0, -1.0], [0.5, -2.0]])
    >>> res = fr.relu_sgd_many(x, y, W1, np.full((3, 2), 0.1), np.full((3, 2), 0.5),
    ...                        lr=[0.05, 0.01, 0.05], epochs=20, shuffle=True,
    ...                        seeds=[0, 1, 2])
    >>> res.W1.shape, res.loss.shape
    ((3, 2), (3, 20))
    >>> one = fr.relu_sgd(x, y, W1[1], [0.1, 0.1], [0.5, 0.5], lr=0.01, epochs=20,
    ...                   shuffle=True, seed=1)
    >>> bool(np.array_equal(res.W2[1], one.W2))
    True
    """
    x, y = _check_data(x, y)
    dtype = x.dtype
    W1, b, W2 = _check_networks(W1, b, W2, dtype)
    m, d = W1.shape
    lrs = _check_lrs(lr, m, dtype)
    epochs, record_every = _check_schedule(len(x), epochs, shuffle, record_every)
    rngs = _check_seeds(seeds, m, shuffle)
    if n_threads is None:
        n_threads = available_cores()
    n_threads = check_scalar(n_threads, "n_threads", low=1, integer=True)
    variant = _sgd.VARIANTS[_kernel]  # one variant for the whole call
    # Updated in place, one row per network: new arrays, so the inputs stay untouched.
    W1, b, W2 = (np.array(p, dtype=dtype, order="C", copy=True) for p in (W1, b, W2))
    loss = np.empty((m, epochs))  # float64, as relu_sgd's
    rows = 1 + len(x) * epochs // record_every if record_every else 0
    elbows_out = np.empty((m, rows, d), dtype=dtype) if record_every else None
    failures = {}  # network -> failure of _train

    def train(i, stop_flag):  # one network; True: it diverged
        # Trained in rows of its own (the kernel stores every parameter at every step:
        # neighbouring rows of W1, written by two threads, would share a cache line).
        own = _own_cache_lines(3, d, dtype)
        own[:, :d] = W1[i], b[i], W2[i]
        _, _, failure = _train(x, y, own[0, :d], own[1, :d], own[2, :d], lrs[i], epochs,
                               rngs[i], record_every,
                               None if elbows_out is None else elbows_out[i], loss[i],
                               variant, stop_flag=stop_flag)
        W1[i], b[i], W2[i] = own[:, :d]
        if failure is None or failure[0] == _sgd.STOPPED:
            return False
        failures[i] = failure
        return True

    run_indexed(train, m, n_threads)
    if failures:
        i = min(failures)
        err = _divergence(f"relu_sgd_many: network {i} (of {m})", failures[i],
                          f"lr[{i}]={lrs[i]!r}")
        err.network = i
        raise err
    return SGDResult(W1=W1, b=b, W2=W2, loss=loss.astype(dtype), elbows=elbows_out)


def _own_cache_lines(rows: int, d: int, dtype) -> np.ndarray:
    """A new (rows, ≥ d) array whose rows start on 64-byte cache lines and share no line
    with any other memory (padding on both sides): one thread can write it at every step
    without slowing another (false sharing)."""
    per_line = 64 // np.dtype(dtype).itemsize
    stride = -(-d // per_line) * per_line  # d rounded up to whole lines
    raw = np.empty(rows * stride + 2 * per_line, dtype=dtype)
    start = (-raw.ctypes.data % 64) // raw.itemsize  # first aligned element
    return raw[start:start + rows * stride].reshape(rows, stride)


def _check_networks(W1, b, W2, dtype):
    """The (m, d) parameter arrays of relu_sgd_many, of ``dtype``, all of one shape."""
    out = []
    for name, p in (("W1", W1), ("b", b), ("W2", W2)):
        try:
            ndim = np.ndim(p)
        except ValueError:  # ragged nested lists: as_float_array says so, naming it
            ndim = 2
        if ndim != 2 and p is not None and not isinstance(p, str):
            raise ValueError(f"{name} must be 2-D, of shape (m, d): one row of d hidden "
                             f"units per network; got an array of shape {np.shape(p)} "
                             f"(for one network use relu_sgd, or pass {name}[None])")
        out.append(as_float_array(p, name, dtype=dtype, ndims=(2,)))
    shapes = [a.shape for a in out]
    if len(set(shapes)) != 1:
        raise ValueError(f"W1, b and W2 must all have the same shape (m networks, d hidden "
                         f"units); got shapes {', '.join(map(str, shapes))}")
    return out


def _check_lrs(lr, m: int, dtype) -> list:
    """One learning rate per network (Python floats) from a scalar or an (m,) array."""
    if isinstance(lr, np.ndarray) and lr.ndim == 0:
        lr = lr[()]
    if np.ndim(lr) == 0:
        return [_check_lr(lr, dtype, "lr")] * m
    lrs = as_float_array(lr, "lr", dtype=np.float64, ndims=(1,))
    if len(lrs) != m:
        raise ValueError(f"lr has {len(lrs)} entries but there are {m} networks (rows of "
                         f"W1); expected a scalar or one learning rate per network")
    return [_check_lr(v, dtype, f"lr[{i}]") for i, v in enumerate(lrs.tolist())]


def _check_seeds(seeds, m: int, shuffle) -> list:
    """One Generator per network (None each without ``shuffle``), checked either way."""
    if seeds is None:
        return [np.random.default_rng() if shuffle else None for _ in range(m)]
    if isinstance(seeds, (str, bytes, np.random.Generator, np.random.SeedSequence)) or \
            np.ndim(seeds) == 0 or not hasattr(seeds, "__len__"):
        raise TypeError(f"seeds must be None or a sequence of m = {m} seeds, one per "
                        f"network; got {seeds!r} (for m streams from one seed pass "
                        "numpy.random.SeedSequence(seed).spawn(m))")
    if len(seeds) != m:
        raise ValueError(f"seeds has {len(seeds)} entries but there are {m} networks (rows "
                         f"of W1); expected one seed per network")
    rngs, owner = [], {}
    for i, seed in enumerate(seeds):
        rng = _generator(seed, f"seeds[{i}]")
        if isinstance(seed, np.random.Generator):
            j = owner.setdefault(id(rng), i)
            if j != i:
                raise ValueError(f"seeds[{i}] is the same Generator as seeds[{j}]; each "
                                 "network needs its own stream (e.g. "
                                 "numpy.random.SeedSequence(seed).spawn(m))")
        rngs.append(rng if shuffle else None)
    return rngs


# The network as a model lives in its own module, which imports the loop from this one.
from ._relu_model import (ReLURegressor, Runs, Training, init_network,  # noqa: E402
                          train_relu, train_relu_many)
