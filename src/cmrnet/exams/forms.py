from django import forms
from django.utils import timezone

from cmrnet.exams.models import OPTION_LETTERS, AppealStatus, CutMethod, DecisionAction, Item, ItemStatus, Topic
from cmrnet.people.forms import DATE
from cmrnet.people.models import User
from cmrnet.people.timezones import validate_time_zone, zone_or_default

MAX_MEDIA_BYTES = 20 * 1024 * 1024
MEDIA_TYPES = {".png": (b"\x89PNG",), ".jpg": (b"\xff\xd8",), ".jpeg": (b"\xff\xd8",),
               ".mp4": (), ".webm": (b"\x1a\x45\xdf\xa3",)}
DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def validate_media(upload) -> None:
    """Item media: PNG/JPEG image or MP4/WebM video, at most 20 MB (extension and magic bytes)."""
    if not upload or not hasattr(upload, "size"):
        return
    name = upload.name.lower()
    ext = next((e for e in MEDIA_TYPES if name.endswith(e)), None)
    if ext is None:
        raise forms.ValidationError("Upload a PNG or JPEG image, or an MP4 or WebM video.")
    if upload.size > MAX_MEDIA_BYTES:
        raise forms.ValidationError("The file is larger than 20 MB.")
    head = upload.read(12)
    upload.seek(0)
    magic = MEDIA_TYPES[ext]
    ok = head[4:8] == b"ftyp" if ext == ".mp4" else any(head.startswith(m) for m in magic)
    if not ok:
        raise forms.ValidationError("The file's content does not match its type.")


class ItemForm(forms.Form):
    topic = forms.ModelChoiceField(queryset=Topic.objects.all())
    stem = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), label="Stem (clinical scenario and question)",
                           help_text="Plain text; a blank line starts a new paragraph.")
    option_a = forms.CharField(label="Option A", widget=forms.Textarea(attrs={"rows": 1}))
    option_b = forms.CharField(label="Option B", widget=forms.Textarea(attrs={"rows": 1}))
    option_c = forms.CharField(label="Option C", widget=forms.Textarea(attrs={"rows": 1}))
    option_d = forms.CharField(label="Option D", widget=forms.Textarea(attrs={"rows": 1}))
    option_e = forms.CharField(label="Option E", widget=forms.Textarea(attrs={"rows": 1}))
    key = forms.ChoiceField(choices=[(c, c) for c in OPTION_LETTERS], label="Key (single best answer)")
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    references = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    media = forms.FileField(required=False, label="Image or video", help_text="PNG/JPEG or MP4/WebM, at most 20 MB.")
    note = forms.CharField(required=False, max_length=200, label="What changed (for the history)")

    def clean_media(self):
        upload = self.cleaned_data.get("media")
        validate_media(upload)
        return upload


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("return", "Return to the author")])
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class ItemFilterForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=[("", "any status"), *ItemStatus.choices])
    topic = forms.ModelChoiceField(required=False, queryset=Topic.objects.all(), empty_label="any topic")
    q = forms.CharField(required=False, label="Code or text")


class ImportForm(forms.Form):
    file = forms.FileField(label="Items file (JSON)", help_text="Format cmrnet-exam-items/1, see docs/exams.md.")


class ProposeForm(forms.Form):
    title = forms.CharField(max_length=200)
    n_items = forms.IntegerField(min_value=1, max_value=300, initial=100, label="Number of items")


class AddItemForm(forms.Form):
    item = forms.ModelChoiceField(queryset=Item.objects.filter(status=ItemStatus.APPROVED))


class SittingForm(forms.Form):
    title = forms.CharField(max_length=200)
    start_opens = forms.DateTimeField(widget=DT, label="Start window opens (sitting's time zone)",
                                      help_text="On the clock of the sitting's time zone, chosen below.")
    start_closes = forms.DateTimeField(widget=DT, label="Start window closes (sitting's time zone)",
                                       help_text="On the clock of the sitting's time zone, chosen below.")
    duration_minutes = forms.IntegerField(min_value=1, initial=180, label="Duration (minutes)")
    shuffle_items = forms.BooleanField(required=False, label="Shuffle item order per candidate")
    shuffle_options = forms.BooleanField(required=False, label="Shuffle option order per candidate")
    time_zone = forms.CharField(max_length=64, required=False, label="Time zone of the sitting",
                                validators=[validate_time_zone],
                                help_text="IANA name, e.g. Europe/Paris or America/New_York; empty: the site's time "
                                          "zone. The start window above is read on this clock, and candidates' "
                                          "messages state times on it.")

    def clean(self):
        """The start window's clock times are wall-clock times of the sitting's zone, not the server's."""
        data = super().clean()
        if "time_zone" in data and not self.errors.get("time_zone"):
            zone = zone_or_default(data["time_zone"])
            for name in ("start_opens", "start_closes"):
                if data.get(name):
                    data[name] = timezone.make_aware(timezone.make_naive(data[name]), zone)
        return data


