"""``manage.py seed_demo``: realistic demo data, or ``--scale N`` rows for benchmarks."""

import argparse
import contextlib
import datetime as dt
import json
import math
import random
import re
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone
from psycopg import sql

from crm import demo_data as data
from crm.models import User
from documents.models import Document, DocumentCounter, DocumentLine, DocumentStatus, DocumentType
from journal.models import JournalEntry
from opportunities.custom_fields import clean_custom_values
from opportunities.models import (
    Category,
    CustomField,
    FieldType,
    Opportunity,
    OpportunityContact,
    Phase,
    PhaseKind,
    Source,
    Status,
    Tag,
    Task,
)
from opportunities.services import opportunity_create
from organizations.models import Attitude, InfluenceLevel, Member, Organization, Personality
from organizations.services import member_create, organization_create

HELP = """\
Fill the database with realistic demo data, or with --scale N rows for benchmarks.

Demo (default): about 40 organizations in Germany, Austria, Switzerland, the UK,
the US, France and the Netherlands, about 150 contact persons and 200
opportunities in every phase, with tasks, journal entries (reminders overdue,
today and ahead), custom-field values and a few offers. Idempotent: when the demo
organizations exist it prints "demo data already present" and changes nothing.

Users: with the setting CRM_DEMO_USERS (on when DEBUG) it creates admin
(superuser), manager (group Managers), sales1 and sales2 (group Sales), all with
the password "demo"; existing accounts are left as they are. Without it, no
account with a known password is ever created: the opportunities go to the
active members of the groups Sales and Managers, or, when there are none, to
three owner accounts with unusable passwords (an admin can set one later).

--scale N: N opportunities (10% open, the rest won, finished or lost), N/5
organizations, about 0.6N members, 3N journal entries, 2N tasks and some
documents, written with COPY. It adds the sales users rep01..rep20 (unusable
passwords) and, with CRM_DEMO_USERS, the demo users; every active user owns a
share, and each gets N/200 open reminders (500 at 100,000). It works on an
empty database or next to the demo data, and refuses to run twice (rep01 exists).

The same --seed gives the same data within the hour; dates are relative to now.
"""

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo login, only with CRM_DEMO_USERS
DEMO_OPPORTUNITIES = 200
SCALE_REPS = 20
SCALE_MARKER_USER = "rep01"
SCALE_OPEN_SHARE = 0.10
# Open reminders each owner should end up with, per opportunity in the run (500 at 100,000).
SCALE_REMINDERS_PER_OPPORTUNITY = 1 / 200
ONE_DAY = dt.timedelta(days=1)

CUSTOM_FIELDS = [
    {
        "key": "region",
        "label": "Region",
        "field_type": FieldType.CHOICE,
        "choices": ["North", "South", "East", "West", "DACH", "International"],
        "show_in_table": True,
    },
    {
        "key": "segment",
        "label": "Segment",
        "field_type": FieldType.CHOICE,
        "choices": ["SMB", "Mid-market", "Enterprise"],
        "show_on_cards": True,
    },
    {"key": "budget_confirmed", "label": "Budget confirmed", "field_type": FieldType.BOOLEAN},
    {"key": "decision_date", "label": "Decision date", "field_type": FieldType.DATE},
    {"key": "competitor", "label": "Competitor", "field_type": FieldType.TEXT},
]
ATTITUDE_WEIGHTS = [
    (Attitude.ENTHUSIASTIC, 15),
    (Attitude.POSITIVE, 30),
    (Attitude.NEUTRAL, 30),
    (Attitude.SKEPTICAL, 18),
    (Attitude.OPPOSED, 7),
]
SEGMENT_VALUES = {"SMB": (2_000, 40_000), "Mid-market": (8_000, 120_000), "Enterprise": (30_000, 250_000)}


def ascii_text(text: str) -> str:
    """German transliteration first (ä → ae), then strip other accents (é → e)."""
    for umlaut, replacement in [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")]:
        text = text.replace(umlaut, replacement)
    text = text.replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def email_local(first: str, last: str) -> str:
    return ".".join(ascii_text(part).lower().replace(" ", "") for part in [first, last])


TOP_LEVEL_DOMAINS = {
    data.AUSTRIA: ".at",
    data.SWITZERLAND: ".ch",
    "United Kingdom": ".co.uk",
    "United States": ".com",
    "France": ".fr",
    "Netherlands": ".nl",
}
LEGAL_FORM_WORDS = {"gmbh", "ag", "se", "kg", "co", "mbh", "ltd", "plc", "inc", "llc", "sa", "sas", "sarl", "bv", "nv"}


def domain_for(name: str, country: str) -> str:
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_text(name).lower()) if w and w not in LEGAL_FORM_WORDS]
    return "-".join(words[:2]) + TOP_LEVEL_DOMAINS.get(country, ".de")


def phone_base(city: data.City, rng: random.Random) -> str:
    """Switchboard number without its extension, in the country's usual grouping."""
    if data.COUNTRY_LANGUAGE[city.country] == "de":
        return f"{city.phone_prefix} {rng.randint(100_000, 999_999)}"
    digits = str(rng.randint(2_000_000, 9_999_999))
    return f"{city.phone_prefix} {digits[:3]} {digits[3:]}"


def person(rng: random.Random, lang: str) -> tuple[str, str, str, str]:
    """(gender, first name, last name, academic title) of a person from a country of ``lang``."""
    gender = rng.choice("fm")
    first = rng.choice(data.FIRST_NAMES[lang][gender])
    last = rng.choice(data.LAST_NAMES[lang])
    title = ""
    roll = rng.random() * 100
    for candidate, weight in data.ACADEMIC_TITLES["de" if lang == "de" else "en"]:
        if roll < weight:
            title = candidate
            break
        roll -= weight
    return gender, first, last, title


# --- configuration rows -----------------------------------------------------------------------


@dataclass
class Config:
    """The active phases, statuses, … the generated opportunities are spread over."""

    open_phases: list
    won_phases: list
    lost_phases: list
    statuses: dict
    default_status: Status
    categories: list
    sources: list
    tags: dict
    fields: list

    @property
    def phases(self) -> list:
        return self.open_phases + self.won_phases + self.lost_phases

    def status(self, name: str) -> Status:
        return self.statuses.get(name.lower(), self.default_status)


def custom_fields_ensure() -> None:
    """Create the demo's custom-field definitions when an admin has defined none."""
    if CustomField.objects.exists():
        return
    for position, values in enumerate(CUSTOM_FIELDS, start=1):
        definition = CustomField(position=position * 10, **values)
        definition.full_clean()
        definition.save()


def tag_ensure(name: str) -> Tag:
    # Tag names are unique regardless of case (tag_name_unique on Upper(name)).
    return Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)


def config_load() -> Config:
    phases = list(Phase.objects.active().order_by("position", "id"))
    by_kind = {kind: [phase for phase in phases if phase.kind == kind] for kind in PhaseKind.values}
    if not by_kind[PhaseKind.OPEN]:
        raise CommandError("There is no active open phase; seed_demo needs the sales phases (migrate first).")
    statuses = list(Status.objects.active().order_by("position", "id"))
    if not statuses:
        raise CommandError("There is no active status; seed_demo needs the statuses (migrate first).")
    custom_fields_ensure()
    return Config(
        open_phases=by_kind[PhaseKind.OPEN],
        won_phases=by_kind[PhaseKind.WON],
        lost_phases=by_kind[PhaseKind.LOST],
        statuses={status.name.lower(): status for status in statuses},
        default_status=statuses[0],
        categories=list(Category.objects.active().order_by("position", "id")),
        sources=list(Source.objects.active().order_by("position", "id")),
        tags={name: tag_ensure(name) for name in data.TAGS},
        fields=list(CustomField.objects.active().order_by("position", "id")),
    )


