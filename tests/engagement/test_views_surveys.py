"""Readiness survey pages: item bank, waves, the respondent's journey, results and export."""

from __future__ import annotations

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from engagement.enums import RoleGroup
from engagement.models import Answer, Instrument, Invitation, Item, ReadinessResult, Response, Wave
from engagement.services import releases as services
from engagement.services import surveys as services_surveys
from engagement.services.surveys import AboutYou
from tests import factories as f
from tests.factories import engagement as ef


@pytest.fixture
def director_client(client, director):
    client.force_login(director)
    return client


@pytest.fixture
def pm_client(client, programme_manager):
    client.force_login(programme_manager)
    return client


def _instrument(**kwargs) -> Instrument:
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


def _wave(hit, **kwargs) -> Wave:
    kwargs.setdefault("instrument", _instrument())
    return ef.WaveFactory(hit=hit, **kwargs)


def _close_and_release(wave) -> Wave:
    """The wave's closing day passes (it had opened five days before) and the worker releases it."""
    Wave.objects.filter(pk=wave.pk).update(closes_on=timezone.localdate() - datetime.timedelta(days=1))
    services.readiness_release(wave_ids=[wave.pk])
    wave.refresh_from_db()
    return wave


def _token(wave) -> str:
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, token_digest=services_surveys.token_digest(token))
    return token


def _respond_url(token: str) -> str:
    return reverse("engagement:survey-respond", kwargs={"token": token})


def _items(wave) -> dict[str, int]:
    return dict(Item.objects.filter(instrument=wave.instrument).values_list("code", "pk"))


class _Labels(HTMLParser):
    """label[for] -> text, and the classes of every radio input by id."""

    def __init__(self) -> None:
        super().__init__()
        self.labels: dict[str, str] = {}
        self.radios: dict[str, str] = {}
        self._current: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self._current = attrs.get("for") or ""
            self.labels[self._current] = ""
        if tag == "input" and attrs.get("type") == "radio":
            self.radios[attrs["id"]] = attrs.get("class", "")

    def handle_endtag(self, tag):
        if tag == "label":
            self._current = None

    def handle_data(self, data):
        if self._current is not None:
            self.labels[self._current] += data


def _parse(html: str) -> _Labels:
    parser = _Labels()
    parser.feed(html)
    return parser


# --- The respondent's journey ------------------------------------------------------------------------


