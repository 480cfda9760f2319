from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from cmrnet.network import charts, selectors, services
from cmrnet.network.forms import AccreditationForm, CentreFilterForm, CentreForm, ScannerForm
from cmrnet.network.models import Accreditation
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_POST


@login_required
def network_overview(request):
    form = CentreFilterForm(request.GET or None)
    filters = {k: v for k, v in form.cleaned_data.items() if v} if form.is_valid() else {}
    centres = selectors.centres_for_user(request.user, **filters)
    figures = selectors.network_figures(centres)
    context = {
        "form": form, "centres": centres, "figures": figures, "year": timezone.localdate().year,
        "growth_chart": charts.growth_chart(figures), "busy_chart": charts.busy_chart(figures),
        "size_chart": charts.size_chart(figures), "can_manage": selectors.can_manage_centres(request.user),
    }
    template = "network/_results.html" if request.htmx else "network/overview.html"
    return render(request, template, context)


@login_required
def centre_detail(request, pk: int):
    centre = selectors.get_centre_for_user(request.user, pk)
    return render(request, "network/detail.html", {
        "centre": centre, "years_training": centre.years_training(timezone.localdate().year), "can_manage": selectors.can_manage_centres(request.user),
        "people": centre.people.filter(is_active=True).prefetch_related("role_grants"),
        "accreditations": [(a, a.is_current_on(timezone.localdate())) for a in centre.accreditations.all()],
        "accreditation_form": AccreditationForm() if selectors.can_manage_scanners(request.user, centre) else None,
    })


@login_required
@require_POST
def accreditation_add(request, pk: int):
    centre = selectors.get_centre_for_user(request.user, pk)
    if not selectors.can_manage_scanners(request.user, centre):
        raise PermissionDenied
    form = AccreditationForm(request.POST)
    if form.is_valid():
        services.add_accreditation(by=request.user, centre=centre, **form.cleaned_data)
        messages.success(request, "Accreditation recorded.")
    else:
        messages.error(request, "Accreditation not recorded: " + "; ".join(
            f"{form.fields[f].label if f in form.fields else f}: {' '.join(e)}" for f, e in form.errors.items()))
    return redirect("centre-detail", pk=centre.pk)


@login_required
@require_POST
def accreditation_remove(request, pk: int):
    accreditation = get_object_or_404(Accreditation, pk=pk)
    centre = selectors.get_centre_for_user(request.user, accreditation.centre_id)
    if not selectors.can_manage_scanners(request.user, centre):
        raise PermissionDenied
    services.remove_accreditation(by=request.user, accreditation=accreditation)
    messages.success(request, "Accreditation removed.")
    return redirect("centre-detail", pk=centre.pk)


@login_required
def centre_create(request):
    if not selectors.can_manage_centres(request.user):
        raise PermissionDenied
    form = CentreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        centre = services.create_centre(by=request.user, **form.cleaned_data)
        messages.success(request, f"{centre} added to the network.")
        return redirect("centre-detail", pk=centre.pk)
    return render(request, "network/form.html", {"form": form, "title": "Add a centre"})


@login_required
def centre_edit(request, pk: int):
    if not selectors.can_manage_centres(request.user):
        raise PermissionDenied
    centre = selectors.get_centre_for_user(request.user, pk)
    form = CentreForm(request.POST or None, instance=centre)
    if request.method == "POST" and form.is_valid():
        centre.refresh_from_db()
        services.update_centre(by=request.user, centre=centre, **form.cleaned_data)
        messages.success(request, "Centre saved.")
        return redirect("centre-detail", pk=centre.pk)
    return render(request, "network/form.html", {"form": form, "title": f"Edit {centre}"})


@login_required
def scanner_list(request, pk: int):
    centre = selectors.get_centre_for_user(request.user, pk)
    can_manage = selectors.can_manage_scanners(request.user, centre)
    form = ScannerForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            scanner = services.create_scanner(by=request.user, centre=centre, **form.cleaned_data)
            messages.success(request, f"Scanner {scanner.name} added.")
            return redirect("scanner-list", pk=centre.pk)
    return render(request, "network/scanners.html", {
        "centre": centre, "scanners": selectors.scanners_for_user(request.user, centre=centre),
        "can_manage": can_manage, "form": form if can_manage else None,
    })


@login_required
def scanner_edit(request, pk: int):
    scanner = selectors.get_scanner_for_user(request.user, pk)
    if not selectors.can_manage_scanners(request.user, scanner.centre):
        raise PermissionDenied
    form = ScannerForm(request.POST or None, instance=scanner)
    if request.method == "POST" and form.is_valid():
        scanner.refresh_from_db()
        services.update_scanner(by=request.user, scanner=scanner, **form.cleaned_data)
        messages.success(request, f"Scanner {scanner.name} saved.")
        return redirect("scanner-list", pk=scanner.centre_id)
    return render(request, "network/scanner_form.html", {"form": form, "scanner": scanner})
