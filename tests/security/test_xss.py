"""Stored XSS: every free-text field holds a payload (tests/security/payloads.py), and every page,
fragment, admin page, PDF and CSV shows it as text.

A page passes when no stored value appears unescaped and an HTML parser finds no element we did not
write: no on* attribute at all (the CSP forbids them, so we write none), no attribute other than
text-carrying ones (title, value, …) holding the payloads' marker, no javascript:/data: URL, no
script or style whose text holds the marker. Template-injection payloads must not compute anything.
"""

import csv
import io
import re
import shutil
import subprocess
import unicodedata
from html.parser import HTMLParser

import markupsafe
import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from documents.models import DocumentLine
from journal.models import JournalEntry
from opportunities.models import Category, CustomField, Opportunity, Phase, SavedView, Source, Status, Tag, Task
from organizations.models import Member, Organization
from tests import factories
from tests.security.helpers import HX
from tests.security.payloads import MARKER, PAYLOADS, TEMPLATE_RESULTS

pytestmark = pytest.mark.django_db

# Attributes that carry a person's text and are only ever shown as text.
TEXT_ATTRIBUTES = {"title", "alt", "aria-label", "value", "placeholder", "hx-confirm", "label", "data-label"}
# Attributes holding a URL: ours carry people's text only percent-encoded in a query string, so only
# a scheme that runs code is a problem there.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
URL_ATTRIBUTES |= {
    f"{prefix}hx-{verb}" for prefix in ("", "data-") for verb in ("get", "post", "put", "patch", "delete")
}
URL_ATTRIBUTES |= {"hx-push-url", "hx-replace-url"}
SPECIAL = set("<>\"'")
# The marker as a word of its own: random tokens (CSRF, CSP nonces) may contain the letters.
MARKED = re.compile(rf"(?<![A-Za-z0-9]){MARKER}(?![A-Za-z0-9])")