def test_respondent_journey_end_to_end_with_an_emailed_token(
    client, director, hit, django_capture_on_commit_callbacks
):
    wave = _wave(hit, title="Baseline 2026")
    organisation = f.OrganisationFactory(name="Bristol City Council")
    ef.StakeholderFactory(hit=hit, organisation=organisation)
    items = _items(wave)
    client.force_login(director)
    with django_capture_on_commit_callbacks(execute=True):
        invited = client.post(
            reverse("engagement:wave-invite", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
            {"addresses": "ann@example.org"},
        )
    link = re.search(r"http://127.0.0.1:8000(/engagement/survey/[\w-]+/)", mail.outbox[0].body).group(1)
    client.logout()

    first = client.get(link)
    to_second = client.post(
        link, {"section": 1, "action": "next", f"item_{items['TR1']}": "5", f"item_{items['TR2']}": "dk"}
    )
    second = client.get(to_second.url)
    back = client.post(link, {"section": 2, "action": "previous", f"item_{items['CA1']}": "2"})
    saved = client.post(link, {"section": 1, "action": "save", f"item_{items['TR1']}": "4"})
    saved_page = client.get(saved.url)
    resumed = client.get(link)  # later, from the email again
    client.post(link, {"section": 2, "action": "next", f"item_{items['CA2']}": "3"})
    last = client.get(f"{link}?section=3")
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(
            link,
            {
                "section": 3,
                "action": "submit",
                "organisation": organisation.pk,
                "role_group": RoleGroup.CLINICAL,
            },
        )
    again = client.get(link)

    assert invited.status_code == 302
    assert first.status_code == 200
    assert "Section 1 of 2" in first.content.decode()
    assert "Trust" in first.content.decode()
    assert to_second.url == f"{link}?section=2"
    assert "Section 2 of 2" in second.content.decode()
    assert back.url == f"{link}?section=1"
    assert saved.url == f"{link}?section=1&saved=1"
    assert "Your answers so far are saved." in saved_page.content.decode()
    assert "Welcome back" in resumed.content.decode()
    assert "Section 2 of 2" in resumed.content.decode()  # the first section with a gap
    assert "Last step: about you" in last.content.decode()
    assert "Bristol City Council" in last.content.decode()
    assert submitted.status_code == 200
    assert "Your answers to Baseline 2026 have been received." in submitted.content.decode()
    response = Response.objects.get()
    assert (response.is_submitted, response.organisation, response.role_group) == (
        True,
        organisation,
        "clinical",
    )
    assert dict(Answer.objects.values_list("item_id", "value")) == {
        items["TR1"]: 4,
        items["TR2"]: None,
        items["CA1"]: 2,
        items["CA2"]: 3,
    }
    assert Invitation.objects.get().used is True
    assert not ReadinessResult.objects.filter(wave=wave).exists()  # counted once, when the wave closes
    assert again.status_code == 410
    assert "This link has already been used" in again.content.decode()


def test_respondent_page_is_phone_friendly(client, hit):
    wave = _wave(hit)
    token = _token(wave)
    items = _items(wave)

    response = client.get(_respond_url(token))

    html = response.content.decode()
    parsed = _parse(html)
    radio_ids = [rid for rid in parsed.radios if rid.startswith(f"id_item_{items['TR1']}_")]
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert len(radio_ids) == 6
    assert {parsed.radios[rid] for rid in radio_ids} == {"form-check-input"}
    assert [parsed.labels[rid] for rid in radio_ids] == [
        "Strongly disagree",
        "Disagree",
        "Neither agree nor disagree",
        "Agree",
        "Strongly agree",
        "Don't know",
    ]
    assert html.count('class="form-check position-relative border rounded ps-5 pe-3 py-2 mb-2 fs-5"') == 12
    assert '<progress class="w-100 mb-3" max="3" value="1"' in html
    assert "Section 1 of 2" in html
    assert ">Next</button>" in html
    assert "Save and finish later" in html
    assert ">Previous</button>" not in html  # nothing before the first section
    assert response["Referrer-Policy"] == "same-origin"  # no-referrer sends Origin: null; CSRF refuses
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("forged", ["6", "x", "0"])
def test_out_of_range_answer_shows_a_message_and_stores_nothing(client, hit, forged):
    wave = _wave(hit)
    token = _token(wave)
    items = _items(wave)

    response = client.post(
        _respond_url(token),
        {"section": 1, "action": "next", f"item_{items['TR1']}": "4", f"item_{items['TR2']}": forged},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert (
        "Choose one of the answers shown: from strongly disagree to strongly agree, or don&#x27;t know."
        in html
    )
    assert Response.objects.count() == 0
    assert Answer.objects.count() == 0


def test_forged_organisation_on_the_last_page_stores_nothing(client, hit):
    wave = _wave(hit)
    token = _token(wave)
    services_surveys.response_save(token=token, answers={_items(wave)["TR1"]: 4})
    elsewhere = f.OrganisationFactory()

    response = client.post(
        _respond_url(token),
        {"section": 3, "action": "submit", "organisation": elsewhere.pk, "role_group": ""},
    )

    assert response.status_code == 200
    assert "Choose one of the organisations listed, or prefer not to say." in response.content.decode()
    assert Response.objects.get().is_submitted is False
    assert Invitation.objects.get().used is False


def test_submitting_without_answers_explains(client, hit):
    token = _token(_wave(hit))

    response = client.post(
        _respond_url(token), {"section": 3, "action": "submit", "organisation": "", "role_group": ""}
    )

    assert response.status_code == 200
    assert "You have not answered any statement yet." in response.content.decode()
    assert Invitation.objects.get().used is False


def test_forged_token_page_is_not_found(client, hit):
    _token(_wave(hit))

    response = client.get(_respond_url("x" * 43))

    assert response.status_code == 404
    assert "<h1>This link is not valid</h1>" in response.content.decode()


def test_expired_wave_link_is_gone_with_its_closing_date(client, hit):
    today = timezone.localdate()
    wave = _wave(
        hit, opens_on=today - datetime.timedelta(days=30), closes_on=today - datetime.timedelta(days=2)
    )
    token = _token(wave)

    get = client.get(_respond_url(token))
    post = client.post(_respond_url(token), {"section": 1, "action": "next"})

    closed = wave.closes_on
    assert (get.status_code, post.status_code) == (410, 410)
    assert f"This survey closed on {closed.day} {closed:%B %Y}" in get.content.decode()
    assert Response.objects.count() == 0


def test_wave_not_yet_open_link_is_gone_until_it_opens(client, hit):
    today = timezone.localdate()
    token = _token(
        _wave(hit, opens_on=today + datetime.timedelta(days=3), closes_on=today + datetime.timedelta(days=9))
    )

    response = client.get(_respond_url(token))

    assert response.status_code == 410
    assert "This survey opens on" in response.content.decode()


def test_used_link_cannot_post_again(client, hit):
    wave = _wave(hit)
    token = _token(wave)
    services_surveys.response_save(token=token, answers={_items(wave)["TR1"]: 4})
    services_surveys.response_submit(token=token, about=AboutYou())

    response = client.post(
        _respond_url(token), {"section": 3, "action": "submit", "organisation": "", "role_group": ""}
    )

    assert response.status_code == 410
    assert Response.objects.count() == 1


# --- Waves -------------------------------------------------------------------------------------------


def test_wave_create_offers_only_published_versions_and_checks_dates(director_client, hit):
    published = _instrument(name="Bank", version=1)
    _instrument(name="Bank", version=2, is_published=False)
    today = timezone.localdate()
    url = reverse("engagement:wave-create", kwargs={"hit_pk": hit.pk})

    form_page = director_client.get(url)
    bad = director_client.post(
        url,
        {
            "title": "Baseline",
            "instrument": published.pk,
            "opens_on": today.isoformat(),
            "closes_on": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )
    good = director_client.post(
        url,
        {
            "title": "Baseline",
            "instrument": published.pk,
            "opens_on": today.isoformat(),
            "closes_on": (today + datetime.timedelta(days=21)).isoformat(),
        },
    )

    choices = [str(c[1]) for c in form_page.context["form"].fields["instrument"].choices]
    assert "Bank v1" in choices and "Bank v2" not in choices
    assert bad.status_code == 200
    assert "The closing date cannot be before the opening date." in bad.content.decode()
    wave = Wave.objects.get()
    assert good.url == reverse("engagement:wave-detail", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    assert (wave.title, wave.created_by_id) == ("Baseline", form_page.wsgi_request.user.pk)


def test_wave_create_refuses_a_closing_date_in_the_past(director_client, hit):
    today = timezone.localdate()

    response = director_client.post(
        reverse("engagement:wave-create", kwargs={"hit_pk": hit.pk}),
        {
            "title": "Old",
            "instrument": _instrument().pk,
            "opens_on": (today - datetime.timedelta(days=9)).isoformat(),
            "closes_on": (today - datetime.timedelta(days=1)).isoformat(),
        },
    )

    assert "The closing date cannot be in the past." in response.content.decode()
    assert Wave.objects.count() == 0


def test_invite_lists_invalid_addresses_next_to_the_field_and_stores_nothing(
    director_client, hit, django_capture_on_commit_callbacks
):
    wave = _wave(hit)

    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(
            reverse("engagement:wave-invite", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
            {"addresses": "ann@example.org\nnot-an-address, bob@@example"},
        )

    html = response.content.decode()
    assert response.status_code == 200
    assert '<a class="alert-link" href="#id_addresses">' in html
    assert "These are not valid email addresses: not-an-address, bob@@example." in html
    assert 'id="error_1_id_addresses"' in html  # crispy's message under the field
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_invite_ignores_duplicates_and_says_so(director_client, hit, django_capture_on_commit_callbacks):
    wave = _wave(hit)
    ef.InvitationFactory(wave=wave, email="bob@example.org")
    url = reverse("engagement:wave-invite", kwargs={"hit_pk": hit.pk, "pk": wave.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(
            url, {"addresses": "ann@example.org, bob@example.org, ANN@example.org"}, follow=True
        )

    assert "Invited 1 person. 1 was already invited and was skipped." in response.content.decode()
    assert sorted(Invitation.objects.values_list("email", flat=True)) == [
        "ann@example.org",
        "bob@example.org",
    ]
    assert len(mail.outbox) == 1


def test_wave_detail_shows_counts_never_who_answered(director_client, hit):
    wave = _wave(hit)
    ef.InvitationFactory(wave=wave, email="answered@example.org", used=True, sent_at=timezone.now())
    ef.InvitationFactory(
        wave=wave, email="waiting@example.org", sent_at=timezone.now(), reminded_at=timezone.now()
    )

    response = director_client.get(
        reverse("engagement:wave-detail", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    )

    html = response.content.decode()
    counts = response.context["counts"]
    assert (counts.sent, counts.reminded, counts.used) == (2, 1, 1)
    assert "answered@example.org" not in html
    assert "waiting@example.org" not in html
    assert "Remind everyone yet to answer (1)" in html


def test_remind_records_reminded_at_once_per_click(director_client, hit, django_capture_on_commit_callbacks):
    wave = _wave(hit)
    ef.InvitationFactory(wave=wave, email="waiting@example.org")
    url = reverse("engagement:wave-remind", kwargs={"hit_pk": hit.pk, "pk": wave.pk})

    with django_capture_on_commit_callbacks(execute=True):
        response = director_client.post(url, follow=True)
    first = Invitation.objects.get().reminded_at
    with django_capture_on_commit_callbacks(execute=True):
        director_client.post(url)

    assert "Sent a reminder to 1 person yet to answer." in response.content.decode()
    assert first is not None
    assert Invitation.objects.get().reminded_at >= first
    assert len(mail.outbox) == 2


def test_wave_list_links_to_results_for_a_board_member_without_management(client, board_member, hit):
    wave = _wave(hit, title="Baseline", released=True)
    client.force_login(board_member)

    response = client.get(reverse("engagement:wave-list", kwargs={"hit_pk": hit.pk}))

    html = response.content.decode()
    assert reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk}) in html
    assert f'href="{reverse("engagement:wave-detail", kwargs={"hit_pk": hit.pk, "pk": wave.pk})}"' not in html
    assert "Plan a survey wave" not in html


def test_wave_list_offers_no_results_of_an_open_wave(director_client, hit):
    wave = _wave(hit, title="Baseline")

    response = director_client.get(reverse("engagement:wave-list", kwargs={"hit_pk": hit.pk}))

    html = response.content.decode()
    assert reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk}) not in html
    assert "When it closes" in html


@pytest.mark.parametrize("rows", [1, 12])
def test_wave_list_query_count_is_constant(director_client, hit, django_assert_max_num_queries, rows):
    instrument = _instrument()
    for n in range(rows):
        wave = ef.WaveFactory(hit=hit, instrument=instrument, title=f"Wave {n}")
        ef.InvitationFactory(wave=wave, used=True)
        ef.InvitationFactory(wave=wave)

    # session + user + 3 role lookups + HIT + waves with counts
    with django_assert_max_num_queries(7):
        response = director_client.get(reverse("engagement:wave-list", kwargs={"hit_pk": hit.pk}))

    assert response.status_code == 200
    assert [(w.invited, w.used) for w in response.context["waves"]] == [(2, 1)] * rows


# --- Results and export ------------------------------------------------------------------------------


def _respondents(wave, organisation, count: int, trust: int, capacity: int, role=RoleGroup.CLINICAL):
    items = _items(wave)
    for _ in range(count):
        token = _token(wave)
        services_surveys.response_save(
            token=token,
            answers={
                items["TR1"]: trust,
                items["TR2"]: 6 - trust,
                items["CA1"]: capacity,
                items["CA2"]: capacity,
            },
        )
        services_surveys.response_submit(
            token=token, about=AboutYou(organisation_id=organisation.pk, role_group=role)
        )


@pytest.fixture
def counted_wave(hit):
    """Six respondents of one partner and four of another (suppressed), counted by the worker."""
    wave = _wave(hit, title="Baseline")
    big = f.OrganisationFactory(name="Acute Trust")
    small = f.OrganisationFactory(name="Small Charity")
    for organisation in (big, small):
        ef.StakeholderFactory(hit=hit, organisation=organisation)
    _respondents(wave, big, 6, trust=5, capacity=2)
    # The small group's trust would score (3.5 - 1) / 4 x 100 = 62.5 - if it were shown.
    _respondents(wave, small, 4, trust=3, capacity=1, role=RoleGroup.ACADEMIC)
    items = _items(wave)
    for response in Response.objects.filter(organisation=small)[:2]:
        Answer.objects.filter(response=response, item_id=items["TR1"]).update(value=5)
    return _close_and_release(wave)


def test_results_show_suppressed_groups_without_numbers(director_client, hit, counted_wave):
    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": counted_wave.pk})
    )

    html = response.content.decode()
    small = ReadinessResult.objects.get(wave=counted_wave, group_label="Small Charity", dimension="trust")
    assert (small.suppressed, small.n) == (True, 4)
    assert response.status_code == 200
    assert "Small Charity" in html
    section = html.split("Small Charity", 1)[1].split("</tbody>", 1)[0]
    assert "Fewer than 5 responses" in section
    text = re.sub(r"<[^>]+>", "", section).replace("Fewer than 5 responses", "")
    assert re.search(r"\d", text) is None  # no figure at all, n included
    assert "62.5" not in html
    assert "Acute Trust" in html


def test_results_hide_a_group_that_would_reveal_a_suppressed_one_by_subtraction(
    director_client, hit, counted_wave
):
    """Overall 10 less Acute Trust's 6 would be Small Charity's 4: Acute Trust is hidden too."""
    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": counted_wave.pk})
    )
    export = director_client.get(
        reverse("engagement:wave-results-export", kwargs={"hit_pk": hit.pk, "pk": counted_wave.pk})
    )

    html = response.content.decode()
    acute = ReadinessResult.objects.get(wave=counted_wave, group_label="Acute Trust", dimension="trust")
    assert (acute.suppressed, acute.n, acute.score) == (False, 6, 100.0)  # stored by the worker
    section = html.split("Acute Trust", 1)[1].split("</tbody>", 1)[0]
    assert "Not shown, so that a smaller group&#x27;s answers cannot be worked out" in section
    assert "100.0" not in section
    rows = [row[:-1] for row in csv.reader(io.StringIO(export.content.decode()))]  # less the "as of"
    assert [
        "Trust",
        "Organisation",
        "Acute Trust",
        "",
        "",
        "",
        "",
        "",
        "",
        "suppressed (protects a smaller group)",
    ] in rows
    assert "Organisations differ" not in html  # no divergence computed from hidden groups


def test_results_show_a_group_when_the_rest_are_five_or_more(director_client, hit):
    wave = _wave(hit)
    acute = f.OrganisationFactory(name="Acute Trust")
    charity = f.OrganisationFactory(name="Small Charity")
    for organisation in (acute, charity):
        ef.StakeholderFactory(hit=hit, organisation=organisation)
    _respondents(wave, acute, 6, trust=5, capacity=2)
    _respondents(wave, charity, 2, trust=3, capacity=1)
    items = _items(wave)
    for _ in range(3):  # three more who prefer not to say: the remainder is 5
        token = _token(wave)
        services_surveys.response_save(token=token, answers={items["TR1"]: 3, items["TR2"]: 3})
        services_surveys.response_submit(token=token, about=AboutYou())
    _close_and_release(wave)

    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    )

    [acute_block, charity_block] = response.context["results"].by_organisation
    trust = {row.dimension: row for row in acute_block.rows}["trust"]
    assert (trust.suppressed, trust.n, trust.score) == (False, 6, 100)
    capacity = {row.dimension: row for row in acute_block.rows}["capacity"]
    assert capacity.protects_smaller_group is True  # only 2 answered capacity outside Acute Trust
    assert charity_block.all_suppressed is True


def test_results_show_scores_flags_levels_and_recommended_actions(director_client, hit, counted_wave):
    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": counted_wave.pk})
    )

    html = response.content.decode()
    overall = {row.dimension: row for row in response.context["results"].overall}
    # Capacity: six answer 2 and four answer 1 -> mean 1.6 -> R = 15.0, pathological, low.
    assert (overall["capacity"].n, overall["capacity"].score, overall["capacity"].level_label) == (
        10,
        15,
        "Pathological",
    )
    # Ten respondents: the spread is shown, rounded (six at 1.6 - 2 = ..., SD of 2, 2, ..., 1, 1).
    assert (overall["capacity"].sd, overall["capacity"].pct_agree) == (0.5, 0)
    assert overall["capacity"].flags == ["Low: below 50"]
    assert "Released on " in html
    assert "Recommended actions" in html
    assert "A8.3" in html  # capacity's statements, from the seeded elements
    assert "Weakest: <strong>Capacity (time and resources)</strong> (15)" in html


