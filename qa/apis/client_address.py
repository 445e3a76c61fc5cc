"""Where a request came from, as the audit log records it."""

from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The peer's IP address. REMOTE_ADDR only: gunicorn faces the clients directly here, and an
    X-Forwarded-For header is whatever the client chose to write. Behind a reverse proxy, let the proxy
    set REMOTE_ADDR (or replace this one function)."""
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or ""
