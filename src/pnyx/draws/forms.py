from django import forms
from django.utils.translation import gettext_lazy as _

from .models import FEATURE_LABELS, FEATURES, Draw, Pool


class PoolForm(forms.ModelForm):
    class Meta:
        model = Pool
        fields = ["name", "joined_before", "active_only"]
        widgets = {"joined_before": forms.DateInput(attrs={"type": "date"})}


class DrawForm(forms.ModelForm):
    def __init__(self, *args, convention=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = Pool.objects.filter(convention=convention)
        self.fields["size"].min_value = 1
        self.fields["size"].widget.attrs["min"] = 1
        self.fields["response_days"].min_value = 1

    class Meta:
        model = Draw
        fields = ["title", "pool", "size", "method", "max_per_group", "response_days"]
        labels = {"pool": _("Pool of volunteers")}


class SettingsForm(forms.ModelForm):
    class Meta:
        model = Draw
        fields = ["size", "method", "max_per_group", "response_days"]


class HelperForm(forms.Form):
    HELPERS = [
        ("proportional", _("Proportional to the pool")),
        ("parity", _("Gender parity")),
        ("drop", _("No quota on this feature")),
    ]
    feature = forms.ChoiceField(
        label=_("Category"), choices=[(f, FEATURE_LABELS[f]) for f in FEATURES]
    )
    helper = forms.ChoiceField(label=_("Fill in the quotas"), choices=HELPERS)
    tolerance = forms.IntegerField(
        label=_("Tolerance (%)"), min_value=0, max_value=100, initial=0, required=False
    )


class SeedForm(forms.Form):
    seed = forms.CharField(
        label=_("Public seed"),
        max_length=200,
        help_text=_(
            "For example the witnesses' dice throws, typed in order with spaces: 3 6 1 4 2 5 …"
        ),
    )
    witnesses = forms.CharField(
        label=_("Witnesses"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