def test_results_flag_a_divergence_between_role_groups(director_client, hit):
    wave = _wave(hit)
    acute = f.OrganisationFactory(name="Acute Trust")
    ef.StakeholderFactory(hit=hit, organisation=acute)
    _respondents(wave, acute, 5, trust=5, capacity=3, role=RoleGroup.CLINICAL)
    _respondents(wave, acute, 5, trust=2, capacity=3, role=RoleGroup.MANAGEMENT)
    _close_and_release(wave)

    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    )

    overall = {row.dimension: row for row in response.context["results"].overall}
    # Role groups 75 points apart do not agree within the whole group either.
    assert overall["trust"].flags == [
        "the group does not agree; one score hides it",
        "Role groups differ by 75 points",
    ]
    assert overall["capacity"].flags == []
    assert "Role groups differ by 75 points" in response.content.decode()


def test_results_of_an_open_wave_say_when_they_come_and_show_no_figure(director_client, hit):
    wave = _wave(hit)
    # Even if results were stored while it was open (none should be), the page shows none.
    ef.ReadinessResultFactory(wave=wave, dimension="trust", n=7, score=87.654321, level=3)

    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    )
    export = director_client.get(
        reverse("engagement:wave-results-export", kwargs={"hit_pk": hit.pk, "pk": wave.pk}), follow=True
    )

    html = response.content.decode()
    assert f"Results are released once, when this wave closes on {wave.closes_on:%-d %B %Y}" in html
    assert re.search(r"\b8[78](\.\d+)?\b", html) is None
    assert "Download for a workshop" not in html
    assert export.redirect_chain[0][0] == reverse(
        "engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk}
    )
    assert "Results are released when the survey closes" in export.content.decode()


