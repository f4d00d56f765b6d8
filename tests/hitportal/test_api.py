"""The read-only API: JSON contents against fixtures, filters and pages, suppression of small groups,
portfolio figures, query counts with 1 and many rows, the OpenAPI schema, the docs and token pages.
Who may call what is in test_access_api.py."""

from __future__ import annotations

import datetime
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from drf_spectacular.validation import validate_schema
from rest_framework.authtoken.models import Token

from accreditation.enums import ApplicationStatus, DecisionOutcome, EOIStatus
from engagement.enums import Dimension
from engagement.models import ReadinessResult
from hitportal.api import services
from reporting.enums import ReportStatus
from teams.enums import HITStatus, LifecycleStage
from teams.models import HIT
from tests import factories as f
from tests.factories import engagement as ef
from tests.factories.accreditation_eoi import ExpressionOfInterestFactory
from tests.factories.accreditation_panel import (
    AccreditationFactory,
    ConditionFactory,
    PanelApplicationFactory,
)
from tests.factories.reporting import ProgressReportFactory

NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=ZoneInfo("Europe/London"))
TODAY = NOW.date()
BASE = "http://testserver"


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(autouse=True)
def _frozen_time_and_fresh_throttle():
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield
    cache.clear()


def accredit(hit, valid_from: str, valid_until: str, **kwargs):
    return AccreditationFactory(
        decision__application__hit=hit,
        valid_from=day(valid_from),
        valid_until=day(valid_until),
        **kwargs,
    )


def links(pk: int) -> dict[str, str]:
    return {
        "self": f"{BASE}/api/hits/{pk}/",
        "scores": f"{BASE}/api/hits/{pk}/scores/",
        "page": f"{BASE}/teams/hits/{pk}/",
    }


# --- HITs --------------------------------------------------------------------------------------------


@pytest.fixture
def dementia(hit):
    """The `hit` fixture with a host, a stage, an expired and a current accreditation."""
    hit.host_organisation = f.OrganisationFactory(name="North Bristol NHS Trust")
    hit.focus = "Dementia crises at home"
    hit.stage = LifecycleStage.IMPLEMENTATION
    hit.save(update_fields=["host_organisation", "focus", "stage", "updated_at"])
    accredit(hit, "2022-01-01", "2024-12-31")
    accredit(hit, "2025-01-01", "2027-12-31")
    return hit


def dementia_json(hit) -> dict:
    return {
        "id": hit.pk,
        "name": "Dementia HIT",
        "slug": "dementia",
        "focus": "Dementia crises at home",
        "status": "active",
        "status_label": "Active",
        "stage": "implementation",
        "stage_label": "Implementation",
        "host_organisation": "North Bristol NHS Trust",
        "current_accreditation": {"valid_from": "2025-01-01", "valid_until": "2027-12-31"},
        "links": links(hit.pk),
    }


def test_hit_list_gives_every_field_for_a_portfolio_role(client, dementia, other_hit, board_member):
    client.force_login(board_member)

    response = client.get(reverse("api:hit-list"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            dementia_json(dementia),
            {
                "id": other_hit.pk,
                "name": "Pain HIT",
                "slug": "pain",
                "focus": "Dementia",
                "status": "active",
                "status_label": "Active",
                "stage": "contemplating",
                "stage_label": "Contemplating",
                "host_organisation": None,
                "current_accreditation": None,
                "links": links(other_hit.pk),
            },
        ],
    }


def test_hit_list_of_a_member_holds_only_their_hits(client, dementia, other_hit, teammate):
    client.force_login(teammate)

    response = client.get(reverse("api:hit-list"))

    assert [row["id"] for row in response.json()["results"]] == [dementia.pk]


def test_expired_and_future_accreditations_are_not_current(client, hit, programme_manager):
    accredit(hit, "2020-01-01", "2022-12-31")
    accredit(hit, "2026-06-01", "2029-05-31")
    client.force_login(programme_manager)

    response = client.get(reverse("api:hit-detail", kwargs={"pk": hit.pk}))

    assert response.json()["current_accreditation"] is None


