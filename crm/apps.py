from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = _("Accounts and roles")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from crm.middleware import session_activity_start

        user_logged_in.connect(_remember_language, dispatch_uid="crm.remember_language")
        user_logged_in.connect(session_activity_start, dispatch_uid="crm.session_activity_start")


def _remember_language(sender, request, user, **kwargs):
    """The language a person logs in with (browser or menu) is the one their e-mails are written in."""
    from crm import services

    language = getattr(request, "LANGUAGE_CODE", None)
    if language:
        services.user_language_remember(user=user, language=language)
