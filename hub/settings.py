"""Settings for the hub, read from the environment (and an optional .env file).

Everything has a development default so `clone, install, run` works on a laptop with no
servers: SQLite, an embedded filesystem broker and keys kept under var/. Production mode
(`HUB_ENV=production`) refuses to start without real secrets.
"""

import os
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

# Two test runs on one checkout (a developer's and an editor's, say) must not share the
# SQLite test database or the embedded broker's folders; pytest sets PYTEST_VERSION.
TEST_RUN_SUFFIX = f"-test-{os.getpid()}" if "PYTEST_VERSION" in os.environ else ""

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

HUB_ENV = env.str("HUB_ENV", default="development")
if HUB_ENV not in ("development", "production"):
    raise ImproperlyConfigured(f"HUB_ENV must be 'development' or 'production', not {HUB_ENV!r}")
PRODUCTION = HUB_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env.str("SECRET_KEY")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-secret-key-not-for-production-use-0123456789")

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when HUB_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# The hub's public address, for links in mails (which are sent outside any request).
HUB_BASE_URL = env.str("HUB_BASE_URL", default="" if PRODUCTION else "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "tenants",
    "sevenoffice",
    "exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

if PRODUCTION:
    # Static files from the app server itself; development uses runserver's static view.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "hub.urls"
WSGI_APPLICATION = "hub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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

# --- Database -------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'hub.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes writers wait for the lock instead of failing with "database is locked"
    # when the web process and a worker write at once.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A file, not memory, so worker processes started by end-to-end tests see the test data.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"hub{TEST_RUN_SUFFIX or '-test'}.sqlite3")}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, i18n, static ------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in throttling against password guessing (tenants.login_throttle).
AUTHENTICATION_BACKENDS = ["tenants.login_throttle.ThrottledModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)  # per username in the window
LOGIN_FAILURE_LIMIT_PER_IP = env.int("LOGIN_FAILURE_LIMIT_PER_IP", default=20)
LOGIN_LOCKOUT_SECONDS = env.int("LOGIN_LOCKOUT_SECONDS", default=900)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Oslo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "hub" / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=VAR_DIR / "static")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- Mail -------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="hub@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Credentials encryption ---------------------------------------------------------------
# Fernet keys, newest first. The first encrypts; all decrypt, so keys rotate without downtime.
CREDENTIALS_KEYS = env.list("CREDENTIALS_KEYS", default=[])
CREDENTIALS_KEY_FILE = VAR_DIR / "credentials.key"
if PRODUCTION and not CREDENTIALS_KEYS:
    raise ImproperlyConfigured("CREDENTIALS_KEYS must be set when HUB_ENV=production")

# --- 24SevenOffice -------------------------------------------------------------------------
SEVENOFFICE_API_URL = env.url("SEVENOFFICE_API_URL", default="https://api.24sevenoffice.com").geturl().rstrip("/")
SEVENOFFICE_WEBSERVICES_URL = (
    env.url("SEVENOFFICE_WEBSERVICES_URL", default="https://webservices.24sevenoffice.com").geturl().rstrip("/")
)
# Any GUID works against the sandbox; production needs the id 24SO's API support issued.
SEVENOFFICE_APPLICATION_ID = env.str(
    "SEVENOFFICE_APPLICATION_ID", default="" if PRODUCTION else "6f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
)
if PRODUCTION and not SEVENOFFICE_APPLICATION_ID:
    raise ImproperlyConfigured("SEVENOFFICE_APPLICATION_ID must be set when HUB_ENV=production")
SEVENOFFICE_TIMEOUT = env.float("SEVENOFFICE_TIMEOUT", default=30.0)
SEVENOFFICE_CONNECT_TIMEOUT = env.float("SEVENOFFICE_CONNECT_TIMEOUT", default=5.0)
SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT = env.int("SEVENOFFICE_MAX_CONCURRENT_PER_ACCOUNT", default=2)
# How long an invoice may stay "in transfer" before the sweeper presumes its worker dead.
EXPORT_LEASE_SECONDS = env.int("EXPORT_LEASE_SECONDS", default=90)
# Retryable faults back off exponentially from the base, with full jitter, up to the cap.
EXPORT_RETRY_BASE_SECONDS = env.float("EXPORT_RETRY_BASE_SECONDS", default=5.0)
EXPORT_RETRY_MAX_SECONDS = env.float("EXPORT_RETRY_MAX_SECONDS", default=600.0)
# A queued item no worker has picked up by then is dispatched again by the sweeper.
EXPORT_DISPATCH_GRACE_SECONDS = env.int("EXPORT_DISPATCH_GRACE_SECONDS", default=60)
if EXPORT_LEASE_SECONDS < 2 * SEVENOFFICE_TIMEOUT:
    raise ImproperlyConfigured("EXPORT_LEASE_SECONDS must be at least twice SEVENOFFICE_TIMEOUT")
# Expense import: how far back the first run reads, and when a silent run is taken over.
EXPENSE_IMPORT_FIRST_DAYS = env.int("EXPENSE_IMPORT_FIRST_DAYS", default=365)
EXPENSE_IMPORT_STALE_SECONDS = env.int("EXPENSE_IMPORT_STALE_SECONDS", default=600)
# How far each run re-reads before the previous one's end (24SO rounds change times).
EXPENSE_IMPORT_OVERLAP_SECONDS = env.int("EXPENSE_IMPORT_OVERLAP_SECONDS", default=120)
# Skipped as not approved / project not in the hub: re-checked by each run for this many days.
EXPENSE_PENDING_DAYS = env.int("EXPENSE_PENDING_DAYS", default=90)
# Larger documents are not downloaded; the expense imports without them, reported.
EXPENSE_DOCUMENT_MAX_BYTES = env.int("EXPENSE_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)

# --- Celery ----------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = Path(env.str("HUB_BROKER_DIR", default=str(VAR_DIR / f"broker{TEST_RUN_SUFFIX}")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Embedded broker: no server, still a real `celery worker` process. One folder in and
    # out; the folders must exist before the worker starts (hub/celery.py creates them).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "control_folder": str(BROKER_DIR / "control"),
    }
else:
    # Redis: the visibility timeout must exceed the longest task plus retry countdown, and
    # must be set in all three places to take effect.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 1800,
        "socket_timeout": 10,
        "socket_connect_timeout": 5,
        "health_check_interval": 25,
    }
    CELERY_VISIBILITY_TIMEOUT = 1800
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    # The database is the source of truth: re-dispatch what a lost message or a dead worker left.
    "export-sweep": {"task": "exports.sweep", "schedule": env.float("EXPORT_SWEEP_SECONDS", default=15.0)},
    "sync-sweep": {"task": "exports.sync_sweep", "schedule": env.float("SYNC_SWEEP_SECONDS", default=60.0)},
    # Paid status of exported invoices not yet paid, one batch per run, the longest unasked first.
    "payments-refresh": {"task": "exports.payments_refresh", "schedule": env.float("PAYMENT_REFRESH_SECONDS", default=900.0)},
    "expense-import": {"task": "exports.expense_import_due", "schedule": env.float("EXPENSE_IMPORT_SECONDS", default=900.0)},
    # 24SO's invoice series against the hub's next number; a new gap or collision is mailed once.
    "invoice-series-check": {"task": "exports.invoice_series_watch_all", "schedule": env.float("INVOICE_SERIES_CHECK_SECONDS", default=3600.0)},
}
PAYMENT_REFRESH_BATCH_SIZE = env.int("PAYMENT_REFRESH_BATCH_SIZE", default=500)

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["tenants.api_auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["tenants.api_auth.HasApiKey"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "UNAUTHENTICATED_USER": None,
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hub API",
    "DESCRIPTION": "Push departments, customers, projects and invoices; export them to 24SevenOffice.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI assets served by the hub itself (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security (production sits behind an HTTPS-terminating proxy) -------------------------------
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"

# --- Logging ----------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        # zeep logs whole request bodies at DEBUG, and the Login body carries the password.
        "zeep": {"level": "WARNING"},
        "zeep.transports": {"level": "WARNING"},
        "urllib3": {"level": "WARNING"},
    },
}
