"""The URL patterns of teams, one block per views module."""

from django.urls import path

from teams.views import accounts, directory, hits, lifecycle, members, profile, proposals, vocabularies

app_name = "teams"

urlpatterns = [
    path("hits/", hits.hit_list, name="hit-list"),
    path("hits/<int:pk>/", hits.hit_detail, name="hit-detail"),
    path("hits/<int:pk>/status/", hits.hit_transition_view, name="hit-transition"),
    path("hits/<int:pk>/profile/edit/", profile.hit_profile_edit, name="hit-profile-edit"),
    path("hits/<int:pk>/profile/history/", profile.hit_profile_history, name="hit-profile-history"),
    path("organisations/", directory.organisation_list, name="organisation-list"),
    path("organisations/new/", directory.organisation_edit, name="organisation-create"),
    path("organisations/<int:pk>/", directory.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", directory.organisation_edit, name="organisation-edit"),
    path("people/", directory.person_list, name="person-list"),
    path("people/new/", directory.person_edit, name="person-create"),
    path("people/<int:pk>/", directory.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", directory.person_edit, name="person-edit"),
    path("people/<int:pk>/affiliations/new/", directory.affiliation_add, name="affiliation-create"),
    path("people/<int:pk>/account/new/", accounts.account_create, name="account-create"),
    path("people/<int:pk>/account/invite/", accounts.account_invite, name="account-invite"),
    path("people/<int:pk>/roles/grant/", accounts.person_role_grant, name="person-role-grant"),
    path("people/<int:pk>/roles/revoke/", accounts.person_role_revoke, name="person-role-revoke"),
    path("vocabularies/<slug:vocabulary>/", vocabularies.vocabulary_list, name="vocabulary-list"),
    path(
        "vocabularies/<slug:vocabulary>/new/",
        vocabularies.vocabulary_term_create,
        name="vocabulary-term-create",
    ),
    path(
        "vocabularies/<slug:vocabulary>/<int:pk>/edit/",
        vocabularies.vocabulary_term_edit,
        name="vocabulary-term-edit",
    ),
    path("lookup/<str:directory>/", directory.directory_lookup, name="directory-lookup"),
    # lifecycle
    path("register/", lifecycle.register, name="register"),
    path("hits/<int:pk>/links/new/", lifecycle.hit_link_create, name="hit-link-create"),
    path("links/<int:pk>/delete/", lifecycle.hit_link_delete, name="hit-link-delete"),
    path("hits/<int:pk>/documents/", lifecycle.document_list, name="document-list"),
    path("hits/<int:pk>/documents/upload/", lifecycle.document_upload, name="document-upload"),
    path("documents/<int:pk>/download/", lifecycle.document_download, name="document-download"),
    path("hits/<int:pk>/meetings/", lifecycle.meeting_list, name="meeting-list"),
    path("hits/<int:pk>/meetings/new/", lifecycle.meeting_create, name="meeting-create"),
    path("hits/<int:pk>/sponsor/", lifecycle.sponsor_log, name="sponsor-log"),
    path(
        "hits/<int:pk>/sponsor/new/", lifecycle.sponsor_interaction_create, name="sponsor-interaction-create"
    ),
    path("hits/<int:pk>/suspend/", lifecycle.hit_suspend, name="hit-suspend"),
    path("hits/<int:pk>/reinstate/", lifecycle.hit_reinstate, name="hit-reinstate"),
    path("hits/<int:pk>/close/", lifecycle.hit_close, name="hit-close"),
    # members
    path("hits/<int:pk>/members/", members.member_list, name="member-list"),
    path("hits/<int:pk>/members/new/", members.member_add, name="member-add"),
    path("memberships/<int:pk>/end/", members.member_end, name="member-end"),
    path("hits/<int:pk>/working-groups/new/", members.working_group_create, name="working-group-create"),
    # proposals
    path("hits/<int:pk>/members/proposed/", proposals.proposed_memberships, name="proposed-memberships"),
]
