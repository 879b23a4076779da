"""The ReLU network of docs/math.md §2 as a model: its initialisation, training with snapshots,
many seeded runs at once, and the scikit-learn-style estimator.

The SGD loop itself is :func:`fastridge.sgd.relu_sgd` (one network) and
:func:`fastridge.sgd.relu_sgd_many` (many on several threads); everything here is
re-exported by :mod:`fastridge.sgd`.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence

import numpy as np

from ._base import RegressorBase
from ._validation import as_float_array, check_scalar
from ._sgd_threads import available_cores
from .sgd import SGDResult, _check_seeds, _generator, relu_sgd, relu_sgd_many

__all__ = ["init_network", "train_relu", "Training", "train_relu_many", "Runs",
           "ReLURegressor"]


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


@dataclass
class Runs:
    """What :func:`train_relu_many` returns: m trainings of one network on the same data.

    Attributes
    ----------
    initial : tuple (W1, b, W2) of ndarrays of shape (m, hidden)
        Each run's parameters from :func:`init_network` (float64).
    params : tuple (W1, b, W2) of ndarrays of shape (m, hidden)
        The parameters after training.
    loss : ndarray of shape (m, epochs)
        Mean loss of each run's epochs.
    seconds : float
        Wall-clock time of the training (one :func:`relu_sgd_many` call).
    n_threads : int
        Threads it ran on.

    Examples
    --------
    >>> runs = train_relu_many(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20) ** 2,
    ...                        hidden=3, epochs=2, lr=0.01, seeds=[0, 1])
    >>> runs.params[0].shape, runs.loss.shape
    ((2, 3), (2, 2))
    """

    initial: tuple
    params: tuple
    loss: np.ndarray
    seconds: float
    n_threads: int


def train_relu_many(x, y, *, hidden: int, epochs: int, lr, seeds,
                    n_threads: Optional[int] = None) -> Runs:
    """Run :func:`train_relu` once per seed, all runs in one :func:`relu_sgd_many` call.

    Run ``i`` starts from :func:`init_network` with ``default_rng(seeds[i])`` and goes on
    shuffling with that generator, so its parameters and losses equal, bit for bit,
    those of ``train_relu(x, y, hidden=hidden, epochs=epochs, lr=lr, seed=seeds[i])``.
    Nothing is recorded along the way (no elbows, no snapshots).

    Parameters
    ----------
    x, y : array_like of shape (n,)
        Inputs and targets.
    hidden : int
        Hidden units of every run, >= 1.
    epochs : int
        Passes over the data, >= 1.
    lr : float or array_like of shape (m,)
        Learning rate of every run, or one per run.
    seeds : sequence of m seeds
        One per run (ints >= 0, SeedSequences or distinct Generators).
    n_threads : int, optional
        As in :func:`relu_sgd_many` (default: the cores available).

    Returns
    -------
    Runs

    Raises
    ------
    ValueError, TypeError, FloatingPointError
        As :func:`relu_sgd_many`; also for ``hidden < 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from fastridge.sgd import train_relu, train_relu_many
    >>> x = np.linspace(-2, 2, 40)
    >>> runs = train_relu_many(x, np.abs(x), hidden=4, epochs=5, lr=0.01, seeds=[7, 8])
    >>> one = train_relu(x, np.abs(x), hidden=4, epochs=5, lr=0.01, seed=8)
    >>> bool(np.array_equal(runs.params[2][1], one.params[2]))
    True
    """
    x = as_float_array(x, "x", ndims=(1,))
    y = as_float_array(y, "y", dtype=x.dtype, ndims=(1,))
    hidden = check_scalar(hidden, "hidden", low=1, integer=True)
    try:
        m = len(seeds)
    except TypeError:
        raise TypeError(f"seeds must be a sequence of seeds, one per run; got {seeds!r}") \
            from None
    rngs = _check_seeds(seeds, m, True)  # one Generator each, distinct
    initial = [init_network(x, y, hidden, rng) for rng in rngs]
    # initial[j].shape = (m, hidden) for W1, b, W2
    initial = tuple(np.stack([p[j] for p in initial]) for j in range(3))
    if n_threads is None:
        n_threads = available_cores()
    t0 = time.perf_counter()
    res = relu_sgd_many(x, y, *initial, lr=lr, epochs=epochs, shuffle=True, seeds=rngs,
                        n_threads=n_threads)
    seconds = time.perf_counter() - t0
    return Runs(initial=initial, params=(res.W1, res.b, res.W2), loss=res.loss,
                seconds=seconds, n_threads=min(n_threads, m))


def _net(x, W1, b, W2) -> np.ndarray:
    """``f(x) = Σ_i W2_i relu(W1_i x + b_i)`` for 1-D ``x``, in blocks of rows."""
    dtype = np.result_type(x.dtype, W1.dtype)
    out = np.empty(len(x), dtype=dtype)
    block = 8192  # rows at a time: the (block, d) activations stay small
    for start in range(0, len(x), block):
        xb = x[start:start + block, None].astype(dtype, copy=False)
        out[start:start + block] = np.maximum(xb * W1 + b, 0) @ W2
    return out


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
        Only with ``n_init=1``.
    n_init : int, default=1
        Independent restarts, >= 1: ``n_init`` initialisations (each from its own child
        of the ``random_state`` generator, which also drives its shuffling) trained at
        once by :func:`relu_sgd_many` on every core; the one whose final parameters have
        the lowest training loss ``½ mean (f(x) − y)²`` is kept.  With ``n_init=1``
        (the default) the single network is seeded by ``random_state`` directly.

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
    init_losses_ : ndarray of shape (n_init,)
        Training loss ``½ mean (f(x) − y)²`` of each restart's final parameters.
    best_init_ : int
        The restart kept (``argmin(init_losses_)``); 0 with ``n_init=1``.

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
                 callback: Optional[Callable[[int, float], object]] = None,
                 n_init: int = 1):
        self.n_hidden = n_hidden
        self.lr = lr
        self.epochs = epochs
        self.shuffle = shuffle
        self.random_state = random_state
        self.record_every = record_every
        self.callback = callback
        self.n_init = n_init

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
        """Initialise (see the class docstring) and train by :func:`relu_sgd`
        (:func:`relu_sgd_many` for ``n_init > 1``, keeping the best restart).

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
        n_init = check_scalar(self.n_init, "n_init", low=1, integer=True)
        if n_init > 1 and self.callback is not None:
            raise ValueError(f"callback works with n_init=1 only (one network per epoch to "
                             f"report); got n_init={n_init}")
        rng = _generator(self.random_state, "random_state")
        if n_init == 1:
            W1, b, W2 = init_network(x, y, d, rng)
            one = relu_sgd(x, y, W1, b, W2, lr=self.lr, epochs=self.epochs,
                           shuffle=self.shuffle, seed=rng, record_every=self.record_every,
                           callback=self.callback)
            # as relu_sgd_many's result for one network: a leading axis of length 1
            res = SGDResult(*(None if a is None else a[None] for a in
                              (one.W1, one.b, one.W2, one.loss, one.elbows)))
        else:
            streams = rng.spawn(n_init)  # one child generator per restart
            starts = [init_network(x, y, d, g) for g in streams]
            res = relu_sgd_many(x, y, *(np.stack([p[j] for p in starts]) for j in range(3)),
                                lr=self.lr, epochs=self.epochs, shuffle=self.shuffle,
                                seeds=streams, record_every=self.record_every)
        # the training loss of each restart's final parameters
        fits = np.stack([_net(x, *p) for p in zip(res.W1, res.b, res.W2)])  # (n_init, n)
        self.init_losses_ = 0.5 * np.mean((fits - y) ** 2, axis=1)
        self.best_init_ = best = int(np.argmin(self.init_losses_))
        self.W1_, self.b_, self.W2_ = res.W1[best], res.b[best], res.W2[best]
        self.loss_curve_ = res.loss[best]
        self.elbows_ = None if res.elbows is None else res.elbows[best]
        self.n_iter_ = len(self.loss_curve_)
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
        return _net(x, self.W1_, self.b_, self.W2_)
