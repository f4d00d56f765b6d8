"""The URL patterns of reporting, one block per views module."""

from django.urls import path

from reporting.views import dashboards, exports, reports, schedule, setup, stage

app_name = "reporting"

urlpatterns = [
    # reports
    path("reports/", reports.report_list, name="report-list"),
    path("hits/<int:hit_pk>/reports/new/", reports.report_create, name="report-create"),
    path("reports/<int:pk>/", reports.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report-edit"),
    path("reports/<int:pk>/transition/", reports.report_transition_view, name="report-transition"),
    path("reports/<int:pk>/due-date/", reports.report_due_date, name="report-due-date"),
    # schedule
    path("hits/<int:hit_pk>/schedule/", schedule.report_schedule, name="report-schedule"),
    # setup
    path("hits/<int:pk>/setup/", setup.setup_checklist, name="setup-checklist"),
    path("hits/<int:pk>/setup/activate/", setup.setup_activate, name="setup-activate"),
    # stage
    path("hits/<int:hit_pk>/stage/", stage.stage_assess, name="stage-assess"),
    path("hits/<int:hit_pk>/stage/history/", stage.stage_history, name="stage-history"),
    # dashboards
    path("dashboard/", dashboards.board_dashboard, name="board-dashboard"),
    path("hits/<int:pk>/dashboard/", dashboards.hit_dashboard, name="hit-dashboard"),
    path("pack/", dashboards.board_pack, name="board-pack"),
    path("pack.pdf", dashboards.board_pack_pdf, name="board-pack-pdf"),
    # exports
    path("exports/", exports.export_list, name="export-list"),
    path("exports/new/", exports.export_create, name="export-create"),
    path("exports/<int:pk>/", exports.export_detail, name="export-detail"),
    path("exports/<int:pk>/progress/", exports.export_progress, name="export-progress"),
    path("exports/<int:pk>/download/", exports.export_download, name="export-download"),
]
