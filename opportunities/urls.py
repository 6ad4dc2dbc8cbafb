from django.urls import path

from opportunities import views

app_name = "opportunities"
urlpatterns = [
    path("", views.opportunity_list, name="opportunity-list"),
    path("board/", views.opportunity_board, name="opportunity-board"),
    path("new/", views.opportunity_create, name="opportunity-create"),
    path("<str:short_name>/", views.opportunity_detail, name="opportunity-detail"),
]
