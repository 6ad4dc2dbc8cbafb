"""The trash: deleting an opportunity or an organization only marks it deleted.

A trashed row keeps everything that belongs to it (tasks, journal, documents,
members) and is left out of every page, list, count, search and lookup by the
models' default manager (``LiveManager``). Managers see the trash and restore
from it for ``RETENTION_DAYS``; after that ``manage.py purge_trash`` (run daily)
deletes it for good, naming what it deletes. Forward relations (an entry's
``opportunity``) use Django's base manager, so history and audit rows of a
trashed record still resolve.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RETENTION_DAYS = 30


class LiveQuerySet(models.QuerySet):
    def trashed(self):
        return self.filter(deleted_at__isnull=False)


class LiveManager(models.Manager.from_queryset(LiveQuerySet)):
    """The default manager: what is not in the trash."""

    def get_queryset(self):
        return super().get_queryset().filter(deleted_at__isnull=True)


class TrashableModel(models.Model):
    """What a model needs to go to the trash: when, by whom, and managers with and without the trash."""

    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("deleted by"),
    )

    # The trash included (trash page, restore, purge); declared first, so the
    # default manager is named in Meta (children extend this Meta).
    all_objects = models.Manager()
    objects = LiveManager()

    class Meta:
        abstract = True
        default_manager_name = "objects"


def purge_after(deleted_at: dt.datetime) -> dt.datetime:
    """When a row trashed at ``deleted_at`` is deleted for good."""
    return deleted_at + dt.timedelta(days=RETENTION_DAYS)


def purge_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    """Rows trashed before this moment are due for deletion."""
    return (now or timezone.now()) - dt.timedelta(days=RETENTION_DAYS)


def undo_tag(restore_url: str) -> str:
    """Extra tags for a success message with an Undo button (components/messages.html) posting to ``restore_url``."""
    return f"undo:{restore_url}"