def test_results_of_a_closed_wave_not_yet_released_say_they_are_being_prepared(director_client, hit):
    wave = _wave(hit, closed=True)

    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    )

    assert "Its results are being prepared" in response.content.decode()


def test_results_of_a_wave_nobody_answered_have_no_figure(director_client, hit):
    wave = _close_and_release(_wave(hit))

    response = director_client.get(
        reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    )

    overall = response.context["results"].overall
    assert [(row.dimension, row.suppressed, row.score) for row in overall] == [
        ("trust", True, None),
        ("capacity", True, None),
    ]


@pytest.mark.parametrize("groups", [1, 8])
def test_wave_results_query_count_is_constant(director_client, hit, django_assert_max_num_queries, groups):
    wave = _wave(hit, released=True)
    for dimension in ("trust", "capacity"):
        ef.ReadinessResultFactory(wave=wave, dimension=dimension, score=40.0)
        for n in range(groups):
            ef.ReadinessResultFactory(
                wave=wave,
                dimension=dimension,
                group_type="organisation",
                group_key=str(n),
                group_label=f"Org {n}",
            )

    # session + user + 3 role lookups + HIT + wave + results + statements + the stored change
    with django_assert_max_num_queries(10):
        response = director_client.get(
            reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
        )

    assert response.status_code == 200
    assert len(response.context["results"].by_organisation) == groups


