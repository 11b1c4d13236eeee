"""The one settings module. The environment picks the run mode; nothing else in the code does.

Embedded mode (no environment variables): SQLite, Qdrant local mode, a SQLite channel layer, a
filesystem Celery broker and a file result backend, all under ``var/``. Services mode: each of
``DATABASE_URL`` (PostgreSQL), ``REDIS_URL`` (Celery broker and results, channel layer, caches)
and ``QDRANT_URL`` (Qdrant server) swaps in its service.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GB_VAR_DIR") or BASE_DIR / "var").resolve()


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or default


def _var_dir(*parts: str) -> Path:
    path = VAR_DIR.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True)
    return path


DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")
QDRANT_URL = os.environ.get("QDRANT_URL", "")
SERVICES_MODE = bool(DATABASE_URL or REDIS_URL or QDRANT_URL)
RUN_MODE = "services" if SERVICES_MODE else "embedded"

DEBUG = _env_flag("DJANGO_DEBUG", False)


def _secret_key() -> str:
    """The key from the environment; in embedded mode, one generated once and kept under var/."""
    key = os.environ.get("DJANGO_SECRET_KEY", "")
    if key:
        return key
    if SERVICES_MODE:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. In services mode (DATABASE_URL, REDIS_URL or QDRANT_URL "
            "is set) every process must share one secret: export DJANGO_SECRET_KEY with a long "
            'random value, e.g. python3 -c "import secrets; print(secrets.token_urlsafe(50))".'
        )
    key_file = _var_dir() / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = _env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = _env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# HTTPS hardening is on by default in services mode (production sits behind TLS) and off in embedded
# mode (plain http on localhost). DJANGO_HTTPS=0/1 overrides either way.
HTTPS = _env_flag("DJANGO_HTTPS", SERVICES_MODE)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_flag("DJANGO_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = _env_flag("DJANGO_HSTS_PRELOAD", HTTPS)
if _env_flag("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "bots",
    "workflows",
    "events",
    "learning",
    "plugins",
    "llmrouter",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gbproject.urls"
WSGI_APPLICATION = "gbproject.wsgi.application"
ASGI_APPLICATION = "gbproject.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite shared by the web process and the workers: WAL so readers never block the writer,
# IMMEDIATE transactions and a busy timeout so concurrent writers wait instead of failing.
_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}

if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("GB_SQLITE_PATH") or _var_dir() / "db.sqlite3",
            "OPTIONS": dict(_SQLITE_OPTIONS),
            # A file, not memory, so a Celery worker process started by the tests sees the same data.
            "TEST": {"NAME": str(_var_dir() / "test_db.sqlite3")},
        }
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("GB_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or _var_dir("static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (tests, a first run) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Channel layer: Redis in services mode; otherwise a SQLite-backed layer in its own database file,
# which a Celery worker process can write to and the web process reads.
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # socket_timeout None: with redis-py 8 idle consumers otherwise die after 5 s.
                "hosts": [{"address": REDIS_URL, "socket_timeout": None}],
                "capacity": 1000,
                "expiry": 60,
            },
        }
    }
else:
    INSTALLED_APPS.append("channels_lite")
    DATABASES["channels"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("GB_CHANNELS_SQLITE_PATH") or _var_dir() / "channels.sqlite3",
        "OPTIONS": dict(_SQLITE_OPTIONS),
        "TEST": {"NAME": str(_var_dir() / "test_channels.sqlite3")},
    }
    DATABASE_ROUTERS = ["gbproject.dbrouters.ChannelLayerRouter"]
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_lite.layers.core.SQLiteChannelLayer",
            "CONFIG": {"database": "channels", "capacity": 1000, "polling_interval": 0.02},
        }
    }

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(_var_dir("cache")),
        }
    }

# Celery. Embedded: kombu's filesystem transport (no server, works across processes) and the file
# result backend, whose files beat's daily backend_cleanup removes after CELERY_RESULT_EXPIRES.
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_RESULT_EXPIRES = int(os.environ.get("GB_CELERY_RESULT_EXPIRES", "86400"))
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CELERY_BROKER_URL = None
    CELERY_BROKER_TRANSPORT = "gbproject.broker:FilesystemTransport"
    _celery_messages = str(_var_dir("celery", "messages"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _celery_messages,
        "data_folder_out": _celery_messages,
        "processed_folder": str(_var_dir("celery", "processed")),
        "control_folder": str(_var_dir("celery", "control")),
        "store_processed": False,
    }
    CELERY_RESULT_BACKEND = "file://" + str(_var_dir("celery", "results"))

# Vector store: a Qdrant server, or Qdrant local mode in a folder that one process owns. Nothing
# opens the folder at import time.
QDRANT = {"url": QDRANT_URL} if QDRANT_URL else {"path": str(VAR_DIR / "qdrant")}

# .gbai packages: the bundled templates, plus folders from GB_PACKAGE_DIRS (os.pathsep-separated).
GB_PACKAGE_DIRS = [BASE_DIR / "bottemplates"] + [
    Path(item).expanduser() for item in os.environ.get("GB_PACKAGE_DIRS", "").split(os.pathsep) if item
]

# Script HTTP (GET/POST/...): internal addresses are refused unless this is on; request timeout.
GB_HTTP_ALLOW_PRIVATE = os.environ.get("GB_HTTP_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes", "on")
GB_HTTP_TIMEOUT = float(os.environ.get("GB_HTTP_TIMEOUT", "30"))

# Workflows: the Celery queue their tasks go to; how long a worker's claim on an execution lasts
# before the reaper hands it to another worker; how long a queued execution may wait for a worker
# before it is queued again (a lost message); the first retry back-off (doubled per retry).
GB_WORKFLOW_QUEUE = os.environ.get("GB_WORKFLOW_QUEUE", "celery")
GB_WORKFLOW_LEASE_SECONDS = float(os.environ.get("GB_WORKFLOW_LEASE_SECONDS", "60"))
GB_WORKFLOW_REQUEUE_SECONDS = float(os.environ.get("GB_WORKFLOW_REQUEUE_SECONDS", "30"))
GB_WORKFLOW_RETRY_SECONDS = float(os.environ.get("GB_WORKFLOW_RETRY_SECONDS", "1"))

# Events: the Redis pub/sub channel that wakes event delivery in services mode; how old an
# undelivered event must be before the periodic sweep delivers it (the wake-up had its chance).
GB_EVENTS_CHANNEL = os.environ.get("GB_EVENTS_CHANNEL", "gb:events")
GB_EVENTS_SWEEP_GRACE_SECONDS = float(os.environ.get("GB_EVENTS_SWEEP_GRACE_SECONDS", "2"))
# (webhook settings: below this line)
# Webhooks: the first retry back-off of a failed delivery (doubled per attempt), and how many
# attempts a delivery gets before it is marked failed (an operator can still retry it).
GB_EVENTS_WEBHOOK_RETRY_SECONDS = float(os.environ.get("GB_EVENTS_WEBHOOK_RETRY_SECONDS", "30"))
GB_EVENTS_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("GB_EVENTS_WEBHOOK_MAX_ATTEMPTS", "10"))

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated request then gets 401 with a WWW-Authenticate header.
        "bots.api.auth.PreparedTokenAuthentication",  # DRF's token authentication, with a cheaper query
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "gbproject API",
    "DESCRIPTION": "General Bots: bots, conversations, workflows and events.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs pages' JavaScript and CSS are served by the app itself, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per choice set: several models have a "status" field with its own choices.
    "ENUM_NAME_OVERRIDES": {
        "ExecutionStatusEnum": "workflows.models.ExecutionStatus",
        "StepStatusEnum": "workflows.models.StepStatus",
        "ApprovalStatusEnum": "workflows.models.ApprovalStatus",
        "WaiterStatusEnum": "events.models.WaiterStatus",
        "DeliveryStatusEnum": "events.models.DeliveryStatus",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GB_LOG_LEVEL", "INFO")},
}
