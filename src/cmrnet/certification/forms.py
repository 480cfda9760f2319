from django import forms

from cmrnet.core.countries import CountryField
from cmrnet.certification.models import (
    Application, AuditCheck, Document, ExtensionRequest, GraderAssignment, RemoteSupervisionRequest, route_choices,
)
from cmrnet.certification.languages import LANGUAGE_CHOICES
from cmrnet.people.forms import DATE, validate_evidence
from cmrnet.people.models import Body, User
from cmrnet.people.roles import Role

TEXT = forms.Textarea(attrs={"rows": 3})


class ApplicationForm(forms.Form):
    """Body and route; the routes offered are those each body's rule set defines (rules.route_choices)."""

    body = forms.ChoiceField(choices=Body.choices, initial=Body.EACVI)
    route = forms.ChoiceField(choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["route"].choices = [(Body(body).label, route_choices(body)) for body in Body.values
                                        if route_choices(body)]

    def clean(self):
        data = super().clean()
        body, route = data.get("body"), data.get("route")
        if body and route and route not in dict(route_choices(body)):
            self.add_error("route", f"The {body} rule set defines only: "
                                    f"{', '.join(label for _, label in route_choices(body))}.")
        return data


class SupervisorsForm(forms.Form):
    supervisors = forms.ModelMultipleChoiceField(queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple,
                                                 label="Level 3 supervisors who sign the declaration")

    def __init__(self, *args, candidate: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisors"].queryset = User.objects.filter(supervising__trainee=candidate).distinct()


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(choices=Document.Kind.choices, label="Document")
    file = forms.FileField(help_text="PDF, PNG or JPEG, at most 5 MB. No patient data.")
    title = forms.CharField(required=False, max_length=200)
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en", label="Written in", required=False,
                                 help_text="A document not in English needs an English translation before you submit.")

    def clean_language(self):
        return self.cleaned_data.get("language") or "en"  # a post without it (API clients, old forms): English
    translation_of = forms.ChoiceField(required=False, label="English translation of",
                                       help_text="Only for an English translation: the document it translates.")

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        originals = application.documents.exclude(language="en") if application is not None else Document.objects.none()
        self.originals = {str(d.pk): d for d in originals}
        self.fields["translation_of"].choices = [("", "-")] + [(k, f"{d} ({d.language})") for k, d in self.originals.items()]

    def clean_translation_of(self):
        return self.originals.get(self.cleaned_data.get("translation_of") or "")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_evidence(upload)
        return upload


class DeclarationForm(forms.Form):
    text = forms.CharField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(label="I sign this declaration")


class ReasonsForm(forms.Form):
    reasons = forms.CharField(widget=TEXT, label="Reasons")


class GradeForm(forms.Form):
    result = forms.ChoiceField(choices=GraderAssignment.Result.choices, widget=forms.RadioSelect, label="Grade")
    comments = forms.CharField(widget=TEXT)


class CmeHoursForm(forms.Form):
    hours = forms.DecimalField(min_value=0, max_value=999, decimal_places=2, required=False, label="Accepted hours",
                               help_text="Empty: remove the committee's figure (the rules decide again).")
    reason = forms.CharField(widget=TEXT, label="Reason")


class QuestionForm(forms.Form):
    question = forms.CharField(widget=TEXT, label="Question for the candidate")


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=TEXT, label="Your answer")


class ChairDecisionForm(forms.Form):
    result = forms.ChoiceField(choices=[("pass", "Pass"), ("fail", "Fail")], widget=forms.RadioSelect, label="Decision")
    reasons = forms.CharField(widget=TEXT, label="Reasons for the decision")


class AppealDecisionForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("upheld", "Uphold: grant certification"), ("dismissed", "Dismiss")],
                                widget=forms.RadioSelect)
    reasons = forms.CharField(widget=TEXT, label="Reasons for the decision")


class ConfirmForm(forms.Form):
    note = forms.CharField(widget=TEXT, required=False, label="Note for the candidate")


class AssignForm(forms.Form):
    grader = forms.ChoiceField(label="Grader")

    def __init__(self, *args, eligible, **kwargs):
        super().__init__(*args, **kwargs)
        self.eligible = {str(g.pk): g for g, _ in eligible}
        self.fields["grader"].choices = [
            (str(g.pk), f"{g.full_name} ({g.centre or 'no centre'}; {g.languages}){' - language match' if match else ''}")
            for g, match in eligible]

    def clean_grader(self):
        return self.eligible[self.cleaned_data["grader"]]


class ChairForm(forms.Form):
    body = forms.ChoiceField(choices=Body.choices)
    person = forms.ModelChoiceField(queryset=User.objects.filter(role_grants__role=Role.EXAM_BOARD), label="Chair")


