"""Form widgets that render the same markup as Django's, faster where a page has many of them."""

import html

from django import forms
from django.utils.functional import Promise
from django.utils.safestring import SafeData, mark_safe


def _text(value) -> str:
    """``{{ value }}`` for a string, and ``{{ value|stringformat:'s' }}``: escaped unless already safe."""
    return str(value) if isinstance(value, SafeData) else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Django's Select with its options written here instead of through a template include each.

    The markup is that of django/forms/widgets/select.html, select_option.html and
    attrs.html (tests/crm/test_widgets.py compares them). An include per option adds
    up: the people selects of the detail page list every colleague, twice (bench/README.md).
    """

    def render(self, name, value, attrs=None, renderer=None):
        context = self.get_context(name, value, attrs)["widget"]
        groups = context["optgroups"]
        if not isinstance(context["name"], str) or any(
            not isinstance(option["label"], str | Promise) for _group, options, _index in groups for option in options
        ):
            return super().render(name, value, attrs, renderer)  # labels the template would localize
        parts = [f'<select name="{_text(context["name"])}"{_attrs(context["attrs"])}>']
        for group_name, options, _index in groups:
            if group_name:
                parts.append(f'\n  <optgroup label="{_text(group_name)}">')
            parts.extend(
                f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                f"{_text(option['label'])}</option>\n"
                for option in options
            )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value is escaped as the templates do)
