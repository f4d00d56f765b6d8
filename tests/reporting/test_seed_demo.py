"""`manage.py seed_demo`: the demo data of DOMAIN.md section 7, and that loading it twice changes nothing."""

from __future__ import annotations

import datetime
import itertools
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone

from accreditation.models import PanelMember, Round
from hitportal.roles import roles_of
from reporting.demo import DELIBERATE_GAPS, DEMO_PASSWORD, load_demo
from teams.enums import HITStatus, LifecycleStage, MembershipRole
from teams.models import HIT, Membership, Organisation, OrganisationType, Person, User

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
    "norole@example.org": set(),
    "admin@example.org": set(),
}

LIVE = (HITStatus.SET_UP, HITStatus.ACTIVE)


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def all_counts() -> dict[str, int]:
    models = [*apps.get_app_config("teams").get_models(), *apps.get_app_config("accreditation").get_models()]
    return {model._meta.label: model.objects.count() for model in models}


def current(queryset):
    today = timezone.localdate()
    return queryset.filter(start_date__lte=today).filter(Q(end_date__isnull=True) | Q(end_date__gte=today))


def test_twenty_illustrative_hits_in_every_status_and_stage():
    seed()
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


def test_every_organisation_type_is_used_and_nine_partners():
    seed()
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


def test_each_login_authenticates_and_holds_its_role():
    output = seed()
    assert User.objects.count() == len(EXPECTED_ROLES)
    for email, expected in EXPECTED_ROLES.items():
        user = authenticate(username=email, password=DEMO_PASSWORD)
        assert user is not None, email
        assert set(roles_of(user).roles) == expected, email
        assert email in output
    assert "hitportal-demo" in output

    pm = User.objects.get(email="pm@example.org")
    assert pm.is_staff and not pm.is_superuser
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


def test_status_history_runs_from_proposed_to_the_current_status():
    seed()
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
        assert all(c.actor and c.actor.email == "pm@example.org" for c in changes), hit.slug
        assert changes[-1].created_at == hit.status_changed_at, hit.slug
        assert changes[-1].created_at <= timezone.now()
    stroke = [c.action for c in HIT.objects.get(slug="stroke").status_changes.order_by("created_at")]
    assert stroke == ["start_application", "accredit", "activate", "suspend", "reinstate"]


def test_running_twice_changes_nothing():
    seed()
    counts = all_counts()
    history = list(HIT.objects.values_list("slug", "status", "status_changed_at").order_by("slug"))
    assert counts["teams.HITStatusChange"] == 56
    created = load_demo()
    assert created["hits"] == 0 and set(created.values()) == {0}
    output = seed()
    assert "nothing changed" in output
    assert all_counts() == counts
    assert list(HIT.objects.values_list("slug", "status", "status_changed_at").order_by("slug")) == history


def test_live_hits_have_their_structures_except_the_deliberate_gaps():
    seed()
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
            if hit.slug in DELIBERATE_GAPS["working_group_without_service_lead"] and sides == {"academic"}:
                continue
            assert sides == {"academic", "service"}, (hit.slug, group.name)
    assert DELIBERATE_GAPS == {
        "no_director": ("stroke",),
        "working_group_without_service_lead": ("pain-management",),
        "no_ppi_lead": ("diabetes", "sexual-health"),
    }
    pain_groups = HIT.objects.get(slug="pain-management").working_groups.annotate(
        leads=Count("memberships", filter=Q(memberships__role=MembershipRole.WORKING_GROUP_LEAD))
    )
    assert sorted(g.leads for g in pain_groups) == [1, 2]
    assert HIT.objects.get(slug="stroke").status == HITStatus.ACTIVE


def test_closed_hits_have_ended_memberships():
    seed()
    for hit in HIT.objects.filter(status=HITStatus.CLOSED):
        assert hit.memberships.exists()
        assert not current(hit.memberships).exists(), hit.slug


def test_people_affiliations_and_public_members():
    seed()
    assert 55 <= Person.objects.count() <= 80
    assert Person.objects.filter(is_public_member=True).count() >= 5
    dual = Person.objects.filter(affiliations__appointment="dual").distinct()
    assert dual.count() >= 10
    theme_leads = Person.objects.filter(memberships__role=MembershipRole.THEME_LEAD).distinct()
    assert theme_leads.filter(pk__in=dual).exists()
    assert not Person.objects.filter(affiliations__isnull=True).exists()
    assert Person.objects.filter(user__isnull=False).count() == 11


def test_rounds_and_panel():
    seed()
    today = timezone.localdate()
    current_round = Round.objects.get(name="2026 accreditation round")
    assert current_round.opens_on == today - datetime.timedelta(days=30)
    assert current_round.eoi_deadline == today + datetime.timedelta(days=30)
    assert current_round.application_deadline == today + datetime.timedelta(days=90)
    assert current_round.reviewers_per_application == 2
    assert current_round.accreditation_term_years == 3
    assert current_round.is_open_on(today)
    past = Round.objects.exclude(pk=current_round.pk).get()
    assert past.application_deadline < today
    members = PanelMember.objects.filter(panel__round=current_round)
    assert sorted(members.values_list("user__email", "role")) == [
        ("chair@example.org", "chair"),
        ("lay@example.org", "lay_reviewer"),
        ("reviewer2@example.org", "reviewer"),
        ("reviewer@example.org", "reviewer"),
    ]
