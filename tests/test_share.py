"""Shareable links: the state survives a round trip through query parameters, and bad links are refused."""

import typing

import pytest

from linreg.design import ModelSpec
from linreg.exceptions import ModelError
from linreg.sources import DataSource
from linreg.synthetic import make_data
from ui import settings
from ui.share import PENALTIES, Shared, decode, encode, left_out


def _roundtrip(shared: Shared) -> Shared:
    query = encode(shared)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in query.items())
    return decode(query)


def test_builtin_spec_and_settings_round_trip():
    spec = ModelSpec("dist", ("speed",), poly=(("speed", 2),), standardize=True, intercept=False)
    shared = Shared(DataSource("builtin", "cars"), spec, {"method": "svd", "alpha": 0.1},
                    {"learning_rate": 0.05, "n_iter": 300, "batch_size": 8, "momentum": 0.9,
                     "standardize": False, "seed": 4, "ridge": 0.25}, iteration=17)
    back = _roundtrip(shared)
    assert back.source == shared.source
    assert back.spec == spec
    assert back.fit == {"method": "svd", "alpha": 0.1}
    assert back.gd == shared.gd
    assert back.iteration == 17


def test_regularization_settings_lambda_and_lesson_round_trip():
    reg = {"penalty": "elasticnet", "alpha": 0.3, "standardize": False, "cv_seed": 7}
    lam = 0.1 + 0.2  # not 0.3: every digit must survive
    query = encode(Shared(DataSource("builtin", "cars"), reg=reg, reg_lambda=lam, lesson=7))
    assert {k: query[k] for k in ("pen", "mix", "rstd", "rseed", "lesson")} == {
        "pen": "elasticnet", "mix": "0.3", "rstd": "0", "rseed": "7", "lesson": "7"}
    back = decode(query)
    assert back.reg == reg
    assert back.reg_lambda == lam
    assert back.lesson == 7


def test_no_lambda_and_the_first_lesson_stay_out_of_the_link():
    query = encode(Shared(DataSource("builtin", "cars"), reg={"penalty": "ridge"}, reg_lambda=None, lesson=1))
    assert "lam" not in query and "lesson" not in query
    back = decode(query)
    assert back.reg == {"penalty": "ridge"} and back.reg_lambda is None and back.lesson is None


@pytest.mark.parametrize(("text", "alpha"), [("0.3", 0.3), ("0.30000000000000004", 0.3), ("0.95", 0.95),
                                             ("5e-2", 0.05)])
def test_the_mix_is_read_as_the_sliders_step(text, alpha):
    assert decode({"data": "cars", "mix": text}).reg["alpha"] == alpha


def test_the_penalties_a_link_may_name_are_the_apps():
    assert typing.get_args(settings.Penalty) == PENALTIES
    assert set(PENALTIES) == {"ridge", "lasso", "elasticnet"}


def test_generator_source_round_trips_and_rebuilds_the_same_data():
    params = (("groups", 4), ("n", 40), ("noise", 0.5))
    spec = ModelSpec("y", ("x", "group"), categorical=("group",), interactions=(("x", "group"),))
    back = _roundtrip(Shared(DataSource("synthetic", "categorical", params, seed=11), spec))
    assert back.source == DataSource("synthetic", "categorical", params, seed=11)
    assert back.spec == spec
    first = make_data("categorical", **dict(params), seed=11).data
    again = make_data("categorical", **back.source.generator_kwargs).data
    assert first.equals(again)


def test_floats_keep_every_digit():
    back = _roundtrip(Shared(DataSource("builtin", "cars"), gd={"learning_rate": 0.1 + 0.2}))
    assert back.gd["learning_rate"] == 0.1 + 0.2


def test_an_upload_shares_settings_but_not_data():
    query = encode(Shared(DataSource("csv", "mine.csv"), ModelSpec("y"), {"method": "qr"}))
    assert query == {"method": "qr"}
    # The link names no data: it opens the default data with these settings.
    assert decode(query) == Shared(None, fit={"method": "qr"})


def test_names_with_separators_are_left_out_of_the_link():
    query = encode(Shared(DataSource("builtin", "cars"), ModelSpec("y", ("a,b",))))
    assert "target" not in query and "features" not in query


def test_a_link_naming_nothing_the_app_knows_restores_nothing():
    assert decode({}) is None
    assert decode({"utm_source": "mail"}) is None


@pytest.mark.parametrize(("query", "named"), [
    ({"gen": "collinear", "p": "4"}, "parameter 'p' is not a parameter the app reads, so it was left out (a "
                                     "generator's settings are written g_<name>: g_p)"),
    ({"data": "cars", "lesson3": "", "Lr": "0.1"}, "parameters 'lesson3', 'Lr' are not parameters the app reads, so "
                                                   "they were left out;"),
    ({"data": "cars", "gen": "linear"}, "parameter 'gen' is not a"),  # two sources: the first is followed
    ({"features": "speed"}, "parameter 'features' is not a"),  # model terms travel with their target
    ({"gen": "linear", "g_degree": "2"}, "parameter 'g_degree' is not a"),  # polynomial's knob, not linear's
    ({"large_seed": "3"}, "parameter 'large_seed' is not a"),
    ({"x" * 10_000: "1"}, f"parameter '{'x' * 60}…' is not a"),  # a stranger's name, quoted in part
    ({f"a{i}": "1" for i in range(7)}, "parameters 'a0', 'a1', 'a2', 'a3', 'a4' and 2 more are not"),
])
def test_a_parameter_the_link_does_not_read_is_named(query, named):
    assert named in left_out(query)
    assert left_out(query).endswith("the rest of the link was followed.")