# --- users ----------------------------------------------------------------------------------------


def _user_new(*, username: str, display_name: str, group: str | None, password: str | None) -> User:
    first_name, _, last_name = display_name.partition(" ")
    user = User(
        username=username,
        display_name=display_name,
        first_name=first_name,
        last_name=last_name,
        email=f"{email_local(first_name, last_name)}@crm-demo.example",
        is_staff=group is None,
        is_superuser=group is None,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if group:
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


def demo_users_ensure() -> dict[str, User]:
    """The demo logins (password "demo"); accounts that already exist are left untouched."""
    users = {}
    for username, display_name, group in data.DEMO_USERS:
        users[username] = User.objects.filter(username=username).first() or _user_new(
            username=username, display_name=display_name, group=group, password=DEMO_PASSWORD
        )
    return users


def demo_owners() -> tuple[list[User], list[int]]:
    """Who owns the demo opportunities, and how large each one's share is."""
    if settings.CRM_DEMO_USERS:
        users = demo_users_ensure()
        return [users["sales1"], users["sales2"], users["manager"]], [45, 40, 15]
    owners = list(User.objects.filter(is_active=True, groups__name__in=["Sales", "Managers"]).distinct().order_by("id"))
    if not owners:
        # No known password outside development: an admin activates these by setting one.
        owners = [
            _user_new(username=username, display_name=display_name, group=group, password=None)
            for username, display_name, group in data.FALLBACK_OWNERS
        ]
    return owners, [1] * len(owners)


# --- generation -----------------------------------------------------------------------------------


@dataclass(slots=True)
class OrgPlan:
    ref: object  # Organization (demo) or its id (scale)
    name: str
    code: str
    street: str
    city: data.City
    domain: str
    segment: str
    public_sector: bool
    phone_base: str
    members: list = field(default_factory=list)  # (Member or id, how notes address the person)
    opportunity_count: int = 0
    created_at: dt.datetime | None = None

    @property
    def lang(self) -> str:
        return data.COUNTRY_LANGUAGE[self.city.country]

    @property
    def text_lang(self) -> str:
        return "de" if self.lang == "de" else "en"

    @property
    def phone(self) -> str:
        return f"{self.phone_base}-0" if self.text_lang == "de" else self.phone_base


@dataclass(slots=True)
class OpportunityPlan:
    org: OrgPlan
    owner: User
    phase: Phase
    progress: int  # position among the open phases; won/lost count as past the last one
    status: Status
    category: Category | None
    source: Source | None
    name: str
    description: str
    probability: int
    value: Decimal
    expected_close_date: dt.date
    custom_values: dict
    tags: list
    contacts: list  # member refs, primary first
    contact_names: list
    competitor: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    phase_changed_at: dt.datetime
    lost_reason: str = ""
    ref: object = None  # Opportunity (demo) or its id (scale)
    number: int = 0
    # What the database triggers derive from journal and tasks (scale writes them directly).
    last_activity_at: dt.datetime | None = None
    latest_mood: str = ""
    next_reminder_date: dt.date | None = None
    open_task_count: int = 0
    # Whether the latest note keeps an open reminder; None: decided by the generator's odds.
    open_reminder: bool | None = None

    @property
    def kind(self) -> str:
        return self.phase.kind


class Generator:
    """Draws people, opportunities, notes, tasks and offers from one seeded random source."""

    def __init__(
        self,
        *,
        rng: random.Random,
        config: Config,
        owners: list[User],
        owner_weights: list[int],
        open_days: int,
        closed_days: int,
        journal_counts: list[int],
        task_counts: list[int],
        reminder_odds: tuple[float, float],
        document_odds: float,
    ):
        self.rng = rng
        self.config = config
        self.owners = owners
        self.owner_weights = owner_weights
        self.open_days = open_days
        self.closed_days = closed_days
        self.journal_counts = journal_counts
        self.task_counts = task_counts
        self.open_reminder_odds, self.closed_reminder_odds = reminder_odds
        self.document_odds = document_odds
        self.tz = timezone.get_current_timezone()
        # Whole hours: runs with the same seed within the hour write the same data.
        self.now = timezone.now().replace(minute=0, second=0, microsecond=0)
        self.today = self.localdate(self.now)

    # Time ----------------------------------------------------------------------------------

    def localdate(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def at_work(self, moment: dt.datetime, earliest: dt.datetime | None = None, latest: dt.datetime | None = None):
        """Move a moment to office hours on a weekday, kept within [earliest, latest or now]."""
        day = self.localdate(moment)
        if day.weekday() == 5:
            day -= ONE_DAY
        elif day.weekday() == 6:
            day += ONE_DAY
        result = dt.datetime.combine(day, dt.time(self.rng.randint(8, 17), self.rng.randrange(60)), tzinfo=self.tz)
        result = min(result, latest or self.now)
        return max(result, earliest) if earliest else result

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        return start + (end - start) * self.rng.random()

    # People --------------------------------------------------------------------------------

    def owner(self) -> User:
        return self.rng.choices(self.owners, weights=self.owner_weights)[0]

    def other_user(self, owner: User, odds_owner: float) -> User:
        return owner if self.rng.random() < odds_owner else self.rng.choice(self.owners)

    def member(self, org: OrgPlan, index: int, used: set) -> tuple[dict, str]:
        """Field values of one contact person, and how journal notes address them."""
        rng = self.rng
        for _attempt in range(20):
            gender, first, last, title = person(rng, org.lang)
            if (first, last) not in used:
                break
        used.add((first, last))
        departments = data.DEPARTMENTS[org.text_lang]
        names = list(departments)
        if index == 0:
            department, job_index = names[0], 0
        else:
            department = rng.choices(names, weights=[1, 3, 3] + [1] * (len(names) - 3))[0]
            job_index = rng.randrange(len(departments[department]))
        male, female = departments[department][job_index]
        if index == 0:
            influence = InfluenceLevel.TOP
        elif department == names[0]:
            influence = rng.choice([InfluenceLevel.TOP, InfluenceLevel.HIGH])
        elif job_index == 0:
            influence = rng.choice([InfluenceLevel.HIGH, InfluenceLevel.HIGH, InfluenceLevel.MEDIUM])
        else:
            influence = rng.choice([InfluenceLevel.MEDIUM, InfluenceLevel.LOW, ""])
        attitude = rng.choices([a for a, _ in ATTITUDE_WEIGHTS], weights=[w for _, w in ATTITUDE_WEIGHTS])[0]
        roll = rng.random()
        if roll < 0.75:
            street, postal_code, city, country = org.street, org.city.postal_code, org.city.name, org.city.country
        elif roll < 0.85 and org.city.country == data.GERMANY:
            # A branch office in the same city.
            street = f"{rng.choice(data.SCALE_STREETS)} {rng.randint(1, 120)}"
            postal_code, city, country = org.city.postal_code, org.city.name, org.city.country
        else:
            street = postal_code = city = country = ""
        if org.city.country == data.GERMANY and rng.random() < 0.2:
            phone = f"+49 1{rng.choice(['51', '52', '60', '70', '71', '76'])} {rng.randint(1_000_000, 99_999_999)}"
        elif org.text_lang == "de":
            phone = f"{org.phone_base}-{rng.randint(100, 899)}"
        else:
            phone = f"{org.city.phone_prefix} {rng.randint(200, 999)} {rng.randint(1000, 9999)}"
        values = {
            "academic_title": title,
            "first_name": first,
            "last_name": last,
            "department": department,
            "job_title": female if gender == "f" else male,
            "email": f"{email_local(first, last)}@{org.domain}",
            "phone": phone,
            "street": street,
            "postal_code": postal_code,
            "city": city,
            "country": country,
            "influence_level": influence,
            "attitude": attitude if rng.random() < 0.9 else "",
            "personality": rng.choice(Personality.values) if rng.random() < 0.85 else "",
            "notes": rng.choice(data.MEMBER_NOTES[org.text_lang]) if rng.random() < 0.15 else "",
        }
        if org.lang == "de":
            spoken = " ".join(part for part in ["Frau" if gender == "f" else "Herr", title, last] if part)
        else:
            spoken = f"{first} {last}"
        return values, spoken

    # Opportunities -------------------------------------------------------------------------

    def phase_sequence(self, count: int, *, open_share: float, won_share: float, every_phase: bool) -> list:
        """Phases for ``count`` opportunities: shares per kind; within open phases the early ones are fuller."""
        rng, config = self.rng, self.config
        shares = [(config.open_phases, open_share), (config.won_phases, won_share)]
        shares.append((config.lost_phases, 1 - open_share - won_share))
        shares = [(phases, share) for phases, share in shares if phases]
        total = sum(share for _, share in shares)
        result = list(config.phases) if every_phase else []
        remaining = count - len(result)
        for index, (phases, share) in enumerate(shares):
            if index == len(shares) - 1:
                kind_count = remaining
            else:
                kind_count = round(count * share / total) - sum(1 for p in result if p in phases)
                kind_count = max(0, min(kind_count, remaining))
            remaining -= kind_count
            weights = [len(phases) - i for i in range(len(phases))] if phases is config.open_phases else None
            result += rng.choices(phases, weights=weights, k=kind_count)
        rng.shuffle(result)
        return result

    def value(self, segment: str) -> Decimal:
        low, high = SEGMENT_VALUES.get(segment, SEGMENT_VALUES["Mid-market"])
        amount = math.exp(self.rng.uniform(math.log(low), math.log(high)))
        step = 500 if amount < 50_000 else 1_000
        return Decimal(min(250_000, max(2_000, round(amount / step) * step)))

    def money(self, value: Decimal, lang: str) -> str:
        amount = f"{int(value):,}"
        return f"{amount.replace(',', '.')} €" if lang == "de" else f"EUR {amount}"

    def opportunity(self, org: OrgPlan, phase: Phase, owner: User) -> OpportunityPlan:
        rng, config, now, today = self.rng, self.config, self.now, self.today
        lang = org.text_lang
        category = rng.choice(config.categories) if config.categories and rng.random() < 0.9 else None
        name_group = category.name if category and category.name in data.OPPORTUNITY_NAMES else "Onboarding"
        name = rng.choice(data.OPPORTUNITY_NAMES[name_group][lang]).format(
            product=rng.choice(data.PRODUCTS),
            city=org.city.name.split(",")[0],
            year=today.year + rng.choice([0, 1]),
            dept=rng.choice(list(data.DEPARTMENTS[lang])[1:4]),
        )
        source = rng.choice(config.sources) if config.sources and rng.random() < 0.85 else None
        contact_count = min(len(org.members), rng.choice([1, 1, 2, 2, 3]))
        contacts = rng.sample(org.members, contact_count)
        contact_names = [spoken for _, spoken in contacts]
        competitor = rng.choice(data.COMPETITORS)

        kind = phase.kind
        if kind == PhaseKind.OPEN:
            progress = config.open_phases.index(phase)
            created_at = self.at_work(now - dt.timedelta(days=rng.uniform(2, self.open_days)))
            close_date = today + dt.timedelta(days=rng.randint(-90, 270))
            if close_date < self.localdate(created_at):
                close_date = self.localdate(created_at) + dt.timedelta(days=rng.randint(21, 90))
            closed_at = None
            phase_changed_at = self.at_work(self.between(created_at, now), earliest=created_at)
            status = config.status("On hold") if rng.random() < 0.12 else config.status("Sales")
            probability = min(100, max(0, phase.default_probability + rng.choice([-10, -5, 0, 0, 0, 5, 10])))
        else:
            progress = len(config.open_phases)
            closed_at = self.at_work(now - dt.timedelta(days=rng.uniform(1, self.closed_days)))
            created_at = self.at_work(closed_at - dt.timedelta(days=rng.uniform(14, 240)))
            close_date = min(today, self.localdate(closed_at) + dt.timedelta(days=rng.randint(-21, 21)))
            phase_changed_at = closed_at
            probability = phase.default_probability
            if kind == PhaseKind.LOST:
                status = config.status("Lost")
            elif phase == config.won_phases[0] and rng.random() < 0.8:
                status = config.status(settings.CRM_STATUS_ON_WIN or "Implementation")
            else:
                # Later won phases ("Finished") were reached some weeks after the win.
                status = config.status("Finished")
                if phase != config.won_phases[0]:
                    later = closed_at + dt.timedelta(days=rng.uniform(20, 120))
                    phase_changed_at = self.at_work(min(later, now), earliest=closed_at)
        description = rng.choice(data.DESCRIPTIONS[lang]).format(
            org=org.name,
            dept=rng.choice(list(data.DEPARTMENTS[lang])[1:4]),
            source=source.name if source else "Website",
            contact=contact_names[0] if contact_names else org.name,
        )
        plan = OpportunityPlan(
            org=org,
            owner=owner,
            phase=phase,
            progress=progress,
            status=status,
            category=category,
            source=source,
            name=name,
            description=description,
            probability=probability,
            value=self.value(org.segment),
            expected_close_date=close_date,
            custom_values={},
            tags=self.tags(org, kind, name_group),
            contacts=[ref for ref, _ in contacts],
            contact_names=contact_names,
            competitor=competitor,
            created_at=created_at,
            closed_at=closed_at,
            phase_changed_at=phase_changed_at,
        )
        if kind == PhaseKind.LOST:
            plan.lost_reason = rng.choice(data.LOST_REASONS[lang]).format(competitor=competitor)
        plan.custom_values = self.custom_values(plan)
        return plan

    def tags(self, org: OrgPlan, kind: str, name_group: str) -> list:
        rng, tags = self.rng, self.config.tags
        names = []
        if org.public_sector:
            names.append("Public sector")
        if org.segment == "Enterprise" and rng.random() < 0.7:
            names.append("Enterprise")
        if org.city.bavaria and rng.random() < 0.8:
            names.append("Bavaria")
        if rng.random() < (0.4 if name_group == "Maintenance" else 0.12):
            names.append("Upsell")
        if kind == PhaseKind.OPEN and rng.random() < 0.1:
            names.append("Urgent")
        if rng.random() < 0.3:
            names.append("SaaS")
        if rng.random() < (0.3 if org.public_sector or org.segment == "Enterprise" else 0.05):
            names.append("Framework contract")
        return [tags[name] for name in names]

    def custom_values(self, plan: OpportunityPlan) -> dict:
        values = {}
        for definition in self.config.fields:
            value = self.custom_value(definition, plan)
            if value is not None:
                values[definition.key] = value
        return values

    def custom_value(self, definition: CustomField, plan: OpportunityPlan):
        """A value in stored form (see opportunities.custom_fields) that fits the opportunity."""
        rng, org = self.rng, plan.org
        key, choices = definition.key, definition.choices
        if key == "region" and org.city.region in choices:
            return org.city.region
        if key == "segment" and org.segment in choices:
            return org.segment
        if key == "competitor" and definition.field_type == FieldType.TEXT:
            return plan.competitor if definition.required or rng.random() < 0.4 else None
        if not definition.required and rng.random() < 0.2:
            return None
        match definition.field_type:
            case FieldType.BOOLEAN:
                if key == "budget_confirmed":
                    return plan.kind == PhaseKind.WON or rng.random() < 0.2 + 0.15 * plan.progress
                return rng.random() < 0.5
            case FieldType.DATE:
                return (plan.expected_close_date - dt.timedelta(days=rng.randint(0, 14))).isoformat()
            case FieldType.CHOICE:
                return rng.choice(choices)
            case FieldType.MULTI_CHOICE:
                return rng.sample(choices, rng.randint(1, min(2, len(choices))))
            case FieldType.INTEGER:
                return rng.randint(1, 500)
            case FieldType.DECIMAL:
                return str(Decimal(rng.randint(100, 100_000)) / 100)
            case FieldType.URL:
                return f"https://www.{org.domain}/"
            case _:
                return org.city.name if definition.required else None

    # Journal, tasks, documents -------------------------------------------------------------

    def open_reminder_date(self, created: dt.date) -> dt.date:
        roll = self.rng.random()
        if roll < 0.3:
            day = self.today - dt.timedelta(days=self.rng.randint(1, 21))
        elif roll < 0.4:
            day = self.today
        else:
            day = self.today + dt.timedelta(days=self.rng.randint(1, 45))
        return max(day, created)

    def journal(self, plan: OpportunityPlan) -> list[tuple]:
        """(author, created_at, mood, text, reminder_date, reminder_assignee, reminder_done_at) per entry."""
        rng, lang = self.rng, plan.org.text_lang
        end = plan.closed_at or self.now
        count = rng.choice(self.journal_counts)
        moments = sorted(
            self.at_work(self.between(plan.created_at, end), earliest=plan.created_at, latest=end) for _ in range(count)
        )
        if plan.closed_at:
            moments[-1] = plan.closed_at
        month = data.MONTHS[lang][plan.expected_close_date.month - 1]
        fallback_contact = "dem Team" if lang == "de" else "the team"
        entries = []
        for index, moment in enumerate(moments):
            last = index == count - 1
            contact = rng.choice(plan.contact_names) if plan.contact_names else fallback_contact
            if last and plan.kind == PhaseKind.WON:
                mood = "happy"
                text = data.JOURNAL_WON[lang].format(contact=contact, value=self.money(plan.value, lang))
            elif last and plan.kind == PhaseKind.LOST:
                mood, text = "sad", data.JOURNAL_LOST[lang].format(contact=contact, reason=plan.lost_reason)
            else:
                mood, template = rng.choice(data.JOURNAL_NOTES[lang])
                text = template.format(
                    contact=contact,
                    value=self.money(plan.value, lang),
                    month=month,
                    competitor=plan.competitor,
                    city=plan.org.city.name.split(",")[0],
                )
            reminder_date = assignee = done_at = None
            if last:
                odds = self.open_reminder_odds if plan.kind == PhaseKind.OPEN else self.closed_reminder_odds
                if plan.open_reminder if plan.open_reminder is not None else rng.random() < odds:
                    reminder_date = self.open_reminder_date(self.localdate(moment))
                    # A planned reminder stays with the owner, so the counts per person hold.
                    assignee = plan.owner if plan.open_reminder else self.other_user(plan.owner, 0.9)
                    if plan.kind != PhaseKind.OPEN:
                        text += data.JOURNAL_FOLLOW_UP[lang]
            elif rng.random() < 0.3:
                # An earlier follow-up, done by the time of the next entry.
                next_moment = moments[index + 1]
                reminder_date = min(
                    self.localdate(moment) + dt.timedelta(days=rng.randint(1, 10)), self.localdate(next_moment)
                )
                assignee = self.other_user(plan.owner, 0.9)
                done = dt.datetime.combine(reminder_date, dt.time(rng.randint(8, 17), rng.randrange(60)), self.tz)
                done_at = min(max(done, moment), self.now)
            author = self.other_user(plan.owner, 0.85)
            entries.append((author, moment, mood, text, reminder_date, assignee, done_at))
        return entries

    def tasks(self, plan: OpportunityPlan) -> list[tuple]:
        """(title, assignee, due_date, done_at, created_at) per task."""
        rng, end = self.rng, plan.closed_at or self.now
        result = []
        for _ in range(rng.choice(self.task_counts)):
            created_at = self.at_work(self.between(plan.created_at, end), earliest=plan.created_at, latest=end)
            roll = rng.random()
            assignee = plan.owner if roll < 0.85 else (rng.choice(self.owners) if roll < 0.95 else None)
            if plan.kind != PhaseKind.OPEN or rng.random() < 0.45:
                done_at = self.between(created_at, end)
                due_date = self.localdate(created_at) + dt.timedelta(days=rng.randint(2, 21))
            else:
                done_at = None
                due_date = None
                if rng.random() < 0.85:
                    due_date = max(self.today + dt.timedelta(days=rng.randint(-10, 30)), self.localdate(created_at))
            result.append((rng.choice(data.TASK_TITLES[plan.org.text_lang]), assignee, due_date, done_at, created_at))
        return result

    def documents(self, plan: OpportunityPlan) -> list[tuple[dict, list[dict]]]:
        """Offers of an opportunity that got far enough: (document fields, line fields) each."""
        rng = self.rng
        if plan.progress < 2 or rng.random() >= self.document_odds:
            return []
        kinds = []
        if plan.kind == PhaseKind.WON:
            if rng.random() < 0.3:
                kinds.append((DocumentType.PRICE_INDICATION, DocumentStatus.SENT))
            kinds.append((DocumentType.OFFER, DocumentStatus.ACCEPTED))
        elif plan.kind == PhaseKind.LOST:
            kinds.append((DocumentType.OFFER, DocumentStatus.REJECTED if rng.random() < 0.7 else DocumentStatus.SENT))
        else:
            doc_type = rng.choices(
                [DocumentType.OFFER, DocumentType.PRICE_INDICATION, DocumentType.COST_ESTIMATE], weights=[70, 15, 15]
            )[0]
            status = rng.choices(
                [DocumentStatus.DRAFT, DocumentStatus.APPROVED, DocumentStatus.SENT], weights=[35, 20, 45]
            )[0]
            kinds.append((doc_type, status))
        end = plan.closed_at or self.now
        earliest = plan.created_at + ONE_DAY
        result = []
        for position, (doc_type, status) in enumerate(kinds):
            if plan.closed_at:
                days_before = rng.uniform(2, 30) * (len(kinds) - position)
                created_at = self.at_work(end - dt.timedelta(days=days_before), earliest=earliest, latest=end)
            else:
                created_at = self.at_work(self.between(self.between(plan.created_at, end), end), earliest=earliest)
            created_at = min(created_at, end)
            sent_at = None
            if status not in (DocumentStatus.DRAFT, DocumentStatus.APPROVED):
                sent_at = self.at_work(created_at + dt.timedelta(hours=rng.uniform(2, 72)), created_at, end)
            result.append((self.document(plan, doc_type, status, created_at, sent_at), self.lines(plan)))
        return result

    def document(self, plan, doc_type, status, created_at, sent_at) -> dict:
        lang = plan.org.text_lang
        return {
            "title": data.DOCUMENT_TITLES[doc_type][lang].format(name=plan.name)[:200],
            "doc_type": doc_type,
            "status": status,
            "language": lang,
            "currency": "EUR",
            "vat_rate": Decimal("19.00") if plan.org.city.country == data.GERMANY else Decimal("0.00"),
            "valid_until": self.localdate(created_at) + dt.timedelta(days=30),
            "recipient": plan.contacts[0] if plan.contacts else None,
            "intro": data.DOCUMENT_INTRO[lang],
            "terms": data.DOCUMENT_TERMS[lang],
            "sent_at": sent_at,
            "created_by": plan.owner,
            "created_at": created_at,
        }

    def lines(self, plan: OpportunityPlan) -> list[dict]:
        """2–6 line items whose net total comes close to the opportunity's value."""
        rng, lang = self.rng, plan.org.text_lang
        items = [(item, rng.choice(item[4])) for item in rng.sample(data.LINE_ITEMS, rng.randint(2, 6))]
        factor = float(plan.value) / sum(item[3] * quantity for item, quantity in items)
        lines = []
        for position, ((german, english, unit, price, _), quantity) in enumerate(items, start=1):
            lines.append(
                {
                    "position": position,
                    "description": german if lang == "de" else english,
                    "quantity": Decimal(quantity),
                    "unit": unit if lang == "de" else data.UNITS_EN[unit],
                    "unit_price": Decimal(max(10, round(price * factor / 10) * 10)),
                    "discount": Decimal(rng.choice([5, 10])) if rng.random() < 0.15 else Decimal(0),
                }
            )
        return lines


def document_numbers(created: list[dt.datetime]) -> list[tuple[int, int, str]]:
    """(year, sequence, "2026-0001") per document, in creation order, continuing each year's counter.

    The counter row is locked like any numbering service would lock it, and never goes
    below a sequence already used, so later documents continue without gaps or clashes.
    """
    tz = timezone.get_current_timezone()
    years = [moment.astimezone(tz).year for moment in created]
    next_sequence = {}
    for year, count in sorted(Counter(years).items()):
        counter, _ = DocumentCounter.objects.select_for_update().get_or_create(year=year)
        used = Document.objects.filter(year=year).aggregate(highest=Max("sequence"))["highest"] or 0
        next_sequence[year] = max(counter.last_number, used)
        counter.last_number = next_sequence[year] + count
        counter.save(update_fields=["last_number"])
    numbers = [None] * len(created)
    for index in sorted(range(len(created)), key=lambda i: created[i]):
        year = years[index]
        next_sequence[year] += 1
        numbers[index] = (year, next_sequence[year], f"{year}-{next_sequence[year]:04d}")
    return numbers


# --- demo -----------------------------------------------------------------------------------------


class DemoSeeder:
    """About 40 organizations and 200 opportunities, written through the services."""

    def __init__(self, *, rng: random.Random, log):
        self.rng = rng
        self.log = log

    def run(self) -> bool:
        if Organization.objects.filter(name__in=[spec.name for spec in data.ORGANIZATIONS]).exists():
            return False
        owners, weights = demo_owners()
        config = config_load()
        gen = Generator(
            rng=self.rng,
            config=config,
            owners=owners,
            owner_weights=weights,
            open_days=180,
            closed_days=90,
            journal_counts=list(range(1, 9)),
            task_counts=list(range(5)),
            reminder_odds=(0.75, 0.05),
            document_odds=0.2,
        )
        orgs = self.organizations(gen)
        plans = self.opportunities(gen, orgs)
        self.journal(gen, plans)
        self.tasks(gen, plans)
        self.documents(gen, plans)
        self.backdate_organizations(gen, orgs)
        return True

    def organizations(self, gen: Generator) -> list[OrgPlan]:
        rng = self.rng
        taken = set(Organization.objects.values_list("code", flat=True))
        orgs = []
        for spec in data.ORGANIZATIONS:
            org = OrgPlan(
                ref=None,
                name=spec.name,
                code=spec.code,
                street=spec.street,
                city=spec.city,
                domain=spec.domain,
                segment=spec.segment,
                public_sector=spec.public_sector,
                phone_base=phone_base(spec.city, rng),
            )
            org.ref = organization_create(
                data={
                    "name": spec.name,
                    # An existing organization that holds the code gets to keep it.
                    "code": "" if spec.code in taken else spec.code,
                    "street": spec.street,
                    "postal_code": spec.city.postal_code,
                    "city": spec.city.name,
                    "country": spec.city.country,
                    "email": f"{'info' if org.text_lang == 'de' else 'hello'}@{spec.domain}",
                    "phone": org.phone,
                    "website": f"https://www.{spec.domain}",
                }
            )
            org.code = org.ref.code
            used = set()
            for index in range(rng.choice([2, 3, 3, 4, 4, 5, 5])):
                values, spoken = gen.member(org, index, used)
                member = member_create(organization=org.ref, data=values, user=rng.choice(gen.owners))
                org.members.append((member, spoken))
            orgs.append(org)
        self.log("organizations", len(orgs))
        self.log("members", sum(len(org.members) for org in orgs))
        return orgs

    def opportunities(self, gen: Generator, orgs: list[OrgPlan]) -> list[OpportunityPlan]:
        rng = self.rng
        phases = gen.phase_sequence(DEMO_OPPORTUNITIES, open_share=0.55, won_share=0.25, every_phase=True)
        # Every organization gets at least one; larger ones get more.
        weights = [{"SMB": 2, "Mid-market": 3, "Enterprise": 4}[org.segment] for org in orgs]
        targets = orgs + rng.choices(orgs, weights=weights, k=len(phases) - len(orgs))
        plans = sorted(
            (gen.opportunity(org, phase, gen.owner()) for org, phase in zip(targets, phases, strict=False)),
            key=lambda plan: plan.created_at,
        )
        for plan in plans:
            plan.ref = opportunity_create(
                organization=plan.org.ref,
                data={
                    "name": plan.name,
                    "category": plan.category,
                    "status": plan.status,
                    "phase": plan.phase,
                    "owner": plan.owner,
                    "description": plan.description,
                    "probability": plan.probability,
                    "source": plan.source,
                    "value": plan.value,
                    "currency": "EUR",
                    "expected_close_date": plan.expected_close_date,
                    "custom_values": plan.custom_values,
                },
                user=plan.owner,
                tags=plan.tags,
                contacts=plan.contacts,
                primary_contact=plan.contacts[0] if plan.contacts else None,
            )
        # The service stamps "now"; the demo's history needs its own dates.
        for plan in plans:
            opportunity = plan.ref
            opportunity.created_at = plan.created_at
            opportunity.updated_at = plan.phase_changed_at
            opportunity.phase_changed_at = plan.phase_changed_at
            opportunity.won_at = plan.closed_at if plan.kind == PhaseKind.WON else None
            opportunity.lost_at = plan.closed_at if plan.kind == PhaseKind.LOST else None
            opportunity.lost_reason = plan.lost_reason
        Opportunity.objects.bulk_update(
            [plan.ref for plan in plans],
            ["created_at", "updated_at", "phase_changed_at", "won_at", "lost_at", "lost_reason"],
        )
        self.log("opportunities", len(plans))
        return plans

    def journal(self, gen: Generator, plans: list[OpportunityPlan]) -> None:
        entries, dates = [], []
        for plan in plans:
            for author, created_at, mood, text, reminder_date, assignee, done_at in gen.journal(plan):
                entries.append(
                    JournalEntry(
                        opportunity=plan.ref,
                        author=author,
                        mood=mood,
                        text=text,
                        reminder_date=reminder_date,
                        reminder_assignee=assignee,
                        reminder_done_at=done_at,
                    )
                )
                dates.append(created_at)
        JournalEntry.objects.bulk_create(entries)
        # auto_now_add stamped "now" on insert; the triggers refresh the summaries on update.
        for entry, created_at in zip(entries, dates, strict=True):
            entry.created_at = created_at
        JournalEntry.objects.bulk_update(entries, ["created_at"])
        self.log("journal entries", len(entries))

    def tasks(self, gen: Generator, plans: list[OpportunityPlan]) -> None:
        tasks, dates = [], []
        for plan in plans:
            for title, assignee, due_date, done_at, created_at in gen.tasks(plan):
                tasks.append(
                    Task(
                        opportunity=plan.ref,
                        title=title,
                        assignee=assignee,
                        due_date=due_date,
                        done_at=done_at,
                        created_by=plan.owner,
                    )
                )
                dates.append(created_at)
        Task.objects.bulk_create(tasks)
        for task, created_at in zip(tasks, dates, strict=True):
            task.created_at = created_at
        Task.objects.bulk_update(tasks, ["created_at"])
        self.log("tasks", len(tasks))

    def documents(self, gen: Generator, plans: list[OpportunityPlan]) -> None:
        drafts = [(plan, fields, lines) for plan in plans for fields, lines in gen.documents(plan)]
        numbers = document_numbers([fields["created_at"] for _, fields, _ in drafts])
        documents, all_lines = [], []
        for (plan, fields, lines), (year, sequence, number) in zip(drafts, numbers, strict=True):
            document = Document(opportunity=plan.ref, year=year, sequence=sequence, number=number, **fields)
            documents.append(document)
            all_lines += [DocumentLine(document=document, **line) for line in lines]
        Document.objects.bulk_create(documents)
        for (_, fields, _), document in zip(drafts, documents, strict=True):
            document.created_at = document.updated_at = fields["created_at"]
        Document.objects.bulk_update(documents, ["created_at", "updated_at"])
        DocumentLine.objects.bulk_create(all_lines)
        self.log("documents", len(documents))
        self.log("document lines", len(all_lines))

    def backdate_organizations(self, gen: Generator, orgs: list[OrgPlan]) -> None:
        """Organizations and members appear some weeks before their first opportunity."""
        first = {}
        for opportunity in Opportunity.objects.filter(organization__in=[org.ref for org in orgs]).only(
            "organization_id", "created_at"
        ):
            current = first.get(opportunity.organization_id)
            first[opportunity.organization_id] = min(current or opportunity.created_at, opportunity.created_at)
        members = []
        for org in orgs:
            start = first.get(org.ref.pk, gen.now) - dt.timedelta(days=self.rng.uniform(5, 90))
            org.ref.created_at = org.ref.updated_at = gen.at_work(start)
            for member, _ in org.members:
                member.created_at = member.updated_at = gen.at_work(
                    org.ref.created_at + dt.timedelta(days=self.rng.uniform(0, 4)), earliest=org.ref.created_at
                )
                members.append(member)
        Organization.objects.bulk_update([org.ref for org in orgs], ["created_at", "updated_at"])
        Member.objects.bulk_update(members, ["created_at", "updated_at"])


# --- scale ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def history_triggers_disabled():
    """Switch off the history (pghistory) triggers for a bulk load, inside its transaction.

    Their trigger functions use plpgsql EXCEPTION blocks, i.e. two subtransactions
    per row: on a 200,000-row COPY the transaction overflows PostgreSQL's
    subtransaction cache and the load slows from seconds to many minutes. Bulk
    benchmark data needs no "created" history events. ALTER TABLE is
    transactional, so a failed load leaves the triggers as they were.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgname LIKE 'pgtrigger_%' AND tgenabled <> 'D'"
        )
        triggers = cursor.fetchall()
        for table, name in triggers:
            cursor.execute(f'ALTER TABLE {table} DISABLE TRIGGER "{name}"')
    yield
    # On success only: after a failure the rollback undoes the DISABLE anyway.
    # Deferred foreign-key checks run now (they would at commit) because ALTER
    # TABLE refuses a table with pending trigger events.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table, name in triggers:
            cursor.execute(f'ALTER TABLE {table} ENABLE TRIGGER "{name}"')


def _copy_value(value):
    return json.dumps(value) if isinstance(value, dict | list) else value


class Copier:
    """Writes rows with PostgreSQL COPY through the psycopg 3 cursor under Django's connection."""

    def __init__(self, cursor):
        self.cursor = cursor

    def reserve_ids(self, model: type[models.Model], count: int) -> list[int]:
        """Take ``count`` ids from the table's sequence so rows can reference each other before they exist."""
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in self.cursor.fetchall()]

    def copy(self, model: type[models.Model], names: list[str], rows) -> int:
        """COPY ``rows`` (tuples in the order of ``names``) into the model's table; returns the count.

        Other NOT NULL columns get their model default, so a column added later does not
        break the generator; columns with a database default are left to the database.
        """
        meta = model._meta
        extras = [
            f
            for f in meta.concrete_fields
            if f.name not in names and not f.primary_key and not f.null and f.db_default is models.NOT_PROVIDED
        ]
        columns = [meta.get_field(name).column for name in names] + [f.column for f in extras]
        tail = tuple(_copy_value(f.get_default()) for f in extras)
        statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
            sql.Identifier(meta.db_table), sql.SQL(", ").join(sql.Identifier(column) for column in columns)
        )
        count = 0
        with self.cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row + tail)
                count += 1
        return count


