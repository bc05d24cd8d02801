"""linreg.plots.tables: the display tables show strings only, never NaN or inf, in the app's one number format."""

import numpy as np
import pandas as pd

from linreg.ols import fit_ols
from linreg.plots import tables


# ---------------------------------------------------------------------------------------------
# Tables: no NaN or inf reaches the screen
# ---------------------------------------------------------------------------------------------
def test_vif_table_says_aliased_and_infinite_in_words():
    table = tables.vif_table({"a": 1.25, "b": 12.0, "c": float("inf"), "d": float("nan")}, aliased=("d",))
    assert table["VIF"].tolist() == ["1.25", "12", "∞", "aliased"]
    assert table["reading"].str.len().gt(0).all()
    assert "×3.46" in table["reading"][1]


def test_vif_summary_counts_terms_past_5_and_10():
    text = tables.vif_summary({"a": 1.0, "b": 6.0, "c": 11.0, "d": float("inf")}, aliased=("d",))
    assert text.startswith("Largest VIF 11 (c): 2 of 4 terms above 5, 1 above 10")
    assert "1 aliased (d)" in text


def test_test_table_formats_p_and_missing_df():
    from types import SimpleNamespace

    tests = [
        SimpleNamespace(name="Breusch-Pagan", statistic=3.2149, p_value=0.0729, df=1.0, reading="r1"),
        SimpleNamespace(name="Jarque-Bera", statistic=8.0, p_value=1e-20, df=2.0, reading="r2"),
        SimpleNamespace(name="Durbin-Watson", statistic=1.676, p_value=None, df=None, reading="r3"),
    ]
    table = tables.diagnostic_test_table(tests)
    assert table.values.tolist() == [
        ["Breusch-Pagan", "3.215", "1", "0.0729", "r1"],
        ["Jarque-Bera", "8", "2", "< 1e-16", "r2"],
        ["Durbin-Watson", "1.676", "—", "—", "r3"],
    ]


def test_influence_display_has_no_nan():
    table = pd.DataFrame(
        {
            "row": ["a", "b"],
            "fitted": [1.0, 2.0],
            "resid": [0.5, 0.0],
            "leverage": [0.2, 1.0],
            "studentized_resid": [1.5, np.nan],
            "cooks_distance": [0.1, np.nan],
        }
    )
    shown = tables.influence_display(table)
    assert list(shown.columns) == ["row", "fitted", "residual", "leverage", "studentized residual", "Cook's distance"]
    assert shown.iloc[1].tolist() == ["b", "2", "0", "1", "—", "—"]


def test_influential_rows_keep_rows_of_leverage_one_after_the_top_ones():
    rng = np.random.default_rng(0)
    n = 30
    x = rng.normal(size=n)
    only_row_5 = np.zeros(n)
    only_row_5[5] = 1.0
    result = fit_ols(np.column_stack([x, only_row_5]), 1 + x + rng.normal(size=n))
    table = tables.influential_rows(result, np.arange(n) + 1, top=4)
    assert len(table) == 5
    finite = np.where(np.isfinite(result.cooks_distance), result.cooks_distance, -1)
    assert table["row"].tolist() == [*(np.argsort(-finite)[:4] + 1), 6]
    assert np.isnan(table["cooks_distance"].iloc[-1])


def test_compare_coef_table_never_shows_nan():
    table = tables.compare_coef_table(("Intercept", "a", "b"), np.array([1.0, np.nan, 2.0]),
                                      np.array([1.0, 0.5, 2.5]), aliased=("a",))
    assert table["OLS (closed form)"].tolist() == ["1", "aliased", "2"]
    assert table["GD − OLS"].tolist() == ["0", "—", "0.5"]
    assert "nan" not in table.to_string().lower()


def test_the_tables_have_one_home():
    from linreg.plots import descent, fit, penalized, residuals

    # (fit.column_table, fit.missing_summary and residuals.influential_rows are kept for ui/cache.py.)
    for module, name in ((descent, "coef_table"), (descent, "coef_summary"), (fit, "coef_table"),
                         (fit, "fmt_p"), (residuals, "vif_table"), (penalized, "penalized_coef_table")):
        assert not hasattr(module, name), (module.__name__, name)
