from engagement.views import maturity, ppi, stakeholders, surveys

app_name = "engagement"

urlpatterns = [*stakeholders.urlpatterns, *ppi.urlpatterns, *surveys.urlpatterns, *maturity.urlpatterns]
