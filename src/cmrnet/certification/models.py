"""Certification: applications, declarations, snapshots, grading, certificates, requests, audits.

Thin models; the rules live in `cmrnet.rules` (verdicts), `windows.py` (dates) and `states.py`
(the state machine). Writes go through `services`.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models

from cmrnet.certification.languages import LANGUAGE_CHOICES, Doc
from cmrnet.certification.states import State
from cmrnet.people.models import Body

USER = settings.AUTH_USER_MODEL


class Route(models.TextChoices):
    """Every route id a shipped rule set defines (an application opens only on a route of its own rule
    set: `route_choices`), plus recertification."""

    LEVEL1 = "level1", "Level 1"
    LEVEL2 = "level2", "Level 2"
    LEVEL3_VIA_LEVEL2 = "level3-via-level2", "Level 3 via Level 2"
    LEVEL3_DIRECT = "level3-direct", "Direct Level 3"
    LEVEL3 = "level3", "Level 3"
    RECERTIFICATION = "recertification", "Recertification"


DEFAULT_RULESET = {Body.EACVI: "eacvi-2025", Body.SCMR: "scmr-2018"}
LEVELS = [(1, "Level 1"), (2, "Level 2"), (3, "Level 3")]


def route_choices(body: str) -> list[tuple[str, str]]:
    """(route id, label) of every route the body's rule set defines, in the rule set's order."""
    from cmrnet import rules

    ruleset = DEFAULT_RULESET.get(body)
    return rules.route_choices(ruleset) if ruleset else []


def route_level(ruleset: str, route: str) -> int:
    from cmrnet import rules

    return rules.load_ruleset(ruleset).route(route).level


class Application(models.Model):
    """A candidate's application for certification (or recertification) at a level."""

    class Kind(models.TextChoices):
        INITIAL = "initial", "Certification"
        RECERTIFICATION = "recertification", "Recertification"

    class FeeCategory(models.TextChoices):
        """Seed 004, *Recertification fee*: recorded only; cmrnet processes no payment."""

        MEMBER = "member", "Member (EACVI Silver Member: EUR 75 excluding VAT)"
        NON_MEMBER = "non_member", "Non-member or EACVI Associate (EUR 200 excluding VAT)"

    candidate = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="certification_applications")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.INITIAL)
    body = models.CharField(max_length=8, choices=Body.choices, default=Body.EACVI)
    level = models.PositiveSmallIntegerField(choices=LEVELS)
    route = models.CharField(max_length=24, choices=Route.choices)
    ruleset = models.CharField(max_length=40, default="eacvi-2025")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    exam_pass = models.ForeignKey("people.ExamPass", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    renews = models.ForeignKey("Certificate", null=True, blank=True, on_delete=models.PROTECT, related_name="renewals",
                               help_text="For a recertification: the certificate being renewed.")
    supervisors = models.ManyToManyField(USER, blank=True, related_name="certification_applications_supervised",
                                         help_text="The named Level 3 supervisors who sign the declaration.")
    chair = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                              help_text="Board member designated to decide when the graders disagree.")
    continuing_practice = models.TextField(blank=True, help_text="Recertification: evidence of continuing practice.")
    fee_category = models.CharField("recertification fee category", max_length=12, choices=FeeCategory.choices,
                                    blank=True, help_text="Recertification: member or non-member (no payment here).")
    refusal_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    first_submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.body} {self.get_route_display()} #{self.pk} ({self.candidate})"

    @property
    def is_recertification(self) -> bool:
        return self.kind == self.Kind.RECERTIFICATION


class Transition(models.Model):
    """History of the application's states: who moved it, when, and why (kept for ever)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=20, choices=State.choices)
    to_state = models.CharField(max_length=20, choices=State.choices)
    by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField()
    reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]


class Document(models.Model):
    class Kind(models.TextChoices):
        REGISTRATION = "registration", "Medical registration"
        ACLS = "acls", "ACLS / advanced life support evidence"
        ATTENDANCE = "attendance", "CME attendance certificate"
        PEER_RECOGNITION = "peer_recognition", "Peer-recognition evidence (Level 3)"
        CONTINUING_PRACTICE = "continuing_practice", "Evidence of continuing practice"
        TRANSLATION = "translation", "English translation"
        OTHER = "other", "Other"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    file = models.FileField(upload_to="certification/documents/%Y/")
    title = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en",
                                help_text="The document's language; a non-English one needs an English translation.")
    translation_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="translations", help_text="The document this translates into English.")
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title or self.file.name.rsplit('/', 1)[-1]}"

    def as_language_doc(self) -> Doc:
        return Doc(id=self.pk, label=f"Document '{self}'", language=self.language, translation_of=self.translation_of_id)


class Declaration(models.Model):
    """A supervisor's signed declaration: the exact text, when, and the logbook version it covered."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="declarations")
    supervisor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="certification_declarations")
    text = models.TextField()
    signed_at = models.DateTimeField()
    signed_on = models.DateField()
    logbook_version = models.CharField(max_length=128)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-signed_at", "-id"]


