from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from crm import permissions
from opportunities import selectors, services
from opportunities.forms import (
    OpportunityCreateForm,
)
from organizations.models import Organization


@require_http_methods(["GET", "POST"])
def opportunity_create(request):
    """The "New opportunity" form; ?organization=<id> preselects the organization (from its page)."""
    permissions.require(permissions.can_add_opportunity(request.user))
    config = selectors.configuration_get(user=request.user)
    form_kwargs = {
        "config": config,
        "user": request.user,
        "can_reassign": permissions.can_reassign(request.user),
    }
    if request.method == "POST" and request.POST.get("search"):
        # "Search" without JavaScript: show the matches, keep what was typed, validate nothing yet.
        form = OpportunityCreateForm(initial=request.POST.dict(), **form_kwargs)
    elif request.method == "POST":
        form = OpportunityCreateForm(request.POST, **form_kwargs)
    else:
        initial = {"phase": next((p.pk for p in config.active_phases if p.kind == "open"), None)}
        organization_id = request.GET.get("organization", "")
        if organization_id.isdigit():
            initial["organization"] = organization_id
        form = OpportunityCreateForm(initial=initial, **form_kwargs)
    if form.is_bound and form.is_valid():
        try:
            opportunity = services.opportunity_create(user=request.user, **form.service_kwargs())
        except ValidationError as error:
            for key, messages_ in error.message_dict.items():
                name = key if key in form.fields else f"cf_{key}" if f"cf_{key}" in form.fields else None
                for message in messages_:
                    form.add_error(name, message)
        else:
            messages.success(request, _("%(name)s created.") % {"name": opportunity.short_name})
            return redirect(opportunity)
    search = _search_term(request)
    context = {
        "form": form,
        "organization": _chosen_organization(form),
        "organization_search": search,
        "organization_matches": list(selectors.organization_suggestions(term=search)) if search else [],
    }
    if request.htmx and request.GET.get("organization_search") is not None:
        return render(request, "opportunities/opportunity_form.html#organization-picker", context)
    return render(request, "opportunities/opportunity_form.html", context, status=422 if form.errors else 200)


def _search_term(request) -> str:
    return (
        (request.GET.get("organization_search") or request.POST.get("organization_search") or "")
        .replace("\x00", "")
        .strip()[:100]
    )


def _chosen_organization(form):
    """The organization the form holds (typed id checked against the database), or None."""
    value = form["organization"].value()
    if form.is_bound and "organization" in form.errors:
        return None
    if value in (None, ""):
        return None
    if hasattr(value, "pk"):
        return value
    return (
        Organization.objects.only("id", "name", "code", "city").filter(pk=value).first()
        if str(value).isdigit()
        else None
    )


# Detail page --------------------------------------------------------------
