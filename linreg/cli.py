"""Command line: ``python -m linreg fit``, ``predict`` and ``generate`` (also installed as ``linreg``).

``fit`` reads a CSV, builds the model terms and prints either a summary in the
style of R's ``summary.lm`` or one JSON object (least squares, gradient descent,
or with ``--penalty`` ridge, lasso or elastic net), with ``--compare-without`` the
F test against a smaller model as R's ``anova``; ``predict`` fits a CSV and predicts
the rows of another, with confidence and prediction intervals; ``generate`` writes
a synthetic dataset as CSV. Bad input exits with status 2 and one line on stderr that says
what is wrong and how to fix it. All the numerics live in the library: this
module parses options, calls it and formats what comes back.
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
import os
import shlex
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .exceptions import LinregError, LinregWarning, ModelError

__all__ = ["main", "build_parser", "JSON_KEYS", "GD_JSON_KEYS", "PENALIZED_JSON_KEYS", "PREDICT_COLUMNS", "COV_TYPES"]

PROG = "python -m linreg"

#: Keys of the ``fit --format json`` object, in the order they are printed.
JSON_KEYS = (
    "terms", "coef", "std_err", "t", "p_value", "ci_low", "ci_high",
    "sigma", "r_squared", "adj_r_squared", "f_statistic", "f_p_value", "df_model", "df_resid",
    "n", "n_dropped", "rank", "aliased", "condition_number",
    "log_likelihood", "aic", "bic", "rss", "method",
)
#: Extra keys printed with ``--method gd``.
GD_JSON_KEYS = (
    "iterations", "converged", "diverged", "message", "final_loss",
    "learning_rate", "max_stable_learning_rate",
)
#: Extra keys printed with ``--penalty`` (``PenalizedResult.to_dict``).
PENALIZED_JSON_KEYS = (
    "penalty", "lam", "l1_ratio", "standardize", "objective", "mse", "kkt_violation", "kkt_relative",
    "converged", "n_iter", "message", "df", "n_nonzero",
)
#: Columns ``predict`` prints after the new rows' own columns (``linreg.predict.PREDICTION_COLUMNS``).
PREDICT_COLUMNS = ("prediction", "se_fit", "ci_low", "ci_high", "pi_low", "pi_high")
#: Covariance estimators of ``--cov-type`` (``fit_ols(cov_type=...)``).
COV_TYPES = ("nonrobust", "HC0", "HC1", "HC2", "HC3", "HAC")
_GD_DEFAULT_ITERATIONS = 1000
_GD_OPTIONS = ("learning_rate", "iterations", "batch_size", "momentum", "standardize", "seed", "tol")
_PENALTY_OPTIONS = ("lam", "l1_ratio")

_FIT_EPILOG = """\
methods:
  qr, svd, normal  closed-form least squares (qr is the accurate default; normal
                   solves the normal equations and is there to show why not to).
  gd               gradient descent on L(w) = (1/N)||y - Xw||^2 over the same terms.
                   Its JSON adds iterations, converged, diverged, message, final_loss,
                   learning_rate and max_stable_learning_rate. rss, sigma, r_squared and
                   adj_r_squared are computed at the GD coefficients (they only need
                   the residuals); std_err, t, p_value, ci_low, ci_high, f_statistic,
                   f_p_value, log_likelihood, aic, bic, rank, aliased and
                   condition_number are null, because they assume the exact
                   least-squares solution: use --method qr for them.
                   Divergence is a result (exit 0, "diverged": true).

penalized fits (--penalty ridge|lasso|elasticnet --lambda L [--l1-ratio A]):
  minimise L(b0, b) = (1/N)||y - b0 - Xb||^2 + λ(α||b||_1 + (1 - α)||b||_2^2),
  the intercept b0 unpenalized; α (--l1-ratio) is 0 for ridge, 1 for the lasso,
  and in [0, 1] for elasticnet (default 0.5). Ridge is solved in closed form, the
  lasso and elastic net by coordinate descent. With --standardize the penalty
  applies to the coefficients of standardized columns; coefficients are reported
  in original units. The JSON has the keys above, with std_err, t, p_value,
  ci_low, ci_high, sigma, adj_r_squared, f_statistic, f_p_value, df_model,
  df_resid, rank, condition_number, log_likelihood, aic and bic null (not
  defined for a penalized fit), plus penalty, lam, l1_ratio, standardize,
  objective, mse, kkt_violation, kkt_relative, converged, n_iter, message, df
  (effective degrees of freedom) and n_nonzero.

least squares options (qr, svd, normal):
  --cov-type HC0..HC3 (heteroscedasticity-robust) or HAC (Newey-West, lag --maxlags)
  changes std_err, t, p_value, the intervals and the F statistic (a Wald test).
  --weights COL fits weighted least squares with the weights in column COL, as R's
  lm(weights=): rows with a missing weight are dropped, a zero weight drops the row.
  --compare-without A,B also fits the model without the terms A and B (a term such as
  x^2 or g[b], a categorical column for all its dummies, an interaction a:b for all its
  products, or Intercept) and prints the F test of R's anova(smaller, larger) with the
  change in R²; with --format json it is the key "comparison".

