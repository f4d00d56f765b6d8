"""The provider's claims: each test login's username names the case it stands for."""

from datetime import timedelta

from django.utils import timezone
from oauth2_provider.oauth2_validators import OAuth2Validator


class CaseValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim, whatever the scopes (the portal asks for openid email profile)

    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": not user.username.startswith("unverified"),
            "name": f"{user.first_name} {user.last_name}".strip(),
            **({"amr": ["pwd", "mfa"]} if user.username.startswith("mfa") else {}),
        }

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        username = request.user.username
        if username.startswith("wrongaud"):
            claims["aud"] = "another-application"
        if username == "wrongaudazp":  # names the portal as the authorised party, but not as the audience
            claims["azp"] = request.client_id
        if username.startswith("expired"):
            past = timezone.now() - timedelta(hours=2)
            claims["iat"] = int(past.timestamp())
            claims["exp"] = int((past + timedelta(minutes=5)).timestamp())
            claims["auth_time"] = int(past.timestamp())
        return claims, expiration_time
