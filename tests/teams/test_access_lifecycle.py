"""Persona x page matrix for a HIT's life after accreditation (teams/views/lifecycle.py).

`tests/test_access_matrix.py::test_every_url_pattern_is_in_the_matrix` collects this MATRIX, so a
page added to teams/views/lifecycle.py must be listed here.

The scene: the active "Dementia HIT" of the conftest director, sponsor and teammate, linked to a
third HIT nobody here belongs to, with one document, one meeting and one sponsor contact. The
outsider directs another HIT. Cannot see -> 404; sees but may not act -> 403; the register is
public. Board members and PPI facilitators see the HIT's page but never its documents, meetings
or sponsor log (docs/domain.md section 4): for them those pages do not exist.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f
from tests.conftest import PERSONAS
from tests.factories import teams_lifecycle as lf
from tests.url_names import url_names

ALL = [*PERSONAS, "anonymous"]
# teams.permissions.can_view_hit: portfolio roles and the HIT's members.
READERS = {"programme_manager", "board_member", "ppi_facilitator", "director", "sponsor", "teammate"}
MEMBERS_AND_PM = {"programme_manager", "director", "sponsor", "teammate"}
# teams.permissions.can_view_documents, can_view_meetings, can_view_sponsor_log.
RECORD_READERS = MEMBERS_AND_PM
DIRECTOR_AND_PM = {"programme_manager", "director"}
SPONSOR_LOGGERS = {"programme_manager", "director", "sponsor"}
PM = {"programme_manager"}


def _expect(default: int, **overrides: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, default)
    expected["anonymous"] = 302
    expected.update(overrides)
    return expected


def _seen(allowed: set[str], status: int = 200) -> dict[str, int]:
    """404 for those who cannot see the HIT, 403 for those who see it but may not act."""
    return _expect(404, **{**dict.fromkeys(READERS, 403), **dict.fromkeys(allowed, status)})


def _read() -> dict[str, int]:
    return _expect(404, **dict.fromkeys(READERS, 200))


def _records(allowed: set[str], status: int = 200) -> dict[str, int]:
    """The HIT's documents, meetings and sponsor log: 404 for whoever may not see them."""
    return _expect(404, **{**dict.fromkeys(RECORD_READERS, 403), **dict.fromkeys(allowed, status)})


def _hit(ctx) -> dict:
    return {"pk": ctx["hit"].pk}


# url name -> (kwargs builder, expected GET status, expected status of an empty POST)
# An allowed empty POST re-renders the form with its errors (200); GET-only pages answer 405.
MATRIX = {
    # Public: no login, everyone including anonymous visitors.
    "teams:register": (lambda ctx: {}, dict.fromkeys(ALL, 200), dict.fromkeys(ALL, 405)),
    "teams:hit-link-create": (_hit, _seen(DIRECTOR_AND_PM), _seen(DIRECTOR_AND_PM)),
    "teams:hit-link-delete": (
        lambda ctx: {"pk": ctx["link"].pk},
        _expect(405),
        _seen(DIRECTOR_AND_PM, 302),
    ),
    "teams:document-list": (_hit, _records(RECORD_READERS), _expect(405)),
    "teams:document-upload": (_hit, _records(MEMBERS_AND_PM), _records(MEMBERS_AND_PM)),
    "teams:document-download": (
        lambda ctx: {"pk": ctx["document"].pk},
        _records(RECORD_READERS),
        _expect(405),
    ),
    "teams:meeting-list": (_hit, _records(RECORD_READERS), _expect(405)),
    "teams:meeting-create": (_hit, _records(MEMBERS_AND_PM), _records(MEMBERS_AND_PM)),
    "teams:sponsor-log": (_hit, _records(RECORD_READERS), _expect(405)),
    "teams:sponsor-interaction-create": (
        _hit,
        _records(SPONSOR_LOGGERS),
        _records(SPONSOR_LOGGERS),
    ),
    "teams:hit-suspend": (_hit, _seen(PM), _seen(PM)),
    "teams:hit-reinstate": (_hit, _seen(PM), _seen(PM)),
    "teams:hit-close": (_hit, _seen(PM), _seen(PM)),
}


@pytest.fixture
def ctx(settings, tmp_path, hit, director, sponsor, teammate, outsider):
    settings.MEDIA_ROOT = tmp_path
    third = f.HITFactory(name="Stroke HIT", active=True)
    return {
        "hit": hit,
        "link": lf.HITLinkFactory(from_hit=hit, to_hit=third),
        "document": lf.DocumentFactory(hit=hit),
        "meeting": lf.MeetingFactory(hit=hit),
        "interaction": lf.SponsorInteractionFactory(hit=hit, sponsor=sponsor.person),
    }


def _cases(index: int) -> list[tuple[str, str, int]]:
    return [(url_name, name, spec[index][name]) for url_name, spec in MATRIX.items() for name in ALL]


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(1), indirect=["persona"])
def test_lifecycle_persona_matrix_get(client, ctx, url_name, persona, expected):
    if persona is not None:
        client.force_login(persona)

    response = client.get(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)))
    response.close()  # a download streams the file; closing releases it

    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("url_name", "persona", "expected"), _cases(2), indirect=["persona"])
def test_lifecycle_persona_matrix_post(client, ctx, url_name, persona, expected):
    """An empty POST: nobody outside the allowed personas gets past the permission check."""
    if persona is not None:
        client.force_login(persona)

    response = client.post(reverse(url_name, kwargs=MATRIX[url_name][0](ctx)), {})

    assert response.status_code == expected
    if expected == 302 and persona is None:
        assert response.url.startswith(reverse("login"))


def test_forbidden_pages_give_the_reason(client, ctx, board_member, teammate):
    client.force_login(board_member)

    suspend = client.get(reverse("teams:hit-suspend", args=[ctx["hit"].pk]))
    client.force_login(teammate)
    sponsor = client.get(reverse("teams:sponsor-interaction-create", args=[ctx["hit"].pk]))

    assert "Only a programme manager can change a HIT&#x27;s status." in suspend.content.decode()
    assert (
        "Only the HIT&#x27;s director, its executive sponsor and programme managers log sponsor contact."
        in (sponsor.content.decode())
    )


def test_matrix_covers_every_lifecycle_url():
    from teams import urls
    from teams.views import lifecycle

    assert url_names(urls, lifecycle) == set(MATRIX)


def test_matrix_lists_every_persona():
    assert all(set(spec[1]) == set(ALL) and set(spec[2]) == set(ALL) for spec in MATRIX.values())
