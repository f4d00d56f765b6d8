"""Reads of a HIT's life after accreditation (teams/selectors/lifecycle.py): sponsor liveness at its
boundaries, the public register, related HITs, latest documents, the HIT's structure."""

from __future__ import annotations

import datetime

import pytest
import time_machine

from teams.enums import HITStatus, MembershipRole
from teams.selectors import lifecycle as sel
from tests import factories as f
from tests.factories import teams_lifecycle as lf
from tests.factories.accreditation_panel import AccreditationFactory

ACCREDITED_ON = datetime.date(2025, 1, 6)
CONTACT_ON = datetime.date(2025, 3, 3)


def _accredit(hit, valid_from=ACCREDITED_ON, years=3):
    return AccreditationFactory(
        decision__application__hit=hit,
        valid_from=valid_from,
        valid_until=valid_from.replace(year=valid_from.year + years) - datetime.timedelta(days=1),
    )


def _at(day: datetime.date):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12, 0), tzinfo=datetime.UTC), tick=False
    )


# --- Sponsor liveness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days_later", "state"),
    [(0, "green"), (90, "green"), (91, "amber"), (180, "amber"), (181, "red"), (800, "red")],
)
def test_sponsor_liveness_boundaries(db, days_later, state):
    hit = f.HITFactory(active=True)
    _accredit(hit)
    lf.SponsorInteractionFactory(hit=hit, happened_on=CONTACT_ON - datetime.timedelta(days=20))
    lf.SponsorInteractionFactory(hit=hit, happened_on=CONTACT_ON)

    with _at(CONTACT_ON + datetime.timedelta(days=days_later)):
        liveness = sel.sponsor_liveness(hit=hit)

    assert (liveness.state, liveness.last_on, liveness.days_since) == (state, CONTACT_ON, days_later)
    assert liveness.counted_from == ACCREDITED_ON


@pytest.mark.parametrize(
    ("days", "state"),
    [(None, "none"), (0, "green"), (90, "green"), (91, "amber"), (180, "amber"), (181, "red")],
)
def test_liveness_state_thresholds(days, state):
    assert sel.liveness_state(days) == state


def test_sponsor_liveness_none_when_nothing_was_logged(db):
    hit = f.HITFactory(active=True)
    _accredit(hit)

    with _at(ACCREDITED_ON + datetime.timedelta(days=400)):
        liveness = sel.sponsor_liveness(hit=hit)

    assert (liveness.state, liveness.last_on, liveness.days_since, liveness.counted_from) == (
        "none",
        None,
        None,
        ACCREDITED_ON,
    )
    assert liveness.label == "No contact logged since accreditation"


def test_sponsor_liveness_ignores_contacts_before_accreditation(db):
    hit = f.HITFactory(active=True)
    _accredit(hit)
    lf.SponsorInteractionFactory(hit=hit, happened_on=ACCREDITED_ON - datetime.timedelta(days=1))

    with _at(ACCREDITED_ON + datetime.timedelta(days=10)):
        liveness = sel.sponsor_liveness(hit=hit)

    assert (liveness.state, liveness.last_on) == ("none", None)


def test_sponsor_liveness_counts_from_the_move_to_set_up_without_an_accreditation(db):
    hit = f.HITFactory(active=True)
    with _at(ACCREDITED_ON):
        f.HITStatusChangeFactory(hit=hit, action="accredit", from_status="in_application", to_status="set_up")
    lf.SponsorInteractionFactory(hit=hit, happened_on=ACCREDITED_ON - datetime.timedelta(days=1))

    with _at(ACCREDITED_ON + datetime.timedelta(days=10)):
        liveness = sel.sponsor_liveness(hit=hit)

    assert (liveness.state, liveness.counted_from) == ("none", ACCREDITED_ON)


def test_sponsor_liveness_for_many_hits_in_one_query(db, django_assert_num_queries):
    hits = f.HITFactory.create_batch(5, active=True)
    for hit in hits:
        _accredit(hit)
        lf.SponsorInteractionFactory(hit=hit, happened_on=CONTACT_ON)

    with _at(CONTACT_ON + datetime.timedelta(days=100)), django_assert_num_queries(1):
        result = sel.sponsor_liveness_for_hits(hit_ids=[h.pk for h in hits])

    assert {liveness.state for liveness in result.values()} == {"amber"}


# --- The public register -------------------------------------------------------------------------------


