from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from crm import permissions
from documents import pdf, selectors, services
from documents.forms import DecideForm, DocumentForm, LineForm
from documents.models import Document, DocumentStatus
from opportunities import services as opportunity_services
from opportunities.models import Opportunity, Phase, PhaseKind

TEMPLATE = "documents/document_detail.html"


def _get(key: str) -> Document:
    try:
        return selectors.document_get(key=key)
    except Document.DoesNotExist:
        raise Http404(_("No document with this number.")) from None


def _get_for_update(key: str, queryset) -> Document:
    try:
        return selectors.by_key(queryset, key)
    except Document.DoesNotExist:
        raise Http404(_("No document with this number.")) from None


def _line_forms(document: Document, data=None) -> list[LineForm]:
    forms = []
    for line in document.lines.all():
        prefix = f"line-{line.pk}"
        # Only lines whose fields were posted are bound: a line added in another
        # tab meanwhile is left as it is.
        bound = data is not None and f"{prefix}-quantity" in data
        forms.append(LineForm(data if bound else None, instance=line, prefix=prefix))
    return forms


def _context(request, document: Document, form=None, line_forms=None, **extra) -> dict:
    user = request.user
    can_change = permissions.can_change_document(user, document)
    editable = document.is_draft and can_change
    opportunity = document.opportunity
    context = {
        "document": document,
        "opportunity": opportunity,
        "editable": editable,
        "form": form or (DocumentForm(instance=document) if editable else None),
        "line_forms": line_forms if line_forms is not None else (_line_forms(document) if editable else []),
        "line_errors": any(line_form.errors for line_form in line_forms or []),
        "lines": list(document.lines.all()),
        "can_change": can_change,
        "can_approve": permissions.can_approve_documents(user),
        "can_revise": permissions.can_add_document(user, opportunity),
        "can_mark_won": (
            document.status == DocumentStatus.SENT
            and not opportunity.is_won
            and permissions.can_change_opportunity(user, opportunity)
        ),
        "revisions": list(document.revisions.order_by("created_at").only("number", "title", "status")),
        "saved_at": timezone.localtime(document.updated_at),
    }
    context.update(extra)
    return context


@require_POST
def document_create(request):
    """Create a draft for the opportunity named in the form and open the editor."""
    opportunity = get_object_or_404(
        Opportunity.objects.select_related("organization"), short_name=request.POST.get("opportunity", "")
    )
    # One empty line to start typing into, created with the draft (one transaction). It gets
    # its number when something is first written into it: opening and leaving uses none up.
    document = services.document_create(opportunity=opportunity, user=request.user, lines=[{}])
    messages.success(request, _("Draft created. Describe what you offer; it gets its number when you do."))
    return redirect(document)


@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def document_detail(request, number):
    """The editor (drafts) or the record (later states); POST saves and performs one line action.

    htmx posts the whole form as the user types (autosave) and gets back the
    totals, line amounts and error messages out of band, leaving the inputs
    alone; add/remove/move re-render the lines. Without JavaScript, the same
    form posts and the page reloads.
    """
    permissions.require(permissions.can_view_documents(request.user))
    document = _get(number)
    if request.method == "GET":
        if number != document.key:
            # draft-17 once it has its number: the page lives under the number.
            return redirect(document)
        return render(request, TEMPLATE, _context(request, document))

    permissions.require(permissions.can_change_document(request.user, document))
    action = request.POST.get("action", "save")
    if not document.is_draft:
        message = _("%(number)s is %(status)s: only drafts can be edited. Start a new revision to change it.") % {
            "number": document.number,
            "status": document.get_status_display().lower(),
        }
        if request.htmx:
            return render(request, TEMPLATE + "#editor-status", {"status_error": message}, status=409)
        messages.error(request, message)
        return render(request, TEMPLATE, _context(request, document), status=409)

    was_numbered = document.number is not None
    form = DocumentForm(request.POST, instance=document)
    line_forms = _line_forms(document, request.POST)
    # Validate every line (no short-circuit) so each shows its own errors.
    lines_valid = [line_form.is_valid() for line_form in line_forms if line_form.is_bound]
    valid = form.is_valid() and all(lines_valid)
    status_error = ""
    if valid:
        try:
            with transaction.atomic():
                services.document_update(
                    document_id=document.pk,
                    user=request.user,
                    data=form.cleaned_data,
                    lines={lf.instance.pk: lf.cleaned_data for lf in line_forms if lf.is_bound},
                )
                _line_action(request, document, action)
        except ValidationError as error:
            valid = False
            if hasattr(error, "error_dict"):
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                status_error = " ".join(error.messages)

    if valid:
        document = _get(number)
        numbered_now = not was_numbered and document.number is not None
        if not request.htmx:
            if numbered_now:
                messages.success(request, _("Saved as %(number)s.") % {"number": document.number})
            else:
                messages.success(request, _("Saved."))
            return redirect(document.get_absolute_url() + ("#lines" if action != "save" else ""))
        if action == "save":
            context = _context(request, document, numbered_now=numbered_now)
            response = render(request, TEMPLATE + "#autosave", context)
        else:
            response = render(request, TEMPLATE + "#document-lines", _context(request, document, focus=action))
        if numbered_now:
            # The address bar shows the number from now on; the form keeps posting to draft-<id>, which stays valid.
            response["HX-Replace-Url"] = document.get_absolute_url()
        return trigger_client_event(response, "documentSaved")

    # Invalid: nothing is saved and nothing the user typed is lost (the inputs keep it).
    context = _context(request, document, form=form, line_forms=line_forms, status_error=status_error)
    if request.htmx:
        return render(request, TEMPLATE + "#autosave", context, status=400)
    return render(request, TEMPLATE, context, status=400)


