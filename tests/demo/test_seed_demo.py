"""`manage.py seed_demo`: the demo data of docs/domain.md section 10, that every login finds work waiting, and that
loading it twice changes nothing."""

from __future__ import annotations

import datetime
import itertools
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from accreditation.enums import (
    ApplicationKind,
    ApplicationStatus,
    ConflictDeclaration,
    ConflictResolution,
    DecisionOutcome,
    EOIStatus,
    ReviewStatus,
)
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    ExpressionOfInterest,
    FeedbackDocument,
    PanelMember,
    Round,
)
from accreditation.services.applications import counting_reviews
from accreditation.workflow import FINAL_APPLICATION_STATES
from core.versions import PendingBumps
from demo.data_directory import DEMO_PASSWORD
from demo.data_engagement import SURVEY_INSTRUMENT
from demo.data_hits import DELIBERATE_GAPS
from demo.loader import load_demo
from engagement.enums import StakeholderSource
from engagement.models import (
    ActionPlanItem,
    CoverageScore,
    CoverageSnapshot,
    Instrument,
    Invitation,
    InvolvementActivity,
    ItemBankQuality,
    MaturityAssessment,
    PublicReview,
    ReadinessResult,
    Response,
    ScoreRequest,
    Stakeholder,
    StandardsAssessment,
    Wave,
)
from engagement.selectors import ppi as selectors_ppi
from engagement.services.scores import coverage_inputs
from reporting.models import ProgressReport, ReminderLog, ReportSchedule, StageAssessment
from reporting.selectors.home import overdue_condition
from reporting.selectors.trends import trends
from teams.enums import HITStatus, LifecycleStage, MembershipRole, ProfessionalGroup
from teams.models import (
    HIT,
    ClosureRecord,
    HITLink,
    HITStatusChange,
    Meeting,
    Membership,
    Organisation,
    OrganisationType,
    Person,
    PortfolioSnapshot,
    User,
)
from teams.roles import roles_of
from teams.selectors.lifecycle import sponsor_liveness_for_hits
from teams.signals import hit_transition_requested

pytestmark = pytest.mark.django_db

# Every demo login and exactly the roles it should hold.
EXPECTED_ROLES = {
    "pm@example.org": {"programme_manager"},
    "board@example.org": {"board_member"},
    "ppi@example.org": {"ppi_facilitator"},
    "chair@example.org": {"panel_chair"},
    "reviewer@example.org": {"reviewer"},
    "reviewer2@example.org": {"reviewer"},
    "lay@example.org": {"lay_reviewer"},
    "applicant@example.org": {"applicant"},
    "director@example.org": {"hit_director", "hit_member"},
    "sponsor@example.org": {"executive_sponsor", "hit_member"},
    "member@example.org": {"hit_member"},
    "emma.thornton@example.org": {"hit_director", "hit_member"},
    "daniel.obi@example.org": {"hit_director", "hit_member"},
    "norole@example.org": set(),
    "admin@example.org": set(),
}

LIVE = (HITStatus.SET_UP, HITStatus.ACTIVE)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def all_counts() -> dict[str, int]:
    models = [
        *apps.get_app_config("teams").get_models(),
        *apps.get_app_config("accreditation").get_models(),
        *apps.get_app_config("engagement").get_models(),
    ]
    return {model._meta.label: model.objects.count() for model in models}


def home_context(client, email: str):
    client.force_login(User.objects.get(email=email))
    response = client.get("/")
    assert response.status_code == 200, email
    return response.context


