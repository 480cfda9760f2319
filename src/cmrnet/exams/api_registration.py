"""Self-registration over the API (/api/v1/exam-registrations/): the same rules and function as the page.

  GET  exam-registrations/            the signed-in person's registrations (sitting, start time, how made)
  POST exam-registrations/            {"sitting": id, "slot": id|null, "physician": true}: register oneself
  POST exam-registrations/<id>/withdraw/   withdraw while the window is open
  GET  exam-registration-sittings/    sittings open to self-registration, with window and places per start time
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cmrnet.exams import selectors, services
from cmrnet.exams.models import Registration, Sitting, SittingSlot
from cmrnet.exams.services.registration import places_left


class SlotSerializer(serializers.ModelSerializer):
    places_left = serializers.SerializerMethodField()

    class Meta:
        model = SittingSlot
        fields = ["id", "starts_at", "capacity", "places_left"]

    def get_places_left(self, slot) -> int:
        return places_left(slot)


class OpenSittingSerializer(serializers.ModelSerializer):
    exam_date = serializers.DateField(read_only=True)
    registration_opens = serializers.SerializerMethodField()
    registration_closes = serializers.SerializerMethodField()
    slots = SlotSerializer(many=True, read_only=True)

    class Meta:
        model = Sitting
        fields = ["id", "title", "exam_date", "start_opens", "start_closes", "duration_minutes",
                  "registration_opens", "registration_closes", "slots"]

    def get_registration_opens(self, sitting) -> str:
        return sitting.registration_window[0].isoformat()

    def get_registration_closes(self, sitting) -> str:
        return sitting.registration_window[1].isoformat()


class RegistrationSerializer(serializers.ModelSerializer):
    sitting = serializers.PrimaryKeyRelatedField(queryset=Sitting.objects.all())
    slot = serializers.PrimaryKeyRelatedField(queryset=SittingSlot.objects.all(), required=False, allow_null=True)
    physician = serializers.BooleanField(write_only=True, help_text="I am a qualified physician.")

    class Meta:
        model = Registration
        fields = ["id", "sitting", "slot", "self_registered", "extra_minutes", "physician"]
        read_only_fields = ["self_registered", "extra_minutes"]


def _api_error(exc: ValidationError):
    return exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class OpenSittingViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = OpenSittingSerializer

    def get_queryset(self):
        return selectors.self_registration_sittings(today=timezone.localdate())


class MyRegistrationViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = RegistrationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        return Registration.objects.filter(candidate=self.request.user).select_related("sitting", "slot")

    def perform_create(self, serializer):
        data, today = serializer.validated_data, timezone.localdate()
        try:
            sitting = selectors.get_self_registration_sitting(data["sitting"].pk, today=today)
        except Http404:
            raise exceptions.NotFound("No such sitting open to registration.") from None
        try:
            serializer.instance = services.register_self(candidate=self.request.user, sitting=sitting,
                                                         slot=data.get("slot"), physician_declared=data["physician"],
                                                         today=today)
        except ValidationError as exc:
            raise _api_error(exc) from None

    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        registration = self.get_object()
        try:
            services.cancel_own_registration(candidate=request.user, registration=registration,
                                             today=timezone.localdate())
        except ValidationError as exc:
            raise _api_error(exc) from None
        return Response(status=204)
