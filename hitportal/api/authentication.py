"""Token authentication for the API: DRF's, bound to the password the token was issued under.

A token is a second password for scripts. When the password changes (the password page, a reset link,
the admin's password form, `manage.py changepassword`, any service: all go through
teams.models.User.set_password, which records `password_changed_at`), a token created before that
moment is refused with 401, whoever still holds it. The password pages also give the user a new token
at once (hitportal.api.services.token_replace_after_password_change); after the other ways the token
page says the old one stopped working and offers a new one.
"""

from __future__ import annotations

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from teams.models import User

STALE_MESSAGE = (
    "This token stopped working when your password changed. Get a new one from the API token page "
    "of your profile."
)


def token_is_current(*, token: Token, user: User) -> bool:
    """False for a token created before its user's password last changed."""
    changed = user.password_changed_at
    return changed is None or token.created >= changed


class PasswordBoundTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[User, Token]:
        user, token = super().authenticate_credentials(key)
        if not token_is_current(token=token, user=user):
            raise exceptions.AuthenticationFailed(STALE_MESSAGE)
        return user, token
