from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cmrnet import tabular
from cmrnet.audit.forms import AuditFilterForm
from cmrnet.audit.selectors import (
    EXPORT_COLUMNS, EXPORT_MAX_ROWS, audit_entries_for_user, audit_facets, export_rows, scopes_for,
)
from cmrnet.audit.services import record


def _filtered(request):
    form = AuditFilterForm(request.GET or None, facets=audit_facets(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    return form, audit_entries_for_user(request.user, **{k: v for k, v in filters.items() if v})


@login_required
def audit_log(request):
    form, entries = _filtered(request)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    template = "audit/_entries.html" if request.htmx else "audit/log.html"
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, template, {"form": form, "page": page, "scopes": scopes_for(request.user),
                                      "export_query": query.urlencode()})


@login_required
def audit_export(request):
    """The entries of the current filter as CSV (cells that a spreadsheet would run as formulas are
    neutralised by cmrnet.tabular). The export itself is audited."""
    form, entries = _filtered(request)
    entries = entries[:EXPORT_MAX_ROWS]
    filters = {k: str(v) for k, v in (form.cleaned_data if form.is_valid() else {}).items() if v}
    record(actor=request.user, action="audit.exported", object_type="audit.auditentry", object_repr="audit log export",
           data={"filters": filters})
    body = tabular.csv_bytes(EXPORT_COLUMNS, export_rows(entries))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="cmrnet-audit-{stamp}.csv"'
    return response
