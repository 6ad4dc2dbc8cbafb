from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from crm import trash
from crm.navigation import safe_next
from crm.permissions import (
    can_add_opportunity,
    can_add_organization,
    can_change_members,
    can_change_organization,
    can_delete_members,
    can_delete_organization,
    can_manage_personal_data,
    can_view,
    require,
)
from organizations import selectors, services
from organizations.forms import MemberForm, OrganizationForm
from organizations.models import Member, Organization

PER_PAGE_CHOICES = [25, 50, 100]
# An invalid form is re-rendered with this status; base.html tells htmx to swap it.
INVALID = 422


def _partial(request, template: str, partial: str) -> str:
    """The template for a full page, or just its fragment for an htmx request."""
    if request.htmx and not request.htmx.boosted and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


def _text_param(request, name: str) -> str:
    """A search term from the query string: trimmed, capped, without NUL (PostgreSQL refuses it)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:200]


def _int_param(value, *, choices: list[int], default: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if number in choices else default


@require_GET
@vary_on_headers("HX-Request")
def organization_list(request):
    require(can_view(request.user))
    q = _text_param(request, "q")
    sort = request.GET.get("sort", "")
    if sort not in selectors.ORGANIZATION_SORTS:
        sort = selectors.DEFAULT_ORGANIZATION_SORT
    per_page = _int_param(request.GET.get("per_page"), choices=PER_PAGE_CHOICES, default=PER_PAGE_CHOICES[0])
    paginator = Paginator(selectors.organization_list(q=q, sort=sort), per_page)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "page_range": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "q": q,
        "sort": sort,
        "per_page": per_page,
        "per_page_choices": PER_PAGE_CHOICES,
        "can_add_organization": can_add_organization(request.user),
    }
    return render(request, _partial(request, "organizations/organization_list.html", "organization-table"), context)


@require_GET
def organization_detail(request, pk):
    require(can_view(request.user))
    organization = selectors.organization_get(pk=pk)
    members = list(selectors.member_list(organization=organization))
    opportunities = list(selectors.organization_opportunity_list(organization=organization))
    open_opportunities = [o for o in opportunities if o.is_open]
    pipeline: dict[str, Decimal] = {}
    for opportunity in open_opportunities:
        pipeline[opportunity.currency] = pipeline.get(opportunity.currency, Decimal(0)) + opportunity.value
    context = {
        "organization": organization,
        "members": members,
        "opportunities": opportunities,
        "member_count": len(members),
        "open_count": len(open_opportunities),
        "pipeline": sorted(pipeline.items()),
        "can_change_organization": can_change_organization(request.user),
        "can_change_members": can_change_members(request.user),
        "can_delete_members": can_delete_members(request.user),
        "can_manage_personal_data": can_manage_personal_data(request.user),
        "can_delete_organization": can_delete_organization(request.user),
        "new_opportunity_url": (
            f"{reverse('opportunities:opportunity-create')}?organization={organization.pk}"
            if can_add_opportunity(request.user)
            else ""
        ),
    }
    return render(request, "organizations/organization_detail.html", context)


@require_http_methods(["GET", "POST"])
def organization_create(request):
    require(can_add_organization(request.user))
    form = OrganizationForm(request.POST) if request.method == "POST" else OrganizationForm()
    if form.is_bound and form.is_valid():
        try:
            organization = services.organization_create(data=form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:
            # Someone took the same code between our check and the insert.
            form.add_error("code", _("This code was just taken by another organization. Choose another one."))
        else:
            messages.success(request, _("Organization “%(name)s” created.") % {"name": organization.name})
            return redirect(organization)
    context = {"form": form, "suggestion": _code_suggestion(form)}
    return render(request, "organizations/organization_form.html", context, status=INVALID if form.errors else 200)


@require_http_methods(["GET", "POST"])
def organization_update(request, pk):
    require(can_change_organization(request.user))
    organization = selectors.organization_get(pk=pk)
    if request.method == "POST":
        form = OrganizationForm(request.POST, instance=organization)
    else:
        form = OrganizationForm(instance=organization)
    if form.is_bound and form.is_valid():
        try:
            # The form wrote its cleaned data onto the instance; the service re-applies it with its rules.
            organization = services.organization_update(
                organization=organization, data=form.cleaned_data, user=request.user
            )
        except ValidationError as error:
            form.add_error(None, error)
        except IntegrityError:
            form.add_error("code", _("This code was just taken by another organization. Choose another one."))
        else:
            messages.success(request, _("Changes to “%(name)s” saved.") % {"name": organization.name})
            return redirect(organization)
    if form.is_bound:
        # Validation wrote the typed values onto the instance; the heading shows the stored ones.
        organization.refresh_from_db()
    context = {"form": form, "organization": organization}
    return render(request, "organizations/organization_form.html", context, status=INVALID if form.errors else 200)


@require_GET
def organization_code_suggestion(request):
    """The short code the service would choose for the name typed so far (help text on the create form)."""
    require(can_add_organization(request.user))
    name = _text_param(request, "name")
    suggestion = services.organization_code_suggest(name=name) if name else ""
    return render(
        request,
        "organizations/organization_form.html#code-help",
        {"suggestion": suggestion, "form": OrganizationForm()},
    )


def _code_suggestion(form: OrganizationForm) -> str:
    """Show the would-be code again when a create form comes back with errors."""
    name = (form.data.get("name") or "").strip()
    if not form.is_bound or not name or (form.data.get("code") or "").strip():
        return ""
    return services.organization_code_suggest(name=name[:200])


def _member_context(request, organization, **extra) -> dict:
    return {
        "organization": organization,
        "can_change_members": can_change_members(request.user),
        "can_delete_members": can_delete_members(request.user),
        "can_manage_personal_data": can_manage_personal_data(request.user),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def member_create(request, pk):
    require(can_change_members(request.user))
    organization = selectors.organization_get(pk=pk)
    instance = Member(organization=organization)
    form = MemberForm(request.POST, instance=instance) if request.method == "POST" else MemberForm(instance=instance)
    if form.is_bound and form.is_valid():
        try:
            member = services.member_create(organization=organization, data=form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                # The form closes; the new row and the new count arrive out of band.
                context = _member_context(
                    request, organization, member=member, member_count=organization.members.count(), is_new=True
                )
                response = render(request, "organizations/member_form.html#member-created", context)
                return trigger_client_event(response, "membersChanged", {"organization": organization.pk})
            messages.success(request, _("%(name)s added.") % {"name": member.full_name})
            return redirect(f"{organization.get_absolute_url()}#member-{member.pk}")
    context = _member_context(request, organization, form=form, member=None)
    return render(
        request,
        _partial(request, "organizations/member_form.html", "member-form"),
        context,
        status=INVALID if form.errors else 200,
    )


@require_GET
def member_detail(request, pk, member_pk):
    """A member's row (htmx: e.g. "Cancel" on the inline edit form); otherwise their organization's page."""
    require(can_view(request.user))
    member = selectors.member_get(organization_pk=pk, pk=member_pk)
    if not request.htmx:
        return redirect(f"{member.organization.get_absolute_url()}#member-{member.pk}")
    context = _member_context(request, member.organization, member=member)
    return render(request, "organizations/organization_detail.html#member-row", context)


@require_http_methods(["GET", "POST"])
def member_update(request, pk, member_pk):
    require(can_change_members(request.user))
    member = selectors.member_get(organization_pk=pk, pk=member_pk)
    organization = member.organization
    form = MemberForm(request.POST, instance=member) if request.method == "POST" else MemberForm(instance=member)
    if form.is_bound and form.is_valid():
        try:
            member = services.member_update(member=member, data=form.cleaned_data, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if request.htmx:
                context = _member_context(request, organization, member=member, is_new=True)
                response = render(request, "organizations/organization_detail.html#member-row", context)
                return trigger_client_event(response, "membersChanged", {"organization": organization.pk})
            messages.success(request, _("Changes to %(name)s saved.") % {"name": member.full_name})
            return redirect(f"{organization.get_absolute_url()}#member-{member.pk}")
    if form.is_bound:
        # Validation wrote the typed values onto the instance; the heading shows the stored ones.
        member.refresh_from_db()
    context = _member_context(request, organization, form=form, member=member)
    return render(
        request,
        _partial(request, "organizations/member_form.html", "member-form"),
        context,
        status=INVALID if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def member_delete(request, pk, member_pk):
    require(can_delete_members(request.user))
    member = selectors.member_get(organization_pk=pk, pk=member_pk)
    organization = member.organization
    if request.method == "POST":
        name = member.full_name
        services.member_delete(member=member, user=request.user)
        if request.htmx:
            # The row is the target and goes away; the count updates out of band.
            context = _member_context(request, organization, member_count=organization.members.count())
            response = render(request, "organizations/member_confirm_delete.html#member-deleted", context)
            return trigger_client_event(response, "membersChanged", {"organization": organization.pk})
        messages.success(request, _("%(name)s removed.") % {"name": name})
        return redirect(organization)
    context = _member_context(request, organization, member=member, opportunity_count=member.opportunity_links.count())
    return render(request, "organizations/member_confirm_delete.html", context)


@require_GET
@never_cache
def member_export(request, pk, member_pk):
    """Everything stored about one contact person as a JSON file (their right of access, GDPR Art. 15)."""
    require(can_manage_personal_data(request.user))
    member = selectors.member_get(organization_pk=pk, pk=member_pk)
    response = JsonResponse(
        selectors.member_export(member=member),
        encoder=DjangoJSONEncoder,
        json_dumps_params={"indent": 2, "ensure_ascii": False},
    )
    response["Content-Disposition"] = f'attachment; filename="member-{member.pk}.json"'
    return response


@require_http_methods(["GET", "POST"])
def member_anonymise(request, pk, member_pk):
    """Ask, then remove a contact person's personal data (their right to erasure, GDPR Art. 17)."""
    require(can_manage_personal_data(request.user))
    member = selectors.member_get(organization_pk=pk, pk=member_pk)
    organization = member.organization
    if request.method == "POST":
        name = member.full_name
        member = services.member_anonymise(member=member, user=request.user)
        if request.htmx:
            context = _member_context(request, organization, member=member, is_new=True)
            response = render(request, "organizations/organization_detail.html#member-row", context)
            return trigger_client_event(response, "membersChanged", {"organization": organization.pk})
        messages.success(request, _("%(name)s has been anonymised.") % {"name": name})
        return redirect(f"{organization.get_absolute_url()}#member-{member.pk}")
    context = _member_context(request, organization, member=member)
    return render(request, "organizations/member_confirm_anonymise.html", context)


