"""Certification API (/api/v1/): the same visibility as the pages.

  /api/v1/certification/applications/            the candidate's own applications
  /api/v1/certification/assigned/                the applications assigned to the grader
  /api/v1/certification/verify/<code>/           public certificate verification (what the register publishes);
                                                 also other apps' documents with verification codes (programme
                                                 completion certificates), with their `kind` and `facts`
"""

from django.http import Http404
from django.urls import include, path
from django.utils import timezone
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from cmrnet.core.routers import DefaultRouter

from cmrnet.certification import selectors
from cmrnet.certification.disclaimer import disclaimer
from cmrnet.certification.models import Application
from cmrnet.people.models import CertificationStatus


class ApplicationSerializer(serializers.ModelSerializer):
    candidate = serializers.CharField(source="candidate.full_name")

    class Meta:
        model = Application
        fields = ["id", "kind", "candidate", "body", "level", "route", "ruleset", "state", "first_submitted_on",
                  "decided_on", "fee_category"]


class MyApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return Application.objects.filter(candidate=self.request.user).select_related("candidate")


class AssignedApplicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ApplicationSerializer

    def get_queryset(self):
        return selectors.assigned_applications(self.request.user)


@api_view(["GET"])
@permission_classes([AllowAny])
def verify(request, code: str):
    try:
        certificate = selectors.certificate_by_code(code)
    except Http404:
        document = selectors.other_document_by_code(code)
        if document is None:
            raise
        return Response({"kind": document.kind, "title": document.title, "name": document.name,
                         "status": document.status, "status_label": document.status_label,
                         "facts": dict(document.facts), "disclaimer": document.disclaimer})
    c, today = certificate.certification, timezone.localdate()
    return Response({"name": c.holder.full_name, "country": selectors.country_of(c.holder), "body": c.body,
                     "level": c.level, "valid_until": c.valid_until, "status": c.status_on(today),
                     "status_label": CertificationStatus(c.status_on(today)).label, "disclaimer": disclaimer(c.body)})


router = DefaultRouter()
router.register("certification/applications", MyApplicationViewSet, basename="api-certification-application")
router.register("certification/assigned", AssignedApplicationViewSet, basename="api-certification-assigned")
urlpatterns = [
    path("certification/verify/<str:code>/", verify, name="api-certification-verify"),
    path("", include(router.urls)),
]
