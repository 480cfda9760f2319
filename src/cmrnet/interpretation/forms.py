"""The structured report a trainee fills (the same fields as the library's reference report), the
mentor's comment and review, the assignment and the tolerance settings."""

from __future__ import annotations

from django import forms

from cmrnet.core.widgets import DayInput
from cmrnet.interpretation.comparison import NUMERIC_FIELDS
from cmrnet.interpretation.models import TOLERANCE_PARAMETERS, Grade
from cmrnet.library.models import AHA_SEGMENTS, LgePattern, WallMotion
from cmrnet.logbook.models import CATEGORY_LABELS

LGE_CHOICES = [("", "—")] + [(v, label) for v, label in LgePattern.choices if v != LgePattern.NONE]
WALL_CHOICES = [("", "—")] + list(WallMotion.choices)


class ReportForm(forms.Form):
    category = forms.ChoiceField(label="Disease category", required=False,
                                 choices=[("", "—")] + list(CATEGORY_LABELS.items()))
    final_diagnosis = forms.CharField(label="Final diagnosis", max_length=300, required=False)
    valve_findings = forms.CharField(label="Valve findings", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    no_lge = forms.BooleanField(label="No LGE in any segment", required=False)
    no_perfusion_defect = forms.BooleanField(label="No perfusion defect", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label, unit in NUMERIC_FIELDS:
            top = 100 if unit == "%" else 10000
            self.fields[name] = forms.DecimalField(label=f"{label} ({unit})", required=False, min_value=0,
                                                   max_value=top, decimal_places=1, max_digits=6,
                                                   widget=forms.NumberInput(attrs={"step": "0.1"}))
        for n, name in AHA_SEGMENTS.items():
            self.fields[f"wm_{n}"] = forms.ChoiceField(label=f"{n} {name}: wall motion", choices=WALL_CHOICES, required=False)
            self.fields[f"lge_{n}"] = forms.ChoiceField(label=f"{n} {name}: LGE", choices=LGE_CHOICES, required=False)
            self.fields[f"perf_{n}"] = forms.BooleanField(label=f"{n} {name}: perfusion defect", required=False)

    def numeric_fields(self):
        return [self[name] for name, *_ in NUMERIC_FIELDS]

    def segment_rows(self):
        return [{"n": n, "name": name, "wm": self[f"wm_{n}"], "lge": self[f"lge_{n}"], "perf": self[f"perf_{n}"]}
                for n, name in AHA_SEGMENTS.items()]

    def clean(self):
        data = super().clean()
        if data.get("no_lge") and any(data.get(f"lge_{n}") for n in AHA_SEGMENTS):
            self.add_error("no_lge", "You marked LGE in some segments: untick 'No LGE' or clear them.")
        if data.get("no_perfusion_defect") and any(data.get(f"perf_{n}") for n in AHA_SEGMENTS):
            self.add_error("no_perfusion_defect", "You marked perfusion defects: untick 'No perfusion defect' or clear them.")
        return data

    def report(self) -> dict:
        """The report as the comparison reads it: None = not answered, {} / [] = answered "none"."""
        d = self.cleaned_data
        report = {name: (float(d[name]) if d.get(name) is not None else None) for name, *_ in NUMERIC_FIELDS}
        wall = {str(n): d[f"wm_{n}"] for n in AHA_SEGMENTS if d.get(f"wm_{n}")}
        lge = {str(n): d[f"lge_{n}"] for n in AHA_SEGMENTS if d.get(f"lge_{n}")}
        perf = [n for n in AHA_SEGMENTS if d.get(f"perf_{n}")]
        report.update(
            wall_motion=wall or None, lge=lge if lge or d.get("no_lge") else None,
            perfusion_defects=perf if perf or d.get("no_perfusion_defect") else None,
            valve_findings=d.get("valve_findings", "").strip(), category=d.get("category") or "",
            final_diagnosis=d.get("final_diagnosis", "").strip())
        return report

    @staticmethod
    def initial_from(report: dict) -> dict:
        initial = {name: report.get(name) for name, *_ in NUMERIC_FIELDS}
        initial.update(category=report.get("category", ""), final_diagnosis=report.get("final_diagnosis", ""),
                       valve_findings=report.get("valve_findings", ""),
                       no_lge=report.get("lge") == {}, no_perfusion_defect=report.get("perfusion_defects") == [])
        for n in AHA_SEGMENTS:
            initial[f"wm_{n}"] = (report.get("wall_motion") or {}).get(str(n), "")
            initial[f"lge_{n}"] = (report.get("lge") or {}).get(str(n), "")
            initial[f"perf_{n}"] = n in (report.get("perfusion_defects") or [])
        return initial


class CommentForm(forms.Form):
    text = forms.CharField(label="Comment", widget=forms.Textarea(attrs={"rows": 3}))
    anchor_series = forms.IntegerField(required=False, widget=forms.HiddenInput)
    anchor_slice = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    anchor_phase = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    anchor_x = forms.FloatField(required=False, widget=forms.HiddenInput)
    anchor_y = forms.FloatField(required=False, widget=forms.HiddenInput)


class ReviewForm(forms.Form):
    grade = forms.ChoiceField(label="Overall grade", choices=[("", "—")] + list(Grade.choices))
    overall_comment = forms.CharField(label="Overall comment", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    full_review = forms.BooleanField(label="Full review done (every part of the report was reviewed)", required=False)


class AssignForm(forms.Form):
    trainee = forms.ModelChoiceField(label="Trainee", queryset=None)
    case = forms.ModelChoiceField(label="Case", queryset=None)
    due_on = forms.DateField(label="Due on", required=False, widget=DayInput())
    note = forms.CharField(label="Note to the trainee", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, trainees, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["trainee"].queryset = trainees
        self.fields["case"].queryset = cases
        self.fields["case"].label_from_instance = lambda c: f"{c.pseudonym}: {c.title} ({c.category_label})"


class StartForm(forms.Form):
    mentor = forms.ModelChoiceField(label="Mentor who reviews it", queryset=None, required=False,
                                    empty_label="any of my supervisors")

    def __init__(self, *args, mentors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = mentors


class ToleranceForm(forms.Form):
    parameter = forms.ChoiceField(choices=TOLERANCE_PARAMETERS)
    absolute = forms.DecimalField(label="Absolute (unit of the parameter)", required=False, min_value=0,
                                  max_digits=8, decimal_places=2)
    relative_pct = forms.DecimalField(label="Relative (%)", required=False, min_value=0, max_digits=5, decimal_places=2)
    max_mismatch = forms.IntegerField(label="Segments that may differ", required=False, min_value=0, max_value=17)
