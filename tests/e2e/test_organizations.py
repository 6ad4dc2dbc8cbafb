import re

import pytest
from playwright.sync_api import expect

from organizations.models import Member, Organization
from tests import factories
from tests.e2e.helpers import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_organization_then_add_edit_and_delete_a_member_inline(page):
    factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    login(page, username="sandra")

    page.get_by_role("link", name="Organizations").click()
    page.get_by_role("link", name="New organization").first.click()
    page.wait_for_load_state()  # htmx binds its triggers once the page has loaded
    page.get_by_label("Name").fill("Bionic Systems GmbH")
    # The code suggestion follows the name as it is typed.
    expect(page.locator("#id_code_helptext")).to_contain_text("Suggested: BION")
    page.get_by_label("City").fill("Berlin")
    page.get_by_label("E-mail").fill("info@bionic")
    page.get_by_role("button", name="Create organization").click()

    # Bad e-mail: message next to the field, everything typed still there.
    expect(page.locator("#id_email_error")).to_contain_text("Enter a valid email address.")
    expect(page.get_by_label("City")).to_have_value("Berlin")
    page.get_by_label("E-mail").fill("info@bionic.example")
    page.get_by_role("button", name="Create organization").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Bionic Systems GmbH")
    expect(page.get_by_text("Organization “Bionic Systems GmbH” created.")).to_be_visible()
    organization = Organization.objects.get(name="Bionic Systems GmbH")
    assert organization.code == "BION"

    # "+ Add member" opens the form in place (no page load: the URL stays).
    page.get_by_role("link", name="Add member").click()
    form = page.locator("#member-form-new")
    expect(form).to_be_visible()
    expect(page).to_have_url(re.compile(rf"/organizations/{organization.pk}/$"))
    expect(form.get_by_label("First name")).to_be_focused()
    form.get_by_label("First name").fill("Anna")
    form.get_by_role("button", name="Add member").click()
    expect(form.locator("#new-member-last_name_error")).to_contain_text("This field is required.")
    expect(form.get_by_label("First name")).to_have_value("Anna")
    expect(form.get_by_label("Last name")).to_be_focused()

    form.get_by_label("Academic title").fill("Dr.")
    form.get_by_label("Last name").fill("Becker")
    form.get_by_label("Job title").fill("Head of IT")
    form.get_by_label("Influence level").select_option("top")
    form.get_by_label("Attitude").select_option("positive")
    form.get_by_role("button", name="Add member").click()

    expect(page.locator("#member-form-new")).to_have_count(0)
    row = page.locator("#member-list .member")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Dr. Anna Becker")
    expect(row).to_contain_text("Head of IT")
    expect(row.locator("[data-influence=top]")).to_have_attribute("title", re.compile("Makes the final decision"))
    expect(page.locator("#member-count")).to_have_text("1")
    expect(page.get_by_text("No members yet")).to_be_hidden()
    member = Member.objects.get(organization=organization)
    assert member.full_name == "Dr. Anna Becker"

    # Edit inline: the row becomes a form and back.
    row.get_by_role("link", name="Edit Dr. Anna Becker").click()
    edit = page.locator(f"#member-form-{member.pk}")
    # The swapped-in form focuses its first field (app.js, on htmx:load); typing
    # before that can end up there ("CTOAnna"), so wait for it.
    expect(edit.get_by_label("First name")).to_be_focused()
    edit.get_by_label("Job title").fill("CTO")
    edit.get_by_role("button", name="Save member").click()
    expect(page.locator(f"#member-{member.pk} .member-role")).to_have_text("CTO")
    member.refresh_from_db()
    assert (member.first_name, member.job_title) == ("Anna", "CTO")

    # Sales edit contact persons; deleting one is for managers.
    expect(page.get_by_role("link", name="Delete Dr. Anna Becker")).to_have_count(0)
    factories.make_user(username="maria", role="Managers")
    page.context.clear_cookies()
    login(page, username="maria")
    page.goto(f"/organizations/{organization.pk}/")
    # Delete after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name="Delete Dr. Anna Becker").click()
    expect(page.locator("#member-list .member")).to_have_count(0)
    expect(page.locator("#member-count")).to_have_text("0")
    expect(page.get_by_text("No members yet")).to_be_visible()
    assert not Member.objects.filter(pk=member.pk).exists()


def test_organization_list_searches_as_you_type_and_keeps_the_url(page):
    factories.make_user(username="sandra", role="Sales")
    factories.make_organization(name="Bionic Systems", code="BION", city="Berlin")
    factories.make_organization(name="Nordlicht Logistik", code="NORD", city="Hamburg")
    login(page, username="sandra")

    page.goto("/organizations/")
    expect(page.locator("#organization-table tbody tr")).to_have_count(2)
    page.keyboard.press("/")
    page.keyboard.type("hamb")

    expect(page.locator("#organization-table tbody tr")).to_have_count(1)
    expect(page.locator("#organization-table")).to_contain_text("Nordlicht Logistik")
    expect(page).to_have_url(re.compile(r"\?q=hamb"))
    page.get_by_role("link", name="City").click()
    expect(page).to_have_url(re.compile(r"q=hamb&sort=city"))
    expect(page.locator("#organization-table tbody tr")).to_have_count(1)


def test_user_menu_logs_out(page):
    factories.make_user(username="sandra", role="Sales", display_name="Sandra Sales")
    login(page, username="sandra")
    page.goto("/organizations/")

    page.get_by_label("Account menu").click()
    expect(page.get_by_text("sandra@example.com")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.goto("/organizations/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/organizations/"))
