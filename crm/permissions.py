"""Who may do what: the one place for the CRM's rules.

Roles are groups (created by crm/migrations/0002_roles.py):
- Sales: see every opportunity and organization; change the opportunities they
  own; write journal entries and edit or delete only their own; handle (done,
  snooze) the reminders they are reminded of or wrote.
- Managers: everything Sales may, plus change any opportunity, reassign owners,
  delete (opportunities and organizations go to the trash; contact persons),
  approve documents, see the team's reminders and answer contact persons' data
  requests (export, anonymise).
- Admins (superusers): Django admin and configuration; everything above.

Model permissions (``user.has_perm``) are cached on the user object by Django,
so these checks cost at most two queries per request, not one per row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from crm.models import User


# The records the rules are about live in the apps above the kernel, which it does not
# import (dependencies point one way). The rules read only these attributes of them.


class Opportunity(Protocol):
    """opportunities.models.Opportunity, as far as the rules read it."""

    owner_id: int | None


class JournalEntry(Protocol):
    """journal.models.JournalEntry, as far as the rules read it."""

    author_id: int | None
    reminder_assignee_id: int | None


class Document(Protocol):
    """documents.models.Document, as far as the rules read it."""

    opportunity: Opportunity
    created_by_id: int | None


def is_manager(user: User) -> bool:
    return user.is_superuser or user.has_perm("opportunities.delete_opportunity")


def can_view(user: User) -> bool:
    return user.is_active and user.has_perm("opportunities.view_opportunity")


def can_add_organization(user: User) -> bool:
    return user.has_perm("organizations.add_organization")


def can_change_organization(user: User) -> bool:
    return user.has_perm("organizations.change_organization")


def can_delete_organization(user: User) -> bool:
    return user.has_perm("organizations.delete_organization")


def can_change_members(user: User) -> bool:
    return user.has_perm("organizations.change_member")


def can_delete_members(user: User) -> bool:
    """Remove a contact person for good: managers (Sales edit them)."""
    return user.has_perm("organizations.delete_member")


def can_manage_personal_data(user: User) -> bool:
    """Export a contact person's data or anonymise them (GDPR requests): managers."""
    return is_manager(user)


def can_add_opportunity(user: User) -> bool:
    return user.has_perm("opportunities.add_opportunity")


def can_change_opportunity(user: User, opportunity: Opportunity) -> bool:
    if not user.has_perm("opportunities.change_opportunity"):
        return False
    return is_manager(user) or opportunity.owner_id == user.pk


def can_reassign(user: User) -> bool:
    return is_manager(user)


def can_delete_opportunity(user: User) -> bool:
    return user.has_perm("opportunities.delete_opportunity")


def can_post_journal(user: User) -> bool:
    return user.has_perm("journal.add_journalentry")


def can_change_journal_entry(user: User, entry: JournalEntry) -> bool:
    if not user.has_perm("journal.change_journalentry"):
        return False
    return is_manager(user) or entry.author_id == user.pk


def can_handle_reminder(user: User, entry: JournalEntry) -> bool:
    """Mark done, reopen or snooze: the reminded person, the author, or a manager."""
    return entry.reminder_assignee_id == user.pk or can_change_journal_entry(user, entry)


def can_see_team_reminders(user: User) -> bool:
    return is_manager(user)


def can_approve_documents(user: User) -> bool:
    return user.has_perm("documents.approve_document")


def can_view_documents(user: User) -> bool:
    # The PDF download checks the same as the pages that list documents.
    return can_view(user) and user.has_perm("documents.view_document")


def can_add_document(user: User, opportunity: Opportunity) -> bool:
    if not user.has_perm("documents.add_document"):
        return False
    return is_manager(user) or opportunity.owner_id == user.pk


def can_change_document(user: User, document: Document) -> bool:
    """Edit, send, decide and revise: managers, the opportunity's owner and the document's author."""
    if not user.has_perm("documents.change_document"):
        return False
    return is_manager(user) or user.pk in (document.opportunity.owner_id, document.created_by_id)


def require(allowed: bool) -> None:
    """Raise PermissionDenied (403) unless ``allowed``."""
    if not allowed:
        raise PermissionDenied
