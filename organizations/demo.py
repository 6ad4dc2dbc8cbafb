"""Organizations and their contact persons for ``manage.py seed_demo`` (crm.seeding runs the stages)."""

import datetime as dt
import random
import re
from dataclasses import dataclass, field

from crm.demo import ascii_text, email_local, person
from crm.demo_data import LAST_NAMES
from crm.seeding import AlreadySeeded, Builder, Copier, Seeding
from organizations import demo_data as data
from organizations.models import Attitude, InfluenceLevel, Member, Organization, Personality
from organizations.services import member_create, organization_create

ATTITUDE_WEIGHTS = [
    (Attitude.ENTHUSIASTIC, 15),
    (Attitude.POSITIVE, 30),
    (Attitude.NEUTRAL, 30),
    (Attitude.SKEPTICAL, 18),
    (Attitude.OPPOSED, 7),
]
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


@dataclass(slots=True)
class OrgPlan:
    """An organization as the builders of higher apps see it (``seeding.organizations``)."""

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
    # Set by the opportunities' builder: the counter column, and when the first opportunity came.
    opportunity_count: int = 0
    first_opportunity_at: dt.datetime | None = None
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


def member(seeding: Seeding, org: OrgPlan, index: int, used: set) -> tuple[dict, str]:
    """Field values of one contact person, and how journal notes address them."""
    rng = seeding.rng
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


class DemoBuilder(Builder):
    """About 40 named organizations (demo) or N/5 generated ones (--scale), with contact persons."""

    tables = (Organization, Member)

    def check(self, seeding: Seeding) -> None:
        # The demo's organization names mark the demo data as present.
        if seeding.demo and Organization.objects.filter(name__in=[spec.name for spec in data.ORGANIZATIONS]).exists():
            raise AlreadySeeded("demo data already present")

    def records(self, seeding: Seeding) -> None:
        if seeding.demo:
            seeding.organizations = self.demo_create(seeding)
        else:
            seeding.organizations, self.members = self.scale_plan(seeding, seeding.copier)

    def activity(self, seeding: Seeding) -> None:
        if not seeding.demo:
            self.scale_write(seeding, seeding.organizations, self.members, seeding.copier)

    def finish(self, seeding: Seeding) -> None:
        if seeding.demo:
            self.demo_backdate(seeding, seeding.organizations)

    # Demo --------------------------------------------------------------------------------------

    def demo_create(self, seeding: Seeding) -> list[OrgPlan]:
        rng = seeding.rng
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
                values, spoken = member(seeding, org, index, used)
                contact = member_create(organization=org.ref, data=values, user=rng.choice(seeding.owners))
                org.members.append((contact, spoken))
            orgs.append(org)
        seeding.log("organizations", len(orgs))
        seeding.log("members", sum(len(org.members) for org in orgs))
        return orgs

    def demo_backdate(self, seeding: Seeding, orgs: list[OrgPlan]) -> None:
        """Organizations and members appear some weeks before their first opportunity."""
        rng = seeding.rng
        members = []
        for org in orgs:
            start = (org.first_opportunity_at or seeding.now) - dt.timedelta(days=rng.uniform(5, 90))
            org.ref.created_at = org.ref.updated_at = seeding.at_work(start)
            for contact, _ in org.members:
                contact.created_at = contact.updated_at = seeding.at_work(
                    org.ref.created_at + dt.timedelta(days=rng.uniform(0, 4)), earliest=org.ref.created_at
                )
                members.append(contact)
        Organization.objects.bulk_update([org.ref for org in orgs], ["created_at", "updated_at"])
        Member.objects.bulk_update(members, ["created_at", "updated_at"])

    # Scale -------------------------------------------------------------------------------------

    def organization_names(self, rng: random.Random, count: int) -> list[str]:
        demo_names = {spec.name for spec in data.ORGANIZATIONS}
        sectors, legal_forms = data.SCALE_NAME_SECTORS, sorted(set(data.SCALE_LEGAL_FORMS))
        last_names = LAST_NAMES["de"]
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
        rng.shuffle(names)
        if count > len(names):
            # Beyond the combinations, add a location as branches of real groups do.
            cities = sorted(data.CITIES)
            names += [f"{name} {city.split(',')[0]}" for city in cities for name in names[: count - len(names)]]
        return names[:count]

    def scale_plan(self, seeding: Seeding, copier: Copier) -> tuple[list[OrgPlan], list[tuple]]:
        """Organizations with ids and codes, and their members as (id, organization, values, created_by)."""
        rng = seeding.rng
        count = max(1, seeding.scale // 5)
        taken = set(Organization.objects.values_list("code", flat=True))
        cities = list(data.CITIES.values())
        city_weights = [12 if city.country == data.GERMANY else 3 if city.region == "DACH" else 2 for city in cities]
        segment_names = [name for name, _ in data.SCALE_SEGMENTS]
        segment_weights = [weight for _, weight in data.SCALE_SEGMENTS]
        ids = copier.reserve_ids(Organization, count)
        orgs, serial = [], 0
        for org_id, name in zip(ids, self.organization_names(rng, count), strict=True):
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
                values, spoken = member(seeding, org, index, used)
                member_id = next(member_ids)
                org.members.append((member_id, spoken))
                members.append((member_id, org, values, rng.choice(seeding.owners).pk))
        return orgs, members

    def scale_write(self, seeding: Seeding, orgs: list[OrgPlan], members: list[tuple], copier: Copier) -> None:
        """COPY the organizations, dated by the opportunities' plan, and their members."""
        rng = seeding.rng
        for org in orgs:
            if org.created_at is None:
                org.created_at = seeding.at_work(seeding.now - dt.timedelta(days=rng.uniform(30, 900)))
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
        seeding.log(
            "organizations",
            copier.copy(Organization, [*names, "opportunity_counter", "created_at", "updated_at"], rows),
        )
        member_fields = list(members[0][2]) if members else []

        def member_rows():
            for member_id, org, values, created_by in members:
                created_at = seeding.at_work(
                    org.created_at + dt.timedelta(days=rng.uniform(0, 30)), earliest=org.created_at
                )
                yield (member_id, org.ref, *values.values(), created_at, created_at, created_by)

        names = ["id", "organization", *member_fields, "created_at", "updated_at", "created_by"]
        seeding.log("members", copier.copy(Member, names, member_rows()))
