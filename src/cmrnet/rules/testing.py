"""Generated, realistic applications for tests, demos and benchmarks.

``make_compliant_application(route)`` returns ``ApplicationData`` that meets
every rule of the route in ``eacvi-2025`` (and the SCMR levels when the case
count is high enough), dated around ``exam_date``.  Deterministic for a seed.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from .dates import add_months
from .model import (ApplicationData, Candidate, Case, CmeActivity, Level2Certificate,
                    PeerRecognition, SupervisorCert, TrainingPeriod)

# Share of each category in a generated logbook (sums to 1).
CATEGORY_MIX = (
    ("ischaemic", 0.30), ("cardiomyopathy", 0.30), ("valvular", 0.10), ("congenital", 0.08),
    ("aortic_vascular", 0.07), ("pericardial", 0.05), ("mass", 0.05), ("other", 0.05),
)
ROUTE_DEFAULT_CASES = {"level1": 0, "level2": 160, "level3-via-level2": 160, "level3-direct": 310}
SUPERVISORS = ("sup-eacvi-01", "sup-scmr-02")


def patient_key(seed: str, index: int) -> str:
    """A pseudonymous patient key like ``p-3f9a0c1d2e4b``."""
    return "p-" + hashlib.sha256(f"{seed}:{index}".encode()).hexdigest()[:12]


def make_cases(count: int, first_day: date, last_day: date, *, seed: int = 0, prefix: str = "c",
               other_centre: int | None = None, course: int | None = None) -> list[Case]:
    """``count`` eligible cases spread over first_day..last_day, all rules respected."""
    rng = random.Random(f"{seed}:{prefix}")
    span = (last_day - first_day).days
    categories = _category_sequence(count)
    rng.shuffle(categories)
    normals = set(rng.sample(range(count), count // 12))          # about 8 %
    other_centre = count // 10 if other_centre is None else other_centre
    course = count // 15 if course is None else course
    special = rng.sample(range(count), other_centre + course)
    sources = {i: "other_centre" for i in special[:other_centre]}
    sources.update({i: "course" for i in special[other_centre:]})
    days = sorted(first_day + timedelta(days=rng.randint(0, span)) for _ in range(count))
    cases = []
    for i in range(count):
        source = sources.get(i, "own_centre")
        cases.append(Case(
            case_id=f"{prefix}{i + 1:04d}",
            study_date=days[i],
            patient_key=patient_key(f"{seed}:{prefix}", i),
            category=categories[i],
            normal=i in normals,
            source=source,
            course_id="eacvi-cmr-course-2025" if source == "course" else "",
            role="primary_operator" if rng.random() < 0.6 else "reporting",
            control_room=source == "own_centre" and rng.random() < 0.85,
            supervisor_id=SUPERVISORS[i % 2],
            clinical_change=False,
            full_review=True if source == "course" else None,
        ))
    return cases


def _category_sequence(count: int) -> list[str]:
    names = []
    for name, share in CATEGORY_MIX:
        names += [name] * int(count * share)
    names += ["other"] * (count - len(names))
    return names


def make_supervisors(exam_date: date) -> list[SupervisorCert]:
    return [
        SupervisorCert(SUPERVISORS[0], "EACVI", 3, add_months(exam_date, -72), add_months(exam_date, 60)),
        SupervisorCert(SUPERVISORS[1], "SCMR", 3, add_months(exam_date, -48), add_months(exam_date, 72)),
    ]


def make_training(start: date, months: int, hours: float = 40.0) -> list[TrainingPeriod]:
    """Full-time training for ``months`` calendar months, in two periods."""
    half = max(months // 2, 1)
    middle = add_months(start, half)
    end = add_months(start, months) - timedelta(days=1)
    periods = [TrainingPeriod("t1", start, middle - timedelta(days=1), hours, SUPERVISORS[0], "Home centre")]
    if middle <= end:
        periods.append(TrainingPeriod("t2", middle, end, hours, SUPERVISORS[1], "Partner centre"))
    return periods


def make_cme(exam_date: date, hours: int) -> list[CmeActivity]:
    """Accepted CME worth at least ``hours`` from several sources."""
    year = exam_date - timedelta(days=300)
    catalogue = [
        ("eurocmr", "EuroCMR", "EACVI", "congress", 3, 18, ""),
        ("scmr", "SCMR Annual Scientific Sessions", "SCMR", "congress", 3, 24, "scmr-annual"),
        ("bscmr", "BSCMR Annual Meeting", "BSCMR", "congress", 1, 6, "bscmr-annual"),
        ("intro", "SCMR Introductory Online Course in CMR", "SCMR", "online", 1, 10, "scmr-intro-online"),
        ("medm", "Medmastery Online Course - Cardiac MRI Essentials", "Medmastery", "online", 1, 14,
         "medmastery-cmr-essentials"),
    ]
    activities, total, month = [], 0, 0
    while total < hours:
        key, title, provider, kind, days, credits, catalog_id = catalogue[len(activities) % len(catalogue)]
        start = add_months(year, month)
        activities.append(CmeActivity(
            f"cme-{len(activities) + 1:02d}", title, provider, kind, start,
            start + timedelta(days=days - 1), float(credits), 1, catalog_id, f"certificate-{key}.pdf"))
        total += min(credits, 8 * days)
        month += 2
    return activities


def make_compliant_application(route: str = "level2", *, cases: int | None = None, seed: int = 0,
                               exam_date: date = date(2025, 11, 7)) -> ApplicationData:
    """A compliant EACVI application for ``route`` with ``cases`` logbook cases."""
    count = cases if cases is not None else ROUTE_DEFAULT_CASES[route]
    if route == "level1":
        return _level1(exam_date)
    if route == "level3-via-level2":
        return _via_level2(count, seed, exam_date)
    level3 = route == "level3-direct"
    first, last = add_months(exam_date, -12), add_months(exam_date, 10 if level3 else 6)
    candidate = Candidate(
        exam_date=exam_date, exam_passed=True,
        registration_valid_until=date(exam_date.year + 5, 12, 31),
        acls_valid_until=add_months(exam_date, 30),
        application_date=add_months(exam_date, 12 if level3 else 8),
        supervisor_declaration=True,
        peer_recognition=PeerRecognition(publications=3) if level3 else PeerRecognition(),
    )
    return ApplicationData(
        candidate=candidate,
        cases=make_cases(count, first, last, seed=seed),
        supervisors=make_supervisors(exam_date),
        training=make_training(add_months(exam_date, -12), 13 if level3 else 4),
        cme=make_cme(exam_date, 55 if level3 else 30),
    )


def _via_level2(count: int, seed: int, exam_date: date) -> ApplicationData:
    level2_cases = make_cases(150, add_months(exam_date, -12), add_months(exam_date, 6), seed=seed, prefix="l2-")
    awarded = add_months(exam_date, 12)
    application = add_months(awarded, 30)
    candidate = Candidate(
        exam_date=exam_date, exam_passed=True,
        registration_valid_until=date(application.year + 3, 12, 31),
        acls_valid_until=add_months(application, 12),
        application_date=application, supervisor_declaration=True,
        peer_recognition=PeerRecognition(cme_faculty=2, invited_talks=1),
        level2=Level2Certificate(awarded, add_months(awarded, 60), tuple(level2_cases)),
    )
    return ApplicationData(
        candidate=candidate,
        cases=make_cases(count, add_months(application, -22), add_months(application, -1), seed=seed + 1),
        supervisors=make_supervisors(exam_date),
        training=make_training(add_months(application, -20), 10),
        cme=make_cme(add_months(application, -6), 30),
    )


def _level1(day: date) -> ApplicationData:
    """Level 1: a completed EACVI Level 1 Course (all modules) and a current registration."""
    course = CmeActivity("cme-l1", "EACVI Level 1 Course", "EACVI", "online", add_months(day, -3),
                         add_months(day, -2), 9.0, 1, "eacvi-level1-course", "certificate-level1.pdf",
                         full_attendance=True)
    candidate = Candidate(registration_valid_until=date(day.year + 5, 12, 31), application_date=day)
    return ApplicationData(candidate=candidate, cme=(course,))
