"""Real services for integration tests: skipped with the reason when absent, never skipped in CI."""

import os

import pytest


def require(service: str, available: bool, how_to_start: str) -> None:
    if available:
        return
    message = f"{service} is not reachable: {how_to_start}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (in CI nothing may be skipped for a missing service)")
    pytest.skip(message)


def redis_url() -> str:
    return os.environ.get("FUSQA_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available(url: str | None = None) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url or redis_url(), socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False
