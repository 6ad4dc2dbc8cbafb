"""The accounts of ``manage.py seed_demo`` (crm.seeding runs the stages), and people's names."""

import random
import unicodedata

from django.conf import settings
from django.contrib.auth.models import Group

from crm import demo_data as data
from crm.models import User
from crm.seeding import AlreadySeeded, Builder, Seeding

DEMO_PASSWORD = "demo"  # noqa: S105 - the documented demo login, only with CRM_DEMO_USERS
SCALE_REPS = 20
SCALE_MARKER_USER = "rep01"


def ascii_text(text: str) -> str:
    """German transliteration first (ä → ae), then strip other accents (é → e)."""
    for umlaut, replacement in [("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"), ("Ü", "Ue")]:
        text = text.replace(umlaut, replacement)
    text = text.replace("ß", "ss")
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def email_local(first: str, last: str) -> str:
    return ".".join(ascii_text(part).lower().replace(" ", "") for part in [first, last])


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


class DemoBuilder(Builder):
    """The users who own and write everything: the demo's accounts, or --scale's reps."""

    def check(self, seeding: Seeding) -> None:
        if not seeding.demo and User.objects.filter(username=SCALE_MARKER_USER).exists():
            raise AlreadySeeded(
                f"Scale data is already present (user {SCALE_MARKER_USER} exists); use a fresh database to run again."
            )

    def setup(self, seeding: Seeding) -> None:
        if seeding.demo:
            seeding.owners, seeding.owner_weights = demo_owners()
            return
        reps = []
        for number in range(1, SCALE_REPS + 1):
            _, first, last, _ = person(seeding.rng, "de")
            reps.append(
                _user_new(username=f"rep{number:02d}", display_name=f"{first} {last}", group="Sales", password=None)
            )
        if settings.CRM_DEMO_USERS:
            demo_users_ensure()
        # Every active user owns an equal share, the bench's login included.
        seeding.owners = list(User.objects.filter(is_active=True).order_by("id"))
        seeding.owner_weights = [1] * len(seeding.owners)
        seeding.log("users", len(reps))
