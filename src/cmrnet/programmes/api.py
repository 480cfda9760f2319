"""Programmes API (/api/v1/programmes/): the same visibility, permission checks, services and validation
messages as the pages (the pages' forms validate here too, so a refusal names the same field in the same words).

  GET  /api/v1/programmes/                       programmes the person may see
  POST /api/v1/programmes/                       create (programme directors, administrators)
  GET  PATCH /api/v1/programmes/<id>/            one programme with modules; change it (its director)
  GET  /api/v1/programmes/<id>/checklist/        SCMR stipulations with evidence (faculty, administrators)
  GET  /api/v1/programmes/<id>/enrolments/       enrolments (faculty: all; a trainee: their own)
  POST /api/v1/programmes/<id>/apply/            {statement}: a trainee applies
  POST /api/v1/programmes/<id>/invite/           {trainee}: the director invites a trainee
  POST /api/v1/programmes/<id>/open-enrolment/   open (refused while a stipulation is unmet) / close-enrolment/
  GET  POST /api/v1/programmes/<id>/modules/     modules; add one (the director)
  GET  POST /api/v1/programmes/<id>/sessions/    sessions (faculty and enrolled trainees); add one (the director)
  GET  POST /api/v1/programmes/<id>/surveys/     surveys; create one (the director)
  GET  /api/v1/programmes/<id>/attendance/       the person's own attendance record (enrolled trainees)
  GET  PATCH /api/v1/programme-modules/<id>/
  GET  PATCH /api/v1/programme-sessions/<id>/    POST DELETE .../seat/: take or give up a place in a small group
  GET  /api/v1/programme-enrolments/<id>/        POST .../accept|decline|withdraw|level|assessment|determination|certificate/
  GET  PATCH /api/v1/programme-surveys/<id>/     POST .../answers/: answer it (kept apart from the person)
"""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.urls import include, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from cmrnet.core.routers import DefaultRouter
from cmrnet.programmes import forms, selectors, services
from cmrnet.programmes.models import (CompletionCertificate, Enrolment, InPersonTopic, Module, Programme, ProgrammeSession,
                                      SessionKind, Survey)


# --------------------------------------------------------------------------- validation shared with the pages
def _field(name: str) -> str:
    return "non_field_errors" if name == "__all__" else name


def _payload(request):
    if not hasattr(request.data, "keys"):
        raise ValidationError({"non_field_errors": ["Send a JSON object (or form fields)."]})
    return request.data


def _valid(form) -> dict:
    """The page's form, run on the request's data: its errors, field by field, in the page's words."""
    if not form.is_valid():
        raise ValidationError({_field(name): list(errors) for name, errors in form.errors.items()})
    return form.cleaned_data


def _call(service):
    """Run a service; its ValidationError becomes a 400 naming the field (PermissionDenied is DRF's 403)."""
    try:
        return service()
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError({_field(k): v for k, v in exc.message_dict.items()}) from None
        raise ValidationError({"non_field_errors": exc.messages}) from None


def _merged(instance, data, fields: list[str]) -> dict:
    """PATCH: the stored values of `fields`, with what the request sends laid over them."""
    current = {}
    for name, value in model_to_dict(instance, fields=fields).items():
        if isinstance(value, FieldFile):
            continue  # files: the form keeps the stored one unless a new one is uploaded
        if isinstance(value, list):
            value = [getattr(v, "pk", v) for v in value]
        current[name] = getattr(value, "pk", value)
    for key in data.keys():
        value = data.getlist(key) if hasattr(data, "getlist") else data[key]
        if hasattr(data, "getlist") and len(value) == 1 and not isinstance(current.get(key), list):
            value = value[0]
        current[key] = value
    return current


def _pk(value) -> int:
    if not str(value).isdigit():
        raise exceptions.NotFound()
    return int(value)


# --------------------------------------------------------------------------- serializers
class ProgrammeModuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = Module
        fields = ["id", "programme", "order", "title", "objectives", "objective_list", "session_kinds", "covers_safety"]
        read_only_fields = ["programme"]


