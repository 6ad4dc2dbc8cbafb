from django.apps import AppConfig


class OpportunitiesConfig(AppConfig):
    name = "opportunities"

    def ready(self):
        # The apps below this one (crm, organizations) act on opportunities through
        # these declarations, without importing this app (dependencies point one way).
        from crm import trash
        from opportunities import personal_data, services
        from organizations import personal_data as member_data

        trash.register_part(
            trash.Part(
                owner="organizations.Organization",
                model="opportunities.Opportunity",
                field="organization",
                key="opportunities",
                mark=services.trash_mark,
            )
        )
        member_data.register(
            member_data.MemberData(
                key="opportunities",
                rows=personal_data.member_opportunities,
                history=personal_data.member_contact_history,
            )
        )
