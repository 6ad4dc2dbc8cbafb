from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class DocumentCounter(models.Model):
    """The last document number handed out per year (2026-0001, 2026-0002, …)."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class Document(models.Model):
    """An offer, price indication, cost estimate or project document of an opportunity."""

    opportunity = models.ForeignKey(
        "opportunities.Opportunity", on_delete=models.PROTECT, related_name="documents", verbose_name=_("opportunity")
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("sequence"), editable=False)
    number = models.CharField(_("number"), max_length=12, editable=False)
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
    intro = models.TextField(_("introduction"), blank=True)
    terms = models.TextField(_("closing text"), blank=True)
    revision_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="revisions", editable=False
    )
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
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0, vat_rate__lte=100), name="document_vat_rate_range"
            ),
        ]
        indexes = [models.Index(fields=["opportunity", "-created_at"], name="document_opp_created_idx")]

    def __str__(self):
        return f"{self.number} {self.title}"


class DocumentLine(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("position"))
    description = models.TextField(_("description"))
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
