"""A hospital deployment: secrets and hosts must come from the environment."""

from fusqa_web.settings.base import *  # noqa: F403
from fusqa_web.settings.env import env_bool, env_int, env_secret

DEBUG = False
# Both keys sign or hash what must not be forged or reversed (sessions, tokens, patient keys): a short
# value can be brute-forced and a development default is public.
_DEV_SECRETS = (DEV_SECRET_KEY, DEV_PATIENT_KEY_SECRET)  # noqa: F405
SECRET_KEY = env_secret("DJANGO_SECRET_KEY", known_defaults=_DEV_SECRETS)
FUSQA_PATIENT_KEY_SECRET = env_secret("FUSQA_PATIENT_KEY_SECRET", known_defaults=_DEV_SECRETS)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
