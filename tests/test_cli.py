"""End-to-end tests of the ``fastridge`` command line, run as ``python -m fastridge``.

Every run is a real subprocess of the installed package: exit status, stdout, stderr
and the files left behind are what a user would see.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

import fastridge as fr

TIMEOUT = 120


def run(*args, cwd=None, env=None):
    """``python -m fastridge ARGS`` → CompletedProcess (text, captured)."""
    return subprocess.run([sys.executable, "-m", "fastridge", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, env=env, timeout=TIMEOUT)


def assert_user_error(proc, *fragments):
    """Exit 2, exactly one line on stderr naming the problem, no traceback, no stdout noise."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("fastridge ") and "error:" in lines[0], lines[0]
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A CSV with 3 features and 2 targets, plus the same data as .npy and .npz."""
    root = tmp_path_factory.mktemp("cli")
    rng = np.random.default_rng(42)
    X = rng.standard_normal((40, 3)) * [1.0, 10.0, 0.1] + [0.0, 5.0, -2.0]
    y = 3.0 + X @ [1.5, -0.2, 4.0] + 0.3 * rng.standard_normal(40)
    z = X[:, 0] - X[:, 2] + rng.standard_normal(40)
    table = np.column_stack([X, y, z])
    csv = root / "train.csv"
    with open(csv, "w") as f:
        f.write("u,v,w,y,z\n")
        for row in table:
            f.write(",".join(repr(float(v)) for v in row) + "\n")
    np.save(root / "train.npy", table[:, :4])
    np.savez(root / "train.npz", X=X, y=y)
    return {"dir": root, "csv": csv, "X": X, "y": y, "z": z}


# --- help ----------------------------------------------------------------------------

@pytest.mark.parametrize("command", [[], ["demo"], ["fit"], ["sgd"], ["bench"]])
def test_help_exits_0(command):
    proc = run(*command, "--help")
    assert proc.returncode == 0, proc.stderr
    assert "usage: fastridge" in proc.stdout
    assert proc.stderr == ""


def test_no_command_is_a_usage_error():
    proc = run()
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("fastridge: error:")


# --- demo ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def demo():
    return run("demo")


def test_demo_prints_ridge_nist_digits_and_elbows(demo):
    assert demo.returncode == 0, demo.stderr
    out = demo.stdout
    assert "Longley" in out and "RidgeCV" in out
    digits_lines = [line for line in out.splitlines() if "digits" in line and "NIST" in line]
    assert digits_lines, out
    # The α → 0 fit must really match NIST: at least 12 digits on Longley (κ ≈ 5e9).
    worst = float(digits_lines[-1].split("NIST to ")[1].split()[0])
    assert worst >= 12, digits_lines[-1]
    assert "reference.ridge_normal_equations" in out  # timed against the NumPy reference
    assert "epochs   1-10" in out and "elbow" in out
    assert demo.stderr == ""  # no progress output when stderr is not a terminal


def test_demo_chosen_alpha_is_ridgecv_on_standardised_longley(demo):
    from fastridge.datasets import load_longley
    X, y, _ = load_longley()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    expected = fr.RidgeCV(alphas=np.logspace(-5, 2, 29)).fit(Xs, y).alpha_
    assert f"picks α = {expected:.3g}" in demo.stdout


# --- fit: reproduces RidgeCV ----------------------------------------------------------

def test_fit_csv_json_reproduces_ridgecv(data, tmp_path):
    out = tmp_path / "coef.json"
    proc = run("fit", data["csv"], "--target", "y", "--alphas", "0.01,0.1", "1", "10",
               "--out", out)
    assert proc.returncode == 0, proc.stderr
    X = np.column_stack([data["X"], data["z"]])  # every non-target column is a feature
    model = fr.RidgeCV(alphas=[0.01, 0.1, 1, 10]).fit(X, data["y"])
    saved = json.loads(out.read_text())
    assert saved["features"] == ["u", "v", "w", "z"] and saved["targets"] == ["y"]
    assert saved["alpha"] == pytest.approx(model.alpha_, rel=1e-12)
    coef = np.array([saved["coef"]["y"][f] for f in saved["features"]])
    np.testing.assert_allclose(coef, model.coef_, rtol=1e-10, atol=1e-12)
    assert saved["intercept"]["y"] == pytest.approx(model.intercept_, rel=1e-10)
    np.testing.assert_allclose(saved["loo_mse"], model.loo_mse_, rtol=1e-10)
    assert f"chosen α = {model.alpha_:.6g}" in proc.stdout
    assert "leave-one-out MSE" in proc.stdout and "timings:" in proc.stdout
    assert proc.stderr == ""


def test_fit_multi_target_csv_out_alpha_per_target(data, tmp_path):
    out = tmp_path / "coef.csv"
    proc = run("fit", data["csv"], "--target", "y", "--target", "z", "--alpha-per-target",
               "--alphas=logspace:-2:2:9", "--out", out)
    assert proc.returncode == 0, proc.stderr
    model = fr.RidgeCV(alphas=np.logspace(-2, 2, 9), alpha_per_target=True).fit(
        data["X"], np.column_stack([data["y"], data["z"]]))
    lines = out.read_text().splitlines()
    assert lines[0] == "feature,y,z" and lines[1].startswith("(intercept),")
    table = np.array([[float(v) for v in line.split(",")[1:]] for line in lines[1:]])
    np.testing.assert_allclose(table[0], model.intercept_, rtol=1e-10)
    np.testing.assert_allclose(table[1:].T, model.coef_, rtol=1e-10, atol=1e-12)
    for name, a in zip("yz", model.alpha_):
        assert f"chosen α[{name}] = {a:.6g}" in proc.stdout


def test_fit_npy_and_npz_no_intercept(data):
    alphas = ["0.5", "5"]
    expected = fr.RidgeCV(alphas=[0.5, 5], fit_intercept=False).fit(data["X"], data["y"])
    for args in (["train.npy", "--target", "-1"], ["train.npz"]):
        proc = run("fit", *args, "--no-intercept", "--alphas", *alphas, cwd=data["dir"])
        assert proc.returncode == 0, proc.stderr
        assert f"chosen α = {expected.alpha_:.6g}" in proc.stdout
        assert "(intercept)" not in proc.stdout
        assert f"{expected.coef_[0]:.8g}" in proc.stdout


def test_fit_solver_refits_with_ridge(data, tmp_path):
    out = tmp_path / "c.json"
    proc = run("fit", data["csv"], "--target", "y", "--solver", "svd", "--alphas", "1",
               "--out", out)
    assert proc.returncode == 0, proc.stderr
    X = np.column_stack([data["X"], data["z"]])
    ridge = fr.Ridge(alpha=1.0, solver="svd").fit(X, data["y"])
    saved = json.loads(out.read_text())
    np.testing.assert_allclose(list(saved["coef"]["y"].values()), ridge.coef_, rtol=1e-10)
    assert "ran 'svd'" in proc.stdout


# --- user errors: exit 2, one line, nothing written -----------------------------------

def _write(path, text):
    path.write_text(text)
    return path


@pytest.mark.parametrize("case", ["missing-file", "unknown-column", "non-numeric", "nan",
                                  "bad-alpha-list"])
def test_fit_user_errors_end_to_end(case, data, tmp_path):
    """The errors a user typically makes: exit 2, one line on stderr, no file written."""
    csv, good = data["csv"], ["--target", "y"]
    if case == "missing-file":
        args, fragments = [tmp_path / "nope.csv", *good], ["no such file"]
    elif case == "unknown-column":
        args, fragments = [csv, "--target", "q"], ["unknown column 'q'", "u, v, w, y, z"]
    elif case == "non-numeric":
        args = [_write(tmp_path / "a.csv", "a,y\n1,2\nabc,3\n"), *good]
        fragments = ["line 3", "'a'", "'abc'", "not a number"]
    elif case == "nan":
        args = [_write(tmp_path / "a.csv", "a,y\n1,2\n3,nan\n4,5\n"), *good]
        fragments = ["line 3", "'y'", "nan", "finite"]
    else:
        args, fragments = [csv, *good, "--alphas=1,-2"], ["--alphas", ">= 0", "-2"]
    out = tmp_path / "out.json"
    assert_user_error(run("fit", *args, "--out", out), *fragments)
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.json")]


def run_inprocess(capsys, *args):
    """``fastridge.cli.main(args)`` in this process → (status, stdout, stderr)."""
    from fastridge.cli import main
    status = main([str(a) for a in args])
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(args, status, captured.out, captured.err)


@pytest.mark.parametrize("case", [
    "empty-cell", "inf", "nan-alpha", "word-alpha", "empty-alpha", "bad-logspace",
    "no-target", "npy-column-out-of-range", "npy-target-name", "npz-missing-y",
    "bad-extension", "ragged-row", "header-only", "duplicate-column", "same-target-twice",
    "only-targets", "directory-as-data",
])
def test_fit_more_user_errors(case, data, tmp_path, capsys):
    """The rest of the input checks, through ``main()`` in-process (fast)."""
    csv, good = data["csv"], ["--target", "y"]
    cases = {
        "empty-cell": (lambda: [_write(tmp_path / "a.csv", "a,y\n1,2\n,3\n"), *good],
                       ["empty cell"]),
        "inf": (lambda: [_write(tmp_path / "a.csv", "a,y\n1,2\ninf,3\n4,5\n"), *good],
                ["inf"]),
        "nan-alpha": (lambda: [csv, *good, "--alphas", "nan"], ["--alphas"]),
        "word-alpha": (lambda: [csv, *good, "--alphas", "1", "big"], ["'big'", "not a number"]),
        "empty-alpha": (lambda: [csv, *good, "--alphas", ","], ["empty"]),
        "bad-logspace": (lambda: [csv, *good, "--alphas", "logspace:1:2"],
                         ["logspace:START:STOP:NUM"]),
        "no-target": (lambda: [csv], ["--target"]),
        "npy-column-out-of-range": (lambda: [data["dir"] / "train.npy", "--target", "9"],
                                    ["unknown column '9'"]),
        "npy-target-name": (lambda: [data["dir"] / "train.npy", "--target", "y"],
                            ["column index"]),
        "npz-missing-y": (lambda: [_npz(tmp_path)], ["'y'"]),
        "bad-extension": (lambda: [_write(tmp_path / "a.xlsx", "x"), *good],
                          ["unsupported file type"]),
        "ragged-row": (lambda: [_write(tmp_path / "a.csv", "a,b,y\n1,2,3\n4,5\n"), *good],
                       ["line 3", "2 cells", "header has 3"]),
        "header-only": (lambda: [_write(tmp_path / "a.csv", "a,y\n"), *good], ["no data rows"]),
        "duplicate-column": (lambda: [_write(tmp_path / "a.csv", "a,a,y\n1,2,3\n"), *good],
                             ["'a'", "more than once"]),
        "same-target-twice": (lambda: [csv, "--target", "y", "--target", "y"], ["twice"]),
        "only-targets": (lambda: [_write(tmp_path / "a.csv", "y\n1\n2\n"), *good],
                         ["no feature columns"]),
        "directory-as-data": (lambda: [tmp_path, *good], ["directory"]),
    }
    make_args, fragments = cases[case]
    out = tmp_path / "out.json"
    assert_user_error(run_inprocess(capsys, "fit", *make_args(), "--out", out), *fragments)
    assert not out.exists()


def _npz(tmp_path):
    path = tmp_path / "only_x.npz"
    np.savez(path, X=np.ones((3, 2)))
    return path


def test_fit_bad_out_path_fails_before_fitting(data, tmp_path):
    assert_user_error(run("fit", data["csv"], "--target", "y", "--out", tmp_path / "c.txt"),
                      "unsupported extension")
    assert_user_error(run("fit", data["csv"], "--target", "y", "--out",
                          tmp_path / "no" / "c.json"), "does not exist")
    assert list(tmp_path.iterdir()) == []


def test_fit_error_from_the_estimator_is_a_user_error(tmp_path):
    # One sample: RidgeCV's own validation refuses it; the CLI reports it in one line.
    csv = _write(tmp_path / "one.csv", "a,y\n1,2\n")
    proc = run("fit", csv, "--target", "y", "--out", tmp_path / "o.json")
    assert_user_error(proc)
    assert not (tmp_path / "o.json").exists()


# --- sgd --------------------------------------------------------------------------------

def test_sgd_prints_final_loss_and_elbows():
    proc = run("sgd", "--function", "abs", "--hidden", "6", "--epochs", "20", "--seed", "3")
    assert proc.returncode == 0, proc.stderr
    assert "final loss:" in proc.stdout
    assert "elbow start" in proc.stdout and "kink at +0" in proc.stdout
    assert "epochs   1-10" in proc.stdout
    assert proc.stderr == ""  # stderr is a pipe here: no progress bar
    final = float(proc.stdout.split("final loss: ")[1].split()[0])
    first = float(proc.stdout.split("first epoch ")[1].rstrip(")\n").split(")")[0])
    assert final < 0.1 * first


def test_sgd_matches_relu_sgd_with_the_same_initialisation():
    """The CLI's segmented training equals one relu_sgd call (one Generator throughout)."""
    from fastridge.sgd import init_network, train_relu
    x = np.linspace(-2, 2, 50)
    y = np.abs(x)
    tr = train_relu(x, y, hidden=5, epochs=7, lr=0.02, seed=11, snapshot_epochs=[1, 3])
    rng = np.random.default_rng(11)
    params = init_network(x, y, 5, rng)
    res = fr.relu_sgd(x, y, *params, lr=0.02, epochs=7, shuffle=True, seed=rng,
                      record_every=tr.record_every)
    np.testing.assert_array_equal(tr.loss, res.loss)
    np.testing.assert_array_equal(tr.params[2], res.W2)
    np.testing.assert_array_equal(tr.elbows, res.elbows)
    assert sorted(tr.snapshots) == [0, 1, 3, 7]


