"""Account pages: accepting an invitation, changing a password (audited), password reset links on
CMRNET_SITE_URL, and the administrator's invite / deactivate / reactivate actions."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_POST

from cmrnet.people import invitations, selectors, services
from cmrnet.people.forms import DeactivateForm


def invitation_accept(request, token: str):
    """Anyone holding the link sets the password of the invited account, once."""
    try:
        invitation = invitations.invitation_for_token(token)
    except invitations.InvitationInvalid as exc:
        return render(request, "registration/invitation_invalid.html", {"reason": exc.reason}, status=410)
    form = SetPasswordForm(invitation.person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = invitations.accept_invitation(token=token, password=form.cleaned_data["new_password1"])
        except invitations.InvitationInvalid as exc:
            return render(request, "registration/invitation_invalid.html", {"reason": exc.reason}, status=410)
        except ValidationError as exc:
            form.add_error("new_password2", exc)
        else:
            messages.success(request, f"Password set for {person.email}. You can log in now.")
            return redirect("login")
    return render(request, "registration/invitation_accept.html", {"form": form, "invitation": invitation})


class PasswordChangeView(auth_views.PasswordChangeView):
    """The person changes their own password from their profile; the change is audited."""

    def get_success_url(self):
        return f"/people/{self.request.user.pk}/"

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_change(person=self.request.user, how="changed on the profile")
        messages.success(self.request, "Your password has been changed.")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Reset links point at CMRNET_SITE_URL, not at whatever Host header the request carried."""

    def form_valid(self, form):
        site = urlsplit(settings.SITE_URL)
        self.extra_email_context = {"site_url": settings.SITE_URL}
        self.domain_override = site.netloc
        self.use_https = site.scheme == "https"
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_password_change(person=form.user, how="reset link")
        return response


def _manageable(request, pk: int):
    if not selectors.can_manage_people(request.user):
        raise PermissionDenied
    return selectors.get_person_for_user(request.user, pk)


@login_required
@require_POST
def person_invite(request, pk: int):
    person = _manageable(request, pk)
    try:
        invitation = invitations.invite_person(by=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        expires = date_format(timezone.localtime(invitation.expires_at), "Y-m-d H:i")
        invitation.refresh_from_db()
        if invitation.delivery_failed_at:
            messages.error(request, f"The invitation e-mail to {person.email} was NOT delivered "
                                    f"({invitation.delivery_error}). Check the address, then re-send.")
        else:
            messages.success(request, f"Invitation sent to {person.email}; the link works until {expires}. "
                                      "Earlier links no longer work.")
    return redirect("person-detail", pk=person.pk)


@login_required
def person_deactivate(request, pk: int):
    person = _manageable(request, pk)
    form = DeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.deactivate_person(by=request.user, person=person, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"{person} is deactivated: they can no longer log in. Their records are kept.")
            return redirect("person-detail", pk=person.pk)
    return render(request, "people/deactivate.html", {"form": form, "person": person})


@login_required
@require_POST
def person_reactivate(request, pk: int):
    person = _manageable(request, pk)
    try:
        services.reactivate_person(by=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{person} is active again.")
    return redirect("person-detail", pk=person.pk)
