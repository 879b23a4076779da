"""Placeholder: per-sample ReLU SGD (SPEC §2) is being written."""


def _todo(*args, **kwargs):
    raise NotImplementedError("relu_sgd is not written yet")


relu_sgd = elbows = elbow_after_step = _todo
ReLURegressor = SGDResult = None
