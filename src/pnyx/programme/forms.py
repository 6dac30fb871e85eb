from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Campaign, Intervention, InterventionFormat, Item, ItemKind


class InterventionForm(forms.ModelForm):
    video = forms.FileField(
        label=_("Video file"),
        required=False,
        help_text=_("MP4, WebM, MOV or MKV. The type is checked from the file itself."),
        widget=forms.ClearableFileInput(attrs={"accept": "video/*"}),
    )

    class Meta:
        model = Intervention
        fields = ["title", "summary", "campaign", "item", "format", "video_link"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 6, "maxlength": 3000}),
            "format": forms.RadioSelect,
        }
        labels = {
            "item": _("Programme item it concerns"),
            "video_link": _("…or a link to the video"),
        }

    field_order = ["title", "summary", "campaign", "item", "format", "video", "video_link"]

    def __init__(self, *args, convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(convention=convention)
        self.fields["campaign"].empty_label = _("No campaign in particular")
        self.fields["item"].queryset = Item.objects.filter(
            day__convention=convention
        ).select_related("day")
        self.fields["item"].empty_label = _("None in particular")
        self.fields["format"].choices = InterventionFormat.choices

    def clean(self):
        data = super().clean()
        if data.get("format") == InterventionFormat.VIDEO and not (
            data.get("video")
            or data.get("video_link")
            or (self.instance.pk and self.instance.video_file)
        ):
            self.add_error("video", _("A video proposal needs a video file or a link to a video."))
        return data


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("Accept")),
            ("request_changes", _("Ask for changes")),
            ("reject", _("Reject")),
        ],
    )
    note = forms.CharField(
        label=_("Message to the member"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required to reject or to ask for changes."),
    )


class PlacementForm(forms.Form):
    slot = forms.ModelChoiceField(label=_("Testimony slot"), queryset=Item.objects.none())
    position = forms.IntegerField(label=_("Position"), min_value=1, required=False)

    def __init__(self, *args, convention, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].queryset = Item.objects.filter(
            day__convention=convention, kind=ItemKind.TESTIMONIES
        ).select_related("day")