def test_export_has_figures_suppression_and_formula_safe_cells(director_client, hit):
    wave = _wave(hit, released=True)
    ef.ReadinessResultFactory(wave=wave, dimension="trust", n=15, score=40.0, sd=0.5, pct_agree=22.2, level=2)
    ef.ReadinessResultFactory(
        wave=wave,
        dimension="trust",
        group_type="organisation",
        group_key="1",
        group_label='=HYPERLINK("http://evil.example")',
        n=6,
    )
    ef.ReadinessResultFactory(
        wave=wave,
        dimension="trust",
        group_type="organisation",
        group_key="2",
        group_label="Small Charity",
        n=4,
        suppressed=True,
        score=None,
        mean=None,
        sd=None,
        pct_agree=None,
        level=None,
    )
    ef.ReadinessResultFactory(
        wave=wave, dimension="trust", group_type="role", group_key="clinical", group_label="-1+1", n=5
    )

    response = director_client.get(
        reverse("engagement:wave-results-export", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
    )

    rows = list(csv.reader(io.StringIO(response.content.decode())))
    # Every row ends with when the worker computed the figures (the results' computed_at, local time).
    computed = ReadinessResult.objects.filter(wave=wave).latest("computed_at").computed_at
    assert rows[0][-1] == "as of (computed at)"
    assert {row[-1] for row in rows[1:]} == {timezone.localtime(computed).strftime("%Y-%m-%d %H:%M")}
    rows = [row[:-1] for row in rows]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response["Content-Disposition"] == f'attachment; filename="readiness-{hit.slug}-wave-{wave.pk}.csv"'
    )
    assert rows == [
        [
            "dimension",
            "group type",
            "group",
            "n",
            "score",
            "SD",
            "% agreeing",
            "agreement (rWG)",
            "level",
            "flag",
        ],
        [
            "Trust",
            "All respondents",
            "All respondents",
            "15",
            "40",
            "0.5",
            "22",
            "",
            "Bureaucratic",
            "Low: below 50",
        ],
        [
            "Trust",
            "Organisation",
            '\'=HYPERLINK("http://evil.example")',
            "6",
            "63",
            "",
            "",
            "",
            "Bureaucratic",
            "",
        ],
        ["Trust", "Organisation", "Small Charity", "", "", "", "", "", "", "suppressed"],
        ["Trust", "Role group", "'-1+1", "5", "63", "", "", "", "Bureaucratic", ""],
    ]


