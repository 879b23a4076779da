"""Exceptions raised by fastridge estimators."""

import sys

__all__ = ["NotFittedError", "not_fitted_error"]


class NotFittedError(ValueError, AttributeError):
    """An estimator was used before ``fit``.

    Subclasses ``ValueError`` and ``AttributeError``, as scikit-learn's does, so code
    written for either catches it.

    Examples
    --------
    >>> import fastridge as fr
    >>> try:
    ...     fr.Ridge().predict([[1.0]])
    ... except fr.NotFittedError as err:
    ...     print(err)
    This Ridge instance is not fitted yet; call 'fit' with appropriate arguments first
    """


def not_fitted_error(message: str) -> NotFittedError:
    """A :class:`NotFittedError`; also scikit-learn's ``NotFittedError`` when it is loaded.

    scikit-learn is never imported for this: only if the user's process has already
    imported it is the raised error made an instance of its class too, so that tools
    written for scikit-learn recognise it.

    Examples
    --------
    >>> err = not_fitted_error("call fit first")
    >>> isinstance(err, NotFittedError), isinstance(err, ValueError)
    (True, True)
    """
    sk_exceptions = sys.modules.get("sklearn.exceptions")
    if sk_exceptions is None:
        return NotFittedError(message)
    both = _BOTH.get(sk_exceptions.NotFittedError)
    if both is None:
        both = type("NotFittedError", (NotFittedError, sk_exceptions.NotFittedError),
                    {"__module__": __name__, "__doc__": NotFittedError.__doc__})
        _BOTH[sk_exceptions.NotFittedError] = both
    return both(message)


_BOTH: dict = {}
