"""Settings for the portal, read from the environment.

``PORTAL_ENV`` picks the mode:

* ``development`` (default): the embedded default of ``make run`` — SQLite in ``var/`` and
  Celery's filesystem broker, so a newcomer needs nothing but Python.
* ``production``: every secret must come from the environment; passes ``check --deploy``.

Tests run in development mode with ``DATABASE_URL``/``REDIS_URL`` pointing at the throwaway
PostgreSQL and Redis that ``scripts/services.sh`` starts.
"""

from __future__ import annotations

import importlib.util
import os
import re
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from portal.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PORTAL_VAR_DIR", str(BASE_DIR / "var")))

PORTAL_ENV = env_str("PORTAL_ENV", "development")
if PORTAL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("PORTAL_ENV must be 'development' or 'production'")
PRODUCTION = PORTAL_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_secret("SECRET_KEY", min_length=50)
    DEBUG = env_bool("DEBUG", False)
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set in production")
    env_secret("DATABASE_URL")
else:
    SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-0123456789")
    DEBUG = env_bool("DEBUG", True)
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal.admin_site.PortalAdminConfig",  # django.contrib.admin with the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "treebeard",
    "auditlog",
    "axes",
    "django_celery_beat",
    # ours, bottom floor first
    "core",
    "organizations",
    "members",
    "stations",
    "cobuild",
    "grievances",
    "points",
    "training",
    "friendly",
    "surveys",
    "cadence",
    "volunteers",
    "assessment",
    "portal",
]
# Developer tooling (benchmarks, the scale-data generator) lives in devtools/, which the
# production image leaves out; its commands appear wherever the package is present.
if importlib.util.find_spec("devtools") is not None:
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    "core.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    # Axes must come last: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.portal",
                "portal.context_processors.search_notice",
            ],
        },
    },
]
# Django's form renderer with plain <input>s and empty error lists rendered in Python, the same
# markup byte for byte (core/form_renderer.py): a third of a small editable changelist's time.
FORM_RENDERER = "core.form_renderer.FastTemplates"

# --- database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default has a web process, a worker and beat writing to one file:
    # WAL plus IMMEDIATE transactions turn "database is locked" into a short wait.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A read replica for dashboards and reports (off by default): with DATABASE_REPLICA_URL set, the
# reads of cadence's dashboards, reports and exports go to it (core.db_router); every write and
# everything else stays on the primary. Figures may then lag the primary by the replication delay.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
DATABASE_ROUTERS: list[str] = []
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(
        DATABASE_REPLICA_URL, conn_max_age=DATABASES["default"].get("CONN_MAX_AGE", 0), conn_health_checks=True
    )
    DATABASES["replica"]["ATOMIC_REQUESTS"] = False
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL only: the points ledger and the grievance timeline are partitioned by month
# (core.partitions); the daily beat entry below keeps this many months' partitions ready ahead.
PARTITION_MONTHS_AHEAD = env_int("PARTITION_MONTHS_AHEAD", 3)
# Seconds a user's scope and permission set are kept in the cache between requests (core.user_cache;
# a change to their posts, groups or the tree is seen by the next request anyway); 0 turns it off.
USER_CACHE_SECONDS = env_int("USER_CACHE_SECONDS", 300)

# --- cache ----------------------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "filesystem://")
if _xdist_worker := os.environ.get("PYTEST_XDIST_WORKER", "").removeprefix("gw"):
    # The test suite runs in several pytest-xdist processes against one throwaway Redis: each takes
    # a database of its own, so one's cache.clear() or rate counters never reach another's.
    REDIS_URL = re.sub(r"/\d*$", f"/{int(_xdist_worker) + 1}", REDIS_URL) if REDIS_URL else ""
    if CELERY_BROKER_URL.startswith("redis"):
        CELERY_BROKER_URL = re.sub(r"/\d*$", f"/{int(_xdist_worker) + 1}", CELERY_BROKER_URL)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "portal"),
        }
    }
