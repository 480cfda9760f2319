from django import forms

from cmrnet.library.models import CATEGORY_CHOICES, Difficulty


class CaseForm(forms.Form):
    title = forms.CharField(max_length=200)
    category = forms.ChoiceField(choices=CATEGORY_CHOICES)
    difficulty = forms.ChoiceField(choices=Difficulty.choices, initial=Difficulty.INTERMEDIATE)
    normal = forms.BooleanField(required=False, label="A normal study")
    teaching_points = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class ReferenceForm(forms.Form):
    """The structured reference report: volumes, mass, 17 AHA segments (wall motion, LGE pattern, perfusion)."""

    NUMBERS = [("lv_edv_ml", "LV EDV (ml)"), ("lv_esv_ml", "LV ESV (ml)"), ("lv_ef_pct", "LV EF (%)"), ("lv_sv_ml", "LV SV (ml)"),
               ("rv_edv_ml", "RV EDV (ml)"), ("rv_esv_ml", "RV ESV (ml)"), ("rv_ef_pct", "RV EF (%)"), ("rv_sv_ml", "RV SV (ml)"),
               ("lv_mass_g", "LV mass (g)"), ("bsa_m2", "Body surface area (m²)"), ("lv_mass_index_g_m2", "LV mass index (g/m²)")]

    def __init__(self, *args, report=None, **kwargs):
        from cmrnet.library.models import AHA_SEGMENTS, LgePattern, WallMotion

        super().__init__(*args, **kwargs)
        for name, label in self.NUMBERS:
            self.fields[name] = forms.FloatField(label=label, required=False, min_value=0,
                                                 max_value=100 if name.endswith("_pct") else None)
        for number, segment in AHA_SEGMENTS.items():
            self.fields[f"wm_{number}"] = forms.ChoiceField(label=f"{number} {segment}", required=False,
                                                            choices=[("", "not assessed"), *WallMotion.choices])
            self.fields[f"lge_{number}"] = forms.ChoiceField(label=f"{number} {segment}", required=False, choices=LgePattern.choices)
            self.fields[f"perf_{number}"] = forms.BooleanField(label=f"{number} {segment}", required=False)
        self.fields["valve_findings"] = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
        self.fields["final_diagnosis"] = forms.CharField(max_length=300, required=False)
        if report is not None and not self.is_bound:
            for name, _ in self.NUMBERS:
                self.initial[name] = getattr(report, name)
            for number in AHA_SEGMENTS:
                self.initial[f"wm_{number}"] = (report.wall_motion or {}).get(str(number), "")
                self.initial[f"lge_{number}"] = (report.lge or {}).get(str(number), "none")
                self.initial[f"perf_{number}"] = number in (report.perfusion_defects or [])
            self.initial["valve_findings"], self.initial["final_diagnosis"] = report.valve_findings, report.final_diagnosis

    def segment_rows(self):
        from cmrnet.library.models import AHA_SEGMENTS

        return [(n, name, self[f"wm_{n}"], self[f"lge_{n}"], self[f"perf_{n}"]) for n, name in AHA_SEGMENTS.items()]

    def number_fields(self):
        return [self[name] for name, _ in self.NUMBERS]

    def report_fields(self) -> dict:
        from cmrnet.library.models import AHA_SEGMENTS

        data = self.cleaned_data
        out = {name: data.get(name) for name, _ in self.NUMBERS}
        out["wall_motion"] = {str(n): data[f"wm_{n}"] for n in AHA_SEGMENTS if data.get(f"wm_{n}")}
        out["lge"] = {str(n): data[f"lge_{n}"] for n in AHA_SEGMENTS if data.get(f"lge_{n}") not in ("", "none")}
        out["perfusion_defects"] = [n for n in AHA_SEGMENTS if data.get(f"perf_{n}")]
        out["valve_findings"], out["final_diagnosis"] = data["valve_findings"], data["final_diagnosis"]
        return out


class CollectionForm(forms.Form):
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    cases = forms.ModelMultipleChoiceField(queryset=None, required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, cases=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases
        self.fields["cases"].label_from_instance = lambda c: f"{c.title} ({c.pseudonym}, {c.category_label})"
