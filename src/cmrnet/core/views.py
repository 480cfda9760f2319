from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render

from cmrnet.core.registry import panels_for
from cmrnet.people.roles import Role


@login_required
def dashboard(request):
    """One dashboard per role the person holds, each panel contributed by its app."""
    panels = []
    for panel in panels_for(request.user):
        panels.append({"template": panel.template, "role": Role(panel.role).label, **panel.context(request)})
    return render(request, "core/dashboard.html", {"panels": panels})


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