else:
    # Shared between runserver and the Celery processes of the embedded default.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with each user's permissions kept across requests, changed with their groups.
    "core.permission_backend.CachedModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
CSRF_FAILURE_VIEW = "portal.errors.csrf_failure"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (django-axes): lock a username+address pair after repeated failures.
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# How many reverse proxies sit in front of gunicorn. Behind one proxy every request comes from the
# proxy's address, so with 0 the per-address limits (axes lockouts, the public form's rate limit)
# would lock out the whole city at once; compose sets 1. Never set it higher than the real number
# of proxies: a client could then forge X-Forwarded-For and dodge the limits.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
# Chinese for the strings Django and third-party admin apps leave untranslated (see the .po header).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static & media -------------------------------------------------------------------------
STATIC_URL = "static/"
# The image collects into /app/staticfiles at build time; the production test collects into a
# temp dir so that it never touches the developer's copy.
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # whitenoise's hashed, compressed files in production, Django's in development; both with
    # each file's URL worked out once per process (core/storage.py).
    "staticfiles": {
        "BACKEND": (
            "core.storage.MemoCompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "core.storage.MemoStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Non-file form fields and JSON bodies; files are capped by the whole-body limit below.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
# Any request body (core.middleware.RequestBodyLimitMiddleware → 413); the proxy's
# client_max_body_size should say the same.
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 25 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

# --- REST API -------------------------------------------------------------------------------
# API tokens expire (core.authentication); revoke with DELETE /api/v1/auth/token/, the admin's
# 令牌 page or `manage.py revoke_api_tokens`.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 24 * 7)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "core.authentication.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.StaffModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PortalPagination",
    "EXCEPTION_HANDLER": "core.api_exceptions.exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "token": env_str("THROTTLE_TOKEN", "10/min"),
        "public": env_str("THROTTLE_PUBLIC", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "新兴领域党建 API",
    "DESCRIPTION": (
        "Scoped API of the new-sector Party-building portal. Every list and detail is filtered "
        "by the caller's posts: territorial subtree (块) ∪ organizational subtree (条)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One name per choice set that several fields share, so the schema has no hashed enum names.
    "ENUM_NAME_OVERRIDES": {
        "PartyOrganizationKindEnum": "organizations.models.PartyOrganization.Kind",
        "OrganizationEventKindEnum": "organizations.models.party.OrganizationEvent.Kind",
        "GrievanceStateEnum": "grievances.models.Grievance.State",
        "TeamMemberRoleEnum": "volunteers.models.TeamMember.Role",
    },
}

# --- cadence (日盘点/周例会/月调度) ---------------------------------------------------------
# Territory levels the nightly inventory snapshots (plus "industry" for industry committees);
# empty = every level down to the grid. Dashboards read these snapshots, so list the levels
# their pages open, e.g. CADENCE_SNAPSHOT_LEVELS=city,district,street,community,industry.
CADENCE_SNAPSHOT_LEVELS = env_list("CADENCE_SNAPSHOT_LEVELS", [])
CADENCE_DASHBOARD_CACHE_SECONDS = env_int("CADENCE_DASHBOARD_CACHE_SECONDS", 300)
# Nodes computed per task by the nightly inventory (日盘点), so one task stays short.
CADENCE_SNAPSHOT_BATCH = env_int("CADENCE_SNAPSHOT_BATCH", 50)
# Exports up to this many rows are built in the request; larger ones become a background job.
EXPORT_SYNC_LIMIT = env_int("EXPORT_SYNC_LIMIT", 2000)
# The weekly report (周例会) is due on this ISO weekday (1 = Monday … 5 = Friday) at this time.
CADENCE_WEEKLY_DUE_WEEKDAY = env_int("CADENCE_WEEKLY_DUE_WEEKDAY", 5)
CADENCE_WEEKLY_DUE_TIME = env_str("CADENCE_WEEKLY_DUE_TIME", "17:00")
# Admin changelists count at most this many rows ("10000+" beyond), so a page never scans a table.
ADMIN_COUNT_CAP = env_int("ADMIN_COUNT_CAP", 10_000)
# Survey uploads larger than this (MB) are refused before they are read.
SURVEY_MAX_UPLOAD_MB = env_int("SURVEY_MAX_UPLOAD_MB", 200)

# --- Celery ---------------------------------------------------------------------------------
if CELERY_BROKER_URL.startswith("filesystem://"):
    # Every folder of the filesystem transport lives under var/broker (kombu would otherwise put
    # its control/ folder in the working directory), and exists before the first publish: a
    # command that queues a task on a fresh clone must not fail half-way for want of a folder.
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
else:
    # A message a dead worker held comes back after this many seconds. It must exceed the longest
    # task's hard time limit (a survey import, SURVEY_TASK_TIME_LIMIT) or a running task would be
    # delivered twice; kombu's default of an hour left intakes waiting that long.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 1300),
        # Sweep for such messages about every 10 s (kombu's default is every ~100 s), so one comes
        # back soon after its visibility timeout rather than up to two minutes later.
        "unacked_restore_interval": 5,
        "unacked_restore_throttle": 2,
    }
# Publishing gives up fast when the broker is away: the outbox (core/queue.py) retries, so a request
# never waits on, or fails because of, a broker outage.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for Redis to come back, never exits
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360)
# The longest task: staging a survey file (300k rows take a few minutes; this bounds a stuck one).
SURVEY_TASK_TIME_LIMIT = env_int("SURVEY_TASK_TIME_LIMIT", 1200)
# A staging run renews its lease with every chunk; one silent this long is taken as dead.
SURVEY_LEASE_SECONDS = env_int("SURVEY_LEASE_SECONDS", 600)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
# Separate queues so one kind of work cannot starve another: a month-end report or a 300k-row
# import must not hold up the triage of a worker's grievance. docker-compose.yml runs one worker
# per queue; a single worker (run-dev.sh) consumes them all with -Q. Everything else: "celery".
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "grievances.*": {"queue": "intake"},
    "core.send_sms": {"queue": "intake"},
    "cadence.*": {"queue": "reports"},
    "surveys.*": {"queue": "imports"},
}
# django-celery-beat's DatabaseScheduler, plus a heartbeat beat writes itself (see portal/beat.py).
CELERY_BEAT_SCHEDULER = "portal.beat:HeartbeatScheduler"
# The one place where periodic work is scheduled; django-celery-beat copies it into its tables
# at start-up so staff can see (and pause) each entry in the admin.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    # the outbox relay: task messages the broker could not take at commit time (core/queue.py)
    "core-relay-outbox": {
        "task": "core.relay_outbox",
        "schedule": timedelta(minutes=1),
    },
    # month partitions of the ledger and the grievance timeline, created ahead (idempotent;
    # PostgreSQL only — a no-op on SQLite)
    # the coming days' ticket sequences, so no intake waits while the day's first creates one
    "grievances-prepare-ticket-sequences": {
        "task": "grievances.tasks.prepare_ticket_sequences",
        "schedule": crontab(hour=3, minute=20),
    },
    "core-ensure-partitions": {
        "task": "core.ensure_partitions",
        "schedule": crontab(hour=3, minute=10),
    },
    "portal-heartbeat": {
        "task": "portal.tasks.record_heartbeat",
        "schedule": timedelta(minutes=1),
    },
    # points: lots past their date become expiry entries (idempotent; hourly keeps lag short)
    "points-expire": {
        "task": "points.tasks.expire_points",
        "schedule": timedelta(hours=1),
    },
    # members: 6 months without contact → 失联; transfer letters older than 3 months → expired
    "members-lost-contact": {
        "task": "members.tasks.mark_lost_contact",
        "schedule": timedelta(hours=6),
    },
    "members-expire-transfers": {
        "task": "members.tasks.expire_transfers",
        "schedule": timedelta(hours=6),
    },
    # cadence (cadence): 日盘点 each morning, 周例会 opened Monday and late streets
    # reminded on working days, 月调度 on the month's first working day (the task checks the day).
    "cadence-daily-inventory": {
        "task": "cadence.daily_inventory",
        "schedule": crontab(hour=5, minute=30),
    },
    "cadence-weekly-open": {
        "task": "cadence.weekly_reports_open",
        "schedule": crontab(day_of_week="mon", hour=6, minute=0),
    },
    "cadence-weekly-reminders": {
        "task": "cadence.weekly_reminders",
        "schedule": crontab(day_of_week="mon-fri", hour=9, minute=0),
    },
    # survey batches whose staging process died (lease expired) become failed and re-importable
    "surveys-expire-stale": {
        "task": "surveys.expire_stale",
        "schedule": timedelta(minutes=5),
    },
    # a tick lost to an outage (Redis, worker or beat down) is made good on the next catch-up
    "cadence-catch-up": {
        "task": "cadence.catch_up",
        "schedule": timedelta(minutes=15),
    },
    "cadence-monthly-dispatch": {
        "task": "cadence.monthly_dispatch",
        "schedule": crontab(day_of_month="1-7", hour=7, minute=0),
    },
    # grievances: SLA monitor escalates overdue cases (street → district → municipal); resolved
    # cases get one feedback SMS and close after the reopen window; stuck intakes are re-triaged;
    # weekly clustering proposes governance projects. Every task is idempotent.
    "grievances-sla-monitor": {
        "task": "grievances.tasks.sla_monitor",
        "schedule": timedelta(minutes=15),
    },
    "grievances-feedback-requests": {
        "task": "grievances.tasks.send_feedback_requests",
        "schedule": timedelta(minutes=30),
    },
    "grievances-auto-close": {
        "task": "grievances.tasks.auto_close",
        "schedule": crontab(minute=20),
    },
    "grievances-retriage-stuck": {
        "task": "grievances.tasks.retriage_stuck",
        "schedule": timedelta(minutes=10),
    },
    "grievances-weekly-clustering": {
        "task": "grievances.tasks.weekly_clustering",
        "schedule": crontab(day_of_week="mon", hour=4, minute=0),
    },
}

