"""Journal notes for ``manage.py seed_demo`` (fictional conversations).

Plain data only; journal/demo.py combines it.
"""

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
