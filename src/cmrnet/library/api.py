"""Library API (/api/v1/library/): the same visibility as the pages (``cmrnet.library.selectors``).

  /api/v1/library/cases/                    cases the person may open (filters: text, category, difficulty, collection);
                                            POST creates a draft case (mentors, directors, administrators)
  /api/v1/library/cases/<id>/               one case with its studies and series (PATCH: contributor, curators)
  /api/v1/library/cases/<id>/upload/        POST multipart "files" (DICOM files or zips): de-identified ingest
  /api/v1/library/cases/<id>/uploads/       POST: a resumable upload of one large file; /api/v1/library/uploads/<token>
                                            HEAD/PATCH/DELETE (tus-like, cmrnet.library.resumable)
  /api/v1/library/cases/<id>/publish/       POST
  /api/v1/library/cases/<id>/withdraw/      POST {reason}
  /api/v1/library/cases/<id>/reference/     GET/PUT the structured reference report (contributor, curators, mentors:
                                            never a trainee, who reads blinded)
  /api/v1/library/studies/                  studies of visible cases, with series and their metadata/frame URLs
  /api/v1/library/quarantine/               images awaiting review (curators); POST .../<id>/release|reject {reason}
  /api/v1/library/collections/              collections; POST (contributors, curators); PUT/PATCH/DELETE and
                                            POST .../add-cases/ | remove-cases/ {cases} (its curator, administrators)
  /api/v1/library/dicomweb/studies...       DICOMweb by UID (QIDO-RS, WADO-RS metadata and frames): cmrnet.library.wado
Frames and series metadata: /library/series/<id>/metadata.json and /library/instances/<id>/frames/<n>
(docs/case-library.md, "Frame endpoint contract").
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path, re_path, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cmrnet.core.routers import DefaultRouter
from cmrnet.library import ingest as ingest_svc
from cmrnet.library import selectors, services, wado
from cmrnet.library.models import Case, Collection, Ingest, Instance, ReferenceReport, Series, Study


def _django_errors(exc: DjangoValidationError) -> ValidationError:
    return ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class SeriesSerializer(serializers.ModelSerializer):
    metadata_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = Series
        fields = ["id", "series_uid", "series_number", "modality", "description", "kind", "frame_time_ms", "heart_rate_bpm",
                  "number_of_phases", "number_of_slices", "number_of_images", "rows", "columns", "pixel_spacing_mm",
                  "slice_thickness_mm", "spacing_between_slices_mm", "metadata_url", "thumbnail_url"]

    def get_metadata_url(self, obj) -> str:
        return reverse("library-series-metadata", args=[obj.pk])

    def get_thumbnail_url(self, obj) -> str | None:
        user = self.context["request"].user
        middle = selectors.instances_for_user(user).filter(series=obj).order_by("slice_location", "trigger_time_ms", "pk")
        count = middle.count()
        if not count:
            return None
        first = middle[count // 2]
        return reverse("library-rendered", args=[first.pk, 1]) + "?size=128"


class StudySerializer(serializers.ModelSerializer):
    series = SeriesSerializer(many=True, read_only=True)
    bsa_m2 = serializers.FloatField(read_only=True, allow_null=True)

    class Meta:
        model = Study
        fields = ["id", "case", "study_uid", "study_date", "description", "patient_sex", "patient_age", "patient_height_m",
                  "patient_weight_kg", "bsa_m2", "series"]


class CaseSerializer(serializers.ModelSerializer):
    contributor_name = serializers.CharField(source="contributor.full_name", read_only=True)
    centre_name = serializers.CharField(source="centre.name", read_only=True, default="")
    studies = StudySerializer(many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "pseudonym", "title", "category", "normal", "difficulty", "teaching_points", "contributor",
                  "contributor_name", "centre", "centre_name", "status", "withdrawn_at", "withdrawal_reason", "phantom",
                  "created_at", "updated_at", "studies"]
        read_only_fields = ["pseudonym", "contributor", "centre", "status", "withdrawn_at", "withdrawal_reason", "phantom",
                            "created_at", "updated_at"]


class CaseListSerializer(CaseSerializer):
    class Meta(CaseSerializer.Meta):
        fields = [f for f in CaseSerializer.Meta.fields if f != "studies"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class UploadSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), allow_empty=False)


class OutcomeSerializer(serializers.Serializer):
    name = serializers.CharField()
    status = serializers.CharField()
    reason = serializers.CharField(allow_blank=True)


class IngestResultSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    files = OutcomeSerializer(many=True)


class ReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferenceReport
        fields = ["lv_edv_ml", "lv_esv_ml", "lv_ef_pct", "lv_sv_ml", "rv_edv_ml", "rv_esv_ml", "rv_ef_pct", "rv_sv_ml",
                  "lv_mass_g", "bsa_m2", "lv_mass_index_g_m2", "wall_motion", "lge", "perfusion_defects", "valve_findings",
                  "final_diagnosis", "updated_at"]
        read_only_fields = ["updated_at"]


@extend_schema(parameters=[OpenApiParameter("text", str), OpenApiParameter("category", str),
                           OpenApiParameter("difficulty", str), OpenApiParameter("collection", int)])
class CaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                  viewsets.GenericViewSet):
    def get_serializer_class(self):
        return CaseListSerializer if self.action == "list" else CaseSerializer

    def get_queryset(self):
        if self.action == "list":
            q = self.request.query_params
            collection = q.get("collection", "")
            return selectors.library_cases(self.request.user, text=q.get("text", ""), category=q.get("category", ""),
                                           difficulty=q.get("difficulty", ""),
                                           collection=int(collection) if collection.isdigit() else None)
        return selectors.cases_for_user(self.request.user).prefetch_related("studies__series")

    def perform_create(self, serializer):
        if not selectors.can_contribute(self.request.user):
            raise PermissionDenied("Mentors, programme directors and administrators contribute cases.")
        data = {k: v for k, v in serializer.validated_data.items() if k in services.CASE_FIELDS}
        try:
            serializer.instance = services.create_case(by=self.request.user, **data)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None

    def perform_update(self, serializer):
        if not selectors.can_edit_case(self.request.user, serializer.instance):
            raise PermissionDenied("Only the contributor and the case's curators edit it.")
        data = {k: v for k, v in serializer.validated_data.items() if k in services.CASE_FIELDS}
        try:
            serializer.instance = services.update_case(by=self.request.user, case=serializer.instance, **data)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None

    @extend_schema(request=UploadSerializer, responses=IngestResultSerializer)
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def upload(self, request, pk=None):
        case = self.get_object()
        if not selectors.can_edit_case(request.user, case):
            raise PermissionDenied("Only the contributor and the case's curators upload images to it.")
        uploads = request.FILES.getlist("files")
        try:
            if not uploads:
                raise ValidationError({"files": "Send one or more DICOM files or zips as multipart field 'files'."})
            from cmrnet.library.views import _uploaded_files

            result = ingest_svc.ingest(by=request.user, case=case, files=_uploaded_files(uploads), source=Ingest.Source.UPLOAD)
        except ingest_svc.IngestError as exc:
            raise ValidationError({"files": str(exc)}) from None
        finally:
            for upload_file in uploads:
                upload_file.close()
        body = {"counts": result.counts, "files": [{"name": o.name, "status": o.status, "reason": o.reason} for o in result.outcomes]}
        return Response(IngestResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        case = self.get_object()
        if not selectors.can_edit_case(request.user, case):
            raise PermissionDenied("Only the contributor and the case's curators publish it.")
        try:
            case = services.publish_case(by=request.user, case=case)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        return Response(CaseSerializer(case, context={"request": request}).data)

    @extend_schema(request=ReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        case = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not selectors.can_edit_case(request.user, case):
            raise PermissionDenied("Only the contributor and the case's curators withdraw it.")
        case = services.withdraw_case(by=request.user, case=case, reason=data.validated_data["reason"])
        return Response(CaseSerializer(case, context={"request": request}).data)

    @extend_schema(methods=["get"], responses=ReferenceSerializer)
    @extend_schema(methods=["put"], request=ReferenceSerializer, responses=ReferenceSerializer)
    @action(detail=True, methods=["get", "put"], parser_classes=[JSONParser])
    def reference(self, request, pk=None):
        case = self.get_object()
        if not selectors.can_read_reference(request.user, case):
            raise PermissionDenied("The reference report is shown after an interpretation is submitted, not before.")
        if request.method == "GET":
            report = ReferenceReport.objects.filter(case=case).first() or ReferenceReport(case=case)
            return Response(ReferenceSerializer(report).data)
        data = ReferenceSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        try:
            report = services.save_reference_report(by=request.user, case=case, **data.validated_data)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        return Response(ReferenceSerializer(report).data)


class StudyViewSet(viewsets.ReadOnlyModelViewSet):
    """Studies of the cases the person may open, with their series (metadata and thumbnail URLs)."""

    serializer_class = StudySerializer

    def get_queryset(self):
        return selectors.studies_for_user(self.request.user).prefetch_related("series")


class QuarantineSerializer(serializers.ModelSerializer):
    case = serializers.IntegerField(source="series.study.case_id", read_only=True)
    case_pseudonym = serializers.CharField(source="series.study.case.pseudonym", read_only=True)
    series_description = serializers.CharField(source="series.description", read_only=True)
    image_url = serializers.SerializerMethodField()

    class Meta:
        model = Instance
        fields = ["id", "case", "case_pseudonym", "series", "series_description", "quarantine_status", "quarantine_reason",
                  "reviewed_by", "reviewed_at", "review_reason", "image_url"]

    def get_image_url(self, obj) -> str:
        return reverse("library-quarantine-image", args=[obj.pk])


class QuarantineViewSet(viewsets.ReadOnlyModelViewSet):
    """Images in quarantine the person curates (?status=pending|released|rejected)."""

    serializer_class = QuarantineSerializer

    def get_queryset(self):
        wanted = self.request.query_params.get("status", "pending")
        if self.action != "list":
            return selectors.reviewable_for_user(self.request.user)
        return selectors.quarantine_for_user(self.request.user, status=wanted if wanted in ("pending", "released", "rejected") else "pending")

    def _decide(self, request, release: bool):
        instance = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            decide = services.release_instance if release else services.reject_instance
            instance = decide(by=request.user, instance=instance, reason=data.validated_data["reason"])
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        return Response(QuarantineSerializer(instance).data)

    @extend_schema(request=ReasonSerializer, responses=QuarantineSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        return self._decide(request, release=True)

    @extend_schema(request=ReasonSerializer, responses=QuarantineSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, release=False)


class CollectionSerializer(serializers.ModelSerializer):
    cases = serializers.SerializerMethodField()
    curator_name = serializers.CharField(source="curator.full_name", read_only=True, default="")
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = Collection
        fields = ["id", "title", "description", "cases", "curator", "curator_name", "created_at", "can_edit"]
        read_only_fields = ["curator", "created_at"]

    def get_cases(self, obj) -> list[int]:
        visible = selectors.cases_for_user(self.context["request"].user)
        return list(obj.cases.filter(pk__in=visible.values("pk")).order_by("pk").values_list("pk", flat=True))

    def get_can_edit(self, obj) -> bool:
        return selectors.can_edit_collection(self.context["request"].user, obj)


class _VisibleCases(serializers.PrimaryKeyRelatedField):
    """Case ids the person may open (others are 'does not exist', as everywhere in the library). The
    queryset given is only for the schema; the one used is the person's."""

    def get_queryset(self):
        return selectors.cases_for_user(self.context["request"].user)


class CollectionWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, required=False, default="")
    cases = _VisibleCases(many=True, required=False, queryset=Case.objects.all())


class CollectionCasesSerializer(serializers.Serializer):
    cases = _VisibleCases(many=True, allow_empty=False, queryset=Case.objects.all())


class CollectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Collections: every member reads them; contributors and curators create one; its curator and network
    administrators change it (PUT/PATCH: title, description, and with "cases" the whole set), add or remove
    cases (POST add-cases/ or remove-cases/ {"cases": [ids]}) and delete it. Only published cases go in.
    Every write is audited (library.collection.*)."""

    serializer_class = CollectionSerializer

    def get_queryset(self):
        return selectors.collections_for_user(self.request.user).select_related("curator")

    def _write(self, fn, **kwargs):
        try:
            return fn(by=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise _django_errors(exc) from None
        except DjangoPermissionDenied as exc:
            raise PermissionDenied(str(exc)) from None

    def _out(self, collection, status_code=status.HTTP_200_OK):
        collection = self.get_queryset().get(pk=collection.pk)
        return Response(CollectionSerializer(collection, context={"request": self.request}).data, status=status_code)

    @extend_schema(request=CollectionWriteSerializer, responses={201: CollectionSerializer})
    def create(self, request):
        data = CollectionWriteSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        made = self._write(services.create_collection, **data.validated_data)
        return self._out(made, status.HTTP_201_CREATED)

    def _update(self, request, partial: bool):
        collection = self.get_object()
        if not selectors.can_edit_collection(request.user, collection):
            raise PermissionDenied("Only the collection's curator and network administrators change it.")
        data = CollectionWriteSerializer(data=request.data, partial=partial, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if partial:
            fields = {k: v for k, v in fields.items() if k in request.data}
        return self._out(self._write(services.update_collection, collection=collection, **fields))

    @extend_schema(request=CollectionWriteSerializer, responses=CollectionSerializer)
    def update(self, request, pk=None):
        return self._update(request, partial=False)

    @extend_schema(request=CollectionWriteSerializer, responses=CollectionSerializer)
    def partial_update(self, request, pk=None):
        return self._update(request, partial=True)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request, pk=None):
        collection = self.get_object()
        self._write(services.delete_collection, collection=collection)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _cases(self, request, fn):
        collection = self.get_object()
        if not selectors.can_edit_collection(request.user, collection):
            raise PermissionDenied("Only the collection's curator and network administrators change it.")
        data = CollectionCasesSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        return self._out(self._write(fn, collection=collection, cases=data.validated_data["cases"]))

    @extend_schema(request=CollectionCasesSerializer, responses=CollectionSerializer)
    @action(detail=True, methods=["post"], url_path="add-cases")
    def add_cases(self, request, pk=None):
        return self._cases(request, services.add_to_collection)

    @extend_schema(request=CollectionCasesSerializer, responses=CollectionSerializer)
    @action(detail=True, methods=["post"], url_path="remove-cases")
    def remove_cases(self, request, pk=None):
        return self._cases(request, services.remove_from_collection)


class _RawView(APIView):
    # The answer is written by cmrnet.library.views (tus headers, JSON), not by DRF's renderers.
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


class UploadStartView(_RawView):
    """Resumable upload within a file (docs/case-library.md): POST with Upload-Length and Upload-Metadata
    (filename, sha256, base64) -> 201 and the upload's Location. Contributor and curators of the case."""

    @extend_schema(operation_id="library_upload_start", tags=["library"], request=None,
                   parameters=[OpenApiParameter("Upload-Length", int, OpenApiParameter.HEADER, required=True),
                               OpenApiParameter("Upload-Metadata", str, OpenApiParameter.HEADER)],
                   responses={201: None, 400: None, 403: None, 413: None})
    def post(self, request, pk: int):
        from cmrnet.library.views import start_upload

        return start_upload(request._request, request.user, pk)