--format json prints one object: the keys above plus "warnings" (plain-language
warnings, e.g. aliased terms). It never holds NaN or Infinity (null instead, as
for aliased terms) and floats keep full precision.
Exit status: 0 on success, 2 on bad input (one line on stderr says why).
"""


class _UsageError(Exception):
    """An option or argument is invalid; ``main`` turns it into exit status 2."""


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose errors become one line on stderr instead of usage + message."""

    def error(self, message: str) -> NoReturn:
        # argparse would print the whole usage block; one line is easier to read and to grep.
        raise _UsageError(f"{message} (see '{self.prog} --help')")


# ---------------------------------------------------------------------------
# Option value parsers (argparse ``type=`` callables)
# ---------------------------------------------------------------------------

def _parse_features(text: str) -> tuple[str, ...]:
    """Split ``"a,b"`` into column names.

    Examples
    --------
    >>> _parse_features("a, b")
    ('a', 'b')
    """
    names = tuple(part.strip() for part in text.split(","))
    if not all(names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated column names like 'a,b'; got {text!r} with an empty name"
        )
    return names


def _parse_poly(text: str) -> tuple[str, int]:
    """Parse ``COL:DEG`` into ``(column, degree)``.

    The split is on the last colon, so a column name may itself hold a colon.

    Examples
    --------
    >>> _parse_poly("x:3")
    ('x', 3)
    """
    column, sep, degree = text.rpartition(":")
    if not sep or not column.strip():
        raise argparse.ArgumentTypeError(f"expected COL:DEG like 'x:3'; got {text!r}")
    try:
        value = int(degree)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"the degree in {text!r} must be a whole number like 'x:3'"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"the degree in {text!r} must be 1 or more")
    return column.strip(), value


def _parse_interaction(text: str) -> tuple[str, str]:
    """Parse ``A:B`` into ``(a, b)``.

    Examples
    --------
    >>> _parse_interaction("a:b")
    ('a', 'b')
    """
    parts = [part.strip() for part in text.split(":")]
    if len(parts) != 2 or not all(parts):
        raise argparse.ArgumentTypeError(f"expected two columns A:B like 'a:b'; got {text!r}")
    return parts[0], parts[1]


def _number(kind: type, low: float | None = None, high: float | None = None,
            low_open: bool = False, high_open: bool = False):
    """Return an argparse type that parses ``kind`` and checks it lies in [low, high].

    ``low_open``/``high_open`` exclude the bound. NaN and infinities are refused:
    no option of ours means anything with them.

    Examples
    --------
    >>> _number(float, 0, 1, low_open=True, high_open=True)("0.05")
    0.05
    """
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            word = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"expected {word}; got {text!r}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"expected a finite number; got {text!r}")
        if low is not None and (value < low or (low_open and value == low)):
            raise argparse.ArgumentTypeError(f"must be {'>' if low_open else '>='} {low}; got {text}")
        if high is not None and (value > high or (high_open and value == high)):
            raise argparse.ArgumentTypeError(f"must be {'<' if high_open else '<='} {high}; got {text}")
        return value

    parse.__name__ = kind.__name__  # argparse names the type in "invalid <name> value" messages
    return parse


# ---------------------------------------------------------------------------
# Parser
# ---------------------------------------------------------------------------

def build_parser(prog: str = PROG) -> argparse.ArgumentParser:
    """Build the ``python -m linreg`` argument parser with its ``fit``, ``predict`` and ``generate`` commands.

    Parameters
    ----------
    prog : str, default "python -m linreg"
        The program's name in usage lines and the summary's "Call:" line.

    Returns
    -------
    argparse.ArgumentParser
        Its ``error`` raises instead of exiting, so that ``main`` can print one line.
    """
    parser = _Parser(prog=prog, description="Linear regression by closed form and by gradient descent.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="{fit,predict,generate,convert}",
                                     parser_class=_Parser)
    _add_fit_parser(commands)
    _add_predict_parser(commands)
    _add_generate_parser(commands)
    _add_convert_parser(commands)
    return parser


