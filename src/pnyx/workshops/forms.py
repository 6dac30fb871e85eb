from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from pnyx.programme.models import Campaign, Topic

from .models import Hall, Output, Purpose


class HallForm(forms.ModelForm):
    class Meta:
        model = Hall
        fields = [
            "parts",
            "table_min",
            "table_max",
            "columns",
            "remix",
            "seed",
            "campaigns",
            "topic_max_share",
        ]
        widgets = {"campaigns": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaigns"].queryset = Campaign.objects.filter(
            convention=self.instance.convention
        )
        self.fields["campaigns"].help_text = _("None checked: all the campaigns, in their order.")
        self.fields["parts"].min_value = 1
        self.fields["topic_max_share"].widget.attrs.update(min="0.05", max="1", step="0.01")

    def clean(self):
        data = super().clean()
        lo, hi = data.get("table_min"), data.get("table_max")
        if lo is not None and hi is not None and hi < lo:
            raise forms.ValidationError(_("The largest table cannot be smaller than the smallest."))
        share = data.get("topic_max_share")
        if share is not None and not 0 < share <= 1:
            self.add_error("topic_max_share", _("A share between 0 and 1, for example 0.35."))
        return data


class StepForm(forms.Form):
    purpose = forms.ChoiceField(label=_("What the tables produce"), choices=Purpose.choices)


class InviteForm(forms.Form):
    member_ids = forms.CharField(
        label=_("Member ids of invited participants"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One member id per line (or separated by commas or spaces)."),
    )

    def ids(self) -> list[str]:
        return self.cleaned_data["member_ids"].replace(",", " ").split()


class MoveForm(forms.Form):
    participant = forms.IntegerField(label=_("Participant number"), min_value=1)
    step = forms.IntegerField(label=_("Step"), min_value=1, initial=1)
    table = forms.IntegerField(label=_("To table"), min_value=1)


ORDINALS = [_("First choice"), _("Second choice"), _("Third choice"), _("Fourth choice")]


class RankingForm(forms.Form):
    """One select per rank; every topic at most once."""

    def __init__(self, *args, topics, initial_ranking=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = list(topics)
        choices = [("", "—")] + [(str(t.pk), t.name) for t in self.topics]
        for i in range(len(self.topics)):
            label = ORDINALS[i] if i < len(ORDINALS) else _("Choice %(n)d") % {"n": i + 1}
            self.fields[f"rank{i + 1}"] = forms.ChoiceField(
                label=label,
                choices=choices,
                required=i == 0,
                initial=str(initial_ranking[i]) if i < len(initial_ranking) else "",
            )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"rank{i + 1}") for i in range(len(self.topics))]
        chosen = [c for c in chosen if c]
        if len(set(chosen)) != len(chosen):
            raise forms.ValidationError(_("Rank each topic only once."))
        by_pk = {str(t.pk): t for t in self.topics}
        self.ranking: list[Topic] = [by_pk[c] for c in chosen]
        return data


class OutputForm(forms.Form):
    """The fields of one step's purpose (or of a topic), filled by the table's facilitator."""

    def __init__(self, *args, fields, instance: Output | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in fields:
            model_field = Output._meta.get_field(name)
            self.fields[name] = forms.CharField(
                label=model_field.verbose_name,
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 6}),
                initial=getattr(instance, name, ""),
            )
        self.fields["facilitator"] = forms.CharField(
            label=_("Your first name (facilitator)"),
            required=False,
            max_length=150,
            initial=getattr(instance, "facilitator", ""),
        )
