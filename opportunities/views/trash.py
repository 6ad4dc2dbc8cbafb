from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm import permissions, trash
from crm.navigation import safe_next
from opportunities import selectors, services
from opportunities.models import Opportunity
from opportunities.views.table import _back_to_list

TRASH_PER_PAGE = 50


@require_http_methods(["GET", "POST"])
def opportunity_delete(request, short_name):
    """Ask, then move the opportunity to the trash (managers); it can be restored for 30 days."""
    permissions.require(permissions.can_delete_opportunity(request.user))
    opportunity = get_object_or_404(Opportunity.objects.select_related("organization"), short_name=short_name)
    if request.method == "POST":
        services.opportunity_trash(opportunity=opportunity, user=request.user)
        restore_url = reverse("opportunities:opportunity-restore", args=[opportunity.pk])
        messages.success(
            request,
            _("%(opportunity)s moved to the trash.") % {"opportunity": opportunity},
            extra_tags=trash.undo_tag(restore_url),
        )
        return _back_to_list(request)
    context = {
        "opportunity": opportunity,
        "summary": selectors.opportunity_trash_summary(opportunity=opportunity),
        "purge_date": trash.purge_after(timezone.now()),
        "next": request.GET.get("next", ""),
    }
    return render(request, "opportunities/opportunity_confirm_delete.html", context)


@require_GET
def trash_list(request):
    """What managers deleted in the last 30 days, to restore."""
    permissions.require(permissions.can_delete_opportunity(request.user))
    paginator = Paginator(selectors.trashed_opportunity_list(), TRASH_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    for opportunity in page:
        opportunity.purge_date = trash.purge_after(opportunity.deleted_at)
        opportunity.restore_url = reverse("opportunities:opportunity-restore", args=[opportunity.pk])
    organizations = list(selectors.trashed_organization_list())
    for organization in organizations:
        organization.purge_date = trash.purge_after(organization.deleted_at)
        organization.restore_url = reverse("organizations:organization-restore", args=[organization.pk])
    context = {
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "organizations": organizations,
        "retention_days": trash.RETENTION_DAYS,
        "can_delete_organization": permissions.can_delete_organization(request.user),
    }
    return render(request, "opportunities/trash.html", context)


@require_POST
def opportunity_restore(request, pk):
    permissions.require(permissions.can_delete_opportunity(request.user))
    opportunity = get_object_or_404(Opportunity.all_objects.filter(deleted_at__isnull=False), pk=pk)
    try:
        opportunity = services.opportunity_restore(opportunity_id=opportunity.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("opportunities:trash")
    messages.success(request, _("%(opportunity)s is back.") % {"opportunity": opportunity})
    return redirect(safe_next(request, opportunity.get_absolute_url()))
