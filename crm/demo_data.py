"""Names, addresses and texts for ``manage.py seed_demo`` (fictional companies and people).

Plain data only; the command decides how to combine it. German companies carry
German texts, the others English ones, as a mixed DACH/international sales team
would write them.
"""

from typing import NamedTuple


class City(NamedTuple):
    name: str
    postal_code: str
    country: str
    phone_prefix: str
    region: str  # value of the "Region" custom field
    bavaria: bool = False


class DemoOrganization(NamedTuple):
    name: str
    code: str
    street: str
    city: City
    domain: str
    segment: str  # SMB / Mid-market / Enterprise
    public_sector: bool = False


GERMANY = "Germany"
AUSTRIA = "Austria"
SWITZERLAND = "Switzerland"

CITIES = {
    "München": City("München", "80807", GERMANY, "+49 89", "South", bavaria=True),
    "Hamburg": City("Hamburg", "20457", GERMANY, "+49 40", "North"),
    "Neuss": City("Neuss", "41460", GERMANY, "+49 2131", "West"),
    "Berlin": City("Berlin", "10997", GERMANY, "+49 30", "East"),
    "Dresden": City("Dresden", "01069", GERMANY, "+49 351", "East"),
    "Kiel": City("Kiel", "24103", GERMANY, "+49 431", "North"),
    "Freiburg im Breisgau": City("Freiburg im Breisgau", "79098", GERMANY, "+49 761", "South"),
    "Würzburg": City("Würzburg", "97070", GERMANY, "+49 931", "South", bavaria=True),
    "Gießen": City("Gießen", "35390", GERMANY, "+49 641", "West"),
    "Regensburg": City("Regensburg", "93053", GERMANY, "+49 941", "South", bavaria=True),
    "Bremen": City("Bremen", "28195", GERMANY, "+49 421", "North"),
    "Essen": City("Essen", "45127", GERMANY, "+49 201", "West"),
    "Ludwigshafen am Rhein": City("Ludwigshafen am Rhein", "67059", GERMANY, "+49 621", "West"),
    "Hannover": City("Hannover", "30159", GERMANY, "+49 511", "North"),
    "Konstanz": City("Konstanz", "78462", GERMANY, "+49 7531", "South"),
    "Nürnberg": City("Nürnberg", "90402", GERMANY, "+49 911", "South", bavaria=True),
    "Halle (Saale)": City("Halle (Saale)", "06108", GERMANY, "+49 345", "East"),
    "Rostock": City("Rostock", "18055", GERMANY, "+49 381", "North"),
    "Stuttgart": City("Stuttgart", "70173", GERMANY, "+49 711", "South"),
    "Marburg": City("Marburg", "35037", GERMANY, "+49 6421", "West"),
    "Ansbach": City("Ansbach", "91522", GERMANY, "+49 981", "South", bavaria=True),
    "Köln": City("Köln", "50667", GERMANY, "+49 221", "West"),
    "Goslar": City("Goslar", "38640", GERMANY, "+49 5321", "North"),
    "Jena": City("Jena", "07743", GERMANY, "+49 3641", "East"),
    "Trier": City("Trier", "54290", GERMANY, "+49 651", "West"),
    "Garmisch-Partenkirchen": City("Garmisch-Partenkirchen", "82467", GERMANY, "+49 8821", "South", bavaria=True),
    "Plauen": City("Plauen", "08523", GERMANY, "+49 3741", "East"),
    "Frankfurt am Main": City("Frankfurt am Main", "60311", GERMANY, "+49 69", "West"),
    "Düsseldorf": City("Düsseldorf", "40213", GERMANY, "+49 211", "West"),
    "Leipzig": City("Leipzig", "04109", GERMANY, "+49 341", "East"),
    "Augsburg": City("Augsburg", "86150", GERMANY, "+49 821", "South", bavaria=True),
    "Karlsruhe": City("Karlsruhe", "76133", GERMANY, "+49 721", "South"),
    "Mannheim": City("Mannheim", "68161", GERMANY, "+49 621", "South"),
    "Dortmund": City("Dortmund", "44137", GERMANY, "+49 231", "West"),
    "Münster": City("Münster", "48143", GERMANY, "+49 251", "West"),
    "Magdeburg": City("Magdeburg", "39104", GERMANY, "+49 391", "East"),
    "Erfurt": City("Erfurt", "99084", GERMANY, "+49 361", "East"),
    "Lübeck": City("Lübeck", "23552", GERMANY, "+49 451", "North"),
    "Osnabrück": City("Osnabrück", "49074", GERMANY, "+49 541", "North"),
    "Ingolstadt": City("Ingolstadt", "85049", GERMANY, "+49 841", "South", bavaria=True),
    "Ulm": City("Ulm", "89073", GERMANY, "+49 731", "South"),
    "Wien": City("Wien", "1010", AUSTRIA, "+43 1", "DACH"),
    "Salzburg": City("Salzburg", "5020", AUSTRIA, "+43 662", "DACH"),
    "Innsbruck": City("Innsbruck", "6020", AUSTRIA, "+43 512", "DACH"),
    "Graz": City("Graz", "8010", AUSTRIA, "+43 316", "DACH"),
    "Zürich": City("Zürich", "8001", SWITZERLAND, "+41 44", "DACH"),
    "Bern": City("Bern", "3011", SWITZERLAND, "+41 31", "DACH"),
    "Lausanne": City("Lausanne", "1003", SWITZERLAND, "+41 21", "DACH"),
    "Basel": City("Basel", "4051", SWITZERLAND, "+41 61", "DACH"),
    "London": City("London", "EC2A 4NE", "United Kingdom", "+44 20", "International"),
    "Leeds": City("Leeds", "LS1 5AB", "United Kingdom", "+44 113", "International"),
    "Seattle, WA": City("Seattle, WA", "98101", "United States", "+1 206", "International"),
    "Chicago, IL": City("Chicago, IL", "60606", "United States", "+1 312", "International"),
    "Lyon": City("Lyon", "69002", "France", "+33 4", "International"),
    "Bordeaux": City("Bordeaux", "33000", "France", "+33 5", "International"),
    "Rotterdam": City("Rotterdam", "3011 AD", "Netherlands", "+31 10", "International"),
    "Middelburg": City("Middelburg", "4331 LB", "Netherlands", "+31 118", "International"),
}


