"""Real services for integration tests: skipped with the reason when absent, never skipped in CI."""

import os

import pytest


def skip_or_fail(reason: str) -> None:
    """Skip locally with the reason; in CI a missing service or build is a failure, not a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (in CI nothing may be skipped for a missing service)", pytrace=False)
    pytest.skip(reason)


def require(service: str, available: bool, how_to_start: str) -> None:
    if not available:
        skip_or_fail(f"{service} is not reachable: {how_to_start}")
