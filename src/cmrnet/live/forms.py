from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import lru_cache

from django import forms

from cmrnet.core.widgets import DayInput
from cmrnet.live.models import LiveSession, ParticipantRole, SessionKind
from cmrnet.network.models import Centre, Scanner
from cmrnet.people.models import User

DATE = DayInput()
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


@lru_cache(maxsize=1)
def zone_choices() -> list[tuple[str, str]]:
    names = sorted(z for z in zoneinfo.available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return [(z, z.replace("_", " ")) for z in names]


def local_datetime(day: dt.date, time: dt.time, zone_name: str) -> dt.datetime:
    """`day` `time` on the wall clock of `zone_name`; refuses a time skipped by a clock change."""
    zone = zoneinfo.ZoneInfo(zone_name)
    value = dt.datetime.combine(day, time, tzinfo=zone)
    if value.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None) != value.replace(tzinfo=None):
        raise forms.ValidationError(f"{day} {time:%H:%M} does not exist in {zone_name} (the clocks change then).")
    return value


class SessionForm(forms.Form):
    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=SessionKind.choices, initial=SessionKind.SUPERVISED_SCAN)
    day = forms.DateField(label="Date", widget=DATE)
    start = forms.TimeField(label="Starts at", widget=TIME)
    end = forms.TimeField(label="Ends at", widget=TIME)
    time_zone = forms.ChoiceField(label="Time zone", help_text="The times above are on this zone's clock; every participant sees them in their own.")
    centre = forms.ModelChoiceField(Centre.objects.all(), required=False, label="Site (centre)",
                                    help_text="Where the scanner is: its staff may join, its people may hand over scan control.")
    scanner = forms.ModelChoiceField(Scanner.objects.filter(active=True).select_related("centre"), required=False)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                  help_text="No patient identifiers.")

    def __init__(self, *args, zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = zone_choices()
        self.fields["time_zone"].initial = zone
        self.fields["scanner"].label_from_instance = lambda s: f"{s.centre.name}: {s}"

    def clean(self):
        data = super().clean()
        if {"day", "start", "end", "time_zone"} <= set(data):
            try:
                data["starts_at"] = local_datetime(data["day"], data["start"], data["time_zone"])
                data["ends_at"] = local_datetime(data["day"], data["end"], data["time_zone"])
            except forms.ValidationError as exc:
                raise forms.ValidationError({"start": exc.messages}) from None
            if data["ends_at"] <= data["starts_at"]:
                self.add_error("end", "The session ends before it starts.")
        scanner, centre = data.get("scanner"), data.get("centre")
        if scanner and centre and scanner.centre_id != centre.pk:
            self.add_error("scanner", f"{scanner.name} belongs to {scanner.centre}, not {centre}.")
        if scanner and not centre:
            data["centre"] = scanner.centre
        return data

    def session_values(self) -> dict:
        d = self.cleaned_data
        return {k: d[k] for k in ("title", "kind", "description", "starts_at", "ends_at", "time_zone", "centre", "scanner")}

    @classmethod
    def initial_for(cls, session: LiveSession) -> dict:
        zone = zoneinfo.ZoneInfo(session.time_zone)
        start, end = session.starts_at.astimezone(zone), session.ends_at.astimezone(zone)
        return {"title": session.title, "kind": session.kind, "day": start.date(), "start": start.time(), "end": end.time(),
                "time_zone": session.time_zone, "centre": session.centre, "scanner": session.scanner,
                "description": session.description}


class InviteForm(forms.Form):
    person = forms.ModelChoiceField(User.objects.filter(is_active=True).select_related("centre"))
    role = forms.ChoiceField(choices=ParticipantRole.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].label_from_instance = lambda p: f"{p.full_name} ({p.centre or 'no centre'})"


class RespondForm(forms.Form):
    response = forms.ChoiceField(choices=[("accepted", "Accept"), ("declined", "Decline")])


class CreditForm(forms.Form):
    supervisor = forms.ModelChoiceField(User.objects.none(), help_text="Only time when you and this supervisor were both in the room counts.")
    start = forms.DateField(label="From", widget=DATE)
    end = forms.DateField(label="To", widget=DATE)

    def __init__(self, *args, supervisors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["supervisor"].queryset = supervisors

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The period ends before it starts.")
        return data


class ControlGrantForm(forms.Form):
    grantee = forms.ModelChoiceField(User.objects.none(), label="Remote expert")
    mode = forms.ChoiceField(choices=[("view", "View only"), ("control", "Full control (mouse and keyboard)")], initial="view",
                             widget=forms.RadioSelect)
    minutes = forms.IntegerField(min_value=1, max_value=240, initial=15, label="For (minutes)")

    def __init__(self, *args, experts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grantee"].queryset = User.objects.filter(pk__in=[p.pk for p in experts])


class HelpRequestForm(forms.Form):
    scanner = forms.ModelChoiceField(Scanner.objects.none(), required=False, empty_label="(not about one scanner)")
    reason = forms.CharField(max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="A few words: what is wrong or what you need. No patient identifiers.")

    def __init__(self, *args, centre, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scanner"].queryset = Scanner.objects.filter(centre=centre, active=True)


class RotaForm(forms.Form):
    expert = forms.ModelChoiceField(User.objects.none(), help_text="People holding a current Level 3 today.")
    centre = forms.ModelChoiceField(Centre.objects.all(), required=False, empty_label="Whole network",
                                    help_text="Empty: on call for every centre.")
    weekday = forms.TypedChoiceField(coerce=int, choices=[(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"),
                                                          (4, "Friday"), (5, "Saturday"), (6, "Sunday")])
    starts = forms.TimeField(widget=TIME)
    ends = forms.TimeField(widget=TIME, help_text="At or before the start: the slot runs past midnight.")
    time_zone = forms.ChoiceField()
    tier = forms.IntegerField(min_value=1, max_value=9, initial=1, help_text="1 is called first; 2 after the first escalation...")
    valid_from = forms.DateField(required=False, widget=DATE)
    valid_until = forms.DateField(required=False, widget=DATE)

    def __init__(self, *args, experts, zone: str, centres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = experts
        self.fields["time_zone"].choices = zone_choices()
        self.fields["time_zone"].initial = zone
        if centres is not None:
            self.fields["centre"].queryset = centres
            self.fields["centre"].required = True