def _add_fit_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "fit", help="fit a linear model to a CSV file",
        description="Fit a linear model to a CSV file and print a summary or one JSON object.",
        epilog=_FIT_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("data", metavar="DATA.csv", help="CSV file (comma, semicolon or tab); '-' reads stdin")
    p.add_argument("--target", required=True, metavar="COL", help="column to predict")
    p.add_argument("--features", type=_parse_features, default=(), metavar="A,B",
                   help="comma-separated feature columns (default: every column except the target)")
    _add_term_options(p)
    p.add_argument("--method", choices=("qr", "svd", "normal", "gd"), default=None,
                   help="solver (default: qr); see 'methods' below")
    p.add_argument("--alpha", type=_number(float, 0, 1, low_open=True, high_open=True), default=0.05,
                   help="significance level for the confidence intervals (default: 0.05)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="output format (default: text)")
    _add_inference_options(p)
    p.add_argument("--compare-without", type=_parse_features, default=None, metavar="TERM[,TERM]",
                   help="also fit the model without these terms and print the F test between the two "
                        "(as R's anova); see 'least squares options' below")
    gd = p.add_argument_group("gradient descent (only with --method gd)")
    gd.add_argument("--learning-rate", type=_number(float, 0, low_open=True), default=None, metavar="LR",
                    help="step size (default: the optimal full-batch rate 2/(lambda_max + lambda_min))")
    gd.add_argument("--iterations", type=_number(int, 1), default=None, metavar="N",
                    help=f"maximum number of iterations (default: {_GD_DEFAULT_ITERATIONS})")
    gd.add_argument("--batch-size", type=_number(int, 1), default=None, metavar="B",
                    help="rows per step (default: all rows, full batch)")
    gd.add_argument("--momentum", type=_number(float, 0, 1, high_open=True), default=None, metavar="BETA",
                    help="heavy-ball momentum in [0, 1) (default: 0)")
    gd.add_argument("--seed", type=int, default=None, help="seed for mini-batch shuffling")
    gd.add_argument("--tol", type=_number(float, 0, low_open=True), default=None,
                    help="stop when the gradient norm falls below this (default: the library's)")
    pen = p.add_argument_group("penalized fits (ridge, lasso, elastic net)")
    pen.add_argument("--penalty", choices=("ridge", "lasso", "elasticnet"), default=None,
                     help="fit with this penalty instead of least squares (needs --lambda)")
    pen.add_argument("--lambda", dest="lam", type=_number(float, 0), default=None, metavar="L",
                     help="penalty weight λ >= 0 (with --penalty)")
    pen.add_argument("--l1-ratio", type=_number(float, 0, 1), default=None, metavar="A",
                     help="α in [0, 1], the lasso share of the penalty (elasticnet only; default 0.5)")
    both = p.add_argument_group("gradient descent and penalized fits")
    both.add_argument("--standardize", action="store_true", default=None,
                      help="run the solver on standardized columns (with --method gd: descent; with --penalty: "
                           "the penalty applies to standardized coefficients); coefficients are still reported "
                           "in original units")
    _add_scale_options(p)
    p.set_defaults(handler=_run_fit)


def _add_term_options(p: argparse.ArgumentParser) -> None:
    """The model-term options shared by ``fit`` and ``predict``."""
    p.add_argument("--poly", type=_parse_poly, action="append", default=[], metavar="COL:DEG",
                   help="polynomial terms COL, COL^2, ... COL^DEG (repeatable)")
    p.add_argument("--categorical", action="append", default=[], metavar="COL",
                   help="treat COL as categorical: one dummy per level but the reference (repeatable)")
    p.add_argument("--interaction", type=_parse_interaction, action="append", default=[], metavar="A:B",
                   help="add the product term A:B (repeatable)")
    p.add_argument("--no-intercept", dest="intercept", action="store_false",
                   help="fit without an intercept (R-squared becomes uncentred)")
    p.add_argument("--standardize-terms", action="store_true",
                   help="standardize the design columns (coefficients are then per standard deviation)")


def _add_inference_options(p: argparse.ArgumentParser) -> None:
    """Covariance and weights of a least-squares fit, shared by ``fit`` and ``predict``."""
    p.add_argument("--cov-type", choices=COV_TYPES, default=None,
                   help="covariance of the coefficients: nonrobust (default), HC0-HC3 (robust to "
                        "heteroscedasticity) or HAC (Newey-West, also robust to autocorrelation)")
    p.add_argument("--maxlags", type=_number(int, 0), default=None, metavar="N",
                   help="lags of the HAC (Newey-West) covariance (only with --cov-type HAC)")
    p.add_argument("--weights", default=None, metavar="COL",
                   help="weighted least squares with the weights in column COL (as R's lm(weights=))")


def _add_predict_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "predict", help="fit a CSV and predict the rows of another, with intervals",
        description="Fit the model to --data and print the prediction for each row of --new, with its "
                    "confidence interval (of the mean) and prediction interval (of a new observation).",
    )
    p.add_argument("--data", required=True, metavar="TRAIN.csv", help="CSV the model is fitted to; '-' reads stdin")
    p.add_argument("--new", required=True, metavar="NEW.csv",
                   help="CSV of new rows with the columns the model uses (the target is not needed)")
    p.add_argument("--target", required=True, metavar="COL", help="column to predict")
    p.add_argument("--features", type=_parse_features, default=(), metavar="A,B",
                   help="comma-separated feature columns (default: every column of TRAIN.csv except the target)")
    _add_term_options(p)
    p.add_argument("--method", choices=("qr", "svd", "normal"), default="qr", help="solver (default: qr)")
    p.add_argument("--alpha", type=_number(float, 0, 1, low_open=True, high_open=True), default=0.05,
                   help="intervals at level 1 - alpha (default: 0.05)")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text",
                   help="text (a table), csv or json (one object per row) (default: text)")
    _add_inference_options(p)
    p.set_defaults(handler=_run_predict)


def _add_generate_parser(commands: argparse._SubParsersAction) -> None:
    from .synthetic import GENERATOR_PARAMS, GENERATORS

    p = commands.add_parser(
        "generate", help="write a synthetic dataset as CSV",
        description="Write a synthetic dataset as CSV to stdout (or -o FILE). "
                    "Each KIND has its own options: 'generate KIND --help'.",
    )
    kinds = p.add_subparsers(dest="kind", required=True, metavar="KIND", parser_class=_Parser)
    for kind in GENERATORS:
        params = GENERATOR_PARAMS.get(kind, {})
        doc = (GENERATORS[kind].__doc__ or "").strip().splitlines()
        k = kinds.add_parser(kind, help=doc[0] if doc else f"{kind} data",
                             description=doc[0] if doc else None)
        _add_generate_options(k, params)
        vectors = _vector_params(GENERATORS[kind], params)
        for name in vectors:
            k.add_argument("--" + name.replace("_", "-"), dest=name, type=_parse_numbers, default=None,
                           metavar="V1,V2,...",
                           help=f"{name} as comma-separated numbers (overrides the scalar knobs; "
                                f"see help(linreg.synthetic.{GENERATORS[kind].__name__}))")
        names = tuple(name for name in params if name != "n") + vectors
        k.set_defaults(handler=_run_generate, params=names)


