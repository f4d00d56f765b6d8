from django.urls import path

from teams.views import lifecycle as views_lifecycle
from teams.views import members as views_members
from teams.views.directory import (
    affiliation_add,
    directory_lookup,
    organisation_detail,
    organisation_edit,
    organisation_list,
    person_detail,
    person_edit,
    person_list,
)
from teams.views.hits import hit_detail, hit_list, hit_transition_view

app_name = "teams"

urlpatterns = [
    path("hits/", hit_list, name="hit-list"),
    path("hits/<int:pk>/", hit_detail, name="hit-detail"),
    path("hits/<int:pk>/status/", hit_transition_view, name="hit-transition"),
    path("organisations/", organisation_list, name="organisation-list"),
    path("organisations/new/", organisation_edit, name="organisation-create"),
    path("organisations/<int:pk>/", organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", organisation_edit, name="organisation-edit"),
    path("people/", person_list, name="person-list"),
    path("people/new/", person_edit, name="person-create"),
    path("people/<int:pk>/", person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", person_edit, name="person-edit"),
    path("people/<int:pk>/affiliations/new/", affiliation_add, name="affiliation-create"),
    path("lookup/<str:directory>/", directory_lookup, name="directory-lookup"),
]

urlpatterns += views_lifecycle.urlpatterns
urlpatterns += views_members.urlpatterns
