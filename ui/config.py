"""The operator's settings for a shared server: budgets, caps, cache sizes and job slots.

One place, read once at start-up: ``linreg.toml`` beside app.py (or the file that the
``LINREG_CONFIG`` environment variable names), then environment variables, which win:
``LINREG_<SECTION>_<KEY>``, e.g. ``LINREG_LIMITS_MAX_SECONDS=5`` or ``LINREG_CACHE_MAX_MB=400``.
Streamlit's own settings stay in ``.streamlit/config.toml``. Every key and its default is in
the README's "Deploy" section and in the dataclasses below; an unknown key or a bad value stops
the server at start-up with a message naming it, rather than running with a silent default.

Two tables describe data the server offers out of core (``ui.large``): ``[datasets]`` maps a
name to a Parquet path, glob, folder or URL (a visitor sees and chooses names only, never a
path), and ``[dask] scheduler`` names a ``dask.distributed`` scheduler (``LINREG_DASK_SCHEDULER``
wins, then the file, then ``DASK_SCHEDULER_ADDRESS``; none means in-process threads).
:func:`registry` reads these two again when the file or those variables change, so an
operator can add a dataset without a restart (and tests can point ``LINREG_CONFIG`` at a file
of their own); the budgets and caches are sized once, at start-up.

Pure Python (no streamlit).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from linreg.budget import Limits
from linreg.sources import REGISTERED_NAME

__all__ = ["CONFIG", "CacheConfig", "JobConfig", "DaskConfig", "ServerConfig", "load_config", "registry",
           "reload", "DATASET_NAME"]

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
    heavy_mb: int = 20
    progress_after_s: float = 1.0


@dataclass(frozen=True)
class DaskConfig:
    """Where out-of-core fits run: a ``dask.distributed`` scheduler address, or None for in-process threads."""

    scheduler: str | None = None


@dataclass(frozen=True)
class ServerConfig:
    """Every setting. ``datasets``: registered name -> Parquet path, glob, folder or URL, in the file's order."""

    limits: Limits = field(default_factory=Limits)
    cache: CacheConfig = field(default_factory=CacheConfig)
    jobs: JobConfig = field(default_factory=JobConfig)
    datasets: dict[str, str] = field(default_factory=dict)
    dask: DaskConfig = field(default_factory=DaskConfig)


#: What a registered dataset's name may hold: it travels in links and is shown on the page.
DATASET_NAME = REGISTERED_NAME
_SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
_NUMERIC = ("limits", "cache", "jobs")


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


def _datasets(table: Any) -> dict[str, str]:
    if not isinstance(table, dict):
        raise ValueError("linreg config: [datasets] must be a table of name = \"path or URL\" lines")
    out = {}
    for name, location in table.items():
        if not DATASET_NAME.fullmatch(name):
            raise ValueError(f"linreg config: dataset name {name!r} in [datasets] must be 1 to 64 letters, digits, "
                             "'_', '-' or '.', starting with a letter or digit (it travels in links)")
        if not isinstance(location, str) or not location.strip():
            raise ValueError(f"linreg config: datasets.{name} must be a Parquet path, glob, folder or URL in quotes; "
                             f"got {location!r}")
        out[name] = location.strip()
    return out


def _dask(table: Any, environ: dict[str, str]) -> DaskConfig:
    if not isinstance(table, dict):
        raise ValueError("linreg config: [dask] must be a table, e.g. scheduler = \"tcp://host:8786\"")
    unknown = sorted(set(table) - {"scheduler"})
    if unknown:
        raise ValueError(f"linreg config: unknown key(s) {unknown} in [dask]; known keys are ['scheduler']")
    scheduler = environ.get("LINREG_DASK_SCHEDULER") or table.get("scheduler") or environ.get(_SCHEDULER_ENV)
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise ValueError(f"linreg config: dask.scheduler must be an address such as \"tcp://host:8786\"; "
                         f"got {scheduler!r}")
    return DaskConfig(scheduler.strip() if scheduler else None)


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
    known = [f.name for f in fields(base)]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ValueError(f"linreg config: unknown section(s) {unknown} in {path.name}; known are {', '.join(known)}")
    return ServerConfig(**{name: _section(name, getattr(base, name), data.get(name, {}), environ)
                           for name in _NUMERIC},
                        datasets=_datasets(data.get("datasets", {})), dask=_dask(data.get("dask", {}), environ))


def _source_of(environ: dict[str, str]) -> tuple:
    """What the registry is read from: the file (path and modification time) and the variables it reads."""
    path = Path(environ.get("LINREG_CONFIG") or _FILE)
    try:
        stat = path.stat()
        changed = (stat.st_mtime_ns, stat.st_size)
    except OSError:
        changed = None
    return str(path), changed, environ.get("LINREG_DASK_SCHEDULER"), environ.get(_SCHEDULER_ENV)


_registry: tuple[tuple, ServerConfig] | None = None


def registry() -> ServerConfig:
    """The settings as the file and the environment say now (read again only when they changed).

    The ``datasets`` and ``dask`` of the result are what ``ui.large`` offers; the other sections
    of :data:`CONFIG` stay as they were at start-up (the store and the job slots are built from them).

    Raises
    ------
    ValueError
        As :func:`load_config`, when the file was changed into a bad one.
    """
    global _registry
    environ = dict(os.environ)
    source = _source_of(environ)
    cached = _registry
    if cached is None or cached[0] != source:
        cached = (source, load_config(environ=environ))
        _registry = cached
    return cached[1]


def reload() -> ServerConfig:
    """Read the settings again now, and make them :data:`CONFIG` for code that reads ``ui.config.CONFIG``."""
    global CONFIG, _registry
    _registry = None
    CONFIG = registry()
    return CONFIG


#: The server's settings, read once when the app starts.
CONFIG = load_config()
