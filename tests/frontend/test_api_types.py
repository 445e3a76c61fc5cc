"""The browser app's API types (frontend/src/api/schema.d.ts) are generated from the server's schema and
committed: this fails when they no longer match, so an API change cannot ship with stale types."""

import difflib
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.services import skip_or_fail

FRONTEND = Path(settings.BASE_DIR) / "frontend"
GENERATOR = FRONTEND / "tools" / "api-types" / "generate.sh"
COMMITTED = FRONTEND / "src" / "api" / "schema.d.ts"
REGENERATE = "make api-types (or `npm run gen:api` in frontend/)"


def test_the_committed_api_types_match_the_servers_schema(tmp_path):
    if not (GENERATOR.parent / "node_modules" / ".bin" / "openapi-typescript").exists():
        skip_or_fail("openapi-typescript is not installed: run `npm ci` in frontend/ (`make frontend`).")
    fresh = tmp_path / "schema.d.ts"

    run = subprocess.run(
        [str(GENERATOR), str(fresh)],
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "PYTHON": sys.executable, **_django_env()},
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert run.returncode == 0, f"generating the API types failed:\n{run.stderr}"
    expected, committed = fresh.read_text(), COMMITTED.read_text()
    if committed != expected:
        diff = "".join(
            difflib.unified_diff(
                committed.splitlines(keepends=True),
                expected.splitlines(keepends=True),
                "frontend/src/api/schema.d.ts (committed)",
                "frontend/src/api/schema.d.ts (from the server's schema now)",
            )
        )
        raise AssertionError(
            f"frontend/src/api/schema.d.ts is out of date with the API: run {REGENERATE} and commit it.\n{diff}"
        )


def _django_env() -> dict[str, str]:
    """What manage.py needs to start; not DJANGO_SETTINGS_MODULE, so the schema is built the way
    `make api-types` builds it (local settings), not under the test settings."""
    names = ("DATABASE_URL", "CELERY_BROKER_URL", "HOME", "LANG")
    return {name: os.environ[name] for name in names if name in os.environ}
