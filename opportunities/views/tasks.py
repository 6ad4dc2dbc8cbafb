from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from crm import permissions
from opportunities import detail, selectors, services
from opportunities.forms import (
    TaskForm,
)
from opportunities.models import Task
from opportunities.views.detail import _is_fragment, _opportunity, _render_page


@require_http_methods(["GET", "POST"])
def opportunity_tasks(request, short_name):
    """The tasks card; POST adds a task."""
    opportunity, config = _opportunity(request, short_name)
    form = None
    status = 200
    if request.method == "POST":
        permissions.require(permissions.can_change_opportunity(request.user, opportunity))
        form = TaskForm(request.POST, config=config)
        if form.is_valid():
            try:
                services.task_create(opportunity=opportunity, user=request.user, **form.service_kwargs())
            except ValidationError as error:
                form.add_error(None, error)
        if form.errors:
            status = 422
        else:
            form = None
    elif not _is_fragment(request):
        return redirect(f"{opportunity.get_absolute_url()}#tasks")
    return _tasks_response(request, opportunity, config, form=form, status=status, changed=request.method == "POST")


def _tasks_response(request, opportunity, config, *, form=None, status=200, changed=False):
    if not _is_fragment(request) and status == 200:
        return redirect(f"{opportunity.get_absolute_url()}#tasks")
    if not _is_fragment(request):
        return _render_page(request, opportunity, config, status=status, task_form=form)
    tasks = list(selectors.opportunity_task_list(opportunity=opportunity))
    context = {
        **detail.base_context(request, opportunity, config),
        **detail.task_context(opportunity, config, tasks, user=request.user, form=form),
    }
    response = render(request, "opportunities/opportunity_detail.html#tasks-response", context, status=status)
    if changed and status == 200:
        trigger_client_event(
            response,
            "tasksChanged",
            {"short_name": opportunity.short_name, "open_tasks": context["open_task_count"]},
        )
    return response


@require_POST
def opportunity_task_action(request, short_name, task_pk, action):
    """Complete, reopen or delete one task."""
    opportunity, config = _opportunity(request, short_name)
    task = get_object_or_404(Task, pk=task_pk, opportunity_id=opportunity.pk)
    task.opportunity = opportunity
    run = {"complete": services.task_complete, "reopen": services.task_reopen, "delete": services.task_delete}.get(
        action
    )
    if run is None:
        raise Http404
    run(task=task, user=request.user)
    return _tasks_response(request, opportunity, config, changed=True)
