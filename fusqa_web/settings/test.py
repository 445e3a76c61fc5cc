"""The test suite: fast hashing, media in a throwaway folder, tasks queued only where a test asks."""

import os
import tempfile
from pathlib import Path

from fusqa_web.settings.base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A worker process started by a test is handed the test process's media folder through the environment.
MEDIA_ROOT = Path(os.environ.get("FUSQA_MEDIA_ROOT") or tempfile.mkdtemp(prefix="fusqa-test-media-"))
FUSQA_PATIENT_KEY_SECRET = "test-patient-key-secret"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests queue into memory unless a real broker is named (CI names Redis; the pipeline's integration
# tests start real workers on it).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "memory://")
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="fusqa-test-static-"))

# Client.login() authenticates without a request, which axes' backend refuses (see tests/auth_backends.py).
AUTHENTICATION_BACKENDS = [
    "tests.auth_backends.RequestOptionalAxesBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Django's test flush empties every table with one TRUNCATE; the audit log's trigger refuses that
# unless the session says otherwise (qa.models.audit.TRUNCATE_SETTING). Tests only.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c fusqa.audit_truncate=allowed"  # noqa: F405

# Set by a pipeline test for the worker it starts: the worker waits inside each batch until released.
FUSQA_TEST_HOLD_DIR = os.environ.get("FUSQA_TEST_HOLD_DIR", "")
