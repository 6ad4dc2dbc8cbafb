from django.apps import AppConfig


class JournalConfig(AppConfig):
    name = "journal"

    def ready(self):
        from django.utils.autoreload import file_changed

        file_changed.connect(_forget_blank_forms, dispatch_uid="journal.forget_blank_forms")


def _forget_blank_forms(sender, file_path, **kwargs):
    """runserver: an edited template shows at once, as Django's own template cache does."""
    from journal.views import _BLANK_FORMS

    _BLANK_FORMS.clear()
    # None: this receiver does not decide whether the server reloads.
