"""Opportunities, their tasks and the configuration they use, for ``manage.py seed_demo``.

crm.seeding runs the stages; the organizations' builder has planned the organizations.
"""

import datetime as dt
import json
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.management.base import CommandError

from crm.models import User
from crm.seeding import Builder, Copier, Seeding
from opportunities import demo_data as data
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
from organizations.demo import OrgPlan
from organizations.demo_data import DEPARTMENTS

DEMO_OPPORTUNITIES = 200
SCALE_OPEN_SHARE = 0.10
# Open reminders each owner should end up with, per opportunity in the run (500 at 100,000).
SCALE_REMINDERS_PER_OPPORTUNITY = 1 / 200

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
SEGMENT_VALUES = {"SMB": (2_000, 40_000), "Mid-market": (8_000, 120_000), "Enterprise": (30_000, 250_000)}


# --- configuration rows -------------------------------------------------------------------------


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


# --- plans ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class OpportunityPlan:
    """An opportunity as the builders of higher apps see it (``seeding.opportunities``)."""

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
    # What the database triggers derive from journal and tasks (scale writes them directly):
    # the journal's builder fills the first three, this one the open task count.
    last_activity_at: dt.datetime | None = None
    latest_mood: str = ""
    next_reminder_date: dt.date | None = None
    open_task_count: int = 0
    # Whether the latest note keeps an open reminder; None: decided by the journal builder's odds.
    open_reminder: bool | None = None

    @property
    def kind(self) -> str:
        return self.phase.kind


