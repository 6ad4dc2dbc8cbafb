import datetime
import uuid

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from crm.widgets import Select
from journal.models import MAX_MAIL_BYTES, MAX_TEXT_LENGTH, Mood, text_length_error
from opportunities.models import Opportunity
from organizations.models import Organization

# Reminders further out than this are typos (a year 2205), not plans.
MAX_REMINDER_YEARS = 5


class JournalEntryForm(forms.Form):
    """Mood, text and an optional reminder. A past reminder date is allowed once confirmed.

    ``users`` are the people who can be reminded (the configuration's active users);
    ``original_date`` is the reminder date an edited entry already has (not asked again).
    """

    mood = forms.ChoiceField(label=_("Mood"), choices=Mood.choices, initial=Mood.NEUTRAL, widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what happened: the note cannot be empty.")},
    )
    reminder_date = forms.DateField(
        label=_("Remind on"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    # Every colleague is a choice: crm.widgets.Select renders them without an include each.
    reminder_assignee = forms.TypedChoiceField(
        label=_("Remind"), coerce=int, required=False, empty_value=None, widget=Select
    )
    confirm_past = forms.BooleanField(label=_("Yes, keep this date in the past"), required=False)
    # A new token in every rendered "Post" form: posting the same form twice saves one entry.
    # Not required: a form rendered before the token existed still posts (without that guarantee).
    post_token = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, users, author, original_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["post_token"].initial = uuid.uuid4()
        self.users = {user.pk: user for user in users}
        self.users.setdefault(author.pk, author)
        self.original_date = original_date
        # Set by clean(): the date is in the past, so the form shows "keep this date in the past".
        self.asks_past_confirmation = False
        self.fields["reminder_assignee"].choices = [
            (user.pk, _("Me (%(name)s)") % {"name": user.name} if user.pk == author.pk else user.name)
            for user in sorted(self.users.values(), key=lambda u: (u.pk != author.pk, u.name.lower()))
        ]
        self.fields["reminder_assignee"].initial = author.pk
        # Filled in per form, in the active language (a class attribute is translated once, at import).
        self.fields["text"].help_text = _("Plain text; links become clickable. Up to %(limit)s characters.") % {
            "limit": formats.number_format(MAX_TEXT_LENGTH, force_grouping=True)
        }
        # The limit is checked on the server with a clear message; a browser's maxlength
        # would cut a pasted text silently instead.
        self.fields["text"].widget.attrs.pop("maxlength", None)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if message := text_length_error(text):
            raise forms.ValidationError(message)
        return text

    def clean_reminder_assignee(self):
        pk = self.cleaned_data.get("reminder_assignee")
        if pk is None:
            return None
        if pk not in self.users:
            raise forms.ValidationError(_("Choose one of the listed people."))
        return self.users[pk]

    def clean(self):
        cleaned = super().clean()
        date = cleaned.get("reminder_date")
        if date is None:
            cleaned["reminder_assignee"] = None
            return cleaned
        today = timezone.localdate()
        if date > today + datetime.timedelta(days=365 * MAX_REMINDER_YEARS):
            self.add_error(
                "reminder_date",
                _("Choose a date within the next %(years)d years.") % {"years": MAX_REMINDER_YEARS},
            )
        elif date < today and date != self.original_date:
            self.asks_past_confirmation = True
            if cleaned.get("confirm_past"):
                return cleaned
            # Asked, not refused: the form comes back with the input and a box to confirm.
            self.add_error(
                "confirm_past",
                _("%(date)s is in the past. Keep it? The follow-up will show as overdue.")
                % {"date": formats.date_format(date, "DATE_FORMAT")},
            )
        return cleaned

    def service_kwargs(self) -> dict:
        """What journal_entry_update takes (journal_entry_post takes ``post_token`` too)."""
        data = self.cleaned_data
        return {key: data[key] for key in ["mood", "text", "reminder_date", "reminder_assignee"]}


def snooze_presets(today: datetime.date) -> dict[str, datetime.date]:
    """The dates of the snooze choices: tomorrow, and next week (Monday of the coming week)."""
    return {
        "tomorrow": today + datetime.timedelta(days=1),
        "next_week": today + datetime.timedelta(days=7 - today.weekday()),
    }


class SnoozeForm(forms.Form):
    """Snooze to tomorrow, next week or a picked date; ``undo`` puts back the date a snooze replaced."""

    preset = forms.ChoiceField(
        choices=[("tomorrow", _("Tomorrow")), ("next_week", _("Next week")), ("date", _("Pick a date"))],
        required=False,
    )
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    undo = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        preset = cleaned.get("preset") or "date"
        if preset in ("tomorrow", "next_week"):
            cleaned["until"] = snooze_presets(timezone.localdate())[preset]
        elif cleaned.get("until") is None and "until" not in self.errors:
            self.add_error("until", _("Pick a date."))
        return cleaned


# E-mail ----------------------------------------------------------------------------------------


class EmailAssignForm(forms.Form):
    """Where an unassigned e-mail belongs: an opportunity by its short name (suggestions are buttons)."""

    opportunity = forms.CharField(label=_("Opportunity"), max_length=20)

    def clean_opportunity(self):
        short_name = self.cleaned_data["opportunity"].strip().upper()
        opportunity = Opportunity.objects.filter(short_name=short_name).first()
        if opportunity is None:
            raise forms.ValidationError(_("There is no opportunity %(short_name)s."), params={"short_name": short_name})
        return opportunity


class EmailMemberForm(forms.Form):
    organization = forms.IntegerField(widget=forms.HiddenInput)

    def clean_organization(self):
        organization = Organization.objects.filter(pk=self.cleaned_data["organization"]).first()
        if organization is None:
            raise forms.ValidationError(_("That organization no longer exists."))
        return organization


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as Django's documentation shows it."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".eml,message/rfc822"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class EmailUploadForm(forms.Form):
    files = MultipleFileField(label=_("E-mail files (.eml)"))

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > 20:
            raise forms.ValidationError(_("At most 20 files at a time."))
        for file in files:
            if file.size > MAX_MAIL_BYTES:
                raise forms.ValidationError(
                    _("%(name)s is larger than %(limit)d MB."),
                    params={"name": file.name, "limit": MAX_MAIL_BYTES >> 20},
                )
        return files


class MailSettingsForm(forms.Form):
    log_my_mail = forms.BooleanField(
        label=_("Log my e-mail"),
        required=False,
        help_text=_("Mail I send or receive with contact persons goes into the journal of their opportunity."),
    )


class BlockedAddressForm(forms.Form):
    pattern = forms.CharField(
        label=_("Address or @domain"),
        max_length=254,
        help_text=_(
            "Mail from or to it never goes into the journal under my name, e.g. private@example.com or @example.com."
        ),
    )

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"].strip().lower()
        address = pattern[1:] if pattern.startswith("@") else pattern
        domain = address.rsplit("@", 1)[-1]
        if " " in pattern or "." not in domain or (not pattern.startswith("@") and "@" not in pattern):
            raise forms.ValidationError(_("Enter an address (name@example.com) or a domain (@example.com)."))
        return pattern
