"""Logins, failed logins and logouts into the audit log, from Django's own signals.

Every way of logging in (the session API, token endpoints, the admin site, login throttling that
refuses an attempt) goes through django.contrib.auth, which sends these; listening here records
them all without touching any of the views.
"""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from qa.apis.client_address import client_address
from qa.models import AuditAction
from qa.services.audit import audit_record


def record_login(sender, request, user, **kwargs) -> None:
    audit_record(actor=user, action=AuditAction.LOGIN, target=user, source=client_address(request))


def record_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already masked the password in `credentials`; only the name tried is kept.
    tried = str(credentials.get("username", "") or "")
    audit_record(
        actor=None,
        actor_username=tried,
        action=AuditAction.LOGIN_FAILED,
        source=client_address(request),
    )


def record_logout(sender, request, user, **kwargs) -> None:
    if user is None:  # a logout without a session: nobody to record
        return
    audit_record(actor=user, action=AuditAction.LOGOUT, target=user, source=client_address(request))


def connect() -> None:
    # dispatch_uid: ready() may run twice (tests, autoreload); each event must be recorded once.
    user_logged_in.connect(record_login, dispatch_uid="qa.audit.login")
    user_login_failed.connect(record_login_failed, dispatch_uid="qa.audit.login_failed")
    user_logged_out.connect(record_logout, dispatch_uid="qa.audit.logout")
