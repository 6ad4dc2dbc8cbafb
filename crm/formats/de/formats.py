# Django's German formats (27. November 2026, 27.11.2026), with a short day and month for
# board cards, tasks and reminders: 27. Nov (Django's is the long "27. November").
MONTH_DAY_FORMAT = "j. M"