def _org(name, code, street, city, domain, segment, public_sector=False):
    return DemoOrganization(name, code, street, CITIES[city], domain, segment, public_sector)


# The demo's organizations; their names also mark the demo data as present.
ORGANIZATIONS = [
    _org("Bionic Systems GmbH", "BION", "Leopoldstraße 244", "München", "bionic-systems.de", "Mid-market"),
    _org("Hanseatische Logistik AG", "HANS", "Am Sandtorkai 54", "Hamburg", "hanseatische-logistik.de", "Enterprise"),
    _org("Krüger Metallbau GmbH", "KRUE", "Hammer Landstraße 91", "Neuss", "krueger-metallbau.de", "SMB"),
    _org("Spreeblick Software GmbH", "SPRE", "Schlesische Straße 28", "Berlin", "spreeblick-software.de", "SMB"),
    _org("Elbtal Pharma AG", "ELBT", "Prager Straße 10", "Dresden", "elbtal-pharma.de", "Enterprise"),
    _org("Nordlicht Energie GmbH", "NORD", "Holstenstraße 48", "Kiel", "nordlicht-energie.de", "Mid-market"),
    _org(
        "Schwarzwald Präzision GmbH & Co. KG",
        "SWPR",
        "Kaiser-Joseph-Straße 233",
        "Freiburg im Breisgau",
        "schwarzwald-praezision.de",
        "Mid-market",
    ),
    _org(
        "Mainfranken Medizintechnik GmbH", "MFMT", "Juliuspromenade 64", "Würzburg", "mainfranken-med.de", "Mid-market"
    ),
    _org("Stadtwerke Mittelhessen", "SWMH", "Ludwigsplatz 8", "Gießen", "swmh.de", "Mid-market", public_sector=True),
    _org(
        "Klinikum Oberpfalz Nord",
        "KLON",
        "Luitpoldstraße 21",
        "Regensburg",
        "klinikum-oberpfalz-nord.de",
        "Enterprise",
        public_sector=True,
    ),
    _org("Weserland Lebensmittel GmbH", "WESE", "Am Wall 140", "Bremen", "weserland-lebensmittel.de", "Mid-market"),
    _org("Ruhrkraft Anlagenbau AG", "RUHR", "Huyssenallee 78", "Essen", "ruhrkraft.de", "Enterprise"),
    _org("Pfalzwerk Chemie GmbH", "PFAL", "Bismarckstraße 52", "Ludwigshafen am Rhein", "pfalzwerk.de", "Enterprise"),
    _org("Leinetal Versicherung AG", "LEIN", "Georgstraße 36", "Hannover", "leinetal-versicherung.de", "Enterprise"),
    _org("Bodensee Optik GmbH", "BODO", "Marktstätte 15", "Konstanz", "bodensee-optik.de", "SMB"),
    _org("Frankenland Druck GmbH", "FRAN", "Königstraße 73", "Nürnberg", "frankenland-druck.de", "SMB"),
    _org("Isartal Immobilien GmbH", "ISAR", "Albert-Roßhaupter-Straße 32", "München", "isartal-immobilien.de", "SMB"),
    _org("Saalewerk Kunststofftechnik GmbH", "SAAL", "Große Ulrichstraße 51", "Halle (Saale)", "saalewerk.de", "SMB"),
    _org("Ostsee Touristik GmbH", "OSTS", "Lange Straße 17", "Rostock", "ostsee-touristik.de", "SMB"),
    _org(
        "Neckar Automotive Components AG", "NECK", "Königstraße 28", "Stuttgart", "neckar-automotive.de", "Enterprise"
    ),
    _org("Lahn Consulting Partner GmbH", "LAHN", "Universitätsstraße 19", "Marburg", "lahn-consulting.de", "SMB"),
    _org(
        "Zweckverband Digitale Verwaltung Mittelfranken",
        "ZDVM",
        "Promenade 27",
        "Ansbach",
        "zdv-mittelfranken.de",
        "Mid-market",
        public_sector=True,
    ),
    _org("Domstadt Versand GmbH", "DOMV", "Hohe Straße 52", "Köln", "domstadt-versand.de", "Mid-market"),
    _org("Harzer Holzwerke GmbH", "HARZ", "Rosentorstraße 20", "Goslar", "harzer-holzwerke.de", "SMB"),
    _org("Thüringer Glas AG", "THGL", "Löbdergraben 11", "Jena", "thueringer-glas.de", "Mid-market"),
    _org("Moselwein Handelsgesellschaft mbH", "MOSE", "Simeonstraße 38", "Trier", "moselwein-handel.de", "SMB"),
    _org(
        "Alpenblick Hotels GmbH",
        "ALPB",
        "Bahnhofstraße 34",
        "Garmisch-Partenkirchen",
        "alpenblick-hotels.de",
        "Mid-market",
    ),
    _org("Vogtland Textil GmbH", "VOGT", "Bahnhofstraße 41", "Plauen", "vogtland-textil.de", "SMB"),
    _org("Donau Datentechnik GmbH", "DONA", "Kärntner Ring 5", "Wien", "donau-datentechnik.at", "Mid-market"),
    _org("Salzach Holzbau GmbH", "SALZ", "Linzer Gasse 41", "Salzburg", "salzach-holzbau.at", "SMB"),
    _org(
        "Tiroler Seilbahntechnik AG", "TIRO", "Maria-Theresien-Straße 18", "Innsbruck", "tst-seilbahn.at", "Enterprise"
    ),
    _org("Limmat Finanzsysteme AG", "LIMM", "Bahnhofstrasse 64", "Zürich", "limmat-finanz.ch", "Enterprise"),
    _org("Aare Medtech AG", "AARE", "Spitalgasse 4", "Bern", "aare-medtech.ch", "Mid-market"),
    _org("Léman Précision SA", "LEMA", "Rue de Bourg 20", "Lausanne", "leman-precision.ch", "SMB"),
    _org("Thamesbridge Analytics Ltd", "THAM", "86 Paul Street", "London", "thamesbridge.co.uk", "Mid-market"),
    _org("Pennine Engineering plc", "PENN", "10 Park Row", "Leeds", "pennine-engineering.co.uk", "Enterprise"),
    _org("Cascade Cloud Services Inc.", "CASC", "1420 Fifth Avenue", "Seattle, WA", "cascadecloud.com", "Enterprise"),
    _org(
        "Great Lakes Manufacturing LLC",
        "GLMF",
        "233 South Wacker Drive",
        "Chicago, IL",
        "greatlakes-mfg.com",
        "Enterprise",
    ),
    _org("Lumière Logistique SAS", "LUMI", "12 Rue de la République", "Lyon", "lumiere-logistique.fr", "Mid-market"),
    _org("Atelier Bordelais SARL", "ATBO", "25 Cours de l'Intendance", "Bordeaux", "atelier-bordelais.fr", "SMB"),
    _org("Van der Berg Logistics B.V.", "VDBL", "Coolsingel 42", "Rotterdam", "vanderberg-logistics.nl", "Mid-market"),
    _org("Zeeland Food Group N.V.", "ZEEL", "Markt 51", "Middelburg", "zeelandfood.nl", "Mid-market"),
]

