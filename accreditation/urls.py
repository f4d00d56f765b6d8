"""The URL patterns of accreditation, one block per views module."""

from django.urls import path

from accreditation.views import applications, decisions, panels, reviews, rounds

app_name = "accreditation"

urlpatterns = [
    # rounds
    path("rounds/", rounds.round_list, name="round-list"),
    path("rounds/new/", rounds.round_edit, name="round-create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round-detail"),
    path("rounds/<int:pk>/edit/", rounds.round_edit, name="round-edit"),
    path("rounds/<int:round_pk>/eoi/new/", rounds.eoi_create, name="eoi-create"),
    # panels
    path("rounds/<int:round_pk>/panels/new/", panels.panel_create_view, name="panel-create"),
    path("panels/<int:pk>/", panels.panel_detail, name="panel-detail"),
    path("panels/<int:pk>/seats/add/", panels.panel_seat_add_view, name="panel-seat-add"),
    path("seats/<int:pk>/remove/", panels.panel_seat_remove_view, name="panel-seat-remove"),
    path("seats/<int:pk>/replace/", panels.panel_seat_replace_view, name="panel-seat-replace"),
    path("eoi/", rounds.eoi_list, name="eoi-list"),
    path("eoi/<int:pk>/", rounds.eoi_detail, name="eoi-detail"),
    path("eoi/<int:pk>/edit/", rounds.eoi_edit, name="eoi-edit"),
    path("eoi/<int:pk>/transition/", rounds.eoi_transition_view, name="eoi-transition"),
    # applications
    path("applications/", applications.application_list, name="application-list"),
    path("applications/<int:pk>/", applications.application_detail, name="application-detail"),
    path(
        "applications/<int:pk>/sections/<slug:key>/",
        applications.application_section,
        name="application-section",
    ),
    path("applications/<int:pk>/stakeholders/", applications.stakeholder_table, name="stakeholder-table"),
    path(
        "applications/<int:pk>/stakeholders/<int:row_pk>/edit/",
        applications.stakeholder_edit,
        name="stakeholder-edit",
    ),
    path(
        "applications/<int:pk>/stakeholders/<int:row_pk>/delete/",
        applications.stakeholder_delete,
        name="stakeholder-delete",
    ),
    path("applications/<int:pk>/sponsor/request/", applications.sponsor_request, name="sponsor-request"),
    path("sponsor/<str:token>/", applications.sponsor_confirm, name="sponsor-confirm"),
    path(
        "applications/<int:pk>/transition/",
        applications.application_transition_view,
        name="application-transition",
    ),
    path("applications/<int:pk>/revisions/", applications.revision_list, name="revision-list"),
    path("applications/<int:pk>/revisions/compare/", applications.revision_compare, name="revision-compare"),
    path(
        "applications/<int:pk>/revisions/<int:number>/", applications.revision_detail, name="revision-detail"
    ),
    path("applications/<int:pk>/feedback/", applications.feedback_respond, name="feedback-respond"),
    # reviews
    path("rounds/<int:pk>/board/", decisions.round_board, name="round-board"),
    path(
        "applications/<int:pk>/panel-transition/", decisions.decision_transition, name="decision-transition"
    ),
    path("applications/<int:pk>/assignments/", reviews.assignment_manage, name="assignment-manage"),
    path(
        "applications/<int:pk>/assignments/accept-suggestion/",
        reviews.assignment_suggest_accept,
        name="assignment-suggest-accept",
    ),
    path("assignments/", reviews.assignment_list, name="assignment-list"),
    path("assignments/<int:pk>/declare/", reviews.conflict_declare, name="conflict-declare"),
    path("assignments/<int:pk>/resolve/", reviews.conflict_resolve, name="conflict-resolve"),
    path("assignments/<int:pk>/review/", reviews.review_edit, name="review-edit"),
    path("applications/<int:pk>/reviews/", reviews.review_summary, name="review-summary"),
    path("applications/<int:pk>/feedback/edit/", reviews.feedback_edit, name="feedback-edit"),
    path("applications/<int:pk>/decide/", decisions.decision_create, name="decision-create"),
    path("conditions/", decisions.condition_list, name="condition-list"),
    path("conditions/<int:pk>/close/", decisions.condition_close, name="condition-close"),
    path("conditions/<int:pk>/review/", decisions.condition_review, name="condition-review"),
    path("accreditations/<int:pk>/renew/", decisions.renewal_start, name="renewal-start"),
]
