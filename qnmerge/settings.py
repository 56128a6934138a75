"""qnmerge settings: one module, every value read from the environment.

Bad values are refused at start-up with ImproperlyConfigured, naming the
variable. Every variable is listed in README.md.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of {sorted(_TRUE | _FALSE)}")


def env_int(name, default, minimum=0):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}")
    return value


def env_list(name, default=()):
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or list(default)


# DEBUG is on for a developer's machine; production sets DEBUG=false and must
# then also set SECRET_KEY and ALLOWED_HOSTS (`make serve` defaults it off).
DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if DEBUG:
    SECRET_KEY = SECRET_KEY or "insecure-local-development-key-do-not-use-in-production"
    ALLOWED_HOSTS = ALLOWED_HOSTS or ["127.0.0.1", "localhost", "[::1]", "testserver"]
else:
    missing = [n for n, v in (("SECRET_KEY", SECRET_KEY), ("ALLOWED_HOSTS", ALLOWED_HOSTS)) if not v]
    if missing:
        raise ImproperlyConfigured("DEBUG is off, so these environment variables must be set: " + ", ".join(missing))
    if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("insecure"):
        raise ImproperlyConfigured("SECRET_KEY must be a random string of at least 50 characters")
    if len(set(SECRET_KEY)) < 10:
        raise ImproperlyConfigured(
            "SECRET_KEY is not random: it uses fewer than 10 different characters. Generate one with "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    if "*" in ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS=* lets any Host header through (password-reset links, cache poisoning): "
            "name the host names the portal answers to, comma-separated"
        )

# The public portal is readable without an account unless QNMERGE_PUBLIC=false.
QNMERGE_PUBLIC = env_bool("QNMERGE_PUBLIC", True)
# Rendered portal pages are kept until the data next changes, at most this
# long (qnmerge.middleware.PageCacheMiddleware); 0 turns the page cache off.
QNMERGE_PAGE_CACHE_SECONDS = env_int("QNMERGE_PAGE_CACHE_SECONDS", 3600)

INSTALLED_APPS = [
    "qnmerge.admin_site.QnAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "simple_history",
    # portal before import_export: both ship an `export` command, ours must win.
    "portal",
    "import_export",
    "axes",
    "agencies",
    "mergers",
    # Infrastructure over the data apps (roles, cache, admin base, imports).
    "core",
]

# The domain apps: their records are cached by data version, guarded against
# NUL characters, and given roles (core). Dependency order: `mergers` builds
# on `agencies`, never the reverse.
QNMERGE_DATA_APPS = ("agencies", "mergers")


def _portal_url(name, attr="pk"):
    """A model's public page, named here so the domain apps name no portal URL."""

    def url(obj):
        from django.urls import reverse

        return reverse(f"portal:{name}", args=[getattr(obj, attr)])

    return url


ABSOLUTE_URL_OVERRIDES = {
    "agencies.source": _portal_url("source"),
    "agencies.legaldocument": _portal_url("document"),
    "agencies.administrativeunit": _portal_url("district", "slug"),
    "agencies.body": _portal_url("body"),
    "agencies.event": _portal_url("event"),
    "mergers.mergermodel": _portal_url("model", "slug"),
    "mergers.merger": _portal_url("merger"),
}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "qnmerge.middleware.RejectNullCharactersMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "qnmerge.middleware.LoginGateMiddleware",
    "qnmerge.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
    # Before the page cache, so that cached pages get the date too.
    "portal.middleware.KeepAsOfMiddleware",
    "qnmerge.middleware.PageCacheMiddleware",
]

