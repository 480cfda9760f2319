"""Notification e-mail choices (/api/v1/notification-preferences/): each person reads and sets their own."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response

from cmrnet.notifications import services
from cmrnet.notifications.models import Kind


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    delivery = serializers.ChoiceField(choices=["immediate", "digest", "off"])
    allowed = serializers.ListField(child=serializers.CharField())


def _rows(person) -> list[dict]:
    return [{"kind": kind, "label": Kind(kind).label, "delivery": delivery,
             "allowed": list(services.allowed_deliveries(kind))}
            for kind, delivery in services.deliveries_for(person).items()]


@extend_schema(request={"application/json": {"type": "object", "additionalProperties": {"type": "string"},
                                              "example": {"cases_waiting": "digest", "case_queried": "off"}}},
               responses={200: PreferenceSerializer(many=True)})
@api_view(["GET", "PATCH"])
def notification_preferences(request):
    """Your e-mail choice for each kind of notification: `immediate`, `digest` or `off` (`allowed` lists the
    choices of a kind). PATCH a JSON object {kind: delivery} to change some; refused whole (400, naming each
    kind) when one kind or choice is not allowed."""
    if request.method == "PATCH":
        if not isinstance(request.data, dict) or not all(isinstance(v, str) for v in request.data.values()):
            return Response({"detail": "Send a JSON object mapping kinds to immediate, digest or off."}, status=400)
        try:
            services.set_deliveries(by=request.user, person=request.user, choices=dict(request.data))
        except DjangoValidationError as error:
            return Response(error.message_dict, status=400)
    return Response(_rows(request.user))


urlpatterns = [path("notification-preferences/", notification_preferences, name="api-notification-preferences")]
