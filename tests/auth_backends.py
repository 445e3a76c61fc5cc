"""The test suite's lockout backend: django-axes, except that Django's test Client.login() (which calls
authenticate() without a request) still works, so tests that log in that way need not know about axes.

Production keeps axes' own backend, which refuses such a call loudly: a login path that forgot to pass
the request would otherwise escape throttling unnoticed. Every throttling test goes through real
requests, which carry one."""

from axes.backends import AxesStandaloneBackend


class RequestOptionalAxesBackend(AxesStandaloneBackend):
    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
