"""Demo step: a programme that meets SCMR's stipulations (enrolment open, the demo trainee enrolled), and
two outcome cohorts that reproduce the network paper's survey (seed 000): 97 participants; network
teaching with five weeks of off-site training and one week to the first self-conducted scan; more than one
month to the first own scan for 32 % of the traditionally trained. The individual values are illustrative:
only the published figures (medians and the share) are the paper's."""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from cmrnet.network.models import Centre
from cmrnet.people.models import User
from cmrnet.programmes import services
from cmrnet.programmes.checklist import REQUIRED_CATEGORIES
from cmrnet.programmes.models import Cohort, Enrolment, Programme

TITLE = "Module-based CMR network teaching (demo)"
# The demo library holds known-truth LV phantoms only; the reading set needs a case of every disease category,
# so the demo adds small phantoms filed under the missing ones, titled as stand-ins (not real disease).
STAND_IN = {"ischaemic": (190, 120, 150), "valvular": (230, 110, 170), "congenital": (170, 80, 110),
            "aortic_vascular": (150, 60, 120), "pericardial": (120, 50, 100), "mass": (150, 65, 125),
            "cardiomyopathy": (260, 190, 170)}
SOURCE = ("Survey of 97 participants of traditional fellowship and module-based network CMR teaching "
          "(J Cardiovasc Magn Reson 2015;17(Suppl 1):P228): reported figures reproduced; individual values illustrative.")

# Network teaching: 47 surveyed. Off-site days: median 35 (five weeks); days to the first own scan: median 7.
NETWORK_OFF_SITE = [28] * 10 + [35] * 27 + [42] * 10
NETWORK_FIRST_SCAN = [5] * 8 + [6] * 10 + [7] * 11 + [8] * 10 + [9] * 8
# Traditional fellowship: 50 surveyed; 16 of 50 (32 %) took more than one month to their first own scan.
TRADITIONAL_OFF_SITE = [91] * 10 + [182] * 25 + [365] * 15
TRADITIONAL_FIRST_SCAN = [10, 12, 14, 14, 15, 18, 20, 21, 21, 21, 24, 25, 28, 28, 28, 28, 30] * 2 + [35, 40, 42, 45, 50, 56, 60, 70,
                                                                                                  35, 38, 42, 49, 56, 63, 75, 90]


def cohort_rows() -> tuple[list[dict], list[dict]]:
    network = [{"off_site_days": o, "days_to_first_own_scan": d, "surveyed": True, "survey_score": 4.4}
               for o, d in zip(NETWORK_OFF_SITE, NETWORK_FIRST_SCAN)]
    traditional = [{"off_site_days": o, "days_to_first_own_scan": d, "surveyed": True, "survey_score": 3.7}
                   for o, d in zip(TRADITIONAL_OFF_SITE, TRADITIONAL_FIRST_SCAN)]
    return network, traditional


def load_cohorts() -> None:
    network, traditional = cohort_rows()
    if not Cohort.objects.filter(name="Network teaching, 2009-2014 (survey)").exists():
        services.import_outcomes(by=None, name="Network teaching, 2009-2014 (survey)", kind=Cohort.Kind.NETWORK, rows=network,
                                 source=SOURCE, year=2014)
    if not Cohort.objects.filter(name="Traditional fellowship (survey)").exists():
        services.import_outcomes(by=None, name="Traditional fellowship (survey)", kind=Cohort.Kind.TRADITIONAL, rows=traditional,
                                 source=SOURCE, year=2014)