class DemoBuilder(Builder):
    """200 opportunities in every phase (demo) or N for benchmarks (--scale), with tasks."""

    tables = (Opportunity, OpportunityContact, Task, Opportunity.tags.through)

    def setup(self, seeding: Seeding) -> None:
        self.config = config_load()
        self.open_days, self.closed_days = (180, 90) if seeding.demo else (270, 730)
        self.task_counts = list(range(5)) if seeding.demo else [0, 1, 2, 3, 4]

    def records(self, seeding: Seeding) -> None:
        if seeding.demo:
            seeding.opportunities = self.demo_create(seeding, seeding.organizations)
        else:
            seeding.opportunities = self.scale_plan(seeding, seeding.organizations, seeding.copier)

    def details(self, seeding: Seeding) -> None:
        if seeding.demo:
            self.demo_tasks(seeding, seeding.opportunities)
        else:
            self.scale_write_tasks(seeding, seeding.opportunities, seeding.copier)
            # Last: the rows carry the summary of the journal and the tasks written before them.
            self.scale_write(seeding, seeding.opportunities, seeding.copier)

    # Drawing -----------------------------------------------------------------------------------

    def phase_sequence(self, seeding: Seeding, count: int, *, open_share: float, won_share: float, every_phase: bool):
        """Phases for ``count`` opportunities: shares per kind; within open phases the early ones are fuller."""
        rng, config = seeding.rng, self.config
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

    def value(self, seeding: Seeding, segment: str) -> Decimal:
        low, high = SEGMENT_VALUES.get(segment, SEGMENT_VALUES["Mid-market"])
        amount = math.exp(seeding.rng.uniform(math.log(low), math.log(high)))
        step = 500 if amount < 50_000 else 1_000
        return Decimal(min(250_000, max(2_000, round(amount / step) * step)))

    def opportunity(self, seeding: Seeding, org: OrgPlan, phase: Phase, owner: User) -> OpportunityPlan:
        rng, config, now, today = seeding.rng, self.config, seeding.now, seeding.today
        at_work = seeding.at_work
        lang = org.text_lang
        category = rng.choice(config.categories) if config.categories and rng.random() < 0.9 else None
        name_group = category.name if category and category.name in data.OPPORTUNITY_NAMES else "Onboarding"
        name = rng.choice(data.OPPORTUNITY_NAMES[name_group][lang]).format(
            product=rng.choice(data.PRODUCTS),
            city=org.city.name.split(",")[0],
            year=today.year + rng.choice([0, 1]),
            dept=rng.choice(list(DEPARTMENTS[lang])[1:4]),
        )
        source = rng.choice(config.sources) if config.sources and rng.random() < 0.85 else None
        contact_count = min(len(org.members), rng.choice([1, 1, 2, 2, 3]))
        contacts = rng.sample(org.members, contact_count)
        contact_names = [spoken for _, spoken in contacts]
        competitor = rng.choice(data.COMPETITORS)

        kind = phase.kind
        if kind == PhaseKind.OPEN:
            progress = config.open_phases.index(phase)
            created_at = at_work(now - dt.timedelta(days=rng.uniform(2, self.open_days)))
            close_date = today + dt.timedelta(days=rng.randint(-90, 270))
            if close_date < seeding.localdate(created_at):
                close_date = seeding.localdate(created_at) + dt.timedelta(days=rng.randint(21, 90))
            closed_at = None
            phase_changed_at = at_work(seeding.between(created_at, now), earliest=created_at)
            status = config.status("On hold") if rng.random() < 0.12 else config.status("Sales")
            probability = min(100, max(0, phase.default_probability + rng.choice([-10, -5, 0, 0, 0, 5, 10])))
        else:
            progress = len(config.open_phases)
            closed_at = at_work(now - dt.timedelta(days=rng.uniform(1, self.closed_days)))
            created_at = at_work(closed_at - dt.timedelta(days=rng.uniform(14, 240)))
            close_date = min(today, seeding.localdate(closed_at) + dt.timedelta(days=rng.randint(-21, 21)))
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
                    phase_changed_at = at_work(min(later, now), earliest=closed_at)
        description = rng.choice(data.DESCRIPTIONS[lang]).format(
            org=org.name,
            dept=rng.choice(list(DEPARTMENTS[lang])[1:4]),
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
            value=self.value(seeding, org.segment),
            expected_close_date=close_date,
            custom_values={},
            tags=self.tags(seeding, org, kind, name_group),
            contacts=[ref for ref, _ in contacts],
            contact_names=contact_names,
            competitor=competitor,
            created_at=created_at,
            closed_at=closed_at,
            phase_changed_at=phase_changed_at,
        )
        if kind == PhaseKind.LOST:
            plan.lost_reason = rng.choice(data.LOST_REASONS[lang]).format(competitor=competitor)
        plan.custom_values = self.custom_values(seeding, plan)
        return plan

    def tags(self, seeding: Seeding, org: OrgPlan, kind: str, name_group: str) -> list:
        rng, tags = seeding.rng, self.config.tags
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

    def custom_values(self, seeding: Seeding, plan: OpportunityPlan) -> dict:
        values = {}
        for definition in self.config.fields:
            value = self.custom_value(seeding, definition, plan)
            if value is not None:
                values[definition.key] = value
        return values

    def custom_value(self, seeding: Seeding, definition: CustomField, plan: OpportunityPlan):
        """A value in stored form (see opportunities.custom_fields) that fits the opportunity."""
        rng, org = seeding.rng, plan.org
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

    def tasks(self, seeding: Seeding, plan: OpportunityPlan) -> list[tuple]:
        """(title, assignee, due_date, done_at, created_at) per task."""
        rng, end, at_work, between = seeding.rng, plan.closed_at or seeding.now, seeding.at_work, seeding.between
        result = []
        for _ in range(rng.choice(self.task_counts)):
            created_at = at_work(between(plan.created_at, end), earliest=plan.created_at, latest=end)
            roll = rng.random()
            assignee = plan.owner if roll < 0.85 else (rng.choice(seeding.owners) if roll < 0.95 else None)
            if plan.kind != PhaseKind.OPEN or rng.random() < 0.45:
                done_at = between(created_at, end)
                due_date = seeding.localdate(created_at) + dt.timedelta(days=rng.randint(2, 21))
            else:
                done_at = None
                due_date = None
                if rng.random() < 0.85:
                    due_date = max(
                        seeding.today + dt.timedelta(days=rng.randint(-10, 30)), seeding.localdate(created_at)
                    )
            result.append((rng.choice(data.TASK_TITLES[plan.org.text_lang]), assignee, due_date, done_at, created_at))
        return result

    # Demo --------------------------------------------------------------------------------------

    def demo_create(self, seeding: Seeding, orgs: list[OrgPlan]) -> list[OpportunityPlan]:
        rng = seeding.rng
        phases = self.phase_sequence(seeding, DEMO_OPPORTUNITIES, open_share=0.55, won_share=0.25, every_phase=True)
        # Every organization gets at least one; larger ones get more.
        weights = [{"SMB": 2, "Mid-market": 3, "Enterprise": 4}[org.segment] for org in orgs]
        targets = orgs + rng.choices(orgs, weights=weights, k=len(phases) - len(orgs))
        plans = sorted(
            (
                self.opportunity(seeding, org, phase, seeding.owner())
                for org, phase in zip(targets, phases, strict=False)
            ),
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
            if plan.org.first_opportunity_at is None:
                plan.org.first_opportunity_at = plan.created_at
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
        seeding.log("opportunities", len(plans))
        return plans

    def demo_tasks(self, seeding: Seeding, plans: list[OpportunityPlan]) -> None:
        tasks, dates = [], []
        for plan in plans:
            for title, assignee, due_date, done_at, created_at in self.tasks(seeding, plan):
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
        seeding.log("tasks", len(tasks))

    # Scale -------------------------------------------------------------------------------------

    def plan_open_reminders(self, seeding: Seeding, plans: list[OpportunityPlan]) -> None:
        """Give each owner N/200 open reminders (500 at 100,000), the /reminders/ page's benchmark load.

        They sit on the latest note of most of the owner's open opportunities (at most 80%)
        and, for the rest, of closed ones ("check back in a few months"). The journal's
        builder writes them; they are chosen here, with the plan, so each owner gets the same.
        """
        rng = seeding.rng
        target = round(seeding.scale * SCALE_REMINDERS_PER_OPPORTUNITY)
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

    def scale_plan(self, seeding: Seeding, orgs: list[OrgPlan], copier: Copier) -> list[OpportunityPlan]:
        rng, count = seeding.rng, seeding.scale
        open_share = SCALE_OPEN_SHARE
        phases = self.phase_sequence(
            seeding, count, open_share=open_share, won_share=0.55 * (1 - open_share), every_phase=False
        )
        # A few organizations have many opportunities, most have a handful.
        weights = [rng.lognormvariate(0, 0.9) for _ in orgs]
        targets = rng.choices(orgs, weights=weights, k=count)
        owners = seeding.owners
        plans = [
            self.opportunity(seeding, org, phase, owners[rng.randrange(len(owners))])
            for org, phase in zip(targets, phases, strict=True)
        ]
        fields = self.config.fields
        for plan in plans:
            plan.custom_values = clean_custom_values(plan.custom_values, fields=fields)
        self.plan_open_reminders(seeding, plans)
        # Ids and per-organization numbers follow creation time, as they would have; an
        # organization appears some weeks before its first opportunity.
        plans.sort(key=lambda plan: plan.created_at)
        for plan, opportunity_id in zip(plans, copier.reserve_ids(Opportunity, count), strict=True):
            plan.ref = opportunity_id
            plan.org.opportunity_count += 1
            plan.number = plan.org.opportunity_count
            if plan.org.created_at is None:
                plan.org.first_opportunity_at = plan.created_at
                plan.org.created_at = seeding.at_work(plan.created_at - dt.timedelta(days=rng.uniform(5, 120)))
        return plans

    def scale_write_tasks(self, seeding: Seeding, plans: list[OpportunityPlan], copier: Copier) -> None:
        def rows():
            for plan in plans:
                tasks = self.tasks(seeding, plan)
                plan.open_task_count = sum(1 for task in tasks if task[3] is None)
                for title, assignee, due_date, done_at, created_at in tasks:
                    assignee_id = assignee.pk if assignee else None
                    yield (plan.ref, title, assignee_id, due_date, done_at, created_at, plan.owner.pk)

        names = ["opportunity", "title", "assignee", "due_date", "done_at", "created_at", "created_by"]
        seeding.log("tasks", copier.copy(Task, names, rows()))

    def scale_write(self, seeding: Seeding, plans: list[OpportunityPlan], copier: Copier) -> None:
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
        seeding.log("opportunities", copier.copy(Opportunity, names, rows))
        contact_rows = ((plan.ref, member, index == 0) for plan in plans for index, member in enumerate(plan.contacts))
        seeding.log(
            "contact persons", copier.copy(OpportunityContact, ["opportunity", "member", "is_primary"], contact_rows)
        )
        tag_rows = ((plan.ref, tag.pk) for plan in plans for tag in plan.tags)
        seeding.log("tags", copier.copy(Opportunity.tags.through, ["opportunity", "tag"], tag_rows))
