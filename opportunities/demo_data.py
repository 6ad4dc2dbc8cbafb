"""Opportunity names, descriptions and tasks for ``manage.py seed_demo`` (fictional deals).

Plain data only; opportunities/demo.py combines it.
"""

TAGS = ["Public sector", "Enterprise", "Upsell", "Bavaria", "Urgent", "SaaS", "Framework contract"]
COMPETITORS = [
    "Salesforce",
    "HubSpot",
    "Pipedrive",
    "Microsoft Dynamics 365",
    "SAP Sales Cloud",
    "weclapp",
    "CentralStationCRM",
    "Eigenentwicklung",
]

PRODUCTS = ["Leadtime Cloud", "Service Desk", "Data Hub", "Field Service App", "Reporting Suite", "Kundenportal"]
# Opportunity names by category and language; {product}, {city}, {year}, {dept} are filled in.
OPPORTUNITY_NAMES = {
    "Onboarding": {
        "de": [
            "CRM-Einführung {dept}",
            "Rollout Standort {city}",
            "Einführung {product}",
            "Digitalisierung Auftragsabwicklung",
            "Pilotprojekt {product}",
            "Ablösung Altsystem {dept}",
        ],
        "en": [
            "CRM rollout {dept}",
            "Onboarding site {city}",
            "{product} introduction",
            "Pilot project {product}",
            "Customer portal launch",
        ],
    },
    "Maintenance": {
        "de": [
            "Wartungsvertrag {year}",
            "Supportverlängerung {product}",
            "Lizenzverlängerung {year}",
            "Update auf {product} 5",
            "Servicevertrag Rechenzentrum",
        ],
        "en": [
            "Maintenance contract {year}",
            "Support renewal {product}",
            "Licence renewal {year}",
            "{product} 5 upgrade",
        ],
    },
    "Consulting": {
        "de": [
            "Prozessberatung Vertrieb",
            "Workshop Datenstrategie",
            "Machbarkeitsstudie {product}",
            "Schnittstelle ERP/CRM",
            "Beratung DSGVO-Konformität",
            "Reporting-Konzept {dept}",
        ],
        "en": ["Sales process review", "Data strategy workshop", "Feasibility study {product}", "ERP integration"],
    },
}
DESCRIPTIONS = {
    "de": [
        "Ausgangslage: {org} arbeitet bisher mit Excel-Listen und E-Mail. Ziel ist ein gemeinsamer Überblick für "
        "{dept} und Geschäftsführung.",
        "Anfrage kam über {source}. {contact} sucht eine Lösung, die bis Ende des Quartals produktiv ist.",
        "Bestandskunde, erweitert um weitere Nutzer und Standorte. Budget ist grundsätzlich vorhanden.",
        "Öffentliche Ausschreibung erwartet; wir liefern vorab eine Preisindikation und Referenzen.",
        "Der bisherige Anbieter stellt den Support ein, daher besteht Handlungsdruck.",
    ],
    "en": [
        "{org} currently tracks deals in spreadsheets; they want one pipeline view for {dept} and management.",
        "Lead came in via {source}. {contact} needs a solution live before the end of the quarter.",
        "Existing customer adding users and sites; budget is generally available.",
        "Their current vendor is ending support, so there is real pressure to decide.",
    ],
}
LOST_REASONS = {
    "de": [
        "Preis zu hoch, Wettbewerber deutlich günstiger.",
        "Entscheidung für {competitor}.",
        "Budget für dieses Jahr gestrichen.",
        "Projekt auf unbestimmte Zeit verschoben.",
        "Interne Lösung wird weiterentwickelt.",
        "Keine Rückmeldung mehr trotz mehrfacher Nachfrage.",
    ],
    "en": [
        "Price too high compared with the competition.",
        "Went with {competitor}.",
        "Budget frozen for this fiscal year.",
        "Project postponed indefinitely.",
        "They decided to build it in-house.",
    ],
}

TASK_TITLES = {
    "de": [
        "Angebot nachfassen",
        "Demo vorbereiten",
        "Referenzkunden heraussuchen",
        "Termin mit dem Einkauf vereinbaren",
        "Vertragsentwurf von der Rechtsabteilung prüfen lassen",
        "Unterlagen zur Datensicherheit schicken",
        "Preisindikation erstellen",
        "Ansprechpartner in der IT klären",
    ],
    "en": [
        "Follow up on the offer",
        "Prepare the demo",
        "Find a reference customer",
        "Book a meeting with procurement",
        "Send security documentation",
        "Draft a price indication",
    ],
}
