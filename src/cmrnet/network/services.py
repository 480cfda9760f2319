from __future__ import annotations

from django.db import transaction

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.network.models import Accreditation, Centre, Scanner
from cmrnet.network.secrets import seal

CENTRE_FIELDS = [
    "name", "city", "country", "beds", "annual_scan_volume", "stress_perfusion", "congenital",
    "device_scanning", "field_strengths", "joined_on", "training_since", "trainees_trained", "service_lead", "sector",
]


@transaction.atomic
def create_centre(*, by, **values) -> Centre:
    centre = Centre(**values)
    centre.full_clean()
    centre.save()
    record(actor=by, action="centre.created", obj=centre, changes=diff({}, snapshot(centre, CENTRE_FIELDS)))
    return centre


@transaction.atomic
def update_centre(*, by, centre: Centre, **values) -> Centre:
    before = snapshot(centre, CENTRE_FIELDS)
    for name, value in values.items():
        if name not in CENTRE_FIELDS:
            raise ValueError(f"Not a centre field: {name}")
        setattr(centre, name, value)
    centre.full_clean()
    centre.save()
    changes = diff(before, snapshot(centre, CENTRE_FIELDS))
    if changes:
        record(actor=by, action="centre.updated", obj=centre, changes=changes)
    return centre


@transaction.atomic
def delete_centre(*, by, centre: Centre) -> None:
    record(actor=by, action="centre.deleted", obj=centre, changes=diff(snapshot(centre, CENTRE_FIELDS), {}))
    centre.delete()


SCANNER_FIELDS = ["name", "vendor", "model", "field_strength", "active", "vnc_host", "vnc_port"]


def _secret_change(scanner: Scanner, vnc_secret: str | None, clear_vnc_secret: bool) -> list | None:
    """Apply a new or cleared VNC secret; the audit shows that it changed, never its value."""
    had = scanner.has_vnc_secret
    if clear_vnc_secret and had:
        scanner.vnc_secret_sealed = ""
        return ["set", "cleared"]
    if vnc_secret and not clear_vnc_secret:
        scanner.vnc_secret_sealed = seal(vnc_secret)
        return ["set" if had else "none", "replaced" if had else "set"]
    return None


@transaction.atomic
def create_scanner(*, by, centre: Centre, vnc_secret: str = "", **values) -> Scanner:
    scanner = Scanner(centre=centre, **{k: v for k, v in values.items() if k in SCANNER_FIELDS})
    secret = _secret_change(scanner, vnc_secret, False)
    scanner.full_clean()
    scanner.save()
    changes = diff({}, snapshot(scanner, SCANNER_FIELDS))
    if secret:
        changes["vnc_secret"] = secret
    record(actor=by, action="scanner.created", obj=scanner, changes=changes, data={"centre_id": centre.pk})
    return scanner


@transaction.atomic
def update_scanner(*, by, scanner: Scanner, vnc_secret: str = "", clear_vnc_secret: bool = False, **values) -> Scanner:
    before = snapshot(scanner, SCANNER_FIELDS)
    for name, value in values.items():
        if name not in SCANNER_FIELDS:
            raise ValueError(f"Not a scanner field: {name}")
        setattr(scanner, name, value)
    secret = _secret_change(scanner, vnc_secret, clear_vnc_secret)
    scanner.full_clean()
    scanner.save()
    changes = diff(before, snapshot(scanner, SCANNER_FIELDS))
    if secret:
        changes["vnc_secret"] = secret
    if changes:
        record(actor=by, action="scanner.updated", obj=scanner, changes=changes, data={"centre_id": scanner.centre_id})
    return scanner


ACCREDITATION_FIELDS = ["body", "title", "awarded_on", "expires_on", "reference"]


@transaction.atomic
def add_accreditation(*, by, centre: Centre, body: str, awarded_on, expires_on=None, title: str = "",
                      reference: str = "") -> Accreditation:
    accreditation = Accreditation(centre=centre, body=body.strip(), title=title.strip(), awarded_on=awarded_on,
                                  expires_on=expires_on, reference=reference.strip())
    accreditation.full_clean()
    accreditation.save()
    record(actor=by, action="centre.accreditation_added", obj=centre,
           changes=diff({}, snapshot(accreditation, ACCREDITATION_FIELDS)), data={"accreditation_id": accreditation.pk})
    return accreditation


@transaction.atomic
def remove_accreditation(*, by, accreditation: Accreditation) -> None:
    record(actor=by, action="centre.accreditation_removed", obj=accreditation.centre,
           changes=diff(snapshot(accreditation, ACCREDITATION_FIELDS), {}), data={"accreditation_id": accreditation.pk})
    accreditation.delete()