def test_sgd_quiet_and_file_input(tmp_path):
    csv = _write(tmp_path / "xy.csv", "x,y\n" + "\n".join(
        f"{v},{max(v, 0.0)}" for v in np.linspace(-1, 1, 30)) + "\n")
    proc = run("sgd", "--function", csv, "--hidden", "4", "--epochs", "5", "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert "final loss:" in proc.stdout and "epochs   1-" not in proc.stdout


@pytest.mark.parametrize("args, fragment", [
    (["--function", "nosuchfunction"], "no such file"),
    (["--lr", "-0.1"], "--lr"),
    (["--epochs", "0"], "--epochs"),
    (["--hidden", "0"], "--hidden"),
    (["--lr", "1e8"], "diverged"),
])
def test_sgd_user_errors(args, fragment, tmp_path):
    plot = tmp_path / "p.png"
    proc = run("sgd", *args, "--quiet", "--plot", plot)
    assert_user_error(proc, fragment)
    assert not plot.exists()


def test_sgd_progress_on_a_terminal():
    """With stderr a terminal the per-epoch progress appears there (not with --quiet)."""
    pty = pytest.importorskip("pty")
    import select

    def stderr_on_tty(*extra):
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "fastridge", "sgd", "--epochs", "3", "--hidden", "4",
                 *extra], stdout=subprocess.PIPE, stderr=slave, text=True)
            os.close(slave)
            chunks = []
            while True:
                ready, _, _ = select.select([master], [], [], TIMEOUT)
                if not ready:
                    break
                try:
                    chunk = os.read(master, 4096)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            proc.communicate(timeout=TIMEOUT)
            assert proc.returncode == 0
            return b"".join(chunks).decode(errors="replace")
        finally:
            os.close(master)

    assert "3/3" in stderr_on_tty()
    assert stderr_on_tty("--quiet").strip() == ""


