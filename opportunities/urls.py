from django.urls import path

from opportunities.views import autocomplete, board, create, detail, table, tasks, trash

app_name = "opportunities"
urlpatterns = [
    path("", table.opportunity_list, name="opportunity-list"),
    path("export.csv", table.opportunity_export, name="opportunity-export"),
    path("bulk/", table.opportunity_bulk, name="opportunity-bulk"),
    path("columns/", table.opportunity_columns, name="opportunity-columns"),
    path("views/", table.saved_view_create, name="saved-view-create"),
    path("views/<int:pk>/delete/", table.saved_view_delete, name="saved-view-delete"),
    path("organizations/", autocomplete.organization_autocomplete, name="organization-autocomplete"),
    path("board/", board.opportunity_board, name="opportunity-board"),
    path("board/totals/", board.opportunity_board_totals, name="opportunity-board-totals"),
    path("board/cards/", board.opportunity_board_cards, name="opportunity-board-cards"),
    path("new/", create.opportunity_create, name="opportunity-create"),
    path("trash/", trash.trash_list, name="trash"),
    path("trash/<int:pk>/restore/", trash.opportunity_restore, name="opportunity-restore"),
    path("<str:short_name>/", detail.opportunity_detail, name="opportunity-detail"),
    path("<str:short_name>/fields/<str:key>/", detail.opportunity_field, name="opportunity-field"),
    path("<str:short_name>/win/", detail.opportunity_win, name="opportunity-win"),
    path("<str:short_name>/lose/", detail.opportunity_lose, name="opportunity-lose"),
    path("<str:short_name>/reopen/", detail.opportunity_reopen, name="opportunity-reopen"),
    path("<str:short_name>/tags/", detail.opportunity_tags, name="opportunity-tags"),
    path("<str:short_name>/tags/<int:tag_id>/remove/", detail.opportunity_tag_remove, name="opportunity-tag-remove"),
    path("<str:short_name>/organization/", detail.opportunity_organization, name="opportunity-organization"),
    path("<str:short_name>/members/", detail.opportunity_members, name="opportunity-members"),
    path("<str:short_name>/members/<int:member_pk>/contact/", detail.opportunity_contact, name="opportunity-contact"),
    path("<str:short_name>/tasks/", tasks.opportunity_tasks, name="opportunity-tasks"),
    path(
        "<str:short_name>/tasks/<int:task_pk>/<str:action>/",
        tasks.opportunity_task_action,
        name="opportunity-task-action",
    ),
    path("<str:short_name>/history/", detail.opportunity_history, name="opportunity-history"),
    path("<str:short_name>/move/", board.opportunity_move, name="opportunity-move"),
    path("<str:short_name>/quick-edit/", table.opportunity_quick_edit, name="opportunity-quick-edit"),
    path("<str:short_name>/delete/", trash.opportunity_delete, name="opportunity-delete"),
]
