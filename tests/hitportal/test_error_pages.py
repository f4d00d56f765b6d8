"""The 400 page (hitportal.views.bad_request): what Django refuses before any view runs is
explained in plain words, never a bare "Bad Request (400)"."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.urls import reverse

from accreditation.models import ExpressionOfInterest

TOO_LARGE = "What you sent was too large for the portal to accept, so nothing was saved."


@pytest.fixture(autouse=True)
def production(settings):
    settings.DEBUG = False  # with DEBUG on, Django shows its technical page instead


@pytest.fixture
def eoi_url(panel):
    return reverse("accreditation:eoi-create", args=[panel.round.pk])


@pytest.mark.parametrize("encoding", ["multipart", "urlencoded"])
def test_a_body_over_the_upload_limit_gets_the_friendly_400_page(
    client, applicant, eoi_url, settings, encoding
):
    client.force_login(applicant)
    data = {"working_title": "Frailty", "problem": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}

    if encoding == "multipart":
        response = client.post(eoi_url, data)
    else:
        response = client.post(eoi_url, urlencode(data), content_type="application/x-www-form-urlencoded")

    html = response.content.decode()
    assert response.status_code == 400
    assert TOO_LARGE in html
    assert "a document can be at most 10 MB" in html
    assert "a long answer can be at most 10,000 characters, and a note or comment at most 2,000" in html
    assert "Bad Request (400)" not in html
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert ExpressionOfInterest.objects.count() == 0


def test_too_many_fields_get_the_friendly_400_page(client, applicant, eoi_url, settings):
    client.force_login(applicant)
    data = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(eoi_url, urlencode(data), content_type="application/x-www-form-urlencoded")

    assert response.status_code == 400
    assert TOO_LARGE in response.content.decode()
    assert ExpressionOfInterest.objects.count() == 0


def test_a_request_refused_before_sign_in_is_read_gets_the_plain_400_page(client):
    response = client.get("/", HTTP_HOST="not-our-site.example")

    html = response.content.decode()
    assert response.status_code == 400
    assert "Your browser sent something the portal could not understand, so nothing was saved." in html
    assert "Bad Request (400)" not in html
