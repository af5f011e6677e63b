"""Settings for the campaign site, all read from the environment.

Without any environment the site runs on SQLite with tasks executed in-process, which is
what `make demo` uses. Setting `DATABASE_URL` and `REDIS_URL` switches to PostgreSQL, a
Redis cache and a real Celery broker; nothing else in the code changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean, got {raw!r}")


def envint(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in envstr(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", False)
SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG and not envbool("ALLOW_INSECURE_SECRET", False):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it, or set DEBUG=1 for local development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105

SITE_NAME = envstr("SITE_NAME", "Open Letters")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", SITE_URL)
SITE_ID = 1

VAR_DIR = Path(envstr("VAR_DIR", str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django_countries",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.orcid",
    "allauth.mfa",
    # The domain, in the order its concerns build on each other.
    "letters.common",
    "letters.accounts",
    "letters.campaigns",
    "letters.institutions",
    "letters.signatures",
    "letters.curation",
    "letters.legislators",
    "letters.packets",
    "campaign",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages for anonymous readers, before sessions and the rest (letters.common.pagecache).
    "letters.common.pagecache.PageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "campaign.middleware.StaffTwoFactorMiddleware",
]

ROOT_URLCONF = "campaign.urls"
WSGI_APPLICATION = "campaign.wsgi.application"

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
                "campaign.context_processors.site",
            ],
        },
    }
]

# Database: SQLite unless DATABASE_URL says otherwise.
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=envint("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": envstr("SQLITE_PATH", str(VAR_DIR / "db.sqlite3")),
            "OPTIONS": {
                # IMMEDIATE makes writers queue for the lock instead of failing on upgrade.
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

# Redis backs the cache and the Celery broker when present; without it the cache is
# per-process memory and tasks run in-process right after the transaction commits.
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "campaign.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "ol"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG and SITE_URL.startswith("https"))
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_SAMESITE = "Lax"
BEHIND_TLS_PROXY = envbool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_MAX_TASKS_PER_CHILD = envint("CELERY_MAX_TASKS_PER_CHILD", 200)
CELERY_WORKER_MAX_MEMORY_PER_CHILD = envint("CELERY_MAX_MEMORY_PER_CHILD_KB", 600_000)
CELERY_TASK_SOFT_TIME_LIMIT = envint("CELERY_SOFT_TIME_LIMIT", 600)
CELERY_TASK_TIME_LIMIT = envint("CELERY_TIME_LIMIT", 900)
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = envstr("CELERY_QUEUE", "celery")
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "letters.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if SITE_URL.startswith("https") else "http"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = envint("LOGIN_CODE_TIMEOUT", 900)
SOCIALACCOUNT_ADAPTER = "letters.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_STORE_TOKENS = False
# Rate limits use allauth's limiter (cache-backed, client IP as allauth determines it, from
# X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies). Our own actions sit beside allauth's.
ACCOUNT_RATE_LIMITS = {
    # Sign submissions from one network; and emails to one address caused by signing again
    # (a first signature is limited to one by the database).
    "sign_letter": envstr("RATE_LIMIT_SIGN", "30/m/ip,300/h/ip"),
    "sign_email": envstr("RATE_LIMIT_SIGN_EMAIL", "3/h/key"),
    "confirm_signature": envstr("RATE_LIMIT_CONFIRM", "30/m/ip"),
}
# Behind a proxy every request comes from the proxy's address: without this, the per-network
# limits would be one limit for the whole site, and the burst signal would see every signer
# as one network. One proxy by default when there is one (BEHIND_TLS_PROXY).
ALLAUTH_TRUSTED_PROXY_COUNT = envint("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {
    "orcid": {
        "BASE_DOMAIN": envstr("ORCID_BASE_DOMAIN", "orcid.org"),
        "MEMBER_API": False,
        "APPS": [
            {
                "client_id": envstr("ORCID_CLIENT_ID"),
                "secret": envstr("ORCID_SECRET"),
            }
        ]
        if envstr("ORCID_CLIENT_ID")
        else [],
    }
}

EMAIL_BACKENDS = {
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
}


def mailer_from_env() -> dict:
    """EMAIL_BACKEND is smtp, console, file or locmem (or a dotted path); SMTP is the
    default once EMAIL_HOST is set, the console otherwise."""
    name = envstr("EMAIL_BACKEND", "smtp" if envstr("EMAIL_HOST") else "console")
    backend = EMAIL_BACKENDS.get(name, name)
    options: dict = {}
    if backend.endswith("smtp.EmailBackend"):
        options = {
            "host": envstr("EMAIL_HOST", "localhost"),
            "port": envint("EMAIL_PORT", 587),
            "username": envstr("EMAIL_HOST_USER"),
            "password": envstr("EMAIL_HOST_PASSWORD"),
            "use_tls": envbool("EMAIL_USE_TLS", True),
            "timeout": envint("EMAIL_TIMEOUT", 30),
        }
    elif backend.endswith("filebased.EmailBackend"):
        options = {"file_path": envstr("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": mailer_from_env()}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LANGUAGE_CODE = "en"
# Languages of the interface. Add one here once locale/<code>/ holds its translation: pages
# declare the interface language in <html lang>, so an untranslated one would be a false claim.
# Letters have their own language (any official EU language), declared on the letter itself.
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Brussels"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "campaign" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if envbool("STATIC_MANIFEST", not DEBUG)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_MAX_AGE = envint("STATIC_MAX_AGE", 3600)

# Signing. A proof-of-work challenge (ALTCHA protocol, solved in the signer's browser) stands
# in for a third-party CAPTCHA: nothing about the signer leaves this site.
# The browser tries counters 0, 1, 2... each through ALTCHA_COST PBKDF2 iterations, until it
# reaches the counter the server drew from the upper half of ALTCHA_COUNTER: about a second in
# a browser on this project's 2-core test machine, the same work for every signer.
ALTCHA_HMAC_KEY = envstr("ALTCHA_HMAC_KEY", SECRET_KEY)
ALTCHA_COST = envint("ALTCHA_COST", 1000)
ALTCHA_COUNTER = envint("ALTCHA_COUNTER", 5000)
ALTCHA_EXPIRES_SECONDS = envint("ALTCHA_EXPIRES_SECONDS", 1200)
# The submitting address is kept only as a keyed hash, and only this long.
IP_HASH_KEY = envstr("IP_HASH_KEY", SECRET_KEY)
IP_HASH_RETENTION_DAYS = envint("IP_HASH_RETENTION_DAYS", 30)
UNCONFIRMED_RETENTION_DAYS = envint("UNCONFIRMED_RETENTION_DAYS", 14)
CONFIRMATION_LINK_DAYS = envint("CONFIRMATION_LINK_DAYS", 14)

# Curation. Fraud signals are computed when a signature is confirmed (letters/curation).
# A burst: at least FRAUD_BURST_COUNT signatures within FRAUD_BURST_WINDOW_SECONDS from one
# network (compared by the keyed hash of its address, never the address).
FRAUD_BURST_COUNT = envint("FRAUD_BURST_COUNT", 20)
FRAUD_BURST_WINDOW_SECONDS = envint("FRAUD_BURST_WINDOW_SECONDS", 600)
# Signals that hold a signature for review (flagged: hidden until approved) rather than
# only mark it: watchlist, disposable, duplicate, burst, affiliation.
# Retention of imported CSV files: checked but never imported, and the content of imported ones.
SIGNATURE_IMPORT_CHECKED_DAYS = envint("SIGNATURE_IMPORT_CHECKED_DAYS", 7)
SIGNATURE_IMPORT_FILE_DAYS = envint("SIGNATURE_IMPORT_FILE_DAYS", 90)
FRAUD_FLAGGING_SIGNALS = envlist("FRAUD_FLAGGING_SIGNALS", "watchlist,disposable,duplicate,burst")
# Imports: the registry dumps (ROR's is a few hundred MB) and signatures collected offline.
REGISTRY_IMPORT_MAX_MB = envint("REGISTRY_IMPORT_MAX_MB", 2048)
SIGNATURE_IMPORT_MAX_MB = envint("SIGNATURE_IMPORT_MAX_MB", 10)
SIGNATURE_IMPORT_MAX_ROWS = envint("SIGNATURE_IMPORT_MAX_ROWS", 50_000)
# The most signatures one bulk action in the admin changes (it runs within the request).
CURATION_BULK_MAX = envint("CURATION_BULK_MAX", 5000)
# How long the admin's counts of a letter's signatures by state may lag behind signing.
CURATION_COUNTS_SECONDS = envint("CURATION_COUNTS_SECONDS", 5)

# Staff reach the admin only after two-factor authentication (allauth's MFA): see
# campaign/middleware.py. Turning this off is for a throwaway local setup only.
STAFF_MFA_REQUIRED = envbool("STAFF_MFA_REQUIRED", True)
MFA_TOTP_ISSUER = SITE_NAME

# The benchmark's floor view (campaign/benchfloor.py); never on in production.
BENCH_FLOOR = envbool("BENCH_FLOOR", False)

# Public pages are kept this many seconds per worker process for anonymous readers.
PAGE_CACHE_SECONDS = envint("PAGE_CACHE_SECONDS", 3)

# How long the public counters may lag behind the database, in seconds.
STATS_REFRESH_SECONDS = envint("STATS_REFRESH_SECONDS", 0 if CELERY_TASK_ALWAYS_EAGER else 3)
# Confirmation emails submitted within this many seconds leave together, in one task.
CONFIRMATION_BATCH_SECONDS = envint(
    "CONFIRMATION_BATCH_SECONDS", 0 if CELERY_TASK_ALWAYS_EAGER else 1
)

# Packets for legislators (letters/packets; README "Packets").
PACKETS_DIR = Path(envstr("PACKETS_DIR", str(VAR_DIR / "packets")))
# The campaign's signing certificate: a PKCS#12 file and its passphrase. Without one, `make
# demo` and `manage.py packets_dev_certificate` create a self-signed one at this path.
PACKET_SIGNING_PKCS12 = Path(
    envstr("PACKET_SIGNING_PKCS12", str(VAR_DIR / "signing" / "development.p12"))
)
PACKET_SIGNING_PASSPHRASE = envstr("PACKET_SIGNING_PASSPHRASE")
PACKET_FONT_DIR = Path(envstr("PACKET_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))
# Chinese, Japanese and Korean names (optional; Debian's fonts-wqy-microhei).
PACKET_CJK_FONT = Path(envstr("PACKET_CJK_FONT", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
# Work sizes: list pages per chunk (each chunk is one task; a short list is still split in
# PACKET_MIN_CHUNKS to keep the workers busy), legislators per batch of covers and per
# assembling task.
PACKET_CHUNK_PAGES = envint("PACKET_CHUNK_PAGES", 40)
PACKET_MIN_CHUNKS = envint("PACKET_MIN_CHUNKS", 6)
PACKET_COVER_BATCH = envint("PACKET_COVER_BATCH", 30)
PACKET_ASSEMBLE_BATCH = envint("PACKET_ASSEMBLE_BATCH", 12)
# A claim older than this is taken to belong to a dead worker and its work is queued again;
# keep it above CELERY_TIME_LIMIT.
PACKET_STALE_SECONDS = envint("PACKET_STALE_SECONDS", max(CELERY_TASK_TIME_LIMIT + 60, 300))
PACKET_VERIFY_MAX_BYTES = envint("PACKET_VERIFY_MAX_MB", 64) * 1024 * 1024
# A queue of their own for the packet tasks, so that rendering can go to workers of its own
# (`celery worker -Q packets`) and never queues behind confirmation emails. Empty: the
# default queue.
PACKET_QUEUE = envstr("PACKET_QUEUE")
if PACKET_QUEUE:
    CELERY_TASK_ROUTES = {"letters.packets.tasks.*": {"queue": PACKET_QUEUE}}
ACCOUNT_RATE_LIMITS["verify_packet"] = envstr("RATE_LIMIT_VERIFY_PACKET", "20/m/ip,200/h/ip")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # In-process tasks would log every success into the runserver console.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
        # WeasyPrint reports every page it lays out; its warnings still come through.
        "weasyprint.progress": {"level": "WARNING"},
    },
}

CELERY_BEAT_SCHEDULE.update(
    {
        "refresh-letter-stats": {
            "task": "letters.signatures.tasks.refresh_all_letter_stats",
            "schedule": 60.0,
        },
        "send-pending-confirmations": {
            "task": "letters.signatures.tasks.send_pending_confirmations",
            "schedule": 60.0,
        },
        "purge-expired-signature-data": {
            "task": "letters.signatures.tasks.purge_expired",
            "schedule": 3600.0,
        },
        "purge-erased-fraud-signals": {
            "task": "letters.curation.tasks.purge_erased_signals",
            "schedule": 3600.0,
        },
        "purge-import-files": {
            "task": "letters.curation.tasks.purge_import_files",
            "schedule": 3600.0,
        },
        "requeue-stale-packet-work": {
            "task": "letters.packets.tasks.requeue_stale",
            "schedule": 60.0,
        },
    }
)
