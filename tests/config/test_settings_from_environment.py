import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from cmrnet.config import env


def _start(tmp_path, **variables):
    environ = {**os.environ, "CMRNET_DATA_DIR": str(tmp_path), **variables}
    environ.pop("DJANGO_SETTINGS_MODULE", None)
    code = "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cmrnet.config.settings'; django.setup()"
    return subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)


@pytest.mark.parametrize(("variable", "value"), [
    ("CMRNET_DEBUG", "maybe"), ("CMRNET_LOGIN_FAILURE_LIMIT", "five"), ("CMRNET_STORAGE", "ftp"),
    ("DATABASE_URL", "nosuchdb://x"), ("CMRNET_HTTPS", "2"), ("CMRNET_SITE_URL", "cmr.example.org"),
    ("CMRNET_SITE_URL", "htps://cmr.example.org"), ("CMRNET_SITE_URL", "https://cmr.example.org/?x=1"),
    ("CMRNET_INVITATION_DAYS", "0"),
])
def test_malformed_value_stops_start_up_naming_the_variable(tmp_path, variable, value):
    result = _start(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert variable in result.stderr


def test_defaults_start_with_a_generated_secret_in_the_data_dir(tmp_path):
    result = _start(tmp_path)
    assert result.returncode == 0, result.stderr
    secret = (tmp_path / "secret_key").read_text()
    assert len(secret) >= 50
    assert _start(tmp_path).returncode == 0
    assert (tmp_path / "secret_key").read_text() == secret  # generated once, then kept


def test_s3_storage_requires_a_bucket(tmp_path):
    result = _start(tmp_path, CMRNET_STORAGE="s3")
    assert result.returncode != 0 and "CMRNET_S3_BUCKET" in result.stderr


def test_env_bool_accepts_the_usual_spellings(monkeypatch):
    for raw, expected in [("true", True), ("YES", True), ("1", True), ("off", False), ("0", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env.env_bool("X_FLAG", not expected) is expected
    monkeypatch.delenv("X_FLAG")
    assert env.env_bool("X_FLAG", True) is True


def test_env_int_refuses_values_below_the_minimum(monkeypatch):
    monkeypatch.setenv("X_N", "0")
    with pytest.raises(ImproperlyConfigured, match="X_N: must be at least 1"):
        env.env_int("X_N", 5, minimum=1)


def test_secret_is_read_from_a_file_when_named(monkeypatch, tmp_path):
    (tmp_path / "s").write_text("from-file\n")
    monkeypatch.delenv("X_SECRET", raising=False)
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "s"))
    assert env.env_secret("X_SECRET", fallback_file=tmp_path / "unused") == "from-file"
    assert not (tmp_path / "unused").exists()


@pytest.mark.parametrize("raw", ["example.org", "ftp://example.org", "https://", "https://x.org/#top", "https://u@x.org",
                                 "https://x.org:port"])
def test_env_url_refuses_what_cannot_be_a_link(monkeypatch, raw):
    monkeypatch.setenv("X_URL", raw)
    with pytest.raises(ImproperlyConfigured, match="X_URL"):
        env.env_url("X_URL", "http://127.0.0.1:8000")


def test_env_url_keeps_a_path_prefix_without_the_trailing_slash(monkeypatch):
    monkeypatch.setenv("X_URL", "https://hospital.example.org/cmrnet/")
    assert env.env_url("X_URL", "") == "https://hospital.example.org/cmrnet"


def test_site_url_must_be_https_behind_https(tmp_path):
    result = _start(tmp_path, CMRNET_HTTPS="true", CMRNET_SITE_URL="http://cmr.example.org",
                    CMRNET_ALLOWED_HOSTS="cmr.example.org")
    assert result.returncode != 0 and "CMRNET_SITE_URL" in result.stderr and "https://" in result.stderr
