from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from cmrnet.audit.forms import AuditFilterForm
from cmrnet.audit.selectors import audit_entries_for_user, audit_facets, scopes_for


@login_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None, facets=audit_facets(request.user))
    filters = form.cleaned_data if form.is_valid() else {}
    entries = audit_entries_for_user(request.user, **{k: v for k, v in filters.items() if v})
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    template = "audit/_entries.html" if request.htmx else "audit/log.html"
    return render(request, template, {"form": form, "page": page, "scopes": scopes_for(request.user)})
