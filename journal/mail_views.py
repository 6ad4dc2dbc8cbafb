"""E-mail pages: Unassigned mail, downloads of a mail and its attachments, uploads onto a journal, my mail settings."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm import permissions
from journal import mail, selectors, services
from journal.forms import BlockedAddressForm, EmailAssignForm, EmailMemberForm, EmailUploadForm, MailSettingsForm
from journal.models import BlockedAddress, EmailAttachment, EmailMessage, MailForwardAddress
from opportunities.models import Opportunity

UNASSIGNED = "journal/mail/unassigned.html"
PER_PAGE = 25


def _unassigned_page(request, page_number, *, focus=None, form=None, error: ValidationError | None = None):
    """The page of unassigned mail; ``focus`` is the message a refused action was about (its form and error)."""
    page = Paginator(selectors.unassigned_email_list(), PER_PAGE).get_page(page_number)
    suggestions = selectors.open_opportunities_by_organization(m.organization_id for m in page.object_list)
    rows = [
        {
            "message": m,
            "suggestions": suggestions.get(m.organization_id, []),
            "form": form if focus is not None and m.pk == focus.pk else None,
            "error": " ".join(error.messages) if error and focus is not None and m.pk == focus.pk else "",
        }
        for m in page.object_list
    ]
    return {"page": page, "rows": rows, "can_change_members": permissions.can_change_members(request.user)}


@require_GET
def unassigned_mail(request):
    permissions.require(permissions.can_post_journal(request.user))
    return render(request, UNASSIGNED, _unassigned_page(request, request.GET.get("page")))


def _unassigned_message(pk: int) -> EmailMessage:
    return get_object_or_404(EmailMessage.objects.select_related("organization"), pk=pk)


def _done(request, text: str):
    messages.success(request, text)
    return redirect(
        reverse("journal:unassigned-mail")
        + (f"?page={request.POST['page']}" if request.POST.get("page", "").isdigit() else "")
    )


def _refused(request, message: EmailMessage, form, error: ValidationError | None = None):
    """The page again with the message next to the row the rep acted on (nothing they typed is lost)."""
    context = _unassigned_page(request, request.POST.get("page"), focus=message, form=form, error=error)
    return render(request, UNASSIGNED, context, status=422)


@require_POST
def unassigned_mail_assign(request, pk):
    permissions.require(permissions.can_post_journal(request.user))
    message = _unassigned_message(pk)
    form = EmailAssignForm(request.POST)
    if not form.is_valid():
        return _refused(request, message, form)
    try:
        entry = services.email_assign(message=message, opportunity=form.cleaned_data["opportunity"], user=request.user)
    except ValidationError as error:
        return _refused(request, message, form, error)
    return _done(
        request, _("The e-mail is now in the journal of %(short_name)s.") % {"short_name": entry.opportunity.short_name}
    )


@require_POST
def unassigned_mail_ignore(request, pk):
    permissions.require(permissions.can_post_journal(request.user))
    message = _unassigned_message(pk)
    try:
        services.email_ignore(message=message, user=request.user)
    except ValidationError as error:
        return _refused(request, message, None, error)
    return _done(request, _("The e-mail stays out of the journal."))


@require_POST
def unassigned_mail_add_member(request, pk):
    permissions.require(permissions.can_change_members(request.user))
    message = _unassigned_message(pk)
    form = EmailMemberForm(request.POST)
    if not form.is_valid():
        return _refused(request, message, form)
    try:
        member = services.email_sender_add_member(
            message=message, organization=form.cleaned_data["organization"], user=request.user
        )
    except ValidationError as error:
        return _refused(request, message, form, error)
    return _done(
        request,
        _("%(name)s is now a contact person of %(organization)s.")
        % {"name": member, "organization": member.organization.name},
    )


def _may_read(user, message: EmailMessage) -> None:
    permissions.require(permissions.can_view(user))
    if message.entry_id is not None and message.entry.opportunity.deleted_at is not None:
        raise Http404  # its opportunity is in the trash, and everything under it is gone
    if message.entry_id is None:
        # Unassigned, ignored or dropped mail: for those who sort it (and admins in admin).
        permissions.require(permissions.can_post_journal(user))


def _download(file, filename: str, content_type: str) -> FileResponse:
    try:
        handle = file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    # Always a download: a mail's HTML or an attachment never renders in our origin.
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def email_download(request, pk):
    message = get_object_or_404(EmailMessage.objects.select_related("entry__opportunity"), pk=pk)
    _may_read(request.user, message)
    return _download(message.raw, f"{mail.safe_filename(message.subject or 'e-mail')[:80]}.eml", "message/rfc822")


@require_GET
def email_attachment_download(request, pk):
    attachment = get_object_or_404(EmailAttachment.objects.select_related("message__entry__opportunity"), pk=pk)
    _may_read(request.user, attachment.message)
    return _download(attachment.file, attachment.filename, "application/octet-stream")


@require_POST
def journal_email_upload(request, short_name):
    opportunity = get_object_or_404(Opportunity, short_name=short_name)
    permissions.require(permissions.can_post_journal(request.user))
    form = EmailUploadForm(request.POST, request.FILES)
    back = opportunity.get_absolute_url() + "#journal"
    if not form.is_valid():
        for error in form.errors.get("files", []):
            messages.error(request, error)
        return redirect(back)
    logged, problems = 0, []
    for file in form.cleaned_data["files"]:
        try:
            result = services.email_ingest(
                raw=file.read(), source=EmailMessage.Source.UPLOAD, opportunity=opportunity, user=request.user
            )
        except mail.MailError as error:
            problems.append(_("%(name)s could not be read: %(reason)s") % {"name": file.name, "reason": error})
            continue
        if result.status == "duplicate":
            problems.append(_("%(name)s was already logged.") % {"name": file.name})
        else:
            logged += 1
    if logged:
        messages.success(
            request, ngettext("%(count)d e-mail logged.", "%(count)d e-mails logged.", logged) % {"count": logged}
        )
    for problem in problems:
        messages.warning(request, problem)
    return redirect(back)


@require_http_methods(["GET", "POST"])
def mail_settings(request):
    permissions.require(permissions.can_view(request.user))
    address = MailForwardAddress.objects.filter(user=request.user).first()
    settings_form = MailSettingsForm(initial={"log_my_mail": address.log_my_mail if address else True})
    blocked_form = BlockedAddressForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "address":
            services.mail_forward_address_get(user=request.user)
            return redirect("journal:mail-settings")
        if action == "settings":
            settings_form = MailSettingsForm(request.POST)
            if settings_form.is_valid():
                services.mail_settings_update(user=request.user, log_my_mail=settings_form.cleaned_data["log_my_mail"])
                messages.success(request, _("Saved."))
                return redirect("journal:mail-settings")
        elif action == "block":
            blocked_form = BlockedAddressForm(request.POST)
            if blocked_form.is_valid():
                try:
                    services.blocked_address_add(user=request.user, pattern=blocked_form.cleaned_data["pattern"])
                except ValidationError:
                    blocked_form.add_error("pattern", _("This is already on your list."))
                else:
                    return redirect("journal:mail-settings")
        elif action == "unblock" and request.POST.get("pk", "").isdigit():
            services.blocked_address_remove(user=request.user, pk=int(request.POST["pk"]))
            return redirect("journal:mail-settings")
        status = 422
    return render(
        request,
        "journal/mail/settings.html",
        {
            "address": address,
            "forward_address": services.forward_address_text(address) if address else "",
            "settings_form": settings_form,
            "blocked_form": blocked_form,
            "blocked": BlockedAddress.objects.filter(user=request.user).order_by("pattern"),
        },
        status=status,
    )
