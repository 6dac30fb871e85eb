from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class ActionGroup(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("action group")
        verbose_name_plural = _("action groups")

    def __str__(self):
        return self.name


class Gender(models.TextChoices):
    FEMALE = "F", _("woman")
    MALE = "M", _("man")
    OTHER = "X", _("other or not said")


class Member(models.Model):
    external_id = models.CharField(_("member id"), max_length=64, unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    region = models.CharField(_("region"), max_length=100, db_index=True)
    birth_year = models.PositiveSmallIntegerField(_("birth year"))
    action_group = models.ForeignKey(
        ActionGroup,
        verbose_name=_("action group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    joined_on = models.DateField(_("joined on"))
    volunteer = models.BooleanField(_("volunteers for the draw"), default=False)
    active = models.BooleanField(_("active"), default=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="member_email_unique_ci"),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class SignInToken(models.Model):
    """A one-time sign-in link. Only the SHA-256 of the token is stored."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sign_in_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    next_url = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = _("sign-in link")

    def __str__(self):
        return f"sign-in link of {self.member_id}"