class UploadResourceView(_RawView):
    """HEAD: the offset the server holds; PATCH (application/offset+octet-stream, Upload-Offset[, Upload-Checksum]):
    one chunk, the last one ingests the file (200 with the result); DELETE: cancel. Only its starter."""

    def _go(self, request, token):
        from cmrnet.library.views import upload_request

        return upload_request(request._request, request.user, token)

    @extend_schema(operation_id="library_upload_offset", tags=["library"], responses={200: None, 404: None})
    def get(self, request, token: str):
        return self._go(request, token)

    def head(self, request, token: str):
        return self._go(request, token)

    # The body is the chunk's raw bytes with Content-Type application/offset+octet-stream (tus); described here
    # rather than declared, as OpenAPI tooling (schemathesis) has no serializer for that media type.
    @extend_schema(operation_id="library_upload_chunk", tags=["library"], request=None,
                   description="Body: the chunk's bytes, Content-Type: application/offset+octet-stream (tus 1.0). "
                               "204 with the new Upload-Offset; 200 with the ingest result on the last chunk.",
                   parameters=[OpenApiParameter("Upload-Offset", int, OpenApiParameter.HEADER, required=True),
                               OpenApiParameter("Upload-Checksum", str, OpenApiParameter.HEADER)],
                   responses={200: IngestResultSerializer, 204: None, 409: None, 415: None, 460: None})
    def patch(self, request, token: str):
        return self._go(request, token)

    @extend_schema(operation_id="library_upload_cancel", tags=["library"], responses={204: None})
    def delete(self, request, token: str):
        return self._go(request, token)


