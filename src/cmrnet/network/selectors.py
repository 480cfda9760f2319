from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from cmrnet.network.models import Centre, Scanner
from cmrnet.network.sizing import BUSY_SCANS_ABOVE, LARGE_ABOVE, SMALL_BELOW, busy_share, centres_per_year, size_class
from cmrnet.people.roles import Role


def centres_for_user(user, *, text: str = "", country: str = "", size: str = "", capability: str = "") -> QuerySet[Centre]:
    """Every signed-in member of the network may see the centres (name, size, capabilities)."""
    if not user.is_authenticated:
        return Centre.objects.none()
    qs = Centre.objects.all()
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(city__icontains=text))
    if country:
        qs = qs.filter(country__iexact=country)
    if size == "small":
        qs = qs.filter(beds__lt=SMALL_BELOW)
    elif size == "medium":
        qs = qs.filter(beds__gte=SMALL_BELOW, beds__lte=LARGE_ABOVE)
    elif size == "large":
        qs = qs.filter(beds__gt=LARGE_ABOVE)
    if capability in {"stress_perfusion", "congenital", "device_scanning"}:
        qs = qs.filter(**{capability: True})
    return qs


def get_centre_for_user(user, pk: int) -> Centre:
    try:
        return centres_for_user(user).get(pk=pk)
    except Centre.DoesNotExist:
        raise Http404("No such centre.") from None


def can_manage_centres(user) -> bool:
    return user.is_authenticated and user.has_role(Role.NETWORK_ADMIN)


def network_figures(centres: QuerySet[Centre]) -> dict:
    rows = list(centres.values("joined_on", "annual_scan_volume", "beds"))
    mix = {"small": 0, "medium": 0, "large": 0}
    for row in rows:
        mix[size_class(row["beds"])] += 1
    return {
        "count": len(rows),
        "growth": centres_per_year([r["joined_on"] for r in rows]),
        "busy_share": busy_share(r["annual_scan_volume"] for r in rows),
        "busy_count": sum(1 for r in rows if r["annual_scan_volume"] > BUSY_SCANS_ABOVE),
        "size_mix": mix,
    }


def scanners_for_user(user, *, centre: Centre | None = None) -> QuerySet[Scanner]:
    """Every member may see a centre's scanners (vendor, model, field strength); never a VNC secret."""
    if not user.is_authenticated:
        return Scanner.objects.none()
    qs = Scanner.objects.select_related("centre")
    return qs.filter(centre=centre) if centre is not None else qs


def get_scanner_for_user(user, pk: int) -> Scanner:
    try:
        return scanners_for_user(user).get(pk=pk)
    except Scanner.DoesNotExist:
        raise Http404("No such scanner.") from None


def can_manage_scanners(user, centre: Centre) -> bool:
    """Network administrators, and the programme director of the centre itself."""
    if not user.is_authenticated:
        return False
    return user.has_role(Role.NETWORK_ADMIN) or (user.has_role(Role.PROGRAMME_DIRECTOR) and user.centre_id == centre.pk)
