"""The R-style summary and the short repr of fit results (linreg.report).

The expected texts in tests/data/summary were printed by ``python -m linreg fit`` at
commit 2317031, before the summary moved out of the CLI; ``cases.json`` holds the
arguments of each run. The public summary must reproduce them byte for byte.
"""

from __future__ import annotations

import json
import re
import shlex
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from linreg.cli import main
from linreg.data import load_csv
from linreg.descent import gradient_descent
from linreg.design import ModelSpec, build_design, fit_design
from linreg.exceptions import LinregWarning, ModelError
from linreg.ols import fit_ols
from linreg.penalized import fit_penalized
from linreg.quadratic import learning_rate_bounds
from linreg.report import fit_warnings, summary_text, terminal_safe

DATA = Path(__file__).resolve().parent / "data" / "summary"
CASES = json.loads((DATA / "cases.json").read_text(encoding="utf-8"))


def _expected(name: str, ext: str = "txt") -> str:
    return (DATA / f"{name}.{ext}").read_text(encoding="utf-8")


def _option(argv: list[str], flag: str, default=None):
    return argv[argv.index(flag) + 1] if flag in argv else default


def _fit_like_the_cli(argv: list[str]):
    """Build the design and fit it with the library, reading the options as the CLI does."""
    df = load_csv(DATA / argv[1])
    pairs = [_option(argv[i:], "--poly") for i, a in enumerate(argv) if a == "--poly"]
    inter = [_option(argv[i:], "--interaction") for i, a in enumerate(argv) if a == "--interaction"]
    spec = ModelSpec(
        target=_option(argv, "--target"),
        categorical=tuple(_option(argv[i:], "--categorical") for i, a in enumerate(argv) if a == "--categorical"),
        poly=tuple((p.split(":")[0], int(p.split(":")[1])) for p in pairs),
        interactions=tuple(tuple(p.split(":")) for p in inter),
        standardize="--standardize-terms" in argv, intercept="--no-intercept" not in argv,
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LinregWarning)
        design = build_design(df, spec)
        standardize = "--standardize" in argv
        if "--penalty" in argv:
            penalty = _option(argv, "--penalty")
            a = {"ridge": 0.0, "lasso": 1.0}.get(penalty, float(_option(argv, "--l1-ratio", 0.5)))
            result = fit_penalized(design.X, design.y, lam=float(_option(argv, "--lambda")), l1_ratio=a,
                                   intercept=design.intercept, standardize=standardize, terms=design.terms)
        elif _option(argv, "--method") == "gd":
            rate = _option(argv, "--learning-rate")
            rate = float(rate) if rate else learning_rate_bounds(design.X, intercept=design.intercept,
                                                                 standardize=standardize)[1]
            batch = _option(argv, "--batch-size")
            options = dict(learning_rate=rate, n_iter=int(_option(argv, "--iterations", 1000)),
                           intercept=design.intercept, standardize=standardize,
                           batch_size=int(batch) if batch else None,
                           momentum=float(_option(argv, "--momentum", 0.0)),
                           seed=int(_option(argv, "--seed")) if "--seed" in argv else None, terms=design.terms)
            if "--tol" in argv:
                options["tol"] = float(_option(argv, "--tol"))
            result = gradient_descent(design.X, design.y, **options)
        else:
            result = fit_design(design, method=_option(argv, "--method", "qr"),
                                alpha=float(_option(argv, "--alpha", 0.05)))
    caught_messages = [str(w.message) for w in caught if issubclass(w.category, LinregWarning)]
    return result, spec, design, caught_messages


# ----------------------------------------------------------------------------- byte for byte

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _last_digit(printed: str) -> float:
    """The value of one unit in the last printed digit of ``printed`` ("3.18e-14" -> 1e-16)."""
    mantissa, _, exponent = printed.lower().lstrip("+-").partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def same_up_to_rounding(got: str, want: str) -> bool:
    """Whether two printed summaries say the same thing, allowing only the noise of another CPU.

    The fixtures were printed on one machine; OpenBLAS picks its kernels by CPU, so another
    machine may differ in a last printed digit, or in a quantity that is rounding noise itself
    (a gradient norm of 3e-14). Every word and symbol must be equal (runs of spaces, which move
    when a number's width changes, count as one); each number must be equal, within one unit
    of its last printed digit, or within 1e-12 of the other; integers (counts, degrees of
    freedom) must be equal.
    """
    if [" ".join(p.split()) for p in _NUMBER.split(got)] != [" ".join(p.split()) for p in _NUMBER.split(want)]:
        return False
    for a, b in zip(_NUMBER.findall(got), _NUMBER.findall(want), strict=True):
        if a == b:
            continue
        if not any(c in a + b for c in ".eE"):
            return False
        gap = abs(float(a) - float(b))
        if gap > 1.0001 * max(_last_digit(a), _last_digit(b)) and gap > 1e-12:
            return False
    return True


