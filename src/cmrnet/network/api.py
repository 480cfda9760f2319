"""Centres API (/api/v1/centres/): every member reads; network administrators write (audited)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from rest_framework import permissions, serializers, viewsets
from cmrnet.core.routers import DefaultRouter

from cmrnet.network import selectors, services
from cmrnet.network.models import FIELD_STRENGTHS, Centre, Scanner, check_field_strengths, normalise_country


def _django_errors(call):
    """The service's full_clean() says what is wrong: a 400 naming the field, never a 500."""
    try:
        return call()
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)


class CentreSerializer(serializers.ModelSerializer):
    """The same rules as the centre form (country code, known field strengths), from the same functions."""

    size_class = serializers.CharField(read_only=True)
    field_strengths = serializers.ListField(child=serializers.ChoiceField(choices=FIELD_STRENGTHS), required=False,
                                            max_length=len(FIELD_STRENGTHS) * 2)

    class Meta:
        model = Centre
        fields = ["id", "name", "city", "country", "beds", "size_class", "annual_scan_volume", "stress_perfusion",
                  "congenital", "device_scanning", "field_strengths", "joined_on", "training_since", "trainees_trained"]

    def validate_country(self, value):
        return _django_errors(lambda: normalise_country(value))

    def validate_field_strengths(self, value):
        return _django_errors(lambda: check_field_strengths(value))


class CanManageCentres(permissions.BasePermission):
    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS or selectors.can_manage_centres(request.user)


class CentreViewSet(viewsets.ModelViewSet):
    serializer_class = CentreSerializer
    permission_classes = [permissions.IsAuthenticated, CanManageCentres]

    def get_queryset(self):
        return selectors.centres_for_user(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = _django_errors(lambda: services.create_centre(by=self.request.user,
                                                                            **serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = _django_errors(lambda: services.update_centre(
            by=self.request.user, centre=serializer.instance, **serializer.validated_data))

    def perform_destroy(self, instance):
        services.delete_centre(by=self.request.user, centre=instance)


class ScannerSerializer(serializers.ModelSerializer):
    """No VNC host, port or secret: the console endpoint never leaves the server."""

    vnc_configured = serializers.BooleanField(read_only=True)

    class Meta:
        model = Scanner
        fields = ["id", "centre", "name", "vendor", "model", "field_strength", "active", "vnc_configured"]


class ScannerViewSet(viewsets.ReadOnlyModelViewSet):
    """Scanners of the network's centres (read-only; managed on the centre's scanners page)."""

    serializer_class = ScannerSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return selectors.scanners_for_user(self.request.user)


router = DefaultRouter()
router.register("centres", CentreViewSet, basename="api-centre")
router.register("scanners", ScannerViewSet, basename="api-scanner")
urlpatterns = [path("", include(router.urls))]
