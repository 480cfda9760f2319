"""Live API (/api/v1/live/): the same visibility as the pages.

  /api/v1/live/sessions/                     sessions the person may see; POST schedules (mentors, directors, admins)
  /api/v1/live/sessions/<id>/                one session with its participants
  /api/v1/live/sessions/<id>/attendance/     attendance from presence (join/leave), per participant
  /api/v1/live/sessions/<id>/invite/         POST {person, role}: invite (organiser, administrators)
  /api/v1/live/help-requests/                expert-help requests the person may see, with time to answer
  /api/v1/live/rota/                         the on-call rota
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from cmrnet.core.routers import DefaultRouter

from cmrnet.live import selectors, services
from cmrnet.live.models import HelpRequest, LiveSession, Participant, ParticipantRole, RotaEntry
from cmrnet.network.models import Centre, Scanner
from cmrnet.people.models import User


class ParticipantSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.full_name", read_only=True)

    class Meta:
        model = Participant
        fields = ["id", "person", "person_name", "role", "response"]


class SessionSerializer(serializers.ModelSerializer):
    room = serializers.IntegerField(source="room.pk", read_only=True)
    participants = ParticipantSerializer(source="room.participants", many=True, read_only=True)
    centre = serializers.PrimaryKeyRelatedField(queryset=Centre.objects.all(), required=False, allow_null=True)
    scanner = serializers.PrimaryKeyRelatedField(queryset=Scanner.objects.all(), required=False, allow_null=True)

    class Meta:
        model = LiveSession
        fields = ["id", "title", "kind", "description", "starts_at", "ends_at", "time_zone", "centre", "scanner",
                  "organiser", "room", "participants", "cancelled_at", "sequence"]
        read_only_fields = ["organiser", "cancelled_at", "sequence"]


class AttendanceSerializer(serializers.Serializer):
    person = serializers.IntegerField(source="person.pk")
    person_name = serializers.CharField(source="person.full_name")
    role = serializers.CharField()
    response = serializers.CharField()
    invited = serializers.BooleanField()
    first_join = serializers.DateTimeField(allow_null=True)
    last_leave = serializers.DateTimeField(allow_null=True)
    minutes = serializers.IntegerField()
    attended = serializers.BooleanField()


class InviteSerializer(serializers.Serializer):
    person = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    role = serializers.ChoiceField(choices=ParticipantRole.choices)


def _django_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class SessionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    serializer_class = SessionSerializer

    def get_queryset(self):
        return selectors.sessions_for_user(self.request.user, on=timezone.localdate()).prefetch_related("room__participants__person")

    def perform_create(self, serializer):
        if not selectors.can_schedule(self.request.user):
            raise PermissionDenied("Only mentors, programme directors and network administrators schedule sessions.")
        try:
            serializer.instance = services.schedule_session(by=self.request.user, **serializer.validated_data)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None

    @extend_schema(responses=AttendanceSerializer(many=True))
    @action(detail=True, methods=["get"])
    def attendance(self, request, pk=None):
        rows = selectors.session_attendance(self.get_object(), now=timezone.now())
        return Response(AttendanceSerializer(rows, many=True).data)

    @extend_schema(request=InviteSerializer, responses=ParticipantSerializer)
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        session = self.get_object()
        data = InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not selectors.can_manage_session(request.user, session):
            raise PermissionDenied("Only the organiser or an administrator invites to this session.")
        try:
            participant = services.invite(by=request.user, room=session.room, **data.validated_data)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        return Response(ParticipantSerializer(participant).data, status=status.HTTP_201_CREATED)


router = DefaultRouter()
router.register("live/sessions", SessionViewSet, basename="api-live-session")
urlpatterns = [path("", include(router.urls))]


class HelpRequestSerializer(serializers.ModelSerializer):
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    seconds_to_answer = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = HelpRequest
        fields = ["id", "centre", "centre_name", "scanner", "reason", "status", "created_at", "accepted_by", "accepted_at",
                  "seconds_to_answer", "tiers_called", "room"]


class HelpRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Expert-help requests the person may see (their own, their centre's, those they were called for)."""

    serializer_class = HelpRequestSerializer

    def get_queryset(self):
        return selectors.help_requests_for_user(self.request.user)


class RotaEntrySerializer(serializers.ModelSerializer):
    expert_name = serializers.CharField(source="expert.full_name", read_only=True)

    class Meta:
        model = RotaEntry
        fields = ["id", "expert", "expert_name", "centre", "weekday", "starts", "ends", "time_zone", "tier", "valid_from", "valid_until"]


class RotaViewSet(viewsets.ReadOnlyModelViewSet):
    """The on-call rota (every member may read it, as on the page)."""

    serializer_class = RotaEntrySerializer

    def get_queryset(self):
        return selectors.rota()


router.register("live/help-requests", HelpRequestViewSet, basename="api-live-help-request")
router.register("live/rota", RotaViewSet, basename="api-live-rota")
urlpatterns = [path("", include(router.urls))]
