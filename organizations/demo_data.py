"""Cities, companies and departments for ``manage.py seed_demo`` (fictional companies and people).

Plain data only; organizations/demo.py combines it. German companies carry German texts, the others English
ones, as a mixed DACH/international sales team would write them.
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

COUNTRY_LANGUAGE = {
    GERMANY: "de",
    AUSTRIA: "de",
    SWITZERLAND: "de",
    "United Kingdom": "en",
    "United States": "en",
    "France": "fr",
    "Netherlands": "nl",
}
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
