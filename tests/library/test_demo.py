"""The demo library: phantoms with their truth as reference reports, a real MR image, a screenshot in quarantine."""

import pytest

from cmrnet.library.models import Case, CaseStatus, Collection, Instance, QuarantineStatus


@pytest.mark.django_db
def test_demo_library_is_published_and_idempotent(client):
    from cmrnet.core.demo import load_demo

    load_demo()
    first = Case.objects.count()
    load_demo()
    assert Case.objects.count() == first  # idempotent, the programmes demo's reading-set stand-ins included
    library = Case.objects.exclude(title__startswith="Reading-set stand-in")  # cmrnet.programmes.demo adds those
    phantoms = library.filter(phantom=True)
    assert phantoms.count() == 3 and library.count() == 4
    assert set(Case.objects.values_list("status", flat=True)) == {CaseStatus.PUBLISHED}
    dilated = phantoms.get(title__contains="dilated")
    assert (dilated.reference.lv_edv_ml, dilated.reference.lv_esv_ml, dilated.reference.lv_mass_g) == (260, 190, 170)
    assert round(dilated.reference.lv_ef_pct) == 27 and dilated.reference.lv_mass_index_g_m2 > 0
    series = dilated.studies.get().series.get()
    assert (series.kind, series.number_of_phases, series.number_of_slices) == ("cine_sax", 14, 6)
    assert Instance.objects.filter(quarantine_status=QuarantineStatus.PENDING).count() == 1
    assert Collection.objects.count() == 2
