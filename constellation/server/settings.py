"""Django settings, read from the environment (see docs/settings.md)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from constellation.server.env import (
    data_dir,
    database,
    env_bool,
    env_int,
    env_list,
    env_str,
    private_directory,
    private_file,
    secret_key,
)
from constellation.server.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEBUG = env_bool("OKR_DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Called with the audit events of every write before it commits (`audit.changes`): the stored
# scores and coach findings are brought up to date in the same transaction.
CHANGE_HANDLERS = [
    "constellation.server.plans.stored.apply_changes",
    # After the scores: an objective's status change noted by them is delivered too.
    "constellation.server.integrations.events.queue_deliveries",
]
# Called inside a delete's transaction with the key results about to go, before their rows do:
# the apps above the objectives that hang rows on key results (sharing's requests for support)
# act on them without the objectives' app importing them.
KEY_RESULTS_DELETED_HANDLERS = [
    "constellation.server.sharing.actions.withdraw_dependencies",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # its bundled Swagger UI assets: the API docs work offline
    "axes",  # login throttling: failed sign-ins per username and per address
    "constellation.server.orgs",
    "constellation.server.audit",
    "constellation.server.strategy",
    "constellation.server.kpis",
    "constellation.server.okrs",
    "constellation.server.tracking",
    "constellation.server.quarterly",
    "constellation.server.notifications",
    "constellation.server.people",
    "constellation.server.accounts",
    "constellation.server.sharing",
    "constellation.server.sources",
    "constellation.server.integrations",
    "constellation.server.tokens",
    "constellation.server.web",
]

MIDDLEWARE = [
    # First: every answer, a redirect to HTTPS too, gets a request id and an access log line.
    "constellation.server.logs.RequestLogMiddleware",
    "constellation.server.web.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "constellation.server.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Every API error as RFC 9457 problem details, the idempotency middleware's own too.
    "constellation.server.api.problems.ProblemDetailsMiddleware",
    # After the session and the user are known: a repeated API POST gets its first answer.
    "constellation.server.api.idempotency.IdempotencyMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "constellation.server.urls"
WSGI_APPLICATION = "constellation.server.wsgi.application"

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
                "constellation.server.web.context.organisations",
                "constellation.server.notifications.context.unread_notifications",
            ],
        },
    }
]

DATABASES = {"default": database(env_str("DATABASE_URL"), DATA_DIR)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Created owner-only before SQLite opens it: its -wal and -shm files take its permissions.
    private_file(Path(str(DATABASES["default"]["NAME"])))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Jobs (reminders, digests, KPI alerts) queue in the database; `okr worker` runs them.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A slot of the check-in cadence older than this when a worker first sees it is skipped,
# so a worker started after a long stop does not send last week's reminders.
REMINDER_CATCH_UP_HOURS = env_int("REMINDER_CATCH_UP_HOURS", 12)
# Each `okr worker` records a heartbeat this often (seconds); a worker silent for
# WORKER_SILENT_SECONDS is taken for dead and its running jobs go back to the queue.
WORKER_HEARTBEAT_SECONDS = env_int("WORKER_HEARTBEAT_SECONDS", 5)
WORKER_SILENT_SECONDS = env_int("WORKER_SILENT_SECONDS", 60)
# Data sources (docs/data-sources.md): the largest answer read from an HTTP source, the
# longest timeout a source may ask for, and the folders SQL sources may open SQLite files in
# (none: SQLite sources are turned off).
# The largest request with files (a spreadsheet, a KPI readings CSV, an OKR file): refused
# while reading, before it is read in full (see web/uploads.py).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10_000_000)
FILE_UPLOAD_HANDLERS = [
    "constellation.server.web.uploads.SizeLimit",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
SOURCES_MAX_RESPONSE_BYTES = env_int("SOURCES_MAX_RESPONSE_BYTES", 1_000_000)
SOURCES_MAX_TIMEOUT_SECONDS = env_int("SOURCES_MAX_TIMEOUT_SECONDS", 30)
SOURCES_SQLITE_DIRS = env_list("SOURCES_SQLITE_DIRS", [])
# The organisation `okr demo` serves: its login page lists the demo's people and their roles
# to visitors on the loopback address (set by `okr demo` on a loopback host, never by hand).
DEMO_ORGANIZATION = env_str("OKR_DEMO_ORGANIZATION")
# Pins the jobs' clock to a moment (ISO 8601): for tests and rehearsals, never in production.
OKR_NOW = env_str("OKR_NOW")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.MD5PasswordHasher",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Password sign-in (Django's ModelBackend) and single sign-on; the OIDC backend does nothing
# until OIDC_ISSUER and OIDC_CLIENT_ID are set.
AUTHENTICATION_BACKENDS = [
    # First: a locked-out username or address is refused before any password is checked.
    "constellation.server.web.login_throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
    "constellation.server.accounts.oidc.OidcBackend",
]

# Login throttling (django-axes): this many failed sign-ins for one username or from one
# address within the lockout time refuse that username and that address for as long.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_LOCKOUT_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # either one locks
# Attempts while locked do not restart the clock, so "try again in 15 minutes" stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "constellation.server.web.login_throttle.locked_out"
AXES_CLIENT_IP_CALLABLE = "constellation.server.web.login_throttle.client_address"
# Proxies in front of the server that append to X-Forwarded-For (0: use the peer's address).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT
# REST API calls allowed per token, per signed-in person or per anonymous address ("600/m").
API_RATE = env_str("API_RATE", "600/m")

# Single sign-on with any OpenID Connect provider (docs/settings.md, "Single sign-on").
# The endpoints come from the issuer's discovery document; the OIDC_RP_* names are the ones
# mozilla-django-oidc reads.
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_RP_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_RP_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_PROVIDER_NAME = env_str("OIDC_PROVIDER_NAME", "single sign-on")
OIDC_ORGANIZATION = env_str("OIDC_ORGANIZATION")
OIDC_ALLOWED_DOMAINS = env_list("OIDC_ALLOWED_DOMAINS", [])
OIDC_NEW_ROLE = env_str("OIDC_NEW_ROLE", "member")
# Trust an address the provider sends without an `email_verified` claim (some never send one).
OIDC_TRUST_EMAIL = env_bool("OIDC_TRUST_EMAIL", False)
PASSWORD_LOGIN = env_bool("PASSWORD_LOGIN", True)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_TIMEOUT = 10
# PKCE as well as the client secret: a stolen code alone is useless.
OIDC_USE_PKCE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing directory
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve straight from the apps' static folders, so `okr serve` needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Where the file-based email backend writes messages (one file per batch).
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(DATA_DIR / "emails"))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "constellation@localhost")
# A failing email is retried after 1, 2, 4, … minutes; after this many attempts it is kept
# as failed (and logged as an error) instead.
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 8)
# Seconds an SMTP server may take to answer, so a hung one never holds a request for long.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
# A webhook or chat channel delivery that fails is retried after 1, 2, 4, … minutes; after
# this many attempts it is kept as failed in its delivery log.
WEBHOOK_MAX_ATTEMPTS = env_int("WEBHOOK_MAX_ATTEMPTS", 8)
# Seconds a receiver may take to answer one delivery (the worker's, never a person's, wait).
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 5)
# Links in emails start with this (no trailing slash), e.g. https://okrs.example.com
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
# How many days an invitation link stays open.
INVITATION_DAYS = env_int("INVITATION_DAYS", 7)

if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    private_directory(Path(EMAIL_FILE_PATH))  # messages carry setup and reset links
# Uploads kept on disk (larger ones, while they are read) are the owner's alone.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Behind a proxy that ends TLS (docs/settings.md, "Production"): the proxy's
# X-Forwarded-Proto says the request was HTTPS, so links are built https://, plain HTTP is
# redirected, browsers are told to stay on HTTPS, and cookies are sent over HTTPS only.
BEHIND_TLS_PROXY = env_bool("OKR_BEHIND_TLS_PROXY", False)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", BEHIND_TLS_PROXY)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    # Load balancers and container health checks probe over plain HTTP from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("HSTS_PRELOAD", False)
    # The site's own origin is trusted for forms posted through the proxy.
    CSRF_TRUSTED_ORIGINS = sorted({*CSRF_TRUSTED_ORIGINS, SITE_URL.rstrip("/")})
# Asking browsers to preload HSTS is the domain owner's commitment (hstspreload.org), made
# with HSTS_PRELOAD=on, not a default; `check --deploy` need not nag about it.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Logs (docs/observability.md): JSON lines when OKR_LOG_FORMAT=json, else readable lines, with
# the request id, organisation and user of the request they belong to.
LOG_FORMAT = env_str("OKR_LOG_FORMAT", "console")
LOG_LEVEL = env_str("LOG_LEVEL", "WARNING")
# The access log (one line per request, at INFO on `constellation.access`): on by default.
ACCESS_LOG = env_bool("OKR_ACCESS_LOG", True)
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL, ACCESS_LOG)

# Prometheus metrics at /metrics: off (404) unless a token is set; scrapers send it as
# `Authorization: Bearer <token>`.
METRICS_TOKEN = env_str("OKR_METRICS_TOKEN")
# /readyz: a worker heartbeat older than this reports the worker "stale".
WORKER_STALE_SECONDS = env_int("WORKER_STALE_SECONDS", 300)