def test_export_cell_starting_with_a_formula_character_is_quoted(director_client, hit):
    """Labels of every group type are prefixed, whatever the column."""
    from engagement.views.surveys import _cell

    assert [_cell(v) for v in ["=1+1", "+1", "-1", "@SUM(A1)", "plain", None, 5]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "plain",
        "",
        "5",
    ]


def test_board_member_reads_results_and_export(client, board_member, hit, counted_wave):
    client.force_login(board_member)

    page = client.get(reverse("engagement:wave-results", kwargs={"hit_pk": hit.pk, "pk": counted_wave.pk}))
    export = client.get(
        reverse("engagement:wave-results-export", kwargs={"hit_pk": hit.pk, "pk": counted_wave.pk})
    )

    assert (page.status_code, export.status_code) == (200, 200)
    assert "Plan a survey wave" not in page.content.decode()
    assert "suppressed" in export.content.decode()


# --- Item bank ---------------------------------------------------------------------------------------


def test_new_version_then_edit_and_publish(pm_client):
    first = Instrument.objects.get(name="Readiness for collaboration", version=1)

    made = pm_client.post(reverse("engagement:instrument-new-version", kwargs={"pk": first.pk}))
    second = Instrument.objects.get(name=first.name, version=2)
    item = second.items.get(code="TR1")
    edited = pm_client.post(
        reverse("engagement:item-edit", kwargs={"pk": second.pk, "item_pk": item.pk}),
        {
            "code": "TR1",
            "dimension": "trust",
            "text": "I trust our partners.",
            "reverse_worded": "",
            "position": 1,
        },
    )
    published = pm_client.post(
        reverse("engagement:instrument-publish", kwargs={"pk": second.pk}), follow=True
    )

    assert made.url == reverse("engagement:instrument-detail", kwargs={"pk": second.pk})
    assert edited.status_code == 302
    assert Item.objects.get(pk=item.pk).text == "I trust our partners."
    assert first.items.get(code="TR1").text != "I trust our partners."
    assert "Version 2 is published; its items are now frozen." in published.content.decode()
    second.refresh_from_db()
    assert second.is_published is True


