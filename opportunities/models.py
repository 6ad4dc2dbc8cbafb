from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.trash import TrashableModel


class ConfigQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class ConfigModel(models.Model):
    """An admin-defined, ordered, deactivatable value (phase, status, category, source)."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive values stay on existing opportunities but cannot be chosen.")
    )

    objects = ConfigQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.name


class PhaseKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class Phase(ConfigModel):
    """A step of the sales process; the board's default columns."""

    color = models.CharField(
        _("colour"),
        max_length=7,
        default="#64748b",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour like #1e88e5."))],
    )
    default_probability = models.PositiveSmallIntegerField(
        _("default probability (%)"), default=10, validators=[MaxValueValidator(100)]
    )
    kind = models.CharField(_("kind"), max_length=4, choices=PhaseKind, default=PhaseKind.OPEN)

    class Meta(ConfigModel.Meta):
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        constraints = [
            models.UniqueConstraint(Upper("name"), name="phase_name_unique"),
            models.CheckConstraint(condition=models.Q(default_probability__lte=100), name="phase_probability_range"),
            models.CheckConstraint(condition=models.Q(color__regex=r"^#[0-9a-fA-F]{6}$"), name="phase_color_format"),
        ]


class Status(ConfigModel):
    class Meta(ConfigModel.Meta):
        verbose_name = _("status")
        verbose_name_plural = _("statuses")
        constraints = [models.UniqueConstraint(Upper("name"), name="status_name_unique")]


class Category(ConfigModel):
    class Meta(ConfigModel.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        constraints = [models.UniqueConstraint(Upper("name"), name="category_name_unique")]


class Source(ConfigModel):
    class Meta(ConfigModel.Meta):
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [models.UniqueConstraint(Upper("name"), name="source_name_unique")]


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(Upper("name"), name="tag_name_unique")]

    def __str__(self):
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    INTEGER = "integer", _("Integer")
    DECIMAL = "decimal", _("Decimal")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/no")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    URL = "url", _("URL")


class CustomField(models.Model):
    """An admin-defined extra field on opportunities; values live in Opportunity.custom_values."""

    label = models.CharField(_("label"), max_length=100)
    key = models.SlugField(
        _("key"),
        max_length=50,
        help_text=_("Stable identifier used in URLs, filters and exports; lower case, e.g. region."),
    )
    field_type = models.CharField(_("type"), max_length=12, choices=FieldType, default=FieldType.TEXT)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_('For choice fields: a list such as ["North", "South"].')
    )
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0, db_index=True)
    show_in_table = models.BooleanField(_("shown in table"), default=False)
    show_on_cards = models.BooleanField(_("shown on cards"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="customfield_key_unique"),
            models.CheckConstraint(condition=models.Q(key__regex=r"^[a-z][a-z0-9_]*$"), name="customfield_key_format"),
        ]

    def __str__(self):
        return self.label

    def clean(self):
        from opportunities.custom_fields import clean_definition

        clean_definition(self)


# History (the detail page's timeline) is recorded by database triggers
# (django-pghistory), so every write is in it whatever made it: services, the
# admin, bulk updates, raw SQL. Only what a person changes is tracked; the
# derived columns (open tasks, last activity, mood, reminder, search document,
# version, updated_at) are kept by triggers and bookkeeping and would be noise.
# "created" is the baseline each later "changed" row is compared with;
# updated_by rides along so a change made outside a request still has a name.
# Partial-index conditions: live rows (every page) and trashed rows (the trash page).
LIVE = models.Q(deleted_at__isnull=True)
TRASHED = models.Q(deleted_at__isnull=False)

OPPORTUNITY_HISTORY_FIELDS = [
    "organization",
    "name",
    "category",
    "status",
    "phase",
    "owner",
    "description",
    "probability",
    "source",
    "value",
    "currency",
    "expected_close_date",
    "custom_values",
    "won_at",
    "lost_at",
    "lost_reason",
    # Moved to the trash and restored (crm/trash.py).
    "deleted_at",
]


@pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange(*OPPORTUNITY_HISTORY_FIELDS)),
    fields=[*OPPORTUNITY_HISTORY_FIELDS, "updated_by"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="OpportunityEvent",
)
class Opportunity(TrashableModel):
    """A sales project at an organization; its goal is an offer."""

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="opportunities",
        verbose_name=_("organization"),
    )
    number = models.PositiveIntegerField(_("number"), editable=False)
    # "BION-1": organization code + per-organization number, fixed at creation
    # so links and references stay valid.
    short_name = models.CharField(_("short name"), max_length=20, editable=False)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("category")
    )
    status = models.ForeignKey(Status, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("status"))
    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="opportunities", verbose_name=_("phase"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_opportunities", verbose_name=_("owner")
    )
    contacts = models.ManyToManyField(
        "organizations.Member",
        through="OpportunityContact",
        related_name="opportunities",
        blank=True,
        verbose_name=_("contact persons"),
    )
    description = models.TextField(_("description"), blank=True)
    tags = models.ManyToManyField(Tag, related_name="opportunities", blank=True, verbose_name=_("tags"))
    probability = models.PositiveSmallIntegerField(
        _("close probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("source")
    )
    value = models.DecimalField(
        _("value"), max_digits=14, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    custom_values = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Kept current by database triggers (migration 0003) so that the table and
    # board can sort, filter and show them at 100,000 rows without subqueries,
    # whatever writes the tasks and journal entries (services, admin, bulk SQL).
    open_task_count = models.PositiveIntegerField(_("open tasks"), default=0, db_default=0, editable=False)
    last_activity_at = models.DateTimeField(_("last journal activity"), null=True, blank=True, editable=False)
    next_reminder_date = models.DateField(_("next reminder"), null=True, blank=True, editable=False)
    latest_mood = models.CharField(
        _("latest mood"), max_length=7, blank=True, default="", db_default="", editable=False
    )
    # Full-text document over short name, name, description and the
    # organization's name; maintained by triggers, searched with a GIN index.
    search_document = SearchVectorField(null=True, editable=False)
    phase_changed_at = models.DateTimeField(_("phase changed at"), null=True, blank=True, editable=False)
    won_at = models.DateTimeField(_("won at"), null=True, blank=True, editable=False)
    lost_at = models.DateTimeField(_("lost at"), null=True, blank=True, editable=False)
    lost_reason = models.TextField(_("lost reason"), blank=True)
    # Optimistic locking: every write through a service bumps it; a write that
    # carries an older version is refused (board moves, inline edits).
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("created by"),
    )
    # Who made the last change: the conflict message names them.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("last changed by"),
    )

    # TrashableModel: deleted_at equals its organization's when it went to the
    # trash with its organization (and comes back with it), see crm/trash.py.

    class Meta(TrashableModel.Meta):
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="opportunity_org_number_unique"),
            models.UniqueConstraint(fields=["short_name"], name="opportunity_short_name_unique"),
            models.CheckConstraint(condition=models.Q(probability__lte=100), name="opportunity_probability_range"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="opportunity_value_non_negative"),
            models.CheckConstraint(
                condition=models.Q(won_at__isnull=True) | models.Q(lost_at__isnull=True),
                name="opportunity_not_won_and_lost",
            ),
            models.CheckConstraint(
                condition=models.Q(lost_at__isnull=True) | ~models.Q(lost_reason=""),
                name="opportunity_lost_has_reason",
            ),
        ]
        # Every page reads only what is not in the trash (the default manager
        # adds "deleted_at IS NULL"), so the indexes leave trashed rows out.
        indexes = [
            # Board columns: open opportunities of one phase ordered by close date.
            models.Index(
                fields=["phase", "expected_close_date", "id"], name="opportunity_phase_close_idx", condition=LIVE
            ),
            # Board column figures (count, value, weighted value per phase or
            # status) as index-only scans instead of reading the wide table.
            models.Index(
                fields=["phase"], include=["value", "probability"], name="opportunity_phase_figures_idx", condition=LIVE
            ),
            models.Index(
                fields=["status"],
                include=["value", "probability"],
                name="opportunity_status_figures_idx",
                condition=LIVE,
            ),
            models.Index(
                fields=["status", "expected_close_date", "id"], name="opportunity_status_close_idx", condition=LIVE
            ),
            # "My opportunities" and the owner filter; the board with it: a column's
            # cards in close order (LIMITed scan) and the column figures from the
            # index alone (no heap reads for the thousands of opportunities of a rep).
            models.Index(
                fields=["owner", "phase", "expected_close_date", "id"],
                include=["status", "value", "probability"],
                name="opportunity_owner_board_idx",
                condition=LIVE,
            ),
            # Default table order (newest first) with a stable tie-breaker.
            models.Index(fields=["-created_at", "-id"], name="opportunity_created_idx", condition=LIVE),
            models.Index(fields=["organization", "id"], name="opportunity_org_idx", condition=LIVE),
            models.Index(fields=["expected_close_date", "id"], name="opportunity_close_idx", condition=LIVE),
            models.Index(fields=["value", "id"], name="opportunity_value_idx", condition=LIVE),
            models.Index(fields=["next_reminder_date", "id"], name="opportunity_reminder_idx", condition=LIVE),
            models.Index(fields=["last_activity_at", "id"], name="opportunity_activity_idx", condition=LIVE),
            GinIndex(fields=["search_document"], name="opportunity_search_idx", condition=LIVE),
            # The trash page, newest first.
            models.Index(fields=["-deleted_at", "-id"], name="opportunity_trash_idx", condition=TRASHED),
        ]

    def __str__(self):
        return f"{self.short_name} {self.name}"

    def get_absolute_url(self):
        return reverse("opportunities:opportunity-detail", args=[self.short_name])

    @property
    def is_won(self) -> bool:
        return self.won_at is not None

    @property
    def is_lost(self) -> bool:
        return self.lost_at is not None

    @property
    def weighted_value(self) -> Decimal:
        return (self.value * self.probability / 100).quantize(Decimal("0.01"))


@pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange("is_primary")),
    pghistory.DeleteEvent("removed"),
    fields=["opportunity", "member", "is_primary"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="OpportunityContactEvent",
)
class OpportunityContact(models.Model):
    """A member of the opportunity's organization who is a contact person for it."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="contact_links")
    member = models.ForeignKey("organizations.Member", on_delete=models.CASCADE, related_name="opportunity_links")
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        constraints = [
            models.UniqueConstraint(fields=["opportunity", "member"], name="opportunitycontact_unique"),
            # At most one primary contact per opportunity.
            models.UniqueConstraint(
                fields=["opportunity"], condition=models.Q(is_primary=True), name="opportunitycontact_one_primary"
            ),
        ]

    def __str__(self):
        return str(self.member)


@pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange("title", "assignee", "due_date", "done_at")),
    pghistory.DeleteEvent("removed"),
    fields=["opportunity", "title", "assignee", "due_date", "done_at", "created_by", "created_at"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="TaskEvent",
)
class Task(models.Model):
    """A to-do on an opportunity; open tasks are those without done_at."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("title"), max_length=200)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("assignee"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = [models.F("done_at").asc(nulls_first=True), models.F("due_date").asc(nulls_last=True), "id"]
        indexes = [
            # "Open tasks" counts per opportunity (table column, cards).
            models.Index(fields=["opportunity"], name="task_open_idx", condition=models.Q(done_at__isnull=True)),
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class SavedView(models.Model):
    """A named table/board view: filters, grouping, sort and columns as a query string.

    Views without an owner are shared defaults shown to everyone.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="saved_views",
        verbose_name=_("owner"),
    )
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(_("query"), max_length=2000, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["position", "name", "id"]
        constraints = [
            models.UniqueConstraint(Upper("name"), "owner", name="savedview_owner_name_unique"),
        ]

    def __str__(self):
        return self.name


class BoardFigure(models.Model):
    """How many live opportunities, and what they are worth, per phase, status and probability.

    Kept by statement-level triggers on opportunities (migration 0013), so the
    unfiltered board reads its column figures from a few dozen rows instead of
    aggregating every opportunity on each render. Filtered boards aggregate the
    filtered opportunities as before. The probability is kept as a key so the
    weighted value stays an exact sum (board.column_figures).
    """

    phase = models.ForeignKey(Phase, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    status = models.ForeignKey(Status, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    probability = models.PositiveSmallIntegerField()
    count = models.BigIntegerField(default=0)
    total = models.DecimalField(max_digits=20, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["phase", "status", "probability"], name="boardfigure_key_unique"),
        ]

    def __str__(self):
        return f"{self.phase_id}/{self.status_id}/{self.probability}: {self.count}"
