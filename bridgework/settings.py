"""Bridgework settings: one module, driven by environment variables, SQLite by default.

Every variable is listed with its meaning in README.md ("Configuration"). A bad value stops
start-up with a message naming the variable and what it expects (see bridgework.lib.env).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from bridgework.lib.database import check_postgres_options
from bridgework.lib.env import Env, secret_key

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

VAR_DIR = Path(env.string("VAR_DIR", str(BASE_DIR / "var")))
DEBUG = env.boolean("DEBUG", False)
SECRET_KEY = secret_key(env, debug=DEBUG, var_dir=VAR_DIR)
ALLOWED_HOSTS = env.strings("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.strings("CSRF_TRUSTED_ORIGINS")
PORT = env.integer("PORT", 8000, low=1, high=65535)
SITE_URL = env.string("SITE_URL", f"http://127.0.0.1:{PORT}").rstrip("/")

# The number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted
# when finding the client's address (throttling, audit). 0: use the socket's address.
TRUSTED_PROXY_COUNT = env.integer("TRUSTED_PROXY_COUNT", 0, low=0, high=5)
# Requests a minute per personal access token (docs/api.md). CI's schemathesis run raises it.
API_REQUESTS_A_MINUTE = env.integer("API_REQUESTS_A_MINUTE", 120, low=1)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp_webauthn",  # passkeys: a second factor for staff, a sign-in for clients
    "axes",
    "ninja",  # its vendored Swagger UI (static/ninja/), so the API's docs load no CDN asset
    "bridgework.audit",
    "bridgework.accounts",
    "bridgework.care",
    "bridgework.clinic",
    "bridgework.plans",
    "bridgework.practice",
    "bridgework.prompts",
    "bridgework.measures",
    "bridgework.supervision",
    "bridgework.research",
    "bridgework.interop",
    "bridgework.interop.fhir",
    "bridgework.desk",
    "bridgework.demo",
    "bridgework.backups",
    "bridgework.records",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files, compressed ahead of time
    "bridgework.middleware.CompressPagesMiddleware",
    "bridgework.audit.middleware.RequestIdMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bridgework.records.middleware.ForgetErasedPhonesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "bridgework.middleware.ReadOnlyMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "bridgework.accounts.middleware.IdleTimeoutMiddleware",
    "bridgework.accounts.middleware.SecondFactorMiddleware",
    "bridgework.accounts.middleware.PreferencesMiddleware",
    "bridgework.plans.shared_screen.SharedScreenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "bridgework.middleware.PrivacyHeadersMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "bridgework.urls"
WSGI_APPLICATION = "bridgework.wsgi.application"

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
                "bridgework.accounts.context.roles",
                "bridgework.plans.shared_screen.context",
            ],
        },
    },
]


def database_from_url(url: str, variable: str = "DATABASE_URL") -> dict[str, Any]:
    try:
        config: dict[str, Any] = dict(
            dj_database_url.parse(
                url,
                conn_max_age=env.integer("DB_CONN_MAX_AGE", 60, low=0),
                # A kept connection is checked before a request reuses it, so one that
                # PostgreSQL dropped (a restart, a failover) is replaced instead of failing the
                # request (bench/load.py restarts PostgreSQL under load).
                conn_health_checks=True,
            )
        )
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"{variable}={url!r} cannot be used ({exc}). Expected sqlite:///path/to/file.sqlite3 "
            "or postgres://user:password@host:5432/name."
        ) from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN so
        # two writers queue for busy_timeout instead of failing with "database is locked".
        config["CONN_MAX_AGE"] = 0
        # Tests use a file too, not shared-cache memory: that mode locks whole tables and
        # fails concurrent writers at once, where the real file (WAL) lets them queue.
        config["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;",
        }
    elif config["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            f"{variable} names {config['ENGINE']!r}. Expected SQLite or PostgreSQL."
        )
    else:
        # The query string's options (sslmode, sslrootcert…) arrive in OPTIONS as they are
        # and go on to psycopg: checked here so a typo stops start-up (docs/operations.md).
        check_postgres_options(config.get("OPTIONS", {}), variable)
    return config


DATABASE_URL = env.string("DATABASE_URL", f"sqlite:///{VAR_DIR / 'bridgework.sqlite3'}")
if DATABASE_URL.startswith("sqlite:///") and not DATABASE_URL.endswith(":memory:"):
    Path(DATABASE_URL.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": database_from_url(DATABASE_URL)}


def replica_from_url(url: str, primary: dict[str, Any]) -> dict[str, Any]:
    """The "replica" database: a PostgreSQL streaming replica of the primary that research
    reads from (research.replica), so exports never load the primary. Nothing writes there."""
    config = database_from_url(url, "DATABASE_REPLICA_URL")
    postgres = "django.db.backends.postgresql"
    if config["ENGINE"] != postgres or primary["ENGINE"] != postgres:
        raise ImproperlyConfigured(
            "DATABASE_REPLICA_URL is for a PostgreSQL streaming replica of a PostgreSQL "
            f"DATABASE_URL; here it names {config['ENGINE']!r} beside {primary['ENGINE']!r}. "
            "Expected postgres://user:password@replica-host:5432/name, or leave it unset."
        )
    if config["NAME"] != primary["NAME"]:
        # A streaming replica holds the primary's databases: another name would be other data.
        raise ImproperlyConfigured(
            f"DATABASE_REPLICA_URL names the database {config['NAME']!r}, DATABASE_URL "
            f"{primary['NAME']!r}. Expected the same database on the replica."
        )
    # In tests the replica reads the primary's test database as it arrives by replication; it
    # is never created there (a replica is read-only): see conftest.py.
    config["TEST"] = {"NAME": primary.get("TEST", {}).get("NAME") or f"test_{primary['NAME']}"}
    return config


DATABASE_REPLICA_URL = env.string("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = replica_from_url(DATABASE_REPLICA_URL, DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Research exports: where finished files wait for their researcher, and for how many days.
RESEARCH_EXPORT_DIR = Path(env.string("RESEARCH_EXPORT_DIR", str(VAR_DIR / "exports")))
RESEARCH_EXPORT_KEEP_DAYS = env.integer("RESEARCH_EXPORT_KEEP_DAYS", 14, low=1, high=365)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses attempts while locked out
    "bridgework.accounts.backends.Backend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/sign-in/"
LOGIN_REDIRECT_URL = "/"

# Sessions live in the database. Staff sessions are shortened to the clinic's idle timeout at
# sign-in (accounts.middleware); a client's session keeps them signed in on their own phone.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
CLIENT_SESSION_AGE = timedelta(days=env.integer("CLIENT_SESSION_DAYS", 90, low=1, high=400))
SESSION_COOKIE_AGE = int(CLIENT_SESSION_AGE.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# A refused form gets the app's own page, in the person's language, saying what to do.
CSRF_FAILURE_VIEW = "bridgework.views.csrf_failure"

# Sign-in throttling (django-axes, database handler: works on SQLite with no cache server).
# Either limit locks: AXES_FAILURE_LIMIT failures from one address, or for one account.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.integer("SIGN_IN_FAILURE_LIMIT", 5, low=1, high=100)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("SIGN_IN_COOLOFF_MINUTES", 15, low=1, high=1440))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_USERNAME_FORM_FIELD = "email"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bridgework.accounts.views.signed_in_too_often"
AXES_CLIENT_IP_CALLABLE = "bridgework.lib.web.client_ip"
AXES_VERBOSE = False  # axes would otherwise log every attempt with the e-mail address
AXES_ENABLE_ACCESS_FAILURE_LOG = False
AXES_DISABLE_ACCESS_LOG = True

OTP_TOTP_ISSUER = env.string("OTP_TOTP_ISSUER", "Bridgework")

# Passkeys (WebAuthn, django-otp-webauthn). A passkey is bound to the relying party id, a
# domain (never an IP address: browsers refuse one), and each answer is checked against the
# origins listed here. The demo and the tests use http://localhost, a secure context; in
# production set PASSKEY_RP_ID=bridgework.clinic.example and
# PASSKEY_ORIGINS=https://bridgework.clinic.example. Changing the id later orphans every
# passkey registered under the old one (README, "Passkeys").
OTP_WEBAUTHN_RP_ID = env.string("PASSKEY_RP_ID", "localhost")
OTP_WEBAUTHN_RP_NAME = env.string("PASSKEY_RP_NAME", "Bridgework")
OTP_WEBAUTHN_ALLOWED_ORIGINS = env.strings("PASSKEY_ORIGINS", [f"http://localhost:{PORT}"])
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = True  # clients only: accounts.passkey_views refuses staff
OTP_WEBAUTHN_HELPER_CLASS = "bridgework.accounts.passkeys.Helper"

HTTPS = env.boolean("HTTPS", False)
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.integer("HSTS_SECONDS", 31536000, low=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("de", _("German"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "UTC"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request without it
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env.boolean("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_HOST = env.string("EMAIL_HOST")
EMAIL_BACKEND = env.string(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env.integer("EMAIL_PORT", 587, low=1, high=65535)
EMAIL_HOST_USER = env.string("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env.string("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env.boolean("EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = env.boolean("EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.string("DEFAULT_FROM_EMAIL", "Bridgework <noreply@bridgework.invalid>")
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL are both on. Expected at most one.")

INVITATION_DAYS = env.integer("INVITATION_DAYS", 7, low=1, high=60)
# How long a link to choose a new password works (forgotten password, or sent by an admin).
PASSWORD_RESET_MINUTES = env.integer("PASSWORD_RESET_MINUTES", 60, low=10, high=24 * 60)

# Reminders: how far ahead prompts are planned, how often a failed one is tried, and Web Push
# (VAPID) keys — push is off until VAPID_PRIVATE_KEY and VAPID_PUBLIC_KEY are set.
PROMPT_HORIZON_DAYS = env.integer("PROMPT_HORIZON_DAYS", 7, low=1, high=60)
PROMPT_MAX_ATTEMPTS = env.integer("PROMPT_MAX_ATTEMPTS", 5, low=1, high=20)
VAPID_PRIVATE_KEY = env.string("VAPID_PRIVATE_KEY")
VAPID_PUBLIC_KEY = env.string("VAPID_PUBLIC_KEY")
VAPID_SUBJECT = env.string("VAPID_SUBJECT", "mailto:noreply@bridgework.invalid")
# The push services a phone's subscription may point at (a host or a parent domain). The
# server posts to that address, so an arbitrary one would let a client aim it at internal
# hosts (SSRF). These are the services today's browsers use.
PUSH_SERVICE_HOSTS = env.strings(
    "PUSH_SERVICE_HOSTS",
    ["fcm.googleapis.com", "push.services.mozilla.com", "notify.windows.com", "push.apple.com"],
)

# Logs carry request ids and object ids, never request bodies or client data. No error e-mails:
# an exception report could hold client data, so errors go to the server log only. Every
# handler passes bridgework.lib.logs.SafeRecords: no link secrets (invitation, calendar feed)
# in paths, and a too-large request is one short warning, not a traceback.
ADMINS: list[tuple[str, str]] = []
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"safe": {"()": "bridgework.lib.logs.SafeRecords"}},
    "formatters": {
        "plain": {"format": "{levelname} {name}: {message}", "style": "{"},
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["safe"]},
        # runserver's request lines, as Django formats them, through the same filter.
        "django.server": {
            "class": "logging.StreamHandler",
            "formatter": "django.server",
            "filters": ["safe"],
        },
    },
    "root": {"handlers": ["console"], "level": env.string("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers (a DEBUG-only console, admin e-mails) are dropped: everything
        # goes to the root handler above, through the filter, at the root level (LOG_LEVEL).
        "django": {"handlers": [], "level": "NOTSET", "propagate": True},
        "django.server": {"handlers": ["django.server"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},  # it would log e-mail addresses at INFO
        # fpdf2 and fontTools write a line per font and subset at INFO for every PDF.
        "fpdf": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
