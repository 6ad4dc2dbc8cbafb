from django.urls import path

from journal import views

app_name = "journal"
urlpatterns = [
    path("", views.reminder_list, name="reminder-list"),
]
