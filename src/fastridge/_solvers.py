def ridge(*a, **k):
    raise NotImplementedError
