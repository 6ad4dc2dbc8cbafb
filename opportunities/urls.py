from django.urls import path

from opportunities import views

app_name = "opportunities"
urlpatterns = [
    path("", views.opportunity_list, name="opportunity-list"),
    path("export.csv", views.opportunity_export, name="opportunity-export"),
    path("bulk/", views.opportunity_bulk, name="opportunity-bulk"),
    path("columns/", views.opportunity_columns, name="opportunity-columns"),
    path("views/", views.saved_view_create, name="saved-view-create"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("organizations/", views.organization_autocomplete, name="organization-autocomplete"),
    path("board/", views.opportunity_board, name="opportunity-board"),
    path("board/totals/", views.opportunity_board_totals, name="opportunity-board-totals"),
    path("board/cards/", views.opportunity_board_cards, name="opportunity-board-cards"),
    path("new/", views.opportunity_create, name="opportunity-create"),
    path("<str:short_name>/", views.opportunity_detail, name="opportunity-detail"),
    path("<str:short_name>/move/", views.opportunity_move, name="opportunity-move"),
    path("<str:short_name>/quick-edit/", views.opportunity_quick_edit, name="opportunity-quick-edit"),
]
