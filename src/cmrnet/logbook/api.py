"""Logbook API (/api/v1/logbook/...): the same permissions as the pages.

cases/, cme/, training/ and peer/   the caller's own logbook (add ?trainee=<id> to read a trainee you may see);
                    only the trainee creates, updates and deletes.
evaluation/?ruleset=eacvi-2025&route=level2[&trainee=<id>]   the rule engine's verdict.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.response import Response
from cmrnet.core.routers import DefaultRouter
from rest_framework.views import APIView

from cmrnet import rules
from cmrnet.logbook import selectors, services
from cmrnet.logbook.forms import category_choices
from cmrnet.logbook.models import Case, CaseRole, CmeActivity, PeerRecognition, Source, TrainingPeriod
from cmrnet.logbook.patient_keys import MAX_IDENTIFIER_LENGTH, normalise, patient_key
from cmrnet.people.roles import Role


def _trainee_from_query(request):
    pk = request.query_params.get("trainee")
    if not pk:
        if not request.user.has_role(Role.TRAINEE):
            raise exceptions.PermissionDenied("You keep no logbook; pass ?trainee=<id>.")
        return request.user
    if not (str(pk).isascii() and str(pk).isdigit()):
        raise exceptions.NotFound()
    return selectors.get_trainee_for_user(request.user, int(pk))


def _write_errors(call):
    try:
        return call()
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error))


class OwnLogbookMixin:
    """Reads for anyone entitled to the logbook (else 404); writes for the trainee only (else 403)."""

    def create(self, request, *args, **kwargs):
        if not request.user.has_role(Role.TRAINEE):
            raise exceptions.PermissionDenied("You keep no logbook.")
        return super().create(request, *args, **kwargs)

    def _owner(self, obj):
        if not selectors.can_edit_logbook(self.request.user, obj.trainee):
            raise exceptions.PermissionDenied("Only the trainee edits their logbook.")

    def perform_destroy(self, instance):
        self._owner(instance)
        _write_errors(lambda: self.delete_service(by=self.request.user, **{self.service_arg: instance}))


class CaseSerializer(serializers.ModelSerializer):
    patient_identifier = serializers.CharField(write_only=True, required=False, max_length=MAX_IDENTIFIER_LENGTH,
                                               help_text="Local identifier; hashed on the way in, never stored.")
    patient_key_short = serializers.CharField(read_only=True)
    category = serializers.ChoiceField(choices=())
    supervisor = serializers.PrimaryKeyRelatedField(queryset=selectors.User.objects.all(), allow_null=True,
                                                    required=False)
    trainee = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Case
        fields = ["id", "trainee", "case_id", "study_date", "patient_identifier", "patient_key_short", "category",
                  "normal", "source", "course_id", "role", "control_room", "supervisor", "clinical_change",
                  "full_review", "status", "verification_comment", "verified_at"]
        read_only_fields = ["case_id", "status", "verification_comment", "verified_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices()

    def validate_supervisor(self, value):
        user = self.context["request"].user
        if value is not None and not selectors.supervisors_of(user).filter(pk=value.pk).exists():
            raise serializers.ValidationError("Not one of your supervisors.")
        return value

    def validate(self, attrs):
        if self.instance is None and not normalise(attrs.get("patient_identifier", "")):
            raise serializers.ValidationError({"patient_identifier": "Required."})
        return attrs

    def to_input(self, keep_key: str = "") -> services.CaseInput:
        data = {**self._current(), **self.validated_data}
        identifier = data.pop("patient_identifier", "")
        supervisor = data.get("supervisor")
        return services.CaseInput(
            study_date=data["study_date"], patient_key=patient_key(identifier) if normalise(identifier) else keep_key,
            category=data["category"], normal=data.get("normal", False), source=data.get("source", Source.OWN_CENTRE),
            course_id=data.get("course_id", ""), role=data.get("role", CaseRole.PRIMARY_OPERATOR),
            control_room=data.get("control_room", False), supervisor_id=supervisor.pk if supervisor else None,
            clinical_change=data.get("clinical_change", False), full_review=data.get("full_review"))

    def _current(self) -> dict:
        case = self.instance
        if case is None:
            return {}
        return {name: getattr(case, name) for name in ("study_date", "category", "normal", "source", "course_id",
                                                       "role", "control_room", "supervisor", "clinical_change",
                                                       "full_review")}


class CaseViewSet(OwnLogbookMixin, viewsets.ModelViewSet):
    serializer_class = CaseSerializer
    service_arg = "case"
    delete_service = staticmethod(services.delete_case)

    def get_queryset(self):
        if self.action in ("list",):
            return selectors.cases_for_user(self.request.user, _trainee_from_query(self.request)).order_by(
                "study_date", "sequence")
        return Case.objects.none()

    def get_object(self):
        return selectors.get_case_for_user(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = _write_errors(lambda: services.add_case(
            by=self.request.user, trainee=self.request.user, data=serializer.to_input()))

    def perform_update(self, serializer):
        case = serializer.instance
        self._owner(case)
        serializer.instance = _write_errors(lambda: services.update_case(
            by=self.request.user, case=case, data=serializer.to_input(keep_key=case.patient_key)))


class CmeSerializer(serializers.ModelSerializer):
    trainee = serializers.PrimaryKeyRelatedField(read_only=True)
    has_certificate = serializers.SerializerMethodField()

    class Meta:
        model = CmeActivity
        fields = ["id", "trainee", "title", "provider", "kind", "start_date", "end_date", "credits", "modalities",
                  "catalog_id", "full_attendance", "has_certificate", "accepted_hours", "accepted_hours_reason"]
        read_only_fields = ["accepted_hours", "accepted_hours_reason"]

    def get_has_certificate(self, activity) -> bool:
        return bool(activity.certificate)


class CmeViewSet(OwnLogbookMixin, viewsets.ModelViewSet):
    """CME activities. Attendance certificates are uploaded on the CME page."""

    serializer_class = CmeSerializer
    service_arg = "activity"
    delete_service = staticmethod(services.delete_cme)

    def get_queryset(self):
        if self.action == "list":
            trainee = _trainee_from_query(self.request)
            if not selectors.can_view_logbook(self.request.user, trainee):
                raise exceptions.NotFound()
            return CmeActivity.objects.filter(trainee=trainee).order_by("start_date", "pk")
        return CmeActivity.objects.none()

    def get_object(self):
        return selectors.get_cme_for_user(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = _write_errors(lambda: services.add_cme(
            by=self.request.user, trainee=self.request.user, **serializer.validated_data))

    def perform_update(self, serializer):
        activity = serializer.instance
        self._owner(activity)
        serializer.instance = _write_errors(lambda: services.update_cme(
            by=self.request.user, activity=activity, **serializer.validated_data))


class TrainingSerializer(serializers.ModelSerializer):
    """A training period; ``overlaps`` is the entry warning (periods sharing calendar days: allowed, each
    day then counts once, at most at full time)."""

    trainee = serializers.PrimaryKeyRelatedField(read_only=True)
    supervisor = serializers.PrimaryKeyRelatedField(queryset=selectors.User.objects.all())
    period_id = serializers.CharField(read_only=True)
    overlaps = serializers.SerializerMethodField()

    class Meta:
        model = TrainingPeriod
        fields = ["id", "period_id", "trainee", "start_date", "end_date", "hours_per_week", "supervisor", "centre",
                  "mode", "overlaps"]

    def get_overlaps(self, period) -> list[str]:
        return selectors.training_overlaps(period.trainee, period=period)

    def validate_supervisor(self, value):
        if not selectors.supervisors_of(self.context["request"].user).filter(pk=value.pk).exists():
            raise serializers.ValidationError("Not one of your supervisors.")
        return value


class TrainingViewSet(OwnLogbookMixin, viewsets.ModelViewSet):
    """Training periods; each response says which other periods share calendar days with it."""

    serializer_class = TrainingSerializer
    service_arg = "period"
    delete_service = staticmethod(services.delete_training)

    def get_queryset(self):
        if self.action == "list":
            trainee = _trainee_from_query(self.request)
            return TrainingPeriod.objects.filter(trainee=trainee).select_related("supervisor", "trainee")
        return TrainingPeriod.objects.none()

    def get_object(self):
        return selectors.get_training_for_user(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = _write_errors(lambda: services.add_training(
            by=self.request.user, trainee=self.request.user, **serializer.validated_data))

    def perform_update(self, serializer):
        period = serializer.instance
        self._owner(period)
        values = {name: serializer.validated_data.get(name, getattr(period, name))
                  for name in ("start_date", "end_date", "hours_per_week", "supervisor", "centre", "mode")}
        serializer.instance = _write_errors(lambda: services.update_training(
            by=self.request.user, period=period, **values))


class PeerSerializer(serializers.ModelSerializer):
    """One peer-recognition entry; ``item_id`` is the id the evaluation's offending list uses, ``counted`` and
    ``reason`` say whether the rules count it (distinct events; orals' conditions; posters never)."""

    trainee = serializers.PrimaryKeyRelatedField(read_only=True)
    item_id = serializers.CharField(read_only=True)
    event = serializers.CharField(max_length=300, help_text="The course, conference or meeting (a paper: the journal).")
    has_evidence = serializers.SerializerMethodField()
    counted = serializers.SerializerMethodField()
    reason = serializers.SerializerMethodField()

    class Meta:
        model = PeerRecognition
        fields = ["id", "item_id", "trainee", "kind", "title", "event", "scope", "date", "first_author",
                  "presented_in_person", "reference", "has_evidence", "counted", "reason"]

    def get_has_evidence(self, entry) -> bool:
        return bool(entry.evidence)

    def _reason(self, entry) -> str:
        cache = self.context.setdefault("peer_reasons", {})
        if entry.trainee_id not in cache:
            cache[entry.trainee_id] = selectors.peer_overview(entry.trainee)["reasons"]
        return cache[entry.trainee_id].get(entry.pk, "")

    def get_counted(self, entry) -> bool:
        return not self._reason(entry)

    def get_reason(self, entry) -> str:
        return self._reason(entry)


class PeerViewSet(OwnLogbookMixin, viewsets.ModelViewSet):
    """Peer-recognition entries, one per course, talk, paper, oral or poster. Evidence files are uploaded on
    the peer-recognition page."""

    serializer_class = PeerSerializer
    service_arg = "entry"
    delete_service = staticmethod(services.delete_peer_recognition)

    def get_queryset(self):
        if self.action == "list":
            trainee = _trainee_from_query(self.request)
            if not selectors.can_view_logbook(self.request.user, trainee):
                raise exceptions.NotFound()
            return PeerRecognition.objects.filter(trainee=trainee).select_related("trainee").order_by("date", "pk")
        return PeerRecognition.objects.none()

    def get_object(self):
        return selectors.get_peer_for_user(self.request.user, self.kwargs["pk"])

    def perform_create(self, serializer):
        serializer.instance = _write_errors(lambda: services.add_peer_recognition(
            by=self.request.user, trainee=self.request.user, **serializer.validated_data))

    def perform_update(self, serializer):
        entry = serializer.instance
        self._owner(entry)
        serializer.instance = _write_errors(lambda: services.update_peer_recognition(
            by=self.request.user, entry=entry, **serializer.validated_data))


class EvaluationView(APIView):
    @extend_schema(parameters=[OpenApiParameter("ruleset", str, required=True),
                               OpenApiParameter("route", str, required=True),
                               OpenApiParameter("trainee", int, required=False)],
                   responses={200: dict})
    def get(self, request):
        trainee = _trainee_from_query(request)
        ruleset = request.query_params.get("ruleset", "")
        route = request.query_params.get("route", "")
        try:
            rules.load_ruleset(ruleset).route(route)
        except rules.RuleSetError as error:
            raise serializers.ValidationError({"detail": str(error)})
        today = timezone.localdate()
        evaluation = selectors.evaluate_for(trainee, ruleset=ruleset, route=route, today=today)
        return Response({**evaluation.to_dict(), "trainee": trainee.pk, "today": today.isoformat(),
                         "logbook_version": selectors.logbook_version(trainee)})


router = DefaultRouter()
router.register("logbook/cases", CaseViewSet, basename="api-logbook-case")
router.register("logbook/cme", CmeViewSet, basename="api-logbook-cme")
router.register("logbook/training", TrainingViewSet, basename="api-logbook-training")
router.register("logbook/peer", PeerViewSet, basename="api-logbook-peer")
urlpatterns = [
    path("logbook/evaluation/", EvaluationView.as_view(), name="api-logbook-evaluation"),
    path("", include(router.urls)),
]
