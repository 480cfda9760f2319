"""Demo step: the demo mentor has assigned the dilated-LV phantom to the demo trainee (to read), and
the trainee's reading of the normal phantom is submitted and reviewed, with a comment anchored to a frame,
so the feedback, the comparison and the progress page have something to show. Idempotent; runs after
the library's demo step (INSTALLED_APPS order)."""

from __future__ import annotations

from cmrnet.core.demo import DEMO_NOTES
from cmrnet.interpretation import services
from cmrnet.interpretation.models import Interpretation
from cmrnet.library.models import Case, CaseStatus, Series
from cmrnet.people.models import Supervision, User


def load() -> None:
    mentor = User.objects.filter(email="mentor@demo.cmrnet.org").first()
    trainee = User.objects.filter(email="trainee@demo.cmrnet.org").first()
    if mentor is None or trainee is None or not Supervision.objects.filter(trainee=trainee, supervisor=mentor).exists():
        return
    published = Case.objects.filter(status=CaseStatus.PUBLISHED, phantom=True)
    normal = published.filter(title__icontains="normal").first()
    dilated = published.filter(title__icontains="dilated").first()
    if normal and not Interpretation.objects.filter(trainee=trainee, case=normal).exists():
        reading = services.start_reading(by=trainee, case=normal, mentor=mentor)
        services.submit(by=trainee, interpretation=reading, measurements=[], report={
            "lv_edv_ml": 158, "lv_esv_ml": 71, "lv_sv_ml": 87, "lv_ef_pct": 55, "lge": {}, "perfusion_defects": [],
            "category": "other", "final_diagnosis": "Normal LV size, mass and function"})
        series = Series.objects.filter(study__case=normal).first()
        if series is not None:
            services.add_comment(by=mentor, interpretation=reading, series=series, slice_index=0,
                                 phase_index=max(series.number_of_phases // 2 - 1, 0),
                                 x=(series.columns or 96) / 2, y=(series.rows or 96) / 2,
                                 text="End-systole: the ESV is overestimated; trace inside the trabeculae on this phase.")
        services.complete_review(by=mentor, interpretation=reading, grade="good", full_review=True,
                                 overall_comment="Good systematic read; EF within 5 points, ESV outside 10 %.")
    if dilated and not Interpretation.objects.filter(trainee=trainee, case=dilated).exists():
        services.assign_case(by=mentor, trainee=trainee, case=dilated, note="Measure the LV by disc summation.")
    note = ("Readings: trainee@demo.cmrnet.org has a case to read and a reviewed reading at /interpretation/; "
            "mentor@demo.cmrnet.org reviews there.")
    if note not in DEMO_NOTES:
        DEMO_NOTES.append(note)