# --- health (/healthz/) ----------------------------------------------------------------------
# Beat writes its own heartbeat every 30 s; the worker writes one when it runs the heartbeat task
# beat queues each minute. Older than these limits (or never seen) → /healthz/ answers 503 and
# names the part. Required in production; in development the ages are reported only, since
# tests and a bare runserver have no worker.
HEALTH_REQUIRE_HEARTBEATS = env_bool("HEALTH_REQUIRE_HEARTBEATS", PRODUCTION)
HEALTH_WORKER_MAX_AGE = env_int("HEALTH_WORKER_MAX_AGE", 300)
HEALTH_BEAT_MAX_AGE = env_int("HEALTH_BEAT_MAX_AGE", 180)

# --- audit ----------------------------------------------------------------------------------
AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

# --- security -------------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Health probes come from inside the container network over plain HTTP.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SILENCED_SYSTEM_CHECKS = [] if SECURE_SSL_REDIRECT else ["security.W008"]

# --- logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django gives its "django" logger a console handler of its own under DEBUG; the line
        # then reached the root handler too and printed twice. One handler, the root's.
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
        # Axes logs every login at INFO (masked); keep failures and lockouts only.
        "axes": {"level": "WARNING"},
    },
}

# --- grievances ----------------------------------------------------------------------------
# Windows and thresholds of the grievance loop (see README "诉求办理"); each has a default in code.
GRIEVANCES = {
    "REOPEN_WINDOW_DAYS": env_int("GRIEVANCE_REOPEN_WINDOW_DAYS", 7),
    "DUPLICATE_WINDOW_DAYS": env_int("GRIEVANCE_DUPLICATE_WINDOW_DAYS", 14),
    "ESCALATE_MUNICIPAL_AFTER_WORKDAYS": env_int("GRIEVANCE_ESCALATE_MUNICIPAL_AFTER_WORKDAYS", 3),
    "CLUSTER_WINDOW_DAYS": 90,
    "CLUSTER_MIN_CASES": 5,
}

