"""Journal entries and reminders for ``manage.py seed_demo`` (crm.seeding runs the stages).

Reads the opportunities' plans (``seeding.opportunities``) and, for --scale, fills their
summary columns as the journal triggers would.
"""

import datetime as dt
from decimal import Decimal

from crm.seeding import Builder, Copier, Seeding
from journal import demo_data as data
from journal.models import JournalEntry
from opportunities.demo import OpportunityPlan
from opportunities.models import PhaseKind


def money(value: Decimal, lang: str) -> str:
    amount = f"{int(value):,}"
    return f"{amount.replace(',', '.')} €" if lang == "de" else f"EUR {amount}"


class DemoBuilder(Builder):
    """1–8 notes per demo opportunity, 1–5 per --scale one; the latest often keeps a reminder."""

    tables = (JournalEntry,)

    def activity(self, seeding: Seeding) -> None:
        if seeding.demo:
            self.journal_counts = list(range(1, 9))
            self.open_reminder_odds, self.closed_reminder_odds = 0.75, 0.05
            self.demo_write(seeding, seeding.opportunities)
        else:
            self.journal_counts = [1, 2, 3, 4, 5]
            # No odds: the opportunities' builder planned the open reminders per owner.
            self.open_reminder_odds = self.closed_reminder_odds = 0.0
            self.scale_write(seeding, seeding.opportunities, seeding.copier)

    def open_reminder_date(self, seeding: Seeding, created: dt.date) -> dt.date:
        rng, today = seeding.rng, seeding.today
        roll = rng.random()
        if roll < 0.3:
            day = today - dt.timedelta(days=rng.randint(1, 21))
        elif roll < 0.4:
            day = today
        else:
            day = today + dt.timedelta(days=rng.randint(1, 45))
        return max(day, created)

    def entries(self, seeding: Seeding, plan: OpportunityPlan) -> list[tuple]:
        """(author, created_at, mood, text, reminder_date, reminder_assignee, reminder_done_at) per entry."""
        rng, lang, localdate = seeding.rng, plan.org.text_lang, seeding.localdate
        end = plan.closed_at or seeding.now
        count = rng.choice(self.journal_counts)
        moments = sorted(
            seeding.at_work(seeding.between(plan.created_at, end), earliest=plan.created_at, latest=end)
            for _ in range(count)
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
                text = data.JOURNAL_WON[lang].format(contact=contact, value=money(plan.value, lang))
            elif last and plan.kind == PhaseKind.LOST:
                mood, text = "sad", data.JOURNAL_LOST[lang].format(contact=contact, reason=plan.lost_reason)
            else:
                mood, template = rng.choice(data.JOURNAL_NOTES[lang])
                text = template.format(
                    contact=contact,
                    value=money(plan.value, lang),
                    month=month,
                    competitor=plan.competitor,
                    city=plan.org.city.name.split(",")[0],
                )
            reminder_date = assignee = done_at = None
            if last:
                odds = self.open_reminder_odds if plan.kind == PhaseKind.OPEN else self.closed_reminder_odds
                if plan.open_reminder if plan.open_reminder is not None else rng.random() < odds:
                    reminder_date = self.open_reminder_date(seeding, localdate(moment))
                    # A planned reminder stays with the owner, so the counts per person hold.
                    assignee = plan.owner if plan.open_reminder else seeding.other_user(plan.owner, 0.9)
                    if plan.kind != PhaseKind.OPEN:
                        text += data.JOURNAL_FOLLOW_UP[lang]
            elif rng.random() < 0.3:
                # An earlier follow-up, done by the time of the next entry.
                next_moment = moments[index + 1]
                reminder_date = min(localdate(moment) + dt.timedelta(days=rng.randint(1, 10)), localdate(next_moment))
                assignee = seeding.other_user(plan.owner, 0.9)
                done = dt.datetime.combine(reminder_date, dt.time(rng.randint(8, 17), rng.randrange(60)), seeding.tz)
                done_at = min(max(done, moment), seeding.now)
            author = seeding.other_user(plan.owner, 0.85)
            entries.append((author, moment, mood, text, reminder_date, assignee, done_at))
        return entries

    def demo_write(self, seeding: Seeding, plans: list[OpportunityPlan]) -> None:
        entries, dates = [], []
        for plan in plans:
            for author, created_at, mood, text, reminder_date, assignee, done_at in self.entries(seeding, plan):
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
        seeding.log("journal entries", len(entries))

    def scale_write(self, seeding: Seeding, plans: list[OpportunityPlan], copier: Copier) -> None:
        def rows():
            for plan in plans:
                entries = self.entries(seeding, plan)
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
        # Before the opportunity rows (foreign keys are checked at commit): the triggers of
        # migration opportunities/0004 then find no opportunity row to refresh, and the
        # opportunities arrive with the summary columns filled above. The other order makes
        # the triggers rewrite every new opportunity row twice, through all its indexes
        # (bench/README.md).
        seeding.log("journal entries", copier.copy(JournalEntry, names, rows()))
