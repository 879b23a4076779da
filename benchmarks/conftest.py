"""Shared benchmark setup: one BLAS thread for every benchmark, and a ratio table.

Run with ``python -m pytest benchmarks/ --benchmark-only``.  Within a pytest-benchmark
``group``, the benchmark whose name contains ``fastridge`` is the subject; at the end of
the session every other member of the group is reported as ``peer median / subject
median`` (> 1: fastridge is faster), all measured in the same run.
"""
import pytest

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # the bench extra is missing: benchmarks run, unpinned
    threadpool_limits = None


@pytest.fixture(autouse=True)
def one_blas_thread():
    """Pin BLAS to one thread: on 2 shared cores threaded OpenBLAS is noise, not speed."""
    if threadpool_limits is None:
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def pytest_terminal_summary(terminalreporter, config):
    session = getattr(config, "_benchmarksession", None)
    benchmarks = getattr(session, "benchmarks", None) or []
    groups = {}
    for bench in benchmarks:
        if getattr(bench, "stats", None) is None:
            continue
        groups.setdefault(bench.group, []).append(bench)
    lines = []
    for group, members in sorted(groups.items(), key=lambda kv: str(kv[0])):
        subjects = [b for b in members if "fastridge" in b.name]
        if len(subjects) != 1:
            continue
        subject = subjects[0]
        base = subject.stats.median
        for peer in members:
            if peer is subject:
                continue
            ratio = peer.stats.median / base
            lines.append(
                f"{group}: {peer.name} / {subject.name} = {ratio:.2f}  "
                f"(medians {peer.stats.median * 1e3:.4g} ms vs {base * 1e3:.4g} ms)"
            )
    if lines:
        terminalreporter.write_sep("-", "fastridge speed ratios (peer median / fastridge median)")
        for line in lines:
            terminalreporter.write_line(line)