class ProgrammeSerializer(serializers.ModelSerializer):
    modules = ProgrammeModuleSerializer(many=True, read_only=True)
    host_centre_name = serializers.CharField(source="host_centre.name", read_only=True)

    class Meta:
        model = Programme
        fields = ["id", "title", "description", "host_centre", "host_centre_name", "director", "lead", "faculty", "starts_on",
                  "ends_on", "time_zone", "capacity", "delivery_mode", "enrolment_policy", "enrolment_open", "mentor_cap",
                  "virtual_share_max", "in_person_below_level", "stress_in_person", "devices_in_person",
                  "requires_in_person_assessment", "modules"]


class ProgrammeWriteSerializer(serializers.ModelSerializer):
    """What POST and PATCH take: the fields of the page's programme form."""

    class Meta:
        model = Programme
        fields = forms.ProgrammeForm.Meta.fields


class ProgrammeModuleWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    objectives = serializers.CharField(help_text="Learning objectives, one a line.")
    session_kinds = serializers.ListField(child=serializers.ChoiceField(choices=SessionKind.choices), required=False)
    covers_safety = serializers.BooleanField(required=False)


class ProgrammeEnrolmentSerializer(serializers.ModelSerializer):
    trainee_name = serializers.CharField(source="trainee.full_name", read_only=True)

    class Meta:
        model = Enrolment
        fields = ["id", "programme", "trainee", "trainee_name", "status", "competence_level", "created_at", "decided_at"]


class ProgrammeSessionSerializer(serializers.ModelSerializer):
    starts_at = serializers.DateTimeField(source="live_session.starts_at", read_only=True, allow_null=True)
    ends_at = serializers.DateTimeField(source="live_session.ends_at", read_only=True, allow_null=True)
    seated = serializers.SerializerMethodField()

    class Meta:
        model = ProgrammeSession
        fields = ["id", "programme", "kind", "title", "description", "module", "mentor", "co_mentors", "effective_cap",
                  "capacity", "seated", "starts_at",
                  "ends_at", "video_seconds", "cases", "covers_safety", "in_person_topic",
                  "case_link", "live_session"]

    def get_seated(self, session) -> int:
        return session.seated if hasattr(session, "seated") else session.seats.count()


class ProgrammeSessionWriteSerializer(serializers.Serializer):
    """What POST .../sessions/ takes: the fields of the page's session form (live kinds: day, start, end)."""

    kind = serializers.ChoiceField(choices=SessionKind.choices)
    title = serializers.CharField(max_length=200)
    module = serializers.IntegerField(required=False, allow_null=True)
    mentor = serializers.IntegerField(required=False, allow_null=True)
    co_mentors = serializers.ListField(child=serializers.IntegerField(), required=False,
                                       help_text="Further mentors of a small group (each adds the cap's places).")
    day = serializers.DateField(required=False)
    start = serializers.TimeField(required=False)
    end = serializers.TimeField(required=False)
    time_zone = serializers.CharField(required=False)
    cap = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=12)
    cases = serializers.ListField(child=serializers.IntegerField(), required=False,
                                  help_text="Interpretation sessions: the reading set (published case-library case ids).")
    covers_safety = serializers.BooleanField(required=False)
    in_person_topic = serializers.ChoiceField(choices=InPersonTopic.choices, required=False)
    case_link = serializers.CharField(required=False, allow_blank=True)
    video = serializers.FileField(required=False)
    video_seconds = serializers.IntegerField(required=False, min_value=1)
    materials = serializers.FileField(required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class ProgrammeSessionUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    module = serializers.IntegerField(required=False, allow_null=True)
    mentor = serializers.IntegerField(required=False, allow_null=True)
    co_mentors = serializers.ListField(child=serializers.IntegerField(), required=False)
    cap = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=12)
    cases = serializers.ListField(child=serializers.IntegerField(), required=False,
                                  help_text="Interpretation sessions: the reading set (published case-library case ids).")
    covers_safety = serializers.BooleanField(required=False)
    in_person_topic = serializers.ChoiceField(choices=InPersonTopic.choices, required=False)
    case_link = serializers.CharField(required=False, allow_blank=True)
    video_seconds = serializers.IntegerField(required=False, min_value=1)


class SurveyQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    order = serializers.IntegerField()
    text = serializers.CharField()
    kind = serializers.CharField()


class SurveySerializer(serializers.ModelSerializer):
    questions = SurveyQuestionSerializer(many=True, read_only=True)
    answered = serializers.SerializerMethodField()

    class Meta:
        model = Survey
        fields = ["id", "programme", "title", "phase", "audience", "opens_on", "closes_on", "min_group_size", "questions",
                  "answered"]

    def get_answered(self, survey) -> int:
        return survey.submissions.count()


class SurveyWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    phase = serializers.ChoiceField(choices=Survey.Phase.choices)
    audience = serializers.ChoiceField(choices=Survey.Audience.choices)
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    min_group_size = serializers.IntegerField(min_value=3, max_value=50)
    questions = serializers.CharField(help_text='One question a line, starting "likert:" or "text:" (or a list of lines).')


class ProgrammeInviteSerializer(serializers.Serializer):
    trainee = serializers.IntegerField()


class ProgrammeApplySerializer(serializers.Serializer):
    statement = serializers.CharField(required=False, allow_blank=True)


class CompetenceLevelSerializer(serializers.Serializer):
    competence_level = serializers.IntegerField(min_value=0, max_value=3)


class ProgrammeAssessmentSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    in_person = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True)


class ProgrammeDeterminationSerializer(serializers.Serializer):
    competent = serializers.ChoiceField(choices=["yes", "no"])
    decided_on = serializers.DateField()
    note = serializers.CharField(required=False, allow_blank=True)


class CompletionCertificateSerializer(serializers.ModelSerializer):
    verify_url = serializers.SerializerMethodField()

    class Meta:
        model = CompletionCertificate
        fields = ["id", "code", "issued_at", "verify_url"]

    def get_verify_url(self, certificate) -> str:
        return f"/certification/verify/{certificate.code}/"   # the register's public verification (as certificates)


def _survey_data(data) -> dict:
    """The survey form takes its questions as lines; the API also accepts a list of lines."""
    if hasattr(data, "getlist"):
        merged = {k: data.get(k) for k in data.keys()}
        lines = data.getlist("questions")
        if len(lines) > 1:
            merged["questions"] = "\n".join(map(str, lines))
        return merged
    data = dict(data)
    if isinstance(data.get("questions"), list):
        data["questions"] = "\n".join(map(str, data["questions"]))
    return data


