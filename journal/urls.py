from django.urls import path

from journal import mail_views, views

# Mounted at the site root (crm/urls.py): /reminders/ and /journal/….
app_name = "journal"
urlpatterns = [
    path("reminders/", views.reminder_list, name="reminder-list"),
    path("mail/unassigned/", mail_views.unassigned_mail, name="unassigned-mail"),
    path("mail/unassigned/<int:pk>/assign/", mail_views.unassigned_mail_assign, name="unassigned-mail-assign"),
    path("mail/unassigned/<int:pk>/ignore/", mail_views.unassigned_mail_ignore, name="unassigned-mail-ignore"),
    path("mail/unassigned/<int:pk>/member/", mail_views.unassigned_mail_add_member, name="unassigned-mail-member"),
    path("mail/<int:pk>/original/", mail_views.email_download, name="email-download"),
    path("mail/attachments/<int:pk>/", mail_views.email_attachment_download, name="email-attachment"),
    path("mail/settings/", mail_views.mail_settings, name="mail-settings"),
    path("journal/<str:short_name>/mail/", mail_views.journal_email_upload, name="journal-email-upload"),
    path("reminders/more/", views.reminder_bucket_more, name="reminder-bucket-more"),
    path("journal/<str:short_name>/", views.journal_entry_list, name="journal-entry-list"),
    path("journal/<str:short_name>/new/", views.journal_entry_create, name="journal-entry-create"),
    path("journal/entries/<int:pk>/", views.journal_entry_detail, name="journal-entry-detail"),
    path("journal/entries/<int:pk>/edit/", views.journal_entry_update, name="journal-entry-update"),
    path("journal/entries/<int:pk>/delete/", views.journal_entry_delete, name="journal-entry-delete"),
    path("journal/entries/<int:pk>/done/", views.reminder_done, name="reminder-done"),
    path("journal/entries/<int:pk>/snooze/", views.reminder_snooze, name="reminder-snooze"),
]