def current(queryset):
    today = timezone.localdate()
    return queryset.filter(start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """One load shared by the tests of a class that only read it, rolled back after the class."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed()
        yield
        transaction.set_rollback(True)


def test_each_login_authenticates_and_holds_its_role():
    output = seed()
    assert sorted(u.email for u in User.objects.all() if u.has_usable_password()) == sorted(EXPECTED_ROLES)
    # The other logins are the directors who applied through the portal: no password (they would
    # reset one), a director's membership each, and no other role.
    others = User.objects.exclude(email__in=EXPECTED_ROLES)
    assert others.count() >= 10
    for user in others:
        assert not user.has_usable_password(), user.email
        assert set(roles_of(user).roles) <= {"hit_member", "hit_director"}, user.email
        assert Membership.objects.filter(person__user=user, role=MembershipRole.DIRECTOR).exists(), user.email
    for email, expected in EXPECTED_ROLES.items():
        user = authenticate(username=email, password=DEMO_PASSWORD)
        assert user is not None, email
        assert set(roles_of(user).roles) == expected, email
        assert email in output
    assert "hitportal-demo" in output

    pm = User.objects.get(email="pm@example.org")
    # A programme manager runs the programme through the portal's pages, not the admin site.
    assert not pm.is_staff and not pm.is_superuser
    admin = User.objects.get(email="admin@example.org")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.exclude(email="admin@example.org").filter(is_superuser=True).exists()
    assert authenticate(username="pm@example.org", password="wrong-password") is None

    dementia = HIT.objects.get(slug="dementia")
    assert dementia.status == HITStatus.ACTIVE
    for email, role in [
        ("director@example.org", MembershipRole.DIRECTOR),
        ("sponsor@example.org", MembershipRole.EXECUTIVE_SPONSOR),
        ("member@example.org", MembershipRole.MEMBER),
    ]:
        user = User.objects.get(email=email)
        assert user.person.email == email
        assert roles_of(user).hit_roles == {dementia.pk: frozenset({role})}
    assert not Membership.objects.filter(person__user__email="applicant@example.org").exists()
    assert not Person.objects.filter(user__email__in=["norole@example.org", "admin@example.org"]).exists()


def test_running_twice_changes_nothing():
    seed()
    counts = all_counts()
    history = list(HIT.objects.values_list("slug", "status", "status_changed_at").order_by("slug"))
    applications = list(
        Application.objects.values_list("pk", "status", "version", "updated_at").order_by("pk")
    )
    scores = list(CoverageScore.objects.values_list("hit_id", "computed_at").order_by("hit_id"))
    assert counts["teams.HITStatusChange"] == 56
    assert counts["engagement.ScoreRequest"] == 0
    assert counts["accreditation.Application"] == 26 and counts["engagement.Response"] == 215
    created = load_demo()
    assert created["hits"] == 0 and set(created.values()) == {0}
    output = seed()
    assert "nothing changed" in output
    assert all_counts() == counts
    assert list(HIT.objects.values_list("slug", "status", "status_changed_at").order_by("slug")) == history
    assert (
        list(Application.objects.values_list("pk", "status", "version", "updated_at").order_by("pk"))
        == applications
    )
    # Nothing new, so the scores were not recomputed either.
    assert list(CoverageScore.objects.values_list("hit_id", "computed_at").order_by("hit_id")) == scores


def test_loading_renders_every_cached_part_again():
    """The walk back-dates rows with QuerySet.update, which sends no signal: loading replaces the
    version of every tracked table (core.versions), even when it creates nothing."""
    from core import versions

    seed()
    before = versions.fingerprint(versions.tracked_models())
    created = load_demo()
    assert set(created.values()) == {0}
    assert versions.fingerprint(versions.tracked_models()) != before


def test_loading_sends_no_email_and_queues_no_job(django_capture_on_commit_callbacks):
    guards = [key for key, *_rest in hit_transition_requested.receivers]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_demo()
    # Only the cache versions' replacement at commit (core.versions.bump): no task, no email.
    assert [c for c in callbacks if not isinstance(c, PendingBumps)] == []
    assert mail.outbox == []
    assert [key for key, *_rest in hit_transition_requested.receivers] == guards  # still connected


@time_machine.travel(datetime.datetime(2028, 2, 29, 9, 30, tzinfo=ZoneInfo("Europe/London")))
def test_loads_on_a_leap_day():
    seed()
    accreditation = Accreditation.objects.get(hit__slug="dementia")
    assert datetime.date(2028, 2, 29) < accreditation.valid_until <= datetime.date(2028, 8, 30)
    assert Application.objects.count() == 26
    assert Round.objects.count() == 7


@pytest.mark.usefixtures("demo")
class TestDemoData:
    """What one load of the demo holds (the tests only read it)."""

    def test_twenty_illustrative_hits_in_every_status_and_stage(self):
        assert HIT.objects.count() == 20
        assert HIT.objects.filter(is_illustrative=True).count() == 20
        assert set(HIT.objects.values_list("status", flat=True)) == set(HITStatus.values)
        assert set(HIT.objects.values_list("stage", flat=True)) == set(LifecycleStage.values)
        by_status = dict(HIT.objects.values_list("status").annotate(n=Count("pk")))
        assert by_status == {
            "proposed": 2,
            "in_application": 2,
            "set_up": 2,
            "active": 10,
            "suspended": 1,
            "closing": 1,
            "closed": 2,
        }
        for slug in (
            "avoidable-admissions",
            "child-injury-prevention",
            "chronic-kidney-disease",
            "drugs-and-alcohol",
            "dementia",
            "pain-management",
        ):
            assert HIT.objects.get(slug=slug).status == HITStatus.ACTIVE
        merged = HIT.objects.get(closure_reason="merged")
        assert merged.status == HITStatus.CLOSED
        assert merged.merged_into == HIT.objects.get(slug="frailty")
        for hit in HIT.objects.all():
            assert hit.aims and hit.problem and hit.host_organisation_id and hit.host_unit
            assert hit.themes.exists()

    def test_every_organisation_type_is_used_and_nine_partners(self):
        assert set(Organisation.objects.values_list("org_type__code", flat=True)) == set(
            OrganisationType.objects.values_list("code", flat=True)
        )
        assert 28 <= Organisation.objects.count() <= 36
        partners = Organisation.objects.filter(is_programme_partner=True)
        assert dict(partners.values_list("org_type__code").annotate(n=Count("pk"))) == {
            "nhs-acute": 2,
            "nhs-mental-health": 1,
            "commissioner-icb": 3,
            "university": 2,
            "local-authority": 1,
        }
        assert Organisation.objects.filter(parent__isnull=False).count() == 6
        assert Organisation.objects.filter(parent__org_type__code="university").count() == 3

    def test_status_history_runs_from_proposed_to_the_current_status(self):
        for hit in HIT.objects.all():
            changes = list(hit.status_changes.order_by("created_at", "pk"))
            if hit.status == HITStatus.PROPOSED:
                assert changes == [], hit.slug
                continue
            assert changes, hit.slug
            assert changes[0].from_status == HITStatus.PROPOSED, hit.slug
            assert changes[-1].to_status == hit.status, hit.slug
            for before, after in itertools.pairwise(changes):
                assert before.to_status == after.from_status, hit.slug
                assert before.created_at < after.created_at, hit.slug
            # The programme manager walked each step, except "accredit": the chair's decision made that
            # move (the Dementia HIT's accreditation is told apart, demo/accreditation.py).
            for change in changes:
                by_chair = change.action == "accredit" and hit.slug != "dementia"
                assert change.actor.email == ("chair@example.org" if by_chair else "pm@example.org"), hit.slug
            assert changes[-1].created_at == hit.status_changed_at, hit.slug
            assert changes[-1].created_at <= timezone.now()
        stroke = [c.action for c in HIT.objects.get(slug="stroke").status_changes.order_by("created_at")]
        assert stroke == ["start_application", "accredit", "activate", "suspend", "reinstate"]

    def test_live_hits_have_their_structures_except_the_deliberate_gaps(self):
        live = HIT.objects.filter(status__in=LIVE)
        assert live.count() == 12
        for hit in live:
            roles = set(current(hit.memberships).values_list("role", flat=True))
            if hit.slug in DELIBERATE_GAPS["no_director"]:
                assert MembershipRole.DIRECTOR not in roles, hit.slug
            else:
                assert MembershipRole.DIRECTOR in roles, hit.slug
            assert MembershipRole.EXECUTIVE_SPONSOR in roles, hit.slug
            if hit.slug in DELIBERATE_GAPS["no_ppi_lead"]:
                assert MembershipRole.PPI_LEAD not in roles, hit.slug
            else:
                assert MembershipRole.PPI_LEAD in roles, hit.slug
            management_orgs = set(
                current(hit.memberships.filter(role=MembershipRole.MANAGEMENT_GROUP)).values_list(
                    "organisation", flat=True
                )
            )
            assert len(management_orgs) >= 2, hit.slug
            groups = list(hit.working_groups.all())
            assert 1 <= len(groups) <= 3, hit.slug
            for group in groups:
                sides = set(current(group.memberships).values_list("lead_side", flat=True))
                if hit.slug in DELIBERATE_GAPS["working_group_without_service_lead"] and sides == {
                    "academic"
                }:
                    continue
                assert sides == {"academic", "service"}, (hit.slug, group.name)
        assert DELIBERATE_GAPS == {
            "no_director": ("stroke",),
            "working_group_without_service_lead": ("pain-management",),
            "no_ppi_lead": ("diabetes", "sexual-health"),
            "ppi_log_quiet_90_days": ("drugs-and-alcohol",),
            "accreditation_ending_within_six_months": ("dementia",),
            "open_condition": ("dementia",),
        }
        pain_groups = HIT.objects.get(slug="pain-management").working_groups.annotate(
            leads=Count("memberships", filter=Q(memberships__role=MembershipRole.WORKING_GROUP_LEAD))
        )
        assert sorted(g.leads for g in pain_groups) == [1, 2]
        assert HIT.objects.get(slug="stroke").status == HITStatus.ACTIVE

    def test_closed_hits_have_ended_memberships(self):
        for hit in HIT.objects.filter(status=HITStatus.CLOSED):
            assert hit.memberships.exists()
            assert not current(hit.memberships).exists(), hit.slug

    def test_people_affiliations_and_public_members(self):
        assert 55 <= Person.objects.count() <= 80
        assert Person.objects.filter(is_public_member=True).count() >= 5
        dual = Person.objects.filter(affiliations__appointment="dual").distinct()
        assert dual.count() >= 10
        theme_leads = Person.objects.filter(memberships__role=MembershipRole.THEME_LEAD).distinct()
        assert theme_leads.filter(pk__in=dual).exists()
        assert not Person.objects.filter(affiliations__isnull=True).exists()
        with_login = Person.objects.filter(user__isnull=False)
        assert len([p for p in with_login.select_related("user") if p.user.has_usable_password()]) == 13

    def test_rounds_and_panel(self):
        today = timezone.localdate()
        current_round = Round.objects.get(name="2026 accreditation round")
        assert current_round.opens_on == today - datetime.timedelta(days=122)
        assert current_round.eoi_deadline == today + datetime.timedelta(days=30)
        assert current_round.application_deadline == today + datetime.timedelta(days=90)
        assert current_round.reviewers_per_application == 2
        assert current_round.accreditation_term_years == 3
        assert current_round.is_open_on(today)
        past = Round.objects.get(name="2023 accreditation round")
        assert past.application_deadline < today
        # One round a year before the current one, each taking applications until the next opened.
        rounds = list(Round.objects.order_by("opens_on"))
        assert len(rounds) == 7 and rounds[-1] == current_round
        for before, after in itertools.pairwise(rounds):
            assert before.application_deadline == after.opens_on - datetime.timedelta(days=1)
        for round_ in rounds:
            members = PanelMember.objects.filter(panel__round=round_)
            assert sorted(members.values_list("user__email", "role")) == [
                ("chair@example.org", "chair"),
                ("lay@example.org", "lay_reviewer"),
                ("reviewer2@example.org", "reviewer"),
                ("reviewer@example.org", "reviewer"),
            ]

    def test_home_page_of_every_login_has_work_waiting(self, client):
        today = timezone.localdate()
        healthy_weight = HIT.objects.get(slug="obesity")
        cancer = HIT.objects.get(slug="cancer-survivorship")
        dementia = HIT.objects.get(slug="dementia")

        pm = home_context(client, "pm@example.org")
        assert [a.hit for a in pm["renewals_due"]] == [dementia]
        assert [e.working_title for e in pm["eois_to_decide"]] == ["Hearing and Healthy Ageing"]
        assert {a.hit for a in pm["applications_for_panel"]} == {healthy_weight, cancer}
        assert pm["overdue_conditions"] == 0
        assert [hit.slug for hit, _groups in pm["groups_missing_leads"]] == ["pain-management"]

        chair = home_context(client, "chair@example.org")
        assert [e.working_title for e in chair["eois_to_decide"]] == ["Hearing and Healthy Ageing"]
        assert sorted((a.hit.slug, a.status) for a in chair["applications_for_panel"]) == [
            ("cancer-survivorship", ApplicationStatus.SUBMITTED),
            ("obesity", ApplicationStatus.UNDER_REVIEW),
        ]
        assert [(c.reviewer.email, c.application.hit) for c in chair["conflicts_waiting"]] == [
            ("reviewer2@example.org", healthy_weight)
        ]
        assert len(chair["my_panels"]) == Round.objects.count() == 7

        reviewer = home_context(client, "reviewer@example.org")["my_assignments"]
        assert [(a.application.hit, a.declaration, a.review.status) for a in reviewer] == [
            (healthy_weight, ConflictDeclaration.NONE, ReviewStatus.DRAFT)
        ]
        reviewer2 = home_context(client, "reviewer2@example.org")["my_assignments"]
        assert [(a.application.hit, a.declaration) for a in reviewer2] == [
            (healthy_weight, ConflictDeclaration.PENDING)
        ]
        assert reviewer2[0].flagged_organisations == "South Avon Clinical Commissioning Group (illustrative)"
        lay = home_context(client, "lay@example.org")["my_assignments"]
        assert [(a.application.hit, a.declaration, a.is_lay, a.flagged_organisations) for a in lay] == [
            (healthy_weight, ConflictDeclaration.PENDING, True, "")
        ]

        thornton = home_context(client, "emma.thornton@example.org")["my_applications"]
        assert [(a.hit, a.status, a.version) for a in thornton] == [(healthy_weight, "under_review", 1)]
        obi = home_context(client, "daniel.obi@example.org")["my_applications"]
        assert [(a.hit, a.status, a.version) for a in obi] == [(cancer, "submitted", 2)]

        # The Dementia team's application was accredited (final): their work is the renewal and the
        # open condition, on the accredited application's page and the conditions page.
        for email in ("director@example.org", "sponsor@example.org", "member@example.org"):
            context = home_context(client, email)
            assert [hit for hit, _roles in context["my_hits"]] == [dementia], email
            assert context["my_applications"] == [], email
        accredited = Application.objects.get(hit=dementia)
        client.force_login(User.objects.get(email="director@example.org"))
        page = client.get(f"/accreditation/applications/{accredited.pk}/")
        assert page.context["accreditation"].valid_until <= today + datetime.timedelta(days=183)
        assert [r.name for r in page.context["renewal_rounds"]] == ["2026 accreditation round"]
        conditions = client.get("/accreditation/conditions/").context
        assert [(c.owner.email, c.can_close, c.overdue) for c in conditions["open_conditions"]] == [
            ("director@example.org", True, False)
        ]
        closed = client.get("/accreditation/conditions/", {"show": "closed"}).context
        assert len(closed["closed_conditions"]) == 1

        applicant = home_context(client, "applicant@example.org")
        assert [r.name for r in applicant["open_rounds"]] == ["2026 accreditation round"]
        assert sorted(
            ExpressionOfInterest.objects.filter(author__email="applicant@example.org").values_list(
                "status", flat=True
            )
        ) == [EOIStatus.DRAFT, EOIStatus.SUBMITTED]

        ppi = home_context(client, "ppi@example.org")
        assert {h.slug for h in ppi["hits_without_ppi_lead"]} >= {"diabetes", "sexual-health"}
        board = home_context(client, "board@example.org")
        assert board["status_counts"] and board["stage_counts"]
        assert home_context(client, "norole@example.org")["roles"].is_empty

    def test_current_round_applications_went_through_the_services(self):
        healthy_weight = Application.objects.get(hit__slug="obesity")
        assert [e.action for e in healthy_weight.events.order_by("created_at")] == [
            "confirm_sponsorship",
            "submit",
            "start_review",
        ]
        assert (
            healthy_weight.sponsor_confirmed and healthy_weight.director.email == "emma.thornton@example.org"
        )
        assert list(healthy_weight.revisions.values_list("number", "organisation_count")) == [(1, 6)]
        assignments = {a.reviewer.email: a for a in healthy_weight.assignments.select_related("reviewer")}
        assert set(assignments) == {"reviewer@example.org", "reviewer2@example.org", "lay@example.org"}
        assert assignments["reviewer@example.org"].review.scores.count() == 4
        assert not hasattr(assignments["lay@example.org"], "review")
        assert assignments["reviewer2@example.org"].conflict_unresolved
        assert assignments["reviewer2@example.org"].resolution == ConflictResolution.OPEN

        cancer = Application.objects.get(hit__slug="cancer-survivorship")
        events = list(cancer.events.order_by("created_at"))
        assert [e.action for e in events] == [
            "confirm_sponsorship",
            "submit",
            "start_review",
            "issue_feedback",
            "revise",
            "submit",
        ]
        assert all(before.created_at < after.created_at for before, after in itertools.pairwise(events))
        assert events[-1].created_at < timezone.now()
        assert (cancer.status, cancer.version) == (ApplicationStatus.SUBMITTED, 2)
        revisions = list(cancer.revisions.order_by("number"))
        assert [r.number for r in revisions] == [1, 2]
        assert revisions[0].sections["ppi"] != revisions[1].sections["ppi"]
        assert len(revisions[1].stakeholders) == len(revisions[0].stakeholders) + 1
        assert [r["response"] != "" for r in revisions[1].feedback_responses] == [True, True, True]
        feedback = FeedbackDocument.objects.get(application=cancer)
        assert feedback.released_at is not None and feedback.points.count() == 3
        reviews = [a.review for a in cancer.assignments.select_related("review")]
        assert {(r.status, r.recommendation, r.revision_number) for r in reviews} == {
            ("submitted", "revise", 1)
        }
        for hit in HIT.objects.filter(slug__in=["obesity", "cancer-survivorship"]):
            assert hit.status == HITStatus.IN_APPLICATION

    def test_every_hit_that_was_accredited_has_the_accreditations_that_made_it_so(self):
        """Each HIT whose history passes "accredit" has its accredited application, the decision
        dated on the day of that move, and renewals that keep it accredited while it runs: the
        terms follow one another without a gap, and one is in force today for every running HIT."""
        today = timezone.localdate()
        for hit in HIT.objects.all():
            moved = hit.status_changes.filter(action="accredit").first()
            terms = list(Accreditation.objects.filter(hit=hit).order_by("valid_from"))
            if moved is None:
                assert terms == [], hit.slug
                continue
            assert terms, hit.slug
            first = terms[0]
            assert first.application.kind == ApplicationKind.NEW, hit.slug
            assert first.decision.decided_at.date() == first.valid_from == moved.created_at.date(), hit.slug
            for before, after in itertools.pairwise(terms):
                assert after.application.kind == ApplicationKind.RENEWAL, hit.slug
                assert after.application.renewal_of == before, hit.slug
                assert after.valid_from == before.valid_until + datetime.timedelta(days=1), hit.slug
                assert after.decision.decided_at.date() < before.valid_until, hit.slug
            for term in terms:
                application = term.application
                assert application.status in FINAL_APPLICATION_STATES, hit.slug
                assert application.round.opens_on <= application.submitted_at.date(), hit.slug
                assert application.revisions.get(number=application.version).coverage is not None, hit.slug
                assert len(counting_reviews(application)) >= application.round.reviewers_per_application
            if hit.status in (HITStatus.ACTIVE, HITStatus.SET_UP, HITStatus.SUSPENDED, HITStatus.CLOSING):
                assert terms[-1].valid_from <= today <= terms[-1].valid_until, hit.slug
        # Renewals were replayed where a term ran out while its HIT was running.
        assert Application.objects.filter(kind=ApplicationKind.RENEWAL).count() == 8
        assert Accreditation.objects.values("hit").distinct().count() == 16

    def test_professionals_and_front_line_staff_are_counted(self):
        """Every person has a professional group; the HITs with doctors, nurses or front-line staff at the
        table cover STAFF (docs/domain.md section 5.2), so not every HIT misses that category."""
        assert not Person.objects.filter(professional_group="").exists()
        assert Person.objects.filter(professional_group=ProfessionalGroup.PUBLIC).count() == (
            Person.objects.filter(is_public_member=True).count()
        )
        inputs = coverage_inputs(hit_ids=None, day=timezone.localdate())
        covering = [hit_id for hit_id, entry in inputs.items() if entry["depths"].get("STAFF")]
        assert len(covering) >= 10

    def test_trends_have_two_years_of_history_computed_as_of_each_quarter(self):
        """Coverage, readiness and the portfolio have a point in each of the board's eight quarters,
        made by the services on the day (the coverage of a quarter's end computed that night; each
        wave answered while open and released once, after it closed), never typed in."""
        today = timezone.localdate()
        series = trends(None, today=today)
        for name in ("coverage", "readiness"):
            points = getattr(series, name)
            assert len(points) == 8 and all(p.average is not None for p in points), name
        assert all(p.total for p in series.portfolio)
        assert series.readiness[-1].average > series.readiness[0].average  # the surveyed HITs improved
        history = CoverageSnapshot.objects.filter(label="map", taken_on__lt=today)
        assert history.values("taken_on").distinct().count() == 8
        for snapshot in history:
            assert timezone.localtime(snapshot.created_at).date() == snapshot.taken_on
        released = Wave.objects.filter(released_at__isnull=False)
        assert released.count() >= 17
        for wave in released:
            assert timezone.localtime(wave.released_at).date() > wave.closes_on
            assert not wave.responses.filter(submitted_on__gt=wave.closes_on).exists()
        # Each surveyed HIT has two closed waves a year apart, so its results can show change.
        assert (
            Wave.objects.filter(released_at__isnull=False)
            .values("hit")
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
            .count()
            >= 8
        )

    def test_each_hit_with_two_closed_waves_has_its_change_stored_with_an_interval(self):
        """The worker stored, at the second release, the change of each dimension of the eight surveyed
        HITs, each with its 95% interval and a label (docs/domain.md section 7.3)."""
        from engagement.models import ReadinessChange

        surveyed = (
            Wave.objects.filter(released_at__isnull=False)
            .values("hit")
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
            .values_list("hit", flat=True)
        )
        assert len(surveyed) >= 8
        for hit_id in surveyed:
            latest = Wave.objects.filter(hit_id=hit_id, released_at__isnull=False).order_by(
                "-opens_on", "-pk"
            )
            changes = ReadinessChange.objects.filter(wave=latest[0], previous_wave=latest[1])
            assert changes.count() >= 9, hit_id
            compared = [c for c in changes if c.difference is not None]
            assert compared, hit_id
            for c in compared:
                assert c.low <= c.difference <= c.high
                assert c.label in {"improved", "declined", "no detectable change"}
        labels = set(ReadinessChange.objects.values_list("label", flat=True))
        assert {"improved", "declined", "no detectable change"} <= labels

    def test_the_board_has_a_funnel_of_the_surveyed_hits_and_monthly_xmr_charts(self):
        """The worker's portfolio statistics: every HIT with a released wave on the funnel (the eight
        surveyed ones among them), in name order, and 24 monthly points on each XmR chart."""
        from reporting.models import PortfolioStatistic

        stored = {row.kind: row.data for row in PortfolioStatistic.objects.all()}
        surveyed = set(
            Wave.objects.filter(released_at__isnull=False)
            .values("hit")
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
            .values_list("hit__name", flat=True)
        )
        names = [p["label"] for p in stored["funnel"]["points"]]
        assert len(surveyed) == 8 and surveyed <= set(names)
        assert names == sorted(names, key=str.casefold)
        assert stored["funnel"]["pooled_sd"] > 0
        assert stored["funnel"]["summary"]
        for kind in ("overdue", "coverage", "readiness"):
            assert len(stored[kind]["points"]) == 24, kind
        for kind in ("coverage", "readiness"):
            assert stored[kind]["mean"] is not None, kind  # twelve or more months: an XmR chart

    def test_dementia_was_accredited_in_the_past_round_and_ends_within_six_months(self):
        today = timezone.localdate()
        application = Application.objects.get(hit__slug="dementia")
        assert application.round.name == "2023 accreditation round"
        assert application.status == ApplicationStatus.ACCREDITED_WITH_CONDITIONS
        assert application.submitted_at.date() <= application.round.application_deadline
        decision = application.decisions.get()
        assert decision.outcome == DecisionOutcome.ACCREDITED_WITH_CONDITIONS
        assert decision.decided_by.email == "chair@example.org"
        reviews = [a.review for a in application.assignments.select_related("review")]
        assert len(reviews) == 3 and all(r.status == ReviewStatus.SUBMITTED for r in reviews)
        assert all(r.submitted_at < decision.decided_at for r in reviews)
        accreditation = Accreditation.objects.get(hit__slug="dementia")
        assert accreditation.valid_from == decision.decided_at.astimezone(ZoneInfo("Europe/London")).date()
        assert today < accreditation.valid_until <= today + datetime.timedelta(days=183)
        assert accreditation.reminded_6_months_at is None  # the nightly job sends the reminder
        open_condition = Condition.objects.get(decision=decision, closed_at__isnull=True)
        assert open_condition.owner.email == "director@example.org"
        assert today < open_condition.due_on < accreditation.valid_until
        closed = Condition.objects.get(decision=decision, closed_at__isnull=False)
        # The director sent the evidence; a programme manager accepted it, closing the condition.
        assert closed.evidence and closed.closed_by.email == "pm@example.org"
        assert [(e.action, e.actor.email) for e in closed.events.order_by("pk")] == [
            ("submit_evidence", "director@example.org"),
            ("accept", "pm@example.org"),
        ]
        assert decision.decided_at < closed.closed_at < timezone.now()
        assert closed.due_on < today
        # The accredited table fed the stakeholder map, dated from the accreditation.
        rows = Stakeholder.objects.filter(hit__slug="dementia", source=StakeholderSource.APPLICATION)
        assert rows.count() == 6 and set(rows.values_list("start_date", flat=True)) == {
            accreditation.valid_from
        }
        # The HIT's own history agrees: accredited on the decision day, active since.
        dementia = HIT.objects.get(slug="dementia")
        accredit = dementia.status_changes.get(action="accredit")
        assert accredit.created_at.date() == accreditation.valid_from
        assert dementia.status == HITStatus.ACTIVE

    def test_engagement_records_and_stored_scores(self):
        dementia = HIT.objects.get(slug="dementia")
        for hit in HIT.objects.all():
            memberships = set(hit.memberships.values_list("pk", flat=True))
            synced = Stakeholder.objects.filter(hit=hit, source=StakeholderSource.MEMBERSHIP)
            assert {int(key) for key in synced.values_list("source_key", flat=True)} == memberships, hit.slug
        manual = Stakeholder.objects.filter(hit=dementia, source=StakeholderSource.MANUAL)
        assert sorted(manual.values_list("organisation__org_type__code", "depth")) == [
            ("local-authority", 1),
            ("patient-public-group", 2),
        ]

        assert InvolvementActivity.objects.values("hit").distinct().count() >= 5
        assert InvolvementActivity.objects.filter(
            decision_forum__in=["hit_leadership", "commissioning"]
        ).exists()
        caseload = {hit.slug: hit for hit in selectors_ppi.caseload()}
        quiet = caseload["drugs-and-alcohol"]
        assert quiet.flagged and quiet.last_activity_on <= selectors_ppi.flag_cutoff()
        assert not caseload["dementia"].flagged
        assert StandardsAssessment.objects.get(hit=dementia).ratings.count() == 6
        assert not PublicReview.objects.filter(hit=dementia).exists()
        maternity = HIT.objects.get(slug="maternity")
        assert (maternity.status, PublicReview.objects.get(hit=maternity).reviewer.email) == (
            HITStatus.SET_UP,
            "lay@example.org",
        )

        wave, open_wave = Wave.objects.filter(hit=dementia).order_by("opens_on")
        # Wave 1 closed and released; wave 2 is open: answers arrive, no result exists.
        assert wave.closed_at is not None and wave.released_at is not None
        assert wave.closes_on < timezone.localdate() <= open_wave.closes_on
        assert open_wave.closed_at is None and open_wave.released_at is None
        assert Response.objects.filter(wave=open_wave, is_submitted=True).count() == 6
        assert not ReadinessResult.objects.filter(wave=open_wave).exists()
        submitted = Response.objects.filter(wave=wave, is_submitted=True)
        assert submitted.count() >= 12
        by_org = dict(submitted.values_list("organisation__name").annotate(n=Count("pk")))
        assert len([name for name in by_org if name]) >= 2
        assert any(n < 5 for name, n in by_org.items() if name)
        assert Invitation.objects.filter(wave=wave, used=True).count() == submitted.count()
        assert Invitation.objects.filter(wave=wave, used=False).count() == 4
        results = ReadinessResult.objects.filter(wave=wave)
        assert results.filter(group_type="overall", suppressed=False).count() == 10
        assert results.filter(group_type="organisation", suppressed=True).exists()
        assert results.filter(group_type="organisation", suppressed=False).exists()

        assert MaturityAssessment.objects.get(hit=dementia).ratings.count() == 9
        assert ActionPlanItem.objects.filter(hit=dementia).count() == 2
        assert CoverageScore.objects.count() == HIT.objects.count()
        assert ScoreRequest.objects.count() == 0

    def test_the_readiness_item_bank_has_its_reliability_from_the_released_waves(self):
        instrument = (
            Instrument.objects.filter(name=SURVEY_INSTRUMENT, is_published=True).order_by("-version").first()
        )
        stored = ItemBankQuality.objects.filter(instrument=instrument)
        dimensions = set(instrument.items.values_list("dimension", flat=True))
        assert set(stored.values_list("dimension", flat=True)) == dimensions
        for quality in stored:
            assert quality.n >= 30 and quality.alpha is not None, quality.dimension
            assert quality.low < quality.alpha < quality.high
            assert (
                quality.items.count()
                == quality.k
                == instrument.items.filter(dimension=quality.dimension).count()
            )

    def test_every_round_board_has_its_stored_reviewer_calibration(self):
        from accreditation.models import RoundCalibration
        from accreditation.selectors.rounds import review_totals

        reviewed = [r for r in Round.objects.all() if review_totals(round=r)]
        assert reviewed  # the past rounds' reviews
        for round_ in reviewed:
            stored = RoundCalibration.objects.get(round=round_)
            assert {row["application"] for row in stored.results} == {
                a for _r, a, _t in review_totals(round=round_)
            }
        # The reviewers score on their own scales, so calibration has something to correct: some application
        # is calibrated away from zero, and in some round the calibrated order differs from the raw one.
        from accreditation.domain import review_stats
        from accreditation.selectors.calibration import stored_calibration

        boards = [stored_calibration(round_id=r.pk).results for r in reviewed]
        assert any(c.calibrated not in (None, 0.0) for board in boards for c in board.values())
        assert any(
            review_stats.order(board, calibrated=True) != review_stats.order(board, calibrated=False)
            for board in boards
        )

    def test_dementia_reports_went_through_the_services_and_wait_for_the_programme_manager(self, client):
        dementia = HIT.objects.get(slug="dementia")
        reports = list(ProgressReport.objects.filter(hit=dementia).order_by("due_on"))
        today = timezone.localdate()

        assert [r.status for r in reports] == ["accepted", "accepted", "accepted", "submitted"]
        assert [r.due_on for r in reports] == [
            ReportSchedule.objects.get(hit=dementia).slot(n) for n in range(4)
        ]
        assert reports[-1].due_on > today > reports[-2].due_on
        for earlier, later in itertools.pairwise(reports):
            assert later.period_start == earlier.period_end + datetime.timedelta(days=1)
        for report in reports:
            events = list(report.events.order_by("created_at", "pk"))
            assert events[0].action == "create" and events[0].actor.email == "director@example.org"
            assert all(e.created_at <= timezone.now() for e in events)
            assert report.submitted_at.date() <= today and report.ratings.exists()
            assert report.funding_status
        looped = [e.action for e in reports[1].events.order_by("created_at", "pk")]
        assert looped == ["create", "submit", "request_changes", "submit", "accept"]
        assert reports[1].version == 2
        assert {r.decided_by.email for r in reports[:3]} == {"pm@example.org"}
        assert reports[-1].readiness_snapshot and reports[-1].maturity_snapshot
        assert reports[-1].outcomes.exists() and reports[-1].quick_wins.exists()
        # Risks carry forward and are resolved in a later report.
        assert reports[1].risks.filter(resolved_on__isnull=False).exists()

        client.force_login(User.objects.get(email="pm@example.org"))
        listing = client.get(reverse("reporting:report-list")).content.decode()
        assert reverse("reporting:report-detail", args=[reports[-1].pk]) in listing

    def test_other_hits_have_schedules_and_the_nightly_run_opened_due_and_overdue_reports(self):
        today = timezone.localdate()
        scheduled = dict(ReportSchedule.objects.values_list("hit__slug", "is_active"))
        live = set(HIT.objects.filter(status__in=LIVE).values_list("slug", flat=True))

        assert live <= set(scheduled)
        assert scheduled["copd"] is False  # suspended: reminders paused
        assert not ReportSchedule.objects.exclude(hit__status__in=[*LIVE, HITStatus.SUSPENDED]).exists()
        overdue = ProgressReport.objects.filter(overdue_condition(today))
        assert set(overdue.values_list("hit__slug", flat=True)) == {"stroke", "drugs-and-alcohol"}
        due_soon = ProgressReport.objects.filter(status="draft", due_on__gte=today)
        assert set(due_soon.values_list("hit__slug", flat=True)) == {
            "avoidable-admissions",
            "pain-management",
        }
        for report in ProgressReport.objects.exclude(hit__slug="dementia"):
            assert report.created_by is None  # opened by the nightly run, not by a person
            assert report.events.get().created_at.date() == report.due_on - datetime.timedelta(days=14)
        assert ReminderLog.objects.filter(report__hit__slug="stroke").exists()

    def test_life_after_accreditation_closures_links_meetings_sponsors_stages_and_snapshots(self):
        today = timezone.localdate()
        closures = {r.hit.slug: r for r in ClosureRecord.objects.select_related("hit")}
        assert set(closures) == set(
            HIT.objects.filter(status__in=[HITStatus.CLOSING, HITStatus.CLOSED]).values_list(
                "slug", flat=True
            )
        )
        for slug, record in closures.items():
            assert record.what_continues and record.recorded_by.email == "pm@example.org"
            last = HITStatusChange.objects.filter(hit__slug=slug).latest("created_at")
            assert record.recorded_at == last.created_at  # dated back with the step that wrote it
        assert HIT.objects.get(slug="falls-prevention").merged_into.slug == "frailty"

        assert HITLink.objects.count() == 4
        dementia = HIT.objects.get(slug="dementia")
        meetings = Meeting.objects.filter(hit=dementia)
        assert meetings.filter(working_group__isnull=False).exists()
        assert meetings.filter(group_name="Management group").count() == 4
        assert all(m.held_on < today for m in meetings)

        liveness = sponsor_liveness_for_hits(hit_ids=list(HIT.objects.values_list("pk", flat=True)))
        states = {hit.slug: liveness[hit.pk].state for hit in HIT.objects.all()}
        assert (states["dementia"], states["pain-management"], states["stroke"]) == ("green", "amber", "red")

        assessments = {a.hit.slug: a for a in StageAssessment.objects.select_related("hit")}
        assert assessments["dementia"].suggested_stage == assessments["dementia"].confirmed_stage
        assert assessments["maternity"].suggested_stage != assessments["maternity"].confirmed_stage
        for slug, assessment in assessments.items():
            assert HIT.objects.get(slug=slug).stage == assessment.confirmed_stage

        snapshots = list(PortfolioSnapshot.objects.order_by("taken_on"))
        assert len(snapshots) == 9 and snapshots[-1].taken_on == today
        assert snapshots[-1].hits_total == HIT.objects.count()
        assert snapshots[0].hits_total < snapshots[-1].hits_total  # HITs proposed since then
        for snapshot in snapshots:
            assert sum(snapshot.by_status.values()) == snapshot.hits_total
