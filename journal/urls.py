from django.urls import path

from journal import views

# Mounted at the site root (crm/urls.py): /reminders/ and /journal/….
app_name = "journal"
urlpatterns = [
    path("reminders/", views.reminder_list, name="reminder-list"),
    path("reminders/more/", views.reminder_bucket_more, name="reminder-bucket-more"),
    path("journal/<str:short_name>/", views.journal_entry_list, name="journal-entry-list"),
    path("journal/<str:short_name>/new/", views.journal_entry_create, name="journal-entry-create"),
    path("journal/entries/<int:pk>/", views.journal_entry_detail, name="journal-entry-detail"),
    path("journal/entries/<int:pk>/edit/", views.journal_entry_update, name="journal-entry-update"),
    path("journal/entries/<int:pk>/delete/", views.journal_entry_delete, name="journal-entry-delete"),
    path("journal/entries/<int:pk>/done/", views.reminder_done, name="reminder-done"),
    path("journal/entries/<int:pk>/snooze/", views.reminder_snooze, name="reminder-snooze"),
]