class Inspector(HTMLParser):
    """Collects the elements and attributes a browser would build that we did not write."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.open_tags = []

    def handle_starttag(self, tag, attrs):
        self.open_tags.append(tag)
        if MARKED.search(tag):
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            compact = re.sub(r"[\s\x00-\x1f]+", "", value).lower()
            handler = name.startswith("on") or MARKED.search(name)
            script_url = name in URL_ATTRIBUTES and (
                compact.startswith(("javascript:", "vbscript:", "data:text")) or name == "srcdoc"
            )
            marked = MARKED.search(value) and name not in TEXT_ATTRIBUTES | URL_ATTRIBUTES
            if handler or script_url or marked:
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.open_tags.pop()

    def handle_endtag(self, tag):
        if tag in self.open_tags:
            del self.open_tags[len(self.open_tags) - 1 - self.open_tags[::-1].index(tag) :]

    def handle_data(self, data):
        if self.open_tags and self.open_tags[-1] in ("script", "style") and MARKED.search(data):
            self.problems.append(f"<{self.open_tags[-1]}> text {data[:80]!r}")


def inert(html: str, values) -> list[str]:
    """What is wrong with ``html``: unescaped stored values, foreign elements, evaluated templates."""
    problems = [f"raw: {value[:60]!r}" for value in values if SPECIAL & set(value) and value in html]
    inspector = Inspector()
    inspector.feed(html)
    inspector.close()
    problems += inspector.problems
    problems += [f"evaluated: {result}" for result in TEMPLATE_RESULTS if result in html]
    return problems


def shown_as_text(value: str, html: str) -> bool:
    """``value`` escaped, as Django's templates write it (&quot;) or Jinja2's (&#34;)."""
    return escape(value) in html or str(markupsafe.escape(value)) in html


def cut(value: str, length: int) -> str:
    return value[:length]


@pytest.fixture
def stored(db, sales_user, manager, settings, tmp_path):
    """A payload in every free-text field, through the ORM (as if it had got past any form)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    config = {}
    # Admin-defined labels: phases, statuses, categories, sources, custom fields and their choices.
    open_phase = Phase.objects.filter(kind="open").order_by("position").first()
    config["phases"] = [
        Phase.objects.create(name=f"{cut(p, 90)} {n}", kind="open", position=open_phase.position + 1 + n)
        for n, p in enumerate(PAYLOADS[:6])
    ]
    config["statuses"] = [
        Status.objects.create(name=f"{cut(p, 90)} {n}", position=90 + n) for n, p in enumerate(PAYLOADS[6:9])
    ]
    config["categories"] = [Category.objects.create(name=f"{cut(p, 90)} {n}") for n, p in enumerate(PAYLOADS[9:12])]
    config["sources"] = [Source.objects.create(name=f"{cut(p, 90)} {n}") for n, p in enumerate(PAYLOADS[12:15])]
    choices = [cut(p, 90) for p in PAYLOADS[15:25]]
    config["fields"] = [
        CustomField.objects.create(
            label=cut(PAYLOADS[25], 100), key="notes", field_type="text", show_in_table=True, show_on_cards=True
        ),
        CustomField.objects.create(
            label=cut(PAYLOADS[26], 100), key="pick", field_type="choice", choices=choices, show_in_table=True
        ),
        CustomField.objects.create(
            label=cut(PAYLOADS[27], 100), key="many", field_type="multi_choice", choices=choices
        ),
    ]
    evil_owner = factories.make_user(username="evil", role="Sales", display_name=cut(PAYLOADS[0], 150))
    SavedView.objects.create(owner=sales_user, name=cut(PAYLOADS[1], 100), query="phase=1")
    SavedView.objects.create(owner=None, name=cut(PAYLOADS[2], 100), query="phase=2")

    opportunities = []
    for n, payload in enumerate(PAYLOADS):
        organization = Organization.objects.create(
            name=cut(payload, 200),
            code=f"X{n}",
            street=cut(payload, 200),
            postal_code=cut(payload, 20),
            city=cut(payload, 100),
            country=cut(payload, 100),
            phone=cut(payload, 50),
            notes=payload,
        )
        member = Member.objects.create(
            organization=organization,
            academic_title=cut(payload, 50),
            first_name=cut(payload, 100),
            last_name=cut(payload, 100),
            department=cut(payload, 100),
            job_title=cut(payload, 100),
            street=cut(payload, 200),
            city=cut(payload, 100),
            notes=payload,
        )
        tag = Tag.objects.create(name=f"{cut(payload, 44)} #{n}")
        opportunity = factories.make_opportunity(
            organization=organization,
            owner=evil_owner if n % 10 == 0 else sales_user,
            name="Before",
            description="Before",
            phase=config["phases"][n % 6] if n % 3 == 0 else open_phase,
            status=config["statuses"][n % 3] if n % 4 == 0 else None,
            category=config["categories"][n % 3],
            source=config["sources"][n % 3],
            tags=[tag],
            primary_contact=member,
            custom_values={"notes": cut(payload, 500), "pick": choices[n % 10], "many": choices[:3]},
        )
        # The history shows the change from "Before" to the payload.
        Opportunity.objects.filter(pk=opportunity.pk).update(name=cut(payload, 200), description=payload)
        Task.objects.create(opportunity=opportunity, title=cut(payload, 200), assignee=sales_user, due_date=today)
        factories.make_journal_entry(
            opportunity=opportunity,
            author=evil_owner if n % 10 == 0 else sales_user,
            text=payload,
            reminder_date=today,
            reminder_assignee=evil_owner if n % 10 == 0 else sales_user,
        )
        opportunities.append(opportunity)

    document = factories.make_document(
        opportunity=opportunities[3],
        user=manager,
        title=cut(PAYLOADS[3], 200),
        intro="\n".join(PAYLOADS[:60]),
        terms="\n".join(PAYLOADS[60:120]),
    )
    DocumentLine.objects.bulk_create(
        DocumentLine(document=document, position=n + 1, description=payload, unit=cut(payload, 20))
        for n, payload in enumerate(PAYLOADS)
    )
    values = set()
    for model, fields in [
        (Organization, ["name", "street", "postal_code", "city", "country", "phone", "notes"]),
        (Member, ["academic_title", "first_name", "last_name", "department", "job_title", "street", "city", "notes"]),
        (Opportunity, ["name", "description"]),
        (Tag, ["name"]),
        (Task, ["title"]),
        (JournalEntry, ["text"]),
        (Phase, ["name"]),
        (Status, ["name"]),
        (Category, ["name"]),
        (Source, ["name"]),
        (CustomField, ["label"]),
        (SavedView, ["name"]),
        (DocumentLine, ["description", "unit"]),
    ]:
        for row in model.objects.values_list(*fields):
            values.update(row)
    values.update(choices)
    values.update([document.title, evil_owner.display_name])
    return {"opportunities": opportunities, "document": document, "values": values}


def check(client, url, stored, *, htmx=False, status=(200,)):
    response = client.get(url, **(HX if htmx else {}))
    assert response.status_code in status, (url, response.status_code)
    html = response.content.decode()
    problems = inert(html, stored["values"])
    assert problems == [], (url, problems[:10])
    return html


def test_the_parser_finds_what_a_page_without_escaping_would_let_through():
    # The checker itself: an unescaped rendering of the payloads is caught, the escaped one is not.
    values = set(PAYLOADS)
    assert inert("<p>" + "</p><p>".join(escape(p) for p in PAYLOADS) + "</p>", values) == []
    caught = [p for p in PAYLOADS if inert(f"<p>{p}</p>", {p})]
    harmless = {p for p in PAYLOADS if not SPECIAL & set(p)}
    assert set(PAYLOADS) - set(caught) <= harmless


def test_table_board_and_reminders_show_payloads_as_text(client, sales_user, manager, stored):
    client.force_login(sales_user)
    columns = ",".join(
        ["short_name", "name", "organization", "category", "status", "phase", "owner", "open_tasks", "tags"]
        + ["next_reminder", "source", "cf_notes", "cf_pick", "cf_many"]
    )
    pages = (len(stored["opportunities"]) + 99) // 100
    for page in range(1, pages + 1):
        html = check(
            client, f"{reverse('opportunities:opportunity-list')}?per_page=100&page={page}&cols={columns}", stored
        )
        check(
            client,
            f"{reverse('opportunities:opportunity-list')}?per_page=100&page={page}&cols={columns}&group=phase",
            stored,
            htmx=True,
        )
    assert shown_as_text(stored["opportunities"][-1].name, html) or pages > 1
    for group in ("phase", "status"):
        check(client, f"{reverse('opportunities:opportunity-board')}?group={group}", stored)
        for phase in Phase.objects.all():
            for offset in range(0, len(stored["opportunities"]), 30):
                check(
                    client,
                    f"{reverse('opportunities:opportunity-board-cards')}?column={phase.pk}&offset={offset}",
                    stored,
                )
    check(client, reverse("journal:reminder-list"), stored)
    # The team's reminders (a manager's view) name whom each is for.
    team = Client()
    team.force_login(manager)
    check(team, reverse("journal:reminder-list") + "?user=all", stored)
    for offset in range(0, len(stored["opportunities"]), 100):
        check(team, f"{reverse('journal:reminder-bucket-more')}?bucket=today&offset={offset}&user=all", stored)
    for offset in range(0, len(stored["opportunities"]), 100):
        check(client, f"{reverse('journal:reminder-bucket-more')}?bucket=today&offset={offset}", stored)
    opportunity = stored["opportunities"][5]
    for field in ("phase", "status"):
        check(
            client,
            f"{reverse('opportunities:opportunity-quick-edit', args=[opportunity.short_name])}?field={field}",
            stored,
            htmx=True,
        )
    check(client, reverse("opportunities:opportunity-create"), stored)
    check(client, f"{reverse('opportunities:organization-autocomplete')}?organization_search=script", stored)


def test_detail_pages_journal_and_fragments_show_payloads_as_text(client, sales_user, stored):
    client.force_login(sales_user)
    keys = ["name", "description", "category", "source", "status", "phase", "owner", "cf_notes", "cf_pick", "cf_many"]
    for n, opportunity in enumerate(stored["opportunities"]):
        html = check(client, opportunity.get_absolute_url(), stored)
        assert escape(Opportunity.objects.get(pk=opportunity.pk).name) in html
        check(client, reverse("journal:journal-entry-list", args=[opportunity.short_name]), stored)
        if n % 20 == 1:  # the sales user's own, so the edit forms open
            check(client, f"{opportunity.get_absolute_url()}?history=all", stored)
            for key in keys:
                url = reverse("opportunities:opportunity-field", args=[opportunity.short_name, key])
                check(client, url + "?edit=1", stored, htmx=True)
            for region in ("members", "tasks", "history", "organization"):
                check(
                    client,
                    reverse(f"opportunities:opportunity-{region}", args=[opportunity.short_name]),
                    stored,
                    htmx=True,
                )
            entry = JournalEntry.objects.filter(opportunity=opportunity).first()
            check(client, reverse("journal:journal-entry-update", args=[entry.pk]), stored)
            check(client, reverse("journal:journal-entry-delete", args=[entry.pk]), stored)


def test_organization_pages_show_payloads_as_text(client, sales_user, manager_client, stored):
    client.force_login(sales_user)
    for page in range(1, (len(stored["opportunities"]) + 99) // 100 + 1):
        check(client, f"{reverse('organizations:organization-list')}?per_page=100&page={page}", stored)
    for n, opportunity in enumerate(stored["opportunities"]):
        organization = opportunity.organization
        check(client, organization.get_absolute_url(), stored)
        if n % 20 == 0:
            member = organization.members.get()
            check(client, reverse("organizations:organization-update", args=[organization.pk]), stored)
            check(client, reverse("organizations:member-update", args=[organization.pk, member.pk]), stored)
            # Deleting (contact persons, organizations to the trash) is for managers.
            check(manager_client, reverse("organizations:member-delete", args=[organization.pk, member.pk]), stored)
            check(manager_client, reverse("organizations:organization-delete", args=[organization.pk]), stored)
            check(manager_client, reverse("opportunities:opportunity-delete", args=[opportunity.short_name]), stored)
            check(client, reverse("organizations:member-detail", args=[organization.pk, member.pk]), stored, htmx=True)


def test_the_trash_shows_payloads_as_text(manager_client, manager, stored):
    from opportunities import services as opportunity_services
    from organizations import services as organization_services

    for n, opportunity in enumerate(stored["opportunities"]):
        if n % 2:
            opportunity_services.opportunity_trash(opportunity=opportunity, user=manager)
        elif n % 10 == 0:
            organization_services.organization_trash(organization=opportunity.organization, user=manager)
    for page in range(1, (len(stored["opportunities"]) + 49) // 50 + 1):
        check(manager_client, f"{reverse('opportunities:trash')}?page={page}", stored)


def test_document_editor_and_pdf_show_payloads_as_text(client, manager, stored):
    client.force_login(manager)
    document = stored["document"]
    check(client, document.get_absolute_url(), stored)

    response = client.get(reverse("documents:document-pdf", args=[document.number]))

    assert response.status_code == 200
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is a system package of the project"
    command = [pdftotext, "-enc", "UTF-8", "-", "-"]
    text = subprocess.run(command, input=response.content, capture_output=True, check=True).stdout.decode()  # noqa: S603
    flat = _flat(text)
    missing = [p for p in PAYLOADS if _flat(p) and _flat(p) not in flat]
    assert missing == [], (missing, text[:3000])


def _flat(text: str) -> str:
    """Text without whitespace and hyphens (the PDF breaks lines where it likes, and pdftotext joins
    "hx-" and "trigger" at a line end to "hxtrigger"), in one Unicode form."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text))


def test_admin_pages_show_payloads_as_text(client, admin_user, stored):
    client.force_login(admin_user)
    opportunity = stored["opportunities"][4]
    objects = [
        opportunity,
        opportunity.organization,
        opportunity.organization.members.get(),
        Task.objects.filter(opportunity=opportunity).first(),
        JournalEntry.objects.filter(opportunity=opportunity).first(),
        stored["document"],
        *Phase.objects.all(),
        *CustomField.objects.all(),
        Tag.objects.first(),
        SavedView.objects.first(),
    ]
    for model in admin.site._registry:
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        check(client, changelist, stored)
        check(client, changelist + "?q=script", stored)
    for obj in objects:
        info = (obj._meta.app_label, obj._meta.model_name)
        for view in ("change", "history", "delete"):
            # Deleting a phase in use is refused with a redirect to its page (which is checked).
            check(client, reverse(f"admin:{info[0]}_{info[1]}_{view}", args=[obj.pk]), stored, status=(200, 302))


def test_csv_export_neutralises_formulas_and_keeps_the_text(client, sales_user, stored):
    client.force_login(sales_user)
    columns = "short_name,name,organization,category,status,phase,owner,tags,source,cf_notes,cf_pick,cf_many"

    response = client.get(f"{reverse('opportunities:opportunity-export')}?cols={columns}")

    content = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(content, newline="")))
    cells = [cell for row in rows[1:] for cell in row]
    assert [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")] == []
    names = {row[1] for row in rows[1:]}
    for opportunity in Opportunity.objects.filter(organization__code__startswith="X"):
        name = opportunity.name
        assert (("'" + name) if name[:1] in "=+-@\t\r" else name) in names


def test_a_text_value_is_no_link_after_its_field_became_a_url_field(client, sales_user):
    # A text field's values were never checked as web addresses; an admin may change its type later.
    field = CustomField.objects.create(label="Website", key="website", field_type="text", show_in_table=True)
    opportunity = factories.make_opportunity(
        owner=sales_user, custom_values={"website": "javascript:alert('xss')//https://example.com"}
    )
    factories.make_opportunity(owner=sales_user, name="Fine", custom_values={"website": "https://example.com/a?b=1"})
    field.field_type = "url"
    field.save()
    client.force_login(sales_user)
    values = {"javascript:alert('xss')//https://example.com"}

    table = check(client, reverse("opportunities:opportunity-list") + "?cols=name,cf_website", {"values": values})
    detail = check(client, opportunity.get_absolute_url(), {"values": values})

    assert 'href="https://example.com/a?b=1"' in table
    assert escape("javascript:alert('xss')//https://example.com") in detail