# --- portal ---------------------------------------------------------------------------------
PORTAL_CITY_CODE = env_str("PORTAL_CITY_CODE", "320100")
PORTAL_SITE_NAME = env_str("PORTAL_SITE_NAME", "南京市新兴领域党建工作平台")
# The city's bounding box (min lng, min lat, max lng, max lat; GCJ-02 and WGS-84 differ by a few
# hundred metres, well inside it): station coordinates outside it are refused as typos.
PORTAL_CITY_NAME = env_str("PORTAL_CITY_NAME", "南京市")
PORTAL_CITY_BOUNDS = tuple(float(x) for x in env_str("PORTAL_CITY_BOUNDS", "118.35,31.22,119.25,32.63").split(","))

# The audit trail masks ID numbers, phones and birth dates by the lists' policy (core.masking).
AUDITLOG_MASK_CALLABLE = "core.masking.mask_for_audit"
# Searches by a whole phone or ID number a viewer who sees them masked may make per hour
# (members.selectors): each is a yes/no answer about the hidden digits.
WHOLE_CODE_SEARCH_LIMIT = (env_int("WHOLE_CODE_SEARCHES_PER_HOUR", 30), 3600)
AXES_VERBOSE = False

# --- SMS (core.sms) ----------------------------------------------------------------------
# Dotted path to a class with send(phone, text). The carrier gateway adapter goes here in
# production; the console backend logs masked messages.
SMS_BACKEND = env_str("SMS_BACKEND", "core.sms.ConsoleBackend")

