# Dates as English is written in Europe, where the product's teams work: day before month,
# the month as a word so that 03/04 is never ambiguous (Django's "en" is American: 11/27/2026).
DATE_FORMAT = "j M Y"  # 27 Nov 2026
DATETIME_FORMAT = "j M Y, H:i"  # 27 Nov 2026, 14:05
TIME_FORMAT = "H:i"  # as in DATETIME_FORMAT, not Django's "2:05 p.m."
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j M"  # 27 Nov: board cards, tasks, reminders within the year
