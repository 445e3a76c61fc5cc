"""Login throttling on top of django-axes: what a successful login resets."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.http import HttpRequest


class LoginAttemptHandler(AxesDatabaseHandler):
    """Axes' database store, except that a successful login forgets only that username's failures.

    Axes would also forget every failure from the same address: an attacker with one valid account could
    then guess at other usernames from one address without end, logging in as themselves every 4 tries."""

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