@pytest.mark.parametrize("query", [
    {}, {"lesson": "3"}, {"gen": "linear", "g_p": "2", "g_seed": "4"}, {"utm_source": "mail", "fbclid": "x"},
    encode(Shared(DataSource("builtin", "cars"), ModelSpec("dist", ("speed",)))),
])
def test_a_link_read_whole_has_nothing_left_out(query):
    assert left_out(query) is None


@pytest.mark.parametrize(("query", "expected"), [
    ({"lr": "0.1"}, Shared(None, gd={"learning_rate": 0.1})),
    ({"lesson": "3"}, Shared(None, lesson=3)),
    ({"k": "20"}, Shared(None, iteration=20)),
    ({"k": "20", "lr": "0.05"}, Shared(None, gd={"learning_rate": 0.05}, iteration=20)),
    ({"pen": "ridge", "lam": "0.5"}, Shared(None, reg={"penalty": "ridge"}, reg_lambda=0.5)),
])
def test_a_short_link_names_some_settings_and_no_data(query, expected):
    assert decode(query) == expected


def test_a_generator_link_without_a_seed_gets_the_default_seed():
    assert decode({"gen": "linear", "g_n": "30"}).source == DataSource("synthetic", "linear", (("n", 30),), seed=0)


@pytest.mark.parametrize("group", ["fit", "gd", "reg", "view"])
def test_every_setting_round_trips_at_its_ends_and_middle(group):
    # One table gives the widget's range and the link's: each end and the middle survives a link.
    from ui.settings import FIELDS

    for name, f in FIELDS[group].items():
        if f.kind == "column":
            _column_round_trips(f, name, group)
            continue
        if f.kind == "choice":
            values = list(f.options)
        elif f.kind == "bool":
            values = [False, True]
        else:
            middle = (f.low + f.high) / 2
            values = [f.low, round(middle / f.step) * f.step if f.grid else middle, f.high]
            values = [int(v) for v in values] if f.kind == "int" else values
        for value in values:
            if group == "view":
                back = getattr(decode(encode(Shared(DataSource("builtin", "cars"), **{name: value}))), name)
                expected = None if value == f.default else value  # the start of the view goes without saying
            else:
                back = getattr(decode(encode(Shared(DataSource("builtin", "cars"), **{group: {name: value}}))),
                               group).get(name)
                expected = None if value == 0 and f.default is None else value  # batch 0 is the full batch
            assert back == expected, (group, name, value, back)


def _column_round_trips(f, name, group):
    """A column setting (the weights column) travels with the model, whatever the name; never without it."""
    spec = ModelSpec("dist", ("speed",))
    for value in ("w", "a, b: c", "=1+2", "x" * 1000):
        query = encode(Shared(DataSource("builtin", "cars"), spec, **{group: {name: value}}))
        assert query[f.link] == value
        assert getattr(decode(query), group)[name] == value
    # An upload's link carries no model, so no column of it either.
    assert f.link not in encode(Shared(DataSource("csv", "mine.csv"), spec, **{group: {name: "w"}}))
    for text in ("", "x" * 1001):
        with pytest.raises(ModelError, match=f"'{f.link}' must name a column"):
            decode({f.link: text})


@pytest.mark.parametrize(("query", "match"), [
    ({"lr": "1e-11"}, r"'lr' must be a number from 1e-10 to 1e\+06; got '1e-11'"),
    ({"lr": "5001000"}, "'lr' must be a number from 1e-10 to 1e"),
    ({"iters": "0"}, "'iters' must be a whole number from 1 to 100000"),
    ({"alpha": "0.2"}, r"'alpha' must be one of \(0.1, 0.05, 0.01\); got '0.2'"),
    ({"ridge": "-0.1"}, "'ridge' must be a number from 0 to"),
    ({"k": "100001"}, "'k' must be a whole number from 0 to 100000"),
])
def test_a_value_outside_the_widgets_range_is_refused_not_clamped(query, match):
    with pytest.raises(ModelError, match=match):
        decode({"data": "cars", **query})


