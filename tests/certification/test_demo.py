import datetime as dt


def test_the_demo_step_is_idempotent_and_fills_the_register(db):
    from cmrnet.certification.models import BoardChair, Certificate
    from cmrnet.certification.selectors import public_register
    from cmrnet.core.demo import load_demo

    load_demo()
    load_demo()
    assert Certificate.objects.count() == 1
    assert BoardChair.objects.get(body="EACVI").person.email == "board@demo.cmrnet.org"
    entries = public_register(today=dt.date(2026, 11, 23), name="Clara")
    assert [(e.name, e.country, e.level, e.valid_until, e.status) for e in entries] == [
        ("Dr Clara Certified", "DE", 2, dt.date(2029, 3, 1), "Active")]