# --- stations (宁小蜂驿站) -------------------------------------------------------------------
# Absolute base of the URLs printed in station QR codes (宁新码): the address workers' phones
# reach, which is usually not the intranet host staff use.
# Unset in production it is https:// plus the first ALLOWED_HOSTS entry (never a loopback
# address a phone cannot reach); `make run` sets it to the port it serves on.
PORTAL_PUBLIC_BASE_URL = env_str(
    "PORTAL_PUBLIC_BASE_URL",
    f"https://{ALLOWED_HOSTS[0].lstrip('.')}" if PRODUCTION else "http://127.0.0.1:8000",
).rstrip("/")
# Staff map tiles: an intranet tile server URL template ({z}/{x}/{y}); empty = no tiles, the
# points over a plain background. Amap-style tiles are GCJ-02, OSM-style tiles are WGS-84.
STATION_MAP_TILE_URL = env_str("STATION_MAP_TILE_URL", "")
STATION_MAP_TILE_CRS = env_str("STATION_MAP_TILE_CRS", "gcj02")
if STATION_MAP_TILE_CRS not in {"gcj02", "wgs84"}:
    raise ImproperlyConfigured("STATION_MAP_TILE_CRS must be 'gcj02' or 'wgs84'")
STATION_MAP_TILE_ATTRIBUTION = env_str("STATION_MAP_TILE_ATTRIBUTION", "")
STATION_INSPECTION_INTERVAL_DAYS = env_int("STATION_INSPECTION_INTERVAL_DAYS", 90)
PHOTO_MAX_BYTES = env_int("PHOTO_MAX_BYTES", 5 * 1024 * 1024)

# --- friendly city (宁新码) -----------------------------------------------------------------
# How long a rider's pass (and each QR token it shows) stays valid: one shift.
FRIENDLY_PASS_TTL_HOURS = env_int("FRIENDLY_PASS_TTL_HOURS", 12)
# Limits on the public doors, per client address: (requests, window in seconds). Typed pass
# codes carry no signature, so guessing them must be slow.
FRIENDLY_RATE_LIMITS = {"typed_code_ip": (60, 600), "claim_ip": (5, 3600)}
