"""The URL patterns of the GDPR pages (a person's data: export and erasure)."""

from django.urls import path

from hitportal.gdpr import views

app_name = "gdpr"

urlpatterns = [
    path("people/<int:pk>/data/", views.person_gdpr, name="person-data"),
    path("people/<int:pk>/data/export/", views.person_export, name="person-export"),
    path("people/<int:pk>/data/erase/", views.person_erase, name="person-erase"),
]