# --- matplotlib missing: a clear message and exit 2 -------------------------------------

def test_plot_without_matplotlib_is_a_user_error(tmp_path):
    blocker = tmp_path / "block"
    (blocker / "matplotlib").mkdir(parents=True)
    (blocker / "matplotlib" / "__init__.py").write_text(
        "raise ImportError('matplotlib blocked for this test')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(blocker)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    target = tmp_path / "plots"
    proc = run("demo", "--plot", target, env=env)
    assert_user_error(proc, "matplotlib", "fastridge[plot]")
    assert not target.exists()
    proc = run("sgd", "--plot", tmp_path / "s.png", env=env)
    assert_user_error(proc, "matplotlib")
    assert not (tmp_path / "s.png").exists()


# --- bench --------------------------------------------------------------------------------

def test_bench_quick_prints_ratio_table():
    proc = run("bench", "--quick")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "peer / fastridge" in out
    assert "numpy reference.ridge_normal_equations" in out
    assert "RESULTS DIFFER" not in out
    total = float(out.split("total ")[-1].split()[0])
    assert total < 45


# --- reliability: outputs survive a closed stdout ---------------------------------------

def run_stdout_closed(*args, cwd=None):
    """``python -m fastridge ARGS`` whose stdout reader is gone before it prints a line.

    Like ``fastridge ... | head -1`` with output longer than one pipe buffer:
    ``PYTHONUNBUFFERED`` makes the first print meet the closed pipe.
    """
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "fastridge", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=cwd, env=env)
    proc.stdout.close()
    _, err = proc.communicate(timeout=TIMEOUT)
    return proc.returncode, err


