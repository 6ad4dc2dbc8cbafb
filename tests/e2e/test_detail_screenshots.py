"""Screenshots of a busy opportunity page in English and German, wide and on a phone.

Also a smoke test: the page fixture fails on CSP or script errors. To keep the
pictures: SCREENSHOT_DIR=/some/folder DEBUG=1 .venv/bin/pytest tests/e2e/test_detail_screenshots.py
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from opportunities import services
from opportunities.models import OpportunityContact
from tests import factories
from tests.e2e.helpers import login, screenshot
from tests.e2e.test_screenshots import make_realistic_data

pytestmark = pytest.mark.django_db(transaction=True)


def make_busy_opportunity():
    bionic = make_realistic_data()
    opportunity = bionic.opportunities.get(name="CRM rollout for sales and service")
    owner = opportunity.owner
    services.opportunity_field_update(
        opportunity_id=opportunity.pk,
        version=opportunity.version,
        data={"value": Decimal("12345.67"), "description": "SSO, export to the ERP and a mobile view for the field."},
        user=owner,
    )
    for index, member in enumerate(bionic.members.order_by("last_name")[:3]):
        OpportunityContact.objects.create(opportunity=opportunity, member=member, is_primary=index == 0)
    today = timezone.localdate()
    factories.make_task(opportunity=opportunity, title="Send the price indication", assignee=owner, due_date=today)
    factories.make_task(
        opportunity=opportunity, title="Book the demo room", assignee=owner, due_date=today - datetime.timedelta(3)
    )
    factories.make_task(opportunity=opportunity, title="Ask for references", due_date=today + datetime.timedelta(9))
    done = factories.make_task(opportunity=opportunity, title="Call Anna Becker", assignee=owner)
    services.task_complete(task=done, user=owner)
    factories.make_journal_entry(opportunity=opportunity, author=owner, text="Called Anna: the board meets in May.")
    for probability in range(25, 50, 5):
        opportunity.refresh_from_db()
        services.opportunity_field_update(
            opportunity_id=opportunity.pk, version=opportunity.version, data={"probability": probability}, user=owner
        )
    return opportunity


@pytest.mark.parametrize("language", ["en", "de"])
def test_screenshots_of_the_detail_page(page, tmp_path, language):
    opportunity = make_busy_opportunity()
    login(page, username="sandra")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": page.url}])
    shots = []
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        page.goto(opportunity.get_absolute_url())
        expect(page.get_by_role("heading", level=1)).to_have_text("CRM rollout for sales and service")
        path = screenshot(page, f"detail-{language}-{width}", tmp_path)
        page.screenshot(path=str(path), full_page=True, animations="disabled")
        shots.append(path)
    for path in shots:
        assert path.stat().st_size > 10_000, path
