from accreditation.views import applications, rounds
from accreditation.views import reviews as panel

app_name = "accreditation"

urlpatterns = [*rounds.urlpatterns, *applications.urlpatterns, *panel.urlpatterns]
