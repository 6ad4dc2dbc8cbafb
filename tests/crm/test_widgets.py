import pytest
from django import forms
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from crm.widgets import Select

CHOICES = [
    ("", "Nobody"),
    (1, "Anna <Admin> & \"Bob\" 'C'"),
    (2, gettext_lazy("Me")),
    (3, mark_safe("<b>safe</b>")),
    ("x&y", "value with an ampersand"),
    ("Group <g>", [(4, "in a group"), (5, "also")]),
]


@pytest.mark.parametrize("value", [None, "", 1, "2", [3], "x&y", 4, "missing"])
@pytest.mark.parametrize(
    "attrs",
    [
        None,
        {"id": "task-assignee"},
        {"id": 'a"b', "required": True, "disabled": False, "data-x": "<&>", "autofocus": True},
    ],
)
def test_select_renders_exactly_as_djangos_templates(value, attrs):
    ours = Select(choices=CHOICES, attrs=attrs).render("assignee", value)
    django = forms.Select(choices=CHOICES, attrs=attrs).render("assignee", value)
    assert ours == django


def test_select_in_a_bound_form_renders_exactly_as_djangos():
    class Form(forms.Form):
        ours = forms.TypedChoiceField(choices=CHOICES, coerce=str, required=False, widget=Select)
        django = forms.TypedChoiceField(choices=CHOICES, coerce=str, required=False)

    form = Form({"ours": "<script>", "django": "<script>"})
    assert not form.is_valid()
    ours, django = str(form["ours"]), str(form["django"])
    assert ours.replace("ours", "NAME") == django.replace("django", "NAME")
    assert "aria-invalid" in ours


class FieldForm(forms.Form):
    name = forms.CharField(label="Name <&>", help_text="Plain <b>help</b>")
    note = forms.CharField(required=False, widget=forms.Textarea)
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    agree = forms.BooleanField(label='Agree "yes"', required=False)


@pytest.mark.parametrize("data", [None, {}, {"name": "<x>", "when": "not a date", "agree": "on"}])
@pytest.mark.parametrize("css_class", ["", "span-all <x>"])
def test_form_field_renders_exactly_as_the_include(data, css_class):
    from django.template.loader import render_to_string

    from crm.templatetags.components import form_field

    form = FieldForm(data)
    for field in form:
        include = render_to_string("components/field.html", {"field": field, "class": css_class})
        assert form_field(field, css_class) == include, field.name
