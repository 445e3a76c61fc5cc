"""The laptop demo: SQLite, the embedded broker, debug on."""

from fusqa_web.settings.base import *  # noqa: F403
from fusqa_web.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
