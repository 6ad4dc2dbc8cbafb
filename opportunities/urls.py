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
    path("trash/", views.trash_list, name="trash"),
    path("trash/<int:pk>/restore/", views.opportunity_restore, name="opportunity-restore"),
    path("<str:short_name>/", views.opportunity_detail, name="opportunity-detail"),
    path("<str:short_name>/fields/<str:key>/", views.opportunity_field, name="opportunity-field"),
    path("<str:short_name>/win/", views.opportunity_win, name="opportunity-win"),
    path("<str:short_name>/lose/", views.opportunity_lose, name="opportunity-lose"),
    path("<str:short_name>/reopen/", views.opportunity_reopen, name="opportunity-reopen"),
    path("<str:short_name>/tags/", views.opportunity_tags, name="opportunity-tags"),
    path("<str:short_name>/tags/<int:tag_id>/remove/", views.opportunity_tag_remove, name="opportunity-tag-remove"),
    path("<str:short_name>/organization/", views.opportunity_organization, name="opportunity-organization"),
    path("<str:short_name>/members/", views.opportunity_members, name="opportunity-members"),
    path("<str:short_name>/members/<int:member_pk>/contact/", views.opportunity_contact, name="opportunity-contact"),
    path("<str:short_name>/tasks/", views.opportunity_tasks, name="opportunity-tasks"),
    path(
        "<str:short_name>/tasks/<int:task_pk>/<str:action>/",
        views.opportunity_task_action,
        name="opportunity-task-action",
    ),
    path("<str:short_name>/history/", views.opportunity_history, name="opportunity-history"),
    path("<str:short_name>/move/", views.opportunity_move, name="opportunity-move"),
    path("<str:short_name>/quick-edit/", views.opportunity_quick_edit, name="opportunity-quick-edit"),
    path("<str:short_name>/delete/", views.opportunity_delete, name="opportunity-delete"),
]