def test_same_up_to_rounding_allows_noise_and_nothing_else():
    text = "coef 1.234 (se 0.05612), gradient norm 3.18e-14, F on 2 and 47 DF"
    assert same_up_to_rounding(text, text.replace("1.234", "1.235").replace("3.18e-14", "3.64e-14"))
    assert not same_up_to_rounding(text, text.replace("1.234", "1.244"))  # the third digit
    assert not same_up_to_rounding(text, text.replace("47 DF", "48 DF"))
    assert not same_up_to_rounding(text, text.replace("gradient", "gradients"))
    assert not same_up_to_rounding(text, text + " 1")


def _json_agrees(got: dict, want: dict) -> None:
    """JSON of the same fit: equal keys in order, strings and integers equal, floats to 1e-9 relative
    (or 1e-12 absolute, for noise-level quantities), messages by :func:`same_up_to_rounding`; the
    noise of another CPU's BLAS, no more."""
    assert list(got) == list(want)
    for key, value in want.items():
        if isinstance(value, float) or (isinstance(value, list) and any(isinstance(v, float) for v in value)):
            assert_allclose(np.array(got[key], dtype=float), np.array(value, dtype=float), rtol=1e-9, atol=1e-12,
                            equal_nan=True, err_msg=key)
        elif isinstance(value, str):
            assert same_up_to_rounding(got[key], value), (key, got[key])
        else:
            assert got[key] == value, key


@pytest.mark.parametrize("name", sorted(CASES))
def test_summary_text_matches_the_cli_at_2317031(capsys, monkeypatch, name):
    argv = CASES[name]
    result, spec, design, caught = _fit_like_the_cli(argv)
    text = summary_text(result, target=spec.target, n_dropped=design.n_dropped,
                        warnings=[*fit_warnings(result), *caught], call=f"python -m linreg {shlex.join(argv)}")
    # print() added the last newline.
    assert same_up_to_rounding(text + "\n", _expected(name)), text
    # On one machine the library's text and the CLI's are the same bytes.
    monkeypatch.chdir(DATA)
    assert main(argv) == 0
    assert capsys.readouterr().out == text + "\n"


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_cli_prints_the_same_text_and_json(capsys, monkeypatch, name):
    monkeypatch.chdir(DATA)
    assert main(CASES[name]) == 0
    out = capsys.readouterr().out
    assert same_up_to_rounding(out, _expected(name)), out
    assert main([*CASES[name], "--format", "json"]) == 0
    _json_agrees(json.loads(capsys.readouterr().out), json.loads(_expected(name, "json")))


def test_ols_summary_method_is_summary_text():
    result, spec, design, _ = _fit_like_the_cli(CASES["stackloss_qr"])
    assert result.summary(target="stack_loss") == summary_text(result, target="stack_loss")
    expected = _expected("stackloss_qr").split("\n", 1)[1]  # without the Call line
    assert result.summary(target="stack_loss") + "\n" == expected
    call = "python -m linreg " + shlex.join(CASES["stackloss_qr"])
    assert result.summary(target="stack_loss", call=call) + "\n" == _expected("stackloss_qr")


def test_summary_defaults_and_n_dropped():
    r = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0])
    text = r.summary(n_dropped=3)
    assert text.startswith("Method: least squares by Householder QR\nFormula: y ~ x1\n")
    assert "Observations: 4 used, 3 dropped for missing values\n" in text
    assert "Warnings:" not in text and text.endswith("\n") and not text.endswith("\n\n")


def test_warnings_are_one_line_each_and_not_repeated():
    r = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0])
    text = summary_text(r, warnings=["first\n  line", "first line", "second"])
    assert text.endswith("Warnings:\n  - first line\n  - second\n")


def test_penalized_default_warnings_are_its_message_when_not_converged():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = X @ [1.0, -2.0, 0.0, 0.5] + rng.normal(size=30)
    res = fit_penalized(X, y, lam=0.01, l1_ratio=1.0, max_iter=1, tol=1e-14)
    assert not res.converged
    assert fit_warnings(res) == (res.message,)
    assert summary_text(res).endswith(f"Warnings:\n  - {res.message}\n")