ROOT_URLCONF = "qnmerge.urls"
WSGI_APPLICATION = "qnmerge.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite file by default; DATABASE_URL (postgres://user@host:5432/name) switches.
_default_db = f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}"
try:
    DATABASES = {
        "default": dj_database_url.parse(
            os.environ.get("DATABASE_URL") or _default_db,
            conn_max_age=env_int("CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # JIT compilation cost seconds on the portal's short correlated-subquery
    # queries and saved nothing (BENCHMARKS.md). The data (a few hundred MB at
    # nationwide scale) stays in memory, where an index read costs about what a
    # sequential one does: random_page_cost 1.1, not the default 4 that assumes
    # disk seeks, lets the planner walk indexes into the scope of a unit
    # instead of scanning whole tables (BENCHMARKS.md, "Rendered, page cache
    # off"). A DATABASE_URL ?options= wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off -c random_page_cost=1.1")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A long import must not make a login fail with "database is locked":
    # WAL lets readers go on while one writer writes, writers wait up to
    # SQLITE_BUSY_TIMEOUT seconds for each other instead of failing, and
    # IMMEDIATE takes the write lock when a transaction starts (a deferred
    # one that reads, then writes, cannot wait and fails at once).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 30, minimum=1),
            "transaction_mode": "IMMEDIATE",
        }
    )
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

# Admin login throttling (django-axes): lock a username+IP after failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
# A username is locked only together with the address that failed (someone
# else cannot lock an admin out from elsewhere), and one address is also
# limited across usernames (password spraying): AXES_ADDRESS_FAILURE_LIMIT
# failures from one address lock that address (qnmerge.throttle).
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 20, minimum=1)
AXES_HANDLER = "qnmerge.throttle.AddressAwareHandler"
AXES_RESET_ON_SUCCESS = True
# The client address axes records: REMOTE_ADDR, or X-Forwarded-For read as
# BEHIND_HTTPS_PROXY says (qnmerge.throttle.client_ip_address).
AXES_CLIENT_IP_CALLABLE = "qnmerge.throttle.client_ip_address"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
# The project's catalogue first (it wins), then the Vietnamese for strings of
# the third-party apps (admin, import/export, history, axes) that their own
# catalogues lack; `manage.py compile_catalogues` compiles both.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale" / "third_party"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Security headers; the strict ones apply whenever DEBUG is off.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
# HSTS: in production one day by default, for this host only. Sub-domains
# and the browsers' preload list are opt-in (SECURE_HSTS_INCLUDE_SUBDOMAINS,
# SECURE_HSTS_PRELOAD): both bind every host of the domain and are hard to
# take back, so the operator decides. `check --deploy` then stays quiet about
# them (W005, W021) because leaving them off is a choice, not an oversight.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 86400)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0 and env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0 and env_bool("SECURE_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = [
    check
    for check, chosen in (("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS), ("security.W021", SECURE_HSTS_PRELOAD))
    if not chosen
]
# Content-Security-Policy on every response (qnmerge/middleware.py): our own
# origin only, no inline script or style attribute, no framing.
QNMERGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)


# BEHIND_HTTPS_PROXY: how many reverse proxies in front of the portal are
# trusted (true = 1, false/unset = 0). With none, the client address is
# REMOTE_ADDR and X-Forwarded-* headers are ignored (anyone could send them);
# with n, the scheme comes from X-Forwarded-Proto and the client address is
# the n-th address of X-Forwarded-For counted from the right (the one the
# outermost trusted proxy saw).
def env_proxies(name):
    raw = (os.environ.get(name) or "").strip().lower()
    if raw in _TRUE:
        return 1
    if raw in _FALSE or raw == "":
        return 0
    return env_int(name, 0)


TRUSTED_PROXY_COUNT = env_proxies("BEHIND_HTTPS_PROXY")
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Import files above this size are refused before they are parsed.
QNMERGE_IMPORT_MAX_BYTES = env_int("QNMERGE_IMPORT_MAX_BYTES", 5 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = QNMERGE_IMPORT_MAX_BYTES
# ... and refused while being read past this many data rows or cells (an XLSX
# declaring more is refused unread). `manage.py import_file` has its own limit.
QNMERGE_IMPORT_MAX_ROWS = env_int("QNMERGE_IMPORT_MAX_ROWS", 20_000, minimum=1)
QNMERGE_IMPORT_MAX_CELLS = env_int("QNMERGE_IMPORT_MAX_CELLS", 400_000, minimum=1)
# Uploads waiting for the admin's confirm step (core.import_files); those
# older than this many seconds are abandoned and deleted.
QNMERGE_PENDING_IMPORT_DIR = Path(os.environ.get("QNMERGE_PENDING_IMPORT_DIR") or BASE_DIR / "var" / "pending-imports")
QNMERGE_PENDING_IMPORT_MAX_AGE = env_int("QNMERGE_PENDING_IMPORT_MAX_AGE", 3600, minimum=60)
FILE_UPLOAD_MAX_MEMORY_SIZE = QNMERGE_IMPORT_MAX_BYTES

# Shared by every worker of one server (see core/cache.py); the key prefix
# keeps two databases served from one checkout apart. QNMERGE_CACHE_DIR moves
# it (the tests' subprocesses use a temporary directory each).
# One machine: a file cache under var/ shared by its gunicorn workers.
# Several app servers: CACHE_URL=redis://127.0.0.1:6379/1 so they share one
# cache and one data version (core.cache); Redis being down makes every
# read a miss, never an error (qnmerge.cache_backends).
CACHE_URL = os.environ.get("CACHE_URL", "").strip()
_CACHE_PREFIX = str(DATABASES["default"].get("NAME", "")).replace("/", "_")[-60:]
if not CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": os.environ.get("QNMERGE_CACHE_DIR") or str(BASE_DIR / "var" / "cache"),
            "KEY_PREFIX": _CACHE_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
elif CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "qnmerge.cache_backends.FailSafeRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": _CACHE_PREFIX,
        }
    }
else:
    raise ImproperlyConfigured(
        f"CACHE_URL={CACHE_URL!r}: give a Redis address such as redis://127.0.0.1:6379/1, or leave it unset for the file cache"
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
