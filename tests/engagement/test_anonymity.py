"""Nothing stored joins an invitation (who was asked) to a response (what was answered).

See the anonymity design in engagement/services/surveys.py.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re

from django.core import mail
from django.db import models

from engagement.enums import RoleGroup
from engagement.models import Answer, Invitation, Item, Response
from engagement.services import surveys as services_surveys
from engagement.services.surveys import AboutYou
from tests.factories import engagement as ef


def _relations(model: type[models.Model]) -> set[type[models.Model]]:
    """Every model `model` points at or is pointed at by (FK, one-to-one, M2M, forward and reverse)."""
    return {
        field.related_model
        for field in model._meta.get_fields(include_hidden=True)
        if field.is_relation and field.related_model is not None
    }


def test_no_relation_between_invitation_and_response_or_answer():
    assert Invitation not in _relations(Response)
    assert Invitation not in _relations(Answer)
    assert Response not in _relations(Invitation)
    assert Answer not in _relations(Invitation)


def test_invitation_relates_only_to_its_wave():
    """The wave is shared by every invitation and every response of it, so it identifies no one."""
    from engagement.models import Wave

    assert _relations(Invitation) == {Wave}


def _submitted(hit, director, django_capture_on_commit_callbacks) -> tuple[str, Invitation, Response]:
    """A response made the way a real respondent makes it: invited by email, answered, submitted."""
    wave = ef.WaveFactory(hit=hit)
    items = [ef.ItemFactory(instrument=wave.instrument, code=f"T{n}") for n in range(3)]
    organisation = ef.StakeholderFactory(hit=hit).organisation
    with django_capture_on_commit_callbacks(execute=True):
        services_surveys.wave_invite(
            actor=director, wave_id=wave.pk, addresses=["ann@example.org", "bob@example.org"]
        )
    message = next(m for m in mail.outbox if m.to == ["ann@example.org"])
    token = re.search(r"/engagement/survey/([\w-]+)/", message.body).group(1)
    services_surveys.response_save(token=token, answers={items[0].pk: 4, items[1].pk: None})
    with django_capture_on_commit_callbacks(execute=True):
        services_surveys.response_submit(
            token=token,
            about=AboutYou(organisation_id=organisation.pk, role_group=RoleGroup.MANAGEMENT),
            answers={items[2].pk: 2},
        )
    invitation = Invitation.objects.get(email="ann@example.org")
    return token, invitation, Response.objects.get()


def _derivations(value: object) -> set[str]:
    """A stored value, and what anyone could compute from it with the formulas in the code."""
    text = str(value)
    return {
        text,
        services_surveys.token_digest(text),
        services_surveys.response_key(text),
        hashlib.sha256(text.encode()).hexdigest(),
    }


def test_trying_to_join_a_submitted_response_to_its_invitation_fails(
    hit, director, django_capture_on_commit_callbacks
):
    token, invitation, response = _submitted(hit, director, django_capture_on_commit_callbacks)
    # The wave is shared by design; primary keys come from separate sequences; a used flag and a
    # submitted flag are both True for everyone who answered. None of these singles anyone out.
    shared = {"id", "wave", "wave_id", "used", "is_submitted"}
    invitation_values = {
        k: v for k, v in Invitation.objects.values().get(pk=invitation.pk).items() if k not in shared
    }
    response_values = {
        k: v for k, v in Response.objects.values().get(pk=response.pk).items() if k not in shared
    }
    answer_values = [
        value
        for row in Answer.objects.filter(response=response).values("item_id", "value")
        for value in row.values()
    ]
    # Empty values (a "don't know", a reminder never sent) carry nothing to match on.
    stored_on_response = [v for v in (*response_values.values(), *answer_values) if v is not None]
    stored_on_invitation = [v for v in invitation_values.values() if v is not None]

    derived = set().union(*(_derivations(v) for v in stored_on_invitation))

    assert invitation.used is True and response.is_submitted is True  # the pair we try to join
    assert set(invitation_values) == {"email", "token_digest", "sent_at", "reminded_at"}
    for value in stored_on_response:
        assert str(value) not in derived
        assert value not in stored_on_invitation
    # The other direction: nothing on the response leads back to the invitation's digest.
    assert invitation.token_digest not in set().union(*(_derivations(v) for v in stored_on_response))
    # The token, which would join them, is stored nowhere.
    everything = [
        *Invitation.objects.values_list(),
        *Response.objects.values_list(),
        *Answer.objects.values_list(),
        *Item.objects.values_list(),
    ]
    assert token not in str(everything)


def test_submitted_on_has_no_time_of_day(hit, director, django_capture_on_commit_callbacks):
    _token, _invitation, response = _submitted(hit, director, django_capture_on_commit_callbacks)

    stored = Response.objects.values_list("submitted_on", flat=True).get(pk=response.pk)

    assert type(Response._meta.get_field("submitted_on")) is models.DateField
    assert type(stored) is datetime.date
    # And no other column of a response or an answer records a moment either.
    for model in (Response, Answer):
        assert [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, (models.DateTimeField, models.TimeField))
        ] == []


def test_invitation_records_no_moment_of_use(hit, director, django_capture_on_commit_callbacks):
    """`used` is a flag, not a timestamp that could be matched against a response's creation."""
    _token, invitation, _response = _submitted(hit, director, django_capture_on_commit_callbacks)

    assert {f.name for f in Invitation._meta.concrete_fields if isinstance(f, models.DateTimeField)} == {
        "sent_at",
        "reminded_at",
    }
    assert invitation.reminded_at is None


