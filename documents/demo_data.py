"""Offer lines and texts for ``manage.py seed_demo`` (a fictional product catalogue).

Plain data only; documents/demo.py combines it.
"""

# Document line catalogue: (German, English, unit, unit price, quantities).
LINE_ITEMS = [
    ("Lizenz Professional, 12 Monate", "Professional licence, 12 months", "Nutzer", 480, (5, 10, 25, 50)),
    ("Lizenz Enterprise, 12 Monate", "Enterprise licence, 12 months", "Nutzer", 780, (10, 25, 50, 100)),
    ("Einrichtung und Konfiguration", "Set-up and configuration", "Tage", 1150, (2, 3, 5, 8)),
    ("Datenmigration aus Altsystem", "Data migration from legacy system", "Tage", 1150, (2, 4, 6)),
    ("Schnittstelle ERP", "ERP interface", "pauschal", 8500, (1,)),
    ("Anwenderschulung (bis 8 Personen)", "User training (up to 8 people)", "Tage", 1400, (1, 2, 3)),
    ("Projektmanagement", "Project management", "h", 135, (16, 24, 40, 60)),
    ("Premium-Support, 12 Monate", "Premium support, 12 months", "pauschal", 3600, (1,)),
    ("Workshop Anforderungsanalyse", "Requirements workshop", "Tage", 1400, (1, 2)),
]
UNITS_EN = {"Nutzer": "users", "Tage": "days", "pauschal": "flat rate", "h": "h"}
DOCUMENT_TITLES = {
    "offer": {"de": "Angebot {name}", "en": "Offer {name}"},
    "price_indication": {"de": "Preisindikation {name}", "en": "Price indication {name}"},
    "cost_estimate": {"de": "Kostenschätzung {name}", "en": "Cost estimate {name}"},
}
DOCUMENT_INTRO = {
    "de": "Sehr geehrte Damen und Herren,\n\nvielen Dank für das angenehme Gespräch. Gerne unterbreiten wir "
    "Ihnen folgendes Angebot:",
    "en": "Dear Sir or Madam,\n\nthank you for the good conversation. We are pleased to offer the following:",
}
DOCUMENT_TERMS = {
    "de": "Zahlbar innerhalb von 30 Tagen netto. Es gelten unsere Allgemeinen Geschäftsbedingungen.",
    "en": "Payable within 30 days net. Our general terms and conditions apply.",
}
