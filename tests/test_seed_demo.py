import ast
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from crm.models import User
from crm.seeding import builders
from documents.models import Document, DocumentCounter, DocumentLine
from journal.models import JournalEntry
from opportunities.custom_fields import clean_custom_values
from opportunities.models import CustomField, Opportunity, OpportunityContact, Phase, PhaseKind, Tag, Task
from organizations.models import Member, Organization

DEMO_USERNAMES = ["admin", "manager", "sales1", "sales2"]
SEEDED_MODELS = [
    User,
    Organization,
    Member,
    Opportunity,
    OpportunityContact,
    Tag,
    CustomField,
    Task,
    JournalEntry,
    Document,
    DocumentLine,
    DocumentCounter,
]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # The demo users' password hashing would dominate these tests' run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SEEDED_MODELS}


def assert_consistent_opportunities():
    """Short names, counters, contacts and phase kinds hold for every opportunity."""
    for opportunity in Opportunity.objects.select_related("organization", "phase", "status"):
        assert opportunity.short_name == f"{opportunity.organization.code}-{opportunity.number}"
        if opportunity.phase.kind == PhaseKind.WON:
            assert opportunity.won_at and not opportunity.lost_at
            assert opportunity.status.name in {"Implementation", "Finished"}
        elif opportunity.phase.kind == PhaseKind.LOST:
            assert opportunity.lost_at and opportunity.lost_reason and not opportunity.won_at
            assert opportunity.status.name == "Lost"
        else:
            assert not opportunity.won_at and not opportunity.lost_at
        assert 2_000 <= opportunity.value <= 250_000
        assert clean_custom_values(opportunity.custom_values) == opportunity.custom_values
    counters = Organization.objects.annotate(count=Count("opportunities"), highest=Max("opportunities__number"))
    assert all(org.opportunity_counter == org.count == (org.highest or 0) for org in counters)
    assert not OpportunityContact.objects.exclude(member__organization=F("opportunity__organization")).exists()
    primaries = OpportunityContact.objects.values("opportunity").annotate(n=Count("id", filter=Q(is_primary=True)))
    assert {row["n"] for row in primaries} == {1}


def assert_document_numbers_in_sync():
    for document in Document.objects.all():
        assert document.number == f"{document.year}-{document.sequence:04d}"
        assert document.lines.count() in range(2, 7)
    highest = Document.objects.values("year").annotate(top=Max("sequence")).order_by("year")
    assert {row["year"]: row["top"] for row in highest} == dict(
        DocumentCounter.objects.values_list("year", "last_number")
    )


def test_seed_demo_fills_every_phase_consistently_and_second_run_adds_nothing(settings):
    settings.CRM_DEMO_USERS = True

    seed()

    assert 35 <= Organization.objects.count() <= 45
    assert 130 <= Member.objects.count() <= 180
    assert Opportunity.objects.count() >= 180
    assert set(Opportunity.objects.values_list("phase", flat=True)) == set(Phase.objects.values_list("pk", flat=True))
    assert_consistent_opportunities()
    assert_document_numbers_in_sync()
    assert Document.objects.count() >= 10
    assert Task.objects.filter(done_at__isnull=False).exists() and Task.objects.filter(done_at__isnull=True).exists()
    # History spread over months, not stamped "now" by auto_now_add.
    now = timezone.now()
    assert Opportunity.objects.filter(created_at__lt=now - timezone.timedelta(days=90)).count() > 50
    assert JournalEntry.objects.filter(created_at__lt=now - timezone.timedelta(days=30)).count() > 200
    today = timezone.localdate()
    reminders = JournalEntry.objects.filter(reminder_assignee__username="sales1", reminder_done_at__isnull=True)
    assert reminders.filter(reminder_date__lt=today).exists()
    assert reminders.filter(reminder_date=today).exists()
    assert reminders.filter(reminder_date__gt=today).exists()
    assert {"Region", "Segment", "Budget confirmed", "Decision date", "Competitor"} <= set(
        CustomField.objects.values_list("label", flat=True)
    )
    before = row_counts()

    output = seed()

    assert "demo data already present" in output
    assert row_counts() == before


def test_seed_demo_creates_demo_logins_only_with_crm_demo_users(settings):
    settings.CRM_DEMO_USERS = True

    seed()

    users = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    assert sorted(users) == sorted(DEMO_USERNAMES)
    assert all(user.check_password("demo") for user in users.values())
    assert users["admin"].is_superuser and users["admin"].is_staff
    assert users["manager"].groups.filter(name="Managers").exists()
    assert users["sales1"].groups.filter(name="Sales").exists()
    assert users["sales1"].display_name == "Anna Schäfer"
    assert not Opportunity.objects.exclude(owner__username__in=["sales1", "sales2", "manager"]).exists()