def _add_generate_options(p: argparse.ArgumentParser, params: dict[str, tuple]) -> None:
    """Add --n, --seed, -o, --truth and one option per entry of the kind's ``GENERATOR_PARAMS``."""
    from .synthetic import DEFAULT_SEED

    n_default, n_low, n_high, _ = params.get("n", (100, 1, None, ""))
    p.add_argument("--n", type=_number(int, n_low, n_high), default=n_default,
                   help=f"number of rows (default: {n_default})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED,
                   help=f"random seed; the same seed gives the same data (default: {DEFAULT_SEED})")
    p.add_argument("-o", "--output", metavar="FILE", default=None, help="write the CSV here instead of stdout")
    p.add_argument("--truth", metavar="FILE", default=None,
                   help="also write the true coefficients and a model hint as JSON to FILE")
    for name, (default, low, high, text) in params.items():
        if name == "n":
            continue
        flag = "--" + name.replace("_", "-")
        if isinstance(default, bool):
            p.add_argument(flag, dest=name, action=argparse.BooleanOptionalAction, default=default,
                           help=f"{text} (default: {default})")
            continue
        kind = _param_type(default, low, high)
        bounds = "" if low is None and high is None else f"; range {_fmt_bound(low)}..{_fmt_bound(high)}"
        p.add_argument(flag, dest=name, type=_number(kind, low, high) if kind in (int, float) else kind,
                       default=default, help=f"{text} (default: {default}{bounds})")


def _vector_params(generator, params: dict[str, tuple]) -> tuple[str, ...]:
    """Keyword parameters of ``generator`` that take a sequence (``coef``, ``effects``).

    ``GENERATOR_PARAMS`` lists only the scalar knobs; the generator's own signature is the
    source of truth for the rest: keyword-only, defaulting to None, annotated as a Sequence.
    """
    names = []
    for name, param in inspect.signature(generator).parameters.items():
        if (param.kind is inspect.Parameter.KEYWORD_ONLY and name not in params and name != "seed"
                and param.default is None and "Sequence" in str(param.annotation)):
            names.append(name)
    return tuple(names)


