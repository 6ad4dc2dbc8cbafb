from django.http import QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from crm import permissions
from opportunities import selectors


@require_GET
def organization_autocomplete(request):
    """Suggestions for the organization filter: links that apply the filter to the current view."""
    permissions.require(permissions.can_view(request.user))
    term = request.GET.get("organization_search", "").strip()[:100]
    query = QueryDict(request.GET.get("query", ""), mutable=True)
    query.pop("page", None)
    suggestions = []
    if term:
        for organization in selectors.organization_suggestions(term=term):
            query["organization"] = str(organization.pk)
            suggestions.append((organization, "?" + query.urlencode()))
    on_board = request.GET.get("view") == "board"
    return render(
        request,
        "opportunities/includes/organization_suggestions.html",
        {
            "suggestions": suggestions,
            "term": term,
            "base_url": reverse("opportunities:opportunity-board" if on_board else "opportunities:opportunity-list"),
            "target": "#board" if on_board else "#opportunity-table",
        },
    )


# New opportunity -----------------------------------------------------------