def test_fit_out_is_written_when_stdout_is_closed(data, tmp_path):
    out = tmp_path / "coef.json"
    status, err = run_stdout_closed("fit", data["csv"], "--target", "y", "--out", out)
    assert status == 0 and err == "", err
    saved = json.loads(out.read_text())
    X = np.column_stack([data["X"], data["z"]])
    expected = fr.RidgeCV(alphas=np.logspace(-3, 3, 13)).fit(X, data["y"]).coef_
    np.testing.assert_allclose(list(saved["coef"]["y"].values()), expected, rtol=1e-10)


def test_plots_are_written_when_stdout_is_closed(tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "sgd.png"
    status, err = run_stdout_closed("sgd", "--epochs", "3", "--hidden", "4", "--plot", png)
    assert status == 0 and err == "", err
    assert png.read_bytes().startswith(b"\x89PNG")
    plots = tmp_path / "demo"
    status, err = run_stdout_closed("demo", "--plot", plots)
    assert status == 0 and err == "", err
    assert sorted(p.name for p in plots.iterdir()) == ["longley_ridge.png", "relu_training.png"]


# --- reliability: --out never overwrites the data ---------------------------------------

@pytest.mark.parametrize("spelling", ["same", "dot-slash", "symlink", "hardlink"])
def test_fit_refuses_out_that_is_the_input(spelling, tmp_path):
    csv = _write(tmp_path / "d.csv", "a,y\n1,2\n2,3.5\n3,4.5\n4,6\n")
    before = csv.read_bytes()
    if spelling == "same":
        out = "d.csv"
    elif spelling == "dot-slash":
        out = "./d.csv"
    elif spelling == "symlink":
        os.symlink(csv, tmp_path / "link.csv")
        out = "link.csv"
    else:
        os.link(csv, tmp_path / "hard.csv")
        out = "hard.csv"
    proc = run("fit", "d.csv", "--target", "y", "--out", out, cwd=tmp_path)
    assert_user_error(proc, "--out", "input file", "d.csv")
    assert csv.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


# --- reliability: bad paths and values are user errors (exit 2, one line) ----------------

@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="needs Linux /proc")
@pytest.mark.parametrize("args, fragment", [
    (["fit", "{csv}", "--target", "y", "--out", "/proc/x.json"], "--out '/proc/x.json'"),
    (["sgd", "--epochs", "2", "--plot", "/proc/x.png"], "--plot '/proc/x.png'"),
    (["demo", "--plot", "/proc/fastridge/plots"], "--plot '/proc/fastridge/plots'"),
])
def test_unwritable_output_is_a_user_error(args, fragment, data):
    if args[0] != "fit":
        pytest.importorskip("matplotlib")
    proc = run(*[str(a).format(csv=data["csv"]) for a in args])
    assert_user_error(proc, fragment, "cannot create a file")
    assert proc.stdout == ""  # checked before any work


