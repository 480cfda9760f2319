"""Exams API (/api/v1/): items and sittings for the exam board; a candidate's own attempts and
results. Attempt payloads never carry a key or an explanation."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import include, path
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from cmrnet.core.routers import DefaultRouter

from cmrnet.exams import selectors, services
from cmrnet.exams.models import Answer, Attempt, Item, ItemVersion, Registration, Result, Sitting
from cmrnet.people.models import User


class IsExamBoard(permissions.BasePermission):
    def has_permission(self, request, view):
        return selectors.is_board(request.user)


class ItemVersionSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = ItemVersion
        fields = ["number", "topic", "stem", "option_a", "option_b", "option_c", "option_d", "option_e", "key",
                  "explanation", "references", "created_at", "note"]


class ItemSerializer(serializers.ModelSerializer):
    current_version = ItemVersionSerializer(read_only=True)
    author = serializers.StringRelatedField()

    class Meta:
        model = Item
        fields = ["id", "code", "status", "author", "current_version"]


class ItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = ItemSerializer
    permission_classes = [permissions.IsAuthenticated, IsExamBoard]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Item.objects.none()
        return selectors.items_for_user(self.request.user)


class SittingSerializer(serializers.ModelSerializer):
    n_registered = serializers.IntegerField(source="registrations.count", read_only=True)

    class Meta:
        model = Sitting
        fields = ["id", "title", "form", "start_opens", "start_closes", "duration_minutes", "shuffle_items",
                  "shuffle_options", "n_registered", "cut_method", "cut_score", "released_at"]


class RegistrationSerializer(serializers.ModelSerializer):
    candidate = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    extra_minutes = serializers.IntegerField(min_value=0, default=0)
    accommodation_note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")

    class Meta:
        model = Registration
        fields = ["id", "candidate", "extra_minutes", "accommodation_note"]


class SittingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = SittingSerializer
    permission_classes = [permissions.IsAuthenticated, IsExamBoard]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return Sitting.objects.none()
        return selectors.sittings_for_user(self.request.user)

    @extend_schema(request=RegistrationSerializer, responses=RegistrationSerializer(many=True))
    @action(detail=True, methods=["get", "post"], serializer_class=RegistrationSerializer)
    def registrations(self, request, pk=None):
        """The sitting's candidates; POST registers one (the same rules as the board's page: nobody who can
        see the item bank, or wrote, reviewed or rated the form's items, may be registered)."""
        sitting = self.get_object()
        if request.method == "POST":
            serializer = RegistrationSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            try:
                reg = services.register_candidate(by=request.user, sitting=sitting, **serializer.validated_data)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
            return Response(RegistrationSerializer(reg).data, status=status.HTTP_201_CREATED)
        regs = sitting.registrations.order_by("candidate__full_name")
        return Response(RegistrationSerializer(regs, many=True).data)


class AnswerSerializer(serializers.ModelSerializer):
    choice = serializers.CharField(read_only=True, help_text="Canonical option letter, '' = omitted")
    class Meta:
        model = Answer
        fields = ["form_item", "choice", "flagged", "struck", "defect_flag", "updated_at"]


class AttemptSerializer(serializers.ModelSerializer):
    sitting = serializers.IntegerField(source="registration.sitting_id", read_only=True)
    answers = AnswerSerializer(many=True, read_only=True)

    class Meta:
        model = Attempt
        fields = ["id", "sitting", "started_at", "deadline", "submitted_at", "submit_reason", "position",
                  "item_order", "answers"]


class MyAttemptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in person's own attempts (answers as canonical letters; no key)."""

    serializer_class = AttemptSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Attempt.objects.none()
        return (Attempt.objects.filter(registration__candidate=self.request.user).prefetch_related("answers")
                .order_by("-started_at"))


class ResultSerializer(serializers.ModelSerializer):
    sitting = serializers.IntegerField(source="registration.sitting_id", read_only=True)

    class Meta:
        model = Result
        fields = ["id", "sitting", "score", "max_score", "cut_score", "passed", "released_on"]


class MyResultViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in person's released results."""

    serializer_class = ResultSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Result.objects.none()
        return Result.objects.filter(registration__candidate=self.request.user,
                                     registration__sitting__released_at__isnull=False).order_by("-pk")


from cmrnet.exams.api_registration import MyRegistrationViewSet, OpenSittingViewSet  # noqa: E402

router = DefaultRouter()
router.register("exam-items", ItemViewSet, basename="api-exam-item")
router.register("exam-sittings", SittingViewSet, basename="api-exam-sitting")
router.register("exam-attempts", MyAttemptViewSet, basename="api-exam-attempt")
router.register("exam-results", MyResultViewSet, basename="api-exam-result")
router.register("exam-registrations", MyRegistrationViewSet, basename="api-exam-registration")
router.register("exam-registration-sittings", OpenSittingViewSet, basename="api-exam-open-sitting")
urlpatterns = [path("", include(router.urls))]
