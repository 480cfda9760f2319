"""Demo step: scanners at the demo centres (the trainee's site has one with a console VNC endpoint on
this machine's loopback, for a local x11vnc), a technologist and nurse there, and a scheduled
supervised-scanning session with the demo mentor and trainee, so a newcomer can open a room with two
demo logins in two browser windows."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from cmrnet.core.demo import DEMO_NOTES, DEMO_PASSWORD
from cmrnet.live.models import LiveSession, ParticipantRole, SessionKind
from cmrnet.network.models import Centre, Scanner
from cmrnet.network.services import create_scanner
from cmrnet.people.models import User

SCANNERS = [  # centre name, scanner name, vendor, model, field strength
    ("Berlin-Buch Heart Centre", "MR 1", "siemens", "MAGNETOM Vida", "3T"),
    ("Berlin-Buch Heart Centre", "MR 2", "siemens", "MAGNETOM Sola", "1.5T"),
    ("Klinikum Erfurt", "MR 1", "philips", "Ingenia Ambition", "1.5T"),
    ("Klinikum Aue", "MR 1", "ge", "SIGNA Artist", "1.5T"),
]
DEMO_TITLE = "Demo: supervised scanning at Klinikum Aue"


def _scanners() -> None:
    for centre_name, name, vendor, model, strength in SCANNERS:
        centre = Centre.objects.filter(name=centre_name).first()
        if centre and not Scanner.objects.filter(centre=centre, name=name).exists():
            local_console = centre_name == "Klinikum Aue"
            create_scanner(by=None, centre=centre, name=name, vendor=vendor, model=model, field_strength=strength,
                           vnc_host="127.0.0.1" if local_console else "", vnc_port=5900,
                           vnc_secret="demo-vnc" if local_console else "")


def _session(mentor: User, trainee: User) -> LiveSession:
    from cmrnet.live.services import invite, schedule_session

    now = timezone.now()
    existing = LiveSession.objects.filter(title=DEMO_TITLE, ends_at__gt=now, cancelled_at__isnull=True).first()
    if existing:
        return existing
    start = now.replace(minute=0, second=0, microsecond=0)
    centre = trainee.centre
    session = schedule_session(by=mentor, title=DEMO_TITLE, kind=SessionKind.SUPERVISED_SCAN, starts_at=start,
                               ends_at=start + dt.timedelta(hours=3), time_zone="Europe/Berlin", centre=centre,
                               scanner=Scanner.objects.filter(centre=centre).first(),
                               description="Cardiac MR protocol with the remote mentor: planning, cine, LGE.")
    invite(by=mentor, room=session.room, person=mentor, role=ParticipantRole.MENTOR, notify=False)
    invite(by=mentor, room=session.room, person=trainee, role=ParticipantRole.TRAINEE, notify=False)
    return session


def _rota(mentor: User) -> None:
    """The demo mentor (EACVI Level 3) on call for the whole network all day, every day (tier 1); the
    demo board member (SCMR Level 3) as tier 2, so an unanswered request escalates."""
    from cmrnet.live.models import RotaEntry

    if RotaEntry.objects.exists():
        return
    board = User.objects.filter(email="board@demo.cmrnet.org").first()
    for tier, person in ((1, mentor), (2, board)):
        if person is None:
            continue
        for weekday in range(7):
            RotaEntry.objects.create(expert=person, weekday=weekday, starts=dt.time(0, 0), ends=dt.time(0, 0),
                                     time_zone="Europe/Berlin", tier=tier)


def load() -> None:
    _scanners()
    mentor = User.objects.filter(email="mentor@demo.cmrnet.org").first()
    trainee = User.objects.filter(email="trainee@demo.cmrnet.org").first()
    if not (mentor and trainee):
        return
    session = _session(mentor, trainee)
    _rota(mentor)
    note = (f"Live room: log in as {mentor.email} in one browser window and {trainee.email} in another "
            f"(a private window), open Live > \"{session.title}\" > Enter the room.")
    if note not in DEMO_NOTES:
        DEMO_NOTES.append(note)
    help_note = ("Expert help: log in as technologist@demo.cmrnet.org, Live > Request expert help; the demo mentor "
                 "(on call all day) gets a live notification on any open page and accepts with one click.")
    if help_note not in DEMO_NOTES:
        DEMO_NOTES.append(help_note)