def test_item_add_with_a_duplicate_code_shows_the_error(pm_client):
    draft = _instrument(is_published=False)

    response = pm_client.post(
        reverse("engagement:item-create", kwargs={"pk": draft.pk}),
        {"code": "tr1", "dimension": "trust", "text": "Another", "position": 5},
    )

    assert response.status_code == 200
    assert f"Version {draft.version} already has an item TR1." in response.content.decode()
    assert draft.items.count() == 4


def test_item_remove_from_a_draft(pm_client):
    draft = _instrument(is_published=False)
    item = draft.items.get(code="CA2")

    pm_client.post(reverse("engagement:item-delete", kwargs={"pk": draft.pk, "item_pk": item.pk}))

    assert list(draft.items.values_list("code", flat=True)) == ["TR1", "TR2", "CA1"]


def test_published_detail_offers_a_new_version_not_edits(pm_client):
    first = Instrument.objects.get(name="Readiness for collaboration", version=1)

    response = pm_client.get(reverse("engagement:instrument-detail", kwargs={"pk": first.pk}))

    html = response.content.decode()
    assert "Start version 2 as a copy" in html
    assert "is published, so its items are frozen" in html
    assert reverse("engagement:item-create", kwargs={"pk": first.pk}) not in html
    assert len(response.context["items"]) == 30


