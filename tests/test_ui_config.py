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
