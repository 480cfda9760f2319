"""Interpretation API (/api/v1/): the same selectors and services as the pages.

interpretations/                 GET the readings you may see; POST {"case": id, "mentor": id?} starts a self-study reading
interpretations/<id>/            GET one (the trainee gets no reference before submission)
interpretations/<id>/draft/      POST {"report": {...}, "measurements": [...]}: save (trainee, draft only)
interpretations/<id>/submit/     POST {"report": {...}, "measurements": [...]}: submit and compare
interpretations/<id>/comments/   GET; POST {"text", "series", "slice_index", "phase_index", "x", "y"} (mentor)
interpretations/<id>/review/     POST {"grade", "overall_comment", "full_review"} (mentor)
interpretations/<id>/logbook/    POST: add the reviewed reading to the trainee's logbook (trainee)
assignments/                     POST {"trainee", "case", "due_on", "note"} (a supervising mentor)
library-cases/<id>/viewer-manifest/   GET the viewer's manifest of a case
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from cmrnet.core.routers import DefaultRouter
from cmrnet.interpretation import manifest, selectors, services
from cmrnet.interpretation.models import Comment, Grade, Interpretation
from cmrnet.library import selectors as library
from cmrnet.people.models import User


def _call(fn):
    try:
        return fn()
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error))


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()

    class Meta:
        model = Comment
        fields = ["id", "author", "text", "series", "slice_index", "phase_index", "x", "y", "created_at"]
        read_only_fields = fields


class InterpretationSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="case_id", read_only=True)
    case_pseudonym = serializers.CharField(source="case.pseudonym", read_only=True)
    comparison = serializers.SerializerMethodField()
    comments = CommentSerializer(many=True, read_only=True)

    class Meta:
        model = Interpretation
        fields = ["id", "trainee", "case", "case_pseudonym", "mentor", "status", "report", "measurements", "comparison",
                  "started_at", "submitted_at", "grade", "overall_comment", "full_review", "reviewed_by", "reviewed_at",
                  "logbook_case", "comments"]
        read_only_fields = fields

    def get_comparison(self, obj) -> list:
        return [] if obj.blinded else obj.comparison


class StartSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    mentor = serializers.IntegerField(required=False, allow_null=True)


class ReportSerializer(serializers.Serializer):
    report = serializers.DictField()
    measurements = serializers.ListField(required=False, allow_null=True)


class CommentInSerializer(serializers.Serializer):
    text = serializers.CharField()
    series = serializers.IntegerField(required=False, allow_null=True)
    slice_index = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    phase_index = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    x = serializers.FloatField(required=False, allow_null=True)
    y = serializers.FloatField(required=False, allow_null=True)


class ReviewSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Grade.choices)
    overall_comment = serializers.CharField(required=False, allow_blank=True, default="")
    full_review = serializers.BooleanField()


class InterpretationViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = InterpretationSerializer

    def get_queryset(self):
        return selectors.interpretations_for_user(self.request.user).prefetch_related("comments__author")

    def get_object(self):
        pk = self.kwargs["pk"]
        if not str(pk).isdigit():
            raise exceptions.NotFound()
        return selectors.get_interpretation_for_user(self.request.user, int(pk))

    @extend_schema(request=StartSerializer, responses=InterpretationSerializer)
    def create(self, request):
        data = StartSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = library.get_case_for_user(request.user, data.validated_data["case"])
        mentor_id = data.validated_data.get("mentor")
        mentor = User.objects.filter(pk=mentor_id).first() if mentor_id else None
        if mentor_id and mentor is None:
            raise serializers.ValidationError({"mentor": "No such person."})
        reading = _call(lambda: services.start_reading(by=request.user, case=case, mentor=mentor))
        return Response(InterpretationSerializer(reading).data, status=201)

    def _report(self, request, service):
        reading = self.get_object()
        data = ReportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = _call(lambda: service(by=request.user, interpretation=reading, report=data.validated_data["report"],
                                     measurements=data.validated_data.get("measurements")))
        return Response(InterpretationSerializer(done).data)

    @extend_schema(request=ReportSerializer, responses=InterpretationSerializer)
    @action(detail=True, methods=["post"])
    def draft(self, request, pk=None):
        return self._report(request, services.save_draft)

    @extend_schema(request=ReportSerializer, responses=InterpretationSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._report(request, services.submit)

    @extend_schema(request=CommentInSerializer, responses=CommentSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        reading = self.get_object()
        if request.method == "POST":
            data = CommentInSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            d = dict(data.validated_data)
            series_id = d.pop("series", None)
            series = None
            if series_id is not None:
                series = library.series_for_user(request.user).filter(pk=series_id).first()
                if series is None:
                    raise serializers.ValidationError({"series": "No such series."})
            _call(lambda: services.add_comment(by=request.user, interpretation=reading, series=series, **d))
        return Response(CommentSerializer(reading.comments.select_related("author"), many=True).data)

    @extend_schema(request=ReviewSerializer, responses=InterpretationSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        reading = self.get_object()
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = _call(lambda: services.complete_review(by=request.user, interpretation=reading, **data.validated_data))
        return Response(InterpretationSerializer(done).data)

    @extend_schema(request=None, responses=InterpretationSerializer)
    @action(detail=True, methods=["post"])
    def logbook(self, request, pk=None):
        reading = self.get_object()
        _call(lambda: services.add_to_logbook(by=request.user, interpretation=reading, today=timezone.localdate()))
        reading.refresh_from_db()
        return Response(InterpretationSerializer(reading).data)


class AssignmentSerializer(serializers.Serializer):
    trainee = serializers.IntegerField()
    case = serializers.IntegerField()
    due_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AssignmentView(APIView):
    @extend_schema(request=AssignmentSerializer, responses=InterpretationSerializer)
    def post(self, request):
        data = AssignmentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        trainee = selectors.trainees_to_assign(request.user).filter(pk=d["trainee"]).first()
        if trainee is None:
            raise exceptions.PermissionDenied("You assign cases only to trainees you supervise.")
        case = library.get_case_for_user(request.user, d["case"])
        assignment = _call(lambda: services.assign_case(by=request.user, trainee=trainee, case=case,
                                                        due_on=d.get("due_on"), note=d.get("note", "")))
        return Response(InterpretationSerializer(assignment.interpretation).data, status=201)


class ManifestView(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, pk: int):
        case = library.get_case_for_user(request.user, pk)
        return Response(manifest.case_manifest(request.user, case))


class ToleranceSerializer(serializers.Serializer):
    parameter = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    absolute = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True, required=False)
    relative_pct = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True, required=False)
    max_mismatch = serializers.IntegerField(allow_null=True, required=False, min_value=0, max_value=17)
    site_setting = serializers.BooleanField(read_only=True, help_text="false: the built-in default applies")


def _tolerance_rows(only: str | None = None) -> list[dict]:
    from decimal import Decimal

    from cmrnet.interpretation.models import TOLERANCE_PARAMETERS, ToleranceSetting

    current = selectors.tolerances()
    set_here = set(ToleranceSetting.objects.values_list("parameter", flat=True))
    return [{"parameter": p, "label": label, "absolute": current[p].absolute,
             "relative_pct": current[p].relative * Decimal(100) if current[p].relative is not None else None,
             "max_mismatch": current[p].max_mismatch, "site_setting": p in set_here}
            for p, label in TOLERANCE_PARAMETERS if only in (None, p)]


class TolerancesView(APIView):
    """The comparison tolerances per report parameter (as /interpretation/tolerances/): everyone signed in
    reads them; a network administrator sets one (PUT .../<parameter>/; audited)."""

    @extend_schema(responses=ToleranceSerializer(many=True))
    def get(self, request):
        return Response(ToleranceSerializer(_tolerance_rows(), many=True).data)


class ToleranceView(APIView):
    @extend_schema(responses=ToleranceSerializer)
    def get(self, request, parameter: str):
        rows = _tolerance_rows(parameter)
        if not rows:
            raise exceptions.NotFound(f"No report parameter {parameter!r}.")
        return Response(ToleranceSerializer(rows[0]).data)

    @extend_schema(request=ToleranceSerializer, responses=ToleranceSerializer)
    def put(self, request, parameter: str):
        if not _tolerance_rows(parameter):
            raise exceptions.NotFound(f"No report parameter {parameter!r}.")
        from cmrnet.people.roles import Role

        if not request.user.has_role(Role.NETWORK_ADMIN):
            raise exceptions.PermissionDenied("Only a network administrator sets the tolerances.")
        data = ToleranceSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        _call(lambda: services.set_tolerance(by=request.user, parameter=parameter, absolute=d.get("absolute"),
                                             relative_pct=d.get("relative_pct"), max_mismatch=d.get("max_mismatch")))
        return Response(ToleranceSerializer(_tolerance_rows(parameter)[0]).data)


router = DefaultRouter()
router.register("interpretations", InterpretationViewSet, basename="api-interpretation")

urlpatterns = [
    path("", include(router.urls)),
    path("assignments/", AssignmentView.as_view(), name="api-interpretation-assign"),
    path("library-cases/<int:pk>/viewer-manifest/", ManifestView.as_view(), name="api-viewer-manifest"),
    path("interpretation-tolerances/", TolerancesView.as_view(), name="api-interpretation-tolerances"),
    path("interpretation-tolerances/<slug:parameter>/", ToleranceView.as_view(), name="api-interpretation-tolerance"),
]
