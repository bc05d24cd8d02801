"""The package installs and works outside the repository.

The wheel is built from a copy of the sources (so the checkout gets no build/ or
egg-info), installed into a fresh venv in tmp_path, and used from a folder that is
not the repository: ``import linreg`` must find the installed copy, the ``linreg``
console script must fit a built-in dataset, and the exported reproduce script must run.

numpy, scipy and pandas are not downloaded: the venv sees this interpreter's
site-packages through a .pth file (a plain path entry, so their own .pth files, such as
an editable finder for linreg, are not run).
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def _run(args: list[str], cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    # PYTHONPATH would let the venv import the repository's linreg instead of the installed one.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, f"{' '.join(map(str, args))} failed:\n{proc.stdout}\n{proc.stderr}"
    return proc


def _copy_sources(dest: Path) -> Path:
    """A copy of the checkout's files (tracked or new, not ignored): the layout the build sees.

    The whole tree, not only linreg/, so the test sees what a build of the repository
    sees: app.py, pages/, ui/, tests/ and benchmarks/ beside the package.
    """
    listed = subprocess.run(["git", "-C", str(ROOT), "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


def _can_build_without_isolation() -> bool:
    """True when this environment's setuptools can write a wheel by itself.

    setuptools 70.1 has bdist_wheel built in; before, it needs the ``wheel`` package.
    Without either, pip builds in an isolated environment with setuptools from the index.
    """
    try:
        version = tuple(int(p) for p in importlib.metadata.version("setuptools").split(".")[:2])
    except importlib.metadata.PackageNotFoundError:
        return False
    return version >= (70, 1) or (version >= (65, 0) and importlib.util.find_spec("wheel") is not None)


def _isolation() -> list[str]:
    """pip's flag to build with this environment's setuptools, when it can; else pip fetches one."""
    return ["--no-build-isolation"] if _can_build_without_isolation() else []


def _make_venv(path: Path) -> Path:
    """A fresh venv at ``path`` that reuses this interpreter's site-packages; returns its python."""
    _run([sys.executable, "-m", "venv", "--without-pip", str(path)], cwd=path.parent)
    python = path / "bin" / "python"
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                   cwd=path.parent).stdout.strip()
    shared = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (Path(purelib) / "_shared_site.pth").write_text("\n".join(shared) + "\n")
    return python


def _pip(*args: str) -> list[str]:
    return [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("build")
    src = _copy_sources(work / "src")
    out = work / "dist"
    _run(_pip("wheel", "--no-deps", *_isolation(), "-w", str(out), str(src)), cwd=work)
    (found,) = out.glob("linreg-*.whl")
    return found


def test_the_wheel_holds_the_linreg_package_only(wheel):
    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names}
    assert tops == {"linreg", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    assert "linreg/cli.py" in names and "linreg/plots/fit.py" in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/METADATA"))).decode()
    requires = [line.split(": ", 1)[1] for line in metadata.splitlines() if line.startswith("Requires-Dist: ")]
    base = sorted(r.split(">")[0].split("=")[0] for r in requires if "extra ==" not in r)
    assert base == ["numpy", "pandas", "scipy"]
    entry = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("/entry_points.txt"))).decode()
    assert "linreg = linreg.cli:main" in entry


def test_the_installed_wheel_imports_fits_and_reproduces_outside_the_repository(wheel, tmp_path):
    python = _make_venv(tmp_path / "venv")
    _run(_pip("--python", str(python), "install", "--no-deps", "--no-index", str(wheel)), cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    where = _run([str(python), "-c", "import linreg; print(linreg.__file__)"], cwd=elsewhere).stdout.strip()
    assert Path(where).is_relative_to(tmp_path / "venv"), where
    assert not Path(where).is_relative_to(ROOT)

    # The console script, on a built-in dataset: R's lm(dist ~ speed, cars) gives -17.5791 + 3.9324 speed.
    (elsewhere / "cars.csv").write_text(
        _run([str(python), "-c", "from linreg import load_dataset; print(load_dataset('cars')[0].to_csv(index=False), end='')"],
             cwd=elsewhere).stdout
    )
    printed = _run([str(tmp_path / "venv" / "bin" / "linreg"), "fit", "cars.csv", "--target", "dist",
                    "--format", "json"], cwd=elsewhere).stdout
    text = _run([str(tmp_path / "venv" / "bin" / "linreg"), "fit", "cars.csv", "--target", "dist"], cwd=elsewhere).stdout
    assert text.splitlines()[0] == "Call: linreg fit cars.csv --target dist"
    report = json.loads(printed)
    assert report["terms"] == ["Intercept", "speed"]
    assert report["coef"] == pytest.approx([-17.579094890510948, 3.932408759124088], rel=1e-12)

    # The exported script runs with the installed package, outside a clone.
    export = ("from linreg.export import reproduce_script; from linreg.sources import builtin_source; "
              "from linreg import ModelSpec; "
              "print(reproduce_script(builtin_source('cars'), ModelSpec('dist', features=('speed',))))")
    code = _run([str(python), "-c", export], cwd=elsewhere).stdout
    assert "pip install" in code
    (elsewhere / "reproduce.py").write_text(code)
    lines = dict(line.split("\t") for line in _run([str(python), "reproduce.py"], cwd=elsewhere).stdout.splitlines())
    assert float(lines["speed"]) == pytest.approx(3.932408759124088, rel=1e-12)


def test_an_editable_install_imports_the_sources(tmp_path):
    src = _copy_sources(tmp_path / "src")
    python = _make_venv(tmp_path / "venv")
    _run(_pip("--python", str(python), "install", "--no-deps", *_isolation(), "-e", str(src)),
         cwd=tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = _run([str(python), "-c", "import linreg; print(linreg.__file__)"], cwd=elsewhere).stdout.strip()
    assert Path(where) == src / "linreg" / "__init__.py"


def test_pyproject_keeps_the_pytest_configuration():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pytest_options = config["tool"]["pytest"]["ini_options"]
    assert "--strict-markers" in pytest_options["addopts"]
    assert config["project"]["scripts"]["linreg"] == "linreg.cli:main"
    assert set(config["project"]["optional-dependencies"]) >= {"plots", "app", "scale", "test"}