def test_accreditation_is_current_on_its_first_and_last_day(client, programme_manager):
    first = f.HITFactory(name="A", slug="a")
    last = f.HITFactory(name="B", slug="b")
    accredit(first, "2026-03-02", "2029-03-01")
    accredit(last, "2023-03-03", "2026-03-02")
    client.force_login(programme_manager)

    rows = client.get(reverse("api:hit-list")).json()["results"]

    assert [row["current_accreditation"] for row in rows] == [
        {"valid_from": "2026-03-02", "valid_until": "2029-03-01"},
        {"valid_from": "2023-03-03", "valid_until": "2026-03-02"},
    ]


def test_hit_detail_gives_the_same_fields(client, dementia, director):
    client.force_login(director)

    response = client.get(reverse("api:hit-detail", kwargs={"pk": dementia.pk}))

    assert response.status_code == 200
    assert response.json() == dementia_json(dementia)


@pytest.fixture
def portfolio_hits(db):
    return [
        f.HITFactory(name="Dementia", slug="memory", focus="Memory clinics", active=True, stage="planning"),
        f.HITFactory(name="Pain", slug="pain", focus="Chronic pain", active=True, stage="maintenance"),
        f.HITFactory(name="Child injury", slug="child-injury", focus="Falls at home", set_up=True),
    ]


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("status=active", ["Dementia", "Pain"]),
        ("status=set_up", ["Child injury"]),
        ("stage=maintenance", ["Pain"]),
        ("status=active&stage=planning", ["Dementia"]),
        ("search=PAIN", ["Pain"]),
        ("search=home", ["Child injury"]),
        ("search=zzz", []),
        ("", ["Child injury", "Dementia", "Pain"]),
    ],
)
def test_hit_list_filters(client, portfolio_hits, programme_manager, query, names):
    client.force_login(programme_manager)

    response = client.get(f"{reverse('api:hit-list')}?{query}")

    assert [row["name"] for row in response.json()["results"]] == names


def test_filters_never_widen_what_a_member_sees(client, portfolio_hits, director):
    client.force_login(director)  # a member of the `hit` fixture only

    response = client.get(f"{reverse('api:hit-list')}?status=active")

    assert [row["name"] for row in response.json()["results"]] == ["Dementia HIT"]


def test_a_bad_filter_value_is_a_400_naming_the_field(client, portfolio_hits, programme_manager):
    client.force_login(programme_manager)

    response = client.get(f"{reverse('api:hit-list')}?status=sleeping")

    assert response.status_code == 400
    assert response.json() == {
        "status": ["Select a valid choice. sleeping is not one of the available choices."]
    }


def test_hit_list_pages_with_limit_and_offset(client, portfolio_hits, programme_manager):
    client.force_login(programme_manager)

    response = client.get(f"{reverse('api:hit-list')}?limit=1&offset=1")

    body = response.json()
    assert (body["count"], [row["name"] for row in body["results"]]) == (3, ["Dementia"])
    assert body["next"] == f"{BASE}/api/hits/?limit=1&offset=2"
    assert body["previous"] == f"{BASE}/api/hits/?limit=1"


def test_hit_list_limit_above_the_maximum_gives_a_page_of_500_and_a_next_link(client, programme_manager):
    HIT.objects.bulk_create(
        HIT(name=f"HIT {n:03}", slug=f"hit-{n:03}", focus="Focus", status=HITStatus.ACTIVE)
        for n in range(501)
    )
    client.force_login(programme_manager)

    response = client.get(f"{reverse('api:hit-list')}?limit=100000")

    body = response.json()
    assert (response.status_code, body["count"], len(body["results"])) == (200, 501, 500)
    assert body["next"] == f"{BASE}/api/hits/?limit=500&offset=500"
    assert client.get(body["next"]).json()["results"][0]["name"] == "HIT 500"


