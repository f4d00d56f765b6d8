"""One programme year on a frozen clock, through the pages and the beat schedule's own tasks.

A programme manager with that role alone makes a round and its panel; a person registers, verifies
their address and sends an expression of interest; they are invited, write revision 1 (every
section, the stakeholder table, the sponsor confirming through the e-mailed link) and submit it; the
reviewers declare and review; the chair releases feedback; revision 2 names a reviewer's employer
and the second submission flags the conflict; the chair accredits with a condition, which the owner
closes with evidence and the programme manager accepts; the HIT's profile comes from the
application; the HIT goes from set-up to active; the daily beat tasks open two progress reports and
remind the directors; the team submits and the programme manager accepts; months later the beat task
sends the renewal reminder. Every e-mail is asserted (recipient and a key phrase), and the audit
log page lists the key steps.

Each user acts through the Django test client on the real forms (tests/pages.py reads a page's form
the way a browser would, with its version and one-time key); e-mails queued after commit are sent
as each request or task ends.
"""

from __future__ import annotations

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.test import Client, TestCase

from accreditation.domain.criteria import CRITERIA, criteria_for
from accreditation.domain.sections import SECTIONS
from accreditation.enums import ApplicationStatus, EOIStatus, PanelRole
from accreditation.models import (
    Accreditation,
    Application,
    Condition,
    ExpressionOfInterest,
    Panel,
    ReviewAssignment,
    Round,
    StakeholderPlanRow,
)
from hitportal.celery import app as celery_app
from reporting.enums import ReportStatus
from reporting.models import ProgressReport
from teams.enums import HITStatus, ProgrammeRole
from teams.models import StakeholderCategory, User
from tests import factories as f
from tests.factories import accreditation_applications as af
from tests.pages import pick

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
PASSWORD = "a-long-registration-passphrase"
TITLE = "Healthy Ageing at Home"


def at(day: datetime.date, hour: int = 10) -> time_machine.travel:
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON), tick=False)


class Actor:
    """One user's browser: opens pages and sends their forms; e-mails go out as each request ends."""

    def __init__(self, user: User | None = None) -> None:
        self.client = Client()
        self.user = user

    def _sign_in(self) -> None:
        """A fresh session at the frozen clock's time (a session lasts hours, the year is long)."""
        if self.user is not None:
            self.client.force_login(self.user)

    def get(self, url: str, status: int = 200) -> str:
        self._sign_in()
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = self.client.get(url, follow=True)
        assert response.status_code == status, (url, response.status_code)
        return response.content.decode()

    def submit(self, url: str, *, button: str | None = None, action: str | None = None, **changes) -> str:
        """Open `url`, fill in the form with `button` (or posting to `action`) and send it; the page
        it ends on (after redirects). A page that shows the form again with errors fails the test."""
        html = self.get(url)
        form, clicked = pick(html, button=button, action=action)
        target = form.action or url
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = self.client.post(target, {**form.data(**changes), **clicked}, follow=True)
        assert response.status_code == 200, (target, response.status_code)
        page = response.content.decode()
        assert "is-invalid" not in page and "alert-danger" not in page, _errors(page)
        return page


def _errors(page: str) -> str:
    summary = re.search(r'id="error-summary"(.*?)</div>', page, flags=re.S)
    fields = re.findall(r"invalid-feedback[^>]*>(.*?)</div>", page, flags=re.S)
    return _text((summary.group(1) if summary else "") + " ".join(fields)) or page[:3000]


def _text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def run_task(name: str) -> dict:
    """The beat schedule's task by its registered name, run as the worker would (the schedule must
    name it: these are the runs beat starts each day)."""
    assert name in {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}, name
    celery_app.loader.import_default_modules()  # the worker's own task discovery
    with TestCase.captureOnCommitCallbacks(execute=True):
        return celery_app.tasks[name].apply().get()


