"""Where the data comes from: a recipe made into a dataset, its default model and its content key.

Pure (no streamlit). A recipe (``ui.share.Recipe``) names a built-in dataset or a generator
with its parameters; :func:`load_recipe` makes the data, the label the app shows, the model
it starts with and, for synthetic data, the truth.
"""

from __future__ import annotations

import hashlib

import pandas as pd

from linreg.datasets import DATASETS, load_dataset
from linreg.design import ModelSpec
from linreg.exceptions import LinregError
from linreg.synthetic import make_data

from .settings import SEED
from .share import Recipe

__all__ = ["DEFAULT_RECIPE", "load_recipe", "default_spec", "text_columns", "data_key"]

# The app opens with the first of these that linreg.datasets provides.
_DEFAULT_DATASETS = ("cars", "anscombe_1")
DEFAULT_RECIPE = Recipe("builtin", next((n for n in _DEFAULT_DATASETS if n in DATASETS), next(iter(DATASETS))))


def load_recipe(recipe: Recipe) -> tuple[pd.DataFrame, str, ModelSpec, dict[str, float] | None]:
    """Make the data a recipe describes: (DataFrame, source label, default ModelSpec, truth or None).

    A generator recipe without a seed is made with the default seed, and its label says so.

    Raises
    ------
    LinregError
        If the dataset or generator is unknown, a parameter is out of range, or the recipe
        is an upload's (which only names the file).
    """
    if recipe.kind == "builtin":
        df, info = load_dataset(recipe.name)
        return df, f"Built-in: {info.title}", default_spec(df, info.target, info.features), None
    if recipe.kind == "synthetic":
        params = {"seed": SEED.default, **dict(recipe.params)}
        sd = make_data(recipe.name, **params)
        spec = ModelSpec(**{"target": sd.target, **(sd.spec_hint or {})})
        label = f"Synthetic: {recipe.name} (n={len(sd.data):,}, seed {params['seed']})"
        return sd.data, label, spec, dict(sd.coef)
    raise LinregError("uploaded data cannot be made again from a recipe; upload the file again")


def text_columns(df: pd.DataFrame) -> list[str]:
    """Columns that do not hold numbers (text, categories, booleans): candidates for categorical."""
    return [str(c) for c in df.columns if not pd.api.types.is_numeric_dtype(df[c]) or pd.api.types.is_bool_dtype(df[c])]


def default_spec(df: pd.DataFrame, target: str | None = None, features=None) -> ModelSpec:
    """A sensible ModelSpec for ``df``: the last numeric column as target, every other column a feature.

    Text columns among the features are made categorical, since they cannot be used as numbers.

    >>> default_spec(pd.DataFrame({"g": ["a", "b"], "x": [1, 2], "y": [3, 4]}))
    ModelSpec(target='y', features=('g', 'x'), categorical=('g',), poly=(), interactions=(), standardize=False, intercept=True)
    """
    columns = [str(c) for c in df.columns]
    text = set(text_columns(df))
    if target is None:
        numeric = [c for c in columns if c not in text]
        target = numeric[-1] if numeric else columns[-1]
    if not features:
        features = [c for c in columns if c != target]
    features = tuple(str(f) for f in features)
    categorical = tuple(f for f in features if f in text)
    return ModelSpec(target=str(target), features=features, categorical=categorical)


def data_key(df: pd.DataFrame) -> str:
    """A content hash of every cell, column name and dtype of ``df``.

    Cached functions take this key and the DataFrame as ``_df`` (not hashed by Streamlit):
    Streamlit hashes a DataFrame of 50,000 rows or more by a 10,000-row sample, so two large
    datasets differing in one cell would share cache entries. Hashing once, when the data is
    set, is also cheaper than on every call.
    """
    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    return h.hexdigest()
