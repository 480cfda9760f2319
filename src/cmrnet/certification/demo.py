"""Demo step (idempotent): the demo board member chairs the EACVI exam board (so a grader
disagreement can be decided), and one practitioner certified through cmrnet in 2024 appears in the
public register, with a verification page."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from cmrnet.certification import windows
from cmrnet.certification.models import BoardChair, Certificate
from cmrnet.certification.services import schedule_reminders
from cmrnet.network.models import Centre
from cmrnet.people.models import Body, User
from cmrnet.people.services import add_certification, create_person

CERTIFIED = "certified@demo.cmrnet.org"


@transaction.atomic
def load() -> None:
    board = User.objects.filter(email="board@demo.cmrnet.org").first()
    if board is not None and not BoardChair.objects.filter(body=Body.EACVI).exists():
        BoardChair.objects.create(body=Body.EACVI, person=board, since=timezone.localdate())
    if User.objects.filter(email=CERTIFIED).exists():
        return
    person = create_person(by=None, email=CERTIFIED, full_name="Dr Clara Certified", password=None,
                           centre=Centre.objects.filter(name="Klinikum Erfurt").first(), registration_country="DE")
    awarded = dt.date(2024, 3, 1)
    certification = add_certification(by=None, holder=person, body=Body.EACVI, level=2, awarded_on=awarded,
                                      valid_until=windows.certificate_valid_until(awarded))
    certificate = Certificate.objects.create(certification=certification, issued_at=timezone.now())
    schedule_reminders(certificate=certificate)