def _parse_numbers(text: str) -> list[float]:
    """Parse ``"1,-2.5"`` into floats.

    Examples
    --------
    >>> _parse_numbers("1, -2.5")
    [1.0, -2.5]
    """
    try:
        values = [float(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers like '1,-2.5'; got {text!r}") from None
    if not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected finite numbers; got {text!r}")
    return values


def _param_type(default: Any, low: Any, high: Any) -> type:
    """The Python type a generator parameter takes, read from its default and bounds."""
    for value in (default, low, high):
        if isinstance(value, bool):
            return bool
        if isinstance(value, float):
            return float
    for value in (default, low, high):
        if isinstance(value, int):
            return int
        if isinstance(value, str):
            return str
    return float


def _fmt_bound(value: Any) -> str:
    return "" if value is None else str(value)


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments after the program name (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 on bad input (after one line on stderr).
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser(_prog()).parse_args(argv)
        args.argv = argv  # echoed in the text summary's "Call:" line
        return args.handler(args)
    except SystemExit as exc:  # --help and --version exit through argparse
        return exc.code if isinstance(exc.code, int) else 0
    except _UsageError as exc:
        return _fail(str(exc))
    except LinregError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        # The reader (e.g. `| head`) went away: not an error of ours, and nothing left to say.
        _silence_stdout()
        return 0
    except OSError as exc:
        return _fail(_describe_os_error(exc))


def _prog() -> str:
    """How the user called us: ``linreg`` through the installed console script, else ``python -m linreg``."""
    return "linreg" if Path(sys.argv[0]).name == "linreg" else PROG


def _fail(message: str) -> int:
    """Print ``message`` as one line on stderr and return exit status 2."""
    from .report import terminal_safe

    # Library messages are one sentence, but a stray newline must not break the one-line promise,
    # and a column name quoted in it must not send escape codes to the terminal.
    print(f"linreg: error: {' '.join(terminal_safe(message).split())}", file=sys.stderr)
    return 2


def _describe_os_error(exc: OSError) -> str:
    what = exc.strerror or exc.__class__.__name__
    if exc.filename is None:
        return f"{what}; check the file paths"
    return f"cannot open '{exc.filename}': {what}; check the path and that the file is readable"


def _silence_stdout() -> None:
    # Python would report the broken pipe again when flushing stdout at exit.
    try:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit
    except OSError:
        pass


# ---------------------------------------------------------------------------
# fit
# ---------------------------------------------------------------------------

def _run_fit(args: argparse.Namespace) -> int:
    """Load, build, fit and print; see ``python -m linreg fit --help``."""
    if _is_out_of_core(args):
        return _run_fit_scale(args)
    _check_gd_options(args)
    _check_inference_options(args)
    from .data import load_csv
    from .design import build_design
    from .report import fit_warnings, summary_text

    frame = _load(load_csv, args.data)
    frame, n_unweighted = _drop_missing_weights(frame, args.weights)
    spec = _spec(args, frame)
    comparison = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LinregWarning)
        design = build_design(frame, spec)
        if args.penalty is not None:
            result = _fit_penalized(design, args)
        elif args.method == "gd":
            result = _fit_gd(design, args)
        else:
            result = _fit_closed_form(design, args, frame)
            if args.compare_without is not None:
                comparison = _compare_without(design, result, args, frame)
    n_dropped = design.n_dropped + n_unweighted
    messages = _merge_warnings(fit_warnings(result), caught)
    if args.format == "json":
        report = {**_json_report(result, n_dropped), "warnings": messages}
        if comparison is not None:
            report["comparison"] = comparison[0].to_dict()
        print(_to_json(report))
    else:
        print(summary_text(result, target=spec.target, n_dropped=n_dropped, warnings=messages,
                           call=f"{_prog()} {shlex.join(args.argv)}"))
        if comparison is not None:
            from .nested import comparison_text

            cmp, smaller = comparison
            print()
            print(comparison_text(cmp, smaller.terms, result.terms, target=spec.target))
    return 0


def _spec(args: argparse.Namespace, frame):
    """The ModelSpec of the options; without --features, every column but the target and the weights."""
    from .design import ModelSpec

    features = tuple(args.features)
    if not features and args.weights is not None:
        features = tuple(str(c) for c in frame.columns if str(c) not in (args.target, args.weights))
    if args.weights is not None and args.weights in features + tuple(args.categorical):
        raise ModelError(f"the weights column '{args.weights}' is also a predictor; remove it from the features")
    return ModelSpec(
        target=args.target, features=features, categorical=tuple(args.categorical),
        poly=tuple(args.poly), interactions=tuple(args.interaction),
        standardize=args.standardize_terms, intercept=args.intercept,
    )


def _check_inference_options(args: argparse.Namespace) -> None:
    """Refuse covariance, weights and comparison options that the chosen fit would ignore."""
    if args.maxlags is not None and args.cov_type != "HAC":
        raise _UsageError("--maxlags sets the lags of the HAC covariance; add --cov-type HAC or drop --maxlags")
    if args.penalty is not None or args.method == "gd":
        which = f"--penalty {args.penalty}" if args.penalty is not None else "--method gd"
        for flag, value in (("--cov-type", args.cov_type), ("--weights", args.weights),
                            ("--compare-without", args.compare_without)):
            if value is not None:
                raise _UsageError(f"{flag} applies to least-squares fits (qr, svd, normal), not to {which}; drop {flag}")


def _drop_missing_weights(frame, column: str | None):
    """``frame`` without the rows whose weight is missing (as R's lm drops them), and how many."""
    if column is None:
        return frame, 0
    from .design import _short

    names = [str(c) for c in frame.columns]
    if column not in names:
        shown = ", ".join(repr(_short(c)) for c in names[:30])
        raise ModelError(f"unknown weights column '{column}'; the available columns are: {shown}")
    frame = frame.set_axis(names, axis=1)
    missing = frame[column].isna().to_numpy()
    return (frame.loc[~missing], int(missing.sum())) if missing.any() else (frame, 0)


def _inference_options(args: argparse.Namespace, design, frame) -> dict[str, Any]:
    """The fit_ols keywords of --cov-type, --maxlags and --weights; only those given, so plain fits are unchanged."""
    options: dict[str, Any] = {}
    if args.cov_type is not None:
        options["cov_type"] = args.cov_type
    if args.maxlags is not None:
        options["maxlags"] = args.maxlags
    if args.weights is not None:
        from .design import _new_numeric

        options["weights"] = _new_numeric(frame.loc[design.row_labels, args.weights], args.weights)
    return options


def _compare_without(design, result, args: argparse.Namespace, frame):
    """The F test of the fit without ``--compare-without``'s terms against ``result``: (comparison, smaller fit)."""
    from .nested import compare_models, fit_without

    options = _inference_options(args, design, frame)
    smaller = fit_without(design, args.compare_without, method=args.method, alpha=args.alpha, **options)
    return compare_models(smaller, result), smaller


def _check_gd_options(args: argparse.Namespace) -> None:
    """Refuse options that the chosen fit would ignore, and fill in the default method.

    Gradient-descent options need ``--method gd``; ``--lambda``/``--l1-ratio`` need
    ``--penalty``; ``--penalty`` has its own solvers, so it takes no ``--method``;
    ``--standardize`` means the same for both (the solver runs on standardized columns).
    """
    if args.penalty is not None:
        if args.method is not None:
            raise _UsageError(f"--penalty {args.penalty} has its own solver; drop --method {args.method}")
        if args.lam is None:
            raise _UsageError(f"--penalty {args.penalty} needs --lambda L, the penalty weight (e.g. --lambda 0.1)")
        given = [o for o in _GD_OPTIONS if o != "standardize" and getattr(args, o) is not None]
        if given:
            flag = "--" + given[0].replace("_", "-")
            raise _UsageError(f"{flag} only applies with --method gd, not with --penalty; drop {flag}")
        return
    given = [o for o in _PENALTY_OPTIONS if getattr(args, o) is not None]
    if given:
        flag = {"lam": "--lambda", "l1_ratio": "--l1-ratio"}[given[0]]
        raise _UsageError(f"{flag} only applies with --penalty; add --penalty ridge|lasso|elasticnet or drop {flag}")
    if args.method is None:
        args.method = "qr"
    if args.method == "gd":
        return
    given = [o for o in _GD_OPTIONS if getattr(args, o) is not None]
    if given:
        flag = "--" + given[0].replace("_", "-")
        hint = " (to standardize the terms for any method, use --standardize-terms)" if given[0] == "standardize" else ""
        raise _UsageError(f"{flag} only applies with --method gd or --penalty; add --method gd or drop {flag}{hint}")


def _load(load_csv, source: str):
    """Read the CSV at ``source`` ('-' is stdin) with the library's loader.

    The loader itself turns a missing or unreadable file into a ``DataError``.
    """
    return load_csv(sys.stdin.buffer if source == "-" else Path(source))


def _fit_closed_form(design, args: argparse.Namespace, frame=None):
    """Fit by qr/svd/normal: an ``OLSResult``, with the covariance and weights options when given."""
    from .design import fit_design

    options = _inference_options(args, design, frame)
    if not options:
        return fit_design(design, method=args.method, alpha=args.alpha)
    from .ols import fit_ols

    return fit_ols(design.X, design.y, intercept=design.intercept, method=args.method, alpha=args.alpha,
                   terms=design.terms, basis=design.basis, **options)


def _fit_gd(design, args: argparse.Namespace):
    """Fit by gradient descent on the design's columns: a ``GDResult``."""
    from .descent import gradient_descent
    from .quadratic import learning_rate_bounds

    X, y = design.X, design.y
    n, k = X.shape[0], X.shape[1] + int(design.intercept)
    if n < k:
        raise ModelError(
            f"{n} rows but {k} parameters to estimate; give more rows or fewer terms"
        )
    standardize = bool(args.standardize)
    rate = args.learning_rate
    if rate is None:
        rate = learning_rate_bounds(X, intercept=design.intercept, standardize=standardize)[1]
    options = dict(
        learning_rate=rate,
        n_iter=args.iterations or _GD_DEFAULT_ITERATIONS,
        intercept=design.intercept, standardize=standardize, batch_size=args.batch_size,
        momentum=args.momentum or 0.0, seed=args.seed, terms=design.terms,
    )
    if args.tol is not None:
        options["tol"] = args.tol
    return gradient_descent(X, y, **options)


def _fit_penalized(design, args: argparse.Namespace):
    """Fit ridge, lasso or elastic net: a ``PenalizedResult``."""
    from .penalized import fit_penalized, l1_ratio_for

    a = l1_ratio_for(args.penalty, args.l1_ratio)
    return fit_penalized(design.X, design.y, lam=args.lam, l1_ratio=a, intercept=design.intercept,
                         standardize=bool(args.standardize), terms=design.terms)


def _merge_warnings(own: Sequence[str], caught: Sequence[warnings.WarningMessage]) -> list[str]:
    """The result's plain-language warnings plus linreg warnings raised on the way, without repeats.

    Warnings that are not linreg's (numpy, pandas) are re-issued unchanged, so nothing is hidden.
    """
    messages = list(own)
    for w in caught:
        if issubclass(w.category, LinregWarning):
            messages.append(str(w.message))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return list(dict.fromkeys(" ".join(m.split()) for m in messages))


# ---------------------------------------------------------------------------
# predict
# ---------------------------------------------------------------------------

def _run_predict(args: argparse.Namespace) -> int:
    """Fit --data, predict --new; see ``python -m linreg predict --help``."""
    args.penalty, args.compare_without = None, None
    _check_inference_options(args)
    from .data import load_csv
    from .design import build_design
    from .predict import predict
    from .report import terminal_safe

    frame = _load(load_csv, args.data)
    new = _load(load_csv, args.new)
    frame, _ = _drop_missing_weights(frame, args.weights)
    if args.weights is not None:
        # A zero weight takes its row out of the fit (as R's lm does); the predictions are made
        # from the fitted rows' design, so those rows leave the design too.
        import pandas as pd

        weight = pd.to_numeric(frame[args.weights], errors="coerce")
        frame = frame.loc[~(weight == 0).to_numpy()]
    spec = _spec(args, frame)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LinregWarning)
        design = build_design(frame, spec)
        result = _fit_closed_form(design, args, frame)
    for message in _merge_warnings((), caught):
        print(f"linreg: warning: {terminal_safe(message)}", file=sys.stderr)
    table = predict(result, design, new.set_axis([str(c) for c in new.columns], axis=1), alpha=args.alpha)
    used = [c for c in dict.fromkeys(list(design.predictors) + [c for pair in spec.interactions for c in pair])]
    shown = new.set_axis([str(c) for c in new.columns], axis=1)[used].reset_index(drop=True)
    out = shown.join(table.reset_index(drop=True))
    if args.format == "csv":
        sys.stdout.write(out.to_csv(index=False))
    elif args.format == "json":
        print(json.dumps(_json_safe(out.to_dict(orient="records")), allow_nan=False))
    else:
        print(_prediction_text(out, args.alpha))
    return 0


def _prediction_text(out, alpha: float) -> str:
    """The prediction table as aligned text: the new rows' columns, then the predictions and intervals."""
    from .report import _fmt, _table, terminal_safe

    level = f"{100 * (1 - alpha):g}%"
    header = ["row", *(terminal_safe(c) for c in out.columns)]
    rows = []
    for i, row in enumerate(out.itertuples(index=False)):
        cells = [str(i + 1)]
        for value in row:
            cells.append(_fmt(value) if isinstance(value, (float, np.floating)) else terminal_safe(value))
        rows.append(cells)
    lines = _table(header, rows)
    lines += ["", f"ci: {level} confidence interval of the mean; pi: {level} prediction interval of a new observation"]
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# fit out of core (linreg.scale) and convert
# ---------------------------------------------------------------------------

def _add_scale_options(p: argparse.ArgumentParser) -> None:
    """Options of the out-of-core fit (a glob, directory, .parquet file or URL, or --engine dask)."""
    g = p.add_argument_group(
        "data larger than memory (a glob, a directory, a .parquet file or a URL; or --engine dask)")
    g.add_argument("--engine", choices=("memory", "dask"), default=None,
                   help="memory: load the CSV; dask: fit a partition at a time with linreg.scale "
                        "(default: dask for a glob, directory, .parquet file or URL, else memory)")
    g.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="dask.distributed scheduler address, or threads/sync/processes "
                        "(default: $DASK_SCHEDULER_ADDRESS, else in-process threads)")
    g.add_argument("--refine", default="auto", type=_parse_refine, metavar="auto|N",
                   help="refinement passes with extended-precision residuals (default: auto, one or two)")
    g.add_argument("--sample", type=_number(int, 0), default=None, metavar="N",
                   help="rows in the diagnostics sample (default: 10000); 0 with no --residuals-out skips "
                        "the diagnostics pass. With --method gd --batch-size B: rows of the in-memory sample "
                        "mini-batch descent runs on (default: 100000); full-batch descent uses every row")
    g.add_argument("--residuals-out", default=None, metavar="PATH",
                   help="write every row's fitted value, residual, leverage and influence to Parquet at PATH")


