"""Offers, price indications and cost estimates for ``manage.py seed_demo`` (crm.seeding runs the stages).

Reads the opportunities' plans (``seeding.opportunities``).
"""

import datetime as dt
from collections import Counter
from decimal import Decimal

from django.db.models import Max
from django.utils import timezone

from crm.models import User
from crm.seeding import ONE_DAY, Builder, Copier, Seeding
from documents import demo_data as data
from documents.models import Document, DocumentCounter, DocumentLine, DocumentStatus, DocumentType
from opportunities.demo import OpportunityPlan
from opportunities.models import PhaseKind
from organizations.demo_data import GERMANY


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


class DemoBuilder(Builder):
    """Offers for some opportunities that got far enough (20% in the demo, 5% with --scale)."""

    tables = (Document, DocumentLine)

    def details(self, seeding: Seeding) -> None:
        self.document_odds = 0.2 if seeding.demo else 0.05
        plans = seeding.opportunities
        drafts = [(plan, fields, lines) for plan in plans for fields, lines in self.documents(seeding, plan)]
        if seeding.demo:
            self.demo_write(seeding, drafts)
        else:
            self.scale_write(seeding, drafts, seeding.copier)

    def documents(self, seeding: Seeding, plan: OpportunityPlan) -> list[tuple[dict, list[dict]]]:
        """Offers of an opportunity that got far enough: (document fields, line fields) each."""
        rng, at_work = seeding.rng, seeding.at_work
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
        end = plan.closed_at or seeding.now
        earliest = plan.created_at + ONE_DAY
        result = []
        for position, (doc_type, status) in enumerate(kinds):
            if plan.closed_at:
                days_before = rng.uniform(2, 30) * (len(kinds) - position)
                created_at = at_work(end - dt.timedelta(days=days_before), earliest=earliest, latest=end)
            else:
                created_at = at_work(seeding.between(seeding.between(plan.created_at, end), end), earliest=earliest)
            created_at = min(created_at, end)
            sent_at = None
            if status not in (DocumentStatus.DRAFT, DocumentStatus.APPROVED):
                sent_at = at_work(created_at + dt.timedelta(hours=rng.uniform(2, 72)), created_at, end)
            result.append(
                (self.document(seeding, plan, doc_type, status, created_at, sent_at), self.lines(seeding, plan))
            )
        return result

    def document(self, seeding: Seeding, plan, doc_type, status, created_at, sent_at) -> dict:
        lang = plan.org.text_lang
        return {
            "title": data.DOCUMENT_TITLES[doc_type][lang].format(name=plan.name)[:200],
            "doc_type": doc_type,
            "status": status,
            "language": lang,
            "currency": "EUR",
            "vat_rate": Decimal("19.00") if plan.org.city.country == GERMANY else Decimal("0.00"),
            "valid_until": seeding.localdate(created_at) + dt.timedelta(days=30),
            "recipient": plan.contacts[0] if plan.contacts else None,
            "intro": data.DOCUMENT_INTRO[lang],
            "terms": data.DOCUMENT_TERMS[lang],
            "sent_at": sent_at,
            "created_by": plan.owner,
            "created_at": created_at,
        }

    def lines(self, seeding: Seeding, plan: OpportunityPlan) -> list[dict]:
        """2–6 line items whose net total comes close to the opportunity's value."""
        rng, lang = seeding.rng, plan.org.text_lang
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

    def demo_write(self, seeding: Seeding, drafts: list[tuple]) -> None:
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
        seeding.log("documents", len(documents))
        seeding.log("document lines", len(all_lines))

    def scale_write(self, seeding: Seeding, drafts: list[tuple], copier: Copier) -> None:
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
        seeding.log("documents", copier.copy(Document, names, rows))
        line_rows = (
            (document_id, *line.values())
            for document_id, (_, _, lines) in zip(ids, drafts, strict=True)
            for line in lines
        )
        line_names = ["document", *(drafts[0][2][0] if drafts else [])]
        seeding.log("document lines", copier.copy(DocumentLine, line_names, line_rows))
