"""What the pipeline's integration tests share: a private Redis server as the broker, on the PostgreSQL test
database (a worker process must reach the same database)."""

import shutil

import pytest
from django.conf import settings
from django.db import connection

from tests.pipeline.processes import RedisServer, point_celery_at
from tests.services import require


@pytest.fixture
def broker(tmp_path):
    require("PostgreSQL", connection.vendor == "postgresql", "run with DATABASE_URL=postgres://… (see .ci/run)")
    require("redis-server", shutil.which("redis-server") is not None, "apt-get install redis-server")
    server = RedisServer(tmp_path)
    server.start()
    point_celery_at(server.url)
    yield server
    point_celery_at(settings.CELERY_BROKER_URL)
    server.stop()
