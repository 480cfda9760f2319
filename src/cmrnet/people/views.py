from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from cmrnet.people import selectors, services
from cmrnet.people.forms import (
    AdminProfileForm, ApiTokenForm, CertificationForm, EndSupervisionForm, PeopleFilterForm, PersonCreateForm, ProfileForm,
    RevocationForm, RolesForm, SupervisionCheckForm, SupervisionLinkForm,
)
from cmrnet.people.invitations import invite_person
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
        "can_link": selectors.can_manage_supervision(request.user, person),
        "account": selectors.account_status(person, now=timezone.now()) if selectors.can_manage_people(request.user) else None,
        "is_self": request.user.pk == person.pk,
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
            with transaction.atomic():
                person = services.create_person(by=request.user, email=data["email"], full_name=data["full_name"],
                                                centre=data["centre"], specialty=data["specialty"], roles=data["roles"])
                invitation = invite_person(by=request.user, person=person)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            expires = date_format(timezone.localtime(invitation.expires_at), "Y-m-d H:i")
            invitation.refresh_from_db()
            if invitation.delivery_failed_at:
                messages.error(request, f"{person} added, but the invitation e-mail to {person.email} was NOT "
                                        f"delivered ({invitation.delivery_error}). Check the address, then re-send.")
            else:
                messages.success(request, f"{person} added. An invitation to set a password was sent to "
                                          f"{person.email}; the link works until {expires}.")
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


# --- API tokens (only digests are stored; a secret is shown once) ------------------------------------------

@login_required
def api_tokens(request, pk: int):
    """A person's API tokens: they create and revoke their own; an administrator sees and revokes them."""
    person = selectors.get_person_for_user(request.user, pk)
    _require(selectors.can_edit_profile(request.user, person))
    own = request.user.pk == person.pk
    form = ApiTokenForm(request.POST or None) if own else None
    secret = ""
    if own and request.method == "POST" and form.is_valid():
        try:
            _token, secret = services.issue_api_token(by=request.user, person=person, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            form = ApiTokenForm()
    return render(request, "people/api_tokens.html", {
        "person": person, "own": own, "form": form, "secret": secret,
        "tokens": selectors.api_tokens_of(person)})


@login_required
@require_POST
def api_token_revoke(request, pk: int, token_pk: int):
    person = selectors.get_person_for_user(request.user, pk)
    _require(selectors.can_edit_profile(request.user, person))
    token = get_object_or_404(selectors.api_tokens_of(person), pk=token_pk)
    services.revoke_api_token(by=request.user, token=token)
    messages.success(request, f"Token '{token.name}' revoked: it no longer works.")
    return redirect("person-api-tokens", pk=person.pk)


# --- on-site supervision links ----------------------------------------------------------------------------

@login_required
def person_supervision(request, pk: int):
    """A trainee's supervision links with the pre-training check of each; the director or an
    administrator links a supervisor and ends a link here."""
    trainee = selectors.get_person_for_user(request.user, pk)
    can_manage = selectors.can_manage_supervision(request.user, trainee)
    form = SupervisionLinkForm(request.POST or None, exclude=trainee,
                               initial={"started_on": timezone.localdate()}) if can_manage else None
    if request.method == "POST":
        _require(can_manage)
        if form.is_valid():
            try:
                services.link_supervisor(by=request.user, trainee=trainee, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"{form.cleaned_data['supervisor']} linked as on-site supervisor.")
                return redirect("person-supervision", pk=trainee.pk)
    links = [(link, selectors.check_supervision(link.supervisor, start=link.started_on, end=link.ended_on))
             for link in selectors.supervision_links_for_user(request.user).filter(trainee=trainee).order_by("-started_on")]
    return render(request, "people/supervision.html", {
        "trainee": trainee, "links": links, "form": form, "can_manage": can_manage, "end_form": EndSupervisionForm(),
        "preview": _preview(form)})


def _preview(form):
    """The check for what the form holds (shown before linking)."""
    if form is None or not form.is_bound or not form.is_valid():
        return None
    data = form.cleaned_data
    return selectors.check_supervision(data["supervisor"], start=data["started_on"], end=data["ended_on"])


@login_required
@require_POST
def supervision_end(request, pk: int, link_pk: int):
    trainee = selectors.get_person_for_user(request.user, pk)
    link = selectors.get_supervision_link_for_user(request.user, link_pk)
    if link.trainee_id != trainee.pk:
        raise Http404("No such supervision link.")
    _require(selectors.can_manage_supervision(request.user, trainee))
    form = EndSupervisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the last day of supervision.")
    else:
        try:
            services.end_supervision(by=request.user, link=link, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Supervision by {link.supervisor} ends on {form.cleaned_data['ended_on']}.")
    return redirect("person-supervision", pk=trainee.pk)


@login_required
def supervision_check(request):
    """Anyone signed in (a trainee planning training, above all) checks a supervisor and a period."""
    form = SupervisionCheckForm(request.GET or None)
    check = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        check = selectors.check_supervision(data["supervisor"], start=data["started_on"], end=data["ended_on"])
    template = "people/_supervision_check.html" if request.headers.get("HX-Request") else "people/supervision_check.html"
    return render(request, template, {"form": form, "check": check})
