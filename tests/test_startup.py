"""What a cold start imports and sends first: the package stays lazy, the first page light.

The imports are checked in a fresh interpreter, since this one has imported everything.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code`` in the repository."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def _top_level_imports(*files: str) -> str:
    """The import statements at the top level of ``files``, as one block of code."""
    lines = []
    for f in files:
        for node in ast.parse((ROOT / f).read_text()).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)) and getattr(node, "module", None) != "__future__":
                lines.append(ast.unparse(node))
    return "\n".join(lines)


def test_importing_the_package_or_its_data_module_imports_no_scipy():
    for code in ("import linreg", "import linreg.data", "from linreg.exceptions import LinregError"):
        modules = _modules_after(code)
        assert not any(m == "scipy" or m.startswith("scipy.") for m in modules), code
        assert "linreg.ols" not in modules and "linreg.complexity" not in modules, code


def test_every_public_name_comes_from_its_module():
    import importlib

    import linreg

    for name in linreg.__all__:
        value = getattr(linreg, name)
        home = linreg._HOME.get(name)
        if home is not None:
            assert value is getattr(importlib.import_module(f"linreg.{home}"), name), name
    assert set(linreg.__all__) <= set(dir(linreg))
    with pytest.raises(AttributeError, match="no attribute 'fit_olz'"):
        linreg.fit_olz  # noqa: B018


def test_the_first_page_imports_nothing_it_does_not_draw():
    # app.py and the Data page, as a cold visit runs them: nothing for larger-than-memory data,
    # the oracles, or the other pages' computations.
    modules = _modules_after(_top_level_imports("app.py", "pages/data.py"))
    for absent in ("dask", "linreg.scale", "statsmodels", "sklearn", "scipy", "linreg.complexity", "linreg.penalized",
                   "linreg.descent", "linreg.quadratic", "linreg.plots.animation"):
        assert not any(m == absent or m.startswith(absent + ".") for m in modules), absent


def test_the_prefetched_chunks_exist_in_the_installed_streamlit():
    # If Streamlit renames its chunks, the prefetch silently sends nothing: this says so.
    from ui import prefetch

    files = prefetch.chunk_files()
    assert [f.split(".")[0] for f in files] == list(prefetch.CHUNKS)
    script = prefetch._script(files)
    assert json.dumps(list(files)) in script and "import(" in script
