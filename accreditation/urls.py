from accreditation.views import applications, panel, rounds

app_name = "accreditation"

urlpatterns = [*rounds.urlpatterns, *applications.urlpatterns, *panel.urlpatterns]
