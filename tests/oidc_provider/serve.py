"""Start the test provider: `python -m tests.oidc_provider.serve PORT` with OIDC_PROVIDER_DB,
OIDC_PROVIDER_RSA_KEY, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET and OIDC_REDIRECT_URI in the environment.

Migrates its own SQLite file, registers the portal as a confidential client (RS256, PKCE, no consent
screen) and makes one login per case, then serves until it is stopped.
"""

import os
import sys

import django


def main() -> None:
    port = int(sys.argv[1])
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0, interactive=False)
    application = get_application_model()
    application.objects.create(
        name="HIT Portal",
        client_id=os.environ["OIDC_CLIENT_ID"],
        client_secret=os.environ["OIDC_CLIENT_SECRET"],
        client_type=application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=os.environ["OIDC_REDIRECT_URI"],
        algorithm=application.RS256_ALGORITHM,
        skip_authorization=True,
    )
    users = get_user_model().objects
    for username, email, first, last in (
        ("alex", "alex.nurse@nhs.test", "Alex", "Nurse"),  # has a portal login with this address
        ("newcomer", "nina.new@nhs.test", "Nina", "New"),  # no portal login yet
        ("unverified", "uma.unverified@nhs.test", "Uma", "Unverified"),
        ("outsider", "olly@elsewhere.test", "Olly", "Outsider"),  # a domain the portal does not allow
        ("wrongaud", "wanda@nhs.test", "Wanda", "Wrong"),  # ID token for another application
        ("wrongaudazp", "walt@nhs.test", "Walt", "Wrong"),  # the same, naming the portal as authorised party
        ("expired", "ed.expired@nhs.test", "Ed", "Expired"),  # ID token already expired
        ("mfa", "mo.mfa@nhs.test", "Mo", "Mfa"),  # signed in with multi-factor at the provider
    ):
        users.create_user(username=username, email=email, first_name=first, last_name=last)

    from wsgiref.simple_server import WSGIRequestHandler, make_server

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = make_server("127.0.0.1", port, get_wsgi_application(), handler_class=QuietHandler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
