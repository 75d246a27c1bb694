"""Settings for every environment; production differs only by environment variables.

Safe local defaults let `make run` work with no config file: SQLite in ./var, a generated
development secret, huey on SQLite. In production set DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS,
DATABASE_URL, REDIS_URL and DJANGO_SECURE=1 (see docs/operations.md).
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [v.strip() for v in os.environ.get(name, default).split(",") if v.strip()]


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, str(default)))


DEBUG = env_bool("DJANGO_DEBUG", False)
SECURE = env_bool("DJANGO_SECURE", False)  # production: HTTPS-only cookies, HSTS, redirects

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if SECURE:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_SECURE=1")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
# Reverse proxies whose X-Forwarded-For is believed (IPs/CIDRs): rate limits count the client
# behind them, not the proxy. Empty: REMOTE_ADDR is the client (motcua.core.ratelimit.client_ip).
MOTCUA_TRUSTED_PROXIES = env_list("MOTCUA_TRUSTED_PROXIES")
# System checks acknowledged on purpose, e.g. `make run` on 127.0.0.1 silences motcua.E002
# (a loopback base URL is right when nothing off this machine can reach the server anyway).
SILENCED_SYSTEM_CHECKS = env_list("DJANGO_SILENCED_SYSTEM_CHECKS")

INSTALLED_APPS = [
    "motcua.accounts.apps.StaffAdminConfig",  # admin login goes through staff login + TOTP
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "huey.contrib.djhuey",
    "motcua.core",
    "motcua.accounts",
    "motcua.catalog",
    "motcua.registry",
    "motcua.eforms",
    "motcua.dossiers",
    "motcua.queueing",
    "motcua.documents",
    "motcua.certification",
    "motcua.integrations",
    "motcua.outreach",
    "motcua.feedback",
    "motcua.petitions",
    "motcua.payments",
    "motcua.paysim",  # the payment platform simulator: its table; its URLs only when on
    "motcua.postal",
    "motcua.postsim",  # the post simulator: its table; its URLs only when on
    "motcua.portalsync",  # the outbox to the National Public Service Portal (DVCQG)
    "motcua.portalsim",  # the DVCQG simulator: its tables; its URLs only when on
    "motcua.portal",
    "motcua.citizens",
    "motcua.filing",
    "motcua.kpi",
    "motcua.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "motcua.core.middleware.NoStoreWhenSignedInMiddleware",
    "motcua.core.middleware.RefuseNulInUrlMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "motcua.core.middleware.RequestContextMiddleware",
    "motcua.core.middleware.IllegalTransitionMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"
ASGI_APPLICATION = "motcua.asgi.application"

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
                "motcua.accounts.context_processors.staff_navigation",
            ],
        },
    }
]

# --- database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'motcua.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_POOL", True
):
    # A bounded pool per process (psycopg_pool): at most DATABASE_POOL_MAX_SIZE connections
    # however many threads serve requests, handed back at the end of each request; a request
    # that waits longer than DATABASE_POOL_TIMEOUT for one is answered 503 + Retry-After
    # (core.middleware.PoolExhaustedMiddleware). Connections a server can hold = processes x
    # max size (docs/operations.md, docs/decisions/0023). Kept connections (CONN_MAX_AGE) leak
    # under an ASGI server, one per finished thread, so they are refused with the pool.
    if DATABASES["default"]["CONN_MAX_AGE"]:
        raise RuntimeError(
            "DATABASE_CONN_MAX_AGE cannot be used with the connection pool: unset it, "
            "or set DATABASE_POOL=0 (e.g. behind PgBouncer)"
        )
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool("DATABASE_CONN_HEALTH_CHECKS", True)
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": int(os.environ.get("DATABASE_POOL_MIN_SIZE", "1")),
        "max_size": int(os.environ.get("DATABASE_POOL_MAX_SIZE", "4")),
        "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", "10")),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + IMMEDIATE transactions + busy timeout: web and worker write concurrently.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests on a file, not the shared-cache memory database: there a browser test's server
    # thread and the test thread fail at once with "database table is locked" instead of
    # waiting for each other as WAL connections do (pytest-xdist adds a suffix per worker).
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-motcua.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "catalog:procedure_list"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Brute-force lockout: 5 failures per username+IP lock that pair for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_HTTP_RESPONSE_CODE = 429
# A commune office shares one IP: the per-IP ceiling is high, the per-user+IP one low.
MOTCUA_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("MOTCUA_LOGIN_IP_FAILURE_LIMIT", "50"))
AXES_VERBOSE = False
# The same client address as every other rate limit (behind MOTCUA_TRUSTED_PROXIES too).
AXES_CLIENT_IP_CALLABLE = "motcua.core.ratelimit.client_ip"
OTP_TOTP_ISSUER = "motcua"

# --- i18n / time ---------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

# --- static / media --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if SECURE
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not SECURE
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# --- security ----------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and not env_bool("DJANGO_BEHIND_TLS_PROXY_NO_REDIRECT")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "motcua.core.views.csrf_failure"
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

# --- citizens' sign-in: OpenID Connect with the national digital identity (docs/decisions/0026) ---
# The provider's issuer URL (discovery at issuer + /.well-known/openid-configuration), the
# client registered there, the scopes asked for and the names of the claims motcua reads.
# Unset issuer: citizens' sign-in is closed (a clear page). `make run` points these at the
# local development provider (motcua_devidp).
MOTCUA_OIDC_ISSUER = os.environ.get("MOTCUA_OIDC_ISSUER", "")
MOTCUA_OIDC_CLIENT_ID = os.environ.get("MOTCUA_OIDC_CLIENT_ID", "")
MOTCUA_OIDC_CLIENT_SECRET = os.environ.get("MOTCUA_OIDC_CLIENT_SECRET", "")
MOTCUA_OIDC_SCOPES = os.environ.get("MOTCUA_OIDC_SCOPES", "openid profile address vneid")
MOTCUA_OIDC_CLAIM_CITIZEN_ID = os.environ.get("MOTCUA_OIDC_CLAIM_CITIZEN_ID", "citizen_id")
MOTCUA_OIDC_CLAIM_FULL_NAME = os.environ.get("MOTCUA_OIDC_CLAIM_FULL_NAME", "name")
MOTCUA_OIDC_CLAIM_BIRTHDATE = os.environ.get("MOTCUA_OIDC_CLAIM_BIRTHDATE", "birthdate")
MOTCUA_OIDC_CLAIM_SEX = os.environ.get("MOTCUA_OIDC_CLAIM_SEX", "gender")
MOTCUA_OIDC_CLAIM_ADDRESS = os.environ.get("MOTCUA_OIDC_CLAIM_ADDRESS", "address")
MOTCUA_OIDC_CLAIM_LEVEL = os.environ.get("MOTCUA_OIDC_CLAIM_LEVEL", "identity_level")
# Seconds to wait for the provider (discovery, keys, token request); clock skew allowed on an
# ID token's exp/iat; sign-in starts and callbacks per client address per minute.
MOTCUA_OIDC_TIMEOUT_SECONDS = env_float("MOTCUA_OIDC_TIMEOUT_SECONDS", 10)
MOTCUA_OIDC_LEEWAY_SECONDS = env_int("MOTCUA_OIDC_LEEWAY_SECONDS", 60)
MOTCUA_OIDC_RATE_PER_MINUTE = env_int("MOTCUA_OIDC_RATE_PER_MINUTE", 20)
# "Hồ sơ của tôi": a citizen's link to their signed result or a paper of their dossier works
# for this many seconds, for them only (citizens.links); a supplement request may state a
# term to answer in working days (0: none is stated, the law we have read sets none).
MOTCUA_CITIZEN_FILE_LINK_SECONDS = env_int("MOTCUA_CITIZEN_FILE_LINK_SECONDS", 300)
MOTCUA_SUPPLEMENT_ANSWER_WORKING_DAYS = env_int("MOTCUA_SUPPLEMENT_ANSWER_WORKING_DAYS", 0)
if MOTCUA_OIDC_ISSUER:
    # Sign-out posts to motcua, which redirects to the provider's end-session address: the
    # browser applies form-action to that redirect too.
    _issuer_origin = "/".join(MOTCUA_OIDC_ISSUER.split("/", 3)[:3])
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"].append(_issuer_origin)

# --- API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "120/minute")},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "motcua API",
    "DESCRIPTION": "Public, read-only API of the procedure catalog (thủ tục hành chính).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- cache, background jobs ---------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "motcua.core.redis_cache.RedisCache", "LOCATION": REDIS_URL}}
    HUEY = {"huey_class": "huey.RedisHuey", "name": "motcua", "url": REDIS_URL, "immediate": False}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "motcua_cache",
        }
    }
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "motcua",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": env_bool("HUEY_IMMEDIATE", False),
    }
WORKER_HEARTBEAT_MAX_AGE = int(os.environ.get("WORKER_HEARTBEAT_MAX_AGE", "180"))
# Anonymous public pages (catalog) and the boards' state JSON from the cache, invalidated
# exactly (motcua.core.pagecache); MOTCUA_PAGE_CACHE=0 builds every one anew (to compare, or if
# a stale page is ever suspected).
MOTCUA_PAGE_CACHE = env_bool("MOTCUA_PAGE_CACHE", True)

# --- logging: no personal data. Request logs carry method, path template and status only. --------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_pii": {"()": "motcua.core.logging.RedactPIIFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_pii"]}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- motcua -------------------------------------------------------------------------------
MOTCUA_SITE_NAME = os.environ.get("MOTCUA_SITE_NAME", _("Một cửa điện tử"))
# The address citizens open: every QR code, printed link and message is built on it
# (motcua.core.links). No default: with DEBUG off a missing or loopback value fails the system
# checks (motcua.core.checks); `make run` sets it to the address it serves.
MOTCUA_PUBLIC_BASE_URL = os.environ.get("MOTCUA_PUBLIC_BASE_URL", "")
# Deadline arithmetic (motcua.core.calendar): receptions at or after the cut-off count from the
# next working day (ND 118/2025 art. 18(2) as amended by ND 309/2026: 15:00); office hours give
# the time of day a deadline falls due (QĐ 188/1999/QĐ-TTg: 40 hours, Mon-Fri).
MOTCUA_RECEPTION_CUTOFF = os.environ.get("MOTCUA_RECEPTION_CUTOFF", "15:00")
MOTCUA_OFFICE_HOURS = (("07:30", "11:30"), ("13:30", "17:00"))
# Dossiers: the rule version stamped on each dossier at reception (the law changed three times
# in 14 months), how many apology/extensions one dossier may get. "Due soon" and "at risk" follow
# one rule in dossiers.deadlines.assess (docs/decisions/0017), with nothing to set.
MOTCUA_RULE_VERSION = os.environ.get("MOTCUA_RULE_VERSION", "ND118/2025+ND367/2025+ND309/2026")
MOTCUA_MAX_EXTENSIONS = int(os.environ.get("MOTCUA_MAX_EXTENSIONS", "1"))
# An online dossier awaiting reception (status 1) must be received or refused within this many
# working hours of its submission: no legal text found with a figure (docs/decisions/0029);
# the counter's worklist warns when less than half is left and flags it once passed.
MOTCUA_ONLINE_RECEPTION_HOURS = env_int("MOTCUA_ONLINE_RECEPTION_HOURS", 8)
# Proactive services: days before a returned result stops being valid (catalog.ResultValidity)
# that its holder is reminded (dossiers.tasks.remind_expiring_results, daily).
MOTCUA_EXPIRY_REMINDER_DAYS = env_int("MOTCUA_EXPIRY_REMINDER_DAYS", 14)
# Links to a dossier's stored scans and papers are signed for one user and one file and expire.
MOTCUA_FILE_LINK_SECONDS = int(os.environ.get("MOTCUA_FILE_LINK_SECONDS", "600"))
# `make run` loads six months of illustrative dossiers; MOTCUA_DEMO_DOSSIER_HISTORY=0 skips them.
MOTCUA_DEMO_DOSSIER_HISTORY = os.environ.get("MOTCUA_DEMO_DOSSIER_HISTORY", "1") != "0"
# Adoption tracking counts people by a keyed hash of their ID/phone; keep this key stable
# (unset: derived from SECRET_KEY, so rotating SECRET_KEY would count everyone again).
MOTCUA_RESIDENT_HASH_KEY = os.environ.get("MOTCUA_RESIDENT_HASH_KEY", "")

# --- notifications (motcua.integrations; docs/decisions/0012) ---
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "motcua@localhost")
MOTCUA_NOTIFY_MODE = os.environ.get("MOTCUA_NOTIFY_MODE", "production" if SECURE else "dev")
MOTCUA_SMS_URL = os.environ.get("MOTCUA_SMS_URL", "")
MOTCUA_SMS_TOKEN = os.environ.get("MOTCUA_SMS_TOKEN", "")
MOTCUA_SMS_SENDER = os.environ.get("MOTCUA_SMS_SENDER", "")
MOTCUA_SMS_ASCII = env_bool("MOTCUA_SMS_ASCII", True)
MOTCUA_VAPID_PRIVATE_KEY = os.environ.get("MOTCUA_VAPID_PRIVATE_KEY", "")
MOTCUA_VAPID_PUBLIC_KEY = os.environ.get("MOTCUA_VAPID_PUBLIC_KEY", "")
MOTCUA_VAPID_SUBJECT = os.environ.get("MOTCUA_VAPID_SUBJECT", "mailto:motcua@localhost")
MOTCUA_PUSH_ALLOW_INSECURE = env_bool("MOTCUA_PUSH_ALLOW_INSECURE", False)
MOTCUA_PUSH_SUBSCRIBE_LIMIT = int(os.environ.get("MOTCUA_PUSH_SUBSCRIBE_LIMIT", "30"))
# The citizen queue app: "your turn is near" when this many people or fewer are ahead;
# remote tickets per phone per day, tries per phone per hour, requests per IP per 10 minutes.
MOTCUA_QUEUE_NEAR_TURN = int(os.environ.get("MOTCUA_QUEUE_NEAR_TURN", "3"))
MOTCUA_REMOTE_TICKETS_PER_PHONE = int(os.environ.get("MOTCUA_REMOTE_TICKETS_PER_PHONE", "3"))
MOTCUA_REMOTE_TRIES_PER_PHONE_HOUR = int(os.environ.get("MOTCUA_REMOTE_TRIES_PER_PHONE_HOUR", "6"))
MOTCUA_REMOTE_TICKETS_PER_IP = int(os.environ.get("MOTCUA_REMOTE_TICKETS_PER_IP", "20"))
# Public tracking (dossiers.tracking_limits): wrong tries per code before it is locked, and for
# how long; distinct codes one address may fail on per window (its lookups are not counted).
MOTCUA_TRACKING_CODE_FAILURES = int(os.environ.get("MOTCUA_TRACKING_CODE_FAILURES", "5"))
MOTCUA_TRACKING_CODE_LOCK = int(os.environ.get("MOTCUA_TRACKING_CODE_LOCK", "900"))
MOTCUA_TRACKING_IP_CODES = int(os.environ.get("MOTCUA_TRACKING_IP_CODES", "20"))
MOTCUA_TRACKING_IP_WINDOW = int(os.environ.get("MOTCUA_TRACKING_IP_WINDOW", "3600"))
# Push services a browser subscription may point at (a subscription is a URL we POST to): the
# ones browsers use (Chrome/Edge/Opera, Firefox, Windows, Safari);
# ".host" allows its subdomains; set empty to allow any public https host.
MOTCUA_PUSH_ALLOWED_HOSTS: list[str] = env_list(
    "MOTCUA_PUSH_ALLOWED_HOSTS",
    "fcm.googleapis.com,android.googleapis.com,updates.push.services.mozilla.com,"
    ".push.services.mozilla.com,.notify.windows.com,.push.apple.com",
)
# Per channel, the sender class to use instead of the mode's default (tests, a second gateway).
MOTCUA_NOTIFY_SENDERS: dict[str, str] = {}
# Booking (queueing.booking): active bookings per phone or citizen ID, minutes after the slot
# a booking that did not check in becomes a no-show, proof attempts per booking (15 minutes,
# day), booking requests per address per minute.
MOTCUA_BOOKING_MAX_ACTIVE_PER_PERSON = env_int("MOTCUA_BOOKING_MAX_ACTIVE_PER_PERSON", 2)
MOTCUA_BOOKING_NO_SHOW_AFTER_MINUTES = env_int("MOTCUA_BOOKING_NO_SHOW_AFTER_MINUTES", 60)
MOTCUA_BOOKING_RATE_PER_MINUTE = env_int("MOTCUA_BOOKING_RATE_PER_MINUTE", 20)
MOTCUA_BOOKING_PROOF_ATTEMPTS = env_int("MOTCUA_BOOKING_PROOF_ATTEMPTS", 5)
MOTCUA_BOOKING_PROOF_ATTEMPTS_PER_DAY = env_int("MOTCUA_BOOKING_PROOF_ATTEMPTS_PER_DAY", 20)
# The population registry (motcua.registry, docs/decisions/0027): "local" (the synthetic
# population in this database) or the dotted path of a PopulationRegistry class; _DOWN makes
# the local one answer "unavailable" (to show and test the screens' fallback); lookups per
# staff member per minute on the counter's lookup endpoint.
MOTCUA_REGISTRY_BACKEND = os.environ.get("MOTCUA_REGISTRY_BACKEND", "local")
MOTCUA_REGISTRY_DOWN = env_bool("MOTCUA_REGISTRY_DOWN", False)
MOTCUA_REGISTRY_LOOKUPS_PER_MINUTE = env_int("MOTCUA_REGISTRY_LOOKUPS_PER_MINUTE", 20)
# Public result verification requests per address per minute.
MOTCUA_VERIFY_RATE_PER_MINUTE = env_int("MOTCUA_VERIFY_RATE_PER_MINUTE", 30)
# The service index (kpi.index.dashboard): a unit's public results page, requests per address
# per minute; how long the leader's dashboard keeps its figures (seconds, 0 = always computed;
# the page states when they were computed).
MOTCUA_RESULTS_RATE_PER_MINUTE = env_int("MOTCUA_RESULTS_RATE_PER_MINUTE", 30)
MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS = env_int("MOTCUA_INDEX_DASHBOARD_CACHE_SECONDS", 120)
# The working-day calendar's cache (core.calendar): how often a process checks for a newer
# calendar, and the age after which it reloads whatever it is told.
MOTCUA_CALENDAR_RECHECK_SECONDS = env_float("MOTCUA_CALENDAR_RECHECK_SECONDS", 30)
MOTCUA_CALENDAR_MAX_AGE_SECONDS = env_float("MOTCUA_CALENDAR_MAX_AGE_SECONDS", 600)
# Hall display streams (queueing.display): heartbeat, how long one stream lasts before the
# browser reconnects, how often a stream without Redis re-reads the state.
MOTCUA_DISPLAY_HEARTBEAT_SECONDS = env_float("MOTCUA_DISPLAY_HEARTBEAT_SECONDS", 15)
MOTCUA_DISPLAY_STREAM_SECONDS = env_float("MOTCUA_DISPLAY_STREAM_SECONDS", 300)
MOTCUA_DISPLAY_RECHECK_SECONDS = env_float("MOTCUA_DISPLAY_RECHECK_SECONDS", 5.0)
# The speech synthesiser the hall's announcements are made with.
MOTCUA_ESPEAK_BINARY = os.environ.get("MOTCUA_ESPEAK_BINARY", "espeak-ng")
# Signing (motcua.documents.pki, docs/decisions/0007): the unit's PKCS#12 from a CA and its
# password (unset: the leader types it as a PIN when signing), the PEM bundle of roots a
# signature is verified against; without a PKCS#12 a development PKI is made under
# MOTCUA_PKI_DIR (unset: VAR_DIR/pki).
MOTCUA_SIGNING_P12_PATH = os.environ.get("MOTCUA_SIGNING_P12_PATH", "")
MOTCUA_SIGNING_P12_PASSWORD = os.environ.get("MOTCUA_SIGNING_P12_PASSWORD", "")
MOTCUA_TRUST_ROOTS = os.environ.get("MOTCUA_TRUST_ROOTS", "")
# People sign with their own certificate first (the leader, the certifying officer; decisions
# 0035): the path of each person's PKCS#12 with "{username}" in it, and its password (unset:
# the person types it as a PIN). Unset with a unit PKCS#12 configured: the unit signs alone.
MOTCUA_PERSONAL_P12_PATH = os.environ.get("MOTCUA_PERSONAL_P12_PATH", "")
MOTCUA_PERSONAL_P12_PASSWORD = os.environ.get("MOTCUA_PERSONAL_P12_PASSWORD", "")
MOTCUA_PKI_DIR: str | None = os.environ.get("MOTCUA_PKI_DIR") or None
# A citizen signs their own declaration (motcua.documents.remote_signing, decisions/0038): the
# remote signing service's CSC API v2 base URL (before /csc/v2/), its bearer token or OAuth2
# client credentials (token URL default: <base>/oauth2/token), the seconds a call may take.
# MOTCUA_CSC_SIMULATOR mounts the development simulator at /csc-sim/ (never in production);
# unset base URL with the simulator on: the simulator is used.
MOTCUA_CSC_SIMULATOR = env_bool("MOTCUA_CSC_SIMULATOR", False) and not SECURE
MOTCUA_CSC_SIMULATOR_PIN = os.environ.get("MOTCUA_CSC_SIMULATOR_PIN", "123456")
MOTCUA_CSC_BASE_URL = os.environ.get("MOTCUA_CSC_BASE_URL", "")
MOTCUA_CSC_TOKEN = os.environ.get("MOTCUA_CSC_TOKEN", "")
MOTCUA_CSC_CLIENT_ID = os.environ.get("MOTCUA_CSC_CLIENT_ID", "")
MOTCUA_CSC_CLIENT_SECRET = os.environ.get("MOTCUA_CSC_CLIENT_SECRET", "")
MOTCUA_CSC_TOKEN_URL = os.environ.get("MOTCUA_CSC_TOKEN_URL", "")
MOTCUA_CSC_TIMEOUT_SECONDS = env_float("MOTCUA_CSC_TIMEOUT_SECONDS", 15.0)

# A citizen's paper uploaded from a phone (documents.uploads): each file at most this many
# bytes, at most this many files (photographed pages) per paper; photos are scaled down to
# this many pixels on the long side and kept as pages of one PDF.
MOTCUA_UPLOAD_MAX_BYTES = env_int("MOTCUA_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
MOTCUA_UPLOAD_MAX_PAGES = env_int("MOTCUA_UPLOAD_MAX_PAGES", 10)
MOTCUA_UPLOAD_MAX_SIDE = env_int("MOTCUA_UPLOAD_MAX_SIDE", 2000)
# Petitions (petitions, docs/decisions/0044-petitions.md): handling time in working days when a
# category does not set one; attachments (photos or PDFs, judged by content) per petition and
# bytes each; petitions one address may send per hour; the proof-of-work of the anonymous form
# (leading zero bits of SHA-256, and how long a challenge stays usable); lookups by code one
# address may make per 10 minutes.
MOTCUA_PETITION_DAYS = env_int("MOTCUA_PETITION_DAYS", 10)
MOTCUA_PETITION_MAX_FILES = env_int("MOTCUA_PETITION_MAX_FILES", 3)
MOTCUA_PETITION_MAX_BYTES = env_int("MOTCUA_PETITION_MAX_BYTES", 5 * 1024 * 1024)
MOTCUA_PETITION_IP_LIMIT = env_int("MOTCUA_PETITION_IP_LIMIT", 5)
MOTCUA_PETITION_POW_BITS = env_int("MOTCUA_PETITION_POW_BITS", 16)
MOTCUA_PETITION_CHALLENGE_SECONDS = env_int("MOTCUA_PETITION_CHALLENGE_SECONDS", 3600)
MOTCUA_PETITION_FOLLOW_LIMIT = env_int("MOTCUA_PETITION_FOLLOW_LIMIT", 30)
# Scans at the counter (dossiers.scanning, docs/decisions/0037): a scanner's PDF of at most
# MOTCUA_SCAN_MAX_BYTES and MOTCUA_SCAN_MAX_PAGES pages, or at most MOTCUA_SCAN_MAX_PHOTOS phone
# photos (each within MOTCUA_UPLOAD_MAX_BYTES, scaled to MOTCUA_SCAN_PHOTO_MAX_SIDE pixels). OCR
# runs in the huey worker as its own process: MOTCUA_OCRMYPDF_COMMAND (empty: `python -m ocrmypdf`
# of this environment; a path to a missing binary makes every scan fail with "OCR not
# installed" and keeps the scan), Tesseract's language MOTCUA_OCR_LANGUAGE, MOTCUA_OCR_JOBS
# pages at once, and a time limit of MOTCUA_OCR_SECONDS_PER_PAGE per page (plus one minute).
MOTCUA_SCAN_MAX_BYTES = env_int("MOTCUA_SCAN_MAX_BYTES", 100 * 1024 * 1024)
MOTCUA_SCAN_MAX_PAGES = env_int("MOTCUA_SCAN_MAX_PAGES", 300)
MOTCUA_SCAN_MAX_PHOTOS = env_int("MOTCUA_SCAN_MAX_PHOTOS", 30)
MOTCUA_SCAN_PHOTO_MAX_SIDE = env_int("MOTCUA_SCAN_PHOTO_MAX_SIDE", 3000)
MOTCUA_OCRMYPDF_COMMAND = os.environ.get("MOTCUA_OCRMYPDF_COMMAND", "")
MOTCUA_OCR_LANGUAGE = os.environ.get("MOTCUA_OCR_LANGUAGE", "vie")
MOTCUA_OCR_JOBS = env_int("MOTCUA_OCR_JOBS", 2)
MOTCUA_OCR_SECONDS_PER_PAGE = env_int("MOTCUA_OCR_SECONDS_PER_PAGE", 60)
# days an online filing draft stays open after its last save (motcua.filing)
MOTCUA_DRAFT_DAYS = env_int("MOTCUA_DRAFT_DAYS", 30)
# minutes the code of an assisted filing session (filing.AssistSession) can be confirmed in
MOTCUA_ASSIST_CODE_MINUTES = env_int("MOTCUA_ASSIST_CODE_MINUTES", 15)
# Payments (docs/decisions/0036): how long an online payment attempt (a platform redirect, a
# VietQR code) waits before it expires; a payment arriving later is still credited.
MOTCUA_PAYMENT_ATTEMPT_MINUTES = env_int("MOTCUA_PAYMENT_ATTEMPT_MINUTES", 15)
# The national payment platform (payments.platform, docs/payment-platform.md): its API address,
# our partner code and shared secret (from the environment), the channel code, the timeout in
# seconds. MOTCUA_PAYGOV_SIMULATOR mounts the local simulator at /gia-lap/thanh-toan/ (make run
# turns it on when no platform is configured; never with DJANGO_SECURE=1).
MOTCUA_PAYGOV_URL = os.environ.get("MOTCUA_PAYGOV_URL", "")
MOTCUA_PAYGOV_PARTNER = os.environ.get("MOTCUA_PAYGOV_PARTNER", "MOTCUA")
MOTCUA_PAYGOV_SECRET = os.environ.get("MOTCUA_PAYGOV_SECRET", "")
MOTCUA_PAYGOV_CHANNEL = os.environ.get("MOTCUA_PAYGOV_CHANNEL", "DVC")
MOTCUA_PAYGOV_TIMEOUT = env_int("MOTCUA_PAYGOV_TIMEOUT", 10)
MOTCUA_PAYGOV_SIMULATOR = env_bool("MOTCUA_PAYGOV_SIMULATOR", False) and not SECURE
# The simulator's own side of the shared secret and the partner it knows (the same values as
# ours unless a test makes them differ: the adapter is tested against an independent peer).
MOTCUA_PAYSIM_PARTNER = os.environ.get("MOTCUA_PAYSIM_PARTNER", MOTCUA_PAYGOV_PARTNER)
MOTCUA_PAYSIM_SECRET = os.environ.get("MOTCUA_PAYSIM_SECRET", MOTCUA_PAYGOV_SECRET)
# Postal delivery of results (postal.post, docs/postal-delivery.md): the post's API address,
# our customer code, the HMAC secret shared with the post (from the environment; unset, nothing
# is booked and every status update is refused), the timeout in seconds, and the address the
# post sends status updates to (default: MOTCUA_PUBLIC_BASE_URL + /api/buu-chinh/trang-thai).
# MOTCUA_POSTSIM mounts the local simulator at /gia-lap/buu-chinh/ (make run turns it on when no
# post is configured; never with DJANGO_SECURE=1); MOTCUA_POSTSIM_SECRET is its side of the key.
MOTCUA_POST_URL = os.environ.get("MOTCUA_POST_URL", "")
MOTCUA_POST_CUSTOMER = os.environ.get("MOTCUA_POST_CUSTOMER", "MOTCUA")
MOTCUA_POST_SECRET = os.environ.get("MOTCUA_POST_SECRET", "")
MOTCUA_POST_TIMEOUT = env_int("MOTCUA_POST_TIMEOUT", 10)
MOTCUA_POST_CALLBACK_URL = os.environ.get("MOTCUA_POST_CALLBACK_URL", "")
MOTCUA_POSTSIM = env_bool("MOTCUA_POSTSIM", False) and not SECURE
MOTCUA_POSTSIM_SECRET = os.environ.get("MOTCUA_POSTSIM_SECRET", MOTCUA_POST_SECRET)


# National Public Service Portal sync (portalsync, docs/national-portal-sync.md): the portal's
# integration interface and its bearer token (from the environment; no URL: messages wait in
# the outbox), the timeout in seconds, messages per request, attempts before the dead-letter
# list, the longest pause between attempts, and the hours within which a change must be accepted
# to count as "synced on time" (docs/decisions/0045). MOTCUA_DVCQG_SIMULATOR mounts the local
# receiver at /gia-lap/dvcqg/ (make run turns it on when no portal is configured).
MOTCUA_DVCQG_URL = os.environ.get("MOTCUA_DVCQG_URL", "")
MOTCUA_DVCQG_TOKEN = os.environ.get("MOTCUA_DVCQG_TOKEN", "")
MOTCUA_DVCQG_TIMEOUT = float(os.environ.get("MOTCUA_DVCQG_TIMEOUT", "10"))
MOTCUA_DVCQG_BATCH = env_int("MOTCUA_DVCQG_BATCH", 250)
MOTCUA_DVCQG_MAX_ATTEMPTS = env_int("MOTCUA_DVCQG_MAX_ATTEMPTS", 15)
MOTCUA_DVCQG_MAX_BACKOFF_S = env_int("MOTCUA_DVCQG_MAX_BACKOFF_S", 1800)
MOTCUA_DVCQG_ON_TIME_HOURS = env_int("MOTCUA_DVCQG_ON_TIME_HOURS", 24)
# The service index (QĐ 766, issue 16): a commune (ward, special zone) is given the points of the
# two province-only indicators (population-data use) it cannot be measured on; 0 scores them on
# the commune's own dossiers like a province.
MOTCUA_INDEX_COMMUNE_PROVINCE_POINTS = env_bool("MOTCUA_INDEX_COMMUNE_PROVINCE_POINTS", True)
MOTCUA_DVCQG_SIMULATOR = env_bool("MOTCUA_DVCQG_SIMULATOR", False) and not SECURE
# the simulator's own copy of the token (the same unless a test makes them differ)
MOTCUA_DVCQGSIM_TOKEN = os.environ.get("MOTCUA_DVCQGSIM_TOKEN", MOTCUA_DVCQG_TOKEN)
# The bank's transfer notifications (payments.bank, VietQR): the HMAC-SHA256 secret agreed with
# the bank; unset, every notification is refused (nothing is credited from an unsigned call).
MOTCUA_BANK_WEBHOOK_SECRET = os.environ.get("MOTCUA_BANK_WEBHOOK_SECRET", "")
# The simulator's bank (paysim.bank, mounted with the platform simulator): its own copy of that
# secret (the same unless a test makes them differ) and where it sends its notifications
# (unset: motcua's path on the address the simulator was reached at).
MOTCUA_PAYSIM_BANK_SECRET = os.environ.get("MOTCUA_PAYSIM_BANK_SECRET", MOTCUA_BANK_WEBHOOK_SECRET)
MOTCUA_PAYSIM_BANK_NOTIFY_URL = os.environ.get("MOTCUA_PAYSIM_BANK_NOTIFY_URL", "")
