"""cmrnet settings. Every value comes from an environment variable with an embedded default.

Defaults give a complete local site (SQLite and files under ./var, console e-mail, tasks run
immediately). Production sets DATABASE_URL (PostgreSQL), CMRNET_STORAGE=s3, a real e-mail backend,
CMRNET_HTTPS=true and CMRNET_ALLOWED_HOSTS. See docs/configuration.md.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from cmrnet.config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str, env_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("CMRNET_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEBUG = env_bool("CMRNET_DEBUG", False)
SECRET_KEY = env_secret("CMRNET_SECRET_KEY", fallback_file=DATA_DIR / "secret_key")
ALLOWED_HOSTS = env_list("CMRNET_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CMRNET_CSRF_TRUSTED_ORIGINS", [])
# Every link in an e-mail, calendar file or PDF is built on it (cmrnet.core.links): a bad value stops start-up.
SITE_URL = env_url("CMRNET_SITE_URL", "http://127.0.0.1:8000", require_https=env_bool("CMRNET_HTTPS", False))

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "django_tasks",
    "axes",
    "csp",
    "cmrnet.core",
    "cmrnet.audit",
    "cmrnet.people",
    "cmrnet.network",
    "cmrnet.logbook",
    "cmrnet.exams",
    "cmrnet.certification",
    "cmrnet.live",
    "cmrnet.library",
    "cmrnet.interpretation",
    "cmrnet.programmes",
    "cmrnet.notifications",
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
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "cmrnet.core.files.FileStoreErrorMiddleware",
    "cmrnet.core.middleware.NoStoreForSignedInMiddleware",  # Cache-Control: no-store for signed-in responses
]

ROOT_URLCONF = "cmrnet.config.urls"
WSGI_APPLICATION = "cmrnet.config.wsgi.application"
ASGI_APPLICATION = "cmrnet.config.asgi.application"

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
                "cmrnet.core.context_processors.navigation",
                "cmrnet.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL names another (PostgreSQL in production).
_default_db = f"sqlite:///{DATA_DIR / 'cmrnet.sqlite3'}"
try:
    DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL: {exc}") from None
# HTTP requests run in a fixed pool of this many threads per server process (cmrnet.config.asgi).
CMRNET_HTTP_THREADS = env_int("CMRNET_HTTP_THREADS", 10, minimum=1)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Connections come from a bounded pool (CMRNET_DB_POOL_MAX per process; WebSocket consumers use
    # connections from their own threads too). CMRNET_DB_PERSISTENT=true instead keeps one connection per
    # thread (bounded by CMRNET_HTTP_THREADS): measured 5.1 -> 3.2 ms of server CPU per answer save
    # (docs/performance.md); opt-in until the PostgreSQL suite has run with it.
    if env_bool("CMRNET_DB_PERSISTENT", False):
        DATABASES["default"]["CONN_MAX_AGE"] = 600
        DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    else:
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("CMRNET_DB_POOL_MIN", 2, minimum=0),
            "max_size": env_int("CMRNET_DB_POOL_MAX", 20, minimum=1),
            "timeout": env_int("CMRNET_DB_POOL_TIMEOUT", 30, minimum=1),
        }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL: readers never wait for the writer, and a commit is one append + fsync of the log instead of a
    # rollback journal written, synced and deleted (save throughput 62 -> 187/s here; docs/performance.md).
    # synchronous stays FULL: a confirmed answer survives a power cut, not only a crash of the server.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                                       "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL"}
    # Persistent: one connection per HTTP thread (a fixed pool), so SQLite parses the schema once per
    # thread instead of once per request (about 4 ms of CPU per answer save; docs/performance.md).
    DATABASES["default"]["CONN_MAX_AGE"] = env_int("CMRNET_SQLITE_CONN_MAX_AGE", 600, minimum=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People and authentication.
AUTH_USER_MODEL = "people.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
CMRNET_INVITATION_DAYS = env_int("CMRNET_INVITATION_DAYS", 7, minimum=1)  # how long an invitation link works

# Login throttling (django-axes): lock a login name + address after repeated failures.
AXES_FAILURE_LIMIT = env_int("CMRNET_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("CMRNET_LOGIN_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_USERNAME_FORM_FIELD = "username"  # Django's login form posts the e-mail as "username"
# The lock-out counts the name exactly as log-in resolves it (case, spaces, NFKC): one function.
AXES_USERNAME_CALLABLE = "cmrnet.people.login_names.axes_username"

# --- Files: local storage under var/media by default, S3-compatible in production.
STORAGE_BACKEND = env_choice("CMRNET_STORAGE", "local", ("local", "s3"))
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: files go through permission-checked views
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
if STORAGE_BACKEND == "s3":
    _default_storage = {
        "BACKEND": "cmrnet.core.files_s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("CMRNET_S3_BUCKET", ""),
            "endpoint_url": env_str("CMRNET_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("CMRNET_S3_REGION", "") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
    if not _default_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("CMRNET_S3_BUCKET: required when CMRNET_STORAGE=s3")
else:
    _default_storage = {"BACKEND": "cmrnet.core.files.FileSystemStorage"}  # clear errors, no partial files
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": env_str(
            "CMRNET_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- E-mail.
EMAIL_BACKEND = env_str("CMRNET_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("CMRNET_FROM_EMAIL", "cmrnet <noreply@cmrnet.local>")
EMAIL_HOST = env_str("CMRNET_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("CMRNET_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("CMRNET_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_str("CMRNET_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("CMRNET_EMAIL_TLS", False)

# --- Background work (django-tasks): immediate in dev and tests; a queue backend in production.
TASKS = {"default": {"BACKEND": env_str("CMRNET_TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")}}

# --- Security headers.
HTTPS = env_bool("CMRNET_HTTPS", False)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("CMRNET_SESSION_HOURS", 12, minimum=1) * 3600
SESSION_ENGINE = "cmrnet.core.sessions"  # database sessions, the per-request read as SQL (docs/performance.md)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "cmrnet.people.tokens.HashedTokenAuthentication",  # digests only (docs/security.md)
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "cmrnet API",
    "DESCRIPTION": "Training and certification in cardiovascular magnetic resonance.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Domain settings.
CMRNET_RULESETS_DIR = env_str("CMRNET_RULESETS_DIR", "")
CMRNET_PATIENT_KEY_SECRET = env_secret("CMRNET_PATIENT_KEY_SECRET", fallback_file=DATA_DIR / "patient_key_secret")

# --- Live tele-supervision (cmrnet.live, docs/tele-supervision.md). Signalling over WebSockets through
# Django Channels: an in-memory channel layer for one process, Redis when CMRNET_REDIS_URL is set so several
# server processes share rooms. STUN/TURN are empty by default: media then flows only on reachable host
# addresses (no public STUN server is ever contacted unless configured).
CMRNET_FIELD_ENCRYPTION_KEY = env_secret("CMRNET_FIELD_ENCRYPTION_KEY", fallback_file=DATA_DIR / "field_encryption_key")
CMRNET_REDIS_URL = env_str("CMRNET_REDIS_URL", "")
# CMRNET_REDIS_LAYER: "pubsub" (default: Redis publish/subscribe, one round trip a message, pushed to the
# subscribed process; signalling is ephemeral, so at-most-once delivery fits) or "queues" (channels_redis'
# sorted-set queues with capacity and expiry). Both are built in cmrnet.live.layers: docs/tele-supervision.md.
CMRNET_REDIS_LAYER = env_choice("CMRNET_REDIS_LAYER", "pubsub", ("pubsub", "queues"))
if CMRNET_REDIS_URL:
    CHANNEL_LAYERS = {"default": {"BACKEND": f"cmrnet.live.layers.{'RedisPubSubLayer' if CMRNET_REDIS_LAYER == 'pubsub' else 'RedisChannelLayer'}",
                                  "CONFIG": {"hosts": [CMRNET_REDIS_URL], "prefix": env_str("CMRNET_CHANNELS_PREFIX", "cmrnet"),
                                             "socket_timeout": env_int("CMRNET_REDIS_SOCKET_TIMEOUT", 30, minimum=6)}}}
    if CMRNET_REDIS_LAYER == "queues":
        CHANNEL_LAYERS["default"]["CONFIG"].update(
            capacity=1000, pool_size=env_int("CMRNET_REDIS_POOL_SIZE", 50, minimum=2),
            pool_timeout=env_int("CMRNET_REDIS_POOL_TIMEOUT", 10, minimum=1))
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}
CMRNET_STUN_URLS = env_list("CMRNET_STUN_URLS", [])
CMRNET_TURN_URLS = env_list("CMRNET_TURN_URLS", [])
CMRNET_TURN_SECRET = env_str("CMRNET_TURN_SECRET", "")
if CMRNET_TURN_URLS and not CMRNET_TURN_SECRET:
    raise ImproperlyConfigured("CMRNET_TURN_SECRET: required when CMRNET_TURN_URLS is set (coturn static-auth-secret)")
CMRNET_TURN_CREDENTIAL_SECONDS = env_int("CMRNET_TURN_CREDENTIAL_SECONDS", 6 * 3600, minimum=60)
CMRNET_LIVE_ROOM_CAP = env_int("CMRNET_LIVE_ROOM_CAP", 6, minimum=2)
CMRNET_LIVE_LOOPBACK_ONLY = env_bool("CMRNET_LIVE_LOOPBACK_ONLY", False)  # tests: keep only 127.0.0.1 ICE candidates
CMRNET_LIVE_REMINDER_MINUTES = env_int("CMRNET_LIVE_REMINDER_MINUTES", 60, minimum=1)
CMRNET_ONCALL_ESCALATION_MINUTES = env_int("CMRNET_ONCALL_ESCALATION_MINUTES", 5, minimum=1)
CMRNET_SCAN_CONTROL_MAX_MINUTES = env_int("CMRNET_SCAN_CONTROL_MAX_MINUTES", 60, minimum=1)
# Programmes: trainees per mentor in small-group sessions (seed 001: "a small group of trainees per mentor").
CMRNET_PROGRAMME_MENTOR_CAP = env_int("CMRNET_PROGRAMME_MENTOR_CAP", 4, minimum=1)

# --- Teaching-case library (cmrnet.library, docs/case-library.md). De-identified DICOM goes to the file store
# (default) or to Orthanc/any DICOMweb server (CMRNET_DICOM_STORE=orthanc + CMRNET_DICOM_STORE_URL, the
# server's DICOMweb root, e.g. http://127.0.0.1:8042/dicom-web). The de-identification secret keys UID
# remapping and the per-patient date shift: keep it, or the same patient re-imported gets new UIDs.
CMRNET_DICOM_STORE = env_choice("CMRNET_DICOM_STORE", "local", ("local", "orthanc"))
CMRNET_DICOM_STORE_URL = env_str("CMRNET_DICOM_STORE_URL", "")
if CMRNET_DICOM_STORE == "orthanc" and not CMRNET_DICOM_STORE_URL:
    raise ImproperlyConfigured("CMRNET_DICOM_STORE_URL: required when CMRNET_DICOM_STORE=orthanc")
CMRNET_DEID_SECRET = env_secret("CMRNET_DEID_SECRET", fallback_file=DATA_DIR / "deid_secret")
CMRNET_DICOM_MAX_UPLOAD_MB = env_int("CMRNET_DICOM_MAX_UPLOAD_MB", 2048, minimum=1)
# Interpretation with feedback (cmrnet.interpretation): the course id a reviewed library reading carries into a
# logbook (source "course"); the rule engine counts a case once per course id and caps the course share.
CMRNET_LIBRARY_COURSE_ID = env_str("CMRNET_LIBRARY_COURSE_ID", "cmrnet-library")

LANGUAGE_CODE = "en-gb"
FORMAT_MODULE_PATH = ["cmrnet.config.formats"]  # dates as YYYY-MM-DD on every page and in every form
TIME_ZONE = env_str("CMRNET_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("CMRNET_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