def _many_hits(count: int) -> None:
    for _ in range(count):
        hit = f.HITFactory(active=True, host_organisation=f.OrganisationFactory())
        accredit(hit, "2025-01-01", "2027-12-31")


@pytest.mark.parametrize("count", [1, 30])
def test_hit_list_takes_a_fixed_number_of_queries(
    client, programme_manager, django_assert_num_queries, count
):
    _many_hits(count)
    client.force_login(programme_manager)

    # session, user, three role lookups (roles_of), the count, the page of HITs, their accreditations
    with django_assert_num_queries(8):
        response = client.get(reverse("api:hit-list"))

    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 30])
def test_hit_list_with_a_token_takes_a_fixed_number_of_queries(
    client, programme_manager, django_assert_num_queries, count
):
    _many_hits(count)
    key = Token.objects.create(user=programme_manager).key

    # token with its user, three role lookups, the count, the page of HITs, their accreditations
    with django_assert_num_queries(7):
        response = client.get(reverse("api:hit-list"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.json()["count"] == count


# --- Scores ------------------------------------------------------------------------------------------


@pytest.fixture
def scored(hit):
    """Coverage, an older and a latest wave with results (one dimension suppressed, with organisation
    and role groups stored too), a newer wave still collecting, and two maturity assessments."""
    ef.CoverageScoreFactory(
        hit=hit,
        breadth=0.714286,
        degrees=257.143,
        weighted=0.52381,
        leadership=0.285714,
        commissioner_in_leadership=True,
        ppi_depth=2,
        category_depths={"PROV": 3, "COMM": 3, "STAFF": 2, "PUBLIC": 2, "OPS": 1, "NONNHS": 0, "RESEARCH": 0},
        gaps=[
            {"code": "NONNHS", "name": "Non-NHS organisations", "stressed": False},
            {"code": "mental_health", "name": "Mental health providers", "stressed": True},
        ],
        fingerprint="a" * 64,
        computed_at=datetime.datetime(2026, 3, 1, 2, 30, tzinfo=datetime.UTC),
    )
    older = ef.WaveFactory(
        hit=hit, title="Baseline", opens_on=day("2025-01-06"), closes_on=day("2025-02-06"), released=True
    )
    ef.ReadinessResultFactory(wave=older, dimension=Dimension.TRUST, score=40.0)
    latest = ef.WaveFactory(
        hit=hit, title="One year on", opens_on=day("2026-01-05"), closes_on=day("2026-02-05"), released=True
    )
    ef.WaveFactory(hit=hit, title="Still open", opens_on=day("2026-02-20"), closes_on=day("2026-03-20"))
    at = datetime.datetime(2026, 2, 6, 2, 0, tzinfo=datetime.UTC)
    ef.ReadinessResultFactory(
        wave=latest,
        dimension=Dimension.FAITH,
        n=12,
        score=71.4,
        mean=3.856,
        sd=0.62,
        pct_agree=57.1,
        level=3,
        computed_at=at,
    )
    ef.ReadinessResultFactory(
        wave=latest,
        dimension=Dimension.TRUST,
        n=8,
        score=62.5,
        level=2,
        computed_at=at,
    )
    # Suppressed: the worker keeps the n it counted (3), and a share and level; none may leave.
    ef.ReadinessResultFactory(
        wave=latest,
        dimension=Dimension.CAPACITY,
        n=3,
        suppressed=True,
        score=None,
        mean=None,
        sd=None,
        pct_agree=None,
        level=1,
        computed_at=at,
    )
    for group_type, key, label, n in (
        (ReadinessResult.GROUP_ORGANISATION, "17", "Secret Acute Trust", 6),
        (ReadinessResult.GROUP_ROLE, "public", "Patient, carer or public member", 2),
    ):
        ef.ReadinessResultFactory(
            wave=latest,
            group_type=group_type,
            group_key=key,
            group_label=label,
            dimension=Dimension.TRUST,
            n=n,
            score=12.5,
            computed_at=at,
        )
    old = ef.MaturityAssessmentFactory(hit=hit, assessed_on=day("2025-03-01"))
    ef.MaturityRatingFactory(assessment=old, element="trust", level=1)
    new = ef.MaturityAssessmentFactory(hit=hit, assessed_on=day("2026-02-10"))
    levels = {
        "trust": 2,
        "faith": 3,
        "confidence": 2,
        "cultural_integration": 1,
        "legitimacy": 3,
        "communication": 2,
        "clarity": 3,
        "sharedness": 1,
        "risk_tolerance": 2,
    }
    for element, level in levels.items():
        ef.MaturityRatingFactory(assessment=new, element=element, level=level)
    return {"hit": hit, "latest": latest}


def test_scores_give_coverage_latest_overall_readiness_and_maturity_profile(client, scored, teammate):
    hit, latest = scored["hit"], scored["latest"]
    client.force_login(teammate)

    response = client.get(reverse("api:hit-scores", kwargs={"pk": hit.pk}))

    assert response.status_code == 200
    assert response.json() == {
        "hit": {"id": hit.pk, "name": "Dementia HIT", "links": links(hit.pk)},
        "coverage": {
            "breadth": 0.714286,
            "degrees": 257.143,
            "weighted": 0.52381,
            "leadership": 0.285714,
            "commissioner_in_leadership": True,
            "ppi_depth": 2,
            "category_depths": {
                "PROV": 3,
                "COMM": 3,
                "STAFF": 2,
                "PUBLIC": 2,
                "OPS": 1,
                "NONNHS": 0,
                "RESEARCH": 0,
            },
            "gaps": [
                {"code": "NONNHS", "name": "Non-NHS organisations", "stressed": False},
                {"code": "mental_health", "name": "Mental health providers", "stressed": True},
            ],
            "computed_at": "2026-03-01T02:30:00Z",
            "fingerprint": "a" * 64,
        },
        "readiness": {
            "wave": {
                "id": latest.pk,
                "title": "One year on",
                "opens_on": "2026-01-05",
                "closes_on": "2026-02-05",
            },
            "computed_at": "2026-02-06T02:00:00Z",
            "dimensions": [
                {
                    "dimension": "trust",
                    "label": "Trust",
                    "suppressed": False,
                    "n": 8,
                    "score": 63,  # rounded half up to a whole number, as every page shows it
                    "sd": None,  # no spread below ten respondents
                    "pct_agree": None,
                    "level": 2,
                    "level_label": "Bureaucratic",
                },
                {
                    "dimension": "faith",
                    "label": "Faith",
                    "suppressed": False,
                    "n": 12,
                    "score": 71,
                    "sd": 0.6,
                    "pct_agree": 57,
                    "level": 3,
                    "level_label": "Generative",
                },
                {"dimension": "capacity", "label": "Capacity (time and resources)", "suppressed": True},
            ],
        },
        "maturity": {
            "assessed_on": "2026-02-10",
            "median": 2,
            "median_label": "Bureaucratic",
            "weakest": [
                {"element": "cultural_integration", "label": "Ease of cultural integration"},
                {"element": "sharedness", "label": "Sharedness of vision"},
            ],
            "weakest_level": 1,
            "weakest_level_label": "Pathological",
        },
        "network": None,
    }


def test_scores_never_carry_groups_or_a_suppressed_dimensions_numbers(client, scored, board_member):
    client.force_login(board_member)

    response = client.get(reverse("api:hit-scores", kwargs={"pk": scored["hit"].pk}))

    text = response.content.decode()
    assert "Secret Acute Trust" not in text
    assert "Patient, carer or public member" not in text
    assert "12.5" not in text
    capacity = response.json()["readiness"]["dimensions"][-1]
    assert capacity == {"dimension": "capacity", "label": "Capacity (time and resources)", "suppressed": True}


def test_scores_of_a_hit_with_nothing_stored_are_null(client, hit, director):
    client.force_login(director)

    response = client.get(reverse("api:hit-scores", kwargs={"pk": hit.pk}))

    assert response.json() == {
        "hit": {"id": hit.pk, "name": "Dementia HIT", "links": links(hit.pk)},
        "coverage": None,
        "readiness": None,
        "maturity": None,
        "network": None,
    }


def test_scores_work_with_a_token(client, scored, board_member):
    key = Token.objects.create(user=board_member).key

    response = client.get(
        reverse("api:hit-scores", kwargs={"pk": scored["hit"].pk}), HTTP_AUTHORIZATION=f"Token {key}"
    )

    assert response.status_code == 200
    assert response.json()["maturity"]["median"] == 2


# --- Portfolio ---------------------------------------------------------------------------------------


def _status_counts(choices, key: str, **counts: int) -> list[dict]:
    return [{key: value, "label": label, "count": counts.get(value, 0)} for value, label in choices]


@pytest.fixture
def programme(db):
    """Four HITs, one round with EOIs and applications, scores, reports, conditions, accreditations."""
    dementia = f.HITFactory(
        name="Dementia", slug="dementia", active=True, stage=LifecycleStage.IMPLEMENTATION
    )
    pain = f.HITFactory(name="Pain", slug="pain", active=True, stage=LifecycleStage.PLANNING)
    weight = f.HITFactory(name="Weight", slug="weight", status=HITStatus.IN_APPLICATION)
    closed = f.HITFactory(name="Old", slug="old", closed=True, stage=LifecycleStage.DISSOLUTION)
    round_ = f.RoundFactory(name="2026 round", opens_on=day("2026-01-05"))
    ExpressionOfInterestFactory(round=round_)
    ExpressionOfInterestFactory(round=round_, submitted=True)
    ExpressionOfInterestFactory(round=round_, submitted=True)
    ExpressionOfInterestFactory(round=round_, invited=True)
    PanelApplicationFactory(hit=weight, round=round_)  # under review
    ef.CoverageScoreFactory(hit=dementia, degrees=300.0, commissioner_in_leadership=True)
    ef.CoverageScoreFactory(hit=pain, degrees=150.0)
    ef.CoverageScoreFactory(hit=closed, degrees=0.0, commissioner_in_leadership=True)  # not counted
    ProgressReportFactory(hit=dementia, due_on=day("2026-02-01"))  # overdue draft
    ProgressReportFactory(hit=pain, due_on=day("2026-02-01"), status=ReportStatus.SKIPPED)  # not overdue
    ProgressReportFactory(hit=pain, due_on=day("2026-04-01"))  # not due yet
    # Dementia: accredited in the round, ending in four months, with conditions.
    dementia_accreditation = accredit(
        dementia,
        "2023-07-01",
        "2026-06-30",
        decision__application__round=round_,
        decision__outcome=DecisionOutcome.ACCREDITED_WITH_CONDITIONS,
        decision__application__status=ApplicationStatus.ACCREDITED_WITH_CONDITIONS,
    )
    decision = dementia_accreditation.decision
    ConditionFactory(decision=decision, due_on=day("2026-02-01"))  # open, overdue
    ConditionFactory(decision=decision, due_on=day("2026-05-01"))  # open
    ConditionFactory(decision=decision, due_on=day("2026-01-01"), closed=True)  # closed
    # Pain: ending within six months but already renewed; the renewal is not due.
    accredit(pain, "2023-05-01", "2026-04-30", decision__application__round=round_)
    accredit(pain, "2026-05-01", "2029-04-30", decision__application__round=round_)
    # Ending in eight months (beyond the horizon), and long expired.
    accredit(f.HITFactory(name="Later", slug="later", active=True), "2023-11-01", "2026-10-31")
    return {"round": round_}


def test_portfolio_figures(client, programme, board_member):
    client.force_login(board_member)

    response = client.get(reverse("api:portfolio"))

    assert response.status_code == 200
    body = response.json()
    round_figures = [r for r in body.pop("rounds") if r["name"] == "2026 round"]
    assert body == {
        "as_of": "2026-03-02",
        "hits_total": 5,
        "hits_by_status": _status_counts(HITStatus.choices, "status", active=3, in_application=1, closed=1),
        "hits_by_stage": _status_counts(
            LifecycleStage.choices, "stage", implementation=1, planning=1, contemplating=2
        ),
        "coverage": {"hits_with_score": 2, "average_degrees": 225.0, "commissioner_in_leadership": 1},
        "overdue_reports": 1,
        "conditions": {"open": 2, "overdue": 1},
        "renewals_due": 1,
        "renewal_horizon_months": 6,
    }
    assert round_figures == [
        {
            "id": programme["round"].pk,
            "name": "2026 round",
            "opens_on": "2026-01-05",
            "eois_by_status": _status_counts(EOIStatus.choices, "status", draft=1, submitted=2, invited=1),
            "applications_by_status": _status_counts(
                ApplicationStatus.choices,
                "status",
                under_review=1,
                accredited=2,
                accredited_with_conditions=1,
            ),
        }
    ]


def test_portfolio_of_an_empty_programme(client, programme_manager):
    client.force_login(programme_manager)

    response = client.get(reverse("api:portfolio"))

    assert response.json() == {
        "as_of": "2026-03-02",
        "hits_total": 0,
        "hits_by_status": _status_counts(HITStatus.choices, "status"),
        "hits_by_stage": _status_counts(LifecycleStage.choices, "stage"),
        "rounds": [],
        "coverage": {"hits_with_score": 0, "average_degrees": None, "commissioner_in_leadership": 0},
        "overdue_reports": 0,
        "conditions": {"open": 0, "overdue": 0},
        "renewals_due": 0,
        "renewal_horizon_months": 6,
    }


def _many_programme_rows(count: int) -> None:
    for n in range(count):
        round_ = f.RoundFactory()
        hit = f.HITFactory(active=True, stage=LifecycleStage.PLANNING)
        ExpressionOfInterestFactory(round=round_, submitted=True)
        ef.CoverageScoreFactory(hit=hit, degrees=float(n))
        ProgressReportFactory(hit=hit, due_on=day("2026-02-01"))
        accreditation = accredit(hit, "2023-07-01", "2026-06-30", decision__application__round=round_)
        ConditionFactory(decision=accreditation.decision, due_on=day("2026-02-01"))


@pytest.mark.parametrize("count", [1, 25])
def test_portfolio_takes_a_fixed_number_of_queries(client, ppi_facilitator, django_assert_num_queries, count):
    _many_programme_rows(count)
    client.force_login(ppi_facilitator)

    # session, user, three role lookups (roles_of), then eight grouped queries (selectors.portfolio_figures)
    with django_assert_num_queries(13):
        response = client.get(reverse("api:portfolio"))

    body = response.json()
    assert (body["overdue_reports"], body["renewals_due"], len(body["rounds"])) == (count, count, count)


# --- Schema ------------------------------------------------------------------------------------------


def test_schema_is_valid_openapi_3_with_every_endpoint(client, teammate):
    key = Token.objects.create(user=teammate).key

    response = client.get(reverse("api:schema"), HTTP_AUTHORIZATION=f"Token {key}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)  # raises on anything the OpenAPI 3 JSON schema refuses
    assert set(schema["paths"]) == {
        "/api/hits/",
        "/api/hits/{id}/",
        "/api/hits/{id}/scores/",
        "/api/portfolio/",
    }
    assert all(set(operations) == {"get"} for operations in schema["paths"].values())
    assert {"tokenAuth", "cookieAuth"} <= set(schema["components"]["securitySchemes"])
    parameters = {p["name"]: p for p in schema["paths"]["/api/hits/"]["get"]["parameters"]}
    assert set(parameters) == {"status", "stage", "search", "limit", "offset"}
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500}
    assert parameters["limit"]["description"] == (
        "Number of results to return per page: 100 unless you say, at most 500 "
        "(a larger value gives 500; follow `next` for the rest)."
    )


def test_schema_is_for_signed_in_users_only(client):
    response = client.get(reverse("api:schema"))

    assert response.status_code == 401


# --- Pages -------------------------------------------------------------------------------------------


def test_docs_page_lists_the_endpoints_and_how_to_authenticate(client, applicant):
    client.force_login(applicant)

    response = client.get(reverse("api:docs"))

    html = response.content.decode()
    assert response.status_code == 200
    for path in ("/api/hits/", "/api/hits/{id}/", "/api/hits/{id}/scores/", "/api/portfolio/"):
        assert f"<code>{path}</code>" in html
    assert 'href="/api/schema/"' in html
    assert 'href="/api/token/"' in html
    assert "Authorization: Token YOUR-TOKEN" in html
    assert "A page holds at most 500 results" in html


def test_token_page_without_a_token_offers_to_create_one(client, teammate):
    client.force_login(teammate)

    response = client.get(reverse("api:token"))

    assert "You have no token yet." in response.content.decode()
    assert "no-cache" in response["Cache-Control"]
    assert Token.objects.filter(user=teammate).count() == 0


def test_token_post_creates_and_shows_the_token(client, teammate):
    client.force_login(teammate)

    response = client.post(reverse("api:token"), follow=True)

    token = Token.objects.get(user=teammate)
    html = response.content.decode()
    assert response.redirect_chain == [(reverse("api:token"), 302)]
    assert f'value="{token.key}"' in html
    assert "Your token is ready." in html


def test_regenerating_stops_the_old_token_at_once(client, board_member):
    old = Token.objects.create(user=board_member).key
    client.force_login(board_member)

    response = client.post(reverse("api:token"), follow=True)

    new = Token.objects.get(user=board_member).key
    assert new != old
    assert "Your new token is ready. The old one no longer works." in response.content.decode()
    client.logout()
    assert client.get(reverse("api:portfolio"), HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    assert client.get(reverse("api:portfolio"), HTTP_AUTHORIZATION=f"Token {new}").status_code == 200


def test_anonymous_token_post_goes_to_login_and_creates_nothing(client, db):
    response = client.post(reverse("api:token"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert Token.objects.count() == 0


def test_token_page_refuses_other_methods(client, teammate):
    client.force_login(teammate)

    response = client.delete(reverse("api:token"))

    assert response.status_code == 405


def test_token_regenerate_service_keeps_one_token_per_user(teammate):
    first = services.token_regenerate(actor=teammate)
    second = services.token_regenerate(actor=teammate)

    assert list(Token.objects.filter(user=teammate).values_list("key", flat=True)) == [second.key]
    assert first.key != second.key


def test_profile_links_to_the_token_page(client, no_role_user):
    client.force_login(no_role_user)

    response = client.get(reverse("profile"))

    assert f'href="{reverse("api:token")}"' in response.content.decode()


def test_the_token_is_shown_once_then_only_its_date(client, teammate):
    client.force_login(teammate)

    shown = client.post(reverse("api:token"), follow=True).content.decode()
    later = client.get(reverse("api:token")).content.decode()

    key = Token.objects.get(user=teammate).key
    assert f'value="{key}"' in shown and "shown only this once" in shown
    assert key not in later
    assert "It was shown once, when it was made" in later


def test_revoking_the_token_refuses_it_at_once(client, board_member):
    key = Token.objects.create(user=board_member).key
    client.force_login(board_member)

    response = client.post(reverse("api:token"), {"action": "revoke"}, follow=True)

    assert "Your token was revoked" in response.content.decode()
    assert "You have no token yet." in response.content.decode()
    assert not Token.objects.filter(user=board_member).exists()
    client.logout()
    assert client.get(reverse("api:portfolio"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