def test_summary_text_refuses_other_objects():
    with pytest.raises(ModelError, match="summary_text takes an OLSResult, GDResult or PenalizedResult"):
        summary_text({"coef": [1.0]})


# ----------------------------------------------------------------------------- hostile names


HOSTILE = "x\x1b[31mRED\x1b[0m\x1b]0;pwned\x07\r\n\x08\x9b2J\u202e"


def test_summary_has_no_control_characters_whatever_the_names():
    rng = np.random.default_rng(1)
    df = pd.DataFrame({HOSTILE: rng.normal(size=20), "t\x1bc": rng.normal(size=20)})
    spec = ModelSpec(target="t\x1bc")
    design = build_design(df, spec)
    for result in (fit_design(design),
                   gradient_descent(design.X, design.y, learning_rate=0.1, n_iter=50, terms=design.terms),
                   fit_penalized(design.X, design.y, lam=0.1, l1_ratio=1.0, terms=design.terms)):
        text = summary_text(result, target=spec.target, call=f"fit {HOSTILE}", warnings=[HOSTILE])
        assert not any(ord(c) < 32 and c != "\n" or 0x7F <= ord(c) <= 0x9F or c == "\u202e" for c in text)
        assert "xRED" in text  # the printable part of the name stays
        assert "[31m" not in text and "pwned" not in text
        # The name stays on its line: no line of the summary starts with its remains.
        assert all(not line.startswith("RED") for line in text.splitlines())


@pytest.mark.parametrize("raw, clean", [
    ("plain name", "plain name"),
    ("λ, é, 日本", "λ, é, 日本"),
    ("a\x1b[1;31mb\x1b[0m", "ab"),
    ("a\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "alink"),  # OSC 8 hyperlink
    ("a\x1b]0;title\x07b", "ab"),
    ("a\x9b2Jb", "ab"),
    ("a\x1bcb", "ab"),  # ESC c resets the terminal
    ("a\rb\nc\td", "a b c d"),
    ("a\x00\x07\x08\x7f\x85\x9fb", "a b"),
    ("abc\u202edef\u2066g", "abcdefg"),
])
def test_terminal_safe(raw, clean):
    assert terminal_safe(raw) == clean


def test_terminal_safe_keeps_newlines_only_when_asked():
    assert terminal_safe("a\nb\r\n", keep_newlines=True) == "a\nb\n"
    assert terminal_safe(12) == "12"


# ----------------------------------------------------------------------------- short repr


@pytest.mark.parametrize("n", [10, 1_000, 100_000])
def test_repr_of_every_result_is_short_at_any_n(n):
    rng = np.random.default_rng(n)
    X = rng.normal(size=(n, 3))
    y = X @ [1.0, 2.0, -1.0] + rng.normal(size=n)
    results = [fit_ols(X, y), gradient_descent(X, y, learning_rate=0.1, n_iter=100),
               fit_penalized(X, y, lam=0.1, l1_ratio=0.5)]
    for result in results:
        assert len(repr(result)) < 1000 and "\n" not in repr(result)


def test_repr_says_what_the_fit_is():
    r = fit_ols([[0.0], [1.0], [2.0], [3.0]], [1.0, 3.0, 5.0, 8.0])
    assert repr(r) == ("OLSResult(method='qr', n=4, k=2, rank=2, r_squared=0.988785, sigma=0.387298, "
                       "terms=('Intercept', 'x1'), coef=array([0.8, 2.3]))")
    g = gradient_descent([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0], learning_rate=0.1, n_iter=3)
    assert repr(g).startswith("GDResult(terms=('Intercept', 'x1'), coef=array([")
    assert "n=3, n_iter=3, converged=False, diverged=False, final_loss=" in repr(g)
    p = fit_penalized([[0.0], [1.0], [2.0], [4.0]], [1.0, 3.0, 5.0, 8.0], lam=0.5, l1_ratio=1.0)
    assert repr(p).startswith("PenalizedResult(")
    assert "lam=0.5" in repr(p) and "l1_ratio=1" in repr(p)


def test_repr_cuts_many_terms_and_long_names():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(200, 60))
    names = [f"{'long' * 2500}{j}\x1b[31m" for j in range(60)]  # 10,000-character names
    r = fit_ols(X, X.sum(axis=1) + rng.normal(size=200), terms=names)
    text = repr(r)
    assert len(text) < 1000
    assert "... +55 more" in text  # Intercept and five names, then the count of the rest
    assert "\x1b" not in text  # a repr shows strings as literals: escapes are never raw
    assert text.count("...',") == 5  # each name shown is cut
