"""Where a request came from: the one answer used by login throttling and the audit log."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest | None) -> str:
    """The client's address: the peer's, or the one the nearest trusted proxy put in X-Forwarded-For.

    Only the entries the trusted proxies (FUSQA_TRUSTED_PROXY_COUNT) appended are believed; anything further
    left was written by the client and would let it pick a fresh address for every guess."""
    if request is None:
        return ""
    proxies = settings.FUSQA_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or ""