# Building blocks for the generated organizations of ``--scale``.
# fmt: off
SCALE_NAME_STEMS = [
    "Nord", "Süd", "West", "Ost", "Rhein", "Main", "Elb", "Isar", "Spree", "Alpen", "Hansa", "Donau", "Weser",
    "Ruhr", "Saar", "Neckar", "Mosel", "Lahn", "Eifel", "Harz", "Taunus", "Allgäu", "Havel", "Oder", "Inn",
]
SCALE_NAME_CORES = [
    "tech", "werk", "bau", "data", "med", "soft", "plan", "form", "tec", "log", "print", "star", "line",
]
SCALE_NAME_SECTORS = [
    "Systems", "Solutions", "Industrietechnik", "Consulting", "Logistik", "Maschinenbau", "Software", "Gruppe",
    "Elektronik", "Handel", "Automation", "Services", "Energie", "Immobilien", "Verpackung", "Medizintechnik",
]
SCALE_LEGAL_FORMS = ["GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "SE", "KG"]
SCALE_STREETS = [
    "Hauptstraße", "Bahnhofstraße", "Industriestraße", "Gartenstraße", "Schillerstraße", "Goethestraße",
    "Lindenallee", "Am Markt", "Gewerbepark", "Friedrichstraße", "Kaiserstraße", "Mühlenweg", "Hafenstraße",
    "Robert-Bosch-Straße", "Carl-Benz-Straße", "Siemensstraße", "Dieselstraße", "Im Technologiepark",
]
# fmt: on
SCALE_SEGMENTS = [("SMB", 55), ("Mid-market", 33), ("Enterprise", 12)]

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
COUNTRY_LANGUAGE = {
    GERMANY: "de",
    AUSTRIA: "de",
    SWITZERLAND: "de",
    "United Kingdom": "en",
    "United States": "en",
    "France": "fr",
    "Netherlands": "nl",
}
# Academic titles with their weight; the rest of the people have none.
ACADEMIC_TITLES = {"de": [("Dr.", 12), ("Prof. Dr.", 3), ("Dr.-Ing.", 3)], "en": [("Dr.", 5)]}

# Department → job titles as (male, female) forms; the first department is the decision makers'.
DEPARTMENTS = {
    "de": {
        "Geschäftsführung": [
            ("Geschäftsführer", "Geschäftsführerin"),
            ("Kaufmännischer Leiter", "Kaufmännische Leiterin"),
            ("Assistent der Geschäftsführung", "Assistentin der Geschäftsführung"),
        ],
        "Einkauf": [
            ("Leiter Einkauf", "Leiterin Einkauf"),
            ("Strategischer Einkäufer", "Strategische Einkäuferin"),
            ("Einkäufer", "Einkäuferin"),
        ],
        "IT": [
            ("IT-Leiter", "IT-Leiterin"),
            ("CIO", "CIO"),
            ("IT-Projektleiter", "IT-Projektleiterin"),
            ("Systemadministrator", "Systemadministratorin"),
        ],
        "Vertrieb": [("Vertriebsleiter", "Vertriebsleiterin"), ("Key Account Manager", "Key Account Managerin")],
        "Controlling": [("Leiter Controlling", "Leiterin Controlling"), ("Controller", "Controllerin")],
        "Personal": [("Personalleiter", "Personalleiterin"), ("HR Business Partner", "HR Business Partnerin")],
        "Produktion": [("Produktionsleiter", "Produktionsleiterin"), ("Werksleiter", "Werksleiterin")],
        "Marketing": [
            ("Marketingleiter", "Marketingleiterin"),
            ("Online-Marketing-Manager", "Online-Marketing-Managerin"),
        ],
        "Qualitätsmanagement": [("QM-Beauftragter", "QM-Beauftragte")],
    },
    "en": {
        "Executive Board": [("CEO", "CEO"), ("Managing Director", "Managing Director"), ("COO", "COO")],
        "Procurement": [("Head of Procurement", "Head of Procurement"), ("Procurement Manager", "Procurement Manager")],
        "IT": [("CIO", "CIO"), ("IT Director", "IT Director"), ("Solutions Architect", "Solutions Architect")],
        "Finance": [("CFO", "CFO"), ("Financial Controller", "Financial Controller")],
        "Operations": [("Head of Operations", "Head of Operations"), ("Operations Manager", "Operations Manager")],
        "Sales": [("VP Sales", "VP Sales"), ("Sales Operations Manager", "Sales Operations Manager")],
        "Marketing": [("Head of Marketing", "Head of Marketing")],
        "HR": [("HR Director", "HR Director")],
    },
}
MEMBER_NOTES = {
    "de": [
        "Bevorzugt Kontakt per E-Mail.",
        "Vormittags am besten erreichbar.",
        "Hat früher bei einem Wettbewerber gearbeitet.",
        "Entscheidet gemeinsam mit dem Betriebsrat.",
        "Mag kurze Telefonate, keine langen Präsentationen.",
        "Teilzeit, dienstags und donnerstags nicht im Haus.",
    ],
    "en": [
        "Prefers e-mail over phone calls.",
        "Best reached before 10 am.",
        "Used to work for a competitor.",
        "Wants numbers and references before any meeting.",
        "Travels a lot; ask the assistant for appointments.",
    ],
}

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

# Journal notes: (mood, text). {contact}, {value}, {month}, {competitor}, {city} are filled in.
JOURNAL_NOTES = {
    "de": [
        ("happy", "Telefonat mit {contact}: Interesse bestätigt, Budget wird voraussichtlich im {month} freigegeben."),
        ("happy", "Demo vor Ort in {city} durchgeführt, {contact} und zwei Kollegen aus der IT dabei. Sehr positiv."),
        ("neutral", "Angebot über {value} an {contact} geschickt. Rückmeldung bis Ende nächster Woche zugesagt."),
        ("sad", "{contact} hält den Preis für zu hoch; {competitor} liegt angeblich 15 % darunter."),
        ("neutral", "Zweimal versucht, {contact} zu erreichen, nur Mailbox. Rückrufbitte hinterlassen."),
        ("happy", "Workshop mit der Fachabteilung: Anforderungen aufgenommen, nächster Schritt Lösungsskizze."),
        (
            "neutral",
            "E-Mail von {contact}: Entscheidung verschiebt sich auf {month}, Abstimmung mit dem Einkauf läuft.",
        ),
        ("sad", "Datenschutz hat Bedenken wegen Cloud-Hosting angemeldet. Unterlagen zum Rechenzentrum angefordert."),
        ("neutral", "Referenzkunde genannt, {contact} will dort selbst anrufen."),
        ("happy", "Einkauf hat Rahmenvertrag geprüft, nur kleine Anmerkungen zu Zahlungszielen."),
        ("neutral", "Kurzes Abstimmungsgespräch: Lizenzmodell erklärt, Fragen zur Schnittstelle ins ERP offen."),
        ("sad", "{contact} ist zurückhaltend, die Geschäftsführung sieht aktuell andere Prioritäten."),
    ],
    "en": [
        ("happy", "Call with {contact}: interest confirmed, budget expected to be released in {month}."),
        ("happy", "Ran the demo for {contact} and two people from IT. Very good questions, strong interest."),
        ("neutral", "Sent the offer for {value} to {contact}; feedback promised by the end of next week."),
        ("sad", "{contact} says our price is too high; {competitor} is supposedly 15% cheaper."),
        ("neutral", "Tried to reach {contact} twice, voicemail only. Left a message."),
        ("happy", "Requirements workshop went well; next step is a solution outline."),
        ("neutral", "E-mail from {contact}: decision pushed to {month}, procurement still reviewing."),
        ("sad", "Security team raised concerns about cloud hosting; sending our data centre documentation."),
        ("neutral", "Shared a reference customer; {contact} will call them directly."),
    ],
}
JOURNAL_WON = {
    "de": "Auftrag erhalten! {contact} hat das Angebot über {value} unterschrieben. Übergabe an die Umsetzung.",
    "en": "We won it! {contact} signed the offer for {value}. Handing over to implementation.",
}
JOURNAL_LOST = {"de": "Absage von {contact}: {reason}", "en": "{contact} declined: {reason}"}
# Added to a closing note that keeps an open reminder (follow up later).
JOURNAL_FOLLOW_UP = {
    "de": " In einigen Monaten wieder nachfragen.",
    "en": " Check back in a few months.",
}
# fmt: off
MONTHS = {
    "de": [
        "Januar", "Februar", "März", "April", "Mai", "Juni",
        "Juli", "August", "September", "Oktober", "November", "Dezember",
    ],
    "en": [
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ],
}
# fmt: on

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
