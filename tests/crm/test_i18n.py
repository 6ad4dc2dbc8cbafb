"""German: a German browser gets the pages in German, the account menu switches the language, and
the German catalogue translates every string (so a new string without German fails here)."""

import ast
import datetime
import gettext
import re
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from crm.formats import weekday_and_day
from tests import factories
from tests.security.helpers import changed_tables, fingerprint

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
LOCALE = Path(settings.BASE_DIR) / "locale" / "de" / "LC_MESSAGES"


@pytest.fixture
def opportunity(sales_user):
    organization = factories.make_organization(name="Bionext GmbH", code="BION", city="Berlin")
    factories.make_member(organization=organization, first_name="Lena", last_name="Hoffmann")
    return factories.make_opportunity(organization=organization, owner=sales_user, name="CRM-Einführung")


def _text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_a_german_browser_gets_the_table_in_german(sales_client, opportunity):
    page = _text(sales_client.get(reverse("opportunities:opportunity-list"), **GERMAN))

    assert '<html lang="de">' in page
    # The navigation and the column headers.
    for german in ("Tabelle", "Organisationen", "Wiedervorlagen", "Kurzname", "Verantwortlicher", "Offene Aufgaben"):
        assert german in page, german
    for english in ("Organizations", "Short name", "Open tasks", "Owner"):
        assert f">{english}<" not in page, english


def test_a_german_browser_gets_the_board_in_german(sales_client, opportunity):
    page = _text(sales_client.get(reverse("opportunities:opportunity-board"), **GERMAN))

    for german in ("Pipeline-Board", "Gewichtet", "Prognose (offen, gewichtet)", "Spalten nach", "Neue Verkaufschance"):
        assert german in page, german
    assert "Forecast" not in page


def test_a_german_browser_gets_an_opportunity_in_german(sales_client, opportunity):
    page = _text(sales_client.get(opportunity.get_absolute_url(), **GERMAN))

    for german in (
        "Als gewonnen markieren",
        "Organisation und Mitglieder",
        "Eckdaten",
        "Abschlussdatum",
        "Aufgaben",
        "Journaleintrag hinzufügen",
        "Verlauf",
    ):
        assert german in page, german
    assert "Mark as won" not in page


@time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC), tick=False)
@pytest.mark.parametrize(
    ("headers", "created", "in_table", "on_cards"),
    [
        ({}, "Created 2 Mar 2026", ">15 Jun 2026<", [">15 Jun<", ">15 Jan 2027<"]),
        (GERMAN, "Angelegt am 2. März 2026", ">15.06.2026<", [">15. Jun<", ">15.01.2027<"]),
    ],
)
def test_dates_are_written_as_each_language_writes_them(sales_client, sales_user, headers, created, in_table, on_cards):
    opportunity = factories.make_opportunity(
        owner=sales_user, name="Datumstest", expected_close_date=datetime.date(2026, 6, 15)
    )
    factories.make_opportunity(owner=sales_user, name="Next year", expected_close_date=datetime.date(2027, 1, 15))

    detail = _text(sales_client.get(opportunity.get_absolute_url(), **headers))
    table = _text(sales_client.get(reverse("opportunities:opportunity-list"), **headers))
    board = _text(sales_client.get(reverse("opportunities:opportunity-board"), **headers))

    assert created in re.sub(r"\s+", " ", detail)
    assert in_table in table
    # A card leaves out the year of a day in this year only.
    for day in on_cards:
        assert day in board, day


@pytest.mark.parametrize(
    ("language", "this_year", "next_year", "time"),
    [("en", "Wed 18 Nov", "Tue 5 Jan 2027", "14:05"), ("de", "Mi 18. Nov", "Di 05.01.2027", "14:05")],
)
def test_a_day_with_its_weekday_shows_the_year_only_outside_this_year(language, this_year, next_year, time):
    today = datetime.date(2026, 11, 18)
    with translation.override(language):
        assert weekday_and_day(today, today) == this_year
        assert weekday_and_day(datetime.date(2027, 1, 5), today) == next_year
        assert formats.time_format(datetime.time(14, 5)) == time


def test_a_german_browser_gets_the_organizations_in_german(sales_client, opportunity):
    page = _text(sales_client.get(reverse("organizations:organization-list"), **GERMAN))

    for german in ("Neue Organisation", "Kürzel", "Ort", "Offene Verkaufschancen"):
        assert german in page, german
    assert "Open opportunities" not in page


def test_a_german_browser_gets_djangos_own_blank_choice_in_german(sales_client, opportunity):
    # Django 6.1's "- Select an option -" is not in Django's German catalogue yet (crm/django_strings.py).
    url = reverse("organizations:member-create", args=[opportunity.organization_id])

    page = _text(sales_client.get(url, **GERMAN))

    assert "Einflussniveau" in page
    assert "– Bitte auswählen –" in page
    assert "Select an option" not in page


def test_english_stays_the_default(sales_client, opportunity):
    plain = _text(sales_client.get(reverse("opportunities:opportunity-list")))
    french = _text(sales_client.get(reverse("opportunities:opportunity-list"), HTTP_ACCEPT_LANGUAGE="fr"))

    for page in (plain, french):
        assert '<html lang="en">' in page
        assert "Short name" in page
        assert "Kurzname" not in page


