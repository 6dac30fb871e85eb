"""Django settings for Pnyx.

Every setting that differs between a laptop demo and a real convention comes from the
environment, with a safe default: the demo needs none.
"""

import os
import secrets
from pathlib import Path

import dj_database_url
import dj_email_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from pnyx.core.dbpool import pool_enabled, pool_options

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("PNYX_VAR_DIR", BASE_DIR.parent.parent / "var")).resolve()


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once for this checkout (never committed)."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(key)
        return key


DEBUG = _env_bool("PNYX_DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
# The public address of the site, used in emails (sign-in links, invitations).
# `make demo PORT=N` serves on N: links in emails, QR codes and PDFs follow it by default.
PNYX_SITE_URL = os.environ.get(
    "PNYX_SITE_URL", f"http://127.0.0.1:{os.environ.get('PORT') or 8000}"
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "pnyx.core",
    "pnyx.journal",
    "pnyx.members",
    "pnyx.programme",
    "pnyx.draws",
    "pnyx.votes",
    "pnyx.workshops",
    "pnyx.assembly",
    "pnyx.charter",
    "pnyx.live",
]

MIDDLEWARE = [
    # First: request bodies over their endpoint's limit are refused before anything reads them.
    "pnyx.core.bodies.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "pnyx.programme.sessions.BadgeSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "pnyx.urls"
WSGI_APPLICATION = "pnyx.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pnyx.core.context_processors.pnyx",
            ],
        },
    },
]

# Database: SQLite (WAL) by default, PostgreSQL (or any) via DATABASE_URL.
_default_sqlite = VAR_DIR / "pnyx.sqlite3"
if os.environ.get("DATABASE_URL"):
    DATABASES = {"default": dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and pool_enabled():
        # psycopg's pool in each process (pnyx.core.dbpool): requests wait for a connection
        # instead of exhausting max_connections. The pool keeps connections: CONN_MAX_AGE 0.
        DATABASES["default"]["CONN_MAX_AGE"] = 0
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = pool_options()
    # Test databases named per process, so that two test runs on one server never collide.
    DATABASES["default"]["TEST"] = {
        "NAME": os.environ.get("PNYX_TEST_DATABASE", f"test_pnyx_{os.getpid()}")
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("PNYX_SQLITE_PATH", str(_default_sqlite)),
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Sessions live in the database (or Redis through the cache): no process keeps state another needs.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The cache is shared by every server process (rate limits count there): Redis through REDIS_URL,
# else a table of the database (created by a migration of pnyx.core).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "pnyx_cache",
            # Culling drops entries at random past MAX_ENTRIES (expired ones first): keep it high.
            "OPTIONS": {"MAX_ENTRIES": 200_000},
        }
    }

# The live stream (pnyx.live.stream, docs/live.md "The stream"): every server process subscribes
# to Redis (REDIS_URL) and pushes the events to its clients; without it, it reads the database.
PNYX_LIVE_REDIS_URL = os.environ.get("REDIS_URL", "")
PNYX_LIVE_CHANNEL = os.environ.get("PNYX_LIVE_CHANNEL", "pnyx:live")
PNYX_LIVE_MAX_CLIENTS = int(os.environ.get("PNYX_LIVE_MAX_CLIENTS", "5000"))  # per process

AUTHENTICATION_BACKENDS = ["pnyx.members.backends.MemberAwareBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "members:sign_in"
LOGIN_REDIRECT_URL = "programme:home"
LOGOUT_REDIRECT_URL = "programme:home"

# Internationalisation: French first, English available.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("PNYX_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("PNYX_STATIC_ROOT", VAR_DIR / "static")).resolve()
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve app static files without collectstatic in the demo; `pnyx collectstatic` in production.
WHITENOISE_USE_FINDERS = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files are never served directly: views check permissions, then stream them.
MEDIA_ROOT = Path(os.environ.get("PNYX_MEDIA_ROOT", VAR_DIR / "media")).resolve()
MEDIA_URL = "/media-not-served/"

# Email: console in the demo, anything by EMAIL_URL (smtp://user:pass@host:587/?tls=True).
if os.environ.get("EMAIL_URL"):
    vars().update(dj_email_url.parse(os.environ["EMAIL_URL"]))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Pnyx <convention@pnyx.invalid>")

# Background work: Django's tasks framework with the database backend, run by `pnyx db_worker`
# processes (`make demo` starts one). PNYX_TASKS_BACKEND=immediate runs tasks inside the
# request instead (the tests set it in tests/conftest.py).
INSTALLED_APPS.append("django_tasks_db")
if os.environ.get("PNYX_TASKS_BACKEND") == "immediate":
    TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Uploads: bounded, type-checked from their content.
PNYX_VIDEO_MAX_BYTES = int(os.environ.get("PNYX_VIDEO_MAX_BYTES", 200 * 1024 * 1024))
PNYX_VIDEO_TYPES = {
    "video/mp4": "mp4",
    "video/webm": "webm",
    "video/quicktime": "mov",
    "video/x-matroska": "mkv",
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The most bytes of body a request may send, unless its endpoint allows more (pnyx.core.bodies).
PNYX_BODY_MAX_BYTES = int(os.environ.get("PNYX_BODY_MAX_BYTES", DATA_UPLOAD_MAX_MEMORY_SIZE))
FILE_UPLOAD_PERMISSIONS = 0o640

# Sign-in links: valid this long, once.
PNYX_SIGN_IN_LINK_MINUTES = int(os.environ.get("PNYX_SIGN_IN_LINK_MINUTES", 30))
PNYX_SIGN_IN_LINKS_PER_HOUR = int(os.environ.get("PNYX_SIGN_IN_LINKS_PER_HOUR", 5))

# Rate limits, per client address, counted in the shared cache (pnyx.core.ratelimit; docs/security.md):
# "N/<window>" with s, m, h or d. sign_in: links asked for; sign_in_link: links that did not work
# (a good link always passes); cast: ballots cast per address *and* voter, because a hall's
# phones share one address behind the venue's NAT.
PNYX_RATE_LIMITS = {
    "sign_in": os.environ.get("PNYX_RATE_SIGN_IN", "20/10m"),
    "sign_in_link": os.environ.get("PNYX_RATE_SIGN_IN_LINK", "20/10m"),
    "cast": os.environ.get("PNYX_RATE_CAST", "20/m"),
    "assembly_answer": os.environ.get("PNYX_RATE_ASSEMBLY_ANSWER", "20/10m"),
    "amend": os.environ.get("PNYX_RATE_AMEND", "10/10m"),
}
# The client's address is REMOTE_ADDR unless a proxy in front is trusted to set this header
# (e.g. X-Forwarded-For); PNYX_TRUSTED_PROXIES is how many proxies append to it.
PNYX_CLIENT_IP_HEADER = os.environ.get("PNYX_CLIENT_IP_HEADER", "")
PNYX_TRUSTED_PROXIES = int(os.environ.get("PNYX_TRUSTED_PROXIES", 1))

# Security headers.
# Content-Security-Policy on every response (Django's own middleware): scripts and styles only
# from our static files (an inline script needs the request's nonce: <script nonce="{{ csp_nonce }}">),
# no inline event handlers, style attributes or javascript: links; no plugins, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SAMESITE = "Lax"
if _env_bool("PNYX_HTTPS", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PNYX_LOG_LEVEL", "WARNING")},
    "loggers": {"django.tasks": {"level": os.environ.get("PNYX_LOG_LEVEL", "WARNING")}},
}
