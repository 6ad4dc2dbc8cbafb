from django.urls import path

from documents import views

app_name = "documents"
# <key> is a document's number (2026-0001), or draft-<id> until it has one (Document.key).
urlpatterns = [
    path("new/", views.document_create, name="document-create"),
    path("<str:key>/", views.document_detail, name="document-detail"),
    path("<str:key>/pdf/", views.document_pdf, name="document-pdf"),
    path("<str:key>/approve/", views.document_approve, name="document-approve"),
    path("<str:key>/reopen/", views.document_reopen, name="document-reopen"),
    path("<str:key>/send/", views.document_send, name="document-send"),
    path("<str:key>/decide/", views.document_decide, name="document-decide"),
    path("<str:key>/revise/", views.document_revise, name="document-revise"),
    path("<str:key>/discard/", views.document_discard, name="document-discard"),
]
