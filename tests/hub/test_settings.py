import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser fixture for this test process only.
    dropped = ("DATABASE_URL", "HUB_ENV", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


PRODUCTION = {
    "HUB_ENV": "production",
    "SECRET_KEY": "x7!kq" * 12,
    "ALLOWED_HOSTS": "hub.example.com",
    "CREDENTIALS_KEYS": Fernet.generate_key().decode(),
    "SEVENOFFICE_APPLICATION_ID": "0b6f2f0e-8d4c-4a51-9a8e-3f1e2d3c4b5a",
}


def test_production_mode_passes_deploy_checks_without_warnings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mode_refuses_to_start_without_secrets():
    for missing in ("SECRET_KEY", "CREDENTIALS_KEYS", "SEVENOFFICE_APPLICATION_ID", "ALLOWED_HOSTS"):
        env = {k: v for k, v in PRODUCTION.items() if k != missing}
        result = manage("check", **env)
        assert result.returncode != 0, missing
        assert missing in result.stderr


def test_unknown_hub_env_is_refused():
    result = manage("check", HUB_ENV="staging")
    assert result.returncode != 0 and "HUB_ENV must be" in result.stderr


def test_development_mode_serves_plain_http_on_loopback(settings):
    assert settings.HUB_ENV == "development"
    assert not getattr(settings, "SECURE_SSL_REDIRECT", False)
    assert set(settings.ALLOWED_HOSTS) <= {"127.0.0.1", "localhost", "[::1]", "testserver"}
