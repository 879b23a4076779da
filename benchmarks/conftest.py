"""Shared benchmark setup: one BLAS thread for every benchmark, and a ratio table.

Run with ``python -m pytest benchmarks/ --benchmark-only``.  Within a pytest-benchmark
``group``, the benchmark whose name contains ``fastridge`` is the subject; at the end of
the session every other member of the group is reported as ``peer median / subject
median`` (> 1: fastridge is faster), all measured in the same run.

Threads: BLAS is pinned to one thread by default.  ``--blas-threads default`` (or the
environment variable ``FASTRIDGE_BENCH_THREADS=default``) leaves BLAS at its default
thread count instead, for every benchmark and peer alike; the ratio table's title and
the JSON output (``"blas_threads"``) say which mode ran.
"""
import os

import pytest

try:
    from threadpoolctl import threadpool_limits
except ImportError:  # the bench extra is missing: benchmarks run, unpinned
    threadpool_limits = None


def pytest_addoption(parser):
    parser.addoption(
        "--blas-threads", choices=("1", "default"),
        default=os.environ.get("FASTRIDGE_BENCH_THREADS", "1"),
        help="BLAS threads for every benchmark: 1 (pinned, the default) or the library's "
             "default count (env FASTRIDGE_BENCH_THREADS)")


def _mode(config):
    try:
        return config.getoption("--blas-threads")
    except ValueError:  # conftest not initial (run from another directory): env only
        return os.environ.get("FASTRIDGE_BENCH_THREADS", "1")


@pytest.fixture(autouse=True)
def one_blas_thread(request):
    """Pin BLAS to one thread (``--blas-threads 1``): on 2 shared cores threaded OpenBLAS
    is noise, not speed.  With ``--blas-threads default`` nothing is pinned."""
    if threadpool_limits is None or _mode(request.config) == "default":
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def pytest_benchmark_update_json(config, benchmarks, output_json):
    output_json["blas_threads"] = _mode(config)


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
        terminalreporter.write_sep(
            "-", "fastridge speed ratios (peer median / fastridge median), "
                 f"BLAS threads: {_mode(config)}")
        for line in lines:
            terminalreporter.write_line(line)