def _programme(director: User, lead: User, host: Centre) -> Programme:
    today = timezone.localdate()
    start = today + dt.timedelta(days=14)
    programme = services.create_programme(
        by=director, faculty=[lead], title=TITLE, host_centre=host, director=director, lead=lead, starts_on=start,
        ends_on=start + dt.timedelta(weeks=16), time_zone="Europe/Berlin", capacity=12, delivery_mode="blended",
        enrolment_policy="application", stress_in_person=True, devices_in_person=True,
        description="Five weeks on site at the host centre; the rest over live video from the trainee's own hospital.",
        training_record_note=f"{host.trainees_trained} trainees trained on site since {host.training_since}.",
        training_record_document=ContentFile(b"%PDF-1.4\n% demo training record\n", name="training-record.pdf"),
        video_equipment_statement="Diagnostic-grade monitors at each site; the console is shared at native resolution.",
        privacy_statement="Only de-identified studies are shown; rooms are not recorded; local data-protection agreements signed.",
        scmr_feedback_arrangement="Mid and end surveys; the anonymous results are exported to SCMR.")
    services.add_module(by=director, programme=programme, title="Physics, safety and protocols",
                        objectives="Explain the physics of the core sequences\nApply MR safety, stress and device protocols",
                        session_kinds=["didactic_live", "planning"], covers_safety=True)
    services.add_module(by=director, programme=programme, title="Acquisition and reading",
                        objectives="Plan and run a complete CMR study\nReport complete studies across disease categories",
                        session_kinds=["scan_observation", "interpretation"])
    reading_set = _reading_set(lead)
    day = dt.datetime.combine(start + dt.timedelta(days=1), dt.time(8, 0), tzinfo=dt.UTC)
    for offset, kind, title, extra in (
            (0, "didactic_live", "CMR physics and safety", {"covers_safety": True}),
            (2, "scan_observation", "Live scan: ischaemia protocol", {}),
            (4, "planning", "Planning and troubleshooting", {}),
            (6, "interpretation", "Reading group: complete studies",
             {"cases": reading_set})):
        services.add_session(by=director, programme=programme, kind=kind, title=title, mentor=lead,
                             starts_at=day + dt.timedelta(days=offset), ends_at=day + dt.timedelta(days=offset, hours=1), **extra)
    services.open_enrolment(by=director, programme=programme, today=today)
    return programme


def _stand_in(mentor: User, category: str):
    """A small known-truth phantom published under `category` (a demo stand-in for a case of that category)."""
    import tempfile
    from pathlib import Path

    from cmrnet.library import ingest, phantom
    from cmrnet.library import services as library
    from cmrnet.library.models import Ingest
    from cmrnet.logbook.models import CATEGORY_LABELS

    edv, esv, mass = STAND_IN[category]
    label = CATEGORY_LABELS[category].lower()
    case = library.create_case(by=mentor, title=f"Reading-set stand-in ({label}): known-truth LV phantom", category=category,
                               teaching_points="Demo stand-in: a phantom filed under this category, not a real study of it.",
                               phantom=True)
    truth, cine, heights = phantom.generate(edv, esv, mass, phases=8, slices=4, matrix=64)  # small: the demo runs in tests
    with tempfile.TemporaryDirectory() as folder:
        phantom.write_dicom(Path(folder), truth, cine, heights)
        ingest.ingest(by=mentor, case=case, files=ingest.read_folder(Path(folder)), source=Ingest.Source.DEMO)
    library.save_reference_report(by=mentor, case=case, lv_edv_ml=edv, lv_esv_ml=esv, lv_mass_g=mass,
                                  bsa_m2=case.studies.first().bsa_m2, wall_motion={str(s): "normal" for s in range(1, 18)},
                                  lge={}, perfusion_defects=[], valve_findings="Not assessed (phantom).",
                                  final_diagnosis=f"Phantom standing in for {label} (demo)")
    return library.publish_case(by=mentor, case=case)


def _reading_set(mentor: User) -> list:
    """One published library case of every required category (the library's own where it has one)."""
    from cmrnet.library.models import Case, CaseStatus

    cases = []
    for category in REQUIRED_CATEGORIES:
        case = Case.objects.filter(status=CaseStatus.PUBLISHED, category=category).order_by("pk").first()
        cases.append(case or _stand_in(mentor, category))
    return cases


def _centre_facts(host: Centre) -> None:
    """What the network records about the host centre: service lead, sector, an accreditation."""
    from cmrnet.network.services import add_accreditation, update_centre

    if not host.service_lead:
        update_centre(by=None, centre=host, service_lead="joint", sector="public")
    if not host.accreditations.exists():
        add_accreditation(by=None, centre=host, body="SCMR", title="CMR laboratory accreditation (demo)",
                          awarded_on=dt.date(2024, 5, 1), expires_on=dt.date(2027, 5, 1), reference="DEMO-LAB-1")


def load() -> None:
    load_cohorts()
    host = Centre.objects.filter(name="Berlin-Buch Heart Centre").first()
    if host:
        _centre_facts(host)
    if Programme.objects.filter(title=TITLE).exists():
        return
    director = User.objects.filter(email="director@demo.cmrnet.org").first()
    lead = User.objects.filter(email="mentor@demo.cmrnet.org").first()
    trainee = User.objects.filter(email="trainee@demo.cmrnet.org").first()
    host = Centre.objects.filter(name="Berlin-Buch Heart Centre").first()
    if not (director and lead and trainee and host):
        return
    programme = _programme(director, lead, host)
    enrolment = services.apply(by=trainee, programme=programme, statement="Demo application.", now=timezone.now())
    if enrolment.status == Enrolment.Status.APPLIED:
        services.accept(by=director, enrolment=enrolment, now=timezone.now())