def test_the_account_menu_offers_each_language_in_its_own_name(sales_client):
    page = _text(sales_client.get(reverse("organizations:organization-list") + "?q=bion", **GERMAN))

    form = re.search(r'<form class="menu-language" method="post" action="([^"]+)">(.*?)</form>', page, re.S)
    assert form is not None
    assert form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert '<input type="hidden" name="next" value="/organizations/?q=bion">' in form.group(2)
    assert 'value="en" lang="en" aria-pressed="false">English<' in form.group(2)
    assert 'value="de" lang="de" aria-pressed="true">Deutsch<' in form.group(2)


def test_choosing_english_in_the_menu_switches_a_german_browser_back(sales_client, opportunity):
    before = fingerprint()

    response = sales_client.post(reverse("set_language"), {"language": "en", "next": "/organizations/"}, **GERMAN)

    assert response.status_code == 302
    assert response["Location"] == "/organizations/"
    assert sales_client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    # The choice is the browser's cookie, and the user's preference for e-mails (the daily digest).
    assert changed_tables(before, fingerprint()) == ["crm.User"]
    page = _text(sales_client.get("/organizations/", **GERMAN))
    assert '<html lang="en">' in page
    assert "Open opportunities" in page
    assert "Offene Verkaufschancen" not in page


def test_choosing_german_in_the_menu_switches_an_english_browser_to_german(sales_client, opportunity):
    sales_client.post(reverse("set_language"), {"language": "de", "next": "/opportunities/"})

    page = _text(sales_client.get(reverse("opportunities:opportunity-list")))

    assert '<html lang="de">' in page
    assert "Kurzname" in page


def test_the_language_choice_sends_nobody_to_another_site(sales_client):
    response = sales_client.post(reverse("set_language"), {"language": "de", "next": "https://evil.example/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_unknown_language_changes_nothing(sales_client):
    response = sales_client.post(reverse("set_language"), {"language": "xx", "next": "/opportunities/"})

    assert response.status_code == 302
    assert settings.LANGUAGE_COOKIE_NAME not in sales_client.cookies


def _po_entries(path: Path) -> list[dict]:
    """msgid, msgid_plural, msgstr/msgstr[n] and flags of every entry of a .po file."""
    entries, entry, key = [], {"flags": set()}, None
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {"flags": set()}, None
        elif line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[key] += _unquote(line)
        else:
            key, _space, value = line.partition(" ")
            entry[key] = _unquote(value)
    return entries


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text.strip()[1:-1])


def _translations(entry: dict) -> list[str]:
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def test_every_german_string_is_translated_and_none_is_fuzzy():
    entries = _po_entries(LOCALE / "django.po")[1:]  # the first is the header

    assert len(entries) > 800
    untranslated = [entry["msgid"] for entry in entries if not all(_translations(entry))]
    fuzzy = [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert untranslated == [], "Translate these in locale/de/LC_MESSAGES/django.po (README, Development)"
    assert fuzzy == [], "Check these translations and remove their fuzzy flag"
    plurals = [entry for entry in entries if "msgid_plural" in entry]
    assert plurals and all({"msgstr[0]", "msgstr[1]"} <= set(entry) for entry in plurals)


GETTEXT_CALLS = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "ngettext_lazy"}


def _marked_in_python() -> dict[str, str]:
    """Every msgid our Python code marks (first argument of a gettext call), with where."""
    marked = {}
    for path in sorted(Path(settings.BASE_DIR).glob("*/**/*.py")):
        if path.relative_to(settings.BASE_DIR).parts[0] in {".venv", "tests", "bench", "var"}:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_CALLS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                marked.setdefault(node.args[0].value, f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")
    return marked


def test_every_string_marked_in_python_is_in_the_german_catalogue():
    # xgettext does not see a string marked inside an f-string: such a string stays English in German
    # (the board's "stale" badge did). Mark it outside the f-string, then run makemessages.
    catalogue = {entry["msgid"] for entry in _po_entries(LOCALE / "django.po")[1:]}
    marked = _marked_in_python()

    missing = {msgid: where for msgid, where in marked.items() if msgid not in catalogue}

    assert len(marked) > 300
    assert missing == {}, "Mark outside f-strings and run makemessages (README, Development)"


def test_the_compiled_catalogue_matches_the_po_file():
    # The .mo is committed (no gettext on a clean machine); compilemessages after every .po change.
    with (LOCALE / "django.mo").open("rb") as file:
        catalogue = gettext.GNUTranslations(file)
    stale = []
    for entry in _po_entries(LOCALE / "django.po")[1:]:
        if "msgid_plural" in entry:
            compiled = [catalogue.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 2)]
            wanted = [entry["msgstr[0]"], entry["msgstr[1]"]]
        else:
            compiled, wanted = catalogue.gettext(entry["msgid"]), entry["msgstr"]
        if compiled != wanted:
            stale.append(entry["msgid"])
    assert stale == [], "Run manage.py compilemessages and commit django.mo"
