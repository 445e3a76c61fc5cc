"""Login throttling on top of django-axes: which address a request comes from, and what a success resets."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's address: the peer's, or the one the nearest trusted proxy put in X-Forwarded-For.

    Only the entries the trusted proxies appended are believed; anything further left was written by the
    client and would let it pick a fresh address for every guess."""
    proxies = settings.FUSQA_TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database store, except that a successful login forgets only that username's failures.

    Axes would also forget every failure from the same address: an attacker with one valid account could
    then guess at other usernames from one address without end, logging in as themselves every 4 tries."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
