from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person using the CRM; roles come from the groups Sales and Managers."""

    display_name = models.CharField(
        _("display name"),
        max_length=150,
        blank=True,
        help_text=_("How the name appears on cards, in the journal and in documents."),
    )
    # Per-user UI choices, e.g. {"table_columns": ["short_name", "name", …]};
    # loaded with the user, so reading them costs no query.
    preferences = models.JSONField(_("preferences"), default=dict, db_default={}, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["display_name", "username"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        parts = [part for part in self.name.replace("-", " ").split() if part[:1].isalpha()]
        if not parts:
            return self.username[:2].upper()
        if len(parts) == 1:
            return parts[0][:2].upper()
        return (parts[0][0] + parts[-1][0]).upper()


class JobFailure(models.Model):
    """One failed attempt of a background job, with its error (procrastinate keeps only the state)."""

    job_id = models.BigIntegerField(_("job"), db_index=True)
    task_name = models.CharField(_("task"), max_length=128)
    attempt = models.PositiveIntegerField(_("attempt"))
    error = models.TextField(_("error"))
    traceback = models.TextField(_("traceback"), blank=True)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("job failure")
        verbose_name_plural = _("job failures")
        ordering = ["-failed_at", "-id"]

    def __str__(self):
        return f"{self.task_name} #{self.job_id}, attempt {self.attempt}: {self.error}"
