"""People API (/api/v1/people/): the same visibility as the pages."""

from django.urls import include, path
from rest_framework import mixins, serializers, viewsets
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action, api_view
from rest_framework.response import Response
from cmrnet.core.routers import DefaultRouter, SimpleRouter

from cmrnet.people import selectors, services
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


# --- supervision links (/api/v1/supervision-links/) and the pre-training check -----------------------------

class SupervisionLinkSerializer(serializers.ModelSerializer):
    trainee = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    supervisor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    recognised = serializers.SerializerMethodField()
    check_message = serializers.SerializerMethodField()

    class Meta:
        from cmrnet.people.models import Supervision

        model = Supervision
        fields = ["id", "trainee", "supervisor", "started_on", "ended_on", "remote", "recognised", "check_message"]
        read_only_fields = ["remote"]

    def _check(self, link):
        return selectors.check_supervision(link.supervisor, start=link.started_on, end=link.ended_on)

    def get_recognised(self, link) -> bool:
        return self._check(link).recognised

    def get_check_message(self, link) -> str:
        return self._check(link).message


class EndSupervisionSerializer(serializers.Serializer):
    ended_on = serializers.DateField()


class SupervisionLinkViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                             viewsets.GenericViewSet):
    """Links the signed-in person may see; a programme director or administrator creates and ends them."""

    serializer_class = SupervisionLinkSerializer

    def get_queryset(self):
        return selectors.supervision_links_for_user(self.request.user).order_by("-started_on", "-id")

    def perform_create(self, serializer):
        from django.core.exceptions import PermissionDenied, ValidationError
        from rest_framework import exceptions

        data = serializer.validated_data
        trainee = data["trainee"]
        if not selectors.people_for_user(self.request.user).filter(pk=trainee.pk).exists():
            raise exceptions.NotFound("No such person.")
        try:
            serializer.instance = services.link_supervisor(
                by=self.request.user, trainee=trainee, supervisor=data["supervisor"], started_on=data["started_on"],
                ended_on=data.get("ended_on"))
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None

    @action(detail=True, methods=["post"], serializer_class=EndSupervisionSerializer)
    def end(self, request, pk=None):
        from django.core.exceptions import PermissionDenied, ValidationError
        from rest_framework import exceptions

        link = self.get_object()
        body = EndSupervisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            link = services.end_supervision(by=request.user, link=link, ended_on=body.validated_data["ended_on"])
        except PermissionDenied as exc:
            raise exceptions.PermissionDenied(str(exc)) from None
        except ValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        return Response(SupervisionLinkSerializer(link).data)


class SupervisionCheckQuery(serializers.Serializer):
    supervisor = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True)


@extend_schema(parameters=[SupervisionCheckQuery], responses={200: dict})
@api_view(["GET"])
def supervision_check(request):
    """Will training under this supervisor from start to end be recognised? (current Level 3 each day)"""
    query = SupervisionCheckQuery(data=request.query_params)
    query.is_valid(raise_exception=True)
    data = query.validated_data
    check = selectors.check_supervision(data["supervisor"], start=data["start"], end=data.get("end"))
    return Response({"supervisor": check.supervisor_id, "start": check.start, "end": check.end,
                     "recognised": check.recognised, "first_day_without_level3": check.first_gap,
                     "recognised_until": check.recognised_until, "message": check.message})


supervision_router = SimpleRouter()
supervision_router.register("supervision-links", SupervisionLinkViewSet, basename="api-supervision-link")
urlpatterns += [path("supervision-check/", supervision_check, name="api-supervision-check"),
                path("", include(supervision_router.urls))]