# Trash (crm/trash.py) ------------------------------------------------------------------------

TRASH_LIST_LIMIT = 20


@require_http_methods(["GET", "POST"])
def organization_delete(request, pk):
    """Ask, then move the organization and its opportunities to the trash (managers)."""
    require(can_delete_organization(request.user))
    organization = selectors.organization_get(pk=pk)
    if request.method == "POST":
        moved = services.organization_trash(organization=organization, user=request.user)
        text = ngettext(
            "%(name)s and its %(count)d opportunity moved to the trash.",
            "%(name)s and its %(count)d opportunities moved to the trash.",
            moved,
        )
        messages.success(
            request,
            text % {"name": organization.name, "count": moved},
            extra_tags=trash.undo_tag(reverse("organizations:organization-restore", args=[organization.pk])),
        )
        return redirect("organizations:organization-list")
    opportunities = list(selectors.organization_opportunity_list(organization=organization))
    context = {
        "organization": organization,
        "opportunities": opportunities[:TRASH_LIST_LIMIT],
        "opportunity_count": len(opportunities),
        "more_count": max(0, len(opportunities) - TRASH_LIST_LIMIT),
        "member_count": organization.members.count(),
        "purge_date": trash.purge_after(timezone.now()),
    }
    return render(request, "organizations/organization_confirm_delete.html", context)


@require_POST
def organization_restore(request, pk):
    require(can_delete_organization(request.user))
    organization = get_object_or_404(Organization.all_objects.filter(deleted_at__isnull=False), pk=pk)
    restored = services.organization_restore(organization_id=organization.pk, user=request.user)
    text = ngettext(
        "%(name)s is back, with %(count)d opportunity.",
        "%(name)s is back, with %(count)d opportunities.",
        restored,
    )
    messages.success(request, text % {"name": organization.name, "count": restored})
    return redirect(safe_next(request, organization.get_absolute_url()))
