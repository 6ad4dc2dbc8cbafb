"""The trash: deleting an opportunity or an organization only marks it deleted.

A trashed row keeps everything that belongs to it (tasks, journal, documents,
members) and is left out of every page, list, count, search and lookup by the
models' default manager (``LiveManager``). Managers see the trash and restore
from it for ``RETENTION_DAYS``; after that ``manage.py purge_trash`` (run daily)
deletes it for good, naming what it deletes. Forward relations (an entry's
``opportunity``) use Django's base manager, so history and audit rows of a
trashed record still resolve.

What belongs to a trashable row often lives in an app above it (an
organization's opportunities, an opportunity's journal and documents), and a
lower app never imports a higher one. So the higher app declares its rows as
parts of the owner (``register_part``, from its ``AppConfig.ready()``), and the
owner's services ask this registry instead: count them for the confirmation
page, take them along to the trash and back, clear them before a purge. An
explicit call, not a signal: what a trash or purge does is read in one place
and happens in the caller's transaction, in order.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
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


@dataclass(frozen=True)
class Part:
    """Rows of another app that belong to a trashable row (the owner) and share its fate."""

    owner: str  # the trashable model's label: "opportunities.Opportunity"
    model: str  # the part's model label: "documents.Document"
    field: str  # the part's foreign key to the owner: "opportunity"
    key: str  # its name in the owner's trash summary: "documents"
    # For parts that are trashable themselves: puts a queryset of them into the trash
    # at ``deleted_at`` (or back with None) for ``user``; how many. Parts without one
    # stay as they are and are hidden with their owner.
    mark: Callable[..., int] | None = None
    # The foreign key PROTECTs the owner (an offer is not deleted by accident): a purge
    # deletes these first, on purpose. Only parts that say so: a PROTECT added later is
    # kept unless its app decides otherwise.
    purge_first: bool = False

    @property
    def part_model(self) -> type[models.Model]:
        return apps.get_model(self.model)


# Declarations, filled once by the apps' ready() (like admin.site's registry); keyed so
# that a second ready() replaces instead of doubling.
_parts: dict[tuple[str, str], Part] = {}


def register_part(part: Part) -> None:
    """Declare ``part`` as belonging to its owner's rows (call from the part's AppConfig.ready())."""
    _parts[(part.owner, part.model)] = part


def parts_of(owner_model: type[models.Model]) -> list[Part]:
    """The parts declared for ``owner_model``, in the order the apps are installed."""
    return [part for part in _parts.values() if part.owner == owner_model._meta.label]


def part_count_annotations(owner_model: type[models.Model]) -> dict[str, Coalesce]:
    """One correlated COUNT per part of the outer ``owner_model`` row, named ``part_<key>_count``."""
    annotations = {}
    for part in parts_of(owner_model):
        counted = (
            part.part_model._default_manager.filter(**{part.field: OuterRef("pk")})
            .order_by()
            .values(part.field)
            .annotate(n=Count("*"))
            .values("n")
        )
        annotations[part_count_name(part)] = Coalesce(Subquery(counted, output_field=IntegerField()), 0)
    return annotations


def part_count_name(part: Part) -> str:
    """The annotation ``part_count_annotations`` gives ``part`` (not its key: that may be a relation's name)."""
    return f"part_{part.key}_count"


def parts_trash(owner: TrashableModel, *, user, deleted_at: dt.datetime) -> int:
    """Put the owner's live trashable parts into the trash with it, at the owner's ``deleted_at``; how many."""
    moved = 0
    for part in parts_of(type(owner)):
        if part.mark is not None:
            live = part.part_model._default_manager.filter(**{part.field: owner})
            moved += part.mark(live, user=user, deleted_at=deleted_at)
    return moved


def parts_restore(owner: TrashableModel, *, user) -> int:
    """Bring back the parts that went to the trash with ``owner`` (same ``deleted_at``); how many.

    Call before clearing the owner's own ``deleted_at``: that moment is how the
    parts that went with it are told from those trashed on their own before.
    """
    restored = 0
    for part in parts_of(type(owner)):
        if part.mark is not None:
            went_with = part.part_model._base_manager.filter(**{part.field: owner, "deleted_at": owner.deleted_at})
            restored += part.mark(went_with, user=user, deleted_at=None)
    return restored


def parts_purge(owner_model: type[models.Model], owner_ids) -> None:
    """Delete the parts that would keep the owners ``owner_ids`` from being deleted for good."""
    for part in parts_of(owner_model):
        if part.purge_first:
            part.part_model._base_manager.filter(**{f"{part.field}__in": owner_ids}).delete()
