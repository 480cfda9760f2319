from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from cmrnet.people import selectors, services
from cmrnet.people.forms import (
    AdminProfileForm, CertificationForm, PeopleFilterForm, PersonCreateForm, ProfileForm, RevocationForm, RolesForm,
)
from cmrnet.people.models import Certification


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


@login_required
def person_list(request):
    form = PeopleFilterForm(request.GET or None)
    people = selectors.people_for_user(request.user)
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            people = people.filter(Q(full_name__icontains=q) | Q(email__icontains=q))
        if role := form.cleaned_data["role"]:
            people = people.filter(role_grants__role=role)
    page = Paginator(people.prefetch_related("role_grants").distinct(), 50).get_page(request.GET.get("page"))
    return render(request, "people/list.html", {"form": form, "page": page,
                                                "can_manage": selectors.can_manage_people(request.user)})


@login_required
def person_detail(request, pk: int):
    person = selectors.get_person_for_user(request.user, pk)
    today = timezone.localdate()
    return render(request, "people/detail.html", {
        "person": person,
        "certifications": [(c, c.status_on(today)) for c in person.certifications.all()],
        "holds_level3": selectors.holds_current_level3(person, today),
        "trainees": selectors.trainees_of(person),
        "supervisors": selectors.supervisors_of(person),
        "can_edit": selectors.can_edit_profile(request.user, person),
        "can_manage": selectors.can_manage_people(request.user),
        "can_certify": selectors.can_record_certifications(request.user),
    })


@login_required
def person_edit(request, pk: int):
    person = selectors.get_person_for_user(request.user, pk)
    _require(selectors.can_edit_profile(request.user, person))
    form_class = AdminProfileForm if selectors.can_manage_people(request.user) else ProfileForm
    form = form_class(request.POST or None, request.FILES or None, instance=person)
    if request.method == "POST" and form.is_valid():
        person.refresh_from_db()
        try:
            services.update_profile(by=request.user, person=person, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("person-detail", pk=person.pk)
    return render(request, "people/edit.html", {"form": form, "person": person})


@login_required
def person_create(request):
    _require(selectors.can_manage_people(request.user))
    form = PersonCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = services.create_person(by=request.user, email=data["email"], full_name=data["full_name"],
                                            centre=data["centre"], specialty=data["specialty"], roles=data["roles"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{person} added. They can set a password with 'Forgotten your password?'.")
            return redirect("person-detail", pk=person.pk)
    return render(request, "people/create.html", {"form": form})


@login_required
def person_roles(request, pk: int):
    _require(selectors.can_manage_people(request.user))
    person = selectors.get_person_for_user(request.user, pk)
    form = RolesForm(request.POST or None, initial={"roles": list(person.role_set)})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_roles(by=request.user, person=person, roles=form.cleaned_data["roles"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Roles saved.")
            return redirect("person-detail", pk=person.pk)
    return render(request, "people/roles.html", {"form": form, "person": person})


@login_required
def certification_add(request, pk: int):
    _require(selectors.can_record_certifications(request.user))
    person = selectors.get_person_for_user(request.user, pk)
    form = CertificationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_certification(by=request.user, holder=person, **form.cleaned_data)
        messages.success(request, "Certification recorded.")
        return redirect("person-detail", pk=person.pk)
    return render(request, "people/certification_form.html", {"form": form, "person": person})


@login_required
def certification_revoke(request, pk: int, cert_pk: int):
    _require(selectors.can_record_certifications(request.user))
    person = selectors.get_person_for_user(request.user, pk)
    cert = get_object_or_404(Certification, pk=cert_pk, holder=person)
    form = RevocationForm(request.POST or None, initial={"revoked_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.revoke_certification(by=request.user, certification=cert, on=form.cleaned_data["revoked_on"],
                                      reason=form.cleaned_data["reason"])
        messages.success(request, "Certification revoked.")
        return redirect("person-detail", pk=person.pk)
    return render(request, "people/certification_revoke.html", {"form": form, "person": person, "cert": cert})


@login_required
def acls_evidence(request, pk: int):
    person = selectors.get_person_for_user(request.user, pk)
    if not person.acls_evidence:
        raise Http404("No evidence uploaded.")
    return FileResponse(person.acls_evidence.open("rb"), as_attachment=True)
