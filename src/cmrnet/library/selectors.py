"""Reads for the library. Who may see a case, a series, a frame is decided here, once, for pages,
the frame endpoints and the API alike.

- **Network members** (signed-in, active, holding a role or belonging to a centre) see published cases.
- The **contributor** sees their own cases whatever the status (draft, withdrawn).
- **Curators** (network administrators; programme directors for their own centre's cases) see every
  case they curate, and the instances in quarantine.
- Instances in quarantine (pending or rejected) are never served to anyone but curators.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from cmrnet.library.models import VISIBLE_QUARANTINE, Case, CaseStatus, Collection, Instance, QuarantineStatus, Series, Study
from cmrnet.people.roles import Role


def is_network_member(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return bool(user.centre_id) or bool(user.role_set)


def _curated_q(user, prefix: str = "") -> Q:
    """The cases `user` curates (a Q on Case, or on a model reaching Case through `prefix`)."""
    if user.has_role(Role.NETWORK_ADMIN):
        return Q(**{f"{prefix}pk__isnull": False})
    if user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id:
        return Q(**{f"{prefix}centre_id": user.centre_id})
    return Q(**{f"{prefix}pk__in": []})


def is_curator(user) -> bool:
    """May review quarantine for at least some cases."""
    return is_network_member(user) and (user.has_role(Role.NETWORK_ADMIN)
                                        or (user.has_role(Role.PROGRAMME_DIRECTOR) and bool(user.centre_id)))


def can_curate(user, case: Case) -> bool:
    if not is_network_member(user):
        return False
    return user.has_role(Role.NETWORK_ADMIN) or (
        user.has_role(Role.PROGRAMME_DIRECTOR) and bool(user.centre_id) and user.centre_id == case.centre_id)


def can_contribute(user) -> bool:
    """Mentors, programme directors and administrators bring cases into the library."""
    return is_network_member(user) and user.has_role(Role.MENTOR, Role.PROGRAMME_DIRECTOR, Role.NETWORK_ADMIN)


def can_edit_case(user, case: Case) -> bool:
    return is_network_member(user) and (case.contributor_id == user.pk or can_curate(user, case))


def can_read_reference(user, case: Case) -> bool:
    """The reference report is the answer key: its contributor, curators and mentors; never a trainee
    (interpretation shows it to the trainee after they submit their own report)."""
    return can_edit_case(user, case) or (is_network_member(user) and user.has_role(Role.MENTOR))


def cases_for_user(user, *, text: str = "", category: str = "", difficulty: str = "", collection: int | None = None,
                   status: str = "") -> QuerySet[Case]:
    """Cases `user` may open: published ones for members, plus their own and those they curate."""
    if not is_network_member(user):
        return Case.objects.none()
    visible = Q(status=CaseStatus.PUBLISHED) | Q(contributor=user) | _curated_q(user)
    qs = Case.objects.filter(visible).select_related("contributor", "centre")
    if text:
        qs = qs.filter(Q(title__icontains=text) | Q(pseudonym__icontains=text) | Q(teaching_points__icontains=text)
                       | Q(reference__final_diagnosis__icontains=text))
    if category:
        qs = qs.filter(category=category)
    if difficulty:
        qs = qs.filter(difficulty=difficulty)
    if collection:
        qs = qs.filter(collections__pk=collection)
    if status:
        qs = qs.filter(status=status)
    return qs.distinct().order_by("-created_at", "-pk")


def library_cases(user, **filters) -> QuerySet[Case]:
    """The browsing list: published cases (plus own drafts), with study and series counts."""
    return cases_for_user(user, **filters).exclude(~Q(contributor=user) & Q(status=CaseStatus.WITHDRAWN)).annotate(
        n_studies=Count("studies", distinct=True), n_series=Count("studies__series", distinct=True)).order_by("-created_at", "-pk")


def get_case_for_user(user, pk: int) -> Case:
    try:
        return cases_for_user(user).get(pk=pk)
    except Case.DoesNotExist:
        raise Http404("No such case.") from None


def studies_for_user(user) -> QuerySet[Study]:
    return Study.objects.filter(case__in=cases_for_user(user)).select_related("case")


def series_for_user(user) -> QuerySet[Series]:
    return Series.objects.filter(study__case__in=cases_for_user(user)).select_related("study__case")


def get_series_for_user(user, pk: int) -> Series:
    try:
        return series_for_user(user).get(pk=pk)
    except Series.DoesNotExist:
        raise Http404("No such series.") from None


def instances_for_user(user) -> QuerySet[Instance]:
    """Instances `user` may see: those of visible cases, cleared or released."""
    return Instance.objects.filter(series__study__case__in=cases_for_user(user),
                                   quarantine_status__in=VISIBLE_QUARANTINE).select_related("series__study__case")


def get_instance_for_user(user, pk: int) -> Instance:
    try:
        return instances_for_user(user).get(pk=pk)
    except Instance.DoesNotExist:
        raise Http404("No such image.") from None


def quarantine_for_user(user, *, status: str = QuarantineStatus.PENDING) -> QuerySet[Instance]:
    """Instances in quarantine that `user` curates."""
    if not is_curator(user):
        return Instance.objects.none()
    return Instance.objects.filter(_curated_q(user, "series__study__case__"), quarantine_status=status).select_related(
        "series__study__case")


def reviewable_for_user(user) -> QuerySet[Instance]:
    """Every instance that went through quarantine (pending, released, rejected) in cases `user` curates."""
    if not is_curator(user):
        return Instance.objects.none()
    return Instance.objects.filter(_curated_q(user, "series__study__case__")).exclude(
        quarantine_status=QuarantineStatus.CLEAR).select_related("series__study__case")


def get_quarantined_for_user(user, pk: int) -> Instance:
    """Any instance `user` curates, whatever its quarantine status (the review page)."""
    if not is_curator(user):
        raise Http404("No such image in quarantine.")
    try:
        return Instance.objects.filter(_curated_q(user, "series__study__case__")).select_related(
            "series__study__case").get(pk=pk)
    except Instance.DoesNotExist:
        raise Http404("No such image in quarantine.") from None


def can_edit_collection(user, collection: Collection) -> bool:
    """Its curator (while still a contributor or curator) and network administrators."""
    if not is_network_member(user):
        return False
    return user.has_role(Role.NETWORK_ADMIN) or (
        collection.curator_id == user.pk and (can_contribute(user) or is_curator(user)))


def collections_for_user(user) -> QuerySet[Collection]:
    if not is_network_member(user):
        return Collection.objects.none()
    return Collection.objects.annotate(
        n_cases=Count("cases", filter=Q(cases__status=CaseStatus.PUBLISHED), distinct=True)).order_by("title")


def series_metadata(series: Series, instances) -> dict:
    """The JSON the viewer loads for a series (see docs/case-library.md, "Frame endpoint contract")."""
    from django.urls import reverse

    return {
        "series": {
            "id": series.pk, "series_uid": series.series_uid, "study_uid": series.study.study_uid,
            "case": series.study.case_id, "modality": series.modality, "description": series.description,
            "kind": series.kind, "series_number": series.series_number,
            "frame_time_ms": series.frame_time_ms, "heart_rate_bpm": series.heart_rate_bpm,
            "number_of_phases": series.number_of_phases, "number_of_slices": series.number_of_slices,
            "number_of_images": series.number_of_images, "rows": series.rows, "columns": series.columns,
            "pixel_spacing_mm": series.pixel_spacing_mm, "slice_thickness_mm": series.slice_thickness_mm,
            "spacing_between_slices_mm": series.spacing_between_slices_mm,
        },
        "instances": [{
            "id": i.pk, "sop_uid": i.sop_uid, "instance_number": i.instance_number,
            "rows": i.rows, "columns": i.columns, "number_of_frames": i.number_of_frames,
            "bits_allocated": i.bits_allocated, "bits_stored": i.bits_stored,
            "pixel_representation": i.pixel_representation, "samples_per_pixel": i.samples_per_pixel,
            "photometric_interpretation": i.photometric_interpretation,
            "rescale_slope": i.rescale_slope, "rescale_intercept": i.rescale_intercept,
            "window_center": i.window_center, "window_width": i.window_width,
            "slice_location": i.slice_location, "trigger_time_ms": i.trigger_time_ms,
            "image_position": i.image_position, "image_orientation": i.image_orientation,
            "etag": i.sha256,
            "frames": [reverse("library-frame", args=[i.pk, n]) for n in range(1, i.number_of_frames + 1)],
        } for i in instances],
    }


# --- By DICOM UID (the DICOMweb-style endpoints, cmrnet.library.wado) --------------------------------
# The same visibility as above; an unknown UID and a UID the person may not read are the same 404.

def get_study_by_uid_for_user(user, study_uid: str) -> Study:
    try:
        return studies_for_user(user).get(study_uid=study_uid)
    except Study.DoesNotExist:
        raise Http404("No such study.") from None


def get_series_by_uid_for_user(user, study_uid: str, series_uid: str) -> Series:
    try:
        return series_for_user(user).get(study__study_uid=study_uid, series_uid=series_uid)
    except Series.DoesNotExist:
        raise Http404("No such series in this study.") from None


def get_instance_by_uid_for_user(user, study_uid: str, series_uid: str, sop_uid: str) -> Instance:
    try:
        return instances_for_user(user).get(series__study__study_uid=study_uid, series__series_uid=series_uid,
                                            sop_uid=sop_uid)
    except Instance.DoesNotExist:
        raise Http404("No such instance in this series.") from None
