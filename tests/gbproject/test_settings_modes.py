"""The two run modes come from the environment alone (DESIGN.md "Two run modes").

Each case imports the settings in a fresh interpreter with a controlled environment.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from django.conf import settings

SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "QDRANT_URL",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_HTTPS",
)
PROBE = """
import json, django
django.setup()
from django.conf import settings as s
layer = s.CHANNEL_LAYERS["default"]
print(json.dumps({
    "mode": s.RUN_MODE,
    "debug": s.DEBUG,
    "secret": s.SECRET_KEY,
    "engines": {alias: db["ENGINE"] for alias, db in s.DATABASES.items()},
    "db_name": str(s.DATABASES["default"]["NAME"]),
    "db_host": s.DATABASES["default"].get("HOST", ""),
    "layer": layer["BACKEND"],
    "layer_config": layer["CONFIG"],
    "broker_url": s.CELERY_BROKER_URL,
    "broker_transport": getattr(s, "CELERY_BROKER_TRANSPORT", None),
    "transport_options": getattr(s, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
    "result_backend": s.CELERY_RESULT_BACKEND,
    "result_expires": s.CELERY_RESULT_EXPIRES,
    "cache": s.CACHES["default"]["BACKEND"],
    "qdrant": s.QDRANT,
    "apps": s.INSTALLED_APPS,
    "ssl_redirect": s.SECURE_SSL_REDIRECT,
    "hsts": s.SECURE_HSTS_SECONDS,
}, default=str))
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in SERVICE_VARS}
    env.update(GB_VAR_DIR=str(tmp_path / "var"), DJANGO_SETTINGS_MODULE="gbproject.settings", **extra)
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def _probe(env: dict[str, str]) -> dict:
    done = _run(["-c", PROBE], env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_embedded_mode_needs_no_server(tmp_path: Path) -> None:
    var = tmp_path / "var"
    found = _probe(_env(tmp_path))
    assert found["mode"] == "embedded" and found["debug"] is False
    assert found["engines"] == {
        "default": "django.db.backends.sqlite3",
        "channels": "django.db.backends.sqlite3",
    }
    assert found["db_name"] == str(var / "db.sqlite3")
    assert found["layer"] == "channels_lite.layers.core.SQLiteChannelLayer"
    assert found["layer_config"]["database"] == "channels" and found["layer_config"]["capacity"] >= 1000
    assert "channels_lite" in found["apps"]
    assert found["broker_url"] is None
    assert found["broker_transport"] == "gbproject.broker:FilesystemTransport"
    options = found["transport_options"]
    assert "polling_interval" not in options and options["store_processed"] is False
    assert options["control_folder"] == str(var / "celery" / "control")
    assert options["data_folder_in"] == options["data_folder_out"] == str(var / "celery" / "messages")
    assert Path(options["data_folder_in"]).is_dir()
    assert found["result_backend"] == f"file://{var / 'celery' / 'results'}"
    assert found["result_expires"] > 0
    assert found["cache"].endswith("FileBasedCache")
    assert found["qdrant"] == {"path": str(var / "qdrant")}
    assert not (var / "qdrant").exists(), "nothing may open the Qdrant folder at import time"
    assert found["ssl_redirect"] is False and found["hsts"] == 0


def test_embedded_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = _probe(_env(tmp_path))["secret"]
    key_file = tmp_path / "var" / "secret_key"
    assert key_file.read_text().strip() == first and len(first) >= 50
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _probe(_env(tmp_path))["secret"] == first
    assert _probe(_env(tmp_path, DJANGO_SECRET_KEY="from-env"))["secret"] == "from-env"


def test_debug_only_when_asked(tmp_path: Path) -> None:
    assert _probe(_env(tmp_path, DJANGO_DEBUG="1"))["debug"] is True
    assert _probe(_env(tmp_path, DJANGO_DEBUG="0"))["debug"] is False


def test_services_mode_uses_postgres_redis_and_qdrant(tmp_path: Path) -> None:
    found = _probe(
        _env(
            tmp_path,
            DATABASE_URL="postgres://gb@db.internal:5432/gbproject",
            REDIS_URL="redis://cache.internal:6379/0",
            QDRANT_URL="http://vectors.internal:6333",
            DJANGO_SECRET_KEY="s" * 60,
        )
    )
    assert found["mode"] == "services"
    assert found["engines"] == {"default": "django.db.backends.postgresql"}
    assert found["db_name"] == "gbproject" and found["db_host"] == "db.internal"
    assert found["layer"] == "channels_redis.core.RedisChannelLayer"
    assert found["layer_config"]["hosts"] == [
        {"address": "redis://cache.internal:6379/0", "socket_timeout": None}
    ]
    assert found["layer_config"]["capacity"] >= 1000
    assert "channels_lite" not in found["apps"]
    assert found["broker_url"] == found["result_backend"] == "redis://cache.internal:6379/0"
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["qdrant"] == {"url": "http://vectors.internal:6333"}
    assert found["ssl_redirect"] is True and found["hsts"] > 0
    assert not (tmp_path / "var" / "secret_key").exists()


def test_services_mode_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    done = _run(["-c", PROBE], _env(tmp_path, DATABASE_URL="postgres://gb@127.0.0.1:5432/gbproject"))
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in done.stderr


def test_check_deploy_is_clean_in_services_mode(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        DATABASE_URL="postgres://gb@127.0.0.1:5432/gbproject",
        REDIS_URL="redis://127.0.0.1:6379/0",
        DJANGO_SECRET_KEY="k9#Vq2!zP0rT7@xL4mW8$eB1nY6^cH3&uJ5*dF0(gA2)sK7-iO9+lZ4=wE1",
        DJANGO_ALLOWED_HOSTS="bots.example.com",
    )
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stderr + done.stdout
    assert "no issues" in done.stdout


def test_check_deploy_complains_when_https_is_turned_off(tmp_path: Path) -> None:
    env = _env(
        tmp_path,
        DATABASE_URL="postgres://gb@127.0.0.1:5432/gbproject",
        DJANGO_SECRET_KEY="k9#Vq2!zP0rT7@xL4mW8$eB1nY6^cH3&uJ5*dF0(gA2)sK7-iO9+lZ4=wE1",
        DJANGO_HTTPS="0",
    )
    done = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode != 0
    assert "security.W008" in done.stderr + done.stdout


def test_this_run_matches_its_environment() -> None:
    """The suite really runs on the services the environment names (CI runs both modes)."""
    engine = settings.DATABASES["default"]["ENGINE"]
    if os.environ.get("DATABASE_URL"):
        assert engine == "django.db.backends.postgresql"
    else:
        assert engine == "django.db.backends.sqlite3"
    layer = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    expected = (
        "channels_redis.core.RedisChannelLayer" if os.environ.get("REDIS_URL") else "SQLiteChannelLayer"
    )
    assert layer.endswith(expected)
