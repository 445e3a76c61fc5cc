"""The laptop demo: SQLite, the embedded broker, debug on."""

from fusqa_web.settings.base import *  # noqa: F403
from fusqa_web.settings.env import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)

# The demo keeps its SQLite database, broker and media under var/; a fresh clone has none yet.
VAR_DIR.mkdir(parents=True, exist_ok=True)  # noqa: F405
