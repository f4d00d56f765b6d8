"""Writes of the API: only the user's own access token."""

from __future__ import annotations

import logging

from django.db import transaction
from rest_framework.authtoken.models import Token

from teams.models import User

logger = logging.getLogger(__name__)


@transaction.atomic
def token_regenerate(*, actor: User) -> Token:
    """Give the actor a new API token in place of any old one.

    Side effects, in order: locks the actor's user row (two regenerations at once yield one token,
    not an integrity error); deletes the old Token row, so requests using it are refused (401) from
    the commit on; creates the new Token; logs the change (never the key).
    """
    user = User.objects.select_for_update().only("pk").get(pk=actor.pk)
    Token.objects.filter(user=user).delete()
    token = Token.objects.create(user=user)
    logger.info("API token regenerated for user %s", user.pk)
    return token


@transaction.atomic
def token_revoke(*, actor: User) -> None:
    """Delete the actor's API token: requests using it are refused (401) from the commit on."""
    deleted, _ = Token.objects.filter(user_id=actor.pk).delete()
    if deleted:
        logger.info("API token revoked for user %s", actor.pk)


@transaction.atomic
def token_replace_after_password_change(*, actor: User) -> Token | None:
    """After the actor changed their password: a new API token in place of the one they had, if any.

    The old token is already refused (hitportal/api/authentication.py); this saves the user a visit
    to the token page. Side effects: those of token_regenerate, only when a token existed. Returns the
    new token, or None for a user who had none (they are not given one they never asked for).
    """
    user = User.objects.select_for_update().only("pk").get(pk=actor.pk)
    if not Token.objects.filter(user=user).exists():
        return None
    return token_regenerate(actor=user)
