from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from documents.totals import line_net
from documents.validators import TextLimit, validate_logo

# Limits no real offer reaches (a long one has a 1,500-character introduction and
# 60 lines of a few hundred characters), so that any document's PDF renders in a
# few seconds (bench/pdf.py renders the largest one allowed): a 2 MB introduction
# took over a minute. Checked by the model (services call full_clean) and shown
# next to the field by the forms. The editor posts all lines as one form, 5 fields
# a line, well below Django's DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000).
INTRO_MAX_CHARS = 5_000
TERMS_MAX_CHARS = 5_000
LINE_DESCRIPTION_MAX_CHARS = 1_000
MAX_LINES = 100


class DocumentType(models.TextChoices):
    PRICE_INDICATION = "price_indication", _("Price indication")
    OFFER = "offer", _("Offer")
    COST_ESTIMATE = "cost_estimate", _("Cost estimate")
    PROJECT_DOCUMENT = "project_document", _("Project document")


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class DocumentLanguage(models.TextChoices):
    GERMAN = "de", _("German")
    ENGLISH = "en", _("English")


# URLs name an unnumbered draft draft-17; a number (2026-0001) never starts so.
DRAFT_KEY_PREFIX = "draft-"


class DocumentCounter(models.Model):
    """The last document number handed out per year (2026-0001, 2026-0002, …)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


# Audit trail (see organizations/models.py): what a person edits and the
# workflow (approved, sent, decided). Left out: year, sequence and revision_of
# (fixed at creation; the number rides along to name the document in its
# history), the stored PDF's path (written with sent_at) and the timestamps.
DOCUMENT_HISTORY_FIELDS = [
    "opportunity",
    "title",
    "doc_type",
    "status",
    "language",
    "currency",
    "vat_rate",
    "valid_until",
    "recipient",
    "intro",
    "terms",
    "approved_by",
    "approved_at",
    "sent_at",
    "decided_at",
]


@pghistory.track(
    pghistory.InsertEvent("created"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange(*DOCUMENT_HISTORY_FIELDS)),
    pghistory.DeleteEvent("deleted"),
    fields=[*DOCUMENT_HISTORY_FIELDS, "number", "created_by"],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="DocumentEvent",
)
class Document(models.Model):
    """An offer, price indication, cost estimate or project document of an opportunity."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity", on_delete=models.PROTECT, related_name="documents", verbose_name=_("opportunity")
    )
    # Empty until the draft is first saved with content (services.document_number_take):
    # opening "New document" and leaving must not use up a number.
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), null=True, blank=True, editable=False)
    number = models.CharField(_("number"), max_length=12, null=True, blank=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    doc_type = models.CharField(_("type"), max_length=20, choices=DocumentType, default=DocumentType.OFFER)
    status = models.CharField(_("status"), max_length=10, choices=DocumentStatus, default=DocumentStatus.DRAFT)
    language = models.CharField(_("language"), max_length=2, choices=DocumentLanguage, default=DocumentLanguage.GERMAN)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("19.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    recipient = models.ForeignKey(
        "organizations.Member",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient"),
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        validators=[TextLimit(INTRO_MAX_CHARS)],
    )
    terms = models.TextField(_("closing text"), blank=True, validators=[TextLimit(TERMS_MAX_CHARS)])
    revision_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions", editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    decided_at = models.DateTimeField(_("accepted or rejected at"), null=True, blank=True, editable=False)
    # The PDF as sent: rendered once when the document is marked sent; every
    # later download returns exactly these bytes.
    pdf = models.FileField(_("PDF"), upload_to="documents/%Y/", blank=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        permissions = [("approve_document", _("Can approve documents"))]
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="document_year_sequence_unique"),
            models.UniqueConstraint(fields=["number"], name="document_number_unique"),
            # A number comes with its year and sequence, or none of them.
            models.CheckConstraint(
                condition=models.Q(number__isnull=True, year__isnull=True, sequence__isnull=True)
                | models.Q(number__isnull=False, year__isnull=False, sequence__isnull=False),
                name="document_number_complete",
            ),
            # Only a draft may be without a number.
            models.CheckConstraint(
                condition=models.Q(status=DocumentStatus.DRAFT) | models.Q(number__isnull=False),
                name="document_numbered_unless_draft",
            ),
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0, vat_rate__lte=100), name="document_vat_rate_range"
            ),
        ]
        indexes = [models.Index(fields=["opportunity", "-created_at"], name="document_opp_created_idx")]

    def __str__(self):
        return f"{self.number or _('Draft')} {self.title}"

    def get_absolute_url(self):
        return reverse("documents:document-detail", args=[self.key])

    @property
    def key(self) -> str:
        """What its URLs name it by: the number, or draft-<id> until it has one (selectors.document_get)."""
        return self.number or f"{DRAFT_KEY_PREFIX}{self.pk}"

    @property
    def is_draft(self) -> bool:
        return self.status == DocumentStatus.DRAFT


