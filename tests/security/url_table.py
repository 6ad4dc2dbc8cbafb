"""Every URL of the project, classified: how to fill its path, what each role gets from a GET,
and what a POST does and who may make it.

A URL pattern without an entry here fails tests/security/test_permissions.py: every new URL must be
classified. The Django admin's generated URLs (changelist, add, change, delete, history of each
registered model) are classified by rule (ADMIN_MODEL_ACTIONS); its other URLs are listed here.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from documents import services as document_services
from documents.models import Document
from opportunities import services as opportunity_services
from opportunities.models import Phase
from organizations import services as organization_services
from tests.security.conftest import MAIL

ROLES = ("sales", "manager", "admin")
ANONYMOUS_OK = "public"  # login_not_required: anonymous visitors get the page itself
LOGIN = "login"  # anonymous visitors are sent to the login page


@dataclass(frozen=True)
class Post:
    """A POST that changes something, made on the other sales person's records.

    ``data`` builds a valid body, so a refusal is the permission's doing, not bad input.
    ``sales``: what the rules in crm/permissions.py say a Sales user gets when acting on another
    user's record: "refused" (403/404, nothing changes), or "allowed" (Sales may do this to anyone's
    record, or it only touches the user's own things); "cookie" if it only sets a cookie in the
    user's own browser and changes no row; "auth" for the login and password-reset forms.
    ``allowed_by`` is a role whose identical request does change the database (proof the body was
    valid). ``setup`` brings the record into
    the state the action needs (e.g. an approved document before "send").
    """

    data: Callable = lambda w: {}
    sales: str = "refused"
    allowed_by: str = "manager"
    refused_status: tuple = (403, 404)
    setup: Callable | None = None
    htmx: bool = False


@dataclass(frozen=True)
class Url:
    kwargs: Callable = lambda w: {}
    # Status of a plain GET per role (sales, manager, admin); 405 = POST only.
    get: tuple = (200, 200, 200)
    anonymous: str = LOGIN
    post: Post | None = None
    query: str = ""  # query string for the GET walk
    # kwargs naming a record that does not exist (404 test); None: nothing to look up.
    missing: Callable | None = None


def _theirs(w):
    return {"short_name": w.theirs.short_name}


def _missing_opportunity(w):
    return {"short_name": "NOPE-999"}


def _open_phase(w, *, other_than):
    return Phase.objects.filter(kind="open", is_active=True).exclude(pk=other_than.phase_id).order_by("position")[0]


def _document_form(w, document, **changes):
    data = {
        "action": "save",
        "title": document.title,
        "doc_type": document.doc_type,
        "language": document.language,
        "currency": document.currency,
        "vat_rate": str(document.vat_rate),
        "valid_until": document.valid_until.isoformat() if document.valid_until else "",
        "recipient": document.recipient_id or "",
        "intro": document.intro,
        "terms": document.terms,
    }
    return {**data, **changes}


def _approve(w):
    document_services.document_approve(document_id=w.their_document.pk, user=w.manager)


def _approve_and_send(w):
    _approve(w)
    document_services.document_send(document_id=w.their_document.pk, user=w.manager)


def _number(w):
    return {"number": w.their_document.number}


def _key(w):
    # The number, or draft-<id> for a draft without one (Document.key).
    return {"number": w.their_document.key}


def _unnumbered(w):
    # Only a draft nobody wrote into can be discarded, and such a draft has no number yet.
    Document.objects.filter(pk=w.their_document.pk).update(number=None, year=None, sequence=None)


def _missing_number(w):
    return {"number": "2099-9999"}


def _entry(w):
    return {"pk": w.their_entry.pk}


def _unassigned_mail(w):
    return {"pk": w.unassigned_mail.pk}


def _eml_upload(w):
    raw = (MAIL / "subject_tag.eml").read_bytes().replace(b"<tag-1@", f"<upload-{timezone.now().timestamp()}@".encode())
    return {"files": SimpleUploadedFile("mail.eml", raw, "message/rfc822")}


def _missing_pk(w):
    return {"pk": 99_999_999}


def _org(w):
    return {"pk": w.organization.pk}


def _member(w):
    return {"pk": w.organization.pk, "member_pk": w.member.pk}


def _trash_theirs(w):
    opportunity_services.opportunity_trash(opportunity=w.theirs, user=w.manager)


def _trash_organization(w):
    organization_services.organization_trash(organization=w.organization, user=w.manager)


def _tomorrow_plus(days):
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


OPPORTUNITY_REFUSED = "refused"

URLS: dict[str, Url] = {
    # crm ------------------------------------------------------------------------------------
    "home": Url(get=(302, 302, 302)),
    "phase-styles": Url(anonymous=ANONYMOUS_OK),
    # accounts (Django's auth views) -----------------------------------------------------------
    "login": Url(anonymous=ANONYMOUS_OK, post=Post(data=lambda w: {"username": "x", "password": "y"}, sales="auth")),
    "logout": Url(get=(405, 405, 405), anonymous=ANONYMOUS_OK, post=Post(sales="auth")),
    "password_change": Url(
        post=Post(
            data=lambda w: {"old_password": "pw", "new_password1": "n3w-Passw0rd!", "new_password2": "n3w-Passw0rd!"},
            sales="allowed",
            allowed_by="sales",
        )
    ),
    "password_change_done": Url(),
    "password_reset": Url(anonymous=ANONYMOUS_OK, post=Post(data=lambda w: {"email": "x@example.com"}, sales="auth")),
    "password_reset_done": Url(anonymous=ANONYMOUS_OK),
    "password_reset_confirm": Url(
        kwargs=lambda w: {"uidb64": "MQ", "token": "set-password"},
        anonymous=ANONYMOUS_OK,
        post=Post(sales="auth"),
    ),
    "password_reset_complete": Url(anonymous=ANONYMOUS_OK),
    # The account menu's language choice (Django's set_language): a GET only redirects; a POST sets
    # the language cookie of the user's own browser and the user's own language preference for
    # e-mails (tests/crm/test_i18n.py, tests/journal/test_digest.py).
    "set_language": Url(
        get=(302, 302, 302),
        post=Post(data=lambda w: {"language": "de", "next": "/"}, sales="allowed", allowed_by="sales"),
    ),
    # organizations ------------------------------------------------------------------------------
    "organizations:organization-list": Url(),
    "organizations:organization-create": Url(
        post=Post(data=lambda w: {"name": "Neue Firma GmbH"}, sales="allowed", allowed_by="sales")
    ),
    "organizations:organization-code-suggestion": Url(query="name=Neue+Firma"),
    "organizations:organization-detail": Url(kwargs=_org, missing=_missing_pk),
    "organizations:organization-update": Url(
        kwargs=_org,
        missing=_missing_pk,
        # Sales may change any organization (crm.permissions.can_change_organization).
        post=Post(data=lambda w: {"name": "Bionext AG", "code": "BION"}, sales="allowed", allowed_by="sales"),
    ),
    # The trash (crm/trash.py): managers only.
    "organizations:organization-delete": Url(kwargs=_org, get=(403, 200, 200), missing=_missing_pk, post=Post()),
    "organizations:organization-restore": Url(
        kwargs=_org, get=(405, 405, 405), missing=_missing_pk, post=Post(setup=_trash_organization)
    ),
    "organizations:member-create": Url(
        kwargs=_org,
        missing=_missing_pk,
        post=Post(data=lambda w: {"last_name": "Neumann"}, sales="allowed", allowed_by="sales"),
    ),
    "organizations:member-detail": Url(
        kwargs=_member, get=(302, 302, 302), missing=lambda w: {"pk": w.organization.pk, "member_pk": 99_999_999}
    ),
    "organizations:member-update": Url(
        kwargs=_member,
        missing=lambda w: {"pk": w.organization.pk, "member_pk": 99_999_999},
        post=Post(data=lambda w: {"last_name": "Hoffmann-Berg"}, sales="allowed", allowed_by="sales"),
    ),
    "organizations:member-delete": Url(
        kwargs=_member,
        missing=lambda w: {"pk": w.organization.pk, "member_pk": 99_999_999},
        # Deleting contact persons is for managers (crm/migrations/0005); Sales edit them.
        get=(403, 200, 200),
        post=Post(),
    ),
    # A contact person's data requests (GDPR): managers only.
    "organizations:member-export": Url(
        kwargs=_member, get=(403, 200, 200), missing=lambda w: {"pk": w.organization.pk, "member_pk": 99_999_999}
    ),
    "organizations:member-anonymise": Url(
        kwargs=_member,
        get=(403, 200, 200),
        missing=lambda w: {"pk": w.organization.pk, "member_pk": 99_999_999},
        post=Post(),
    ),
    # opportunities ------------------------------------------------------------------------------
    "opportunities:opportunity-list": Url(),
    "opportunities:opportunity-export": Url(),
    "opportunities:opportunity-bulk": Url(
        get=(405, 405, 405),
        # Rows the user may not change are skipped with a message (302), not refused as a whole.
        post=Post(
            data=lambda w: {"ids": [w.theirs.pk], "choice": f"phase:{_open_phase(w, other_than=w.theirs).pk}"},
            refused_status=(302,),
        ),
    ),
    "opportunities:opportunity-columns": Url(
        get=(405, 405, 405),
        post=Post(data=lambda w: {"columns": ["short_name", "name"]}, sales="allowed", allowed_by="sales"),
    ),
    "opportunities:saved-view-create": Url(
        get=(405, 405, 405),
        post=Post(data=lambda w: {"name": "My view", "query": "owner=me"}, sales="allowed", allowed_by="sales"),
    ),
    "opportunities:saved-view-delete": Url(
        kwargs=lambda w: {"pk": w.their_view.pk},
        get=(405, 405, 405),
        missing=_missing_pk,
        # Only its owner may delete a saved view, managers included.
        post=Post(allowed_by="other"),
    ),
    "opportunities:organization-autocomplete": Url(query="organization_search=Bion"),
    "opportunities:opportunity-board": Url(),
    "opportunities:opportunity-board-cards": Url(query="column=1"),
    "opportunities:opportunity-board-totals": Url(),
    "opportunities:opportunity-create": Url(
        post=Post(
            data=lambda w: {
                "organization": w.organization.pk,
                "name": "Another deal",
                "phase": _open_phase(w, other_than=w.theirs).pk,
                "owner": w.sales.pk,
            },
            sales="allowed",
            allowed_by="sales",
        )
    ),
    "opportunities:opportunity-detail": Url(kwargs=_theirs, missing=_missing_opportunity),
    "opportunities:opportunity-field": Url(
        kwargs=lambda w: {**_theirs(w), "key": "name"},
        get=(302, 302, 302),
        missing=lambda w: {"short_name": "NOPE-999", "key": "name"},
        post=Post(data=lambda w: {"version": w.theirs.version, "value": "Renamed"}),
    ),
    "opportunities:opportunity-win": Url(
        kwargs=_theirs,
        get=(302, 302, 302),
        missing=_missing_opportunity,
        post=Post(data=lambda w: {"version": w.theirs.version, "confirm": "1"}),
    ),
    "opportunities:opportunity-lose": Url(
        kwargs=_theirs,
        # Sales may not open the form on another's opportunity.
        get=(403, 302, 302),
        missing=_missing_opportunity,
        post=Post(data=lambda w: {"version": w.theirs.version, "lost_reason": "Budget cut"}),
    ),
    "opportunities:opportunity-reopen": Url(
        kwargs=_theirs,
        get=(405, 405, 405),
        missing=_missing_opportunity,
        post=Post(data=lambda w: {"version": w.theirs.version}),
    ),
    "opportunities:opportunity-tags": Url(
        kwargs=_theirs, get=(302, 302, 302), missing=_missing_opportunity, post=Post(data=lambda w: {"name": "Hot"})
    ),
    "opportunities:opportunity-tag-remove": Url(
        kwargs=lambda w: {**_theirs(w), "tag_id": w.tag.pk},
        get=(405, 405, 405),
        missing=lambda w: {"short_name": "NOPE-999", "tag_id": w.tag.pk},
        post=Post(),
    ),
    "opportunities:opportunity-organization": Url(
        kwargs=_theirs,
        get=(302, 302, 302),
        missing=_missing_opportunity,
        # The organization's contact data: Sales may change any organization.
        post=Post(
            data=lambda w: {"street": "Invalidenstraße 42", "city": "Berlin"}, sales="allowed", allowed_by="sales"
        ),
    ),
    "opportunities:opportunity-members": Url(kwargs=_theirs, get=(302, 302, 302), missing=_missing_opportunity),
    "opportunities:opportunity-contact": Url(
        kwargs=lambda w: {**_theirs(w), "member_pk": w.member.pk},
        get=(405, 405, 405),
        missing=lambda w: {**_theirs(w), "member_pk": 99_999_999},
        post=Post(data=lambda w: {"contact": "0"}),
    ),
    "opportunities:opportunity-tasks": Url(
        kwargs=_theirs, get=(302, 302, 302), missing=_missing_opportunity, post=Post(data=lambda w: {"title": "Demo"})
    ),
    "opportunities:opportunity-task-action": Url(
        kwargs=lambda w: {**_theirs(w), "task_pk": w.their_task.pk, "action": "complete"},
        get=(405, 405, 405),
        missing=lambda w: {**_theirs(w), "task_pk": 99_999_999, "action": "complete"},
        post=Post(),
    ),
    "opportunities:opportunity-history": Url(kwargs=_theirs, get=(302, 302, 302), missing=_missing_opportunity),
    "opportunities:opportunity-move": Url(
        kwargs=_theirs,
        query="group=phase",
        # GET is the "Move to…" form; Sales may not open it for another's card.
        get=(403, 200, 200),
        missing=_missing_opportunity,
        post=Post(
            data=lambda w: {
                "group": "phase",
                "to": _open_phase(w, other_than=w.theirs).pk,
                "version": w.theirs.version,
            }
        ),
    ),
    "opportunities:opportunity-quick-edit": Url(
        kwargs=_theirs,
        query="field=phase",
        # Sales may not open the phase editor of another's row.
        get=(403, 200, 200),
        missing=_missing_opportunity,
        post=Post(
            data=lambda w: {
                "field": "phase",
                "value": _open_phase(w, other_than=w.theirs).pk,
                "version": w.theirs.version,
            }
        ),
    ),
    "opportunities:opportunity-delete": Url(
        kwargs=_theirs, get=(403, 200, 200), missing=_missing_opportunity, post=Post()
    ),
    "opportunities:trash": Url(get=(403, 200, 200)),
    "opportunities:opportunity-restore": Url(
        kwargs=lambda w: {"pk": w.theirs.pk},
        get=(405, 405, 405),
        missing=_missing_pk,
        post=Post(setup=_trash_theirs),
    ),
    # journal and reminders ----------------------------------------------------------------------------------
    "journal:reminder-list": Url(),
    "journal:reminder-bucket-more": Url(query="bucket=later"),
    "journal:journal-entry-list": Url(kwargs=_theirs, missing=_missing_opportunity),
    "journal:journal-entry-create": Url(
        kwargs=_theirs,
        get=(302, 302, 302),
        missing=_missing_opportunity,
        # Anyone may write in any opportunity's journal.
        post=Post(data=lambda w: {"mood": "happy", "text": "Demo went well."}, sales="allowed", allowed_by="sales"),
    ),
    "journal:journal-entry-detail": Url(kwargs=_entry, get=(302, 302, 302), missing=_missing_pk),
    "journal:journal-entry-update": Url(
        kwargs=_entry,
        # Sales edit only their own entries.
        get=(403, 200, 200),
        missing=_missing_pk,
        post=Post(data=lambda w: {"mood": "sad", "text": "Rewritten."}),
    ),
    "journal:journal-entry-delete": Url(kwargs=_entry, get=(403, 200, 200), missing=_missing_pk, post=Post()),
    "journal:reminder-done": Url(
        kwargs=_entry, get=(405, 405, 405), missing=_missing_pk, post=Post(data=lambda w: {"done": "1"})
    ),
    "journal:reminder-snooze": Url(
        kwargs=_entry,
        get=(405, 405, 405),
        missing=_missing_pk,
        post=Post(data=lambda w: {"preset": "date", "until": _tomorrow_plus(10)}),
    ),
    # e-mail ------------------------------------------------------------------------------------------------
    "journal:unassigned-mail": Url(),
    # Reps sort the team's unassigned mail, so Sales may do each of these.
    "journal:unassigned-mail-assign": Url(
        kwargs=_unassigned_mail,
        get=(405, 405, 405),
        missing=_missing_pk,
        post=Post(data=lambda w: {"opportunity": w.theirs.short_name}, sales="allowed", allowed_by="sales"),
    ),
    "journal:unassigned-mail-ignore": Url(
        kwargs=_unassigned_mail,
        get=(405, 405, 405),
        missing=_missing_pk,
        post=Post(sales="allowed", allowed_by="sales"),
    ),
    "journal:unassigned-mail-member": Url(
        kwargs=_unassigned_mail,
        get=(405, 405, 405),
        missing=_missing_pk,
        post=Post(data=lambda w: {"organization": w.organization.pk}, sales="allowed", allowed_by="sales"),
    ),
    "journal:email-download": Url(kwargs=lambda w: {"pk": w.their_mail.pk}, missing=_missing_pk),
    "journal:email-attachment": Url(kwargs=lambda w: {"pk": w.their_mail.attachments.first().pk}, missing=_missing_pk),
    "journal:mail-settings": Url(
        post=Post(data=lambda w: {"action": "settings", "log_my_mail": "on"}, sales="allowed", allowed_by="sales")
    ),
    "journal:journal-email-upload": Url(
        kwargs=_theirs,
        get=(405, 405, 405),
        missing=_missing_opportunity,
        # Anyone may log mail in any opportunity's journal, as they may write in it.
        post=Post(data=_eml_upload, sales="allowed", allowed_by="sales"),
    ),
    # documents --------------------------------------------------------------------------------------------
    "documents:document-create": Url(
        get=(405, 405, 405), post=Post(data=lambda w: {"opportunity": w.theirs.short_name})
    ),
    "documents:document-detail": Url(
        kwargs=_number,
        missing=_missing_number,
        post=Post(data=lambda w: _document_form(w, w.their_document, title="Changed title")),
    ),
    "documents:document-pdf": Url(kwargs=_number, missing=_missing_number),
    "documents:document-approve": Url(kwargs=_number, get=(405, 405, 405), missing=_missing_number, post=Post()),
    "documents:document-reopen": Url(
        kwargs=_number, get=(405, 405, 405), missing=_missing_number, post=Post(setup=_approve)
    ),
    "documents:document-send": Url(
        kwargs=_number, get=(405, 405, 405), missing=_missing_number, post=Post(setup=_approve)
    ),
    "documents:document-decide": Url(
        kwargs=_number,
        get=(405, 405, 405),
        missing=_missing_number,
        post=Post(data=lambda w: {"accepted": "1"}, setup=_approve_and_send),
    ),
    "documents:document-revise": Url(kwargs=_number, get=(405, 405, 405), missing=_missing_number, post=Post()),
    "documents:document-discard": Url(
        kwargs=_key, get=(405, 405, 405), missing=_missing_number, post=Post(setup=_unnumbered)
    ),
    # Django admin (staff only; besides the generated model URLs) ---------------------------------------------
    "admin:index": Url(get=(302, 302, 200)),
    "admin:login": Url(get=(302, 302, 302), anonymous=ANONYMOUS_OK),
    "admin:logout": Url(get=(302, 302, 405)),
    "admin:password_change": Url(get=(302, 302, 200)),
    "admin:password_change_done": Url(get=(302, 302, 200)),
    "admin:autocomplete": Url(get=(302, 302, 403)),
    "admin:jsi18n": Url(get=(302, 302, 200)),
    "admin:view_on_site": Url(
        kwargs=lambda w: {"content_type_id": _content_type(w.theirs), "object_id": w.theirs.pk}, get=(302, 302, 302)
    ),
    "admin:app_list": Url(kwargs=lambda w: {"app_label": "opportunities"}, get=(302, 302, 200)),
    "admin:auth_user_password_change": Url(kwargs=lambda w: {"id": w.sales.pk}, get=(302, 302, 200)),
}

# The generated admin URLs of every registered model: staff only, so Sales and Managers (not staff)
# are sent to the admin's login page; an admin gets the page (or, for a model without rows, a
# redirect back to the changelist).
ADMIN_MODEL_ACTIONS = ("changelist", "add", "change", "delete", "history")


def _content_type(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj).pk


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None
    pattern: URLPattern
    admin_model: type | None = None
    admin_action: str = ""
    extra: dict = field(default_factory=dict)


def routes() -> list[Route]:
    """Every URL pattern of the project, by walking the resolver."""
    models = {f"admin:{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry}
    found = []

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
                continue
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            route = prefix + str(pattern.pattern)
            model, action = None, ""
            if name:
                match = re.fullmatch(r"(admin:\w+?_\w+?)_(\w+)", name)
                if match and match.group(1) in models and match.group(2) in ADMIN_MODEL_ACTIONS:
                    model, action = models[match.group(1)], match.group(2)
            found.append(Route(route, name, pattern, model, action))

    walk(get_resolver().url_patterns, "", None)
    return found
