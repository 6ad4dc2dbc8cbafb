import functools
import operator

import pghistory
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.trash import TrashableModel

CODE_PATTERN = r"^[A-Z0-9]{2,10}$"

# Audit trail (django-pghistory, like opportunities/models.py): database
# triggers record every insert, change and delete, whatever made it (services,
# admin, QuerySet.update(), raw SQL); the request's user and URL come from
# pghistory's middleware, a service's acting user from crm.history.acting.
# Only what a person enters is tracked: opportunity_counter moves with every new
# opportunity (bookkeeping, not a change to the organization) and the
# timestamps would make every save look like a change.
ORGANIZATION_HISTORY_FIELDS = [
    "name",
    "code",
    "street",
    "postal_code",
    "city",
    "country",
    "email",
    "phone",
    "website",
    "notes",
    # Moved to the trash and restored (crm/trash.py).
    "deleted_at",
]


@pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange(*ORGANIZATION_HISTORY_FIELDS)),
    pghistory.DeleteEvent("deleted"),
    fields=ORGANIZATION_HISTORY_FIELDS,
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="OrganizationEvent",
)
class Organization(TrashableModel):
    """A company that owns opportunities and has members (contact persons)."""

    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(
        _("short code"),
        max_length=10,
        help_text=_("2–10 upper-case letters or digits; prefixes the opportunity short names (BION-1)."),
    )
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Last opportunity number handed out; only ever grows, so numbers are never
    # reused after a delete (see opportunities.services.opportunity_create).
    opportunity_counter = models.PositiveIntegerField(_("opportunity counter"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta(TrashableModel.Meta):
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="organization_code_unique"),
            models.CheckConstraint(condition=models.Q(code__regex=CODE_PATTERN), name="organization_code_format"),
        ]
        indexes = [
            # Organization list sorted by name (case-insensitive), and the
            # table's "sort by organization".
            # Not partial: the table joins organizations for this order, and a
            # join does not carry the organization's "deleted_at IS NULL".
            models.Index(Lower("name"), "id", name="organization_name_lower_idx"),
            # The trash page, newest first.
            models.Index(
                fields=["-deleted_at", "-id"],
                name="organization_trash_idx",
                condition=models.Q(deleted_at__isnull=False),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("organizations:organization-detail", args=[self.pk])

    @property
    def address_lines(self) -> list[str]:
        """The postal address in German order: street, postcode and city, country."""
        city_line = " ".join(part for part in [self.postal_code, self.city] if part)
        return [line for line in [self.street, city_line, self.country] if line]


class InfluenceLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    TOP = "top", _("Top decision maker")


class Attitude(models.TextChoices):
    ENTHUSIASTIC = "enthusiastic", _("Enthusiastic")
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    SKEPTICAL = "skeptical", _("Skeptical")
    OPPOSED = "opposed", _("Opposed")


class Personality(models.TextChoices):
    # DISC model: how the person prefers to communicate.
    DOMINANT = "dominant", _("Dominant")
    INITIATIVE = "initiative", _("Initiative")
    STABLE = "stable", _("Stable")
    CONSCIENTIOUS = "conscientious", _("Conscientious")


INFLUENCE_HELP = {
    InfluenceLevel.LOW: _("Little say in the buying decision."),
    InfluenceLevel.MEDIUM: _("Is heard; shapes requirements."),
    InfluenceLevel.HIGH: _("Strong influence on the decision."),
    InfluenceLevel.TOP: _("Makes the final decision and signs."),
}
ATTITUDE_HELP = {
    Attitude.ENTHUSIASTIC: _("Champions the project internally."),
    Attitude.POSITIVE: _("Favourable to the project."),
    Attitude.NEUTRAL: _("Has no clear opinion yet."),
    Attitude.SKEPTICAL: _("Has doubts that need answers."),
    Attitude.OPPOSED: _("Works against the project."),
}
PERSONALITY_HELP = {
    Personality.DOMINANT: _("Direct and results-driven: be brief, lead with outcomes."),
    Personality.INITIATIVE: _("Outgoing and enthusiastic: share the vision, keep it personal."),
    Personality.STABLE: _("Calm and loyal: give security, avoid pressure."),
    Personality.CONSCIENTIOUS: _("Analytical and precise: bring facts, details and proof."),
}


# Everything about a contact person that a person types in (see
# ORGANIZATION_HISTORY_FIELDS for what is left out and why).
MEMBER_HISTORY_FIELDS = [
    "organization",
    "academic_title",
    "first_name",
    "last_name",
    "department",
    "job_title",
    "email",
    "phone",
    "street",
    "postal_code",
    "city",
    "country",
    "influence_level",
    "attitude",
    "personality",
    "notes",
]
# An edit is "changed"; the one update that anonymises (GDPR, see
# organizations.services.member_anonymise) is "anonymised" instead, not both.
_MEMBER_EDITED = functools.reduce(
    operator.or_,
    (pghistory.Q(**{f"old__{name}__df": pghistory.F(f"new__{name}")}) for name in MEMBER_HISTORY_FIELDS),
)
_MEMBER_ANONYMISED = pghistory.Q(old__anonymised_at__isnull=True, new__anonymised_at__isnull=False)


@pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent(
        "changed", condition=_MEMBER_EDITED & pghistory.Q(old__anonymised_at__ndf=pghistory.F("new__anonymised_at"))
    ),
    pghistory.UpdateEvent("anonymised", condition=_MEMBER_ANONYMISED),
    pghistory.DeleteEvent("deleted"),
    fields=[*MEMBER_HISTORY_FIELDS, "anonymised_at"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="MemberEvent",
)
class Member(models.Model):
    """A contact person at an organization."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="members", verbose_name=_("organization")
    )
    academic_title = models.CharField(
        _("academic title"), max_length=50, blank=True, help_text=_("e.g. Dr., Prof. Dr.")
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    department = models.CharField(_("department"), max_length=100, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    influence_level = models.CharField(_("influence level"), max_length=10, choices=InfluenceLevel, blank=True)
    attitude = models.CharField(_("attitude"), max_length=15, choices=Attitude, blank=True)
    personality = models.CharField(_("personality"), max_length=15, choices=Personality, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Set when the person's data was removed on their request (GDPR); the row
    # stays so that opportunities and documents keep their contact link.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["last_name", "first_name", "id"]
        indexes = [
            # Members of one organization in display order (organization page, detail column).
            models.Index(fields=["organization", "last_name", "first_name"], name="member_org_name_idx"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in [self.academic_title, self.first_name, self.last_name] if part)

    @property
    def address_lines(self) -> list[str]:
        city_line = " ".join(part for part in [self.postal_code, self.city] if part)
        return [line for line in [self.street, city_line, self.country] if line]

    @property
    def influence_help(self):
        return INFLUENCE_HELP.get(self.influence_level, "")

    @property
    def attitude_help(self):
        return ATTITUDE_HELP.get(self.attitude, "")

    @property
    def personality_help(self):
        return PERSONALITY_HELP.get(self.personality, "")
