"""Passkeys (WebAuthn) as a second factor, with a software authenticator written here: an EC P-256 key pair
whose answers are built and signed as a platform authenticator builds them (attestation "none"), so the
portal's checks (py_webauthn) run on real signatures.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import struct

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.urls import reverse

from teams.enums import SecurityEventKind
from teams.models import Passkey, RecoveryCode, SecurityEvent

pytestmark = [pytest.mark.real_second_factor, pytest.mark.django_db]

ORIGIN = "http://testserver"
RP_ID = "testserver"
PASSWORD = "correct-horse-battery"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftAuthenticator:
    def __init__(self) -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0

    def _cose_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps(
            {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
        )

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict, origin: str = ORIGIN) -> str:
        client_data = self._client_data("webauthn.create", options["challenge"], origin)
        attested = (
            bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._cose_key()
        )
        auth_data = (
            hashlib.sha256(options["rp"]["id"].encode()).digest() + bytes([0x45]) + struct.pack(">I", 0)
        )
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data + attested})
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "attestationObject": b64url(attestation)},
                "clientExtensionResults": {},
            }
        )

    def get(self, options: dict, origin: str = ORIGIN, count: bool = True) -> str:
        if count:
            self.sign_count += 1
        client_data = self._client_data("webauthn.get", options["challenge"], origin)
        auth_data = (
            hashlib.sha256(options["rpId"].encode()).digest()
            + bytes([0x05])
            + struct.pack(">I", self.sign_count)
        )
        signature = self.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return json.dumps(
            {
                "id": b64url(self.credential_id),
                "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {
                    "clientDataJSON": b64url(client_data),
                    "authenticatorData": b64url(auth_data),
                    "signature": b64url(signature),
                },
                "clientExtensionResults": {},
            }
        )


def _add_passkey(client, authenticator: SoftAuthenticator, name: str = "Work laptop"):
    options = client.post(reverse("passkey-register-options")).json()
    assert options["rp"]["id"] == RP_ID
    return client.post(
        reverse("second-factor"),
        {"action": "passkey-add", "name": name, "passkey": authenticator.create(options)},
    )


def test_a_programme_manager_adds_a_passkey_and_signs_in_with_it(client, programme_manager):
    programme_manager.set_password(PASSWORD)
    programme_manager.save()
    client.force_login(programme_manager)
    authenticator = SoftAuthenticator()

    added = _add_passkey(client, authenticator)

    assert "Your recovery codes" in added.content.decode()
    assert Passkey.objects.get(user=programme_manager).name == "Work laptop"
    assert SecurityEvent.objects.filter(user=programme_manager, kind=SecurityEventKind.PASSKEY_ADDED).exists()
    assert client.get(reverse("teams:person-list")).status_code == 200

    client.logout()
    step = client.post(reverse("login"), {"username": programme_manager.email, "password": PASSWORD})
    assert step.url == reverse("login-code")
    assert "Use a passkey" in client.get(reverse("login-code")).content.decode()
    options = client.post(reverse("passkey-options")).json()
    answer = authenticator.get(options)
    signed_in = client.post(reverse("login-code"), {"passkey": answer})
    assert signed_in.status_code == 302 and signed_in.url == reverse("home")
    assert client.get(reverse("teams:person-list")).status_code == 200

    # The same answer again (a replay) is refused: its challenge was spent.
    client.logout()
    client.post(reverse("login"), {"username": programme_manager.email, "password": PASSWORD})
    client.post(reverse("passkey-options"))
    replay = client.post(reverse("login-code"), {"passkey": answer})
    assert "That passkey did not work" in replay.content.decode()
    assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_an_answer_for_another_site_or_a_copied_authenticator_is_refused(client, director):
    client.force_login(director)
    authenticator = SoftAuthenticator()
    _add_passkey(client, authenticator)

    options = client.post(reverse("passkey-options")).json()
    phished = client.post(
        reverse("second-factor-confirm"), {"passkey": authenticator.get(options, origin="https://evil.test")}
    )
    assert "That passkey did not work" in phished.content.decode()

    options = client.post(reverse("passkey-options")).json()
    authenticator.sign_count = 5
    good = client.post(reverse("second-factor-confirm"), {"passkey": authenticator.get(options)})
    assert good.status_code == 302
    assert Passkey.objects.get(user=director).sign_count == 6

    options = client.post(reverse("passkey-options")).json()
    authenticator.sign_count = 3  # a cloned authenticator, whose counter is behind the real one's
    cloned = client.post(reverse("second-factor-confirm"), {"passkey": authenticator.get(options)})
    assert "That passkey did not work" in cloned.content.decode()


def test_a_passkey_can_be_removed_and_the_last_one_of_a_manager_cannot(client, programme_manager):
    client.force_login(programme_manager)
    _add_passkey(client, SoftAuthenticator(), "Laptop")
    _add_passkey(client, SoftAuthenticator(), "Phone")
    laptop, phone = Passkey.objects.filter(user=programme_manager).order_by("pk")

    client.post(reverse("second-factor"), {"action": "passkey-remove", "passkey_id": laptop.pk})
    refused = client.post(
        reverse("second-factor"), {"action": "passkey-remove", "passkey_id": phone.pk}, follow=True
    )

    assert list(Passkey.objects.filter(user=programme_manager)) == [phone]
    assert "Your role needs a second factor" in refused.content.decode()
    assert (
        SecurityEvent.objects.filter(user=programme_manager, kind=SecurityEventKind.PASSKEY_REMOVED).count()
        == 1
    )


def test_removing_the_last_second_factor_removes_the_recovery_codes(client, director):
    client.force_login(director)
    _add_passkey(client, SoftAuthenticator(), "Laptop")
    assert RecoveryCode.objects.filter(user=director).count() == 10

    client.post(
        reverse("second-factor"),
        {"action": "passkey-remove", "passkey_id": Passkey.objects.get(user=director).pk},
    )

    assert not RecoveryCode.objects.filter(user=director).exists()


def test_someone_elses_passkey_is_not_offered_or_accepted(client, director, teammate):
    client.force_login(director)
    theirs = SoftAuthenticator()
    _add_passkey(client, theirs)
    client.logout()
    client.force_login(teammate)

    assert client.post(reverse("passkey-options")).status_code == 404
