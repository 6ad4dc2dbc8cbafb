from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"

    def ready(self):
        # The apps below this one act on documents through these declarations, without
        # importing this app (dependencies point one way).
        from crm import trash
        from documents import personal_data
        from organizations import personal_data as member_data

        # An opportunity's documents stay with it in the trash; they PROTECT it from an
        # accidental delete, so the purge, which means it, deletes them first.
        trash.register_part(
            trash.Part(
                owner="opportunities.Opportunity",
                model="documents.Document",
                field="opportunity",
                key="documents",
                purge_first=True,
            )
        )
        member_data.register(member_data.MemberData(key="documents", rows=personal_data.member_documents))
