"""What the apps store about a contact person, for the export of their data (GDPR Art. 15).

The contact person (``Member``) lives here; the apps above keep rows that name
them (an opportunity's contact links, a document's recipient). Each of those
apps declares its share from its ``AppConfig.ready()`` and
``organizations.selectors.member_export`` puts the shares together, without
importing the apps above it (dependencies point one way). An app added later
declares its own, and the export is complete again without a change here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from organizations.models import Member


@dataclass(frozen=True)
class HistoryItem:
    """One audit row naming the person: what kind of record, the pghistory event, its snapshot for the export."""

    record: str
    event: object
    data: dict


@dataclass(frozen=True)
class MemberData:
    """One app's share of a contact person's export."""

    key: str  # the export's key for the rows: "documents"
    rows: Callable[[Member], list[dict]]  # the person's rows in that app, ready for JSON
    history: Callable[[Member], list[HistoryItem]] | None = None  # audit rows that name the person


# Declarations, filled once by the apps' ready() (like admin.site's registry); keyed so
# that a second ready() replaces instead of doubling.
_shares: dict[str, MemberData] = {}


def register(share: MemberData) -> None:
    """Add an app's share to every contact person's export (call from its AppConfig.ready())."""
    _shares[share.key] = share


def shares() -> list[MemberData]:
    """The declared shares, in the order the apps are installed."""
    return list(_shares.values())


def event_data(event) -> dict:
    """An audit row's snapshot: the tracked fields (foreign keys as ids), without pghistory's own columns."""
    return {
        field.attname: field.value_from_object(event)
        for field in event._meta.concrete_fields
        if not field.name.startswith("pgh_")
    }
