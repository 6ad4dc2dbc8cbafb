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


HX_PAYLOAD = """<div hx-post="/opportunities/bulk/" hx-trigger="load" hx-swap="none"></div>"""


def test_form_field_writes_help_text_as_plain_text_with_its_line_breaks():
    """Help texts are typed by admins: shown as text, never as markup (htmx attributes act without any script)."""
    from django.template import Context, Template

    class HelpForm(forms.Form):
        name = forms.CharField(label="Name <&>", help_text=HX_PAYLOAD + "\nSecond line")

    html = Template("{% load components %}{% form_field form.name 'span-all' %}").render(Context({"form": HelpForm()}))
    assert "<div hx-post" not in html
    assert "&lt;div hx-post=&quot;/opportunities/bulk/&quot;" in html
    assert "<br>Second line" in html
    assert "Name &lt;&amp;&gt;" in html
    assert 'class="field is-required span-all"' in html


def test_django_own_markup_help_texts_stay_markup():
    """Password rules arrive from Django as safe markup (a list) and are shown as such."""
    from django.contrib.auth.forms import SetPasswordForm
    from django.template import Context, Template

    from crm.models import User

    form = SetPasswordForm(User(username="someone"))
    html = Template("{% load components %}{% form_field form.new_password1 %}").render(Context({"form": form}))
    assert "<ul><li>" in html
