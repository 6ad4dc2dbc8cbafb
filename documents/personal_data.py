"""This app's share of a contact person's data export (organizations/personal_data.py)."""

from documents.models import Document
from organizations.models import Member


def member_documents(member: Member) -> list[dict]:
    """The documents addressed to the person: one query."""
    documents = Document.objects.filter(recipient=member).order_by("created_at", "id")
    return [
        {
            "number": document.number,
            "title": document.title,
            "type": document.doc_type,
            "status": document.status,
            "created_at": document.created_at,
            "sent_at": document.sent_at,
        }
        for document in documents
    ]
