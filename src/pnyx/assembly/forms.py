from django import forms
from django.utils.translation import gettext_lazy as _

from pnyx.lottery.colleges import QUOTA_KINDS

from .models import College, Milestone

RULE_CHOICES = [("", _("no quota"))] + [
    ("parity", _("parity")),
    ("proportional", _("in proportion")),
    ("one_each", _("one seat each")),
]
assert {c for c, _l in RULE_CHOICES if c} == set(QUOTA_KINDS)


class AssemblyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(
        label=_("First session on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_months = forms.IntegerField(
        label=_("Months between renewals"), min_value=1, max_value=60, initial=12
    )
    exclusion_months = forms.IntegerField(
        label=_("Months before a former member may be drawn again"),
        min_value=0,
        max_value=120,
        initial=24,
    )
    answer_days = forms.IntegerField(
        label=_("Days to answer an invitation"), min_value=1, max_value=60, initial=10
    )


class CollegeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=10_000)
    eligibility = forms.ChoiceField(label=_("Eligibility"), choices=College.Eligibility.choices)
    gender = forms.ChoiceField(label=_("Gender"), choices=RULE_CHOICES, required=False)
    region = forms.ChoiceField(label=_("Region"), choices=RULE_CHOICES, required=False)
    age = forms.ChoiceField(label=_("Age band"), choices=RULE_CHOICES, required=False)
    department = forms.ChoiceField(
        label=_("Département (leaders)"), choices=RULE_CHOICES, required=False
    )
    tolerance = forms.IntegerField(label=_("Tolerance (%)"), min_value=0, max_value=50, initial=0)

    def rules(self) -> list[dict]:
        d = self.cleaned_data
        t = (d.get("tolerance") or 0) / 100
        return [
            {"feature": f, "kind": d[f], "tolerance": t}
            for f in ("gender", "region", "age", "department")
            if d.get(f)
        ]


class WaveForm(forms.Form):
    round = forms.IntegerField(
        label=_("Renewal (0: first composition)"), min_value=0, max_value=50, initial=0
    )


class SeedForm(forms.Form):
    seed = forms.CharField(label=_("Public seed"), max_length=200)
    witnesses = forms.CharField(label=_("Witnesses"), max_length=500, required=False)


class DesignateForm(forms.Form):
    member = forms.CharField(label=_("Member id"), max_length=64)
    body = forms.CharField(label=_("Designated by"), max_length=200)
    public_name = forms.CharField(label=_("Name shown"), max_length=120, required=False)


class MilestoneForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Milestone.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class AnswerForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("decline", _("Decline"))])
    public_name = forms.CharField(
        label=_("Your name as it will appear in public"), max_length=120, required=False
    )
