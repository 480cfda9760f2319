"""People API (/api/v1/people/): the same visibility as the pages."""

from django.urls import include, path
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from cmrnet.people import selectors
from cmrnet.people.models import Certification, User


class CertificationSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Certification
        fields = ["id", "body", "level", "awarded_on", "valid_until", "status"]

    def get_status(self, cert) -> str:
        return cert.status_on(self.context["today"])


class PersonSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()
    certifications = CertificationSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "centre", "specialty", "roles", "registration_country",
                  "registration_valid_until", "acls_valid_until", "certifications"]

    def get_roles(self, person) -> list[str]:
        return sorted(person.role_set)


class PersonViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = PersonSerializer

    def get_queryset(self):
        return selectors.people_for_user(self.request.user).prefetch_related("certifications", "role_grants")

    def get_serializer_context(self):
        from django.utils import timezone

        return {**super().get_serializer_context(), "today": timezone.localdate()}

    @action(detail=False)
    def me(self, request):
        return Response(self.get_serializer(request.user).data)


router = DefaultRouter()
router.register("people", PersonViewSet, basename="api-person")
urlpatterns = [path("", include(router.urls))]
