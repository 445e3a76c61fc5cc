"""Who is asking: session login for the browser (CSRF enforced), tokens for machine clients."""

from django.contrib.auth import authenticate, login, logout
from django.middleware.csrf import get_token
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import ensure_csrf_cookie
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.apis.serializers import ErrorSerializer, MeSerializer
from qa.errors import InvalidInput
from qa.models import Role, User
from qa.permissions import hospitals_visible_to


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
        responses={200: MeSerializer, 400: ErrorSerializer, 403: ErrorSerializer},
        summary="Log in (session)",
        description="Rotates the CSRF token: read the csrftoken cookie again afterwards.",
    )
    def post(self, request):
        user = _user_from_credentials(request)
        login(request._request, user)
        return Response(me_data(user))


class LogoutApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Log out (session)")
    def post(self, request):
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses=MeSerializer, summary="The logged-in user and the hospitals they see")
    def get(self, request):
        return Response(me_data(request.user))


class TokenApi(APIView):
    """A token for a machine client, sent as `Authorization: Token <key>`. The same key every time."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        request=CredentialsSerializer,
        responses={200: inline_serializer("AuthToken", {"token": serializers.CharField()}), 400: ErrorSerializer},
        summary="Get an API token",
    )
    def post(self, request):
        user = _user_from_credentials(request)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
