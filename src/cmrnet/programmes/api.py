"""Programmes API (/api/v1/programmes/): the same visibility as the pages.

  /api/v1/programmes/                       programmes the person may see
  /api/v1/programmes/<id>/                  one programme with modules
  /api/v1/programmes/<id>/checklist/        SCMR stipulations with evidence (faculty, administrators)
  /api/v1/programmes/<id>/enrolments/       enrolments (faculty: all; a trainee: their own)
  /api/v1/programmes/<id>/apply/            POST {statement}: a trainee applies
  /api/v1/programmes/<id>/sessions/         sessions (faculty and enrolled trainees)
  /api/v1/programmes/<id>/attendance/       the person's own attendance record (enrolled trainees)
"""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from django.utils import timezone
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cmrnet.core.routers import DefaultRouter
from cmrnet.programmes import selectors, services
from cmrnet.programmes.models import Enrolment, Module, Programme, ProgrammeSession


class ModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "order", "title", "objective_list", "session_kinds", "covers_safety"]


class ProgrammeSerializer(serializers.ModelSerializer):
    modules = ModuleSerializer(many=True, read_only=True)
    host_centre_name = serializers.CharField(source="host_centre.name", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "title", "description", "host_centre", "host_centre_name", "director", "lead", "faculty", "starts_on",
                  "ends_on", "time_zone", "capacity", "delivery_mode", "enrolment_policy", "enrolment_open", "mentor_cap",
                  "virtual_share_max", "in_person_below_level", "requires_in_person_assessment", "modules"]


class EnrolmentSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "trainee", "trainee_name", "status", "competence_level", "created_at", "decided_at"]


class SessionSerializer(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(source="live_session.starts_at", read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(source="live_session.ends_at", read_only=True, allow_null=True)
    seated = serializers.IntegerField(read_only=True)

    class Meta:
        model = ProgrammeSession
        fields = ["id", "kind", "title", "module", "mentor", "effective_cap", "seated", "starts_at", "ends_at", "video_seconds",
                  "categories", "mentor_feedback", "case_link", "live_session"]


class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return selectors.programmes_for_user(self.request.user).prefetch_related("modules", "faculty")

    @action(detail=True)
    def checklist(self, request, pk=None):
        programme = self.get_object()
        if not selectors.can_teach(request.user, programme):
            raise PermissionDenied("Faculty and administrators only.")
        result = selectors.checklist(programme, today=timezone.localdate())
        return Response({"may_open_enrolment": result.may_open, "missing": result.missing,
                         "items": [asdict(i) for i in result.items]})

    @action(detail=True)
    def enrolments(self, request, pk=None):
        programme = self.get_object()
        return Response(EnrolmentSerializer(selectors.enrolments_for_user(request.user, programme), many=True).data)

    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        programme = self.get_object()
        try:
            enrolment = services.apply(by=request.user, programme=programme, statement=str(request.data.get("statement", "")),
                                       now=timezone.now())
        except DjangoValidationError as exc:
            raise ValidationError(exc.messages) from None
        return Response(EnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @action(detail=True)
    def sessions(self, request, pk=None):
        programme = self.get_object()
        return Response(SessionSerializer(selectors.sessions_for_user(request.user, programme), many=True).data)

    @action(detail=True)
    def attendance(self, request, pk=None):
        programme = self.get_object()
        records = selectors.attendance_record(request.user, programme, now=timezone.now())
        if selectors.enrolment_of(request.user, programme) is None:
            raise PermissionDenied("Only enrolled trainees have an attendance record here.")
        return Response([{"session": r.session.pk, "title": r.session.title, "kind": r.session.kind, "expected": r.expected,
                          "attended": r.attended, "detail": r.detail} for r in records])


router = DefaultRouter()
router.register("programmes", ProgrammeViewSet, basename="api-programme")
urlpatterns = [path("", include(router.urls))]
