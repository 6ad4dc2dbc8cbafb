"""People's names and the demo accounts for ``manage.py seed_demo`` (fictional people).

Plain data only; crm/demo.py and the builders of the other apps combine it.
"""

# First names by gender ("f"/"m") and language of the country.
# fmt: off
FIRST_NAMES = {
    "de": {
        "f": [
            "Anna", "Julia", "Katrin", "Sabine", "Claudia", "Stefanie", "Laura", "Lena", "Miriam", "Sandra",
            "Petra", "Nicole", "Christina", "Johanna", "Franziska", "Eva", "Birgit", "Ute", "Carola", "Henrike",
        ],
        "m": [
            "Thomas", "Michael", "Andreas", "Stefan", "Markus", "Lukas", "Jan", "Tobias", "Florian", "Matthias",
            "Jürgen", "Klaus", "Martin", "Sebastian", "Christian", "Felix", "Jörg", "Uwe", "Ralf", "Benedikt",
        ],
    },
    "en": {
        "f": ["Emma", "Olivia", "Sarah", "Rachel", "Emily", "Hannah", "Jessica", "Charlotte", "Megan", "Laura"],
        "m": ["James", "Oliver", "Daniel", "Matthew", "Christopher", "Andrew", "Ryan", "Thomas", "David", "Michael"],
    },
    "fr": {
        "f": ["Camille", "Chloé", "Élodie", "Sophie", "Claire", "Manon", "Amélie", "Julie"],
        "m": ["Julien", "Nicolas", "Antoine", "Mathieu", "Pierre", "Sébastien", "Louis", "Hugo"],
    },
    "nl": {
        "f": ["Sanne", "Lotte", "Femke", "Anouk", "Eline", "Marieke", "Ingrid", "Fleur"],
        "m": ["Daan", "Bram", "Sander", "Joost", "Pieter", "Ruben", "Thijs", "Maarten"],
    },
}
LAST_NAMES = {
    "de": [
        "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann",
        "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann",
        "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt", "Werner", "Krause", "Meier", "Lehmann",
        "Köhler", "Huber", "Kaiser", "Fuchs", "Peters", "Lang", "Scholz", "Möller", "Weiß", "Jung",
        "Hahn", "Vogel", "Friedrich", "Keller", "Günther", "Frank", "Berger", "Winkler", "Roth", "Beck",
        "Lorenz", "Baumann", "Franke", "Albrecht", "Ebner", "Graf", "Brandt", "Haas", "Schuster", "Kühn",
    ],
    "en": [
        "Smith", "Johnson", "Williams", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thompson", "Walker",
        "Wright", "Robinson", "Clarke", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Martin",
    ],
    "fr": ["Martin", "Bernard", "Dubois", "Durand", "Lefebvre", "Moreau", "Laurent", "Girard", "Roux", "Fontaine"],
    "nl": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder"],
}
# fmt: on
# Academic titles with their weight; the rest of the people have none.
ACADEMIC_TITLES = {"de": [("Dr.", 12), ("Prof. Dr.", 3), ("Dr.-Ing.", 3)], "en": [("Dr.", 5)]}


# Demo and fallback accounts: username, display name, group (None for the superuser).
DEMO_USERS = [
    ("admin", "Thomas Berger", None),
    ("manager", "Katrin Hoffmann", "Managers"),
    ("sales1", "Anna Schäfer", "Sales"),
    ("sales2", "Lukas Ebner", "Sales"),
]
FALLBACK_OWNERS = [
    ("anna.schaefer", "Anna Schäfer", "Sales"),
    ("lukas.ebner", "Lukas Ebner", "Sales"),
    ("katrin.hoffmann", "Katrin Hoffmann", "Managers"),
]