def _line_action(request, document: Document, action: str) -> None:
    verb, _sep, argument = action.partition(":")
    user = request.user
    if verb == "save":
        return
    if verb == "add":
        services.document_line_add(document_id=document.pk, user=user)
        return
    try:
        line_id = int(argument)
    except ValueError:
        raise ValidationError(_("Unknown action.")) from None
    if verb == "remove":
        services.document_line_remove(document_id=document.pk, line_id=line_id, user=user)
    elif verb in ("up", "down"):
        services.document_line_move(
            document_id=document.pk, line_id=line_id, user=user, offset=-1 if verb == "up" else 1
        )
    else:
        raise ValidationError(_("Unknown action."))


def _transition(request, number, service, success_message, **kwargs):
    permissions.require(permissions.can_view_documents(request.user))
    document = _get_for_update(number, selectors.live_documents().select_related("opportunity"))
    try:
        result = service(document_id=document.pk, user=request.user, **kwargs)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(document)
    messages.success(request, success_message % {"number": result.number})
    return redirect(result)


@require_POST
def document_approve(request, number):
    return _transition(request, number, services.document_approve, _("%(number)s approved: it can be sent now."))


@require_POST
def document_reopen(request, number):
    return _transition(request, number, services.document_reopen, _("%(number)s is a draft again."))


@require_POST
def document_send(request, number):
    return _transition(
        request, number, services.document_send, _("%(number)s marked as sent; its PDF is stored as sent.")
    )


@require_POST
def document_revise(request, number):
    return _transition(
        request, number, services.document_revise, _("Revision %(number)s created as a draft from the original.")
    )


@require_POST
def document_decide(request, number):
    """Record acceptance or rejection; accepting can mark the opportunity won at the same time."""
    permissions.require(permissions.can_view_documents(request.user))
    document = _get_for_update(number, selectors.live_documents().select_related("opportunity"))
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose accepted or rejected."))
        return redirect(document)
    accepted = form.cleaned_data["accepted"]
    try:
        with transaction.atomic():
            services.document_decide(document_id=document.pk, user=request.user, accepted=accepted)
            won = accepted and form.cleaned_data["mark_won"] and _mark_won(request, document.opportunity)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(document)
    if won:
        messages.success(
            request,
            _("%(number)s accepted and %(opportunity)s marked as won.")
            % {"number": document.number, "opportunity": document.opportunity.short_name},
        )
        return redirect(document.opportunity)
    if accepted:
        messages.success(request, _("%(number)s accepted.") % {"number": document.number})
    else:
        messages.success(request, _("%(number)s rejected.") % {"number": document.number})
    return redirect(document)


def _mark_won(request, opportunity: Opportunity) -> bool:
    if opportunity.is_won or not permissions.can_change_opportunity(request.user, opportunity):
        return False
    won_phase = Phase.objects.active().filter(kind=PhaseKind.WON).order_by("position", "id").first()
    if won_phase is None:
        return False
    opportunity_services.opportunity_update(
        opportunity_id=opportunity.pk, version=None, data={"phase": won_phase}, user=request.user
    )
    return True


@require_POST
def document_discard(request, number):
    """Delete a draft nobody wrote into (it has no number yet) and go back to its opportunity."""
    permissions.require(permissions.can_view_documents(request.user))
    document = _get_for_update(number, selectors.live_documents().select_related("opportunity"))
    try:
        opportunity = services.document_discard(document_id=document.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(document)
    messages.success(request, _("Empty draft discarded."))
    return redirect(opportunity)


@require_GET
def document_pdf(request, number):
    """The PDF: for a sent document exactly the stored bytes; before that, rendered now.

    Same permission as the document's page. ``?preview=1`` shows it in the
    browser instead of downloading it.
    """
    permissions.require(permissions.can_view_documents(request.user))
    document = _get_for_update(
        number,
        selectors.live_documents().select_related(
            "opportunity__organization", "recipient", "created_by", "revision_of"
        ),
    )
    as_attachment = request.GET.get("preview") != "1"
    name = pdf.filename(document)
    if document.pdf:
        try:
            stored = document.pdf.open("rb")
        except OSError:
            raise Http404(_("The stored PDF of this document is missing.")) from None
        response = FileResponse(stored, as_attachment=as_attachment, filename=name, content_type="application/pdf")
    else:
        try:
            content = pdf.render_document(document)
        except pdf.RenderTooSlow as error:
            # A clear answer rather than a worker held until gunicorn kills it.
            response = render(
                request,
                "documents/document_pdf_error.html",
                {"document": document, "opportunity": document.opportunity, "seconds": error.seconds},
                status=503,
            )
            response["Retry-After"] = "60"
            response["Cache-Control"] = "private, no-store"
            return response
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'{"attachment" if as_attachment else "inline"}; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response
