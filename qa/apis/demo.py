"""The demo's background seeding, so the browser app can say that history is still filling in."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from qa.services.demo import demo_progress_get


class DemoProgressSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["none", "queued", "running", "done", "failed"],
        help_text="none: no history is being seeded (not a demo, or an old one); done: all of it is in",
    )
    seeded = serializers.IntegerField(help_text="History studies ingested so far")
    total = serializers.IntegerField(help_text="History studies planned (beside the first slice)")
    updated_at = serializers.DateTimeField(allow_null=True)
    frames_waiting = serializers.IntegerField(help_text="The user's frames the worker has not judged yet")


class DemoProgressApi(APIView):
    @extend_schema(responses=DemoProgressSerializer, summary="How far the demo's history has been seeded")
    def get(self, request):
        return Response(DemoProgressSerializer(demo_progress_get(user=request.user)).data)