def test_seed_demo_without_crm_demo_users_creates_no_known_password(settings):
    settings.CRM_DEMO_USERS = False

    seed()

    assert not User.objects.filter(username__in=DEMO_USERNAMES).exists()
    owners = User.objects.filter(owned_opportunities__isnull=False).distinct()
    assert owners.count() == 3
    assert not any(user.has_usable_password() for user in User.objects.all())


def test_seed_demo_without_crm_demo_users_gives_opportunities_to_existing_sales_users(settings, sales_user):
    settings.CRM_DEMO_USERS = False

    seed()

    assert list(User.objects.all()) == [sales_user]
    assert Opportunity.objects.filter(owner=sales_user).count() == Opportunity.objects.count()


def test_seed_demo_scale_writes_n_opportunities_with_consistent_counters(settings):
    settings.CRM_DEMO_USERS = True

    output = seed("--scale", "500")

    assert "Done in" in output
    assert Opportunity.objects.count() == 500
    assert Organization.objects.count() == 100
    assert 200 <= Member.objects.count() <= 400
    assert 1_200 <= JournalEntry.objects.count() <= 1_800
    assert 800 <= Task.objects.count() <= 1_200
    assert Opportunity.objects.filter(phase__kind=PhaseKind.OPEN).count() == 50
    assert_consistent_opportunities()
    assert_document_numbers_in_sync()
    reps = User.objects.filter(username__startswith="rep")
    assert reps.count() == 20 and not any(rep.has_usable_password() for rep in reps)
    assert not User.objects.annotate(n=Count("owned_opportunities")).filter(n=0).exists()
    # 500 at 100,000: N/200 per owner.
    open_reminders = JournalEntry.objects.filter(reminder_date__isnull=False, reminder_done_at__isnull=True)
    assert open_reminders.filter(reminder_assignee__username="sales1").count() == round(500 / 200)


def test_seed_demo_scale_fills_the_trigger_maintained_columns_like_the_triggers(settings):
    settings.CRM_DEMO_USERS = False

    seed("--scale", "300")

    journal = JournalEntry.objects.filter(opportunity=OuterRef("pk")).order_by("-created_at", "-id")
    open_tasks = (
        Task.objects.filter(opportunity=OuterRef("pk"), done_at__isnull=True)
        .values("opportunity")
        .annotate(n=Count("id"))
        .values("n")
    )
    opportunities = Opportunity.objects.annotate(
        expected_activity=Subquery(journal.values("created_at")[:1]),
        expected_mood=Subquery(journal.values("mood")[:1]),
        expected_reminder=Subquery(
            journal.filter(reminder_date__isnull=False, reminder_done_at__isnull=True)
            .order_by("reminder_date")
            .values("reminder_date")[:1]
        ),
        expected_tasks=Subquery(open_tasks),
    )
    for o in opportunities:
        assert (o.last_activity_at, o.latest_mood, o.next_reminder_date, o.open_task_count) == (
            o.expected_activity,
            o.expected_mood or "",
            o.expected_reminder,
            o.expected_tasks or 0,
        ), o.short_name


def test_seed_demo_scale_refuses_to_run_twice(settings):
    settings.CRM_DEMO_USERS = False
    seed("--scale", "50")
    before = row_counts()

    with pytest.raises(CommandError, match="already present"):
        seed("--scale", "50")

    assert row_counts() == before


def test_seed_demo_builders_run_in_installed_apps_order():
    assert [type(builder).__module__ for builder in builders()] == [
        "crm.demo",
        "organizations.demo",
        "opportunities.demo",
        "journal.demo",
        "documents.demo",
    ]


def test_demo_modules_import_only_their_own_and_lower_apps():
    # crm is the kernel; each app's builder may read the plans of the apps below it, never above.
    layers = ["crm", "organizations", "opportunities", "journal", "documents"]
    allowed = {"crm": {"crm"}, "organizations": {"crm", "organizations"}, "opportunities": set(layers[:3])}
    allowed |= {"journal": set(layers[:3]) | {"journal"}, "documents": set(layers[:3]) | {"documents"}}
    root = Path(__file__).resolve().parent.parent
    paths = [root / "crm/seeding.py", root / "crm/management/commands/seed_demo.py"]
    paths += [root / app / name for app in layers for name in ("demo.py", "demo_data.py")]
    for path in paths:
        app = path.relative_to(root).parts[0]
        tree = ast.parse(path.read_text())
        imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        apps_imported = {name.split(".")[0] for name in imported} & set(layers)
        assert apps_imported <= allowed[app], f"{path.relative_to(root)} imports {apps_imported - allowed[app]}"
