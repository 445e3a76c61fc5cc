"""What the benches share: a throwaway PostgreSQL database with the app migrated on it, and PNG bytes.

Every bench that talks to the database makes its own, so a run never touches a real one and leaves
nothing behind, even when it fails half-way.
"""

import io
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def scratch_database(
    *, postgres: str, prefix: str = "fusqa_bench", broker: str = "memory://", **environment: str
) -> Iterator[str]:
    """Creates the database, points this process's Django at it (local settings, debug off, media in a
    temporary folder, `broker`, and any extra `environment`), migrates it, and drops it on the way out.
    Redis brokers are flushed before use. Yields the database's name."""
    db_name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "fusqa_web.settings.local",
            "DJANGO_DEBUG": "false",
            "DATABASE_URL": f"{postgres}/{db_name}",
            "CELERY_BROKER_URL": broker,
            "FUSQA_MEDIA_ROOT": tempfile.mkdtemp(prefix=f"{prefix}-media-"),
            **environment,
        }
    )
    import psycopg

    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {db_name}")
    try:
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        if broker.startswith("redis"):
            import redis

            redis.Redis.from_url(broker).flushdb()
        yield db_name
    finally:
        from django.db import connections

        connections.close_all()
        with psycopg.connect(f"{postgres}/postgres", autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")


def stop(processes: list[subprocess.Popen], *, timeout: float = 60) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=timeout)


def png(image) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def upload_png(client, i: int, *, blob: bytes, hospital_id: int, spacing_mm: float):
    """POSTs one PNG to /api/uploads/ as `client`'s user, named f{i}.png; asserts 201, returns the response."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/uploads/",
        {
            "file": SimpleUploadedFile(f"f{i}.png", blob, content_type="image/png"),
            "hospital": hospital_id,
            "spacing_mm": str(spacing_mm),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response