def test_unwritable_output_at_write_time_leaves_nothing(data, tmp_path, monkeypatch, capsys):
    """A write that fails after the checks (disk full, ...) is one line, no temporary."""
    from fastridge.cli import _outputs
    out = tmp_path / "c.json"

    def full(fd, mode):
        os.close(fd)
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(_outputs.os, "fdopen", full)
    proc = run_inprocess(capsys, "fit", data["csv"], "--target", "y", "--out", out)
    assert_user_error(proc, "--out", "No space left", "nothing was written")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args, fragment", [
    (["--seed", "-1"], "--seed must be >= 0; got -1"),
    (["--samples", "1"], "--samples must be >= 2"),
    (["--noise", "nan"], "--noise must be finite"),
    (["--lr", "inf"], "--lr must be finite"),
])
def test_sgd_bad_numbers_are_user_errors(args, fragment, capsys):
    assert_user_error(run_inprocess(capsys, "sgd", "--quiet", *args), fragment)


def test_alphas_count_is_bounded(data, capsys):
    import time
    t0 = time.perf_counter()
    proc = run_inprocess(capsys, "fit", data["csv"], "--target", "y",
                         "--alphas", "logspace:-3:3:1000000000")
    assert_user_error(proc, "logspace:-3:3:1000000000", "at most 10000")
    assert time.perf_counter() - t0 < 5
    many = ",".join(["1"] * 10_001)
    assert_user_error(run_inprocess(capsys, "fit", data["csv"], "--target", "y",
                                    "--alphas", many), "at most 10000")
    proc = run_inprocess(capsys, "fit", data["csv"], "--target", "y",
                         "--alphas", "logspace:-3:3:10000")
    assert proc.returncode == 0, proc.stderr


