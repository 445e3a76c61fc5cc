"""Who is asking: session login for the browser (CSRF enforced), tokens for machine clients.

Failed logins are counted by django-axes through Django's user_login_failed signal, so every login here
goes through django.contrib.auth.authenticate with the request; a lockout becomes a 429 in
lockout_response."""

from axes.helpers import get_cool_off
from django.contrib.auth import authenticate, login, logout, user_logged_in
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.apis.serializers import ErrorSerializer, MeSerializer
from qa.errors import InvalidInput
from qa.models import Role, User
from qa.permissions import hospitals_visible_to
from qa.services.accounts import user_log_out_everywhere


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


def _user_from_credentials(request) -> User:
    credentials = CredentialsSerializer(data=request.data)
    credentials.is_valid(raise_exception=True)
    user = authenticate(request._request, **credentials.validated_data)
    if user is None:
        # One message for an unknown user, a wrong password and a disabled account alike:
        # telling them apart would tell a stranger which usernames exist.
        raise InvalidInput(
            "The username or password is incorrect, or the account is disabled.", code="invalid_credentials"
        )
    return user


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out login gets (axes calls this): 429 with Retry-After, JSON on the API.

    The same answer for a known and an unknown username, and for a right and a wrong password: a
    lockout must not tell a guesser anything."""
    # Each attempt during a lockout restarts the cool-off, so the wait is the whole cool-off from now.
    seconds = int(get_cool_off(request).total_seconds())
    message = (
        "Too many failed logins for this username or from this address. "
        f"Try again in {max(1, round(seconds / 60))} minutes."
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": "too_many_attempts", "message": message}}, status=429)
    else:
        response = HttpResponse(message, status=429, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response


def me_data(user: User) -> dict:
    hospitals = hospitals_visible_to(user).order_by("name")
    # A superuser is an admin whatever their role column says; the browser shows what the server allows.
    role = Role.ADMIN if user.is_fusqa_admin else user.role
    return MeSerializer({"id": user.id, "username": user.username, "role": role, "hospitals": hospitals}).data


class CsrfApi(APIView):
    """Sets the csrftoken cookie; the browser sends it back as X-CSRFToken on every POST."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("CsrfToken", {"csrf_token": serializers.CharField()}),
        summary="Set the CSRF cookie",
    )
    @method_decorator(ensure_csrf_cookie)
    def get(self, request):
        return Response({"csrf_token": get_token(request._request)})


class LoginApi(APIView):
    """Session login. CSRF is checked even though nobody is logged in yet (DRF alone would not)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        SessionAuthentication().enforce_csrf(request)

    @extend_schema(
        request=CredentialsSerializer,
        responses={200: MeSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 429: ErrorSerializer},
        summary="Log in (session)",
        description=(
            "Rotates the CSRF token: read the csrftoken cookie again afterwards. After 5 failures for one "
            "username or from one address within 15 minutes: 429 with Retry-After (seconds)."
        ),
    )
    def post(self, request):
        user = _user_from_credentials(request)
        login(request._request, user)
        return Response(me_data(user))


class LogoutApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Log out (session)",
        description="Ends the session; a request made with a token revokes that token as well.",
    )
    def post(self, request):
        if isinstance(request.auth, AuthToken):
            request.auth.delete()
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutEverywhereApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None},
        summary="Log out everywhere",
        description="Revokes every API token of the user and ends every one of their browser sessions.",
    )
    def post(self, request):
        user_log_out_everywhere(user=request.user)
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=MeSerializer, summary="The logged-in user and the hospitals they see")
    def get(self, request):
        return Response(me_data(request.user))


class TokenApi(APIView):
    """A new token for a machine client, sent as `Authorization: Token <key>`. Only its digest is stored,
    so the key is shown this once; it expires after REST_KNOX["TOKEN_TTL"] (30 days unless configured)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: inline_serializer(
                "AuthToken", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}
            ),
            400: ErrorSerializer,
            429: ErrorSerializer,
        },
        summary="Get an API token",
        description="After 5 failures for one username or from one address within 15 minutes: 429 with Retry-After.",
    )
    def post(self, request):
        user = _user_from_credentials(request)
        token, key = AuthToken.objects.create(user=user)
        # No session is made, but this is a login all the same: last_login, the failure count's reset
        # and the audit log all hang on this signal.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": key, "expires_at": token.expiry})


class TokenRevokeApi(APIView):
    @extend_schema(
        request=None,
        responses={204: None, 400: ErrorSerializer},
        summary="Revoke the token this request is made with",
    )
    def post(self, request):
        if not isinstance(request.auth, AuthToken):
            raise InvalidInput(
                "This request carries no API token to revoke: send it with `Authorization: Token <key>`.",
                code="no_token",
            )
        request.auth.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
