"""core.actions.attempt: one shape for pages that run a service."""

from __future__ import annotations

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from cmrnet.core.actions import attempt, form_problems, problems


def request():
    r = RequestFactory().post("/")
    r.session = {}
    r._messages = FallbackStorage(r)
    return r


class TitleForm(forms.Form):
    title = forms.CharField()
    capacity = forms.IntegerField()


def refuse(error):
    def call():
        raise error
    return call


def test_problems_name_the_field_and_leave_a_refusal_without_one_as_it_is():
    assert problems(ValidationError({"trainee_id": "Not a trainee.", "__all__": ["Closed."]})) == \
        ["trainee id: Not a trainee.", "Closed."]
    assert problems(ValidationError(["Enrolment is not open.", "Try later."])) == ["Enrolment is not open. Try later."]


def test_a_refusal_without_a_form_becomes_error_messages_and_no_success():
    r = request()
    outcome = attempt(r, refuse(ValidationError({"capacity": "Too small."})), success="Saved.")
    assert (outcome.ok, outcome.value) == (False, None)
    assert [(m.level_tag, m.message) for m in get_messages(r)] == [("error", "capacity: Too small.")]


def test_a_refusal_goes_onto_the_forms_field_or_onto_the_form_as_a_whole():
    form = TitleForm({"title": "T", "capacity": "3"})
    assert form.is_valid()
    r = request()
    outcome = attempt(r, refuse(ValidationError({"capacity": "Too small.", "director": "Not a director."})), form=form)
    assert outcome.ok is False
    assert form.errors == {"capacity": ["Too small."], "__all__": ["Not a director."]}
    assert list(get_messages(r)) == []
    plain = TitleForm({"title": "T", "capacity": "3"})
    plain.is_valid()
    attempt(request(), refuse(ValidationError("Enrolment is not open.")), form=plain)
    assert plain.non_field_errors() == ["Enrolment is not open."]


def test_success_gives_the_result_and_a_message_made_from_it():
    r = request()
    outcome = attempt(r, lambda: 41 + 1, success=lambda value: f"Made {value}.")
    assert (outcome.ok, outcome.value) == (True, 42)
    assert [m.message for m in get_messages(r)] == ["Made 42."]
    assert attempt(request(), lambda: None).ok is True   # a service returning nothing still succeeds


def test_form_problems_in_one_sentence():
    form = TitleForm({"title": ""})
    form.is_valid()
    assert form_problems(form) == "title: This field is required.; capacity: This field is required."
