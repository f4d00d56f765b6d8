"""Persona matrix for a person's login and programme roles: programme managers only."""

import pytest
from django.urls import reverse

from teams.models import AccountInvitation, RoleAssignment, User
from tests import factories as f
from tests.conftest import PERSONAS

ALL = [*PERSONAS, "anonymous"]


def _expect(manager: int) -> dict[str, int]:
    expected = dict.fromkeys(ALL, 403)
    expected["anonymous"] = 302
    expected["programme_manager"] = manager
    return expected


MATRIX = {
    "teams:account-create": ("get", lambda ctx: {"pk": ctx["person"].pk}, {}, _expect(200)),
    "teams:account-invite": ("post", lambda ctx: {"pk": ctx["invited"].pk}, {}, _expect(302)),
    "teams:person-role-grant": (
        "post",
        lambda ctx: {"pk": ctx["with_login"].pk},
        {"role": "board_member"},
        _expect(302),
    ),
    "teams:person-role-revoke": (
        "post",
        lambda ctx: {"pk": ctx["with_login"].pk},
        {"role": "ppi_facilitator"},
        _expect(302),
    ),
}


@pytest.fixture
def ctx(db):
    with_login = f.PersonFactory(user=f.UserFactory())
    f.RoleAssignmentFactory(user=with_login.user, role="ppi_facilitator")
    invited_user = f.UserFactory()
    invited_user.set_unusable_password()
    invited_user.save(update_fields=["password"])
    return {
        "person": f.PersonFactory(),
        "with_login": with_login,
        "invited": f.PersonFactory(user=invited_user),
    }


@pytest.mark.parametrize(
    ("url_name", "persona", "expected"),
    [(name, persona, spec[3][persona]) for name, spec in MATRIX.items() for persona in ALL],
    indirect=["persona"],
)
def test_accounts_persona_matrix(client, ctx, url_name, persona, expected):
    method, kwargs, data, _ = MATRIX[url_name]
    before = (User.objects.count(), RoleAssignment.objects.count(), AccountInvitation.objects.count())
    if persona is not None:
        client.force_login(persona)

    response = getattr(client, method)(reverse(url_name, kwargs=kwargs(ctx)), data)

    assert response.status_code == expected
    if expected != 302 or persona is None:
        assert (
            User.objects.count(),
            RoleAssignment.objects.count(),
            AccountInvitation.objects.count(),
        ) == before
