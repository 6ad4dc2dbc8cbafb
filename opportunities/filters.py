"""The one FilterSet behind the opportunity table, the board and the CSV export.

Choices come from the page's Configuration (one query for all of them), and
values are validated against them: an unknown phase id, a malformed number or
date makes the form invalid and the view says so, instead of silently ignoring
the filter (django-filter drops invalid fields from cleaned_data otherwise).
"""

import datetime
import re

import django_filters
from django.contrib.postgres.search import SearchQuery
from django.db.models import DateField, DecimalField, Exists, OuterRef, Q
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from opportunities.models import FieldType, Opportunity
from opportunities.selectors import stale_condition
from organizations.models import Organization

STATE_CHOICES = [("open", _("Open")), ("won", _("Won")), ("lost", _("Lost"))]
REMINDER_CHOICES = [
    ("overdue", _("Overdue")),
    ("today", _("Due today or overdue")),
    ("scheduled", _("Any follow-up set")),
    ("none", _("No follow-up set")),
]
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def search_query(term: str) -> SearchQuery | None:
    """Prefix-match every word: "bion proj" finds "Bionic … Projekt"."""
    words = re.findall(r"\w+", term.lower())[:8]
    if not words:
        return None
    return SearchQuery(" & ".join(f"{word}:*" for word in words), search_type="raw", config="simple")


