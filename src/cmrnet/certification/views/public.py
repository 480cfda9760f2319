"""Public pages (no login): certificate verification and the register. They show only what the
register publishes: name, country, body, level, valid until, status."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cmrnet.certification import pdf, selectors
from cmrnet.certification.disclaimer import REGISTER_SENTENCE, disclaimer
from cmrnet.certification.forms import RegisterFilterForm
from cmrnet.core.links import absolute_reverse
from cmrnet.core.listing import listing
from cmrnet.people.models import CertificationStatus


def verify(request, code: str):
    try:
        certificate = selectors.certificate_by_code(code)
    except Http404:
        document = selectors.other_document_by_code(code)
        if document is not None:  # e.g. a programme completion certificate: the same page, its own facts
            return render(request, "certification/verify_document.html", {"document": document,
                                                                          "today": timezone.localdate()})
        return render(request, "certification/verify_unknown.html", {"code": code[:100]}, status=404)
    today = timezone.localdate()
    c = certificate.certification
    status = c.status_on(today)
    entry = selectors.RegisterEntry(c.holder.full_name, selectors.country_of(c.holder), c.body, c.level,
                                    c.valid_until, CertificationStatus(status).label)
    return render(request, "certification/verify.html", {"entry": entry, "status": status, "today": today,
                                                        "disclaimer": disclaimer(c.body)})


def register(request):
    """The public register: searched, sorted and paged by the database (one page of certificates is read)."""
    form = RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = selectors.register_queryset(name=filters.get("name") or "", country=filters.get("country") or "",
                                        level=filters.get("level"))
    page = listing(request.GET, found, sorts=selectors.REGISTER_SORTS, default="name")
    today = timezone.localdate()
    entries = [selectors.register_entry(cert, today=today) for cert in page.items]
    return render(request, "certification/register.html", {"form": form, "listing": page, "entries": entries,
                                                           "disclaimer": REGISTER_SENTENCE})


@login_required
def certificate_pdf(request, pk: int):
    certificate = selectors.get_certificate_for_user(request.user, pk)
    url = absolute_reverse("certification-verify", certificate.code)  # CMRNET_SITE_URL, never the Host header
    response = HttpResponse(pdf.certificate_pdf(certificate, verify_url=url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="cmr-certificate-{certificate.pk}.pdf"'
    return response
