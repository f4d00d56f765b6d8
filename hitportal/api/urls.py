"""The read-only API (GitHub issue 6): JSON endpoints, their OpenAPI schema, and two HTML pages."""

from django.urls import path

from hitportal.api import views

app_name = "api"

urlpatterns = [
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.docs, name="docs"),
    path("token/", views.token, name="token"),
    path("hits/", views.HITListView.as_view(), name="hit-list"),
    path("hits/<int:pk>/", views.hit_detail, name="hit-detail"),
    path("hits/<int:pk>/scores/", views.hit_scores, name="hit-scores"),
    path("portfolio/", views.portfolio, name="portfolio"),
]
