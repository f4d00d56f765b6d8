"""The yardstick of bench/http_load.py: a bare Django app (no middleware, no database, one view returning
"Hello, world") served by gunicorn exactly as the portal is, so a page's requests per second can be read
as a share of what Django itself serves on this machine.

    gunicorn bench.hello_wsgi:application
"""

from __future__ import annotations

import secrets

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        DATABASES={},
        LOGGING_CONFIG=None,
    )

from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest, HttpResponse
from django.urls import path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("Hello, world", content_type="text/plain")


urlpatterns = [path("", hello)]
application = get_wsgi_application()
