"""The demo network: idempotent, so `cmrnet demo` can run on every start.

It reproduces the network of the seed (J Cardiovasc Magn Reson 2015;17(Suppl 1):P228): 5 centres
in 2009 growing to 14 in 2014, 79% (11 of 14) with more than 100 CMR scans a year, four small
(< 400 beds), five medium (400-1000) and five large hospitals; plus one demo account per role.
Apps add their own demo steps with `register_demo_step` (e.g. a logbook for the demo trainee).
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable

from django.db import transaction

from cmrnet.network.models import Centre
from cmrnet.network.services import create_centre
from cmrnet.people.models import Certification, User
from cmrnet.people.roles import Role
from cmrnet.people.services import add_certification, add_supervision, create_person, grant_role

# name, city, beds, scans/year, joined, stress, congenital, devices, strengths, training since, trainees
CENTRES = [
    ("Berlin-Buch Heart Centre", "Berlin", 1020, 2400, dt.date(2009, 12, 1), True, True, True, ["1.5T", "3T"], 2001, 140),
    ("Klinikum Emil von Behring", "Berlin", 480, 620, dt.date(2009, 12, 1), True, False, False, ["1.5T"], 2006, 25),
    ("Klinikum Bad Saarow", "Bad Saarow", 560, 410, dt.date(2009, 12, 1), True, False, False, ["1.5T"], 2009, 9),
    ("Klinikum Erfurt", "Erfurt", 1280, 1300, dt.date(2009, 12, 1), True, True, True, ["1.5T", "3T"], 2004, 40),
    ("Klinikum Schwerin", "Schwerin", 1450, 900, dt.date(2009, 12, 1), True, False, True, ["1.5T"], 2007, 18),
    ("Klinikum Krefeld", "Krefeld", 1100, 760, dt.date(2010, 6, 1), True, True, False, ["1.5T"], 2010, 12),
    ("Klinikum Wuppertal", "Wuppertal", 1010, 540, dt.date(2010, 10, 1), True, False, False, ["1.5T"], 2010, 8),
    ("Klinikum Siegburg", "Siegburg", 620, 300, dt.date(2011, 4, 1), False, False, False, ["1.5T"], 2011, 5),
    ("Klinik Bad Berleburg", "Bad Berleburg", 280, 160, dt.date(2011, 9, 1), False, False, False, ["1.5T"], None, 0),
    ("Klinikum Aue", "Aue", 520, 220, dt.date(2012, 3, 1), False, False, False, ["1.5T"], None, 0),
    ("Klinik Leisnig", "Leisnig", 310, 140, dt.date(2012, 11, 1), False, False, False, ["1.5T"], None, 0),
    ("Klinikum Pirna", "Pirna", 430, 90, dt.date(2013, 5, 1), False, False, False, ["1.5T"], None, 0),
    ("Klinik Blankenhain", "Blankenhain", 250, 70, dt.date(2014, 2, 1), False, False, False, ["1.5T"], None, 0),
    ("Klinik Bleicherode", "Bleicherode", 180, 60, dt.date(2014, 6, 1), False, False, False, ["1.5T"], None, 0),
]

DEMO_PASSWORD = "cmrnet-demo-2026"
# e-mail, name, roles, centre index
ACCOUNTS = [
    ("trainee@demo.cmrnet.org", "Dr Tara Trainee", [Role.TRAINEE], 9),
    ("mentor@demo.cmrnet.org", "Prof Max Mentor", [Role.MENTOR], 0),
    ("director@demo.cmrnet.org", "Dr Paula Director", [Role.PROGRAMME_DIRECTOR], 9),
    ("board@demo.cmrnet.org", "Prof Bea Board", [Role.EXAM_BOARD], 3),
    ("reviewer@demo.cmrnet.org", "Dr Rhea Reviewer", [Role.EXAM_BOARD], 4),  # second board member: review, four-eyes
    ("grader@demo.cmrnet.org", "Dr Greg Grader", [Role.GRADER], 5),
    ("admin@demo.cmrnet.org", "Ada Admin", [Role.NETWORK_ADMIN], 0),
    ("technologist@demo.cmrnet.org", "Tom Technologist", [Role.TECHNOLOGIST], 9),  # at the trainee's site
    ("nurse@demo.cmrnet.org", "Nina Nurse", [Role.NURSE], 9),
]

DEMO_STEPS: list[Callable[[], None]] = []
DEMO_NOTES: list[str] = []  # lines an app's demo step wants printed after the accounts (e.g. how to try a live room)


def register_demo_step(step: Callable[[], None]) -> None:
    if step not in DEMO_STEPS:
        DEMO_STEPS.append(step)


def _centres() -> list[Centre]:
    centres = []
    for name, city, beds, scans, joined, stress, chd, devices, strengths, since, trained in CENTRES:
        centre = Centre.objects.filter(name=name).first() or create_centre(
            by=None, name=name, city=city, country="DE", beds=beds, annual_scan_volume=scans, joined_on=joined,
            stress_perfusion=stress, congenital=chd, device_scanning=devices, field_strengths=strengths,
            training_since=since, trainees_trained=trained)
        centres.append(centre)
    return centres


def _accounts(centres: list[Centre]) -> dict[str, User]:
    people = {}
    for email, name, roles, centre_index in ACCOUNTS:
        person = User.objects.filter(email=email).first() or create_person(
            by=None, email=email, full_name=name, password=DEMO_PASSWORD, centre=centres[centre_index],
            registration_country="DE", registration_number=f"DE-{zlib.crc32(email.encode()) % 10**6:06d}",
            registration_valid_until=dt.date(2030, 12, 31), acls_valid_until=dt.date(2027, 6, 30))
        for role in roles:
            grant_role(by=None, person=person, role=role)
        people.setdefault(roles[0], person)
    return people


@transaction.atomic
def load_demo() -> list[tuple[str, str, str]]:
    """Create the demo network if missing; return (role, e-mail, password) per demo account."""
    centres = _centres()
    people = _accounts(centres)
    mentor = people[Role.MENTOR]
    if not Certification.objects.filter(holder=mentor, level=3).exists():
        add_certification(by=None, holder=mentor, body="EACVI", level=3, awarded_on=dt.date(2019, 3, 1), valid_until=dt.date(2029, 3, 1))
    board = people[Role.EXAM_BOARD]
    if not Certification.objects.filter(holder=board, level=3).exists():
        add_certification(by=None, holder=board, body="SCMR", level=3, awarded_on=dt.date(2017, 6, 1), valid_until=dt.date(2027, 6, 1))
    add_supervision(by=None, trainee=people[Role.TRAINEE], supervisor=mentor, started_on=dt.date(2025, 1, 6), remote=True)
    for step in DEMO_STEPS:
        step()
    return [(Role(role).label, email, DEMO_PASSWORD) for email, _name, (role, *_), _c in ACCOUNTS]
