"""The operator's settings for a shared server: budgets, caps, cache sizes and job slots.

One place, read once at start-up: ``linreg.toml`` beside app.py (or the file that the
``LINREG_CONFIG`` environment variable names), then environment variables, which win:
``LINREG_<SECTION>_<KEY>``, e.g. ``LINREG_LIMITS_MAX_SECONDS=5`` or ``LINREG_CACHE_MAX_MB=400``.
Streamlit's own settings stay in ``.streamlit/config.toml``. Every key and its default is in
the README's "Deploy" section and in the dataclasses below; an unknown key or a bad value stops
the server at start-up with a message naming it, rather than running with a silent default.

Pure Python (no streamlit).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from linreg.budget import Limits

__all__ = ["CONFIG", "CacheConfig", "JobConfig", "ServerConfig", "load_config"]

_FILE = Path(__file__).resolve().parent.parent / "linreg.toml"


@dataclass(frozen=True)
class CacheConfig:
    """The shared result store (``ui.store.ResultStore``), in megabytes and seconds.

    ``max_mb``: everything the server keeps computed, for all sessions together;
    ``session_mb``: what one session's computations may hold of it;
    ``idle_s``: how long a result nobody connected has used is kept.
    """

    max_mb: int = 400
    session_mb: int = 200
    idle_s: int = 30


@dataclass(frozen=True)
class JobConfig:
    """Heavy computations run at most ``slots`` at a time.

    A computation is heavy when it is estimated to take over ``heavy_s`` seconds or
    ``heavy_mb`` megabytes. One slot on a 2-core server keeps a core free for every other
    visitor's page, and the memory of one large job, not of several, on top of the store.
    ``progress_after_s``: a computation running longer than this shows progress and a Stop button.
    """

    slots: int = 1
    heavy_s: float = 0.5
    heavy_mb: int = 50
    progress_after_s: float = 1.0


@dataclass(frozen=True)
class ServerConfig:
    limits: Limits = field(default_factory=Limits)
    cache: CacheConfig = field(default_factory=CacheConfig)
    jobs: JobConfig = field(default_factory=JobConfig)


def _coerce(section: str, key: str, default: Any, value: Any) -> Any:
    """``value`` (from TOML or an environment string) as the type of ``default``."""
    kind = type(default)
    try:
        if isinstance(value, str):
            value = kind(float(value)) if kind is int else kind(value)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is int and isinstance(value, float) and value.is_integer():
            value = int(value)
    except ValueError:
        raise ValueError(f"linreg config: {section}.{key} must be a number; got {value!r}") from None
    if type(value) is not kind:
        raise ValueError(f"linreg config: {section}.{key} must be a {'whole number' if kind is int else 'number'}; "
                         f"got {value!r}")
    if value <= 0:
        raise ValueError(f"linreg config: {section}.{key} must be > 0; got {value!r}")
    return value


def _section(name: str, base: Any, table: dict[str, Any], environ: dict[str, str]) -> Any:
    known = {f.name: getattr(base, f.name) for f in fields(base)}
    unknown = sorted(set(table) - set(known))
    if unknown:
        raise ValueError(f"linreg config: unknown key(s) {unknown} in [{name}]; known keys are {sorted(known)}")
    changes = {k: _coerce(name, k, known[k], v) for k, v in table.items()}
    for k, default in known.items():
        env = environ.get(f"LINREG_{name.upper()}_{k.upper()}")
        if env is not None:
            changes[k] = _coerce(name, k, default, env)
    return replace(base, **changes) if changes else base


def load_config(path: str | Path | None = None, environ: dict[str, str] | None = None) -> ServerConfig:
    """The server's settings: defaults, then the TOML file, then ``LINREG_*`` environment variables.

    Raises
    ------
    ValueError
        On an unknown section or key, or a value that is not a positive number of the right kind.

    Examples
    --------
    >>> load_config(path="/nonexistent", environ={"LINREG_CACHE_MAX_MB": "400"}).cache.max_mb
    400
    """
    environ = dict(os.environ if environ is None else environ)
    path = Path(path or environ.get("LINREG_CONFIG") or _FILE)
    data = tomllib.loads(path.read_text()) if path.is_file() else {}
    base = ServerConfig()
    unknown = sorted(set(data) - {f.name for f in fields(base)})
    if unknown:
        raise ValueError(f"linreg config: unknown section(s) {unknown} in {path.name}; known are limits, cache, jobs")
    return ServerConfig(**{f.name: _section(f.name, getattr(base, f.name), data.get(f.name, {}), environ)
                           for f in fields(base)})


#: The server's settings, read once when the app starts.
CONFIG = load_config()
