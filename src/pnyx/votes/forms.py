from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pnyx.core.csvsafe import starts_like_formula

from .models import RANKED_METHODS, CredentialMode, Group, Method, Mode, Vote

#: More winners or choices per ballot than this is a typing error (a vote has tens of options).
MAX_OPTIONS = 1000


def default_grades() -> str:
    return ", ".join(
        str(g)
        for g in (
            _("Excellent"),
            _("Very good"),
            _("Good"),
            _("Fair"),
            _("Poor"),
            _("Reject"),
        )
    )


class VoteForm(forms.ModelForm):
    grades_text = forms.CharField(
        label=_("Grade scale"),
        required=False,
        help_text=_("Majority judgment: grades separated by commas, best first."),
    )

    class Meta:
        model = Vote
        fields = [
            "question",
            "description",
            "method",
            "max_choices",
            "exactly",
            "seats",
            "electorate",
            "joined_before",
            "in_hall",
            "opens_at",
            "closes_at",
            "mode",
            "group",
            "credential_mode",
            "threshold",
            "revote",
        ]
        widgets = {
            "joined_before": forms.DateInput(attrs={"type": "date"}),
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "closes_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grades_text"].initial = default_grades()
        # Bounds of their own (SQLite would store any integer): a clear error, never a 500.
        for name in ("seats", "max_choices"):
            field = self.fields[name]
            field.min_value, field.max_value = 1, MAX_OPTIONS
            field.validators += [MinValueValidator(1), MaxValueValidator(MAX_OPTIONS)]
            field.widget.attrs.update(min=1, max=MAX_OPTIONS)
        # Empty mode: verifiable for approval and majority judgment, published when ranked.
        self.fields["mode"].required = False
        self.fields["mode"].choices = [("", _("Automatic (by method)")), *Mode.choices]
        self.fields["mode"].initial = ""
        self.fields["threshold"].help_text = _(
            "Empty: every trustee is needed to decrypt (one key each). A number k: any k of the "
            "trustees can decrypt (threshold key)."
        )
        for name, default in (
            ("group", Group.RISTRETTO255),
            ("credential_mode", CredentialMode.AUTHORITY),
        ):
            self.fields[name].required = False
            self.fields[name].initial = default
        self.fields["threshold"].widget.attrs.update(min=1, max=50)

    def clean(self):
        data = super().clean()
        opens_at, closes_at = data.get("opens_at"), data.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        elif closes_at and closes_at <= timezone.now():
            self.add_error("closes_at", _("The closing time has already passed."))
        if data.get("method") == Method.MJ:
            data["grades"] = [
                g.strip() for g in data.get("grades_text", "").split(",") if g.strip()
            ]
            if any(starts_like_formula(g) for g in data["grades"]):
                # Grades are written as they are into the published ballots file.
                self.add_error(
                    "grades_text",
                    _("A grade cannot start with =, +, - or @ (spreadsheets run it as a formula)."),
                )
        else:
            data["grades"] = []
        data["group"] = data.get("group") or Group.RISTRETTO255
        data["credential_mode"] = data.get("credential_mode") or CredentialMode.AUTHORITY
        if not data.get("mode"):
            data["mode"] = (
                Mode.PUBLISHED if data.get("method") in RANKED_METHODS else Mode.VERIFIABLE
            )
        if data["mode"] == Mode.VERIFIABLE and data.get("method") in RANKED_METHODS:
            self.add_error("mode", _("Ranked votes are counted from published ballots only."))
        return data


class OptionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    code = forms.CharField(
        label=_("Code"), max_length=40, required=False, help_text=_("Empty: P01, P02...")
    )
    author_name = forms.CharField(label=_("Author"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Your proposal"), max_length=300)
    description = forms.CharField(
        label=_("Why (optional)"),
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class ReceiptForm(forms.Form):
    receipt = forms.CharField(label=_("Your receipt"), max_length=64)