class RevokeForm(forms.Form):
    on = forms.DateField(widget=DATE, label="Revoked with effect from")
    reason = forms.CharField(widget=TEXT, label="Misconduct decision and reason")
    supervisor_certifications = forms.ModelMultipleChoiceField(
        queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        label="Also revoke the supervisor's Level 3 certification")
    referred_to = forms.CharField(required=False, max_length=200, label="Referred to national body",
                                  help_text="In extreme cases: the national society or body for professional registration.")
    referral_note = forms.CharField(widget=TEXT, required=False, label="Referral reference and grounds")

    def __init__(self, *args, supervisor_certifications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor_certifications"].queryset = supervisor_certifications


class RemoteSupervisionForm(forms.ModelForm):
    class Meta:
        model = RemoteSupervisionRequest
        fields = ["reason", "annual_caseload", "local_supervision", "remote_supervisor", "arrangements",
                  "contact_time", "assessment_methods", "training_starts_on"]
        widgets = {"training_starts_on": DATE, "reason": TEXT, "local_supervision": TEXT, "arrangements": TEXT,
                   "assessment_methods": TEXT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remote_supervisor"].queryset = User.objects.filter(certifications__level=3).distinct()


class SupervisorResponseForm(forms.Form):
    response = forms.ChoiceField(choices=[("confirm", "I confirm that I will supervise this candidate remotely"),
                                          ("decline", "I decline")], widget=forms.RadioSelect, label="Your answer")
    comment = forms.CharField(widget=TEXT, required=False, help_text="Required when you decline.")


class RequestMessageForm(forms.Form):
    body = forms.CharField(widget=TEXT, label="Message", max_length=5000)


class SpecialRequestForm(forms.Form):
    body = forms.ChoiceField(choices=Body.choices, initial=Body.EACVI)
    level = forms.TypedChoiceField(choices=[(2, "Level 2"), (3, "Level 3")], coerce=int)
    statement = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label="Why your application should be considered",
                                help_text="Your CMR training and experience, and why the usual Level 2 / Level 3 routes do not fit.")


class SpecialDocumentForm(forms.Form):
    title = forms.CharField(max_length=200)
    file = forms.FileField(help_text="PDF, PNG or JPEG, at most 5 MB. No patient data.")
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en", label="Written in")
    translation_of = forms.ChoiceField(required=False, label="English translation of")

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        originals = request.documents.exclude(language="en") if request is not None else []
        self.originals = {str(d.pk): d for d in originals}
        self.fields["translation_of"].choices = [("", "-")] + [(k, f"{d} ({d.language})") for k, d in self.originals.items()]

    def clean_translation_of(self):
        return self.originals.get(self.cleaned_data.get("translation_of") or "")


class RemoteDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("changes", "Ask for changes"), ("decline", "Decline")],
                                 widget=forms.RadioSelect)
    comment = forms.CharField(widget=TEXT, required=False)


class ExtensionForm(forms.Form):
    kind = forms.ChoiceField(choices=ExtensionRequest.Kind.choices)
    certificate = forms.ChoiceField(required=False, help_text="For a recertification extension.")
    reason = forms.ChoiceField(choices=ExtensionRequest.Reason.choices)
    explanation = forms.CharField(widget=TEXT, required=False)
    months = forms.IntegerField(min_value=1, max_value=12, label="Extension requested (months)")
    supervisor_letter = forms.FileField(label="Signed letter from your supervisor", help_text="PDF, PNG or JPEG, at most 5 MB.")

    def __init__(self, *args, certificates, **kwargs):
        super().__init__(*args, **kwargs)
        self.certificates = {str(c.pk): c for c in certificates}
        self.fields["certificate"].choices = [("", "-")] + [(k, str(c)) for k, c in self.certificates.items()]

    def clean_certificate(self):
        return self.certificates.get(self.cleaned_data.get("certificate") or "")

    def clean_supervisor_letter(self):
        upload = self.cleaned_data["supervisor_letter"]
        validate_evidence(upload)
        return upload


class ExtensionDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("decline", "Decline")], widget=forms.RadioSelect)
    comment = forms.CharField(widget=TEXT, required=False)


class AuditDrawForm(forms.Form):
    sample_size = forms.IntegerField(min_value=1, initial=5)
    note = forms.CharField(widget=TEXT, required=False, label="Purpose / scope")


class AuditCheckForm(forms.Form):
    outcome = forms.ChoiceField(choices=[c for c in AuditCheck.Outcome.choices if c[0] != "pending"])
    notes = forms.CharField(widget=TEXT, required=False)


class RecertificationForm(forms.Form):
    fee_category = forms.ChoiceField(choices=Application.FeeCategory.choices, widget=forms.RadioSelect,
                                     label="Recertification fee category",
                                     help_text="Recorded with the application; payment is made to the board, not here.")
    continuing_practice = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}),
                                          label="Evidence of continuing CMR practice",
                                          help_text="Your CMR practice since certification: setting, studies per year, role.")


class RegisterFilterForm(forms.Form):
    name = forms.CharField(required=False)
    country = CountryField(required=False, blank="any country")
    level = forms.TypedChoiceField(choices=[("", "any"), ("1", "Level 1"), ("2", "Level 2"), ("3", "Level 3")], coerce=int, required=False,
                                   empty_value=None)


class ExamPassForm(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.filter(role_grants__role=Role.TRAINEE).distinct(),
                                    label="Candidate")
    body = forms.ChoiceField(choices=Body.choices, initial=Body.EACVI)
    exam_date = forms.DateField(widget=DATE, label="Exam sat on")
    results_released_on = forms.DateField(widget=DATE, label="Results released on")
    reference = forms.CharField(required=False, max_length=100, help_text="e.g. the sitting or result letter")

    def clean(self):
        data = super().clean()
        if data.get("exam_date") and data.get("results_released_on") and data["results_released_on"] < data["exam_date"]:
            self.add_error("results_released_on", "Results are released on or after the exam date.")
        return data