class RegisterForm(forms.Form):
    candidate = forms.ModelChoiceField(queryset=User.objects.filter(is_active=True))
    slot = forms.ModelChoiceField(queryset=None, required=False, label="Start time", empty_label="no start time")
    extra_minutes = forms.IntegerField(min_value=0, initial=0, label="Extra time (minutes)")
    accommodation_note = forms.CharField(required=False, max_length=200)
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="Required when registering someone the self-registration rules would refuse "
                                       "(window, eligibility or a full start time).")

    def __init__(self, *args, sitting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = sitting.slots.all()
        if not sitting.slots.exists():
            del self.fields["slot"]


class RegistrationSettingsForm(forms.Form):
    self_registration = forms.BooleanField(required=False, label="Candidates register themselves")
    registration_opens_on = forms.DateField(widget=DATE, required=False, label="Registration opens on",
                                            help_text="Empty: 3 calendar months before the exam.")
    registration_closes_on = forms.DateField(widget=DATE, required=False, label="Registration closes on",
                                             help_text="Empty: the day before the exam.")


class SlotForm(forms.Form):
    starts_at = forms.DateTimeField(widget=DT, label="Start time")
    capacity = forms.IntegerField(min_value=1, label="Places")

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["starts_at"].label = f"Start time ({zone_label(zone)})"

    def clean(self):
        """The start time typed is a wall-clock time of the sitting's zone, not the server's."""
        data = super().clean()
        if data.get("starts_at"):
            data["starts_at"] = timezone.make_aware(timezone.make_naive(data["starts_at"]), self.zone)
        return data


def zone_label(zone, moment=None) -> str:
    """'Europe/Paris, CET': the zone's name and its abbreviation at `moment` (now when not given)."""
    moment = (moment or timezone.now()).astimezone(zone)
    return f"{zone.key}, {moment:%Z}"


class SelfRegistrationForm(forms.Form):
    slot = forms.ModelChoiceField(queryset=None, widget=forms.RadioSelect, label="Start time", empty_label=None)
    physician = forms.BooleanField(label="I am a qualified physician involved in CMR, with a current medical registration",
                                   required=False)

    def __init__(self, *args, sitting, **kwargs):
        super().__init__(*args, **kwargs)
        from cmrnet.exams.services.registration import places_left

        slots = list(sitting.slots.all())
        self.fields["slot"].queryset = sitting.slots.all()
        self.fields["slot"].label_from_instance = lambda s: (
            f"{timezone.localtime(s.starts_at):%H:%M} - {places_left(s)} of {s.capacity} places left")
        if not slots:
            del self.fields["slot"]


class AccommodationForm(forms.Form):
    extra_minutes = forms.IntegerField(min_value=0, label="Extra time (minutes)")
    accommodation_note = forms.CharField(required=False, max_length=200)


class IncidentForm(forms.Form):
    candidate = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="whole sitting")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Incident")

    def __init__(self, *args, sitting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sitting is not None:
            self.fields["candidate"].queryset = User.objects.filter(exam_registrations__sitting=sitting)


class DecisionForm(forms.Form):
    action = forms.ChoiceField(choices=DecisionAction.choices)
    new_key = forms.ChoiceField(required=False, choices=[("", "–"), *[(c, c) for c in OPTION_LETTERS]],
                                label="New key")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class HofsteeForm(forms.Form):
    cut_min = forms.FloatField(min_value=0, max_value=100, label="Lowest acceptable cut (% of max)")
    cut_max = forms.FloatField(min_value=0, max_value=100, label="Highest acceptable cut (% of max)")
    fail_min = forms.FloatField(min_value=0, max_value=100, label="Lowest acceptable fail rate (%)")
    fail_max = forms.FloatField(min_value=0, max_value=100, label="Highest acceptable fail rate (%)")


class CutForm(forms.Form):
    method = forms.ChoiceField(choices=CutMethod.choices, label="Standard-setting method")
    rationale = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why this method")


class AppealForm(forms.Form):
    reasons = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Reasons for your appeal")


class AppealDecisionForm(forms.Form):
    status = forms.ChoiceField(choices=[(AppealStatus.UPHELD, "Upheld"), (AppealStatus.REJECTED, "Rejected")],
                               label="Decision")
    decision = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Decision and grounds")
