"""The figures of fastridge.plotting, rendered to PNG, and the CLI's --plot outputs."""
import struct
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")

import fastridge as fr  # noqa: E402
from fastridge import plotting  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; fails unless the file is a non-empty PNG."""
    data = path.read_bytes()
    assert len(data) > 1000, f"{path} is only {len(data)} bytes"
    assert data[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def assert_drawn(path, size):
    """A PNG of exactly ``size`` pixels that is not one flat colour."""
    assert png_size(path) == size
    import matplotlib.image
    pixels = matplotlib.image.imread(str(path))
    assert pixels.shape[:2] == (size[1], size[0])
    assert np.ptp(pixels[..., :3]) > 0.5  # ink on paper, not a blank canvas


@pytest.fixture(scope="module")
def longley():
    from fastridge.datasets import load_longley
    X, y, names = load_longley()
    Xs = (X - X.mean(axis=0)) / X.std(axis=0)
    alphas = np.logspace(-5, 2, 15)
    path = fr.ridge_path(Xs, y - y.mean(), alphas)
    cv = fr.RidgeCV(alphas=alphas).fit(Xs, y)
    return alphas, path, cv, names


@pytest.fixture(scope="module")
def training():
    from fastridge.sgd import train_relu
    x = np.linspace(-2, 2, 80)
    y = np.abs(x)
    tr = train_relu(x, y, hidden=6, epochs=10, lr=0.02, seed=0, snapshot_epochs=[1, 3])
    return x, y, tr


def test_ridge_trace_png(longley, tmp_path):
    alphas, path, cv, names = longley
    fig = plotting.plot_ridge_trace(alphas, path, names=names, chosen_alpha=cv.alpha_,
                                    figsize=(5, 4), dpi=80)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert len(ax.get_legend().get_texts()) == len(names) + 1  # features + chosen α
    fig.savefig(tmp_path / "trace.png")
    assert_drawn(tmp_path / "trace.png", (400, 320))


def test_loo_curve_marks_chosen_alpha(longley, tmp_path):
    alphas, _, cv, _ = longley
    fig = plotting.plot_loo_curve(alphas, cv.loo_mse_, chosen_alpha=cv.alpha_, dpi=50)
    ax = fig.axes[0]
    curve, marker = ax.lines[0], ax.lines[1]
    np.testing.assert_allclose(curve.get_ydata(), cv.loo_mse_)
    assert marker.get_xdata()[0] == pytest.approx(cv.alpha_)
    fig.savefig(tmp_path / "loo.png")
    assert_drawn(tmp_path / "loo.png", (320, 240))


def test_loo_curve_multi_target(tmp_path):
    alphas = np.logspace(-2, 2, 7)
    fig = plotting.plot_loo_curve(alphas, np.column_stack([alphas, 1 / alphas]),
                                  chosen_alpha=[0.01, 100.0], target_names=["a", "b"])
    assert len(fig.axes[0].lines) == 4  # two curves, two markers
    fig.savefig(tmp_path / "loo2.png")
    assert_drawn(tmp_path / "loo2.png", (640, 480))


def test_ridge_cv_two_panels(longley, tmp_path):
    alphas, path, cv, names = longley
    fig = plotting.plot_ridge_cv(alphas, path, cv.loo_mse_, cv.alpha_, names=names,
                                 figsize=(8, 3), dpi=60)
    assert len(fig.axes) == 2
    fig.savefig(tmp_path / "cv.png")
    assert_drawn(tmp_path / "cv.png", (480, 180))


def test_relu_fit_png(training, tmp_path):
    x, y, tr = training
    fig = plotting.plot_relu_fit(x, y, tr.snapshots, figsize=(4, 3), dpi=100)
    ax = fig.axes[0]
    assert len(ax.lines) == len(tr.snapshots)  # one curve per snapshot epoch
    assert [t.get_text() for t in ax.get_legend().get_texts()][1:] == [
        f"epoch {e}" for e in sorted(tr.snapshots)]
    # The last curve is the trained network itself.
    W1, b, W2 = tr.params
    grid = ax.lines[-1].get_xdata()
    np.testing.assert_allclose(ax.lines[-1].get_ydata(),
                               np.maximum(np.outer(grid, W1) + b, 0) @ W2)
    fig.savefig(tmp_path / "fit.png")
    assert_drawn(tmp_path / "fit.png", (400, 300))


def test_elbows_one_line_per_unit(training, tmp_path):
    _, _, tr = training
    fig = plotting.plot_elbows(tr.elbows, record_every=tr.record_every, dpi=50)
    lines = fig.axes[0].lines
    assert len(lines) == tr.elbows.shape[1]
    np.testing.assert_array_equal(lines[0].get_xdata(),
                                  np.arange(len(tr.elbows)) * tr.record_every)
    np.testing.assert_array_equal(lines[2].get_ydata(), tr.elbows[:, 2])
    fig.savefig(tmp_path / "elbows.png")
    assert_drawn(tmp_path / "elbows.png", (320, 240))


def test_relu_training_two_panels(training, tmp_path):
    x, y, tr = training
    fig = plotting.plot_relu_training(x, y, tr.snapshots, tr.elbows,
                                      record_every=tr.record_every, kinks=[0.0])
    assert len(fig.axes) == 2
    fig.savefig(tmp_path / "training.png")
    assert_drawn(tmp_path / "training.png", (1100, 450))


@pytest.mark.parametrize("call", [
    lambda: plotting.plot_ridge_trace([1.0, 2.0], np.ones((3, 2))),
    lambda: plotting.plot_ridge_trace([0.0, 1.0], np.ones((2, 2))),
    lambda: plotting.plot_loo_curve([1.0, 2.0], np.ones(3)),
    lambda: plotting.plot_elbows(np.ones(3)),
    lambda: plotting.plot_relu_fit([1.0, 2.0], [1.0], {}),
])
def test_bad_shapes_raise_value_error(call):
    with pytest.raises(ValueError, match="got"):
        call()


def test_module_imports_matplotlib_lazily():
    code = ("import sys, fastridge.plotting, fastridge.cli; "
            "print('matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "fastridge", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_demo_plot_dir(tmp_path):
    target = tmp_path / "new" / "plots"
    proc = _cli("demo", "--plot", target)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in target.iterdir()) == ["longley_ridge.png",
                                                       "relu_training.png"]
    assert_drawn(target / "longley_ridge.png", (1100, 450))
    assert_drawn(target / "relu_training.png", (1100, 450))


def test_sgd_plot_file(tmp_path):
    out = tmp_path / "sgd.png"
    proc = _cli("sgd", "--function", "sin", "--hidden", "8", "--epochs", "5", "--quiet",
                "--plot", out)
    assert proc.returncode == 0, proc.stderr
    assert_drawn(out, (1100, 450))
    assert [p.name for p in tmp_path.iterdir()] == ["sgd.png"]  # no temporary left over


def test_sgd_plot_bad_extension(tmp_path):
    proc = _cli("sgd", "--epochs", "2", "--plot", tmp_path / "sgd.gif")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "unsupported extension" in proc.stderr
    assert list(tmp_path.iterdir()) == []


# --- where the elbows of many runs end up ---------------------------------------------

@pytest.fixture(scope="module")
def many_runs():
    from fastridge.sgd import train_relu_many
    x = np.linspace(-2, 2, 30)
    runs = train_relu_many(x, np.abs(x), hidden=5, epochs=20, lr=0.02, seeds=range(8))
    return x, runs


def test_elbow_landing_png(many_runs, tmp_path):
    x, runs = many_runs
    fig = plotting.plot_elbow_landing(x, runs.params, kinks=[0.0], kink_jumps=[2.0],
                                      initial=runs.initial, figsize=(6, 4.5), dpi=80)
    top, bottom = fig.axes
    W1, b, _ = runs.params
    e = -b / W1
    inside = (e >= -2.24) & (e <= 2.24)  # the data range padded by 6 %
    assert len(top.collections[0].get_offsets()) == inside.sum()  # one dot per unit shown
    np.testing.assert_allclose(np.sort(top.collections[0].get_offsets()[:, 0]),
                               np.sort(e[inside]))
    assert top.collections[1].get_offsets().tolist() == [[0.0, 2.0]]  # the target's star
    labels = [t.get_text() for t in bottom.get_legend().get_texts()]
    assert labels == ["share of the elbows", "share of the |slope change|",
                      "elbows before training", "data points"]
    heights = [p for p in bottom.patches]  # the two histograms
    assert len(heights) == 2
    fig.savefig(tmp_path / "landing.png")
    assert_drawn(tmp_path / "landing.png", (480, 360))


def test_elbow_landing_bad_arguments():
    x = np.linspace(-1, 1, 5)
    with pytest.raises(ValueError, match=r"params must be \(W1, b, W2\), each of shape "
                                         r"\(m, d\).*got shapes \(3,\)"):
        plotting.plot_elbow_landing(x, (np.ones(3), np.ones(3), np.ones(3)))
    with pytest.raises(ValueError, match="kink_jumps has 2 entries but kinks has 1"):
        plotting.plot_elbow_landing(x, (np.ones((2, 3)),) * 3, kinks=[0.0],
                                    kink_jumps=[1.0, 2.0])


# --- the animation ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def animated():
    from fastridge.sgd import train_relu
    x = np.linspace(-2, 2, 40)
    tr = train_relu(x, np.abs(x), hidden=4, epochs=12, lr=0.02, seed=0,
                    snapshot_epochs=[1, 2, 4, 8])
    return x, np.abs(x), tr


def test_animation_gif_has_one_frame_per_snapshot(animated, tmp_path):
    from PIL import Image
    x, y, tr = animated
    out = tmp_path / "training.gif"
    written = plotting.animate_relu_training(out, x, y, tr.snapshots, tr.elbows,
                                             record_every=tr.record_every, loss=tr.loss,
                                             kinks=[0.0], fps=5, figsize=(4, 3.5), dpi=50)
    assert written == len(tr.snapshots) == 6  # epochs 0, 1, 2, 4, 8, 12
    with Image.open(out) as gif:
        assert gif.format == "GIF" and gif.size == (200, 175)
        assert gif.n_frames == written
        durations, pixels = [], []
        for k in range(gif.n_frames):
            gif.seek(k)
            durations.append(gif.info["duration"])
            pixels.append(np.asarray(gif.convert("RGB")))
        assert gif.info.get("loop") == 0
    assert durations == [200] * 5 + [800]  # the last frame held four times as long
    assert all(np.ptp(p) > 100 for p in pixels)  # drawn, not blank
    assert all(not np.array_equal(a, b) for a, b in zip(pixels, pixels[1:]))  # it moves


def test_animation_frames_show_the_snapshots(animated, tmp_path):
    """Frame k draws snapshot k: its curve is f of those parameters."""
    from fastridge import _plot_relu
    x, y, tr = animated
    drawn = []
    real = _plot_relu._blitter

    def spy(fig, moving, update):
        render = real(fig, moving, update)

        def recording(k):
            frame = render(k)
            drawn.append(moving[0].get_ydata().copy())  # the curve f(x)
            return frame
        return recording

    import unittest.mock
    with unittest.mock.patch.object(_plot_relu, "_blitter", spy):
        plotting.animate_relu_training(tmp_path / "a.gif", x, y, tr.snapshots, tr.elbows,
                                       record_every=tr.record_every, dpi=30)
    grid = np.linspace(-2.24, 2.24, 300)
    for k, epoch in enumerate(sorted(tr.snapshots)):
        W1, b, W2 = tr.snapshots[epoch]
        np.testing.assert_allclose(drawn[-len(tr.snapshots) + k],
                                   np.maximum(np.outer(grid, W1) + b, 0) @ W2)


def test_animation_bad_path_and_missing_ffmpeg(animated, tmp_path, monkeypatch):
    import matplotlib
    x, y, tr = animated
    args = (x, y, tr.snapshots, tr.elbows)
    with pytest.raises(ValueError, match=r"path must end in .gif or .mp4; got '.*a.png'"):
        plotting.animate_relu_training(tmp_path / "a.png", *args, record_every=1)
    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path",
                        str(tmp_path / "no-such-ffmpeg"))
    with pytest.raises(RuntimeError, match="needs ffmpeg on the PATH"):
        plotting.animate_relu_training(tmp_path / "a.mp4", *args,
                                       record_every=tr.record_every)
    assert not (tmp_path / "a.mp4").exists()


def test_animation_mp4_pipes_every_frame_to_ffmpeg(animated, tmp_path, monkeypatch):
    """A stand-in ffmpeg that records its arguments and counts the bytes it is sent."""
    import matplotlib
    fake = tmp_path / "ffmpeg"
    fake.write_text(f"#!{sys.executable}\n"
                    "import sys\n"
                    "data = sys.stdin.buffer.read()\n"
                    "open(sys.argv[-1], 'w').write(' '.join(sys.argv[1:]) + "
                    "'\\n' + str(len(data)))\n")
    fake.chmod(0o755)
    monkeypatch.setitem(matplotlib.rcParams, "animation.ffmpeg_path", str(fake))
    x, y, tr = animated
    out = tmp_path / "t.mp4"
    n = plotting.animate_relu_training(out, x, y, tr.snapshots, tr.elbows,
                                       record_every=tr.record_every, fps=4,
                                       figsize=(4, 3), dpi=50)
    args, nbytes = out.read_text().splitlines()
    assert "-s 200x150 -r 4 -i -" in args and "libx264" in args
    assert int(nbytes) == n * 200 * 150 * 3  # every frame, raw RGB


# --- the command line: --plot DIR, --runs, --animate -----------------------------------

def test_sgd_plot_dir_one_run(tmp_path):
    target = tmp_path / "figs"
    proc = _cli("sgd", "--hidden", "4", "--epochs", "3", "--quiet", "--plot", target)
    assert proc.returncode == 0, proc.stderr
    assert_drawn(target / "relu_training.png", (1100, 450))


def test_sgd_runs_plot_dir_draws_the_landing(tmp_path):
    proc = _cli("sgd", "--function", "abs", "--hidden", "6", "--epochs", "5", "--runs", "7",
                "--threads", "2", "--plot", tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["elbow_landing.png"]
    assert_drawn(tmp_path / "elbow_landing.png", (800, 600))
    assert "trained 7 networks" in proc.stdout and "on 2 threads" in proc.stdout


def test_sgd_runs_plot_file(tmp_path):
    out = tmp_path / "landing.svg"
    proc = _cli("sgd", "--epochs", "2", "--runs", "3", "--plot", out)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().lstrip().startswith("<?xml")


def test_sgd_animate_gif(tmp_path):
    from PIL import Image
    from fastridge.cli._sgd import frame_epochs
    out = tmp_path / "train.gif"
    proc = _cli("sgd", "--hidden", "4", "--epochs", "30", "--frames", "9", "--quiet",
                "--animate", out)
    assert proc.returncode == 0, proc.stderr
    with Image.open(out) as gif:
        assert gif.n_frames == len(frame_epochs(30, 9)) == 8  # 9, less one duplicate
    assert f"wrote {out}" in proc.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["train.gif"]  # no temporary left


def test_sgd_animate_with_runs_and_plot(tmp_path):
    proc = _cli("sgd", "--hidden", "4", "--epochs", "4", "--runs", "3", "--frames", "3",
                "--plot", tmp_path / "p", "--animate", tmp_path / "a.gif")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.gif", "p"]
    assert (tmp_path / "p" / "elbow_landing.png").exists()


@pytest.mark.parametrize("args, fragment", [
    (["--animate", "{tmp}/a.png"], "--animate '{tmp}/a.png': unsupported extension"),
    (["--animate", "{tmp}/nodir/a.gif"], "does not exist"),
    (["--plot", "{tmp}/a.gif"], "unsupported extension"),
    (["--runs", "0"], "--runs must be >= 1; got 0"),
    (["--threads", "0", "--runs", "2"], "--threads must be >= 1; got 0"),
    (["--frames", "1", "--animate", "{tmp}/a.gif"], "--frames must be >= 2; got 1"),
    (["--runs", "3", "--lr", "1e8"], "run 0 (seed 0) of 3 diverged at epoch"),
])
def test_sgd_new_options_user_errors(args, fragment, tmp_path):
    args = [a.format(tmp=tmp_path) for a in args]
    proc = _cli("sgd", "--epochs", "2", "--quiet", *args)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert fragment.format(tmp=tmp_path) in proc.stderr
    assert list(tmp_path.iterdir()) == []


def test_sgd_animate_mp4_without_ffmpeg_is_refused_before_work(tmp_path):
    import shutil
    if shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is installed here")
    proc = _cli("sgd", "--epochs", "2", "--animate", tmp_path / "a.mp4")
    assert proc.returncode == 2 and "needs ffmpeg on the PATH" in proc.stderr
    assert proc.stdout == "" and list(tmp_path.iterdir()) == []