class Snapshot(models.Model):
    """The application and its logbook exactly as submitted: a zip of the rule-engine package."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="snapshots")
    number = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    logbook_version = models.CharField(max_length=128)
    sha256 = models.CharField(max_length=64)
    file = models.FileField(upload_to="certification/snapshots/%Y/")
    evaluation = models.JSONField(default=dict)
    declarations = models.JSONField(default=list, help_text="Who signed what, covering which logbook version.")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["application", "number"], name="one_snapshot_number")]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("A submitted snapshot is never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("A submitted snapshot is never deleted.")


class GraderAssignment(models.Model):
    class Result(models.TextChoices):
        PASS = "pass", "Pass"
        FAIL = "fail", "Fail"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="assignments")
    grader = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="grading_assignments")
    assigned_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    assigned_at = models.DateTimeField()
    result = models.CharField(max_length=4, choices=Result.choices, blank=True)
    comments = models.TextField(blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [models.UniqueConstraint(fields=["application", "grader"], name="one_assignment_per_grader")]


class InfoRequest(models.Model):
    """A grader (or the office) asks the candidate for more information, e.g. a case report."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="info_requests")
    asked_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    question = models.TextField()
    asked_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]


class BoardChair(models.Model):
    """The exam board member who decides when graders disagree (one per body)."""

    body = models.CharField(max_length=8, choices=Body.choices, unique=True)
    person = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    since = models.DateField()


class Appeal(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        UPHELD = "upheld", "Upheld: certification granted"
        DISMISSED = "dismissed", "Dismissed"

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="appeal")
    reasons = models.TextField()
    filed_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)


def new_code() -> str:
    return secrets.token_urlsafe(18)


def could_be_code(text: str) -> bool:
    """Whether text could be a verification code at all (PostgreSQL refuses NUL in a text comparison)."""
    return bool(text) and text.isprintable() and len(text) <= 64


class Certificate(models.Model):
    """A certificate issued by cmrnet: the people.Certification plus an unguessable verification code."""

    certification = models.OneToOneField("people.Certification", on_delete=models.PROTECT, related_name="certificate")
    application = models.ForeignKey(Application, null=True, blank=True, on_delete=models.PROTECT, related_name="certificates")
    code = models.CharField(max_length=40, unique=True, default=new_code, editable=False)
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        c = self.certification
        return f"{c.body} CMR Level {c.level}: {c.holder} (valid until {c.valid_until})"


class Reminder(models.Model):
    """A recertification reminder e-mail, due on a date computed when the certificate was issued."""

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="reminders")
    due_on = models.DateField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    skipped_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["due_on"]
        constraints = [models.UniqueConstraint(fields=["certificate", "due_on"], name="one_reminder_per_day")]


class MisconductDecision(models.Model):
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="misconduct_decisions")
    decided_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_on = models.DateField()
    reason = models.TextField()
    supervisor_certifications = models.ManyToManyField("people.Certification", blank=True, related_name="+",
                                                       help_text="Supervisors' Level 3 certifications revoked too.")
    referred_to = models.CharField("referred to national body", max_length=200, blank=True,
                                   help_text="Seed 004: in extreme cases, reporting to the national society or the "
                                             "national body for professional registration.")
    referral_note = models.TextField(blank=True, help_text="Reference and grounds of the referral.")


class BoardRequest(models.Model):
    """What every request to the board carries: when it came, and the board's dated decision."""

    submitted_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    board_comment = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-submitted_on", "-id"]