class ScaleSeeder:
    """N opportunities with organizations, members, journal, tasks and offers, for benchmarks."""

    def __init__(self, *, rng: random.Random, count: int, log):
        self.rng = rng
        self.count = count
        self.log = log

    def run(self) -> None:
        if User.objects.filter(username=SCALE_MARKER_USER).exists():
            raise CommandError(
                f"Scale data is already present (user {SCALE_MARKER_USER} exists); use a fresh database to run again."
            )
        rng = self.rng
        reps = []
        for number in range(1, SCALE_REPS + 1):
            _, first, last, _ = person(rng, "de")
            reps.append(
                _user_new(username=f"rep{number:02d}", display_name=f"{first} {last}", group="Sales", password=None)
            )
        if settings.CRM_DEMO_USERS:
            demo_users_ensure()
        owners = list(User.objects.filter(is_active=True).order_by("id"))
        config = config_load()
        gen = Generator(
            rng=rng,
            config=config,
            owners=owners,
            owner_weights=[1] * len(owners),
            open_days=270,
            closed_days=730,
            journal_counts=[1, 2, 3, 4, 5],
            task_counts=[0, 1, 2, 3, 4],
            reminder_odds=(0.0, 0.0),  # planned per owner instead, see plan_open_reminders()
            document_odds=0.05,
        )
        self.log("users", len(reps))
        with connection.cursor() as django_cursor:
            copier = Copier(django_cursor.cursor)
            orgs, members = self.organizations(gen, copier)
            plans = self.opportunities(gen, orgs, copier)
            self.write_organizations(gen, orgs, members, copier)
            # Journal and tasks go in before their opportunities (foreign keys are checked
            # at commit): the triggers of migration opportunities/0004 then find no
            # opportunity row to refresh, and the opportunities arrive with the derived
            # columns already filled. The other order makes the triggers rewrite every
            # new opportunity row twice, through all its indexes: 4x slower at 100,000.
            self.write_journal(gen, plans, copier)
            self.write_tasks(gen, plans, copier)
            self.write_opportunities(plans, copier)
            self.write_documents(gen, plans, copier)

    def plan_open_reminders(self, plans: list[OpportunityPlan]) -> None:
        """Give each owner N/200 open reminders (500 at 100,000), the /reminders/ page's benchmark load.

        They sit on the latest note of most of the owner's open opportunities (at most 80%)
        and, for the rest, of closed ones ("check back in a few months").
        """
        rng = self.rng
        target = round(self.count * SCALE_REMINDERS_PER_OPPORTUNITY)
        by_owner = {}
        for plan in plans:
            plan.open_reminder = False
            by_owner.setdefault(plan.owner.pk, ([], []))[plan.kind != PhaseKind.OPEN].append(plan)
        for open_plans, closed_plans in by_owner.values():
            from_open = min(target, round(0.8 * len(open_plans)))
            chosen = rng.sample(open_plans, from_open)
            chosen += rng.sample(closed_plans, min(len(closed_plans), target - from_open))
            for plan in chosen:
                plan.open_reminder = True

    def organization_names(self, count: int) -> list[str]:
        demo_names = {spec.name for spec in data.ORGANIZATIONS}
        sectors, legal_forms = data.SCALE_NAME_SECTORS, sorted(set(data.SCALE_LEGAL_FORMS))
        last_names = data.LAST_NAMES["de"]
        candidates = {
            f"{stem}{core} {sector} {legal}"
            for stem in data.SCALE_NAME_STEMS
            for core in data.SCALE_NAME_CORES
            for sector in sectors
            for legal in legal_forms
        }
        candidates |= {f"{last} {sector} {legal}" for last in last_names for sector in sectors for legal in legal_forms}
        candidates |= {f"{a} & {b} {legal}" for a in last_names for b in last_names if a != b for legal in legal_forms}
        names = sorted(candidates - demo_names)
        self.rng.shuffle(names)
        if count > len(names):
            # Beyond the combinations, add a location as branches of real groups do.
            cities = sorted(data.CITIES)
            names += [f"{name} {city.split(',')[0]}" for city in cities for name in names[: count - len(names)]]
        return names[:count]

    def organizations(self, gen: Generator, copier: Copier) -> tuple[list[OrgPlan], list[tuple]]:
        """Organizations with ids and codes, and their members as (id, organization, values, created_by)."""
        rng = self.rng
        count = max(1, self.count // 5)
        taken = set(Organization.objects.values_list("code", flat=True))
        cities = list(data.CITIES.values())
        city_weights = [12 if city.country == data.GERMANY else 3 if city.region == "DACH" else 2 for city in cities]
        segment_names = [name for name, _ in data.SCALE_SEGMENTS]
        segment_weights = [weight for _, weight in data.SCALE_SEGMENTS]
        ids = copier.reserve_ids(Organization, count)
        orgs, serial = [], 0
        for org_id, name in zip(ids, self.organization_names(count), strict=True):
            letters = "".join(ch for ch in ascii_text(name).upper() if ch.isalpha())[:3].ljust(3, "X")
            serial += 1
            while f"{letters}{serial}" in taken:
                serial += 1
            city = rng.choices(cities, weights=city_weights)[0]
            org = OrgPlan(
                ref=org_id,
                name=name,
                code=f"{letters}{serial}",
                street=f"{rng.choice(data.SCALE_STREETS)} {rng.randint(1, 180)}",
                city=city,
                domain=domain_for(name, city.country),
                segment=rng.choices(segment_names, weights=segment_weights)[0],
                public_sector=rng.random() < 0.05,
                phone_base=phone_base(city, rng),
            )
            orgs.append(org)
        member_counts = [rng.choice([1, 2, 3, 3, 4, 5]) for _ in orgs]
        member_ids = iter(copier.reserve_ids(Member, sum(member_counts)))
        members = []
        for org, member_count in zip(orgs, member_counts, strict=True):
            used = set()
            for index in range(member_count):
                values, spoken = gen.member(org, index, used)
                member_id = next(member_ids)
                org.members.append((member_id, spoken))
                members.append((member_id, org, values, rng.choice(gen.owners).pk))
        return orgs, members

    def opportunities(self, gen: Generator, orgs: list[OrgPlan], copier: Copier) -> list[OpportunityPlan]:
        rng, count = self.rng, self.count
        open_share = SCALE_OPEN_SHARE
        phases = gen.phase_sequence(count, open_share=open_share, won_share=0.55 * (1 - open_share), every_phase=False)
        # A few organizations have many opportunities, most have a handful.
        weights = [rng.lognormvariate(0, 0.9) for _ in orgs]
        targets = rng.choices(orgs, weights=weights, k=count)
        owners = gen.owners
        plans = [
            gen.opportunity(org, phase, owners[rng.randrange(len(owners))])
            for org, phase in zip(targets, phases, strict=True)
        ]
        fields = gen.config.fields
        for plan in plans:
            plan.custom_values = clean_custom_values(plan.custom_values, fields=fields)
        self.plan_open_reminders(plans)
        # Ids and per-organization numbers follow creation time, as they would have.
        plans.sort(key=lambda plan: plan.created_at)
        for plan, opportunity_id in zip(plans, copier.reserve_ids(Opportunity, count), strict=True):
            plan.ref = opportunity_id
            plan.org.opportunity_count += 1
            plan.number = plan.org.opportunity_count
            if plan.org.created_at is None:
                plan.org.created_at = gen.at_work(plan.created_at - dt.timedelta(days=rng.uniform(5, 120)))
        return plans

    def write_organizations(self, gen: Generator, orgs: list[OrgPlan], members: list[tuple], copier: Copier) -> None:
        rng = self.rng
        for org in orgs:
            if org.created_at is None:
                org.created_at = gen.at_work(gen.now - dt.timedelta(days=rng.uniform(30, 900)))
        rows = (
            (
                org.ref,
                org.name,
                org.code,
                org.street,
                org.city.postal_code,
                org.city.name,
                org.city.country,
                f"info@{org.domain}",
                org.phone,
                f"https://www.{org.domain}",
                org.opportunity_count,
                org.created_at,
                org.created_at,
            )
            for org in orgs
        )
        names = ["id", "name", "code", "street", "postal_code", "city", "country", "email", "phone", "website"]
        self.log(
            "organizations",
            copier.copy(Organization, [*names, "opportunity_counter", "created_at", "updated_at"], rows),
        )
        member_fields = list(members[0][2]) if members else []

        def member_rows():
            for member_id, org, values, created_by in members:
                created_at = gen.at_work(
                    org.created_at + dt.timedelta(days=rng.uniform(0, 30)), earliest=org.created_at
                )
                yield (member_id, org.ref, *values.values(), created_at, created_at, created_by)

        names = ["id", "organization", *member_fields, "created_at", "updated_at", "created_by"]
        self.log("members", copier.copy(Member, names, member_rows()))

    def write_opportunities(self, plans: list[OpportunityPlan], copier: Copier) -> None:
        rows = (
            (
                plan.ref,
                plan.org.ref,
                plan.number,
                f"{plan.org.code}-{plan.number}",
                plan.name,
                plan.category.pk if plan.category else None,
                plan.status.pk,
                plan.phase.pk,
                plan.owner.pk,
                plan.description,
                plan.probability,
                plan.source.pk if plan.source else None,
                plan.value,
                "EUR",
                plan.expected_close_date,
                json.dumps(plan.custom_values, ensure_ascii=False),
                plan.phase_changed_at,
                plan.closed_at if plan.kind == PhaseKind.WON else None,
                plan.closed_at if plan.kind == PhaseKind.LOST else None,
                plan.lost_reason,
                plan.created_at,
                plan.phase_changed_at,
                plan.owner.pk,
                plan.owner.pk,
                plan.last_activity_at,
                plan.latest_mood,
                plan.next_reminder_date,
                plan.open_task_count,
            )
            for plan in plans
        )
        names = [
            "id", "organization", "number", "short_name", "name", "category", "status", "phase", "owner",
            "description", "probability", "source", "value", "currency", "expected_close_date", "custom_values",
            "phase_changed_at", "won_at", "lost_at", "lost_reason", "created_at", "updated_at", "created_by",
            "updated_by", "last_activity_at", "latest_mood", "next_reminder_date", "open_task_count",
        ]  # fmt: skip
        self.log("opportunities", copier.copy(Opportunity, names, rows))
        contact_rows = ((plan.ref, member, index == 0) for plan in plans for index, member in enumerate(plan.contacts))
        self.log(
            "contact persons", copier.copy(OpportunityContact, ["opportunity", "member", "is_primary"], contact_rows)
        )
        tag_rows = ((plan.ref, tag.pk) for plan in plans for tag in plan.tags)
        self.log("tags", copier.copy(Opportunity.tags.through, ["opportunity", "tag"], tag_rows))

    def write_journal(self, gen: Generator, plans: list[OpportunityPlan], copier: Copier) -> None:
        def rows():
            for plan in plans:
                entries = gen.journal(plan)
                # As crm_refresh_journal_summary computes them; entries come sorted by time
                # and get ascending ids, so the last one is the latest.
                plan.last_activity_at, plan.latest_mood = entries[-1][1], entries[-1][2]
                open_reminders = [entry[4] for entry in entries if entry[4] is not None and entry[6] is None]
                plan.next_reminder_date = min(open_reminders, default=None)
                for author, created_at, mood, text, reminder_date, assignee, done_at in entries:
                    assignee_id = assignee.pk if assignee else None
                    yield (plan.ref, author.pk, created_at, mood, text, reminder_date, assignee_id, done_at)

        names = [
            "opportunity", "author", "created_at", "mood", "text", "reminder_date", "reminder_assignee",
            "reminder_done_at",
        ]  # fmt: skip
        self.log("journal entries", copier.copy(JournalEntry, names, rows()))

    def write_tasks(self, gen: Generator, plans: list[OpportunityPlan], copier: Copier) -> None:
        def rows():
            for plan in plans:
                tasks = gen.tasks(plan)
                plan.open_task_count = sum(1 for task in tasks if task[3] is None)
                for title, assignee, due_date, done_at, created_at in tasks:
                    assignee_id = assignee.pk if assignee else None
                    yield (plan.ref, title, assignee_id, due_date, done_at, created_at, plan.owner.pk)

        names = ["opportunity", "title", "assignee", "due_date", "done_at", "created_at", "created_by"]
        self.log("tasks", copier.copy(Task, names, rows()))

    def write_documents(self, gen: Generator, plans: list[OpportunityPlan], copier: Copier) -> None:
        drafts = [(plan, fields, lines) for plan in plans for fields, lines in gen.documents(plan)]
        numbers = document_numbers([fields["created_at"] for _, fields, _ in drafts])
        ids = copier.reserve_ids(Document, len(drafts)) if drafts else []
        field_names = list(drafts[0][1]) if drafts else []
        rows = (
            (
                document_id,
                plan.ref,
                *numbers[index],
                *[value.pk if isinstance(value, User) else value for value in fields.values()],
                fields["created_at"],
            )
            for index, (document_id, (plan, fields, _)) in enumerate(zip(ids, drafts, strict=True))
        )
        names = ["id", "opportunity", "year", "sequence", "number", *field_names, "updated_at"]
        self.log("documents", copier.copy(Document, names, rows))
        line_rows = (
            (document_id, *line.values())
            for document_id, (_, _, lines) in zip(ids, drafts, strict=True)
            for line in lines
        )
        line_names = ["document", *(drafts[0][2][0] if drafts else [])]
        self.log("document lines", copier.copy(DocumentLine, line_names, line_rows))


TABLES_TO_ANALYZE = [Organization, Member, Opportunity, OpportunityContact, Task, JournalEntry, Document, DocumentLine]


def analyze() -> None:
    """Refresh the planner's statistics; also VACUUM when not inside a transaction (sets the visibility map)."""
    tables = [model._meta.db_table for model in TABLES_TO_ANALYZE] + [Opportunity.tags.through._meta.db_table]
    # VACUUM cannot run inside a transaction (the tests wrap each test in one).
    statement = sql.SQL("ANALYZE {}") if connection.in_atomic_block else sql.SQL("VACUUM (ANALYZE) {}")
    with connection.cursor() as django_cursor:
        for table in tables:
            django_cursor.cursor.execute(statement.format(sql.Identifier(table)))


class Command(BaseCommand):
    help = HELP

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.formatter_class = argparse.RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026, help="Random seed (default 2026).")
        parser.add_argument(
            "--scale", type=int, metavar="N", help="Write N opportunities and related rows for benchmarks."
        )

    def handle(self, *args, seed: int, scale: int | None, verbosity: int, **options):
        started = time.monotonic()

        def log(label: str, count: int) -> None:
            if verbosity >= 1:
                self.stdout.write(f"  {label:<18} {count:>10,}   {time.monotonic() - started:6.1f} s")
                self.stdout.flush()

        rng = random.Random(seed)
        if scale is not None:
            if scale < 1:
                raise CommandError("--scale needs a positive number of opportunities.")
            with transaction.atomic(), history_triggers_disabled():
                ScaleSeeder(rng=rng, count=scale, log=log).run()
        else:
            with transaction.atomic():
                created = DemoSeeder(rng=rng, log=log).run()
            if not created:
                self.stdout.write("demo data already present")
                return
        analyze()
        if verbosity >= 1:
            self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
