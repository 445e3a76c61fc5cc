"""Tiny typed readers of the environment that fail loudly (after healthchecks' hc/settings.py)."""

import os

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"environment variable {name} is required")
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true/false)")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a number") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, min_length: int = 32, known_defaults: tuple[str, ...] = ()) -> str:
    """A secret that must come from the environment: required, long enough to resist guessing, and not one
    of the development defaults published in this repository."""
    value = env_str(name)
    if value in known_defaults:
        raise ImproperlyConfigured(
            f"{name} is the development default, which is public: set a random value "
            f"(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    if len(value) < min_length:
        raise ImproperlyConfigured(
            f"{name} is {len(value)} characters long; production needs at least {min_length} "
            f"(python -c 'import secrets; print(secrets.token_urlsafe(50))')"
        )
    return value