# --------------------------------------------------------------------------- programmes
class ProgrammeViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = ProgrammeSerializer

    def get_queryset(self):
        return selectors.programmes_for_user(self.request.user).prefetch_related("modules", "faculty")

    def get_object(self):
        return selectors.get_programme_for_user(self.request.user, _pk(self.kwargs["pk"]))

    def _manage(self, programme):
        if not selectors.can_manage(self.request.user, programme):
            raise PermissionDenied("Only the programme's director changes it.")
        return programme

    @extend_schema(request=ProgrammeWriteSerializer, responses={201: ProgrammeSerializer})
    def create(self, request):
        if not selectors.can_create(request.user):
            raise PermissionDenied("Only programme directors and network administrators create programmes.")
        form = forms.ProgrammeForm(_payload(request), request.FILES or None)
        data = _valid(form)
        programme = _call(lambda: services.create_programme(by=request.user, faculty=list(data["faculty"]), **form.values()))
        return Response(ProgrammeSerializer(programme).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProgrammeWriteSerializer, responses=ProgrammeSerializer)
    def partial_update(self, request, pk=None):
        programme = self._manage(self.get_object())
        data = _merged(programme, _payload(request), forms.ProgrammeForm.Meta.fields)
        form = forms.ProgrammeForm(data, request.FILES or None, instance=programme)
        cleaned = _valid(form)
        programme.refresh_from_db()
        programme = _call(lambda: services.update_programme(by=request.user, programme=programme,
                                                           faculty=list(cleaned["faculty"]), **form.values()))
        return Response(ProgrammeSerializer(programme).data)

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
        return Response(ProgrammeEnrolmentSerializer(selectors.enrolments_for_user(request.user, programme), many=True).data)

    @extend_schema(request=ProgrammeApplySerializer, responses={201: ProgrammeEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        programme = self.get_object()
        data = _valid(forms.ApplyForm(_payload(request)))
        enrolment = _call(lambda: services.apply(by=request.user, programme=programme, statement=data["statement"],
                                                 now=timezone.now()))
        return Response(ProgrammeEnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProgrammeInviteSerializer, responses={201: ProgrammeEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        programme = self._manage(self.get_object())
        data = _valid(forms.InviteForm(_payload(request)))
        enrolment = _call(lambda: services.invite_trainee(by=request.user, programme=programme, trainee=data["trainee"],
                                                          now=timezone.now()))
        return Response(ProgrammeEnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ProgrammeSerializer)
    @action(detail=True, methods=["post"], url_path="open-enrolment")
    def open_enrolment(self, request, pk=None):
        programme = self._manage(self.get_object())
        programme = _call(lambda: services.open_enrolment(by=request.user, programme=programme, today=timezone.localdate()))
        return Response(ProgrammeSerializer(programme).data)

    @extend_schema(request=None, responses=ProgrammeSerializer)
    @action(detail=True, methods=["post"], url_path="close-enrolment")
    def close_enrolment(self, request, pk=None):
        programme = self._manage(self.get_object())
        programme = _call(lambda: services.close_enrolment(by=request.user, programme=programme))
        return Response(ProgrammeSerializer(programme).data)

    @extend_schema(methods=["GET"], responses=ProgrammeModuleSerializer(many=True))
    @extend_schema(methods=["POST"], request=ProgrammeModuleWriteSerializer, responses={201: ProgrammeModuleSerializer})
    @action(detail=True, methods=["get", "post"])
    def modules(self, request, pk=None):
        programme = self.get_object()
        if request.method == "POST":
            self._manage(programme)
            data = _valid(forms.ModuleForm(_payload(request)))
            module = _call(lambda: services.add_module(by=request.user, programme=programme, **data))
            return Response(ProgrammeModuleSerializer(module).data, status=status.HTTP_201_CREATED)
        return Response(ProgrammeModuleSerializer(programme.modules.all(), many=True).data)

    @extend_schema(methods=["GET"], responses=ProgrammeSessionSerializer(many=True))
    @extend_schema(methods=["POST"], request=ProgrammeSessionWriteSerializer, responses={201: ProgrammeSessionSerializer})
    @action(detail=True, methods=["get", "post"])
    def sessions(self, request, pk=None):
        programme = self.get_object()
        if request.method == "POST":
            self._manage(programme)
            form = forms.SessionForm(_payload(request), request.FILES or None, programme=programme)
            _valid(form)
            session = _call(lambda: services.add_session(by=request.user, programme=programme, **form.session_values()))
            return Response(ProgrammeSessionSerializer(session).data, status=status.HTTP_201_CREATED)
        return Response(ProgrammeSessionSerializer(selectors.sessions_for_user(request.user, programme), many=True).data)

    @extend_schema(methods=["GET"], responses=SurveySerializer(many=True))
    @extend_schema(methods=["POST"], request=SurveyWriteSerializer, responses={201: SurveySerializer})
    @action(detail=True, methods=["get", "post"])
    def surveys(self, request, pk=None):
        programme = self.get_object()
        if request.method == "POST":
            self._manage(programme)
            data = _valid(forms.SurveyForm(_survey_data(_payload(request))))
            survey = _call(lambda: services.create_survey(by=request.user, programme=programme, **data))
            return Response(SurveySerializer(survey).data, status=status.HTTP_201_CREATED)
        return Response(SurveySerializer(selectors.surveys_for_user(request.user, programme), many=True).data)

    @action(detail=True)
    def attendance(self, request, pk=None):
        programme = self.get_object()
        records = selectors.attendance_record(request.user, programme, now=timezone.now())
        if selectors.enrolment_of(request.user, programme) is None:
            raise PermissionDenied("Only enrolled trainees have an attendance record here.")
        return Response([{"session": r.session.pk, "title": r.session.title, "kind": r.session.kind, "expected": r.expected,
                          "attended": r.attended, "detail": r.detail} for r in records])


# --------------------------------------------------------------------------- modules
class ModuleViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProgrammeModuleSerializer
    queryset = Module.objects.none()

    def get_object(self):
        module = Module.objects.select_related("programme").filter(pk=_pk(self.kwargs["pk"])).first()
        if module is None:
            raise exceptions.NotFound()
        selectors.get_programme_for_user(self.request.user, module.programme_id)
        return module

    @extend_schema(request=ProgrammeModuleWriteSerializer, responses=ProgrammeModuleSerializer)
    def partial_update(self, request, pk=None):
        module = self.get_object()
        if not selectors.can_manage(request.user, module.programme):
            raise PermissionDenied("Only the programme's director changes its modules.")
        data = _merged(module, _payload(request), ["title", "objectives", "session_kinds", "covers_safety"])
        cleaned = _valid(forms.ModuleForm(data, instance=module))
        module.refresh_from_db()
        module = _call(lambda: services.update_module(by=request.user, module=module, **cleaned))
        return Response(ProgrammeModuleSerializer(module).data)


# --------------------------------------------------------------------------- sessions
class SessionViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProgrammeSessionSerializer
    queryset = ProgrammeSession.objects.none()

    def get_object(self):
        return selectors.get_session_for_user(self.request.user, _pk(self.kwargs["pk"]))

    @extend_schema(request=ProgrammeSessionUpdateSerializer, responses=ProgrammeSessionSerializer)
    def partial_update(self, request, pk=None):
        session = self.get_object()
        if not selectors.can_manage(request.user, session.programme):
            raise PermissionDenied("Only the programme's director changes its sessions.")
        form = forms.SessionUpdateForm(_merged(session, _payload(request), forms.SessionUpdateForm.Meta.fields),
                                       instance=session, programme=session.programme)
        cleaned = _valid(form)
        session = _call(lambda: services.update_session(by=request.user, session=session, **cleaned))
        return Response(ProgrammeSessionSerializer(session).data)

    @extend_schema(request=None, responses=ProgrammeSessionSerializer)
    @action(detail=True, methods=["post", "delete"])
    def seat(self, request, pk=None):
        session = self.get_object()
        if request.method == "DELETE":
            services.leave_seat(by=request.user, session=session, now=timezone.now())
        else:
            _call(lambda: services.take_seat(by=request.user, session=session, now=timezone.now()))
        return Response(ProgrammeSessionSerializer(session).data)


# --------------------------------------------------------------------------- enrolments
class EnrolmentViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ProgrammeEnrolmentSerializer
    queryset = Enrolment.objects.none()

    def get_object(self):
        return selectors.get_enrolment_for_user(self.request.user, _pk(self.kwargs["pk"]))

    def _status(self, request, service):
        enrolment = self.get_object()
        enrolment = _call(lambda: service(by=request.user, enrolment=enrolment, now=timezone.now()))
        return Response(ProgrammeEnrolmentSerializer(enrolment).data)

    @extend_schema(request=None, responses=ProgrammeEnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._status(request, services.accept)

    @extend_schema(request=None, responses=ProgrammeEnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._status(request, services.decline)

    @extend_schema(request=None, responses=ProgrammeEnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        return self._status(request, services.withdraw)

    @extend_schema(request=CompetenceLevelSerializer, responses=ProgrammeEnrolmentSerializer)
    @action(detail=True, methods=["post"])
    def level(self, request, pk=None):
        enrolment = self.get_object()
        data = _valid(forms.LevelForm(_payload(request)))
        enrolment = _call(lambda: services.set_competence_level(by=request.user, enrolment=enrolment,
                                                                level=data["competence_level"]))
        return Response({**ProgrammeEnrolmentSerializer(enrolment).data, "released_places": enrolment.released_places})

    @extend_schema(request=ProgrammeAssessmentSerializer, responses={201: ProgrammeAssessmentSerializer})
    @action(detail=True, methods=["post"])
    def assessment(self, request, pk=None):
        enrolment = self.get_object()
        data = _valid(forms.AssessmentForm(_payload(request)))
        assessment = _call(lambda: services.record_assessment(by=request.user, enrolment=enrolment, **data))
        return Response({"id": assessment.pk, "assessed_on": assessment.assessed_on, "in_person": assessment.in_person,
                         "note": assessment.note}, status=status.HTTP_201_CREATED)

    @extend_schema(request=ProgrammeDeterminationSerializer, responses={201: ProgrammeEnrolmentSerializer})
    @action(detail=True, methods=["post"])
    def determination(self, request, pk=None):
        enrolment = self.get_object()
        data = _valid(forms.DeterminationForm(_payload(request)))
        _call(lambda: services.record_determination(by=request.user, enrolment=enrolment, **data))
        enrolment.refresh_from_db()
        return Response(ProgrammeEnrolmentSerializer(enrolment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: CompletionCertificateSerializer})
    @action(detail=True, methods=["post"])
    def certificate(self, request, pk=None):
        enrolment = self.get_object()
        certificate = _call(lambda: services.issue_certificate(by=request.user, enrolment=enrolment, now=timezone.now()))
        return Response(CompletionCertificateSerializer(certificate).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------- surveys
class SurveyViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SurveySerializer
    queryset = Survey.objects.none()

    def get_object(self):
        return selectors.get_survey_for_user(self.request.user, _pk(self.kwargs["pk"]))

    @extend_schema(request=SurveyWriteSerializer, responses=SurveySerializer)
    def partial_update(self, request, pk=None):
        survey = self.get_object()
        if not selectors.can_manage(request.user, survey.programme):
            raise PermissionDenied("Only the programme's director changes its surveys.")
        current = {**model_to_dict(survey, fields=services.SURVEY_FIELDS),
                   "questions": "\n".join(f"{q.kind}: {q.text}" for q in survey.questions.all())}
        sent = _survey_data(_payload(request))
        data = _valid(forms.SurveyForm({**current, **sent}))
        parsed = data.pop("questions")
        questions = parsed if "questions" in sent else None
        survey = _call(lambda: services.update_survey(by=request.user, survey=survey, questions=questions, **data))
        return Response(SurveySerializer(survey).data)

    @extend_schema(request=OpenApiTypes.OBJECT, responses={201: OpenApiTypes.OBJECT},
                   description='{"q<question id>": answer}: Likert 1-5 or free text.')
    @action(detail=True, methods=["post"])
    def answers(self, request, pk=None):
        survey = self.get_object()
        today = timezone.localdate()
        refusal = selectors.survey_refusal(request.user, survey, today=today)
        if refusal:
            raise PermissionDenied(refusal)
        form = forms.AnswerForm(_payload(request), survey=survey)
        _valid(form)
        _call(lambda: services.submit_survey(by=request.user, survey=survey, answers=form.answers(), today=today))
        return Response({"recorded": True}, status=status.HTTP_201_CREATED)


router = DefaultRouter()
router.register("programmes", ProgrammeViewSet, basename="api-programme")
router.register("programme-modules", ModuleViewSet, basename="api-programme-module")
router.register("programme-sessions", SessionViewSet, basename="api-programme-session")
router.register("programme-enrolments", EnrolmentViewSet, basename="api-programme-enrolment")
router.register("programme-surveys", SurveyViewSet, basename="api-programme-survey")
urlpatterns = [path("", include(router.urls))]