def _parse_refine(text: str):
    """``auto`` or a whole number of passes 0..10.

    Examples
    --------
    >>> _parse_refine("auto"), _parse_refine("2")
    ('auto', 2)
    """
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected 'auto' or a number of passes like 1; got {text!r}") from None
    if not 0 <= value <= 10:
        raise argparse.ArgumentTypeError(f"the number of refinement passes must be 0..10; got {text}")
    return value


def _is_out_of_core(args: argparse.Namespace) -> bool:
    """Whether ``fit`` goes through linreg.scale: --engine dask, or a data argument that names a dataset."""
    if args.engine is not None:
        return args.engine == "dask"
    from .scale import is_out_of_core_path

    return args.data != "-" and is_out_of_core_path(args.data)


def _run_fit_scale(args: argparse.Namespace) -> int:
    """Fit out of core with linreg.scale and print as ``fit`` does; progress per partition on stderr."""
    if args.penalty is not None or args.method not in (None, "qr", "gd"):
        what = f"--penalty {args.penalty}" if args.penalty is not None else f"--method {args.method}"
        raise _UsageError(f"{what} is not available out of core (least squares by QR, or --method gd); drop it, "
                          "or fit a sample in memory")
    _check_gd_options(args)
    from . import scale
    from .design import ModelSpec
    from .report import terminal_safe

    spec = ModelSpec(
        target=args.target, features=tuple(args.features), categorical=tuple(args.categorical),
        poly=tuple(args.poly), interactions=tuple(args.interaction),
        standardize=args.standardize_terms, intercept=args.intercept,
    )
    sample = 10_000 if args.sample is None else args.sample
    tty = sys.stderr.isatty()

    def progress(stage: str, done: int, total: int) -> None:
        end = "\r" if tty and done < total else "\n"
        if tty or done == total:
            print(f"linreg: {stage}: {done}/{total} partitions", end=end, file=sys.stderr, flush=True)

    if args.method == "gd":
        return _run_gd_scale(args, spec, progress)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LinregWarning)
        result = scale.fit_ols(args.data, spec=spec, alpha=args.alpha, client=args.scheduler, refine=args.refine,
                               diagnostics=bool(sample) or args.residuals_out is not None, sample=sample,
                               progress=progress)
        if args.residuals_out is not None:
            result.residuals().to_parquet(args.residuals_out, write_index=False)
    messages = _merge_warnings(result.warnings, caught)
    if args.format == "json":
        report = {key: getattr(result, key) for key in JSON_KEYS}
        report["warnings"] = messages
        report["diagnostics"] = None if result.diagnostics is None else result.diagnostics.to_dict()
        print(_to_json(report))
    else:
        from .report import summary_text

        text = summary_text(result.as_ols_view(), target=spec.target, n_dropped=result.n_dropped,
                            warnings=messages, call=f"{PROG} {shlex.join(args.argv)}")
        print(text, end="")
        if result.diagnostics is not None:
            d = result.diagnostics
            lines = ["", "Residual diagnostics (every row, streamed):"]
            for t in (d.breusch_pagan, d.jarque_bera, d.durbin_watson):
                lines.append(f"  {t.name}: {t.reading}")
            lines.append(f"  leverage: max {d.leverage_max:.3g}; |studentized residual| > 3: "
                         f"{d.n_studentized_over_3} rows; largest Cook's distance {d.cooks_max:.3g}")
            print(terminal_safe("\n".join(lines), keep_newlines=True))
    return 0


