"""Readiness survey services: item bank, waves, invitations, tokens and responses."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from engagement.enums import Dimension, RoleGroup
from engagement.models import Answer, Instrument, Invitation, Item, ReadinessResult, Response, ScoreRequest
from engagement.selectors import recommendations
from engagement.services import surveys as services_surveys
from engagement.services.surveys import AboutYou
from tests import factories as f
from tests.factories import engagement as ef

TODAY = datetime.date(2026, 3, 10)


def _instrument(**kwargs) -> Instrument:
    """Two dimensions of two items each; TR2 reverse-worded."""
    instrument = ef.InstrumentFactory(**kwargs)
    for position, (code, dimension, reverse_worded) in enumerate(
        [
            ("TR1", "trust", False),
            ("TR2", "trust", True),
            ("CA1", "capacity", False),
            ("CA2", "capacity", False),
        ],
        start=1,
    ):
        ef.ItemFactory(
            instrument=instrument,
            code=code,
            dimension=dimension,
            reverse_worded=reverse_worded,
            position=position,
        )
    return instrument


def _wave(hit, **kwargs):
    kwargs.setdefault("instrument", _instrument())
    return ef.WaveFactory(hit=hit, **kwargs)


def _invite(wave) -> str:
    """An invitation stored as the service stores it; returns the token only the email would carry."""
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))
    return token


def _partner(hit, name="North Bristol NHS Trust"):
    organisation = f.OrganisationFactory(name=name)
    ef.StakeholderFactory(hit=hit, organisation=organisation)
    return organisation


def _items(wave) -> dict[str, int]:
    return dict(Item.objects.filter(instrument=wave.instrument).values_list("code", "pk"))


# --- Tokens ------------------------------------------------------------------------------------------


def test_token_digests_differ_for_invitation_and_response():
    token = services_surveys.new_token()

    invitation_digest = services_surveys.token_digest(token)
    key = services_surveys.response_key(token)

    assert invitation_digest != key
    assert re.fullmatch(r"[0-9a-f]{64}", invitation_digest)
    assert re.fullmatch(r"[0-9a-f]{64}", key)
    assert services_surveys.token_digest(token) == invitation_digest  # deterministic


def test_new_tokens_are_long_and_distinct():
    tokens = {services_surveys.new_token() for _ in range(50)}

    assert len(tokens) == 50
    assert {len(t) for t in tokens} == {43}


def test_forged_token_is_not_valid(hit):
    _invite(_wave(hit))

    with pytest.raises(services_surveys.LinkNotValid) as caught:
        services_surveys.invitation_for_token(token="forged-token")

    assert caught.value.status == 404
    assert caught.value.title == "This link is not valid"


def test_token_of_a_closed_wave_is_refused_with_its_closing_date(hit):
    with time_machine.travel(TODAY):
        wave = _wave(
            hit, opens_on=TODAY - datetime.timedelta(days=20), closes_on=TODAY - datetime.timedelta(days=1)
        )
        token = _invite(wave)

        with pytest.raises(services_surveys.SurveyClosed) as caught:
            services_surveys.invitation_for_token(token=token)

    assert caught.value.status == 410
    assert caught.value.title == "This survey closed on 9 March 2026"


def test_token_of_a_wave_not_yet_open_is_refused(hit):
    with time_machine.travel(TODAY):
        wave = _wave(
            hit, opens_on=TODAY + datetime.timedelta(days=2), closes_on=TODAY + datetime.timedelta(days=9)
        )
        token = _invite(wave)

        with pytest.raises(services_surveys.SurveyClosed) as caught:
            services_surveys.invitation_for_token(token=token)

    assert caught.value.title == "This survey opens on 12 March 2026"


def test_last_day_of_a_wave_is_still_open(hit):
    with time_machine.travel(TODAY):
        token = _invite(_wave(hit, opens_on=TODAY, closes_on=TODAY))

        invitation = services_surveys.invitation_for_token(token=token)

    assert invitation.used is False


# --- Part-way saves, resume and submission -----------------------------------------------------------


def test_part_way_save_then_resume_with_the_same_link(hit):
    wave = _wave(hit)
    token = _invite(wave)
    items = _items(wave)

    services_surveys.response_save(token=token, answers={items["TR1"]: 4, items["TR2"]: None})
    state = services_surveys.survey_state(token=token)

    response = Response.objects.get()
    assert response.response_key == services_surveys.response_key(token)
    assert response.is_submitted is False
    assert state.answers == {items["TR1"]: 4, items["TR2"]: None}
    assert [s.dimension for s in state.sections] == ["trust", "capacity"]
    assert state.first_unanswered_section() == 2
    assert Invitation.objects.get().used is False


def test_saving_again_changes_the_answer_in_place(hit):
    wave = _wave(hit)
    token = _invite(wave)
    items = _items(wave)
    services_surveys.response_save(token=token, answers={items["TR1"]: 4})

    services_surveys.response_save(token=token, answers={items["TR1"]: 2})

    assert list(Answer.objects.values_list("item_id", "value")) == [(items["TR1"], 2)]


@pytest.mark.parametrize("value", [6, 0, -1, True, "4"])
def test_out_of_range_answer_is_refused_and_nothing_stored(hit, value):
    wave = _wave(hit)
    token = _invite(wave)
    items = _items(wave)

    with pytest.raises(ValidationError) as caught:
        services_surveys.response_save(token=token, answers={items["TR1"]: 4, items["TR2"]: value})

    assert "not on the scale" in caught.value.messages[0]
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0


def test_answer_to_an_item_of_another_instrument_is_refused(hit):
    wave = _wave(hit)
    token = _invite(wave)
    stranger = ef.ItemFactory()

    with pytest.raises(ValidationError):
        services_surveys.response_save(token=token, answers={stranger.pk: 3})

    assert Response.objects.count() == 0


def test_submit_marks_the_link_used_and_stores_only_organisation_role_and_day(
    hit, django_capture_on_commit_callbacks
):
    wave = _wave(hit)
    token = _invite(wave)
    organisation = _partner(hit)
    items = _items(wave)
    services_surveys.response_save(token=token, answers={items["TR1"]: 5, items["CA1"]: 2})

    with time_machine.travel(datetime.datetime(2026, 3, 10, 14, 35, tzinfo=datetime.UTC)):
        wave.opens_on, wave.closes_on = TODAY, TODAY
        wave.save(update_fields=["opens_on", "closes_on"])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services_surveys.response_submit(
                token=token, about=AboutYou(organisation_id=organisation.pk, role_group=RoleGroup.CLINICAL)
            )

    response = Response.objects.get()
    assert (response.is_submitted, response.submitted_on) == (True, TODAY)
    assert (response.organisation_id, response.role_group) == (organisation.pk, RoleGroup.CLINICAL)
    assert Invitation.objects.get().used is True
    # Nothing is computed while the wave is open: results come once, at its close.
    assert ScoreRequest.objects.count() == 0
    assert callbacks == []


def test_submit_with_prefer_not_to_say(hit):
    wave = _wave(hit)
    token = _invite(wave)
    services_surveys.response_save(token=token, answers={_items(wave)["TR1"]: 3})

    services_surveys.response_submit(token=token, about=AboutYou())

    response = Response.objects.get()
    assert (response.organisation_id, response.role_group) == (None, "")


def test_second_submission_with_the_same_link_is_refused(hit):
    wave = _wave(hit)
    token = _invite(wave)
    services_surveys.response_save(token=token, answers={_items(wave)["TR1"]: 3})
    services_surveys.response_submit(token=token, about=AboutYou(role_group=RoleGroup.ACADEMIC))

    with pytest.raises(services_surveys.LinkUsed) as caught:
        services_surveys.response_submit(token=token, about=AboutYou(role_group=RoleGroup.PUBLIC))

    assert caught.value.status == 410
    assert Response.objects.get().role_group == RoleGroup.ACADEMIC
    assert Response.objects.count() == 1


def test_saving_after_submission_is_refused(hit):
    wave = _wave(hit)
    token = _invite(wave)
    items = _items(wave)
    services_surveys.response_save(token=token, answers={items["TR1"]: 3})
    services_surveys.response_submit(token=token, about=AboutYou())

    with pytest.raises(services_surveys.LinkUsed):
        services_surveys.response_save(token=token, answers={items["TR1"]: 1})

    assert Answer.objects.get().value == 3


def test_submit_without_any_answer_is_refused(hit):
    token = _invite(_wave(hit))

    with pytest.raises(ValidationError) as caught:
        services_surveys.response_submit(token=token, about=AboutYou())

    assert caught.value.messages == [
        "You have not answered any statement yet. Go back and answer at least one."
    ]
    assert Invitation.objects.get().used is False
    assert Response.objects.count() == 0


def test_submit_with_an_organisation_outside_the_hit_is_refused(hit):
    wave = _wave(hit)
    token = _invite(wave)
    services_surveys.response_save(token=token, answers={_items(wave)["TR1"]: 3})
    elsewhere = f.OrganisationFactory()

    with pytest.raises(ValidationError) as caught:
        services_surveys.response_submit(token=token, about=AboutYou(organisation_id=elsewhere.pk))

    assert caught.value.message_dict == {
        "organisation": ["Choose one of the organisations listed, or prefer not to say."]
    }
    assert Response.objects.get().is_submitted is False
    assert Invitation.objects.get().used is False


def test_partner_organisations_are_the_maps_organisations_not_ended(hit, other_hit):
    kept = _partner(hit, "Bristol City Council")
    ended = f.OrganisationFactory(name="Old Partner")
    ef.StakeholderFactory(
        hit=hit, organisation=ended, end_date=timezone.localdate() - datetime.timedelta(days=1)
    )
    _partner(other_hit, "Somewhere Else")
    ef.StakeholderFactory(hit=hit, organisation=kept, category=ef.category("COMM"))  # twice on the map

    assert services_surveys.partner_organisations(hit_id=hit.pk) == [(kept.pk, "Bristol City Council")]


def test_submissions_are_counted_only_once_the_wave_closes(hit, director, django_capture_on_commit_callbacks):
    wave = _wave(hit)
    items = _items(wave)
    for _ in range(5):
        token = _invite(wave)
        services_surveys.response_save(token=token, answers={items["TR1"]: 4, items["TR2"]: 2})
        with django_capture_on_commit_callbacks(execute=True):
            services_surveys.response_submit(token=token, about=AboutYou())
    assert ReadinessResult.objects.count() == 0

    with django_capture_on_commit_callbacks(execute=True):
        services_surveys.wave_close(actor=director, wave_id=wave.pk)

    overall = ReadinessResult.objects.get(wave=wave, group_type="overall", dimension="trust")
    assert (overall.n, overall.suppressed, overall.score) == (5, False, 75.0)
    wave.refresh_from_db()
    assert wave.released_at is not None


def test_close_records_who_and_when_and_refuses_later_answers(hit, director):
    wave = _wave(hit)
    token = _invite(wave)
    services_surveys.response_save(token=token, answers={_items(wave)["TR1"]: 4})

    with time_machine.travel(timezone.now(), tick=False):
        services_surveys.wave_close(actor=director, wave_id=wave.pk)
        closed_at = timezone.now()

    wave.refresh_from_db()
    assert (wave.closed_at, wave.closed_by) == (closed_at, director)
    with pytest.raises(services_surveys.SurveyClosed) as caught:
        services_surveys.response_submit(token=token, about=AboutYou())
    assert caught.value.title == f"This survey closed on {timezone.localdate():%-d %B %Y}"
    with pytest.raises(services_surveys.SurveyClosed):
        services_surveys.response_save(token=token, answers={_items(wave)["TR1"]: 5})
    assert Response.objects.get().is_submitted is False
    assert Invitation.objects.get().used is False


@pytest.mark.parametrize("who", ["teammate", "sponsor", "board_member", "outsider"])
def test_close_by_anyone_but_the_director_or_a_programme_manager_is_refused(request, hit, who):
    wave = _wave(hit)

    with pytest.raises(PermissionDenied):
        services_surveys.wave_close(actor=request.getfixturevalue(who), wave_id=wave.pk)

    wave.refresh_from_db()
    assert wave.closed_at is None


def test_programme_manager_closes_a_wave(hit, programme_manager):
    wave = _wave(hit)

    services_surveys.wave_close(actor=programme_manager, wave_id=wave.pk)

    wave.refresh_from_db()
    assert wave.closed_by == programme_manager


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (-20, -1, "This survey already closed on"),
        (2, 9, "This survey opens on"),
    ],
)
def test_close_of_a_wave_not_open_is_refused(hit, director, opens, closes, message):
    today = timezone.localdate()
    wave = _wave(
        hit,
        opens_on=today + datetime.timedelta(days=opens),
        closes_on=today + datetime.timedelta(days=closes),
    )

    with pytest.raises(ValidationError) as caught:
        services_surveys.wave_close(actor=director, wave_id=wave.pk)

    assert caught.value.messages[0].startswith(message)
    wave.refresh_from_db()
    assert wave.closed_at is None


def test_close_twice_is_refused_the_second_time(hit, director):
    wave = _wave(hit)
    services_surveys.wave_close(actor=director, wave_id=wave.pk)

    with pytest.raises(ValidationError, match="already closed"):
        services_surveys.wave_close(actor=director, wave_id=wave.pk)


def test_invite_remind_and_new_link_are_refused_once_closed_early(hit, director):
    wave = _wave(hit)
    _invite(wave)
    services_surveys.wave_close(actor=director, wave_id=wave.pk)

    with pytest.raises(ValidationError, match="closed"):
        services_surveys.wave_invite(actor=director, wave_id=wave.pk, addresses=["new@example.org"])
    with pytest.raises(ValidationError, match="closed"):
        services_surveys.wave_remind(actor=director, wave_id=wave.pk)
    with pytest.raises(ValidationError, match="closed"):
        services_surveys.invitation_reissue(actor=director, wave_id=wave.pk, email="invitee0@example.org")


# --- Invitations and reminders -----------------------------------------------------------------------


def test_invite_stores_only_the_digest_and_emails_the_link(hit, director, django_capture_on_commit_callbacks):
    wave = _wave(hit, title="Baseline 2026")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services_surveys.wave_invite(
            actor=director,
            wave_id=wave.pk,
            addresses=["Ann@Example.org"],
            link_base="https://portal.example/",
        )

    invitation = Invitation.objects.get()
    [message] = mail.outbox
    token = re.search(r"https://portal\.example/engagement/survey/([\w-]+)/", message.body).group(1)
    assert outcome.invited == ["ann@example.org"]
    assert invitation.email == "ann@example.org"
    assert invitation.token_digest == services_surveys.token_digest(token)
    assert invitation.sent_at is not None
    assert token not in str(Invitation.objects.values().get())
    assert message.to == ["ann@example.org"]
    assert message.subject == "Dementia HIT: please take part in a short readiness survey"
    assert (
        'Dana Director invites you, on behalf of Dementia HIT, to take part in "Baseline 2026"'
        in message.body
    )
    assert "It has 4 statements" in message.body
    assert "Your answers are anonymous." in message.body
    html = message.alternatives[0][0]
    assert (
        f'<a href="https://portal.example/engagement/survey/{token}/">Open your personal survey link</a>'
        in html
    )


def test_invite_skips_people_already_invited_and_repeats(hit, director, django_capture_on_commit_callbacks):
    wave = _wave(hit)
    ef.InvitationFactory(wave=wave, email="bob@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        outcome = services_surveys.wave_invite(
            actor=director,
            wave_id=wave.pk,
            addresses=["bob@example.org", "cat@example.org", "CAT@example.org"],
        )

    assert outcome.invited == ["cat@example.org"]
    assert outcome.already_invited == ["bob@example.org"]
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "bob@example.org",
        "cat@example.org",
    ]
    assert [m.to for m in mail.outbox] == [["cat@example.org"]]


def test_invite_to_a_closed_wave_is_refused(hit, director):
    wave = _wave(
        hit,
        opens_on=timezone.localdate() - datetime.timedelta(days=9),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )

    with pytest.raises(ValidationError) as caught:
        services_surveys.wave_invite(actor=director, wave_id=wave.pk, addresses=["ann@example.org"])

    assert "closed on" in caught.value.message_dict["addresses"][0]
    assert Invitation.objects.count() == 0


def test_invite_by_a_member_of_another_hit_is_refused(hit, outsider):
    wave = _wave(hit)

    with pytest.raises(PermissionDenied):
        services_surveys.wave_invite(actor=outsider, wave_id=wave.pk, addresses=["ann@example.org"])

    assert Invitation.objects.count() == 0


def test_parse_addresses_splits_lines_and_commas_and_lists_invalid_ones():
    valid, invalid = services_surveys.parse_addresses(
        "ann@example.org, bob@example.org\n\nnot-an-email;Ann@example.org"
    )

    assert valid == ["ann@example.org", "bob@example.org"]
    assert invalid == ["not-an-email"]


def test_remind_only_unused_invitations_once_per_call(hit, director, django_capture_on_commit_callbacks):
    wave = _wave(hit, title="Baseline 2026")
    ef.InvitationFactory(wave=wave, email="used@example.org", used=True)
    ef.InvitationFactory(wave=wave, email="waiting@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        reminded = services_surveys.wave_remind(actor=director, wave_id=wave.pk)

    assert reminded == 1
    assert list(Invitation.objects.filter(reminded_at__isnull=False).values_list("email", flat=True)) == [
        "waiting@example.org"
    ]
    [message] = mail.outbox
    assert message.to == ["waiting@example.org"]
    assert (
        message.subject == f"Reminder: the Dementia HIT readiness survey closes on {wave.closes_on:%-d %B %Y}"
    )
    assert "Dementia HIT: please take part in a short readiness survey" in message.body
    assert "we keep no copy of your link, so we cannot send it again" in message.body
    assert "/engagement/survey/" not in message.body


def test_remind_after_the_wave_closed_is_refused(hit, director):
    wave = _wave(
        hit,
        opens_on=timezone.localdate() - datetime.timedelta(days=9),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    ef.InvitationFactory(wave=wave)

    with pytest.raises(ValidationError):
        services_surveys.wave_remind(actor=director, wave_id=wave.pk)

    assert Invitation.objects.filter(reminded_at__isnull=False).count() == 0


# --- Waves -------------------------------------------------------------------------------------------


def test_wave_create_with_a_published_instrument(hit, director):
    instrument = _instrument()
    today = timezone.localdate()

    wave = services_surveys.wave_create(
        actor=director,
        hit_id=hit.pk,
        title="Baseline",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=14),
        instrument_id=instrument.pk,
    )

    assert (wave.hit_id, wave.instrument_id, wave.created_by) == (hit.pk, instrument.pk, director)


@pytest.mark.parametrize(
    ("opens", "closes", "published", "errors"),
    [
        (0, 7, False, {"instrument": ["Choose a published version of the item bank."]}),
        (5, 2, True, {"closes_on": ["The closing date cannot be before the opening date."]}),
        (-9, -1, True, {"closes_on": ["The closing date cannot be in the past."]}),
    ],
)
def test_wave_create_refusals(hit, director, opens, closes, published, errors):
    today = timezone.localdate()

    with pytest.raises(ValidationError) as caught:
        services_surveys.wave_create(
            actor=director,
            hit_id=hit.pk,
            title="Baseline",
            opens_on=today + datetime.timedelta(days=opens),
            closes_on=today + datetime.timedelta(days=closes),
            instrument_id=_instrument(is_published=published).pk,
        )

    assert caught.value.message_dict == errors


def test_wave_create_by_a_board_member_is_refused(hit, board_member):
    with pytest.raises(PermissionDenied):
        services_surveys.wave_create(
            actor=board_member,
            hit_id=hit.pk,
            title="Baseline",
            opens_on=timezone.localdate(),
            closes_on=timezone.localdate(),
            instrument_id=_instrument().pk,
        )


# --- Item bank ---------------------------------------------------------------------------------------


def test_new_version_copies_the_latest_items_unpublished(programme_manager):
    first = _instrument(name="Bank", version=1)

    second = services_surveys.instrument_new_version(actor=programme_manager, instrument_id=first.pk)

    assert (second.name, second.version, second.is_published) == ("Bank", 2, False)
    assert list(second.items.values_list("code", "dimension", "reverse_worded", "position")) == list(
        first.items.values_list("code", "dimension", "reverse_worded", "position")
    )
    assert first.items.count() == 4  # the original is untouched


def test_new_version_while_the_latest_is_a_draft_is_refused(programme_manager):
    first = _instrument(name="Bank", version=1)
    _instrument(name="Bank", version=2, is_published=False)

    with pytest.raises(ValidationError) as caught:
        services_surveys.instrument_new_version(actor=programme_manager, instrument_id=first.pk)

    assert caught.value.messages == [
        "Version 2 is still a draft: change or publish it before starting another."
    ]
    assert Instrument.objects.filter(name="Bank").count() == 2


def test_new_version_by_a_hit_director_is_refused(director):
    with pytest.raises(PermissionDenied):
        services_surveys.instrument_new_version(actor=director, instrument_id=_instrument().pk)


def test_published_items_are_frozen(programme_manager):
    item = _instrument().items.first()
    item.text = "Changed"

    with pytest.raises(PermissionDenied) as caught:
        services_surveys.item_save(actor=programme_manager, item=item)

    assert "is published, so its items are frozen" in str(caught.value)
    assert Item.objects.get(pk=item.pk).text != "Changed"


def test_draft_item_is_saved_and_a_duplicate_code_refused(programme_manager):
    draft = _instrument(is_published=False)
    item = Item(instrument=draft, code="TR9", dimension=Dimension.TRUST, text="New item", position=9)

    services_surveys.item_save(actor=programme_manager, item=item)
    with pytest.raises(ValidationError):
        services_surveys.item_save(
            actor=programme_manager,
            item=Item(instrument=draft, code="TR9", dimension=Dimension.TRUST, text="Again", position=10),
        )

    assert draft.items.filter(code="TR9").count() == 1


def test_publish_freezes_a_draft_and_refuses_an_empty_one(programme_manager):
    draft = _instrument(is_published=False)
    empty = ef.InstrumentFactory(is_published=False)

    services_surveys.instrument_publish(actor=programme_manager, instrument_id=draft.pk)
    with pytest.raises(ValidationError):
        services_surveys.instrument_publish(actor=programme_manager, instrument_id=empty.pk)

    draft.refresh_from_db()
    empty.refresh_from_db()
    assert (draft.is_published, empty.is_published) == (True, False)


# --- Recommendations ---------------------------------------------------------------------------------


def test_recommendations_follow_the_seeded_statements_elements(db):
    found = recommendations.for_dimensions(["capacity", "sharedness", "trust"])

    assert [r.dimension for r in found] == ["trust", "sharedness", "capacity"]
    assert [s.code for s in found[1].statements] == ["A2.2", "A7.3"]
    assert [s.code for s in found[2].statements] == ["A8.1", "A8.2", "A8.3", "A8.4"]
    assert [s.code for s in found[0].statements][:2] == ["A1.1", "A2.1"]


def test_no_weak_dimension_no_recommendation(db):
    assert recommendations.for_dimensions([]) == []