@pytest.mark.parametrize(
    ("query", "match"),
    [
        ({"data": "nope"}, "unknown dataset 'nope'"),
        ({"gen": "spiral"}, "unknown generator 'spiral'"),
        ({"gen": "linear", "g_n": "abc"}, "'g_n' must be a whole number from 5 to 1e"),
        ({"gen": "linear", "g_n": "2"}, "'g_n' must be a whole number"),
        ({"gen": "linear", "g_noise": "nan"}, "'g_noise' must be a number from 0 to 100"),
        ({"gen": "linear", "g_noise": "1e999"}, "'g_noise' must be a number"),
        ({"data": "cars", "method": "lu"}, "'method' must be one of"),
        ({"data": "cars", "lr": "-1"}, "'lr' must be a number"),
        ({"data": "cars", "mom": "1"}, "'mom' must be a number from 0 to 0.99"),
        ({"data": "cars", "gstd": "yes"}, "'gstd' must be 0 or 1"),
        ({"data": "cars", "target": "dist", "poly": "speed:99"}, "degrees from 1 to 10"),
        ({"data": "cars", "target": "dist", "inter": "a"}, "'inter' must be a list like 'a:b,c:d'"),
        ({"data": "cars", "k": "__import__('os')"}, "'k' must be a whole number"),
        ({"data": "cars", "pen": "ols"}, r"'pen' must be one of \('ridge', 'lasso', 'elasticnet'\); got 'ols'"),
        ({"data": "cars", "pen": "Ridge"}, "'pen' must be one of"),
        ({"data": "cars", "mix": "0.33"}, "'mix' must be a multiple of 0.05 from 0.05 to 0.95; got '0.33'"),
        ({"data": "cars", "mix": "1"}, "'mix' must be a number from 0.05 to 0.95"),
        ({"data": "cars", "mix": "0"}, "'mix' must be a number from 0.05 to 0.95"),
        ({"data": "cars", "mix": "nan"}, "'mix' must be a number"),
        ({"data": "cars", "rstd": "true"}, "'rstd' must be 0 or 1"),
        ({"data": "cars", "rseed": "-1"}, "'rseed' must be a whole number from 0 to"),
        ({"data": "cars", "rseed": "2.5"}, "'rseed' must be a whole number"),
        ({"data": "cars", "lam": "0"}, "'lam' must be a number from 1e-300 to 1e\\+300; got '0'"),
        ({"data": "cars", "lam": "-0.5"}, "'lam' must be a number"),
        ({"data": "cars", "lam": "inf"}, "'lam' must be a number"),
        ({"data": "cars", "lam": "1e400"}, "'lam' must be a number"),
        ({"data": "cars", "lam": "0x10"}, "'lam' must be a number"),
        ({"data": "cars", "lesson": "0"}, "'lesson' must be a whole number from 1 to 10; got '0'"),
        ({"data": "cars", "lesson": "11"}, "'lesson' must be a whole number from 1 to 10"),
        ({"data": "cars", "lesson": "7.0"}, "'lesson' must be a whole number"),
    ],
)
def test_bad_links_are_refused_with_a_message(query, match):
    with pytest.raises(ModelError, match=match):
        decode(query)


@pytest.fixture
def registry(tmp_path, monkeypatch):
    """A server whose linreg.toml registers one large dataset, 'flights'."""
    path = tmp_path / "linreg.toml"
    path.write_text(f'[datasets]\nflights = "{tmp_path / "flights"}"\n')
    monkeypatch.setenv("LINREG_CONFIG", str(path))
    return tmp_path / "flights"


def test_a_registered_dataset_travels_by_name_and_its_location_comes_from_the_server(registry):
    from linreg.sources import registered_source

    spec = ModelSpec("y", ("x", "g"), categorical=("g",))
    query = encode(Shared(registered_source("flights", "/not/in/the/link"), spec))
    assert query == {"large": "flights", "target": "y", "features": "x,g", "cat": "g"}
    back = decode(query)
    assert back.source == registered_source("flights") and back.source.location == str(registry)
    assert back.source.is_large and back.spec == spec
    sample = encode(Shared(registered_source("flights", sample=5000, seed=3)))
    assert sample == {"large": "flights", "large_n": "5000", "large_seed": "3"}
    assert decode(sample).source == registered_source("flights", sample=5000, seed=3)
    assert decode({"large": "flights", "large_n": "50"}).source.seed == 0


@pytest.mark.parametrize("query, match", [
    ({"large": "taxi"}, r"large dataset 'taxi' that this server does not have; its datasets are \['flights'\]"),
    ({"large": "/etc/passwd"}, r"large dataset '/etc/passwd' that this server does not have"),
    ({"large": "flights", "large_n": "0"}, r"'large_n' must be a whole number from 1 to 2e\+06"),
    ({"large": "flights", "large_n": "1e5"}, r"'large_n' must be a whole number"),
    ({"large": "flights", "large_n": "10", "large_seed": "-1"}, r"'large_seed' must be a whole number"),
])
def test_a_link_to_a_dataset_the_server_does_not_have_is_refused(registry, query, match):
    with pytest.raises(ModelError, match=match):
        decode(query)


def test_a_server_without_datasets_refuses_every_large_link(tmp_path, monkeypatch):
    monkeypatch.setenv("LINREG_CONFIG", str(tmp_path / "absent.toml"))
    with pytest.raises(ModelError, match="that this server does not have; it has none"):
        decode({"large": "flights"})
