"""Every ``>>>`` example in the installed package runs, and every public name has one.

Runs :mod:`doctest` over each module of the *installed* fastridge (imported, not read
from ``src/``: CI installs the package non-editable, and ``src/`` holds no compiled
modules there).  Private modules are included because the public functions live in
them (``fastridge.ridge`` is ``fastridge._solvers.ridge``).
"""
import doctest
import importlib
import inspect
import pathlib
import pkgutil
import re

import pytest

import fastridge

FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE

# Modules whose examples need an optional extra.
NEEDS = {"fastridge.plotting": "matplotlib", "fastridge.dask": "dask", "fastridge._peers": "numba"}
# Never imported here: running it as a module is the CLI itself.
SKIP_MODULES = {"fastridge.__main__"}

# docs/math.md §3 names: exported names are checked; one not yet in __all__ is reported skipped.
SPEC_NAMES = ["ridge", "ridge_path", "lstsq", "Ridge", "RidgeCV", "relu_sgd", "elbows",
              "elbow_after_step", "reference"]


def _module_names():
    names = ["fastridge"]
    for info in pkgutil.walk_packages(fastridge.__path__, prefix="fastridge."):
        if info.name not in SKIP_MODULES:
            names.append(info.name)
    return sorted(names)


MODULES = _module_names()


def test_installed_package_is_found():
    assert "fastridge.cli" in MODULES and "fastridge.reference" in MODULES
    assert len(MODULES) >= 8


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    if name in NEEDS:
        pytest.importorskip(NEEDS[name])
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    failures = []
    for test in finder.find(module, name):
        result = runner.run(test, out=failures.append)
        assert result.attempted == len(test.examples)
    assert runner.failures == 0, "\n".join(failures)


def _public_names():
    return sorted(set(fastridge.__all__) | set(SPEC_NAMES))


@pytest.mark.parametrize("name", _public_names())
def test_public_name_has_examples(name):
    if name not in fastridge.__all__:
        pytest.skip(f"{name} is not exported yet (not in fastridge.__all__)")
    obj = getattr(fastridge, name)
    doc = inspect.getdoc(obj) or ""
    assert "Examples" in doc and ">>>" in doc, (
        f"fastridge.{name} needs a numpydoc 'Examples' section with a runnable >>> example")


PUBLIC_MODULES = [m for m in MODULES if m != "fastridge"
                  and not m.rsplit(".", 1)[1].startswith("_")]


@pytest.mark.parametrize("module_name", PUBLIC_MODULES)
def test_public_module_functions_have_examples(module_name):
    """Public submodules: each name in their ``__all__`` carries a >>> example."""
    if module_name in NEEDS:
        pytest.importorskip(NEEDS[module_name])
    module = importlib.import_module(module_name)
    names = getattr(module, "__all__", None)
    if names is None:
        pytest.skip(f"{module_name} has no __all__ (no public names declared)")
    missing = [n for n in names if ">>>" not in (inspect.getdoc(getattr(module, n)) or "")]
    assert not missing, f"{module_name}: no >>> example in {missing}"


# --- README: its code runs, and its test command is the one CI runs ----------------------

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
CI_RUN = README.parent / ".ci" / "run"


def _readme_blocks(language):
    if not README.exists():
        pytest.skip("README.md is not next to tests/ (running from an sdist?)")
    return re.findall(rf"```{language}\n(.*?)```", README.read_text("utf-8"), flags=re.S)


def test_readme_python_blocks_run(capsys):
    blocks = _readme_blocks("python")
    assert len(blocks) >= 4
    for block in blocks:
        exec(compile(block, str(README), "exec"), {"__name__": "readme"})
    assert "digits" in capsys.readouterr().out


def test_readme_commands_match_ci():
    commands = [b.strip() for b in _readme_blocks("sh")][:2]
    assert commands == ["pip install . && fastridge demo",
                        'pip install ".[test,bench,plot,dask]" && python -m pytest']
    if not CI_RUN.exists():
        pytest.skip(".ci/run not present")
    lines = [ln.strip() for ln in CI_RUN.read_text().splitlines()
             if ln.strip() and not ln.lstrip().startswith("#")]
    assert any(re.fullmatch(r'(python -m )?pip install "\.\[test,bench,plot,dask\]"', ln)
               for ln in lines), lines
    assert lines[-1] == commands[1].split(" && ")[1]  # the test command, exactly
