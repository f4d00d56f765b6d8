"""The URL patterns of engagement, one block per views module."""

from django.urls import path

from engagement.views import maturity, network, ppi, stakeholders, surveys

app_name = "engagement"

urlpatterns = [
    # stakeholders
    path("hits/<int:hit_pk>/stakeholders/", stakeholders.stakeholder_map, name="stakeholder-map"),
    path("hits/<int:hit_pk>/stakeholders/new/", stakeholders.stakeholder_edit, name="stakeholder-create"),
    path(
        "hits/<int:hit_pk>/stakeholders/<int:pk>/edit/",
        stakeholders.stakeholder_edit,
        name="stakeholder-edit",
    ),
    path(
        "hits/<int:hit_pk>/stakeholders/<int:pk>/end/", stakeholders.stakeholder_end, name="stakeholder-end"
    ),
    path("hits/<int:hit_pk>/stakeholders/sync/", stakeholders.stakeholder_sync, name="stakeholder-sync"),
    path("hits/<int:hit_pk>/coverage/", stakeholders.coverage_detail, name="coverage-detail"),
    path(
        "hits/<int:hit_pk>/coverage/recalculate/",
        stakeholders.coverage_recalculate,
        name="coverage-recalculate",
    ),
    # ppi
    path("hits/<int:hit_pk>/ppi/", ppi.ppi_log, name="ppi-log"),
    path("hits/<int:hit_pk>/ppi/activities/new/", ppi.activity_edit, name="ppi-activity-create"),
    path("hits/<int:hit_pk>/ppi/activities/<int:pk>/edit/", ppi.activity_edit, name="ppi-activity-edit"),
    path("hits/<int:hit_pk>/ppi/standards/new/", ppi.standards_create, name="ppi-standards-create"),
    path("hits/<int:hit_pk>/ppi/reviews/new/", ppi.review_create, name="ppi-review-create"),
    path("hits/<int:hit_pk>/ppi/support/new/", ppi.support_create, name="ppi-support-create"),
    path("ppi/caseload/", ppi.caseload, name="ppi-caseload"),
    path("ppi/support/<int:pk>/", ppi.support_detail, name="ppi-support-detail"),
    # surveys
    path("instruments/", surveys.instrument_list, name="instrument-list"),
    path("instruments/<int:pk>/", surveys.instrument_detail, name="instrument-detail"),
    path("instruments/<int:pk>/new-version/", surveys.instrument_new_version, name="instrument-new-version"),
    path("instruments/<int:pk>/publish/", surveys.instrument_publish, name="instrument-publish"),
    path("instruments/<int:pk>/items/new/", surveys.item_edit, name="item-create"),
    path("instruments/<int:pk>/items/<int:item_pk>/", surveys.item_edit, name="item-edit"),
    path("instruments/<int:pk>/items/<int:item_pk>/delete/", surveys.item_delete, name="item-delete"),
    path("hits/<int:hit_pk>/surveys/", surveys.wave_list, name="wave-list"),
    path("hits/<int:hit_pk>/surveys/new/", surveys.wave_create, name="wave-create"),
    path("hits/<int:hit_pk>/surveys/<int:pk>/", surveys.wave_detail, name="wave-detail"),
    path("hits/<int:hit_pk>/surveys/<int:pk>/invite/", surveys.wave_invite, name="wave-invite"),
    path("hits/<int:hit_pk>/surveys/<int:pk>/remind/", surveys.wave_remind, name="wave-remind"),
    path("hits/<int:hit_pk>/surveys/<int:pk>/new-link/", surveys.wave_reissue, name="wave-reissue"),
    path("hits/<int:hit_pk>/surveys/<int:pk>/close/", surveys.wave_close, name="wave-close"),
    path("hits/<int:hit_pk>/surveys/<int:pk>/results/", surveys.wave_results, name="wave-results"),
    path(
        "hits/<int:hit_pk>/surveys/<int:pk>/results.csv",
        surveys.wave_results_export,
        name="wave-results-export",
    ),
    path("survey/<str:token>/", surveys.survey_respond, name="survey-respond"),
    # maturity
    path("hits/<int:hit_pk>/maturity/", maturity.maturity_list, name="maturity-list"),
    path("hits/<int:hit_pk>/maturity/new/", maturity.maturity_create, name="maturity-create"),
    path("hits/<int:hit_pk>/maturity/<int:pk>/", maturity.maturity_detail, name="maturity-detail"),
    path("hits/<int:hit_pk>/actions/", maturity.action_list, name="action-list"),
    path("hits/<int:hit_pk>/actions/new/", maturity.action_create, name="action-create"),
    path("hits/<int:hit_pk>/actions/<int:pk>/edit/", maturity.action_edit, name="action-edit"),
    # network
    path("hits/<int:hit_pk>/network/", network.network_detail, name="network-detail"),
    path("hits/<int:hit_pk>/network.csv", network.network_export, name="network-export"),
    path("hits/<int:hit_pk>/network/rounds/", network.round_list, name="network-rounds"),
    path("hits/<int:hit_pk>/network/rounds/<int:pk>/", network.round_detail, name="network-round"),
    path(
        "hits/<int:hit_pk>/network/rounds/<int:pk>/respondents/<int:respondent_pk>/",
        network.round_contact,
        name="network-round-contact",
    ),
    *(
        path(
            f"hits/<int:hit_pk>/network/rounds/<int:pk>/{action}/",
            network.round_move,
            {"action": action},
            name=f"network-round-{action}",
        )
        for action in ("open", "remind", "close", "cancel")
    ),
    path(
        "hits/<int:hit_pk>/network/rounds/<int:pk>/ties.csv",
        network.network_ties_export,
        name="network-ties-export",
    ),
    path("network-survey/<str:token>/", network.network_respond, name="network-respond"),
]