class OpportunityFilter(django_filters.FilterSet):
    # The choice filters compare a column of the opportunity itself, so they
    # cannot repeat a row: without distinct=False django-filter adds a DISTINCT
    # over every column (description, search document, custom values), which
    # made the filtered page's count and rows a sort of all matches.
    q = django_filters.CharFilter(label=_("Search"), method="filter_search", max_length=200)
    phase = django_filters.MultipleChoiceFilter(label=_("Phase"), field_name="phase_id", distinct=False)
    status = django_filters.MultipleChoiceFilter(label=_("Status"), field_name="status_id", distinct=False)
    owner = django_filters.MultipleChoiceFilter(label=_("Owner"), method="filter_owner")
    organization = django_filters.ModelChoiceFilter(
        label=_("Organization"), queryset=Organization.objects.only("id", "name", "code")
    )
    category = django_filters.MultipleChoiceFilter(label=_("Category"), field_name="category_id", distinct=False)
    source = django_filters.MultipleChoiceFilter(label=_("Source"), field_name="source_id", distinct=False)
    tag = django_filters.MultipleChoiceFilter(label=_("Tags"), method="filter_tags")
    state = django_filters.ChoiceFilter(label=_("Open / won / lost"), choices=STATE_CHOICES, method="filter_state")
    reminder = django_filters.ChoiceFilter(label=_("Follow-up"), choices=REMINDER_CHOICES, method="filter_reminder")
    stale = django_filters.ChoiceFilter(label=_("Going stale"), choices=YES_NO, method="filter_stale")
    value = django_filters.RangeFilter(label=_("Value (EUR)"), field_name="value")
    close = django_filters.DateFromToRangeFilter(
        label=_("Expected close"),
        field_name="expected_close_date",
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )
    close_within = django_filters.NumberFilter(
        label=_("Closing within (days)"), method="filter_close_within", min_value=0, max_value=3650
    )

    class Meta:
        model = Opportunity
        fields = []

    def __init__(self, data=None, *args, config, user, **kwargs):
        self.config = config
        self.user = user
        super().__init__(data, *args, **kwargs)
        self.filters["phase"].extra["choices"] = [(str(p.pk), p.name) for p in config.phases]
        self.filters["status"].extra["choices"] = [(str(s.pk), s.name) for s in config.statuses]
        self.filters["category"].extra["choices"] = [(str(c.pk), c.name) for c in config.categories]
        self.filters["source"].extra["choices"] = [(str(s.pk), s.name) for s in config.sources]
        self.filters["tag"].extra["choices"] = [(str(t.pk), t.name) for t in config.tags]
        self.filters["owner"].extra["choices"] = [("me", _("Me"))] + [(str(u.pk), u.name) for u in config.users]
        for custom_field in config.custom_fields:
            self._add_custom_field_filter(custom_field)

    def _add_custom_field_filter(self, custom_field):
        name = f"cf_{custom_field.key}"
        label = custom_field.label
        key = custom_field.key
        match custom_field.field_type:
            case FieldType.CHOICE | FieldType.MULTI_CHOICE:
                self.filters[name] = django_filters.MultipleChoiceFilter(
                    label=label,
                    choices=[(c, c) for c in custom_field.choices],
                    method=self._custom_choice_method(key, custom_field.field_type == FieldType.MULTI_CHOICE),
                )
            case FieldType.BOOLEAN:
                self.filters[name] = django_filters.ChoiceFilter(
                    label=label, choices=YES_NO, method=self._custom_boolean_method(key)
                )
            case FieldType.INTEGER | FieldType.DECIMAL:
                self.filters[name] = django_filters.RangeFilter(
                    label=label, method=self._custom_range_method(key, DecimalField(max_digits=30, decimal_places=10))
                )
            case FieldType.DATE:
                self.filters[name] = django_filters.DateFromToRangeFilter(
                    label=label,
                    method=self._custom_range_method(key, DateField()),
                    widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
                )
        if name in self.filters:
            self.filters[name].model = Opportunity
            self.filters[name].parent = self

    @staticmethod
    def _custom_choice_method(key, multi):
        def method(queryset, name, value):
            if not value:
                return queryset
            if multi:
                condition = Q()
                for choice in value:
                    condition |= Q(custom_values__contains={key: [choice]})
                return queryset.filter(condition)
            return queryset.filter(**{f"custom_values__{key}__in": value})

        return method

    @staticmethod
    def _custom_boolean_method(key):
        def method(queryset, name, value):
            if value == "yes":
                return queryset.filter(custom_values__contains={key: True})
            if value == "no":
                return queryset.exclude(custom_values__contains={key: True})
            return queryset

        return method

    @staticmethod
    def _custom_range_method(key, output_field):
        def method(queryset, name, value):
            if not value:
                return queryset
            expression = Cast(KT(f"custom_values__{key}"), output_field)
            queryset = queryset.alias(**{f"_{name}": expression})
            if value.start is not None:
                queryset = queryset.filter(**{f"_{name}__gte": value.start})
            if value.stop is not None:
                queryset = queryset.filter(**{f"_{name}__lte": value.stop})
            return queryset

        return method

    def filter_search(self, queryset, name, value):
        query = search_query(value)
        if query is None:
            return queryset
        return queryset.filter(search_document=query)

    def filter_owner(self, queryset, name, value):
        ids = [self.user.pk if item == "me" else int(item) for item in value]
        return queryset.filter(owner_id__in=ids) if ids else queryset

    def filter_tags(self, queryset, name, value):
        # EXISTS instead of a join: no duplicate rows, no DISTINCT.
        through = Opportunity.tags.through
        return queryset.filter(Exists(through.objects.filter(opportunity_id=OuterRef("pk"), tag_id__in=value)))

    def filter_state(self, queryset, name, value):
        return queryset.filter(phase_id__in=self.config.phase_ids(value)) if value else queryset

    def filter_reminder(self, queryset, name, value):
        today = timezone.localdate()
        match value:
            case "overdue":
                return queryset.filter(next_reminder_date__lt=today)
            case "today":
                return queryset.filter(next_reminder_date__lte=today)
            case "scheduled":
                return queryset.filter(next_reminder_date__isnull=False)
            case "none":
                return queryset.filter(next_reminder_date__isnull=True)
        return queryset

    def filter_stale(self, queryset, name, value):
        """Open, no journal entry for CRM_STALE_AFTER_DAYS and no follow-up ahead (journal.selectors)."""
        if value not in ("yes", "no"):
            return queryset
        condition = stale_condition(open_phase_ids=self.config.phase_ids("open"))
        return queryset.filter(condition) if value == "yes" else queryset.exclude(condition)

    def filter_close_within(self, queryset, name, value):
        if value is None:
            return queryset
        today = timezone.localdate()
        return queryset.filter(
            expected_close_date__gte=today, expected_close_date__lte=today + datetime.timedelta(days=int(value))
        )

    @property
    def active_count(self) -> int:
        """How many filters the user has set (for the "Filters (3)" button)."""
        if not self.is_bound or not hasattr(self.form, "cleaned_data"):
            return 0
        return sum(1 for value in self.form.cleaned_data.values() if value not in (None, "", [], ()) and value)
