"""Settings shared by every environment. Everything a deployment changes comes from the environment."""

from datetime import timedelta
from pathlib import Path

import dj_database_url

from fusqa_web.settings.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("FUSQA_VAR_DIR", str(BASE_DIR / "var")))

# Development defaults: public, so production refuses them (settings/production.py).
DEV_SECRET_KEY = "dev-only-insecure-key-change-me"
DEV_PATIENT_KEY_SECRET = "dev-only-patient-key-secret"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "qa",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the response of every login view and can turn a lockout into a 429.
    "axes.middleware.AxesMiddleware",
]

# Axes first: a locked-out username or address is refused before the password is even checked, so
# the right password cannot be found by guessing during a lockout.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "fusqa_web.urls"
WSGI_APPLICATION = "fusqa_web.wsgi.application"
AUTH_USER_MODEL = "qa.User"
LOGIN_URL = "/login"
# A browser session lasts one working shift, not two weeks.
SESSION_COOKIE_AGE = env_int("FUSQA_SESSION_HOURS", 12) * 3600

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# SQLite by default (the demo); DATABASE_URL switches to PostgreSQL for a hospital deployment.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'fusqa.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web server, worker and the demo's history seeder write the same file: wait for the lock instead of failing
    # at once. IMMEDIATE: a transaction takes the write lock when it begins, so it waits (timeout) rather than
    # failing with "database is locked" when it later upgrades a read lock; WAL: readers never wait for a writer.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20, transaction_mode="IMMEDIATE", init_command="PRAGMA journal_mode=WAL;"
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# The Vite build lands in frontend/dist; its assets are served from /static/assets/.
FRONTEND_DIST = BASE_DIR / "frontend" / "dist"
STATICFILES_DIRS = [FRONTEND_DIST] if FRONTEND_DIST.exists() else []
MEDIA_ROOT = Path(env_str("FUSQA_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Uploads: the largest file, and what one decoded image may be. The proxy (deploy/nginx/fusqa-proxy.conf) refuses
# bodies over this plus 1 MiB of multipart envelope before Django reads them: change both together.
FUSQA_MAX_UPLOAD_BYTES = env_int("FUSQA_MAX_UPLOAD_BYTES", 50 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# DICOMweb STOW-RS: one request's whole body and its number of instances. Each instance is an upload (the
# limits above); the proxy's client_max_body_size (51m) caps the body before Django sees it: change both together.
FUSQA_MAX_STOW_BYTES = env_int("FUSQA_MAX_STOW_BYTES", FUSQA_MAX_UPLOAD_BYTES + 1024 * 1024)
FUSQA_MAX_STOW_INSTANCES = env_int("FUSQA_MAX_STOW_INSTANCES", 1000)
FUSQA_MAX_IMAGE_SIDE = env_int("FUSQA_MAX_IMAGE_SIDE", 4096)
FUSQA_MAX_FRAMES_PER_UPLOAD = env_int("FUSQA_MAX_FRAMES_PER_UPLOAD", 512)
# Rows x columns x frames x samples x bytes per sample of one DICOM, checked before it is decoded.
FUSQA_MAX_PIXEL_BYTES = env_int("FUSQA_MAX_PIXEL_BYTES", 256 * 1024 * 1024)
# Keyed hash of hospital + PatientID: the same patient matches across re-sends, nobody can reverse it.
FUSQA_PATIENT_KEY_SECRET = env_str("FUSQA_PATIENT_KEY_SECRET", DEV_PATIENT_KEY_SECRET)
# A frame's processing job stuck in pending/running longer than this is re-queued by the sweeper: the last
# resort for a hung but living worker. A dead one is noticed sooner, by its missed heartbeats.
FUSQA_STUCK_JOB_SECONDS = env_int("FUSQA_STUCK_JOB_SECONDS", 300)
FUSQA_HEARTBEAT_SECONDS = env_int("FUSQA_HEARTBEAT_SECONDS", 5)
FUSQA_HEARTBEAT_MISSES = env_int("FUSQA_HEARTBEAT_MISSES", 3)
# Times a job may be taken back from a dead worker before it fails (a frame that kills its worker).
FUSQA_MAX_ATTEMPTS = env_int("FUSQA_MAX_ATTEMPTS", 3)
# A mask is called good at p(good) >= this. Default: the shipped classifier's operating threshold, chosen on
# hospital A's validation split (workers/ml/fusqa/operating_point.py; tests/workers/ml/test_shipped_weights.py
# pins the two together).
FUSQA_GOOD_THRESHOLD = env_float("FUSQA_GOOD_THRESHOLD", 0.825)
# After a model version is activated, frames of the last this many days are re-judged in the background
# (qa.services.reassessment), this many frames per task on the gpu queue.
FUSQA_REASSESS_DAYS = env_int("FUSQA_REASSESS_DAYS", 7)
FUSQA_REASSESS_BATCH = env_int("FUSQA_REASSESS_BATCH", 64)
# Review queue: how long a leased item stays with its expert, and the share of items read by two experts.
FUSQA_REVIEW_LEASE_SECONDS = env_int("FUSQA_REVIEW_LEASE_SECONDS", 600)
FUSQA_REVIEW_DOUBLE_READ_SHARE = env_float("FUSQA_REVIEW_DOUBLE_READ_SHARE", 0.1)
# Share of leases that are known-answer items (qa.models.KnownAnswer), to measure each expert's accuracy.
FUSQA_KNOWN_ANSWER_RATE = env_float("FUSQA_KNOWN_ANSWER_RATE", 0.05)
FUSQA_WEIGHTS_DIR = Path(env_str("FUSQA_WEIGHTS_DIR", str(BASE_DIR / "workers" / "weights")))
# Retraining (docs/retraining.md): checkpoints of runs (shared by web and workers), the gate's margins.
FUSQA_TRAINING_DIR = Path(env_str("FUSQA_TRAINING_DIR", str(VAR_DIR / "training")))
FUSQA_TRAINING_TIME_LIMIT = env_int("FUSQA_TRAINING_TIME_LIMIT", 6 * 3600)
FUSQA_GATE_MARGIN = env_float("FUSQA_GATE_MARGIN", 0.02)
FUSQA_GATE_GA_MARGIN_DAYS = env_float("FUSQA_GATE_GA_MARGIN_DAYS", 0.5)
# Recorded as a candidate's code version where git cannot tell (an image built without .git).
FUSQA_CODE_VERSION = env_str("FUSQA_CODE_VERSION", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: DRF answers an anonymous request with the first class's WWW-Authenticate, and only
        # a token scheme has one (session first would make it a 403 without the header).
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "qa.apis.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "qa.apis.errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "FUSQA API",
    "DESCRIPTION": "Fetal ultrasound segmentation quality assessment: ingest, masks, quality, CRL/GA.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Operation ids and tags from the path after /api/ (DICOMweb's /dicomweb/ paths name theirs explicitly).
    "SCHEMA_PATH_PREFIX": r"/api/",
    # The schema names every endpoint and field: only people who can log in read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI and Redoc from the installed sidecar package, not a CDN: the docs work offline and
    # under a Content-Security-Policy that allows scripts from this site only.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# API tokens (django-rest-knox): stored as SHA-512 digests, each with an expiry.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int("FUSQA_TOKEN_TTL_DAYS", 30)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}

# Login throttling (django-axes): 5 failures for one username, or from one address, within 15 minutes
# lock that username or address for 15 minutes; every attempt during the lockout restarts the clock.
AXES_FAILURE_LIMIT = env_int("FUSQA_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("FUSQA_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "qa.services.login_attempts.LoginAttemptHandler"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "qa.apis.auth.lockout_response"
AXES_CLIENT_IP_CALLABLE = "qa.apis.client_address.client_address"
# How many reverse proxies (nginx) stand in front of Django and append to X-Forwarded-For; 0: none, the
# peer's address is the client's. A wrong count either locks everyone out together or lets a client
# choose its own address.
FUSQA_TRUSTED_PROXY_COUNT = env_int("FUSQA_TRUSTED_PROXY_COUNT", 0)
AXES_VERBOSE = False
# Axes' log of successful logins would store a session for every token request (it hashes the session
# key) and grow without end; the audit log records logins.
AXES_DISABLE_ACCESS_LOG = True

# Content-Security-Policy (django-csp): scripts, styles, fonts and connections from this site only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# Celery: Redis in a hospital; an embedded SQLite-backed broker (no server) for the demo.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}")
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this long (a dead worker's task comes back); the sweeper
# usually gets there first. The embedded SQLAlchemy transport takes no such option.
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600)} if CELERY_BROKER_URL.startswith("redis") else {}
)
FUSQA_GPU_QUEUE = env_str("FUSQA_GPU_QUEUE", "gpu")
FUSQA_DEFAULT_QUEUE = env_str("FUSQA_DEFAULT_QUEUE", "default")
# Training runs go to the gpu queue; a deployment may give them a queue (and a worker) of their own, so frames
# keep flowing while a run trains.
FUSQA_TRAINING_QUEUE = env_str("FUSQA_TRAINING_QUEUE", FUSQA_GPU_QUEUE)
CELERY_TASK_ROUTES = {
    "workers.tasks.processing.*": {"queue": FUSQA_GPU_QUEUE},
    "workers.tasks.training.*": {"queue": FUSQA_TRAINING_QUEUE},
    "workers.tasks.reassessment.*": {"queue": FUSQA_GPU_QUEUE},
    "workers.tasks.maintenance.*": {"queue": FUSQA_DEFAULT_QUEUE},
    "workers.tasks.dashboard.*": {"queue": FUSQA_DEFAULT_QUEUE},
    "workers.tasks.pacs_forward.*": {"queue": FUSQA_DEFAULT_QUEUE},
}
# Results back to a hospital's PACS (qa.services.pacs_forward): our calling AE title, how long to wait for
# the PACS, and how often an unreachable one is tried again (backing off up to FUSQA_PACS_RETRY_MAX_SECONDS).
FUSQA_DICOM_AE_TITLE = env_str("FUSQA_DICOM_AE_TITLE", "FUSQA")
FUSQA_PACS_TIMEOUT_SECONDS = env_int("FUSQA_PACS_TIMEOUT_SECONDS", 30)
FUSQA_PACS_SEND_RETRIES = env_int("FUSQA_PACS_SEND_RETRIES", 8)
FUSQA_PACS_RETRY_MAX_SECONDS = env_int("FUSQA_PACS_RETRY_MAX_SECONDS", 600)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    # highdicom narrates every module it copies into a SEG or SR at INFO.
    "loggers": {"highdicom": {"level": "WARNING"}},
}

# Processing: how many waiting frames one forward pass takes, and the tasks' time limits.
FUSQA_BATCH_SIZE = env_int("FUSQA_BATCH_SIZE", 16)
FUSQA_TASK_SOFT_TIME_LIMIT = env_int("FUSQA_TASK_SOFT_TIME_LIMIT", 120)
FUSQA_TASK_TIME_LIMIT = env_int("FUSQA_TASK_TIME_LIMIT", 180)
FUSQA_GA_FORMULA = env_str("FUSQA_GA_FORMULA", "robinson")
# auto: torch on CUDA when the worker has it, ONNX Runtime on CPU otherwise; or "torch" / "onnx".
FUSQA_INFERENCE_BACKEND = env_str("FUSQA_INFERENCE_BACKEND", "auto")
# The sweeper runs about once a heartbeat, so a dead worker's frames go back within misses x heartbeat +
# one sweep (20 s by default). A sweep is a few indexed queries; one not picked up before the next is
# due expires rather than piling up while the default queue has no worker.
FUSQA_SWEEP_EVERY_SECONDS = env_int("FUSQA_SWEEP_EVERY_SECONDS", 5)
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-jobs": {
        "task": "workers.tasks.maintenance.requeue_stuck_jobs",
        "schedule": float(FUSQA_SWEEP_EVERY_SECONDS),
        "options": {"expires": float(FUSQA_SWEEP_EVERY_SECONDS)},
    },
    # Training runs whose worker died go back to pending and are queued again (they resume).
    "requeue-stuck-training-runs": {
        "task": "workers.tasks.maintenance.requeue_stuck_training_runs",
        "schedule": float(FUSQA_SWEEP_EVERY_SECONDS),
        "options": {"expires": float(FUSQA_SWEEP_EVERY_SECONDS)},
    },
    # The drift rule re-reads the rollups, which are current at every commit: this is the alerts' delay.
    "evaluate-drift": {
        "task": "workers.tasks.dashboard.evaluate_drift",
        "schedule": float(env_int("FUSQA_DRIFT_EVERY_SECONDS", 3600)),
    },
}
