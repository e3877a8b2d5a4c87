"""Settings for Clauses: one module, every deployment-specific value read from the environment.

Development defaults: with no SECRET_KEY the checkout is a development one (DEBUG on, a generated key
kept under var/); with a SECRET_KEY, as in every deployment, DEBUG is off unless asked for. SQLite is
used when DATABASE_URL is unset.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from clauses_site.mail_config import mailer as mailer_from_environment

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CLAUSES_VAR_DIR", BASE_DIR / "var"))


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    if value.strip().lower() in {"1", "true", "yes", "on", "oui"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off", "non"}:
        return False
    raise ImproperlyConfigured(f"{name} doit valoir 1 ou 0 (reçu : {value!r}).")


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name, default):
    value = os.environ.get(name, "").strip()
    try:
        return int(value) if value else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} doit être un nombre entier (reçu : {value!r}).") from exc


# A checkout with no SECRET_KEY is a development one: DEBUG defaults to on there (so that `manage.py …`
# works with no set-up), and to off as soon as a secret key is configured, as in every deployment.
# DEBUG=0 without SECRET_KEY refuses to start.
DEBUG = env_bool("DEBUG", not os.environ.get("SECRET_KEY", "").strip())


def _secret_key():
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY n'est pas défini : obligatoire quand DEBUG=0 "
            "(ou lancez en développement avec DEBUG=1)."
        )
    # Development only: a random key kept under var/ so that sessions survive a restart.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "dev-secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_tasks_db",
    "clauses_site",
    "companies",
    "markets",
    "participants",
    "hours",
    "reporting",
    "partnerships",
    "jobs",
    "spaces",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "clauses_site.upload_limits.UploadLimitMiddleware",  # 413 before CSRF reads a too big body
    "clauses_site.security.LoginRequiredMiddleware",  # Django's, with htmx requests sent to the login page
    # External users (company, buyer): their space and the sign-in pages only, 403 everywhere else.
    "spaces.middleware.ExternalAccessMiddleware",
    "clauses_site.security.SessionActivityMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clauses_site.security.TwoFactorMiddleware",
    "clauses_site.security.NoStoreForUsersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "clauses_site.timeouts.QueryCancelledMiddleware",  # a statement over the time limit: the 503 page
    # Last: turns axes' lock-out flag (set during authenticate()) into the French login page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clauses_site.urls"
WSGI_APPLICATION = "clauses_site.wsgi.application"

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
                "django.template.context_processors.csp",
                "clauses_site.context_processors.roles",
            ],
        },
    },
]

# PostgreSQL in production (DATABASE_URL=postgres://user:pass@host:5432/name, psycopg 3);
# a SQLite file under var/ when unset, for the two-command first run.
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    # No JIT compilation: the planner's costs of the pages' queries (a subquery per row of a few thousand
    # markets or lots) cross jit_above_cost, and compiling took 20–35 ms of a 40 ms query (EXPLAIN
    # ANALYZE of the pipeline at national scale); Clauses runs short queries, not the long analytical
    # scans JIT pays off for. CLAUSES_PG_JIT=1 leaves PostgreSQL's own setting.
    if "postgresql" in DATABASES["default"]["ENGINE"] and not env_bool("CLAUSES_PG_JIT"):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # timeout: a write waits that long for another one to finish (else the « occupée » 503 page)
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if env_bool("CLAUSES_TESTING"):
    # Tests create hundreds of users: a fast hash there (never in a deployment, where it is unset).
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Authentication as for health data (RQTH): throttled log-ins, two-factor authentication, short sessions.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked user+address before any check
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: 5 failures for one user name from one address lock that pair for 15 minutes; the
# manager unlocks in the admin (« Tentatives de connexion », or the action on the team's accounts).
AXES_FAILURE_LIMIT = env_int("CLAUSES_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("CLAUSES_LOGIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "clauses_site.security.lockout_response"
# Two-factor authentication (TOTP, django-otp): offered to every user (« Double authentification » in
# the user menu), required for the Responsable and the admin when on. On by default when DEBUG=0, off
# in development and the demo (./run opens with the printed accounts and no authenticator app).
CLAUSES_REQUIRE_2FA = env_bool("CLAUSES_REQUIRE_2FA", not DEBUG)
OTP_TOTP_ISSUER = "Clauses"
# Sessions end after 30 minutes without a request, and when the browser closes (a cookie without expiry).
# Each save of a session pushes its end 30 minutes on; clauses_site.security.SessionActivityMiddleware
# saves it on a request at most once a minute (SESSION_SAVE_EVERY_REQUEST would write the session table on
# every request, htmx ones included): a session left alone ends 29 to 30 minutes after its last request.
CLAUSES_SESSION_IDLE_MINUTES = env_int("CLAUSES_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = CLAUSES_SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# E-mail (password reset, invitations to the spaces): EMAIL_URL (smtp://user:pass@host:587?tls) or the
# usual EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS / EMAIL_USE_SSL; printed
# on the console in development when neither is set (clauses_site/mail_config.py; Django 6.1's MAILERS).
MAILERS = {"default": mailer_from_environment(os.environ, DEBUG, env_bool, env_int)}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Clauses <clauses@localhost>")
PASSWORD_RESET_TIMEOUT = 60 * 60 * 3  # a reset link works for 3 hours

# French UI, Paris time, French number and date formats (1 234,5 — 26/11/2026).
LANGUAGE_CODE = "fr-fr"
LANGUAGES = [("fr", "Français")]  # French only: a browser asking for English still gets 1 234,50
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["clauses_site.formats"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
if DEBUG or env_bool("CLAUSES_TESTING"):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns about a missing folder
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env_bool("CLAUSES_TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Uploads (tracking sheets): 20 MB by default.
CLAUSES_MAX_UPLOAD_MB = env_int("CLAUSES_MAX_UPLOAD_MB", 20)
# Tracking-sheet import limits (hours/suivi/archive.py, scan.py): data rows, XML once the .xlsx is inflated
CLAUSES_IMPORT_MAX_ROWS = env_int("CLAUSES_IMPORT_MAX_ROWS", 200_000)
CLAUSES_IMPORT_MAX_UNCOMPRESSED_MB = env_int("CLAUSES_IMPORT_MAX_UNCOMPRESSED_MB", 500)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Long work off the request (jobs/: grouped bilans, imports): Django's task framework with the database
# backend of django-tasks-db, run by `manage.py db_worker` beside the web server (./run starts both).
# Tests run tasks at once (immediate backend), and keep the database backend under another name for the
# test of the real worker.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if env_bool("CLAUSES_TESTING"):
    TASKS = {
        "default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"},
        "database": {"BACKEND": "django_tasks_db.DatabaseBackend"},
    }
# What jobs produce (the zip of a grouped sending…), served to their owner only.
CLAUSES_JOBS_DIR = Path(os.environ.get("CLAUSES_JOBS_DIR", VAR_DIR / "jobs"))

# Whether facilitators may validate hours themselves (the manager always can).
CLAUSES_FACILITATORS_VALIDATE = env_bool("CLAUSES_FACILITATORS_VALIDATE", False)
# A month's hours reach the team during the following month(s): expected-to-date, « à risque » and the
# dashboard's comparison with last year stop at the latest month that ended at least this many whole
# months ago (1: on 02/12/2026, October 2026).
CLAUSES_COLLECTION_LAG_MONTHS = env_int("CLAUSES_COLLECTION_LAG_MONTHS", 1)
# Web requests on PostgreSQL: a statement running longer is cancelled and the page answers 503
# (clauses_site/timeouts.py); 0: no limit. Management commands and the task worker have none.
CLAUSES_STATEMENT_TIMEOUT_SECONDS = env_int("CLAUSES_STATEMENT_TIMEOUT_SECONDS", 30)
# Personal data: people are anonymised this many years after their last assignment ended
# (manage.py apply_retention, daily).
CLAUSES_RETENTION_YEARS = env_int("CLAUSES_RETENTION_YEARS", 5)
# Backups (manage.py backup / restore): the folder of pg_dump and pg_restore; PATH, then the newest
# /usr/lib/postgresql/*/bin, when empty.
CLAUSES_PG_BIN_DIR = os.environ.get("CLAUSES_PG_BIN_DIR", "").strip()
# The logo printed on the bilans and brochures (a file path); Clauses' own mark when unset.
CLAUSES_LOGO = os.environ.get("CLAUSES_LOGO", "")
CLAUSES_TEAM_NAME = os.environ.get(
    "CLAUSES_TEAM_NAME", "PLIE du Dunkerquois — Entreprendre Ensemble, équipe clauses"
)
# Where the accessibility statement (/accessibilite/) asks people to report a problem.
CLAUSES_ACCESSIBILITY_CONTACT = os.environ.get(
    "CLAUSES_ACCESSIBILITY_CONTACT", "clauses@entreprendre-ensemble.fr"
)

# Security. Behind a TLS-terminating proxy, set SECURE_SSL_REDIRECT=1 and SECURE_PROXY_SSL_HEADER=1.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    # Progress bars and charts set widths inline; nothing else needs inline style.
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own loggers print through the root handler only (no line twice).
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}
