from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import MAX_JUSTIFICATION, MAX_TEXT, Amendment

#: The largest Markdown file accepted (and the body limit of the import page, pnyx.core.bodies).
MAX_MARKDOWN_BYTES = 256 * 1024

_DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ImportForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        required=False,
        help_text=_("Empty: the file's first heading (# …)."),
    )
    file = forms.FileField(
        label=_("Markdown file"),
        required=False,
        help_text=_("Each heading starts a section, each paragraph is an article."),
    )
    source = forms.CharField(
        label=_("…or paste the text"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )
    opens_at = forms.DateTimeField(label=_("Amendments open at"), required=False, widget=_DATETIME)
    closes_at = forms.DateTimeField(
        label=_("Amendments close at"), required=False, widget=_DATETIME
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload is not None:
            if upload.size > MAX_MARKDOWN_BYTES:
                raise forms.ValidationError(
                    _("The file is larger than %(n)d KB.") % {"n": MAX_MARKDOWN_BYTES // 1024}
                )
            try:
                data["source"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        if not (data.get("source") or "").strip():
            raise forms.ValidationError(_("Choose a Markdown file or paste the text."))
        return data


class WindowForm(forms.Form):
    opens_at = forms.DateTimeField(label=_("Amendments open at"), widget=_DATETIME)
    closes_at = forms.DateTimeField(label=_("Amendments close at"), widget=_DATETIME)


class AmendmentForm(forms.Form):
    article = forms.TypedChoiceField(label=_("Article"), coerce=int)
    kind = forms.ChoiceField(
        label=_("Amendment"), choices=Amendment.Kind.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("New wording"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The article as it would read (or the article to add). Empty to delete."),
    )
    justification = forms.CharField(
        label=_("Justification"),
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, articles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["article"].choices = [
            (a.pk, f"{a.number}. {a.text[:70]}{'…' if len(a.text) > 70 else ''}") for a in articles
        ]


class TableAmendmentForm(AmendmentForm):
    table_number = forms.IntegerField(label=_("Table number"), min_value=1, max_value=100_000)

    field_order = ["table_number", "article", "kind", "text", "justification"]


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_JUSTIFICATION)


class OpenForm(forms.Form):
    minutes = forms.IntegerField(
        label=_("Open for (minutes)"), min_value=1, max_value=600, initial=3, required=False
    )