def _run_gd_scale(args: argparse.Namespace, spec, progress) -> int:
    """Gradient descent out of core (full batch from the Gram matrix; mini-batch on a sample), printed as ``fit``."""
    from . import scale

    options: dict[str, Any] = {
        "learning_rate": args.learning_rate, "n_iter": args.iterations or _GD_DEFAULT_ITERATIONS,
        "standardize": bool(args.standardize), "batch_size": args.batch_size, "momentum": args.momentum or 0.0,
        "seed": args.seed, "client": args.scheduler, "progress": progress,
    }
    if args.tol is not None:
        options["tol"] = args.tol
    if args.sample is not None and args.batch_size is not None:
        options["sample"] = args.sample
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", LinregWarning)
        result = scale.gradient_descent(args.data, spec=spec, **options)
    messages = _merge_warnings((), caught)
    if args.format == "json":
        print(_to_json({**_json_report(result, result.n_dropped), "warnings": messages, "note": result.note}))
    else:
        print(result.summary(target=spec.target, call=f"{PROG} {shlex.join(args.argv)}"), end="")
    return 0


def _add_convert_parser(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "convert", help="rewrite a CSV file as Parquet (read ~12x faster by out-of-core fits)",
        description="Rewrite a CSV file (or a quoted glob of them) as Parquet, streaming (bounded memory).",
    )
    p.add_argument("source", metavar="DATA.csv", help="CSV file, or a quoted glob like 'data/*.csv'")
    p.add_argument("dest", metavar="OUT", help="a .parquet file, or a folder for part-00000.parquet, ...")
    p.add_argument("--rows-per-file", type=_number(int, 1), default=1_000_000, metavar="N",
                   help="rows per Parquet file (or row group, for one .parquet file); default 1000000")
    p.set_defaults(handler=_run_convert)


