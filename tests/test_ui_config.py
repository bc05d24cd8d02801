"""The operator's settings: defaults, a TOML file, environment variables; bad values refused by name."""

from __future__ import annotations

import pytest

from linreg.budget import DEFAULT_LIMITS
from ui.config import ServerConfig, load_config


def test_defaults_without_a_file_or_variables(tmp_path):
    cfg = load_config(tmp_path / "absent.toml", environ={})
    assert cfg == ServerConfig()
    assert cfg.limits == DEFAULT_LIMITS
    assert cfg.cache.max_mb == 400 and cfg.jobs.slots == 1


def test_the_file_then_the_environment(tmp_path):
    path = tmp_path / "linreg.toml"
    path.write_text("[limits]\nmax_seconds = 5\nmax_levels = 20\n[cache]\nmax_mb = 400\n")
    cfg = load_config(path, environ={"LINREG_CACHE_MAX_MB": "300", "LINREG_JOBS_SLOTS": "2"})
    assert cfg.limits.max_seconds == 5.0 and cfg.limits.max_levels == 20
    assert cfg.cache.max_mb == 300  # the variable wins over the file
    assert cfg.jobs.slots == 2
    assert cfg.limits.max_terms == DEFAULT_LIMITS.max_terms


def test_linreg_config_names_the_file(tmp_path):
    path = tmp_path / "elsewhere.toml"
    path.write_text("[jobs]\nslots = 3\n")
    assert load_config(environ={"LINREG_CONFIG": str(path)}).jobs.slots == 3


@pytest.mark.parametrize("text, match", [
    ("[cache]\nmax_gb = 1\n", r"unknown key\(s\) \['max_gb'\] in \[cache\]"),
    ("[caches]\nmax_mb = 1\n", r"unknown section\(s\) \['caches'\]"),
    ("[jobs]\nslots = 0\n", r"jobs.slots must be > 0"),
    ("[limits]\nmax_levels = 2.5\n", r"limits.max_levels must be a whole number"),
    ("[cache]\nidle_s = 'soon'\n", r"cache.idle_s must be a number"),
])
def test_a_bad_setting_stops_the_server_with_its_name(tmp_path, text, match):
    path = tmp_path / "linreg.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_config(path, environ={})


def test_datasets_and_the_scheduler_from_the_file(tmp_path):
    path = tmp_path / "linreg.toml"
    path.write_text('[datasets]\nflights = "/data/flights/*.parquet"\ntaxi = " s3://bucket/taxi/ "\n'
                    '[dask]\nscheduler = "tcp://10.0.0.5:8786"\n')
    cfg = load_config(path, environ={})
    assert cfg.datasets == {"flights": "/data/flights/*.parquet", "taxi": "s3://bucket/taxi/"}
    assert list(cfg.datasets) == ["flights", "taxi"]  # the file's order is the page's order
    assert cfg.dask.scheduler == "tcp://10.0.0.5:8786"
    assert load_config(tmp_path / "absent.toml", environ={}).datasets == {}


def test_the_scheduler_variable_order(tmp_path):
    path = tmp_path / "linreg.toml"
    path.write_text('[dask]\nscheduler = "tcp://file:8786"\n')
    assert load_config(path, environ={"DASK_SCHEDULER_ADDRESS": "tcp://env:8786"}).dask.scheduler == "tcp://file:8786"
    assert load_config(path, environ={"LINREG_DASK_SCHEDULER": "tcp://linreg:1"}).dask.scheduler == "tcp://linreg:1"
    absent = tmp_path / "absent.toml"
    assert load_config(absent, environ={"DASK_SCHEDULER_ADDRESS": "tcp://env:8786"}).dask.scheduler == "tcp://env:8786"
    assert load_config(absent, environ={}).dask.scheduler is None


@pytest.mark.parametrize("text, match", [
    ('[datasets]\n"../etc" = "/etc"\n', r"dataset name '\.\./etc' in \[datasets\] must be"),
    ('[datasets]\n"a b" = "/data"\n', r"dataset name 'a b'"),
    ("[datasets]\nflights = 3\n", r"datasets.flights must be a Parquet path"),
    ('[datasets]\nflights = ""\n', r"datasets.flights must be a Parquet path"),
    ('[dask]\naddress = "tcp://x:1"\n', r"unknown key\(s\) \['address'\] in \[dask\]"),
    ("[dask]\nscheduler = 5\n", r"dask.scheduler must be an address"),
])
def test_a_bad_dataset_or_scheduler_is_refused_by_name(tmp_path, text, match):
    path = tmp_path / "linreg.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=match):
        load_config(path, environ={})


def test_the_registry_follows_the_file_and_reload_rebinds_config(tmp_path, monkeypatch):
    from ui import config

    path = tmp_path / "linreg.toml"
    path.write_text('[datasets]\none = "/data/one.parquet"\n')
    monkeypatch.setenv("LINREG_CONFIG", str(path))
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    monkeypatch.delenv("LINREG_DASK_SCHEDULER", raising=False)
    assert config.registry().datasets == {"one": "/data/one.parquet"}
    path.write_text('[datasets]\none = "/data/one.parquet"\ntwo = "/data/two/"\n')
    assert list(config.registry().datasets) == ["one", "two"]  # read again: the file changed
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://h:8786")
    assert config.registry().dask.scheduler == "tcp://h:8786"  # and when a variable it reads changed
    old = config.CONFIG
    try:
        assert config.reload().datasets == {"one": "/data/one.parquet", "two": "/data/two/"}
        assert config.CONFIG.datasets == {"one": "/data/one.parquet", "two": "/data/two/"}
    finally:
        config.CONFIG = old
