"""Hospitals and their ultrasound machines, as far as the user may see them."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from qa import selectors
from qa.apis.serializers import ErrorSerializer, HospitalSerializer, MachineSerializer


class HospitalListApi(GenericAPIView):
    serializer_class = HospitalSerializer

    @extend_schema(responses=HospitalSerializer(many=True), summary="Hospitals the user sees, with machines")
    def get(self, request):
        page = self.paginate_queryset(selectors.hospital_list(user=request.user))
        return self.get_paginated_response(HospitalSerializer(page, many=True).data)


class HospitalDetailApi(APIView):
    @extend_schema(responses={200: HospitalSerializer, 404: ErrorSerializer}, summary="One hospital")
    def get(self, request, hospital_id: int):
        hospital = selectors.hospital_get(user=request.user, hospital_id=hospital_id)
        return Response(HospitalSerializer(hospital).data)


class MachineFilterSerializer(serializers.Serializer):
    hospital = serializers.IntegerField(required=False, min_value=1, help_text="Only this hospital's machines")


class MachineListApi(GenericAPIView):
    serializer_class = MachineSerializer

    @extend_schema(
        parameters=[MachineFilterSerializer],
        responses=MachineSerializer(many=True),
        summary="Machines of the hospitals the user sees",
    )
    def get(self, request):
        filters = MachineFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        machines = selectors.machine_list(user=request.user, hospital_id=filters.validated_data.get("hospital"))
        page = self.paginate_queryset(machines)
        return self.get_paginated_response(MachineSerializer(page, many=True).data)
