"""Django templates or Jinja2 for the app's pages? Renders one board column's worth of cards both ways.

The same card markup (bench/engines/django/card.html and bench/engines/jinja2/card.html, the
board card as the f-string tag wrote it) with the same filters — Django's ``date``,
``floatformat``, ``reverse`` and ``gettext`` — over 150 cards, each card an include with the
avatar and icons as includes of their own, as a component-based template has them.
Prints median and p95 per render, and how much of the Django render is formatting, URLs and
translation (which Jinja2 would call just the same). ``make bench-engines``; bench/README.md
has the figures and the decision.
"""

import cProfile
import datetime
import pstats
import random
import statistics
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import django
from django.conf import settings
from django.urls import path

HERE = Path(__file__).resolve().parent / "engines"
CARDS = 150
REPEAT = 50

urlpatterns = [
    path("o/<str:short>/move/", lambda request: None, name="move"),
    path("o/<str:short>/", lambda request: None, name="detail"),
]


def environment(**options):
    from django.template.defaultfilters import date, floatformat
    from django.urls import reverse
    from django.utils.translation import gettext
    from jinja2 import Environment
    from markupsafe import Markup

    env = Environment(**options)  # noqa: S701 (Django's Jinja2 backend passes autoescape=True)
    env.globals.update(
        url=lambda name, args=(): reverse(name, args=args),
        _=gettext,
        icon=lambda name: Markup(env.get_template("icon.html").render(name=name)),  # noqa: S704 (our template)
    )
    env.filters.update(date=date, floatformat=floatformat)
    return env


def cards():
    rng = random.Random(1)
    today = datetime.date(2026, 12, 8)
    owners = [SimpleNamespace(initials=f"S{i}", name=f"Sales {i}") for i in range(5)]
    return today, [
        SimpleNamespace(
            short_name=f"ACME-{i}",
            name=f"Opportunity <{i}> & co",
            version=3,
            phase_id=2,
            stale=i % 5 == 0,
            latest_mood=rng.choice(["", "happy", "sad"]),
            organization_name="Thamesbridge Analytics",
            primary_contact_name="Dr. Jane Doe" if i % 2 else "",
            tag_names=["hot", "renewal"] if i % 3 else [],
            value=Decimal("12345.67"),
            expected_close_date=today + datetime.timedelta(days=i),
            open_task_count=i % 4,
            next_reminder_date=today if i % 3 == 0 else None,
            owner=owners[i % 5],
            owner_id=i % 5,
        )
        for i in range(CARDS)
    ]


def measure(template, context):
    template.render(context)
    times = []
    for _ in range(REPEAT):
        started = time.perf_counter()
        template.render(context)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main():
    settings.configure(
        ROOT_URLCONF=__name__,
        USE_I18N=True,
        USE_TZ=True,
        LANGUAGE_CODE="de",
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "DIRS": [HERE / "django"],
                "OPTIONS": {
                    "loaders": [
                        ("django.template.loaders.cached.Loader", ["django.template.loaders.filesystem.Loader"])
                    ]
                },
            },
            {
                "BACKEND": "django.template.backends.jinja2.Jinja2",
                "DIRS": [HERE / "jinja2"],
                "OPTIONS": {"environment": f"{__name__}.environment"},
            },
        ],
    )
    django.setup()
    from django.template import engines
    from django.utils import translation

    translation.activate("de")
    today, board = cards()
    context = {"cards": board, "today": today, "can_manage": False, "user_pk": 1, "move_query": "group=phase"}
    results = {}
    for engine in ("django", "jinja2"):
        results[engine] = measure(engines[engine].get_template("board.html"), context)
        print(f"{engine:7s} {CARDS} cards: median {results[engine][0]:.1f} ms, p95 {results[engine][1]:.1f} ms")

    profile = cProfile.Profile()
    template = engines["django"].get_template("board.html")
    profile.enable()
    for _ in range(10):
        template.render(context)
    profile.disable()
    stats = pstats.Stats(profile).stats
    total = sum(row[2] for row in stats.values())  # own time of every function
    shared = 0.0
    for (filename, _line, _name), row in stats.items():
        if any(part in filename for part in ("utils/formats", "utils/dateformat", "urls/", "translation")):
            shared += row[2]
    print(f"django: {100 * shared / total:.0f} % of the render is formatting, reverse() and gettext")


if __name__ == "__main__":
    main()