def mails(*expected: tuple[str, str]) -> list:
    """Every e-mail sent since the last call, one for each (recipient, phrase in its subject or body)
    and no other; the outbox is emptied. Returns the messages in the order expected."""
    left = list(mail.outbox)
    found = []
    for to, phrase in expected:
        match = next((m for m in left if to in m.to and (phrase in m.subject or phrase in m.body)), None)
        assert match is not None, (to, phrase, [(m.to, m.subject) for m in left])
        left.remove(match)
        found.append(match)
    assert not left, [(m.to, m.subject) for m in left]
    mail.outbox.clear()
    return found


def _link(message, pattern: str) -> str:
    match = re.search(pattern, message.body)
    assert match, message.body
    return match.group(0)


def test_one_programme_year():
    start = datetime.date(2027, 1, 11)

    # The cast: a programme manager with that role alone; the panel's members in the directory with
    # logins; reviewer Rita works at the Avon Community Trust, which revision 2 will name.
    pm = f.UserFactory(email="pm@example.org", full_name="Pat Manager")
    f.RoleAssignmentFactory(user=pm, role=ProgrammeRole.PROGRAMME_MANAGER)
    assert not pm.is_superuser and not pm.is_staff

    def person_with_login(name: str, email: str):
        user = f.UserFactory(full_name=name, email=email)
        return f.PersonFactory(user=user, full_name=name, email=email)

    chair = person_with_login("Chris Chair", "chair@example.org")
    rita = person_with_login("Rita Reviewer", "rita@example.org")
    rob = person_with_login("Rob Reviewer", "rob@example.org")
    lay = person_with_login("Lee Lay", "lee@example.org")
    avon = f.OrganisationFactory(name="Avon Community Trust")
    carers = f.OrganisationFactory(name="Bristol Carers")
    council = f.OrganisationFactory(name="Bristol Social Care")
    f.AffiliationFactory(person=rita, organisation=avon)
    sponsor = f.PersonFactory(full_name="Sam Sponsor", email="sam.sponsor@example.org")
    # The people the application will name for its groups, already in the directory (no logins).
    named = {
        "mo": f.PersonFactory(full_name="Mo Manager", email="mo@example.org"),
        "nia": f.PersonFactory(full_name="Nia Nurse", email="nia@example.org"),
        "ada": f.PersonFactory(full_name="Ada Academic", email="ada@example.org"),
        "sol": f.PersonFactory(full_name="Sol Service", email="sol@example.org"),
    }

    # 1. The programme manager makes the round and its panel through their pages.
    manager = Actor(pm)
    with at(start):
        page = manager.submit(
            "/accreditation/rounds/new/",
            name="Round 2027",
            opens_on=start.isoformat(),
            eoi_deadline=(start + datetime.timedelta(days=30)).isoformat(),
            application_deadline=(start + datetime.timedelta(days=90)).isoformat(),
            reviewers_per_application=2,
            accreditation_term_years=1,
        )
        assert "Round 2027 was saved." in page
        round_ = Round.objects.get(name="Round 2027")
        page = manager.submit(f"/accreditation/rounds/{round_.pk}/panels/new/", name="Panel 2027")
        assert "Panel 2027 was made." in page
        panel = Panel.objects.get(round=round_)
        for person, role in (
            (chair, PanelRole.CHAIR),
            (rita, PanelRole.REVIEWER),
            (rob, PanelRole.REVIEWER),
            (lay, PanelRole.LAY_REVIEWER),
        ):
            page = manager.submit(
                f"/accreditation/panels/{panel.pk}/", button="Seat them", person=person.pk, role=role
            )
        assert sorted(panel.members.values_list("user__email", "role")) == sorted(
            [
                ("chair@example.org", PanelRole.CHAIR),
                ("rita@example.org", PanelRole.REVIEWER),
                ("rob@example.org", PanelRole.REVIEWER),
                ("lee@example.org", PanelRole.LAY_REVIEWER),
            ]
        )
        page = manager.get(f"/accreditation/panels/{panel.pk}/")
        assert "Chris Chair" in page and "Lee Lay" in page

    # 2. A person registers themselves: the e-mailed link asks for the password chosen at registration.
    visitor = Actor()
    with at(start, 11):
        visitor.submit(
            "/accounts/signup/",
            full_name="Alex Applicant",
            email="alex@example.org",
            password1=PASSWORD,
            password2=PASSWORD,
        )
        (verify,) = mails(("alex@example.org", "Confirm your e-mail address"))
        link = _link(verify, r"/accounts/signup/verify/[^/\s]+/[^/\s]+/")
        page = visitor.submit(link, password=PASSWORD)
        assert "Your account is active" in page
    alex = User.objects.get(email="alex@example.org")
    applicant = Actor(alex)

    # 3. They send an expression of interest; the chair hears of it.
    categories = list(StakeholderCategory.objects.order_by("pk").values_list("pk", flat=True))
    with at(start + datetime.timedelta(days=2)):
        page = applicant.submit(
            f"/accreditation/rounds/{round_.pk}/eoi/new/",
            working_title=TITLE,
            problem="Older people wait too long for joined-up care at home.",
            boundaries="Community services, primary care and the council's social care.",
            proposed_director="Alex Applicant",
            **{
                "partners-0-organisation_name": "North Bristol Trust",
                "partners-0-category": categories[0],
                "partners-1-organisation_name": "Bristol City Council",
                "partners-1-category": categories[1],
            },
        )
        eoi = ExpressionOfInterest.objects.get(working_title=TITLE)
        applicant.submit(f"/accreditation/eoi/{eoi.pk}/", button="Submit")
        eoi.refresh_from_db()
        assert eoi.status == EOIStatus.SUBMITTED
        mails(("chair@example.org", f"New expression of interest to Round 2027: {TITLE}"))

    # 4. The chair invites it to application; the applicant is told.
    chairing = Actor(chair.user)
    with at(start + datetime.timedelta(days=5)):
        chairing.submit(f"/accreditation/eoi/{eoi.pk}/", button="Invite to apply")
        mails(("alex@example.org", f"Invited to apply: {TITLE}"))
    application = Application.objects.get(hit__name=TITLE)
    hit = application.hit
    base = f"/accreditation/applications/{application.pk}"

    # 5. Revision 1: every section through its page, the stakeholder table, the sponsor's
    # confirmation through the e-mailed link, then the submission (the chair and the team are told).
    director_person = alex.person
    with at(start + datetime.timedelta(days=10)):
        for section in SECTIONS:
            if section.form_class is None:
                continue
            data = dict(af.VALID_SECTION_DATA[section.key])
            if section.key == "aims":
                data["aims"] = "People over 75 stay well at home: fewer emergency admissions in three years."
            if section.key == "governance":
                data.update(
                    management_group="Mo Manager, Bristol Carers\nNia Nurse, Bristol Social Care",
                    working_groups="Home care pathway; Ada Academic; Sol Service",
                    director=director_person.pk,
                    executive_sponsor=sponsor.pk,
                    host_organisation=carers.pk,
                    host_unit="Research and innovation",
                )
            page = applicant.submit(f"{base}/sections/{section.key}/", button="Save", **data)
            assert "This section is complete." in page, section.key
        # The EOI's partners came over as rows to agree; the team writes what was agreed.
        for row in StakeholderPlanRow.objects.filter(application=application):
            applicant.submit(
                f"{base}/stakeholders/{row.pk}/edit/",
                button="Save",
                role="Partner in the home care pathway",
                outcome="Shared care plans",
            )
        for organisation, category in ((carers, categories[2]), (council, categories[3])):
            applicant.submit(
                f"{base}/stakeholders/",
                button="Add to the table",
                organisation=organisation.pk,
                category=category,
                role="Member of the management group",
                outcome="Carers shape every plan",
            )
        applicant.submit(f"{base}/sections/governance/", button="Send confirmation request")
        (request,) = mails((sponsor.email, f"Please confirm your sponsorship of {TITLE}"))
        page = Actor().submit(
            _link(request, r"/accreditation/sponsor/[^/\s]+/"), button="I confirm my sponsorship"
        )
        assert "Sponsorship confirmed" in page
        mails(("alex@example.org", "Sam Sponsor confirmed their sponsorship"))

        applicant.submit(f"{base}/", button="Submit")
        application.refresh_from_db()
        assert (application.status, application.version) == (ApplicationStatus.SUBMITTED, 1)
        mails(
            ("chair@example.org", f"{TITLE} submitted revision 1 of its application"),
            ("alex@example.org", f"{TITLE} submitted revision 1 of its application"),
        )

    # 6. The chair starts the review and assigns the reviewers (each is asked by e-mail); they
    # declare no conflict and review.
    reviewers = {"rita": rita.user, "rob": rob.user, "lee": lay.user}

    def review(user: User, *, lay_reviewer: bool = False) -> None:
        assignment = ReviewAssignment.objects.get(application=application, reviewer=user)
        scores = {}
        for criterion in criteria_for(is_lay=lay_reviewer):
            scores[f"score_{criterion.code}"] = 3
            scores[f"comment_{criterion.code}"] = "Well argued."
        Actor(user).submit(
            f"/accreditation/assignments/{assignment.pk}/review/",
            button="Submit review",
            recommendation="accredit",
            summary="A committed team with a clear plan.",
            **scores,
        )

    with at(start + datetime.timedelta(days=40)):
        chairing.submit(f"/accreditation/rounds/{round_.pk}/board/", button=f"Start review: {TITLE}")
        for user in reviewers.values():
            chairing.submit(f"{base}/assignments/", button="Assign", reviewer=user.pk)
            mails((user.email, f"Please review the application of {TITLE}"))
        for name, user in reviewers.items():
            assignment = ReviewAssignment.objects.get(application=application, reviewer=user)
            assert not assignment.flagged_organisations
            Actor(user).submit(
                f"/accreditation/assignments/{assignment.pk}/declare/",
                button="Send my declaration",
                declaration="none",
            )
            review(user, lay_reviewer=name == "lee")

    # 7. The chair writes the feedback and releases it; the team is told.
    with at(start + datetime.timedelta(days=50)):
        chairing.submit(
            f"{base}/feedback/edit/",
            button="Save draft",
            summary="A promising application; say more about how carers are paid.",
            **{"points-0-text": "Explain how carers are paid and trained."},
        )
        chairing.submit(f"{base}/feedback/edit/", button="Release feedback")
        application.refresh_from_db()
        assert application.status == ApplicationStatus.FEEDBACK
        mails(("alex@example.org", f"Feedback on the application of {TITLE} is ready"))

    # 8. Revision 2 answers the feedback and names Rita's employer as a partner: its submission flags
    # her conflict, and every reviewer is asked to review the new revision.
    with at(start + datetime.timedelta(days=60)):
        applicant.submit(f"{base}/", button="Revise")
        page = applicant.get(f"{base}/feedback/")
        assert "Explain how carers are paid and trained." in page
        form, _ = pick(page, button="Save the answers")
        answers = {
            name: "Carers are paid at the national rate and trained."
            for name in form.fields
            if name.startswith("point_")
        }
        assert answers, form.fields
        applicant.submit(f"{base}/feedback/", button="Save the answers", **answers)
        applicant.submit(
            f"{base}/stakeholders/",
            button="Add to the table",
            organisation=avon.pk,
            category=categories[4],
            role="Runs the community nursing teams",
            outcome="Nurses share the care plans",
        )
        applicant.submit(f"{base}/", button="Submit")
        application.refresh_from_db()
        assert (application.status, application.version) == (ApplicationStatus.SUBMITTED, 2)
        flagged = ReviewAssignment.objects.get(application=application, reviewer=rita.user)
        assert flagged.flagged_organisations == "Avon Community Trust"
        assert flagged.declaration == "pending"
        to_rita, to_rob, to_lee, *_ = mails(
            *(
                (user.email, f"Revision 2 of {TITLE}'s application needs your review")
                for user in reviewers.values()
            ),
            ("chair@example.org", f"{TITLE} submitted revision 2 of its application"),
            ("alex@example.org", f"{TITLE} submitted revision 2 of its application"),
        )
        assert "Avon Community Trust" in to_rita.body
        assert "Avon Community Trust" not in to_rob.body + to_lee.body

    # 9. The chair starts the second review and recuses Rita; Rob and Lee review revision 2.
    with at(start + datetime.timedelta(days=65)):
        chairing.submit(f"/accreditation/rounds/{round_.pk}/board/", button=f"Start review: {TITLE}")
        page = chairing.get(f"{base}/assignments/")
        assert "Avon Community Trust" in page
        chairing.submit(
            f"{base}/assignments/",
            button="Record the decision on Rita Reviewer",
            resolution="recused",
            note="Employed by a partner named in revision 2.",
        )
        for name in ("rob", "lee"):
            review(reviewers[name], lay_reviewer=name == "lee")

    # 10. The chair accredits with a condition owned by the director; the team and the owner are told.
    decided_on = start + datetime.timedelta(days=70)
    condition_due = decided_on + datetime.timedelta(days=30)
    with at(decided_on):
        chairing.submit(
            f"{base}/decide/",
            button="Record the decision",
            outcome="accredit_with_conditions",
            rationale="A strong team with committed partners; the feedback was answered.",
            **{
                "conditions-0-text": "Agree the terms of reference of the management group.",
                "conditions-0-owner": director_person.pk,
                "conditions-0-due_on": condition_due.isoformat(),
            },
        )
        application.refresh_from_db()
        assert application.status == ApplicationStatus.ACCREDITED_WITH_CONDITIONS
        mails(
            ("alex@example.org", f"{TITLE}: Accredited with conditions"),
            ("alex@example.org", f"Condition set for {TITLE}"),
        )
        accreditation = Accreditation.objects.get(application=application)
        hit.refresh_from_db()
        assert hit.status == HITStatus.SET_UP
        # The HIT's profile comes from the accredited application: its aims and its host.
        assert hit.aims.startswith("People over 75 stay well at home")
        assert (hit.host_organisation, hit.host_unit) == (carers, "Research and innovation")
        page = applicant.get(f"/teams/hits/{hit.pk}/")
        assert "People over 75 stay well at home" in page and "Bristol Carers" in page

        # The people the application names are proposed as the HIT's members; the director confirms
        # them in one step (each told by e-mail what they were added to), nothing retyped.
        page = applicant.get(f"/teams/hits/{hit.pk}/")
        assert "Confirm the proposed memberships" in page
        page = applicant.submit(f"/teams/hits/{hit.pk}/members/proposed/", button=None)
        mails(*((person.email, TITLE) for person in (sponsor, *named.values())))
        current = hit.memberships.filter(end_date__isnull=True)
        assert sorted(
            current.values_list("person__full_name", "role", "working_group__name", "lead_side")
        ) == [
            ("Ada Academic", "working_group_lead", "Home care pathway", "academic"),
            ("Alex Applicant", "director", None, ""),
            ("Mo Manager", "management_group", None, ""),
            ("Nia Nurse", "management_group", None, ""),
            ("Sam Sponsor", "executive_sponsor", None, ""),
            ("Sol Service", "working_group_lead", "Home care pathway", "service"),
        ]

    # 11. The condition's reminder comes from the beat task; its owner closes it with evidence and
    # the programme manager, told by e-mail, accepts it.
    condition = Condition.objects.get(decision__application=application)
    with at(condition_due - datetime.timedelta(days=django_settings.CONDITION_REMINDER_DAYS), 7):
        run_task("accreditation.send_condition_reminders")
        mails(("alex@example.org", f"Condition of {TITLE} due on {condition_due:%-d %B %Y}"))
    with at(condition_due - datetime.timedelta(days=5)):
        applicant.submit(
            f"/accreditation/conditions/{condition.pk}/close/",
            button="Send the evidence",
            evidence="The terms of reference were agreed at the first meeting; minutes attached.",
        )
        mails(("pm@example.org", f"Evidence to accept: a condition of {TITLE}"))
        manager.submit(
            f"/accreditation/conditions/{condition.pk}/review/",
            button="Accept the evidence and close the condition",
        )
        mails(("alex@example.org", f"Condition of {TITLE} closed"))
        condition.refresh_from_db()
        assert condition.closed_at is not None

    # 12. Set-up: the groups confirmed from the application (above) hold the sponsor, a management
    # group from two organisations and a working group with both leads; the public review group
    # judges the PPI arrangements; the checklist holds and the programme manager moves the HIT to
    # active.
    with at(condition_due):
        page = Actor(lay.user).submit(
            f"/engagement/hits/{hit.pk}/ppi/reviews/new/",
            button="Save the assessment",
            ppi_depth=3,
            arrangements_adequate="yes",
            comments="Carers are involved from the start and paid for their time.",
        )
        page = manager.get(f"/reporting/hits/{hit.pk}/setup/")
        assert "Move to active" in page, _text(page)
        manager.submit(f"/reporting/hits/{hit.pk}/setup/", button="Move to active")
        hit.refresh_from_db()
        assert hit.status == HITStatus.ACTIVE

    # 13. Reporting: the programme manager sets a quarterly schedule. From here the beat schedule's
    # daily tasks run every day of the year at their hours; they open the reports and remind.
    activated_on = condition_due
    first_due = datetime.date(2027, 6, 30)
    with at(activated_on):
        manager.submit(
            f"/reporting/hits/{hit.pk}/schedule/",
            button="Save the schedule",
            interval_months=3,
            first_due_on=first_due.isoformat(),
            reminder_offsets="-14, 1, 14",
        )
    daily = (
        ("reporting.send_report_reminders", 6, 30),
        ("accreditation.send_renewal_reminders", 7, 0),
        ("accreditation.send_condition_reminders", 7, 10),
    )

    def beat(first: datetime.date, last: datetime.date) -> dict[datetime.date, list[tuple[str, str]]]:
        """Each day's daily tasks; the e-mails each day sent, as (recipient, subject)."""
        mail.outbox.clear()
        days: dict[datetime.date, list[tuple[str, str]]] = {}
        day = first
        while day <= last:
            before = len(mail.outbox)
            for name, hour, minute in daily:
                moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)
                with time_machine.travel(moment, tick=False):
                    run_task(name)
            if len(mail.outbox) > before:
                days[day] = sorted((m.to[0], m.subject) for m in mail.outbox[before:])
            day += datetime.timedelta(days=1)
        return days

    # The first report opens and its reminder goes to the director 14 days before it is due.
    assert beat(activated_on + datetime.timedelta(days=1), datetime.date(2027, 6, 20)) == {
        datetime.date(2027, 6, 16): [("alex@example.org", f"{TITLE} progress report due on 30 June 2027")],
    }
    (report,) = ProgressReport.objects.filter(hit=hit)
    assert (report.due_on, report.status) == (first_due, ReportStatus.DRAFT)
    mails(("alex@example.org", "in 14 days"))

    # The team writes and submits it; the programme manager is told and accepts it; the team is told.
    with at(datetime.date(2027, 6, 25)):
        applicant.submit(
            f"/reporting/reports/{report.pk}/edit/?section=indicators",
            button="Save four-concept indicators",
            **{
                f"rating_{CRITERIA[0].code}": 2,
                f"evidence_{CRITERIA[0].code}": "Minutes of the management group.",
            },
        )
        applicant.submit(
            f"/reporting/reports/{report.pk}/edit/?section=capacity",
            button="Save capacity and funding",
            funding_status="secured",
        )
        applicant.submit(f"/reporting/reports/{report.pk}/", button="Submit")
        mails(("pm@example.org", f"{TITLE} submitted its progress report (due 30 June 2027)"))
        manager.submit(f"/reporting/reports/{report.pk}/", button="Accept")
        mails(("alex@example.org", f"{TITLE} progress report: accepted"))
        report.refresh_from_db()
        assert report.status == ReportStatus.ACCEPTED

    # No reminder for the accepted report; the second opens 14 days before it is due and is reminded,
    # then overdue; six months before the accreditation ends, the renewal reminder comes.
    days = beat(datetime.date(2027, 6, 26), datetime.date(2027, 10, 5))
    assert accreditation.valid_until == datetime.date(2028, 3, 21)
    assert days == {
        datetime.date(2027, 9, 16): [
            ("alex@example.org", f"{TITLE} progress report due on 30 September 2027")
        ],
        datetime.date(2027, 9, 21): [
            ("alex@example.org", f"{TITLE}: accreditation ends on 21 March 2028"),
            ("pm@example.org", f"{TITLE}: accreditation ends on 21 March 2028"),
        ],
        datetime.date(2027, 10, 1): [
            ("alex@example.org", f"Overdue: {TITLE} progress report was due on 30 September 2027")
        ],
    }, days
    assert ProgressReport.objects.filter(hit=hit).count() == 2

    # 14. The audit log page lists the year's key steps, each with who did it (System for the beat).
    with at(datetime.date(2027, 10, 6)):
        first = _text(manager.get("/audit/"))
        found = int(re.search(r"(\d+) events found", first).group(1))
        log = first + "".join(
            _text(manager.get(f"/audit/?page={number}")) for number in range(2, (found + 49) // 50 + 1)
        )
    for step in (
        "Pat Manager Round Round created Name: Round 2027; Opens on: 11 Jan 2027",
        "Pat Manager Round Panel created Panel 2027 Round 2027",
        "Pat Manager Panel seat Seated Chris Chair as chair",
        "Pat Manager Panel seat Seated Rita Reviewer as reviewer",
        "Pat Manager Panel seat Seated Lee Lay as lay (public review group) reviewer",
        "Alex Applicant Programme role Granted the role Applicant",
        "Alex Applicant Expression of interest Submit: Draft → Submitted",
        "Chris Chair Expression of interest Invite to apply: Submitted → Invited to apply",
        "Chris Chair HIT membership Added Alex Applicant as director",
        "System Application Confirm sponsorship Confirmed by Sam Sponsor",
        "Chris Chair Review assignment Assigned Rob Reviewer as reviewer",
        "Rob Reviewer Conflict of interest declared Declared no conflict of interest",
        "Rita Reviewer Review submitted Submitted a review of version 1",
        "Chris Chair Application Release feedback: Under review → Feedback released",
        "Alex Applicant Application Revise: Feedback released → Draft",
        "Chris Chair Conflict of interest resolved Conflict of interest of Rita Reviewer: recused",
        "Lee Lay Review submitted Submitted a lay review of version 2",
        "Chris Chair Panel decision Decided: Accredited with conditions (version 2)",
        "Chris Chair HIT status Accredit: In application → Set-up",
        "Alex Applicant HIT membership Added Mo Manager as management group member",
        "Alex Applicant Accreditation condition Evidence sent: Open → Awaiting acceptance",
        "Pat Manager Accreditation condition Evidence accepted: Awaiting acceptance → Closed",
        "Alex Applicant HIT membership Added Sam Sponsor as executive sponsor",
        "Lee Lay Public review Recorded a public review of the PPI arrangements",
        "Pat Manager HIT status Move to active: Set-up → Active",
        "Pat Manager Reporting schedule Set the reporting schedule Every 3 months from 30 Jun 2027",
        "Alex Applicant Progress report Submit: Draft → Submitted",
        "Pat Manager Progress report Accept: Submitted → Accepted",
    ):
        assert step in log, step
    assert log.count("Alex Applicant Application Submit: Draft → Submitted") == 2
    assert log.count("System Progress report Create: — → Draft Opened by the reporting schedule.") == 2