# --- column selection: --features / --drop ----------------------------------------------

@pytest.fixture
def table_with_ids(data, tmp_path):
    """train.csv with an ID column first and a text column in the middle."""
    path = tmp_path / "ids.csv"
    lines = ["id,u,home city,v,w,y"]
    for i, (row, t) in enumerate(zip(data["X"].tolist(), data["y"].tolist())):
        lines.append(f"S{i:03d},{row[0]!r},Town {i % 3},{row[1]!r},{row[2]!r},{t!r}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_text_column_error_names_it_and_suggests_drop(table_with_ids, capsys):
    proc = run_inprocess(capsys, "fit", table_with_ids, "--target", "y")
    assert_user_error(proc, "line 2", "column 'id'", "'S000'", "not a number", "--drop id",
                      "--features")
    proc = run_inprocess(capsys, "fit", table_with_ids, "--target", "y", "--drop", "id")
    assert_user_error(proc, "column 'home city'", "'Town 0'", "--drop 'home city'")


@pytest.mark.parametrize("selection", [["--drop", "id,home city"], ["--drop", "0, 2"],
                                       ["--features", "u,v,w"], ["--features", "1,3,w"]])
def test_features_and_drop_select_columns(selection, table_with_ids, data, tmp_path):
    out = tmp_path / "c.json"
    proc = run("fit", table_with_ids, "--target", "y", *selection, "--alphas", "0.1,1,10",
               "--out", out)
    assert proc.returncode == 0, proc.stderr
    saved = json.loads(out.read_text())
    assert saved["features"] == ["u", "v", "w"] and saved["targets"] == ["y"]
    model = fr.RidgeCV(alphas=[0.1, 1, 10]).fit(data["X"], data["y"])
    np.testing.assert_allclose([saved["coef"]["y"][f] for f in "uvw"], model.coef_,
                               rtol=1e-10)


def test_features_order_is_kept_and_npz_columns_selectable(data, tmp_path, capsys):
    out = tmp_path / "c.csv"
    proc = run_inprocess(capsys, "fit", data["dir"] / "train.npz", "--features", "2,x0",
                         "--alphas", "1", "--out", out)
    assert proc.returncode == 0, proc.stderr
    rows = [line.split(",")[0] for line in out.read_text().splitlines()]
    assert rows == ["feature", "(intercept)", "x2", "x0"]
    model = fr.Ridge(alpha=1.0).fit(data["X"][:, [2, 0]], data["y"])
    coef = [float(line.split(",")[1]) for line in out.read_text().splitlines()[2:]]
    np.testing.assert_allclose(coef, model.coef_, rtol=1e-10)


@pytest.mark.parametrize("selection, fragments", [
    (["--drop", "nope"], ["--drop", "unknown column 'nope'"]),
    (["--features", "u,7"], ["--features", "unknown column '7'"]),
    (["--features", "u,y"], ["'y'", "target"]),
    (["--drop", "y"], ["'y'", "target"]),
    (["--features", "u,u"], ["'u'", "twice"]),
    (["--drop", "id,u,home city,v,w"], ["no feature columns"]),
])
def test_column_selection_errors(selection, fragments, table_with_ids, capsys):
    proc = run_inprocess(capsys, "fit", table_with_ids, "--target", "y", *selection)
    assert_user_error(proc, *fragments)


def test_features_and_drop_are_exclusive(table_with_ids):
    proc = run("fit", table_with_ids, "--target", "y", "--features", "u", "--drop", "id")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "not allowed with argument" in proc.stderr


# --- concurrent writers, packaging ------------------------------------------------------

def test_concurrent_writers_never_mix_a_file(data, tmp_path):
    out = tmp_path / "c.json"
    procs = [subprocess.Popen([sys.executable, "-m", "fastridge", "fit", str(data["csv"]),
                               "--target", target, "--out", str(out)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for target in ("y", "z", "y", "z")]
    for p in procs:
        assert p.wait(timeout=TIMEOUT) == 0, p.stderr.read()
        p.stderr.close()
    assert json.loads(out.read_text())["targets"] in (["y"], ["z"])
    assert [p.name for p in tmp_path.iterdir()] == ["c.json"]


def test_solver_choices_come_from_the_registry():
    from fastridge._solvers import SOLVERS
    from fastridge.cli import build_parser
    fit = build_parser()._subparsers._group_actions[0].choices["fit"]
    solver = next(a for a in fit._actions if a.dest == "solver")
    assert list(solver.choices) == list(SOLVERS)


def test_no_numba_in_the_installed_package():
    import importlib.util
    assert importlib.util.find_spec("fastridge._peers") is None
    root = os.path.dirname(fr.__file__)
    for folder, _, files in os.walk(root):
        for name in files:
            if name.endswith(".py"):
                with open(os.path.join(folder, name), encoding="utf-8") as f:
                    assert "numba" not in f.read(), name



PYPROJECT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                         "pyproject.toml")


@pytest.mark.skipif(not os.path.exists(PYPROJECT), reason="no pyproject.toml (sdist?)")
def test_pyproject_license_is_an_spdx_string():
    tomllib = pytest.importorskip("tomllib")
    with open(PYPROJECT, "rb") as f:
        meta = tomllib.load(f)
    assert meta["project"]["license"] == "BSD-3-Clause"
    setuptools_req = next(r for r in meta["build-system"]["requires"]
                          if r.startswith("setuptools"))
    assert setuptools_req.replace(" ", "") == "setuptools>=77"  # SPDX license expressions