router = DefaultRouter()
router.register("library/cases", CaseViewSet, basename="api-library-case")
router.register("library/studies", StudyViewSet, basename="api-library-study")
router.register("library/quarantine", QuarantineViewSet, basename="api-library-quarantine")
router.register("library/collections", CollectionViewSet, basename="api-library-collection")
_UID = r"[0-9][0-9.]{0,63}"
_DICOMWEB = r"^library/dicomweb/studies"
urlpatterns = [
    path("", include(router.urls)),
    path("library/cases/<int:pk>/uploads/", UploadStartView.as_view(), name="api-library-upload-start"),
    re_path(r"^library/uploads/(?P<token>[A-Za-z0-9_-]{32,64})$", UploadResourceView.as_view(),
            name="api-library-upload-resource"),
    # DICOMweb (PS3.18) by UID, behind the same selectors: cmrnet.library.wado, docs/case-library.md.
    re_path(rf"{_DICOMWEB}$", wado.StudySearch.as_view(), name="api-library-dicomweb-studies"),
    re_path(rf"{_DICOMWEB}/(?P<study>{_UID})/metadata$", wado.StudyMetadata.as_view(),
            name="api-library-dicomweb-study-metadata"),
    re_path(rf"{_DICOMWEB}/(?P<study>{_UID})/series$", wado.SeriesSearch.as_view(), name="api-library-dicomweb-series"),
    re_path(rf"{_DICOMWEB}/(?P<study>{_UID})/series/(?P<series>{_UID})/metadata$", wado.SeriesMetadata.as_view(),
            name="api-library-dicomweb-series-metadata"),
    re_path(rf"{_DICOMWEB}/(?P<study>{_UID})/series/(?P<series>{_UID})/instances$", wado.InstanceSearch.as_view(),
            name="api-library-dicomweb-instances"),
    re_path(rf"{_DICOMWEB}/(?P<study>{_UID})/series/(?P<series>{_UID})/instances/(?P<sop>{_UID})/metadata$",
            wado.InstanceMetadata.as_view(), name="api-library-dicomweb-instance-metadata"),
    re_path(rf"{_DICOMWEB}/(?P<study>{_UID})/series/(?P<series>{_UID})/instances/(?P<sop>{_UID})/frames/"
            r"(?P<frames>[0-9][0-9,]{0,3999})$", wado.Frames.as_view(), name="api-library-dicomweb-frames"),
]
