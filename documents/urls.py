from django.urls import path

from documents import views

app_name = "documents"
# <number> is a document's number (2026-0001), or draft-<id> until it has one (Document.key).
urlpatterns = [
    path("new/", views.document_create, name="document-create"),
    path("<str:number>/", views.document_detail, name="document-detail"),
    path("<str:number>/pdf/", views.document_pdf, name="document-pdf"),
    path("<str:number>/approve/", views.document_approve, name="document-approve"),
    path("<str:number>/reopen/", views.document_reopen, name="document-reopen"),
    path("<str:number>/send/", views.document_send, name="document-send"),
    path("<str:number>/decide/", views.document_decide, name="document-decide"),
    path("<str:number>/revise/", views.document_revise, name="document-revise"),
    path("<str:number>/discard/", views.document_discard, name="document-discard"),
]