# Positions change for every line below one that is removed or moved: that is
# bookkeeping, not a change of what is offered, so it is recorded with each row
# but does not make one.
DOCUMENT_LINE_HISTORY_FIELDS = ["description", "quantity", "unit", "unit_price", "discount"]


@pghistory.track(
    pghistory.InsertEvent("added"),
    pghistory.UpdateEvent("changed", condition=pghistory.AnyChange(*DOCUMENT_LINE_HISTORY_FIELDS)),
    pghistory.DeleteEvent("removed"),
    fields=["document", "position", *DOCUMENT_LINE_HISTORY_FIELDS],
    obj_field=pghistory.ObjForeignKey(related_name="events"),
    model_name="DocumentLineEvent",
)
class DocumentLine(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"))
    # May be empty while drafting (a freshly added line); approval requires it.
    description = models.TextField(_("description"), blank=True, validators=[TextLimit(LINE_DESCRIPTION_MAX_CHARS)])
    quantity = models.DecimalField(
        _("quantity"), max_digits=12, decimal_places=3, default=Decimal("1"), validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. h, days, pcs"))
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    discount = models.DecimalField(
        _("discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["position", "id"]
        constraints = [
            # Deferred so that reordering can swap positions inside one transaction.
            models.UniqueConstraint(
                fields=["document", "position"],
                name="documentline_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=models.Q(quantity__gte=0), name="documentline_quantity_non_negative"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="documentline_price_non_negative"),
            models.CheckConstraint(
                condition=models.Q(discount__gte=0, discount__lte=100), name="documentline_discount_range"
            ),
        ]

    def __str__(self):
        return self.description[:60]

    @property
    def net(self) -> Decimal:
        return line_net(quantity=self.quantity, unit_price=self.unit_price, discount=self.discount)


class Letterhead(models.Model):
    """The company's details printed on every document (workspace settings, one row)."""

    company_name = models.CharField(_("company name"), max_length=200)
    address = models.TextField(
        _("address"), blank=True, help_text=_("One line each: street, postcode and city, country.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    vat_id = models.CharField(_("VAT ID"), max_length=30, blank=True, help_text=_("e.g. DE123456789"))
    register = models.CharField(
        _("commercial register"), max_length=200, blank=True, help_text=_("e.g. Amtsgericht Berlin HRB 12345")
    )
    managing_directors = models.CharField(_("managing directors"), max_length=200, blank=True)
    bank_details = models.TextField(_("bank details"), blank=True, help_text=_("One line each, e.g. bank, IBAN, BIC."))
    footer_text = models.TextField(
        _("footer text"), blank=True, help_text=_("Printed small at the end of the last page.")
    )
    logo = models.FileField(
        _("logo"),
        upload_to="letterhead/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG, JPEG, GIF or WebP, at most 2 MB; printed top right, about 4.5 cm wide."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterhead")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="letterhead_single_row")]

    def __str__(self):
        return self.company_name or str(_("Letterhead"))

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.address.splitlines() if line.strip()]

    @property
    def bank_lines(self) -> list[str]:
        return [line.strip() for line in self.bank_details.splitlines() if line.strip()]