def test_a_used_or_forged_link_is_not_written_to_the_request_log(client, hit, caplog):
    """A token in a log, next to the database, would join an invitation to its response."""
    wave = ef.WaveFactory(hit=hit)
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token), used=True)

    with caplog.at_level(logging.WARNING, logger="django.request"):
        used = client.get(f"/engagement/survey/{token}/")
        forged = client.get("/engagement/survey/forged-token-value/")
        control = client.get("/no-such-page-at-all/")

    assert (used.status_code, forged.status_code, control.status_code) == (410, 404, 404)
    assert "/no-such-page-at-all/" in caplog.text  # the log works...
    assert token not in caplog.text  # ...but survey links stay out of it
    assert "forged-token-value" not in caplog.text


# --- The differencing attack ---------------------------------------------------------------------------


def _answer_one(wave, items, value: int) -> None:
    """One respondent, through a link of their own, with every worker job run as it is queued."""
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))
    services_surveys.response_submit(
        token=token,
        about=AboutYou(role_group=RoleGroup.CLINICAL),
        answers={item.pk: value for item in items},
    )


def test_reading_the_api_before_and_after_one_more_answer_gives_nothing_to_subtract(
    client, hit, director, django_capture_on_commit_callbacks
):
    """The attack the first release fell to: read the results, have one more person answer, read
    them again, and solve 6 x m6 - 5 x m5 for that person's answers. Results are released once, at
    the close, so there is nothing to read while answers arrive and nothing after to compare."""
    from django.urls import reverse

    wave = ef.WaveFactory(hit=hit)
    items = [ef.ItemFactory(instrument=wave.instrument, code=f"T{n}", dimension="trust") for n in range(3)]
    client.force_login(director)
    scores = reverse("api:hit-scores", kwargs={"pk": hit.pk})

    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(5):
            _answer_one(wave, items, 4)
    before = client.get(scores).json()["readiness"]
    with django_capture_on_commit_callbacks(execute=True):
        _answer_one(wave, items, 1)  # the person the attacker wants to read
    after = client.get(scores).json()["readiness"]
    with django_capture_on_commit_callbacks(execute=True):
        services_surveys.wave_close(actor=director, wave_id=wave.pk)
    released = client.get(scores).json()["readiness"]
    with django_capture_on_commit_callbacks(execute=True):
        try:
            _answer_one(wave, items, 5)
        except services_surveys.SurveyClosed:
            refused = True
        else:
            refused = False

    assert (before, after) == (None, None)
    (trust,) = released["dimensions"]
    # (5 x 4 + 1) / 6 = 3.5 -> R = 62.5, shown as a whole number; one figure, released once.
    assert (trust["n"], trust["score"], trust["sd"]) == (6, 63, None)
    assert refused is True
    assert client.get(scores).json()["readiness"] == released
