from __future__ import annotations

from django.db import transaction

from cmrnet.audit.services import diff, record, snapshot
from cmrnet.network.models import Centre

CENTRE_FIELDS = [
    "name", "city", "country", "beds", "annual_scan_volume", "stress_perfusion", "congenital",
    "device_scanning", "field_strengths", "joined_on", "training_since", "trainees_trained",
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
