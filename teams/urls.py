from django.urls import path

from teams import views, views_lifecycle, views_members

app_name = "teams"

urlpatterns = [
    path("hits/", views.hit_list, name="hit-list"),
    path("hits/<int:pk>/", views.hit_detail, name="hit-detail"),
    path("hits/<int:pk>/status/", views.hit_transition_view, name="hit-transition"),
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_edit, name="organisation-create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("people/", views.person_list, name="person-list"),
    path("people/new/", views.person_edit, name="person-create"),
    path("people/<int:pk>/", views.person_detail, name="person-detail"),
    path("people/<int:pk>/edit/", views.person_edit, name="person-edit"),
    path("people/<int:pk>/affiliations/new/", views.affiliation_add, name="affiliation-create"),
    path("lookup/<str:directory>/", views.directory_lookup, name="directory-lookup"),
]

urlpatterns += views_lifecycle.urlpatterns
urlpatterns += views_members.urlpatterns
