from reporting.views import dashboards, exports, reports, schedule, setup, stage

app_name = "reporting"

urlpatterns = [
    *reports.urlpatterns,
    *schedule.urlpatterns,
    *setup.urlpatterns,
    *stage.urlpatterns,
    *dashboards.urlpatterns,
    *exports.urlpatterns,
]