def _run_convert(args: argparse.Namespace) -> int:
    """``python -m linreg convert DATA.csv OUT``: print the files written, one a line."""
    from .scale import convert

    for path in convert(args.source, args.dest, rows_per_file=args.rows_per_file):
        print(path)
    return 0


# ---------------------------------------------------------------------------
# JSON
# ---------------------------------------------------------------------------

def _json_report(result, n_dropped: int) -> dict[str, Any]:
    """The ``fit --format json`` keys of a result, in order, without "warnings".

    Keys a fit does not define are None (JSON null); see the ``--help`` epilog.
    """
    from .descent import GDResult
    from .ols import OLSResult
    from .scale._descent import ScaleGDResult

    if isinstance(result, OLSResult):
        # The result's attributes are named as the JSON keys; only n_dropped belongs to the design.
        return {key: n_dropped if key == "n_dropped" else getattr(result, key) for key in JSON_KEYS}
    if isinstance(result, (GDResult, ScaleGDResult)):
        report: dict[str, Any] = dict.fromkeys(JSON_KEYS)
        report.update(terms=result.terms, coef=result.coef, n=result.n, n_dropped=n_dropped, method="gd",
                      df_model=len(result.terms) - int(result.intercept), df_resid=result.df_resid)
        report.update({key: getattr(result, key) for key in ("rss", "sigma", "r_squared", "adj_r_squared")})
        report.update(
            iterations=result.n_iter, converged=result.converged, diverged=result.diverged,
            message=result.message, final_loss=result.final_loss, learning_rate=result.learning_rate,
            max_stable_learning_rate=result.max_stable_learning_rate,
        )
        return report
    out = result.to_dict()
    report = {key: n_dropped if key == "n_dropped" else out[key] for key in JSON_KEYS}
    report.update({key: out[key] for key in PENALIZED_JSON_KEYS})
    return report


def _json_safe(value: Any) -> Any:
    """Convert numpy values to plain Python, with NaN and infinities as None.

    Examples
    --------
    >>> _json_safe(np.array([1.5, np.nan, np.inf]))
    [1.5, None, None]
    """
    if isinstance(value, np.ndarray):
        return [_json_safe(v) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def _to_json(report: dict[str, Any]) -> str:
    """``report`` as one JSON object; floats keep full precision (repr)."""
    # allow_nan=False is a guard: _json_safe has already replaced every NaN and infinity.
    return json.dumps(_json_safe(report), allow_nan=False)


# ---------------------------------------------------------------------------
# generate
# ---------------------------------------------------------------------------

def _run_generate(args: argparse.Namespace) -> int:
    """Write ``make_data(kind, n=..., seed=..., **params)`` as CSV, and the truth as JSON if asked."""
    from .synthetic import make_data

    # A sequence option left out stays out, so the generator uses its scalar knobs.
    params = {name: getattr(args, name) for name in args.params if getattr(args, name) is not None}
    synth = make_data(args.kind, n=args.n, seed=args.seed, **params)
    text = synth.data.to_csv(index=False)
    if args.output is None:
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)
    if args.truth is not None:
        truth = {"kind": args.kind, "target": synth.target, "coef": synth.coef,
                 "spec_hint": synth.spec_hint, "description": synth.description, "params": synth.params}
        Path(args.truth).write_text(json.dumps(_json_safe(truth), allow_nan=False, indent=2) + "\n")
    return 0