def test_register_lists_only_set_up_and_active_hits_with_a_current_accreditation(db):
    today = datetime.date(2026, 3, 1)
    active = f.HITFactory(name="Active HIT", active=True, aims="Fewer falls.")
    set_up = f.HITFactory(name="Set-up HIT", set_up=True)
    suspended = f.HITFactory(name="Suspended HIT", suspended=True)
    expired = f.HITFactory(name="Expired HIT", active=True)
    future = f.HITFactory(name="Future HIT", active=True)
    f.HITFactory(name="Never accredited HIT", active=True)
    _accredit(active, valid_from=datetime.date(2025, 3, 1))
    _accredit(set_up, valid_from=today)
    _accredit(suspended, valid_from=datetime.date(2025, 3, 1))
    _accredit(expired, valid_from=datetime.date(2022, 3, 1))  # until 28 Feb 2025
    _accredit(future, valid_from=today + datetime.timedelta(days=1))

    rows = list(sel.register_rows(today=today))

    assert [row["name"] for row in rows] == ["Active HIT", "Set-up HIT"]
    assert rows[0] == {
        "name": "Active HIT",
        "focus": "Dementia",
        "aims": "Fewer falls.",
        "status": HITStatus.ACTIVE,
        "accredited_from": datetime.date(2025, 3, 1),
        "accredited_until": datetime.date(2028, 2, 29),
        "is_illustrative": False,
    }


def test_register_shows_the_current_accreditation_of_a_renewed_hit(db):
    hit = f.HITFactory(active=True)
    _accredit(hit, valid_from=datetime.date(2022, 1, 1))
    _accredit(hit, valid_from=datetime.date(2025, 1, 1))

    rows = list(sel.register_rows(today=datetime.date(2025, 6, 1)))

    assert [(r["accredited_from"], r["accredited_until"]) for r in rows] == [
        (datetime.date(2025, 1, 1), datetime.date(2027, 12, 31))
    ]


def test_register_search_matches_name_or_focus(db):
    today = datetime.date(2026, 3, 1)
    for name, focus in [
        ("Dementia HIT", "Dementia"),
        ("Pain HIT", "Chronic pain"),
        ("Kidney HIT", "Kidneys"),
    ]:
        _accredit(f.HITFactory(name=name, focus=focus, active=True), valid_from=today)

    rows = list(sel.register_rows(today=today, search="pain"))

    assert [row["name"] for row in rows] == ["Pain HIT"]


# --- Related HITs, documents, structure ----------------------------------------------------------------


def test_hit_links_show_the_other_hit_from_either_side(director, hit, other_hit):
    third = f.HITFactory(name="Stroke HIT")
    lf.HITLinkFactory(from_hit=hit, to_hit=other_hit, kind="overlap")
    lf.HITLinkFactory(from_hit=third, to_hit=hit, kind="coordination")

    related = sel.hit_links(hit=hit, user=director)

    assert [(r.link.kind, r.other.name, r.can_open, r.can_delete) for r in related] == [
        ("coordination", "Stroke HIT", False, True),
        ("overlap", "Pain HIT", False, True),
    ]


def test_latest_documents_keep_only_the_newest_version_of_each_title(db, settings, tmp_path, hit):
    settings.MEDIA_ROOT = tmp_path
    lf.DocumentFactory(hit=hit, title="Terms of reference", version=1)
    newest = lf.DocumentFactory(hit=hit, title="Terms of reference", version=2)
    minutes = lf.DocumentFactory(hit=hit, title="Minutes", version=1, docx=True)

    assert set(sel.latest_documents(hit=hit)) == {newest, minutes}


def test_hit_structure_gathers_leaders_and_distinct_partner_organisations(hit, director):
    trust = f.OrganisationFactory(name="North Trust")
    council = f.OrganisationFactory(name="City Council")
    for role, organisation in [
        (MembershipRole.MANAGEMENT_GROUP, trust),
        (MembershipRole.MANAGEMENT_GROUP, council),
        (MembershipRole.MEMBER, trust),
        (MembershipRole.EXECUTIVE_SPONSOR, trust),
    ]:
        f.MembershipFactory(hit=hit, role=role, organisation=organisation)
    theme = f.ThemeFactory(name="Inequalities")
    f.MembershipFactory(hit=hit, role=MembershipRole.THEME_LEAD, theme=theme)
    f.MembershipFactory(
        hit=hit,
        role=MembershipRole.MEMBER,
        organisation=f.OrganisationFactory(name="Former partner"),
        end_date=datetime.date(2020, 1, 1),
        start_date=datetime.date(2019, 1, 1),
    )

    structure = sel.hit_structure(hit=hit)

    assert [m.person.user for m in structure.directors] == [director]
    assert len(structure.sponsors) == 1
    assert len(structure.management_group) == 2
    assert [m.theme.name for m in structure.theme_leads] == ["Inequalities"]
    assert [o.name for o in structure.partner_organisations] == ["City Council", "North Trust"]