class RemoteSupervisionRequest(BoardRequest):
    class SupervisorResponse(models.TextChoices):
        PENDING = "pending", "Not yet answered"
        CONFIRMED = "confirmed", "Confirmed by the remote supervisor"
        DECLINED = "declined", "Declined by the remote supervisor"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    candidate = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="remote_supervision_requests")
    reason = models.TextField("reason for seeking remote supervision")
    annual_caseload = models.PositiveIntegerField("annual CMR caseload at your institution")
    local_supervision = models.TextField("level of supervision at your institution",
                                         help_text="e.g. 'cardiologist with five years CMR experience, but no formal certification in CMR'")
    remote_supervisor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="remote_supervision_offers")
    arrangements = models.TextField("proposed arrangements", help_text="e.g. regular attendance at the supervisor's institution, teleconferences")
    contact_time = models.CharField("anticipated contact time", max_length=200)
    assessment_methods = models.TextField("methods of assessment")
    training_starts_on = models.DateField("training starts on")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    supervisor_response = models.CharField(max_length=10, choices=SupervisorResponse.choices,
                                           default=SupervisorResponse.PENDING)
    supervisor_responded_on = models.DateField(null=True, blank=True)
    supervisor_comment = models.TextField(blank=True)

    class Meta(BoardRequest.Meta):
        pass


class RequestMessage(models.Model):
    """The board and the named remote supervisor write to each other about a request; kept with it."""

    request = models.ForeignKey(RemoteSupervisionRequest, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at", "id"]


class ExtensionRequest(BoardRequest):
    class Kind(models.TextChoices):
        LOGBOOK = "logbook", "Logbook deadline"
        RECERTIFICATION = "recertification", "Recertification window"

    class Reason(models.TextChoices):
        PARENTAL_LEAVE = "parental_leave", "Parental leave"
        LESS_THAN_FULL_TIME = "less_than_full_time", "Less-than-full-time work"
        ILLNESS = "illness", "Illness of the candidate"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    candidate = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="extension_requests")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    exam_pass = models.ForeignKey("people.ExamPass", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    certificate = models.ForeignKey(Certificate, null=True, blank=True, on_delete=models.PROTECT, related_name="extension_requests")
    reason = models.CharField(max_length=24, choices=Reason.choices)
    explanation = models.TextField(blank=True)
    months = models.PositiveSmallIntegerField("extension requested (months)")
    supervisor_letter = models.FileField(upload_to="certification/extensions/%Y/")
    deadline_before = models.DateField()
    new_deadline = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    class Meta(BoardRequest.Meta):
        pass


class RandomAudit(models.Model):
    """A documented random sample of certified candidates to cross-check with supervisors and centres."""

    drawn_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField()
    seed = models.BigIntegerField()
    sample_size = models.PositiveIntegerField()
    population = models.JSONField(help_text="Certificate ids the sample was drawn from, in order.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-drawn_at"]


class AuditCheck(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed by supervisor and centre"
        DISCREPANCY = "discrepancy", "Discrepancy found"

    audit = models.ForeignKey(RandomAudit, on_delete=models.CASCADE, related_name="checks")
    certificate = models.ForeignKey(Certificate, on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    notes = models.TextField(blank=True)
    checked_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    checked_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]


class SpecialCircumstancesRequest(BoardRequest):
    """Seed 004, *Special circumstances*: "an application for certification which falls outside the above
    routes for Level 2 and Level 3 may be considered ... stating why your application should be considered".
    The candidate drafts it with documents, submits it; the board decides, with reasons."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted to the exam board"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    candidate = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="special_circumstances_requests")
    body = models.CharField(max_length=8, choices=Body.choices, default=Body.EACVI)
    level = models.PositiveSmallIntegerField(choices=[(2, "Level 2"), (3, "Level 3")])
    statement = models.TextField("why your application should be considered",
                                 help_text="Your training and experience, and why the usual routes do not fit.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(null=True, blank=True)

    class Meta(BoardRequest.Meta):
        pass

    def __str__(self) -> str:
        return f"Special circumstances #{self.pk}: {self.candidate}, {self.body} Level {self.level}"


class SpecialCircumstancesDocument(models.Model):
    request = models.ForeignKey(SpecialCircumstancesRequest, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="certification/special/%Y/")
    title = models.CharField(max_length=200)
    language = models.CharField(max_length=8, choices=LANGUAGE_CHOICES, default="en")
    translation_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE,
                                       related_name="translations")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.title

    def as_language_doc(self) -> Doc:
        return Doc(id=self.pk, label=f"Document '{self.title}'", language=self.language,
                   translation_of=self.translation_of_id)
