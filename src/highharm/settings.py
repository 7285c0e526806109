"""Highharm's one settings module, configured by HIGHHARM_* environment variables.

Every value is read through a small helper that fails loudly on a malformed
value, so a typo in a deployment is an error at start-up, not a surprise later.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("HIGHHARM_BASE_DIR", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("HIGHHARM_VAR_DIR", BASE_DIR / "var")).resolve()


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false (1/0, yes/no, on/off), not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """Turn HIGHHARM_DATABASE_URL into a Django DATABASES entry.

    Accepted: postgres://user:password@host:port/name and sqlite:////absolute/path.sqlite3
    """
    parsed = urlparse(url)
    if parsed.scheme in {"postgres", "postgresql"}:
        name = unquote(parsed.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(
                "HIGHHARM_DATABASE_URL names no database (postgres://host/NAME)"
            )
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("HIGHHARM_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
        }
    if parsed.scheme == "sqlite":
        path = unquote(url[len("sqlite:///") :])
        if not path or path == "/":
            raise ImproperlyConfigured(
                "HIGHHARM_DATABASE_URL sqlite needs a path: sqlite:////abs/path.sqlite3"
            )
        return sqlite_database(Path(path))
    raise ImproperlyConfigured(
        f"HIGHHARM_DATABASE_URL must start with postgres:// or sqlite://, not {url!r}"
    )


def sqlite_database(path: Path) -> dict:
    path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
                "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;"
            ),
        },
    }


DEBUG = env_bool("HIGHHARM_DEBUG", False)
DEMO = env_bool("HIGHHARM_DEMO", False)
SECRET_KEY = env_str("HIGHHARM_SECRET_KEY")
_secret_file = Path(env_str("HIGHHARM_SECRET_KEY_FILE", str(VAR_DIR / "secret_key")))
if not SECRET_KEY and _secret_file.is_file():
    SECRET_KEY = _secret_file.read_text().strip()
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "insecure-development-key-only-for-debug"  # noqa: S105
    else:
        raise ImproperlyConfigured(
            "HIGHHARM_SECRET_KEY must be set when HIGHHARM_DEBUG is off "
            "(make demo generates one under ./var/)"
        )


def audit_key(var_dir: Path) -> str:
    """The key of the access log's HMAC chain (docs/security.md, "Audit key").

    ``HIGHHARM_AUDIT_KEY``, else the file ``HIGHHARM_AUDIT_KEY_FILE`` (default
    ``var/audit_key``), which is created with mode 600 on first use. The key is never
    stored in the database: whoever can write to the database but cannot read this key
    cannot forge the chain.
    """
    key = env_str("HIGHHARM_AUDIT_KEY").strip()
    if key:
        if len(key) < 32:
            raise ImproperlyConfigured("HIGHHARM_AUDIT_KEY must be at least 32 characters long")
        return key
    path = Path(env_str("HIGHHARM_AUDIT_KEY_FILE", str(var_dir / "audit_key")))
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Written whole to a private temporary file, then linked into place: two
            # processes starting together both end up reading the one key that won.
            temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_hex(32) + "\n")
            try:
                os.link(temporary, path)
            except FileExistsError:
                pass
            finally:
                temporary.unlink()
        except OSError as error:
            raise ImproperlyConfigured(
                f"HIGHHARM_AUDIT_KEY is not set and the audit key file {path} cannot be created: "
                f"{error}"
            )
    try:
        key = path.read_text().strip()
    except OSError as error:
        raise ImproperlyConfigured(f"cannot read the audit key file {path}: {error}")
    if len(key) < 32:
        raise ImproperlyConfigured(
            f"the audit key file {path} must hold a key of at least 32 characters"
        )
    return key


AUDIT_KEY = audit_key(VAR_DIR)
# Where the audit key was read from (None: the environment), for the deployment check.
AUDIT_KEY_FILE = (
    None
    if env_str("HIGHHARM_AUDIT_KEY").strip()
    else Path(env_str("HIGHHARM_AUDIT_KEY_FILE", str(VAR_DIR / "audit_key")))
)

ALLOWED_HOSTS = env_list("HIGHHARM_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("HIGHHARM_CSRF_TRUSTED_ORIGINS", [])

_db_url = env_str("HIGHHARM_DATABASE_URL")
DATABASES = {
    "default": database_from_url(_db_url)
    if _db_url
    else sqlite_database(VAR_DIR / "highharm.sqlite3")
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "highharm.accounts",
    "highharm.audit",
    "highharm.people",
    "highharm.records",
    "highharm.scoring",
    "highharm.referrals",
    "highharm.assessment",
    "highharm.panels",
    "highharm.cases",
    "highharm.partners",
    "highharm.evaluation",
    "highharm.api",
    "highharm.synthetic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "highharm.accounts.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "highharm.accounts.middleware.IdleTimeoutMiddleware",
    "highharm.accounts.middleware.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "highharm.urls"
WSGI_APPLICATION = "highharm.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "highharm.accounts.context_processors.navigation",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if env_bool("HIGHHARM_FAST_PASSWORD_HASHER", False):
    # Tests only: argon2 is deliberately slow.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions: 15 minutes idle (IdleTimeoutMiddleware), 10 hours in all.
SESSION_IDLE_SECONDS = env_int("HIGHHARM_SESSION_IDLE_SECONDS", 15 * 60)
SESSION_COOKIE_AGE = env_int("HIGHHARM_SESSION_MAX_SECONDS", 10 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE = env_bool("HIGHHARM_SECURE", not DEBUG and not DEMO)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("HIGHHARM_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE and env_bool("HIGHHARM_HSTS_PRELOAD", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content Security Policy: nothing inline, nothing from another host.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# django-axes: lock an account and address out after repeated failures.
AXES_FAILURE_LIMIT = env_int("HIGHHARM_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("HIGHHARM_AXES_ENABLED", True)
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Two-factor authentication is required outside the demo.
REQUIRE_2FA = env_bool("HIGHHARM_REQUIRE_2FA", not DEMO and not DEBUG)
OTP_TOTP_ISSUER = "Highharm"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True
DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = "d/m/Y"

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("HIGHHARM_STATIC_ROOT", str(VAR_DIR / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    PACKAGE_DIR / "static",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("htmx", NODE_MODULES / "htmx.org" / "dist"),
    BASE_DIR / "build" / "static",
]
STATICFILES_DIRS = [
    d for d in STATICFILES_DIRS if Path(d[1] if isinstance(d, tuple) else d).exists()
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("HIGHHARM_LOG_LEVEL", "WARNING")},
}

# Where the offence catalogue and scoring configuration shipped with the project live.
DATA_DIR = PACKAGE_DIR / "data"
SCORING_CONFIG = env_str("HIGHHARM_SCORING_CONFIG", str(DATA_DIR / "scoring.toml"))
PERSON_PAGE_SECTIONS: list[str] = []

# Open cases one offender manager can hold: the supervisor's dashboard measures demand against it.
CASELOAD_CAPACITY = env_int("HIGHHARM_CASELOAD_CAPACITY", 15)
if CASELOAD_CAPACITY < 1:
    raise ImproperlyConfigured("HIGHHARM_CASELOAD_CAPACITY must be 1 or more")
# Sections other apps add to the home page: dotted paths to functions (request) -> dict or None.
HOME_SECTIONS: list[str] = ["highharm.cases.views.home_section"]
PERSON_PAGE_SECTIONS.append("highharm.cases.views.person_section")
# Identification: the person page shows the latest score and its history; the candidate list
# marks people the unit already knows, from these sources (dotted paths to functions
# (references) -> {reference: status}; see highharm.scoring.selectors.candidate_statuses).
PERSON_PAGE_SECTIONS.append("highharm.scoring.views.person_section")
CANDIDATE_STATUS_SOURCES: list[str] = []
# Referrals: the person page shows referrals and triage decisions; the candidate list marks
# people already adopted, monitored, declined recently or referred.
PERSON_PAGE_SECTIONS.append("highharm.referrals.views.person_section")
CANDIDATE_STATUS_SOURCES.append("highharm.referrals.selectors.person_status_details")
# Risk assessments: the person page shows each instrument's latest assessment; triage shows the
# risk tool's result through this hook (a dotted path to a function (person) -> dict or None).
PERSON_PAGE_SECTIONS.append("highharm.assessment.views.person_section")
RISK_TOOL_RESULT = "highharm.assessment.selectors.risk_tool_result"
HOME_SECTIONS.append("highharm.assessment.views.home_section")
# After each import of incidents: steps other apps hang on it (dotted paths to (since) -> str).
RECORDS_AFTER_IMPORT: list[str] = ["highharm.referrals.services.monitoring_after_import"]
