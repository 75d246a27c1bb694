"""Settings of the development identity provider: its own database, cookies and keys.

Read from the environment (set by scripts/run.sh or the tests):
- MOTCUA_VAR_DIR: where its files live (VAR_DIR/devidp/: SQLite database, RSA signing key,
  secret key); the same folder as motcua's, never motcua's database.
- DEVIDP_ISSUER: its own address, e.g. http://127.0.0.1:8100 (the `iss` of every ID token).
- DEVIDP_ID_TOKEN_SECONDS: lifetime of an ID token (default 300).
"""

import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("MOTCUA_VAR_DIR", BASE_DIR.parent.parent / "var"))
DATA_DIR = VAR_DIR / "devidp"
DATA_DIR.mkdir(parents=True, exist_ok=True)
ISSUER = os.environ.get("DEVIDP_ISSUER", "http://127.0.0.1:8100").rstrip("/")


def _kept(name: str, make) -> str:
    """A value generated once and kept in DATA_DIR (readable by this user only)."""
    path = DATA_DIR / name
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    return path.read_text()


def _rsa_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


SECRET_KEY = _kept("secret-key", lambda: secrets.token_urlsafe(50))
DEBUG = False
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]", urlsplit(ISSUER).hostname or "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "motcua_devidp.apps.DevIdpConfig",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "motcua_devidp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "devidp.sqlite3"),
        "OPTIONS": {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Same host as motcua on another port: cookies do not tell ports apart, so names of its own.
SESSION_COOKIE_NAME = "devidp_sessionid"
CSRF_COOKIE_NAME = "devidp_csrftoken"
SESSION_COOKIE_HTTPONLY = True
LOGIN_URL = "devidp:login"
LANGUAGE_CODE = "vi"
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": ISSUER,
    "OIDC_RSA_PRIVATE_KEY": _kept("oidc-rsa.pem", _rsa_key),
    "OAUTH2_VALIDATOR_CLASS": "motcua_devidp.validators.ResidentClaims",
    "SCOPES": {
        "openid": "Định danh",
        "profile": "Họ tên, ngày sinh, giới tính",
        "address": "Nơi cư trú",
        "vneid": "Số định danh cá nhân, mức định danh",
    },
    "DEFAULT_SCOPES": ["openid"],
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": 120,
    "ID_TOKEN_EXPIRE_SECONDS": int(os.environ.get("DEVIDP_ID_TOKEN_SECONDS", "300")),
    "ACCESS_TOKEN_EXPIRE_SECONDS": 600,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
}
