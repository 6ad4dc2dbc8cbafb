from django.urls import path

from organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="organization-list"),
    path("new/", views.organization_create, name="organization-create"),
    path("code-suggestion/", views.organization_code_suggestion, name="organization-code-suggestion"),
    path("<int:pk>/", views.organization_detail, name="organization-detail"),
    path("<int:pk>/edit/", views.organization_update, name="organization-update"),
    path("<int:pk>/delete/", views.organization_delete, name="organization-delete"),
    path("<int:pk>/restore/", views.organization_restore, name="organization-restore"),
    path("<int:pk>/members/new/", views.member_create, name="member-create"),
    path("<int:pk>/members/<int:member_pk>/", views.member_detail, name="member-detail"),
    path("<int:pk>/members/<int:member_pk>/edit/", views.member_update, name="member-update"),
    path("<int:pk>/members/<int:member_pk>/delete/", views.member_delete, name="member-delete"),
    path("<int:pk>/members/<int:member_pk>/export.json", views.member_export, name="member-export"),
    path("<int:pk>/members/<int:member_pk>/anonymise/", views.member_anonymise, name="member-anonymise"),
]
