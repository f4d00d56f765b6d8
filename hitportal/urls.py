from django.contrib import admin
from django.urls import include, path

from core import health
from core.throttle import ThrottledAdminAuthenticationForm
from hitportal import views

# The admin site's sign-in counts towards the same limits as the portal's (core.throttle).
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("hitportal.account_urls")),
    path("teams/", include("teams.urls")),
    path("teams/", include("hitportal.gdpr.urls")),
    path("accreditation/", include("accreditation.urls")),
    path("engagement/", include("engagement.urls")),
    path("reporting/", include("reporting.urls")),
    path("api/", include("hitportal.api.urls")),
    path("audit/", include("hitportal.audit.urls")),
    path("admin/", admin.site.urls),
    # Public, for the container healthchecks: whether the database, cache and broker answer (core/health.py).
    path("health/", health.health, name="health"),
]

handler400 = "hitportal.views.bad_request"
handler403 = "hitportal.views.permission_denied"
handler404 = "hitportal.views.page_not_found"
handler500 = "hitportal.views.server_error"
