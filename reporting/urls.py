from reporting.views import reports, schedule, setup, stage

app_name = "reporting"

urlpatterns = [*reports.urlpatterns, *schedule.urlpatterns, *setup.urlpatterns, *stage.urlpatterns]