@pytest.mark.parametrize("versions", [1, 5])
def test_instrument_list_query_count_is_constant(pm_client, django_assert_max_num_queries, versions):
    for n in range(versions):
        _instrument(name=f"Bank {n}")

    # session + user + 3 role lookups + instruments with counts
    with django_assert_max_num_queries(6):
        response = pm_client.get(reverse("engagement:instrument-list"))

    assert len(response.context["instruments"]) == versions + 1  # and the seeded bank


# --- A new link for someone who lost theirs -----------------------------------------------------------------


def _old_token(wave, email: str, **kwargs) -> str:
    token = services_surveys.new_token()
    ef.InvitationFactory(wave=wave, email=email, token_digest=services_surveys.token_digest(token), **kwargs)
    return token


def _reissue(client, hit, wave, email: str, **kwargs):
    return client.post(
        reverse("engagement:wave-reissue", kwargs={"hit_pk": hit.pk, "pk": wave.pk}),
        {"email": email},
        **kwargs,
    )


def test_a_new_link_replaces_the_lost_one(director_client, hit, django_capture_on_commit_callbacks):
    wave = _wave(hit)
    old = _old_token(wave, "ann@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        response = _reissue(director_client, hit, wave, "Ann@Example.org", follow=True)

    [message] = mail.outbox
    new = re.search(r"/engagement/survey/([\w-]+)/", message.body).group(1)
    assert message.to == ["ann@example.org"]
    assert "this one replaces the link we sent before" in message.body
    assert new != old
    assert Invitation.objects.get().token_digest == services_surveys.token_digest(new)
    with pytest.raises(services_surveys.LinkNotValid):
        services_surveys.invitation_for_token(token=old)
    assert services_surveys.invitation_for_token(token=new).email == "ann@example.org"
    assert "a new link is on its way to them" in response.content.decode()


@pytest.mark.parametrize("case", ["answered", "never invited"])
def test_the_sender_learns_nothing_about_who_answered(
    director_client, hit, case, django_capture_on_commit_callbacks
):
    wave = _wave(hit)
    _old_token(wave, "ann@example.org")
    token = _old_token(wave, "bob@example.org", used=True)
    before = list(Invitation.objects.order_by("pk").values_list("token_digest", "sent_at", "used"))
    email = "bob@example.org" if case == "answered" else "carol@example.org"

    with django_capture_on_commit_callbacks(execute=True):
        response = _reissue(director_client, hit, wave, email, follow=True)

    assert mail.outbox == []
    assert list(Invitation.objects.order_by("pk").values_list("token_digest", "sent_at", "used")) == before
    # Word for word what an unanswered invitee's sender is told.
    assert (
        f"If {email} was invited to this survey and has not sent answers yet, a new link is on its way"
        in response.content.decode()
    )
    if case == "answered":
        with pytest.raises(services_surveys.LinkUsed):
            services_surveys.invitation_for_token(token=token)


def test_a_new_link_needs_a_valid_address_shown_next_to_the_field(director_client, hit):
    wave = _wave(hit)
    _old_token(wave, "ann@example.org")
    before = Invitation.objects.get().token_digest

    response = _reissue(director_client, hit, wave, "ann-at-example")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in html and 'id="error_1_id_email"' in html
    assert Invitation.objects.get().token_digest == before and mail.outbox == []


def test_no_new_link_once_the_wave_closed(director_client, hit):
    today = timezone.localdate()
    wave = _wave(
        hit, opens_on=today - datetime.timedelta(days=20), closes_on=today - datetime.timedelta(days=1)
    )
    _old_token(wave, "ann@example.org")
    before = Invitation.objects.get().token_digest

    response = _reissue(director_client, hit, wave, "ann@example.org", follow=True)

    assert "This survey closed on" in response.content.decode()
    assert Invitation.objects.get().token_digest == before and mail.outbox == []
    assert (
        "Send a new link"
        not in director_client.get(
            reverse("engagement:wave-detail", kwargs={"hit_pk": hit.pk, "pk": wave.pk})
        ).content.decode()
    )
