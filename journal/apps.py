from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"

    def ready(self):
        from crm import trash

        # An opportunity's journal stays with it in the trash (hidden with it) and goes with
        # it when it is purged (on_delete=CASCADE); the trash page counts the entries.
        trash.register_part(
            trash.Part(
                owner="opportunities.Opportunity",
                model="journal.JournalEntry",
                field="opportunity",
                key="journal_entries",
            )
        )
